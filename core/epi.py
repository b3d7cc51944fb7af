"""Epidemiology for the headquarters (科学精准): epidemic curve, Rt as EpiEstim computes it, delays, projection.

``estimate_r`` reproduces R package EpiEstim's ``estimate_R(method = "parametric_si")`` (Cori et al.,
AJE 2013): the serial interval is discretised by ``discr_si`` (gamma shifted by one day), the overall
infectivity is ``Lambda_t = sum_s w_s I_{t-s}`` over total (local + imported) incidence, the first day's
cases are all treated as imported, and over each window the gamma prior (shape ``a``, scale ``b``) gives
the posterior shape ``a + sum(local I)`` and scale ``1 / (1/b + sum Lambda)``. Windows are numbered
1-based as in EpiEstim (``t_start = 2 .. T-6``, ``t_end = t_start + 6`` by default), and windows that end
before the mean serial interval are dropped, as EpiEstim does.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]

QUANTILES = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)


# --- epidemic curve -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurveCase:
    onset: date | None  # None: asymptomatic or unknown; counted on the report curve only
    report: date | None
    imported: bool  # 境外输入 / imported from another area


@dataclass(frozen=True)
class CurveDay:
    day: date
    onset_local: int
    onset_imported: int
    report_local: int
    report_imported: int
    # Of the imported: those from abroad (境外输入); the rest came from other domestic areas.
    onset_abroad: int = 0
    report_abroad: int = 0


def epidemic_curve(
    cases: Iterable[CurveCase], start: date | None = None, end: date | None = None
) -> list[CurveDay]:
    """Daily counts by onset and by report, local vs imported, every day from ``start`` to ``end``
    (default: the first and last date seen) present, with zeros where nothing happened."""
    counts: dict[tuple[date, int], int] = {}
    seen: list[date] = []
    for case in cases:
        for column, day in ((0, case.onset), (2, case.report)):
            if day is None:
                continue
            key = (day, column + (1 if case.imported else 0))
            counts[key] = counts.get(key, 0) + 1
            seen.append(day)
    if not seen and (start is None or end is None):
        return []
    first = start if start is not None else min(seen)
    last = end if end is not None else max(seen)
    curve = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        curve.append(CurveDay(day, *(counts.get((day, column), 0) for column in range(4))))
    return curve


# --- reproduction number (EpiEstim) ----------------------------------------------------------------


@dataclass(frozen=True)
class RConfig:
    mean_si: float = 4.7
    std_si: float = 2.9
    mean_prior: float = 5.0
    std_prior: float = 5.0
    window_days: int = 7


@dataclass(frozen=True)
class REstimate:
    t_start: int  # 1-based day index of the window start, as in EpiEstim
    t_end: int
    date_start: date | None
    date_end: date | None
    shape: float  # posterior gamma shape
    scale: float  # posterior gamma scale
    mean: float
    std: float
    q025: float
    q05: float
    q25: float
    median: float
    q75: float
    q95: float
    q975: float


def discr_si(k: npt.ArrayLike, mean: float, sd: float) -> FloatArray:
    """EpiEstim's ``discr_si``: P(serial interval = k days) for a gamma(mean - 1, sd) shifted by one day,
    closed form from the supplement of Cori et al. (2013)."""
    if sd <= 0:
        raise ValueError("sd must be > 0")
    if mean <= 1:
        raise ValueError("mean must be > 1")
    ks = np.asarray(k, dtype=np.float64)
    if np.any(ks < 0):
        raise ValueError("k must be >= 0")
    a = ((mean - 1) / sd) ** 2
    b = sd**2 / (mean - 1)

    def cdf(x: FloatArray, shape: float) -> FloatArray:
        return np.asarray(stats.gamma.cdf(x, shape, scale=b), dtype=np.float64)

    res = ks * cdf(ks, a) + (ks - 2) * cdf(ks - 2, a) - 2 * (ks - 1) * cdf(ks - 1, a)
    res = res + a * b * (2 * cdf(ks - 1, a + 1) - cdf(ks - 2, a + 1) - cdf(ks, a + 1))
    return np.maximum(res, 0.0)


def overall_infectivity(incidence: npt.ArrayLike, si_distr: npt.ArrayLike) -> FloatArray:
    """EpiEstim's ``overall_infectivity``: ``Lambda_t = sum_{s>=0} w_s I_{t-s}`` (0-based here), with
    ``Lambda_0`` undefined (NaN) as in EpiEstim."""
    incid = np.asarray(incidence, dtype=np.float64)
    w = np.asarray(si_distr, dtype=np.float64)
    n = incid.size
    if w.size < n:
        w = np.concatenate([w, np.zeros(n - w.size)])
    lam = np.convolve(incid, w[:n])[:n]
    if n:
        lam[0] = np.nan
    return lam


def _split_first_day(local: npt.ArrayLike, imported: npt.ArrayLike | None) -> tuple[FloatArray, FloatArray]:
    loc = np.array(local, dtype=np.float64)
    imp = np.zeros_like(loc) if imported is None else np.array(imported, dtype=np.float64)
    if loc.ndim != 1 or imp.shape != loc.shape:
        raise ValueError("local and imported incidence must be one-dimensional and of equal length")
    if np.any(loc < 0) or np.any(imp < 0):
        raise ValueError("incidence must be non-negative")
    if loc.size:
        # EpiEstim's process_I: nobody infected the first day's cases inside the series.
        imp[0] += loc[0]
        loc[0] = 0.0
    return loc, imp


def estimate_r(
    local: npt.ArrayLike,
    imported: npt.ArrayLike | None = None,
    config: RConfig | None = None,
    t_start: Sequence[int] | None = None,
    t_end: Sequence[int] | None = None,
    start_date: date | None = None,
) -> list[REstimate]:
    """Rt on sliding windows, equal to EpiEstim ``estimate_R(incid, method="parametric_si")``.

    ``local`` (and optional ``imported``) are daily counts; ``start_date`` is the date of the first
    count and only labels the windows. Returns no estimate when the series is shorter than one window.
    """
    cfg = config or RConfig()
    loc, imp = _split_first_day(local, imported)
    n = loc.size
    if t_start is None or t_end is None:
        starts = list(range(2, n - cfg.window_days + 2))
        ends = [s + cfg.window_days - 1 for s in starts]
    else:
        starts, ends = list(t_start), list(t_end)
        if len(starts) != len(ends) or any(not 2 <= s <= e <= n for s, e in zip(starts, ends, strict=True)):
            raise ValueError("windows need 2 <= t_start <= t_end <= number of days")
    if not starts:
        return []
    a_prior = (cfg.mean_prior / cfg.std_prior) ** 2
    b_prior = cfg.std_prior**2 / cfg.mean_prior
    si = np.concatenate([discr_si(np.arange(n), cfg.mean_si, cfg.std_si), [0.0]])
    final_mean_si = float(np.sum(si * np.arange(si.size)))
    lam = overall_infectivity(loc + imp, si)
    loc_cum = np.concatenate([[0.0], np.cumsum(loc)])
    estimates = []
    for s, e in zip(starts, ends, strict=True):
        if not e > final_mean_si:
            continue
        shape = a_prior + float(loc_cum[e] - loc_cum[s - 1])
        scale = 1.0 / (1.0 / b_prior + float(np.sum(lam[s - 1 : e])))
        q = [float(x) for x in stats.gamma.ppf(QUANTILES, shape, scale=scale)]
        estimates.append(
            REstimate(
                t_start=s,
                t_end=e,
                date_start=None if start_date is None else start_date + timedelta(days=s - 1),
                date_end=None if start_date is None else start_date + timedelta(days=e - 1),
                shape=shape,
                scale=scale,
                mean=shape * scale,
                std=float(np.sqrt(shape)) * scale,
                q025=q[0],
                q05=q[1],
                q25=q[2],
                median=q[3],
                q75=q[4],
                q95=q[5],
                q975=q[6],
            )
        )
    return estimates


# --- delays: 早发现、早报告、早隔离 -----------------------------------------------------------------


class DelayKind(enum.Enum):
    ONSET_TO_REPORT = "onset_to_report"
    REPORT_TO_ISOLATION = "report_to_isolation"
    ONSET_TO_ISOLATION = "onset_to_isolation"


_T = TypeVar("_T", date, datetime)


def isolation_start(*starts: _T | None) -> _T | None:
    """早隔离 is measured to the moment the person was first isolated, whichever way: quarantine (集中/居家隔离,
    医学观察) or admission to hospital. The earliest known start, or None when the person never was."""
    known = [s for s in starts if s is not None]
    return min(known) if known else None


@dataclass(frozen=True)
class DelayCase:
    onset: date | None
    report: date | None
    isolation: date | None


@dataclass(frozen=True)
class WeeklyDelay:
    """Delays in whole days of the cases whose later event fell in one ISO week."""

    kind: DelayKind
    iso_year: int
    iso_week: int
    week_start: date  # the Monday
    n: int
    median: float | None
    q1: float | None
    q3: float | None
    mean: float | None
    n_negative: int  # records with the later event before the earlier one, left out as data errors


def delays_by_week(cases: Iterable[DelayCase]) -> list[WeeklyDelay]:
    """Delay distributions per ISO week, sorted by kind then week.

    A delay is filed under the week of its *later* event (the report, or the isolation): grouping by the
    week of onset would make the most recent weeks look early only because their long delays have not
    happened yet.
    """
    buckets: dict[tuple[DelayKind, date], tuple[list[int], list[int]]] = {}
    for case in cases:
        for kind, first, last in (
            (DelayKind.ONSET_TO_REPORT, case.onset, case.report),
            (DelayKind.REPORT_TO_ISOLATION, case.report, case.isolation),
            (DelayKind.ONSET_TO_ISOLATION, case.onset, case.isolation),
        ):
            if first is None or last is None:
                continue
            monday = last - timedelta(days=last.weekday())
            valid, negative = buckets.setdefault((kind, monday), ([], []))
            delay = (last - first).days
            (valid if delay >= 0 else negative).append(delay)
    order = list(DelayKind)
    rows = []
    for (kind, monday), (valid, negative) in sorted(
        buckets.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])
    ):
        iso = monday.isocalendar()
        values = np.asarray(valid, dtype=np.float64)
        has = values.size > 0
        rows.append(
            WeeklyDelay(
                kind=kind,
                iso_year=iso.year,
                iso_week=iso.week,
                week_start=monday,
                n=int(values.size),
                median=float(np.median(values)) if has else None,
                q1=float(np.quantile(values, 0.25)) if has else None,
                q3=float(np.quantile(values, 0.75)) if has else None,
                mean=float(values.mean()) if has else None,
                n_negative=len(negative),
            )
        )
    return rows


# --- projection (renewal equation) ------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectionDay:
    t: int  # 1-based day index continuing the observed series
    day: date | None
    median: float
    lower: float  # 2.5 %
    upper: float  # 97.5 %


@dataclass(frozen=True)
class Projection:
    """A projection, not an observation (预测): show it labelled and apart from the epidemic curve."""

    r_shape: float
    r_scale: float
    n_sims: int
    seed: int
    days: tuple[ProjectionDay, ...]
    label: str = "projection"


def project_incidence(
    local: npt.ArrayLike,
    imported: npt.ArrayLike | None = None,
    config: RConfig | None = None,
    horizon: int = 14,
    n_sims: int = 1000,
    seed: int = 20200301,
    start_date: date | None = None,
) -> Projection:
    """Daily incidence for ``horizon`` days by the renewal equation ``I_t ~ Poisson(R Lambda_t)``, with
    one R per simulation drawn from the posterior of the last Rt window and no further imports."""
    cfg = config or RConfig()
    estimates = estimate_r(local, imported, cfg)
    if not estimates:
        raise ValueError("the series is too short to estimate R for a projection")
    last = estimates[-1]
    loc, imp = _split_first_day(local, imported)
    observed = loc + imp
    n = observed.size
    rng = np.random.default_rng(seed)
    r = rng.gamma(last.shape, last.scale, size=n_sims)
    w = discr_si(np.arange(n + horizon + 1), cfg.mean_si, cfg.std_si)
    sims = np.zeros((n_sims, n + horizon))
    sims[:, :n] = observed
    for t in range(n, n + horizon):
        lam = sims[:, :t] @ w[t:0:-1]
        sims[:, t] = rng.poisson(r * lam)
    lower, median, upper = np.quantile(sims[:, n:], [0.025, 0.5, 0.975], axis=0)
    days = tuple(
        ProjectionDay(
            t=n + i + 1,
            day=None if start_date is None else start_date + timedelta(days=n + i),
            median=float(median[i]),
            lower=float(lower[i]),
            upper=float(upper[i]),
        )
        for i in range(horizon)
    )
    return Projection(r_shape=last.shape, r_scale=last.scale, n_sims=n_sims, seed=seed, days=days)

"""Epidemiology: Rt equals EpiEstim's published output, plus analytic checks, curve, delays and projection."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from core.epi import (
    CurveCase,
    DelayCase,
    DelayKind,
    RConfig,
    delays_by_week,
    discr_si,
    epidemic_curve,
    estimate_r,
    overall_infectivity,
    project_incidence,
)

# Flu2009$incidence (EpiEstim's data set: pandemic influenza in a school, 2009-04-27 .. 2009-05-28),
# as printed in the `$I` element of the saved outputs cited below.
FLU2009 = [
    1,
    1,
    0,
    2,
    5,
    3,
    3,
    3,
    6,
    2,
    5,
    9,
    13,
    12,
    13,
    11,
    12,
    6,
    6,
    6,
    3,
    1,
    0,
    2,
    0,
    0,
    0,
    0,
    2,
    0,
    2,
    0,
]

# mrc-ide/EpiEstim, tests/testthat/_snaps/estimate_R.md (commit 2ca76bb6af94adb75ba0e57b459d9203b0659f88),
# section "Example 3 matches saved output", produced by tests/testthat/test-estimate_R.R:
#   estimate_R(Flu2009$incidence, method = "parametric_si",
#              config = list(t_start = 2:26, t_end = 8:32, mean_si = 2.6, std_si = 1.5, seed = 1))
# which is also the call in EpiEstim's vignette and ?estimate_R examples. Columns: t_start t_end Mean(R)
# Std(R) Quantile.0.025 0.05 0.25 Median 0.75 0.95 0.975, printed by R to 7 significant digits.
FLU2009_PARAMETRIC = """
2 8 1.7357977 0.40913143 1.02874370 1.12193325 1.4451981 1.7037612 1.9915200 2.4589724 2.6247813
3 9 1.7491678 0.36472669 1.10882231 1.19547993 1.4913446 1.7238839 1.9794569 2.3891206 2.5331192
4 10 1.5370581 0.30741163 0.99470299 1.06869352 1.3200896 1.5166133 1.7317605 2.0751763 2.1955399
5 11 1.4318389 0.27059213 0.95144658 1.01766106 1.2412511 1.4148298 1.6039005 1.9040473 2.0088487
6 12 1.4227247 0.25150457 0.97314263 1.03580815 1.2459958 1.4079324 1.5833401 1.8601072 1.9563365
7 13 1.6353733 0.25234358 1.17863324 1.24358968 1.4588473 1.6224126 1.7977785 2.0713724 2.1657455
8 14 1.6639845 0.23300443 1.23894574 1.30015068 1.5014679 1.6531215 1.8146646 2.0648767 2.1507413
9 15 1.6161467 0.20692639 1.23622420 1.29149686 1.4721862 1.6073240 1.7504931 1.9708944 2.0461979
10 16 1.4344239 0.17656537 1.10938331 1.15686977 1.3117168 1.4271858 1.5492434 1.7366694 1.8005896
11 17 1.4087217 0.16159146 1.10991245 1.15387452 1.2966267 1.4025479 1.5140885 1.6846295 1.7426100
12 18 1.2479472 0.14221678 0.98486038 1.02359091 1.1493086 1.2425490 1.3407028 1.4907183 1.5417063
13 19 1.0821477 0.12579711 0.84971868 0.88387071 0.9948535 1.0772771 1.1641340 1.2970399 1.3422512
14 20 0.9371671 0.11449319 0.72629165 0.75712322 0.8576141 0.9325088 1.0116437 1.1331024 1.1745108
15 21 0.8196564 0.10762616 0.62239946 0.65101748 0.7447274 0.8149506 0.8894575 1.0043487 1.0436503
16 22 0.6910352 0.10188759 0.50592464 0.53240938 0.6198605 0.6860342 0.7567610 0.8667218 0.9045582
17 23 0.5896765 0.09967353 0.41073132 0.43584912 0.5197437 0.5840702 0.6535019 0.7626306 0.8004706
18 24 0.4992206 0.09984413 0.32306927 0.34710064 0.4287515 0.4925804 0.5624580 0.6739958 0.7130887
19 25 0.4729631 0.10850519 0.28475471 0.30971499 0.3959768 0.4646919 0.5409442 0.6644328 0.7081443
20 26 0.4176319 0.11583024 0.22237137 0.24703176 0.3348031 0.4069735 0.4888632 0.6246028 0.6734020
21 27 0.2978682 0.11258359 0.11975846 0.13979872 0.2162803 0.2838104 0.3641850 0.5039247 0.5557145
22 28 0.2400880 0.12004401 0.06541591 0.08200917 0.1521750 0.2204045 0.3066781 0.4653900 0.5262293
23 29 0.4573477 0.20453212 0.14849956 0.18020868 0.3081243 0.4272459 0.5739193 0.8372682 0.9367934
24 30 0.6734382 0.30117074 0.21866356 0.26535481 0.4537089 0.6291137 0.8450883 1.2328660 1.3794155
25 31 0.8591897 0.38424130 0.27897655 0.33854643 0.5788533 0.8026393 1.0781852 1.5729218 1.7598935
26 32 0.9975352 0.44611130 0.32389696 0.39305871 0.6720595 0.9318792 1.2517931 1.8261915 2.0432690
"""

# Same file, section "Example 2 matches saved output": 17 cases on days 0..26 grouped into local and
# imported with incidence::incidence(), then
#   estimate_R(incid, method = "parametric_si",
#              config = list(t_start = 2:21, t_end = 8:27, mean_si = 2.6, std_si = 1.5, seed = 1))
EXAMPLE2_DAYS = [0, 1, 1, 2, 1, 3, 4, 5, 5, 5, 5, 4, 4, 26, 6, 7, 9]
EXAMPLE2_IMPORTED = [
    True,
    False,
    True,
    True,
    False,
    True,
    True,
    True,
    True,
    False,
    False,
    False,
    True,
    False,
    True,
    False,
    True,
]
# `$I_local` and `$I_imported` as printed in the saved output:
EXAMPLE2_I_LOCAL = [0, 2, 0, 0, 1, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
EXAMPLE2_I_IMPORTED = [1, 1, 1, 1, 2, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
EXAMPLE2 = """
2 8 0.6413590 0.2424109 0.257859602 0.301009564 0.46568686 0.6110903 0.7841500 1.0850325 1.1965445
3 9 0.3999222 0.1788506 0.129853640 0.157581299 0.26943560 0.3736000 0.5018568 0.7321390 0.8191677
4 10 0.3956574 0.1769434 0.128468883 0.155900853 0.26656234 0.3696159 0.4965050 0.7243315 0.8104321
5 11 0.4170468 0.1865090 0.135413957 0.164328910 0.28097279 0.3895975 0.5233462 0.7634891 0.8542443
6 12 0.3515432 0.1757716 0.095783678 0.120079970 0.22281862 0.3227220 0.4490461 0.6814362 0.7705187
7 13 0.1976371 0.1397505 0.023934764 0.035116301 0.09499215 0.1658518 0.2660822 0.4687817 0.5505816
8 14 0.2561099 0.1810970 0.031016091 0.045505792 0.12309648 0.2149206 0.3448051 0.6074752 0.7134764
9 15 0.1854957 0.1854957 0.004696345 0.009514686 0.05336379 0.1285758 0.2571517 0.5556955 0.6842713
10 16 0.2764736 0.2764736 0.006999704 0.014181240 0.07953649 0.1916369 0.3832737 0.8282408 1.0198776
11 17 0.4085199 0.4085199 0.010342829 0.020954333 0.11752386 0.2831644 0.5663289 1.2238163 1.5069808
12 18 0.6246688 0.6246688 0.015815245 0.032041322 0.17970602 0.4329874 0.8659749 1.8713406 2.3043280
13 19 1.0775772 1.0775772 0.027281893 0.055272486 0.30999965 0.7469196 1.4938392 3.2281329 3.9750525
14 20 1.7523399 1.7523399 0.044365405 0.089883287 0.50411678 1.2146295 2.4292589 5.2495412 6.4641707
15 21 2.5831197 2.5831197 0.065398929 0.132496720 0.74311724 1.7904822 3.5809643 7.7383351 9.5288173
16 22 3.4013907 3.4013907 0.086115755 0.174468532 0.97851911 2.3576643 4.7153287 10.1896558 12.5473201
17 23 4.0476611 4.0476611 0.102477905 0.207617870 1.16443952 2.8056248 5.6112497 12.1257088 14.9313337
18 24 4.4742953 4.4742953 0.113279349 0.229501345 1.28717454 3.1013452 6.2026903 13.4037908 16.5051359
19 25 4.7233814 4.7233814 0.119585664 0.242277793 1.35883215 3.2739985 6.5479970 14.1499861 17.4239846
20 26 4.8583931 4.8583931 0.123003865 0.249202990 1.39767261 3.3675815 6.7351630 14.5544451 17.9220266
21 27 9.8571825 6.9700806 1.193750537 1.751431640 4.73775012 8.2718863 13.2708950 23.3805693 27.4603530
"""

# Same file, `$si_distr` of Example 3: discr_si(0:31, 2.6, 1.5), printed to 7 significant digits.
SI_2_6_1_5 = [
    0.0, 2.331721e-01, 3.585794e-01, 1.981108e-01, 1.033427e-01, 5.290518e-02, 2.682146e-02, 1.351620e-02,
    6.783438e-03, 3.394351e-03, 1.694674e-03, 8.445945e-04, 4.203313e-04, 2.089422e-04, 1.037609e-04,
    5.148480e-05, 2.552773e-05, 1.264952e-05, 6.264667e-06, 3.101068e-06, 1.534394e-06, 7.589168e-07,
    3.752319e-07, 1.854675e-07, 9.164543e-08, 4.527299e-08, 2.235952e-08, 1.104051e-08, 5.450378e-09,
    2.690174e-09, 1.327568e-09, 6.550365e-10,
]  # fmt: skip


def table(text: str) -> list[list[float]]:
    return [[float(x) for x in line.split()] for line in text.strip().splitlines()]


def as_row(e: object) -> list[float]:
    names = ("t_start", "t_end", "mean", "std", "q025", "q05", "q25", "median", "q75", "q95", "q975")
    return [float(getattr(e, name)) for name in names]


def assert_matches_printed(got: list[list[float]], printed: list[list[float]]) -> None:
    assert len(got) == len(printed)
    for ours, theirs in zip(got, printed, strict=True):
        assert ours[:2] == theirs[:2]
        # R printed 7 significant digits: the relative rounding error is below 1e-6.
        assert ours[2:] == pytest.approx(theirs[2:], rel=1e-6, abs=1e-9)


def test_discr_si_equals_epiestims_printed_serial_interval() -> None:
    assert discr_si(np.arange(32), 2.6, 1.5) == pytest.approx(SI_2_6_1_5, rel=1e-6, abs=1e-12)


def test_rt_equals_epiestim_parametric_si_on_flu2009() -> None:
    got = estimate_r(FLU2009, config=RConfig(mean_si=2.6, std_si=1.5), start_date=date(2009, 4, 27))
    assert_matches_printed([as_row(e) for e in got], table(FLU2009_PARAMETRIC))
    assert (got[0].date_start, got[0].date_end) == (date(2009, 4, 28), date(2009, 5, 4))


def test_rt_equals_epiestim_with_imported_cases() -> None:
    local = [0] * 27
    imported = [0] * 27
    for day, is_imported in zip(EXAMPLE2_DAYS, EXAMPLE2_IMPORTED, strict=True):
        (imported if is_imported else local)[day] += 1
    assert (local, imported) == (EXAMPLE2_I_LOCAL, EXAMPLE2_I_IMPORTED)
    got = estimate_r(local, imported, RConfig(mean_si=2.6, std_si=1.5))
    assert_matches_printed([as_row(e) for e in got], table(EXAMPLE2))


def test_rt_uses_the_default_serial_interval_and_weekly_windows() -> None:
    got = estimate_r(FLU2009)
    assert [(e.t_start, e.t_end) for e in got] == [(s, s + 6) for s in range(2, 27)]
    si = np.concatenate([discr_si(np.arange(32), 4.7, 2.9), [0.0]])
    lam = overall_infectivity(FLU2009, si)
    first = got[0]
    assert first.shape == 1 + sum(FLU2009[1:8])
    assert first.scale == pytest.approx(1 / (1 / 5 + lam[1:8].sum()), rel=1e-12)


def test_posterior_by_hand_on_a_tiny_series() -> None:
    # Four days, one window t = 2..4 (1-based), serial interval gamma(mean 2, sd 1) shifted by one day.
    incid = [3, 2, 4, 1]
    w = discr_si(np.arange(5), 2.0, 1.0)
    lam = [w[1] * 3, w[1] * 2 + w[2] * 3, w[1] * 4 + w[2] * 2 + w[3] * 3]
    shape = 1 + (2 + 4 + 1)  # prior shape (5/5)^2 = 1; day 1 counts as imported, not in the sum
    scale = 1 / (1 / 5 + sum(lam))  # prior scale 5^2/5 = 5
    (got,) = estimate_r(incid, config=RConfig(mean_si=2.0, std_si=1.0, window_days=3))
    assert (got.t_start, got.t_end) == (2, 4)
    assert (got.shape, got.scale) == (pytest.approx(shape), pytest.approx(scale))
    assert got.mean == pytest.approx(shape * scale)
    assert got.std == pytest.approx(shape**0.5 * scale)
    assert got.q975 == pytest.approx(stats.gamma.ppf(0.975, shape, scale=scale))


def test_constant_incidence_gives_r_tending_to_one() -> None:
    got = estimate_r([100] * 120)
    means = [e.mean for e in got]
    assert means[0] > 1.5  # the first windows see little past infectivity
    assert abs(means[-1] - 1) < 0.01
    assert abs(means[-1] - 1) < abs(means[len(means) // 2] - 1) + 1e-12 < abs(means[0] - 1)


def test_it_drops_windows_ending_before_the_mean_serial_interval() -> None:
    got = estimate_r(
        [1] * 20, config=RConfig(mean_si=12.0, std_si=3.0), t_start=range(2, 19), t_end=range(3, 20)
    )
    assert min(e.t_end for e in got) == 12  # t_end must exceed the discretised mean (≈ 12)


def test_it_returns_no_estimate_for_a_series_shorter_than_a_window() -> None:
    assert estimate_r([1, 2, 3]) == []


def test_it_rejects_negative_incidence_and_bad_windows() -> None:
    with pytest.raises(ValueError):
        estimate_r([1, -1, 2, 3, 4, 5, 6, 7])
    with pytest.raises(ValueError):
        estimate_r([1] * 10, t_start=[1], t_end=[7])


def test_discr_si_is_a_distribution_with_the_requested_mean() -> None:
    w = discr_si(np.arange(200), 4.7, 2.9)
    assert w[0] == 0
    assert w.sum() == pytest.approx(1, abs=1e-9)
    assert (w * np.arange(200)).sum() == pytest.approx(4.7, abs=1e-6)


# --- epidemic curve ---

D0 = date(2020, 2, 1)


def test_the_curve_fills_missing_days_with_zeros_and_splits_local_and_imported() -> None:
    curve = epidemic_curve(
        [
            CurveCase(onset=D0, report=D0 + timedelta(days=3), imported=False),
            CurveCase(onset=None, report=D0 + timedelta(days=1), imported=True),
            CurveCase(onset=D0, report=D0 + timedelta(days=1), imported=True),
        ]
    )
    assert [(c.day, c.onset_local, c.onset_imported, c.report_local, c.report_imported) for c in curve] == [
        (D0, 1, 1, 0, 0),
        (D0 + timedelta(days=1), 0, 0, 0, 2),
        (D0 + timedelta(days=2), 0, 0, 0, 0),
        (D0 + timedelta(days=3), 0, 0, 1, 0),
    ]


def test_the_curve_covers_exactly_the_requested_range() -> None:
    curve = epidemic_curve(
        [CurveCase(D0, D0, False)], start=D0 - timedelta(days=2), end=D0 + timedelta(days=2)
    )
    assert [c.report_local for c in curve] == [0, 0, 1, 0, 0]
    assert epidemic_curve([]) == []


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.none() | st.integers(0, 20), st.none() | st.integers(0, 20), st.booleans()), max_size=50
    )
)
def test_the_curve_counts_every_dated_event_once(rows: list[tuple[int | None, int | None, bool]]) -> None:
    cases = [
        CurveCase(None if o is None else D0 + timedelta(o), None if r is None else D0 + timedelta(r), i)
        for o, r, i in rows
    ]
    curve = epidemic_curve(cases)
    assert sum(c.onset_local + c.onset_imported for c in curve) == sum(o is not None for o, _, _ in rows)
    assert sum(c.report_imported for c in curve) == sum(r is not None and i for _, r, i in rows)
    assert all((b.day - a.day).days == 1 for a, b in zip(curve, curve[1:], strict=False))


# --- delays ---


def test_delays_are_filed_under_the_iso_week_of_the_later_event() -> None:
    monday = date(2020, 2, 3)  # ISO 2020-W06
    rows = delays_by_week(
        [
            DelayCase(onset=monday - timedelta(days=3), report=monday, isolation=monday + timedelta(days=1)),
            DelayCase(onset=monday - timedelta(days=1), report=monday + timedelta(days=6), isolation=None),
            DelayCase(onset=monday, report=monday + timedelta(days=7), isolation=monday + timedelta(days=7)),
            DelayCase(onset=monday + timedelta(days=2), report=monday, isolation=None),  # report before onset
        ]
    )
    by = {(r.kind, r.iso_week): r for r in rows}
    w6 = by[(DelayKind.ONSET_TO_REPORT, 6)]
    assert (w6.n, w6.median, w6.q1, w6.q3, w6.mean, w6.n_negative) == (2, 5.0, 4.0, 6.0, 5.0, 1)
    assert w6.week_start == monday and w6.iso_year == 2020
    w7 = by[(DelayKind.ONSET_TO_REPORT, 7)]
    assert (w7.n, w7.median, w7.week_start) == (1, 7.0, monday + timedelta(days=7))
    assert by[(DelayKind.REPORT_TO_ISOLATION, 6)].median == 1.0
    assert by[(DelayKind.REPORT_TO_ISOLATION, 7)].median == 0.0
    assert by[(DelayKind.ONSET_TO_ISOLATION, 6)].median == 4.0
    assert [r.kind for r in rows] == sorted((r.kind for r in rows), key=list(DelayKind).index)


def test_a_week_with_only_impossible_delays_has_no_statistics() -> None:
    (row,) = delays_by_week([DelayCase(onset=D0 + timedelta(days=1), report=D0, isolation=None)])
    assert (row.n, row.median, row.mean, row.n_negative) == (0, None, None, 1)


# --- projection ---


def test_the_projection_is_deterministic_for_a_seed_and_ordered() -> None:
    first = project_incidence(FLU2009, seed=7, start_date=date(2009, 4, 27))
    assert first == project_incidence(FLU2009, seed=7, start_date=date(2009, 4, 27))
    assert first != project_incidence(FLU2009, seed=8, start_date=date(2009, 4, 27))
    assert len(first.days) == 14 and first.label == "projection"
    assert first.days[0].t == 33 and first.days[0].day == date(2009, 5, 29)
    assert all(d.lower <= d.median <= d.upper for d in first.days)


def test_the_projection_grows_with_r_above_one_and_shrinks_below() -> None:
    growing = [round(10 * 1.15**t) for t in range(40)]
    up = project_incidence(growing, seed=1)
    assert up.r_shape * up.r_scale > 1.2
    assert up.days[-1].median > growing[-1] * 2
    shrinking = [round(200 * 0.9**t) for t in range(40)]
    down = project_incidence(shrinking, seed=1)
    assert down.days[-1].median < shrinking[-1]


def test_the_projection_needs_enough_data_for_an_estimate() -> None:
    with pytest.raises(ValueError):
        project_incidence([1, 2])


@given(
    starts=st.lists(
        st.none() | st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2020, 12, 31)), max_size=4
    )
)
def test_isolation_starts_at_the_first_known_start(starts: list[datetime | None]) -> None:
    from core.epi import isolation_start

    got = isolation_start(*starts)
    known = [s for s in starts if s is not None]
    assert got == (min(known) if known else None)
    assert all(got is not None and got <= s for s in known)

"""The demo-city generator: a list of steps (settings.TONGCHOU_DEMO_STEPS), each idempotent.

A later capability extends the city by adding a step module with `NAME` and `run(ctx) -> summary`;
steps read what earlier steps stored from the database, so any step can be re-run on its own.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from tqdm import tqdm

from apps.demo.models import DemoStep

T = TypeVar("T")

DEFAULT_STEPS = ["apps.demo.steps.areas", "apps.demo.steps.persons", "apps.demo.steps.users"]
DEFAULT_STEPS += ["apps.codes.demo", "apps.venues.demo"]
DEFAULT_STEPS += ["apps.enterprises.demo"]
DEFAULT_STEPS += ["apps.screening.demo"]
DEFAULT_STEPS += ["apps.cases.demo"]  # keep after any step that makes scans: the outbreak spreads along them
DEFAULT_STEPS += ["apps.quarantine.demo"]  # after cases: its confirmed contacts' orders become stays

DEFAULT_STEPS += ["apps.arrivals.demo"]
DEFAULT_STEPS += ["apps.projects.demo", "apps.indicators.demo", "apps.prices.demo", "apps.society.demo"]
DEFAULT_STEPS += ["apps.command.demo"]  # last: the headquarters' day reads what the other steps made


OUTBREAK_DAYS = 56  # the first case is this many days before the demo's today
RESUMPTION_LAG_DAYS = 10  # work starts to resume this many days after the first case


@dataclass(frozen=True)
class DemoCalendar:
    """The demo's one story on one calendar that ends on `today`, as 2020 ran: the outbreak starts eight weeks
    before (cases, contacts, risk levels), control measures follow, and work resumes from ten days in (the
    resumption curve, hotline, power readings, the dip and recovery of the economic indicators). Every step
    places its dates from here, so the dashboards tell one story whatever day the city is generated for."""

    today: dt.date
    outbreak_days: int = OUTBREAK_DAYS
    resumption_lag_days: int = RESUMPTION_LAG_DAYS

    @property
    def outbreak_start(self) -> dt.date:
        return self.today - dt.timedelta(days=self.outbreak_days)

    @property
    def resumption_start(self) -> dt.date:
        return self.outbreak_start + dt.timedelta(days=self.resumption_lag_days)

    @property
    def last_full_day(self) -> dt.date:
        """Timed events (tickets, deliveries) stop here: nothing happens later today than the clock allows."""
        return self.today - dt.timedelta(days=1)

    def activity(self, day: dt.date) -> float:
        """Economic activity against normal on `day`: 1 before the outbreak, about half in its first three
        weeks (the shutdown), back to normal linearly over the following seven weeks (复工复产)."""
        since = (day - self.outbreak_start).days
        if since < 0:
            return 1.0
        if since < 21:
            return 0.5
        return min(1.0, 0.5 + 0.5 * (since - 21) / 49)


@dataclass
class DemoContext:
    seed: int
    persons: int
    today: dt.date
    out: Callable[[str], None] = print
    progress: bool = True
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def calendar(self) -> DemoCalendar:
        return DemoCalendar(today=self.today)

    def rng(self, step: str) -> random.Random:
        # One stream per step: adding a step never changes what the others generate.
        return random.Random(f"{self.seed}:{step}")

    def bar(self, items: Iterable[T], total: int, desc: str) -> Iterator[T]:
        return iter(tqdm(items, total=total, desc=desc, unit="", disable=not self.progress, mininterval=0.5))


def steps() -> list[Any]:
    return [importlib.import_module(name) for name in getattr(settings, "TONGCHOU_DEMO_STEPS", DEFAULT_STEPS)]


def run(ctx: DemoContext, *, only: set[str] | None = None, force: bool = False) -> dict[str, Any]:
    summaries: dict[str, Any] = {}
    for module in steps():
        name = module.NAME
        if only and name not in only:
            continue
        params = {"persons": ctx.persons, "seed": ctx.seed}
        done = DemoStep.objects.filter(name=name).first()
        if done and done.params == params and not force:
            ctx.out(f"· {name}: already generated (seed {ctx.seed}); skipped")
            summaries[name] = done.summary
            continue
        summary = module.run(ctx)
        DemoStep.objects.update_or_create(name=name, defaults={"seed": ctx.seed, "params": params, "summary": summary})
        ctx.out(f"✓ {name}: {summary}")
        summaries[name] = summary
    return summaries

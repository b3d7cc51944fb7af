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
DEFAULT_STEPS += ["apps.cases.demo"]  # keep after any step that makes scans: the outbreak spreads along them
DEFAULT_STEPS += ["apps.projects.demo", "apps.indicators.demo", "apps.prices.demo", "apps.society.demo"]


@dataclass
class DemoContext:
    seed: int
    persons: int
    today: dt.date
    out: Callable[[str], None] = print
    progress: bool = True
    shared: dict[str, Any] = field(default_factory=dict)

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

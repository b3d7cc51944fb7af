"""Recovery-track benchmarks: project colours, the dashboard sections of projects/indicators/prices, price alerts.

    python bench/bench_recovery.py          # 1,000 projects, 12 markets x 8 items x 90 days of prices
    python bench/bench_recovery.py --full   # 5,000 projects, 60 markets x 8 items x 180 days

Runs against a throw-away database: a temporary SQLite file, or a temporary database created on the
PostgreSQL server BENCH_DATABASE_URL points at (dropped afterwards). Prints `RATIO <name> = <x.xx> (target >= <t>)`
against a baseline measured in the same run, and `FIGURE` lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_persons import throwaway_database  # noqa: E402 - the shared throw-away database


def say(line: str) -> None:
    print(line, flush=True)


def best_of(fn: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    n_projects, n_markets, n_days = (5000, 60, 180) if args.full else (1000, 12, 90)

    with throwaway_database("recovery") as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongchou.settings")
        try:
            run(n_projects, n_markets, n_days)
        finally:
            from django.db import connections

            connections.close_all()  # before the throw-away database is dropped


def run(n_projects: int, n_markets: int, n_days: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from apps.accounts.services import user_create
    from apps.demo.generator import DemoContext
    from apps.geo.services import areas_upsert
    from apps.indicators import demo as indicators_demo
    from apps.indicators.selectors import latest_indicator_progress
    from apps.prices.models import Market, PriceItem, PriceRecord
    from apps.prices.selectors import active_price_alerts
    from apps.projects.models import Milestone, Project
    from apps.projects.selectors import battle_map_svg, district_progress, project_colour_counts
    from apps.projects.services import project_colour, project_colours_refresh, thresholds
    from core import synthetic
    from core.prices import PriceObservation, baseline, is_alert, price_alerts

    specs = synthetic.city_areas()
    areas_upsert(
        {"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "boundary": a.boundary} for a in specs
    )
    hq = user_create(
        username="bench_hq", password="bench-password-2020", grants=[("economic_officer", "990100")]
    )
    rng = random.Random(2020)
    today = timezone.localdate()
    streets = [a.code for a in specs if len(a.code) == 9]

    say(f"setting up {n_projects} projects, {n_markets} markets x 8 items x {n_days} days ...")
    Project.objects.bulk_create(
        [
            Project(
                ref=f"B{i:05d}",
                name=f"项目{i}",
                area_id=rng.choice(streets),
                stage=rng.choice(["signed", "started", "in_progress", "completed"]),
                investment_planned=Decimal(rng.randint(100, 90000)),
                investment_completed=Decimal(rng.randint(0, 60000)),
                plan_start=today - dt.timedelta(days=200),
                plan_end=today + dt.timedelta(days=200),
                official="王主任",
            )
            for i in range(n_projects)
        ],
        batch_size=1000,
    )
    ids = list(Project.objects.values_list("pk", flat=True))
    Milestone.objects.bulk_create(
        [
            Milestone(
                project_id=pk,
                name=f"节点{k}",
                planned=today + dt.timedelta(days=rng.randint(-150, 150)),
                actual=today - dt.timedelta(days=rng.randint(0, 100)) if rng.random() < 0.5 else None,
            )
            for pk in ids
            for k in range(4)
        ],
        batch_size=2000,
    )
    t = time.perf_counter()
    project_colours_refresh()
    refresh = time.perf_counter() - t

    items = [PriceItem.objects.create(code=f"i{k}", name_zh=f"商品{k}") for k in range(8)]
    markets = [
        Market.objects.create(code=f"m{k}", name=f"市场{k}", area_id=rng.choice(streets))
        for k in range(n_markets)
    ]
    PriceRecord.objects.bulk_create(
        [
            PriceRecord(
                item=it,
                market=m,
                day=today - dt.timedelta(days=d),
                price=Decimal(f"{rng.uniform(2, 30):.2f}"),
            )
            for it in items
            for m in markets
            for d in range(n_days)
        ],
        batch_size=2000,
    )
    indicators_demo.run(DemoContext(seed=2020, persons=0, today=today, out=lambda s: None, progress=False))

    # 1. Colour counts from the stored colour vs computing every project's colour on read.
    def on_read() -> dict[str, int]:
        t_ = thresholds()
        counts: dict[str, int] = {}
        for p in Project.objects.prefetch_related("milestones"):
            c = project_colour(p, p.milestones.all(), today, t_).colour.value
            counts[c] = counts.get(c, 0) + 1
        return counts

    stored = best_of(lambda: project_colour_counts(user=hq))
    naive = best_of(on_read, runs=2)
    assert sum(on_read().values()) == project_colour_counts(user=hq)["total"]
    say(f"FIGURE colour_counts_stored_ms = {stored * 1000:.1f}; colour_on_read_ms = {naive * 1000:.1f}")
    say(f"RATIO colour_counts_stored_vs_on_read = {naive / stored:.2f} (target >= 5)")

    # 2. The dashboard sections this track supplies, for the city headquarters.
    def sections() -> None:
        project_colour_counts(user=hq)
        battle_map_svg(user=hq)
        latest_indicator_progress(user=hq)
        active_price_alerts(user=hq)
        district_progress()

    for name, fn in (
        ("colour_counts", lambda: project_colour_counts(user=hq)),
        ("battle_map", lambda: battle_map_svg(user=hq)),
        ("indicators", lambda: latest_indicator_progress(user=hq)),
        ("price_alerts", lambda: active_price_alerts(user=hq)),
        ("ranking", district_progress),
    ):
        say(f"FIGURE section_{name}_ms = {best_of(fn, runs=3) * 1000:.1f}")
    with CaptureQueriesContext(connection) as q:
        sections()
    took = best_of(sections)
    say(
        f"FIGURE dashboard_sections_ms = {took * 1000:.1f} with {len(q.captured_queries)} queries "
        f"({n_projects} projects)"
    )
    say(f"RATIO dashboard_sections_budget_300ms = {0.3 / took:.2f} (target >= 1)")
    say(f"FIGURE daily_colour_refresh_s = {refresh:.2f} ({n_projects} projects)")

    # 3. Price alerts: one sliding-window pass vs the brute-force baseline per observation.
    obs = [
        PriceObservation(i, m, d, float(p))
        for i, m, d, p in PriceRecord.objects.values_list("item_id", "market_id", "day", "price")
    ]

    def oracle() -> int:
        series: dict[Any, dict[dt.date, float]] = {}
        for o in obs:
            series.setdefault((o.item, o.market), {})[o.day] = o.price
        return sum(1 for o in obs if is_alert(o.price, baseline(series[(o.item, o.market)], o.day), 0.1))

    fast = best_of(lambda: price_alerts(obs, 0.1), runs=3)
    slow = best_of(oracle, runs=1)
    assert len(price_alerts(obs, 0.1)) == oracle()
    say(f"FIGURE price_alerts_ms = {fast * 1000:.1f} over {len(obs)} prices; oracle_ms = {slow * 1000:.1f}")
    say(f"RATIO price_alerts_vs_oracle = {slow / fast:.2f} (target >= 2)")


if __name__ == "__main__":
    main()

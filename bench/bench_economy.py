"""Economic dashboard benchmark: the dashboard's figures and page at N enterprises (and the projects app's
1,000 projects when it is installed), against a naive baseline in the same run.

    python bench/bench_economy.py            # 10,000 enterprises
    python bench/bench_economy.py --full     # 50,000 enterprises and 1,000 projects (the issue's sizes)

The baseline is the simple way: load every visible enterprise into Python, call core.resumption for each
grouping, and replay the whole status history for the curve. Runs in a throw-away database (temporary SQLite
file, or a temporary database on BENCH_DATABASE_URL's PostgreSQL server). Figures print as
`RATIO <name> = <x.xx> (target >= <t>)` and `FIGURE` lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_persons import child_env, say, throwaway_database  # noqa: E402 - the shared throw-away database

BUDGET_SECONDS = 0.300


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="50,000 enterprises and 1,000 projects")
    parser.add_argument("--enterprises", type=int, default=None)
    parser.add_argument("--projects", type=int, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.enterprises = args.enterprises or (50_000 if args.full else 10_000)
    args.projects = args.projects or (1_000 if args.full else 200)
    if args.child:
        child(args)
        return
    backend = (
        "PostgreSQL (temporary database)"
        if os.environ.get("BENCH_DATABASE_URL")
        else "SQLite (temporary file)"
    )
    say(f"bench_economy on {backend}: {args.enterprises:,} enterprises, {args.projects:,} projects")
    with throwaway_database("economy") as url:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--enterprises",
            str(args.enterprises),
            "--projects",
            str(args.projects),
        ]
        subprocess.run(cmd, env=child_env(url), check=True, cwd=ROOT)


def timed(fn: Callable[[], Any], runs: int = 7) -> float:
    fn()  # warm caches and connections, as a dashboard that is read all day would be
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongchou.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.services import user_create
    from apps.enterprises import dashboard, selectors
    from apps.enterprises.models import Enterprise, StatusChange
    from apps.geo.services import areas_upsert
    from core import synthetic
    from core.resumption import EnterpriseState, ResumptionStatus, resumption_rates

    areas_upsert(
        {"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "boundary": a.boundary}
        for a in synthetic.city_areas()
    )
    commander = user_create(
        username="commander", password="bench-password-2020", grants=[("commander", "990100")]
    )
    officer = user_create(
        username="econ_a", password="bench-password-2020", grants=[("economic_officer", "990101")]
    )
    started = time.perf_counter()
    generate(args.enterprises, args.projects)
    say(
        f"FIGURE setup = {Enterprise.objects.count():,} enterprises, {StatusChange.objects.count():,} status changes "
        f"in {time.perf_counter() - started:.1f} s"
    )

    def naive() -> None:
        states = [
            EnterpriseState(d, i, s, a, ResumptionStatus(st), sh, c, e)
            for d, i, s, a, st, sh, c, e in Enterprise.objects.visible_to(commander)
            .filter(active=True)
            .values_list(
                "district",
                "industry_section",
                "size_class",
                "above_designated",
                "status",
                "staff_share_back",
                "capacity_used",
                "employees",
            )
        ]
        for by in ((), ("district",), ("industry_section",), ("size_class",)):
            resumption_rates(states, by=by)
        resumption_rates(states, above_designated_only=True)
        per_day: dict[dt.date, int] = {}
        for day, delta in StatusChange.objects.values_list("day", "delta_resumed"):
            per_day[day] = per_day.get(day, 0) + delta

    for name, user in (("city", commander), ("district", officer)):
        with CaptureQueriesContext(connection) as queries:
            dashboard.dashboard_data(user=user)
        ours = timed(lambda u=user: dashboard.dashboard_data(user=u))
        say(f"FIGURE dashboard_data[{name}] = {ours * 1000:.0f} ms, {len(queries.captured_queries)} queries")
        if name == "city":
            base = timed(naive, runs=3)
            say(f"FIGURE naive_rates_and_curve[city] = {base * 1000:.0f} ms (the enterprise part only)")
            say(
                f"RATIO dashboard_vs_naive = {base / ours:.2f} (target >= 1.00; ours also has reasons, SLA, lists)"
            )
        say(
            f"RATIO dashboard_budget[{name}] = {BUDGET_SECONDS / ours:.2f} (target >= 1.00, i.e. under 300 ms)"
        )
    client = Client()
    client.force_login(commander)
    page = timed(lambda: client.get("/enterprises/dashboard/"), runs=5)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/enterprises/dashboard/").status_code == 200
    say(f"FIGURE dashboard_page[city] = {page * 1000:.0f} ms, {len(queries.captured_queries)} queries")
    say(f"RATIO dashboard_page_budget = {BUDGET_SECONDS / page:.2f} (target >= 1.00, i.e. under 300 ms)")
    rates = selectors.resumption_rates(user=commander)[()]
    say(f"FIGURE resumed_rate = {rates.resumed_rate:.3f} of {rates.active:,} active enterprises")


def generate(count: int, projects: int) -> None:
    """Enterprises with a February–March history, reasons and hotline tickets, inserted in bulk."""
    from django.db import transaction

    from apps.demo.generator import DemoContext
    from apps.enterprises import demo
    from apps.enterprises.models import Enterprise, Ticket
    from core import synthetic

    rng = random.Random(2020)
    ctx = DemoContext(seed=2020, persons=0, today=dt.date(2020, 3, 31), out=lambda s: None, progress=False)
    feb1, mar31 = dt.date(2020, 2, 1), dt.date(2020, 3, 31)
    communities = synthetic.community_codes()
    with transaction.atomic():
        # The demo step's own code at any size (its default caps at 5,000), in slices of 5,000.
        made = 0
        while made < count:
            n = min(5000, count - made)
            demo._enterprises(ctx, rng, n, communities, feb1, mar31, None)  # noqa: SLF001
            made += n
        demo._hotline(random.Random(1), feb1, mar31)  # noqa: SLF001
    say(f"FIGURE tickets = {Ticket.objects.count():,}; enterprises = {Enterprise.objects.count():,}")
    try:
        from apps.projects import demo as project_demo
    except ImportError:
        say("FIGURE projects = skipped (apps.projects is not installed)")
        return
    project_demo.COUNT = projects
    project_demo.run(
        DemoContext(seed=2020, persons=0, today=dt.date(2020, 3, 31), out=lambda s: None, progress=False)
    )
    from apps.projects.models import Project

    say(f"FIGURE projects = {Project.objects.count():,}")


if __name__ == "__main__":
    main()

"""Arrivals benchmarks: manifest import vs a raw bulk insert of the same stored rows; the loop board at scale.

    python bench/bench_arrivals.py                # 10,000 passengers; board over 20,000 travellers
    python bench/bench_arrivals.py --full         # 100,000 passengers; board over 100,000 travellers (the issue's)

Each part runs in its own process against a throw-away database (SQLite file, or a temporary database on the
PostgreSQL server of BENCH_DATABASE_URL).

- manifest: ``manifest_import`` of a CSV (parse, validate, match by document hash, encrypt and create the
  persons, seats, travellers, their first loop event, the report) against a bulk insert of exactly the rows
  it stores (persons already encrypted, passengers, travellers, events) with ``bulk_create`` into the same
  tables, emptied between the sides. ``RATIO manifest_import_vs_bulk_insert`` = bulk time / import time
  (target >= 0.25).
- board: ``loop_board`` for the commander over N travellers; the baseline is the 300 ms budget of the issue,
  so ``RATIO loop_board_vs_300ms`` = 300 ms / board time (target >= 1), with the query count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_persons import child_env, say, throwaway_database  # noqa: E402

DEPART = dt.datetime(2020, 3, 9, 14, 0, tzinfo=dt.UTC)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongchou.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo_city", persons=50, seed=1, no_progress=True, only=["areas", "users"], verbosity=0)


def _csv(n: int, communities: list[str]) -> bytes:
    from core import tabular

    rows = [
        [
            f"旅客{i:06d}",
            "护照",
            f"BM{i:08d}",
            "ITA",
            f"{10 + i // 6 % 50}{'ABCDEF'[i % 6]}",
            communities[i % len(communities)],
        ]
        for i in range(n)
    ]
    return tabular.write_csv(["姓名", "证件类型", "证件号码", "国籍", "座位号", "目的地区划"], rows)


def part_manifest(n: int) -> None:
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.arrivals.manifests import TripInfo, manifest_import
    from apps.arrivals.models import ManifestImport, Traveller, TravellerEvent
    from apps.arrivals.services import enter_stage
    from apps.cases.models import Trip, TripPassenger
    from apps.geo.models import Area
    from apps.people.models import Person
    from apps.people.services import person_columns
    from core.persons import clean_person

    guard = User.objects.get(username="guard")
    communities = list(Area.objects.filter(level=5, code__startswith="990101").values_list("code", flat=True))
    data = _csv(n, communities)
    info = TripInfo(
        "flight", "CA940", DEPART, DEPART + dt.timedelta(hours=11), "Milano", "abroad", "IT", "low", "990101"
    )

    def wipe() -> None:
        with transaction.atomic():
            TravellerEvent.objects.all().delete()
            Traveller.objects.all().delete()
            ManifestImport.objects.all().delete()
            TripPassenger.objects.all().delete()
            Trip.objects.all().delete()
            Person.objects.all().delete()

    # The stored rows, prepared outside the timing (the baseline inserts what the import stores).
    codes = set(communities)
    today = timezone.localdate()
    cleans = [
        clean_person(
            {"name": f"旅客{i:06d}", "doc_type": "passport", "doc_number": f"BM{i:08d}", "nationality": "ITA",
             "area_code": communities[i % len(communities)]},
            area_codes=codes, today=today,
        )
        for i in range(n)
    ]  # fmt: skip
    now = timezone.now()
    stored = [person_columns(c, now) for c in cleans]  # type: ignore[arg-type]

    def bulk() -> float:
        started = time.perf_counter()
        with transaction.atomic():
            trip = Trip.objects.create(mode="flight", number="CA940", departs_at=DEPART)
            persons = Person.objects.bulk_create([Person(**row) for row in stored], batch_size=2000)
            if persons[0].pk is None:
                persons = list(Person.objects.order_by("pk"))
            TripPassenger.objects.bulk_create(
                [TripPassenger(trip=trip, person_id=p.pk, seat="12A") for p in persons], batch_size=2000
            )
            travellers = []
            for p in persons:
                t = Traveller(person_id=p.pk, source_ref=f"manifest:{trip.pk}:{p.pk}", origin_kind="abroad",
                              transport="flight", transport_no="CA940", trip=trip, arrived_at=info.arrives_at,
                              port_area_id="990101", destination_area_id=p.area_id)  # fmt: skip
                enter_stage(t, "transport", info.arrives_at)
                travellers.append(t)
            travellers = Traveller.objects.bulk_create(travellers, batch_size=2000)
            if travellers[0].pk is None:
                travellers = list(Traveller.objects.order_by("pk"))
            TravellerEvent.objects.bulk_create(
                [TravellerEvent(traveller_id=t.pk, to_stage="transport", at=now) for t in travellers],
                batch_size=2000,
            )
        return time.perf_counter() - started

    def service() -> float:
        started = time.perf_counter()
        report = manifest_import(actor=guard, data=data, filename="bench.csv", trip=info)
        elapsed = time.perf_counter() - started
        assert report.travellers_created == n, report.errors[:3]
        return elapsed

    t_bulk = t_service = float("inf")
    for _ in range(2):
        wipe()
        t_bulk = min(t_bulk, bulk())
        wipe()
        t_service = min(t_service, service())
    started = time.perf_counter()
    again = manifest_import(actor=guard, data=data, filename="bench.csv", trip=info)
    t_again = time.perf_counter() - started
    assert again.travellers_created == 0
    say(f"{connection.vendor}: {n:,} passengers: bulk insert {t_bulk:.2f} s, manifest import {t_service:.2f} s, "
        f"re-import (nothing new) {t_again:.2f} s")  # fmt: skip
    say(f"RATIO manifest_import_vs_bulk_insert = {t_bulk / t_service:.2f} (target >= 0.25)")


def part_board(n: int) -> None:
    setup_django()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User
    from apps.arrivals import selectors
    from apps.arrivals.models import Traveller
    from apps.arrivals.services import enter_stage
    from apps.geo.models import Area
    from apps.people.models import Person
    from apps.people.services import person_columns
    from core.persons import clean_person

    communities = list(Area.objects.filter(level=5).values_list("code", flat=True))
    from django.utils import timezone

    person = Person.objects.create(**person_columns(clean_person(  # type: ignore[arg-type]
        {"name": "基准", "doc_type": "passport", "doc_number": "BOARD0001", "area_code": communities[0]},
        area_codes=set(communities), today=timezone.localdate()), timezone.now()))  # fmt: skip
    stages = ["transport", "port", "transfer", "centralised", "hospital", "community", "closed"]
    rows = []
    for i in range(n):
        t = Traveller(person_id=person.pk, source_ref=f"bench:{i}", origin_kind="abroad", transport="flight",
                      arrived_at=DEPART + dt.timedelta(hours=i % 1200), port_area_id="990101",
                      destination_area_id=communities[i % len(communities)])  # fmt: skip
        enter_stage(t, stages[i % len(stages)], DEPART + dt.timedelta(hours=i % 1200))
        rows.append(t)
    with transaction.atomic():
        Traveller.objects.bulk_create(rows, batch_size=5000)
    commander = User.objects.get(username="commander")
    best = float("inf")
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            board = selectors.loop_board(user=commander, now=DEPART + dt.timedelta(days=30))
            best = min(best, time.perf_counter() - started)
        assert board.arrived == n and board.reconciles()
    say(
        f"{connection.vendor}: loop board over {n:,} travellers: {best * 1000:.0f} ms, {len(queries)} queries"
    )
    say(f"RATIO loop_board_vs_300ms = {0.3 / best:.2f} (target >= 1)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--part", choices=["manifest", "board"])
    parser.add_argument("--passengers", type=int, default=0)
    parser.add_argument("--travellers", type=int, default=0)
    parser.add_argument("--only", nargs="*", default=["manifest", "board"])
    args = parser.parse_args()
    passengers = args.passengers or (100_000 if args.full else 10_000)
    travellers = args.travellers or (100_000 if args.full else 20_000)
    if args.part == "manifest":
        part_manifest(passengers)
        return
    if args.part == "board":
        part_board(travellers)
        return
    for part in args.only:
        with throwaway_database(f"arrivals_{part}") as url:
            cmd = [
                sys.executable,
                __file__,
                "--part",
                part,
                "--passengers",
                str(passengers),
                "--travellers",
                str(travellers),
            ]
            subprocess.run(cmd, env=child_env(url), check=True, cwd=ROOT)


if __name__ == "__main__":
    main()

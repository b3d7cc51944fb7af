"""Benchmark: tracing as the epidemiologist gets it — `trace_case` end to end against the naive SQL range join.

bench_tracing.py times core.tracing on an index built beforehand and held in memory. The app does more on
every run: `apps.cases.tracing.trace_case` loads the case's neighbourhood from the database (scans in the
case's window, scans at those venues near those times, households, trips, then the same for every close
contact), builds the evidence and stores the suggestions. This benchmark writes a synthetic city into the
real tables of a throw-away database (people_person, people_household, venues_venue, venues_scan — on
PostgreSQL partitioned by local day — and cases_case; bulk COPY, personal data is not what is measured),
then per case:

    end to end:  trace_case(case)  vs  the naive SQL range join over venues_scan (person's scans joined to
                 every scan at the same venue within 30 minutes, households by a self-join, then the same
                 for every close contact), aggregated into the same Contact objects and stored the same way;
    core only:   core.tracing on an in-memory index of the whole city  vs  the same SQL join (no storing).

Both sides must find identical contacts with identical evidence (checked every run). Printed:

    RATIO trace_case_end_to_end_vs_sql_join = <x> (target >= 10)
    FIGURE trace_case_seconds_max = <s> (target < 1)
    RATIO tracing_core_only_vs_sql_join = <x>

    python bench/bench_trace_case.py                      # 100,000 persons, 2,800,000 scans
    python bench/bench_trace_case.py --persons 300000
    python bench/bench_trace_case.py --full               # 1,000,000 persons, 28,000,000 scans (~6 GB)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_persons import throwaway_database  # noqa: E402 - the shared throw-away database
from bench_tracing import DAY, T0, WINDOW, make_city  # noqa: E402 - the same synthetic city

NOW = T0 + 28 * DAY


def say(line: str) -> None:
    print(line, flush=True)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"  # Django would otherwise keep every statement in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongchou.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------------------------------------- loading


def _copy(table: str, columns: tuple[str, ...], lines: Iterator[str]) -> None:
    """COPY text lines (tab-separated, already escaped) into a table, in blocks."""
    from django.db import connection

    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        block: list[str] = []
        for line in lines:
            block.append(line)
            if len(block) >= 200_000:
                copy.write("".join(block))
                block.clear()
        if block:
            copy.write("".join(block))


def _insert(table: str, columns: tuple[str, ...], lines: Iterator[str]) -> None:
    """The same rows on SQLite (small runs only)."""
    from django.db import connection

    marks = ", ".join(["%s"] * len(columns))
    rows = [[None if v == "\\N" else v for v in line.rstrip("\n").split("\t")] for line in lines]
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _iso(epochs: np.ndarray) -> list[str]:
    return [s + "+00:00" for s in np.datetime_as_string(epochs.astype("datetime64[s]"), unit="s").tolist()]


def load_city(city: dict[str, np.ndarray]) -> None:
    from django.db import connection, transaction

    from apps.geo.services import areas_upsert
    from apps.venues import partitions
    from apps.venues.models import Venue
    from core import synthetic

    put = _copy if connection.vendor == "postgresql" else _insert
    areas_upsert(
        {"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "boundary": a.boundary}
        for a in synthetic.city_areas()
    )
    communities = synthetic.community_codes()
    stamp = dt.datetime.now(dt.UTC).isoformat()
    persons = city["household"].size
    households = int(city["household"].max())
    venues = int(city["venue"].max())
    # One partition per local day of the four weeks, as the scheduler would have made them.
    partitions.ensure_days(dt.date(2020, 1, 31), dt.date(2020, 3, 1))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:  # foreign keys are checked by construction here, not per row
                cur.execute("SET LOCAL session_replication_role = replica")
        put(
            "people_household",
            ("id", "ref", "area_id", "created_at"),
            (f"{h}\tH{h}\t{communities[h % len(communities)]}\t{stamp}\n" for h in range(1, households + 1)),
        )
        put(
            "people_person",
            ("id", "dedup_key", "doc_type", "doc_masked", "name_enc", "name_masked", "name_hash", "phone_masked",
             "phone_hash", "sex", "nationality", "relation", "tags", "created_at", "updated_at", "area_id",
             "household_id"),
            (
                f"{p}\tbench{p}\t\t\t\\\\x00\t\tn{p}\t\t\tM\tCHN\t\t[]\t{stamp}\t{stamp}\t"
                f"{communities[h % len(communities)]}\t{h}\n"
                for p, h in zip(range(1, persons + 1), city["household"].tolist(), strict=True)
            ),
        )
        status = Venue._meta.get_field("status").get_default()
        put(
            "venues_venue",
            ("id", "ref", "name", "category", "address", "status", "created_at", "area_id"),
            (
                f"{v}\t{uuid.UUID(int=v)}\tV{v}\tsupermarket\t\t{status}\t{stamp}\t{communities[v % len(communities)]}\n"
                for v in range(1, venues + 1)
            ),
        )
        columns = ("id", "person_id", "venue_id", "scanned_at", "colour", "device_id", "client_id", "received_at")
        step = 1_000_000
        for start in range(0, city["id"].size, step):
            part = slice(start, start + step)
            ids, person, venue = (city[k][part].tolist() for k in ("id", "person", "venue"))
            put(
                "venues_scan",
                columns,
                (
                    f"{i}\t{p}\t{v}\t{t}\t\t\tc{i}\t{stamp}\n"
                    for i, p, v, t in zip(ids, person, venue, _iso(city["t"][part]), strict=True)
                ),
            )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in ("people_household", "people_person", "venues_venue", "venues_scan"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")


def make_cases(person_ids: list[int], first_onset_day: int) -> list[Any]:
    from django.utils import timezone

    from apps.cases.models import Case
    from apps.people.models import Person

    areas = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "area_id"))
    tz = timezone.get_current_timezone()
    cases = [
        Case(
            person_id=p,
            area_id=areas[p],
            status="confirmed",
            onset_date=dt.datetime.fromtimestamp(T0 + (first_onset_day + n) * DAY, tz).date(),
        )
        for n, p in enumerate(person_ids)
    ]
    return Case.objects.bulk_create(cases)  # no hooks: nothing traces before the timed runs


# ---------------------------------------------------------------------------------------------- the oracle

CLOSE_SQL = (
    "SELECT s1.id, s1.venue_id, s1.scanned_at, s2.id, s2.person_id, s2.scanned_at FROM venues_scan s1"
    " JOIN venues_scan s2 ON s2.venue_id = s1.venue_id"
    " AND s2.scanned_at BETWEEN s1.scanned_at - %s AND s1.scanned_at + %s"
    " WHERE s1.person_id = %s AND s1.scanned_at BETWEEN %s AND %s AND s2.person_id <> %s"
)
SECONDARY_SQL = (
    "SELECT w.person_id, s1.id, s1.venue_id, s1.scanned_at, s2.id, s2.person_id, s2.scanned_at"
    " FROM bench_window w"
    " JOIN venues_scan s1 ON s1.person_id = w.person_id AND s1.scanned_at BETWEEN w.t_start AND w.t_end"
    " JOIN venues_scan s2 ON s2.venue_id = s1.venue_id"
    " AND s2.scanned_at BETWEEN s1.scanned_at - %s AND s1.scanned_at + %s"
    " WHERE s2.person_id <> w.person_id"
)
HOUSEHOLD_SQL = (
    "SELECT w.person_id, w.t_start, p2.id, p.household_id FROM bench_window w"
    " JOIN people_person p ON p.id = w.person_id"
    " JOIN people_person p2 ON p2.household_id = p.household_id AND p2.id <> p.id AND p2.merged_into_id IS NULL"
)


def _utc(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _e(value: dt.datetime) -> int:
    return int(value.timestamp())


def sql_contacts(case: Any, params: Any) -> tuple[Any, list[Any], list[Any]]:
    """The straightforward way: range joins in SQL over the stored scans, aggregated into core's objects."""
    from django.db import connection

    from apps.cases.tracing import traced_case
    from core import tracing as t

    tc = traced_case(case)
    w = t.exposure_window(tc, params, None)
    pad = dt.timedelta(seconds=params.window_seconds)
    src = case.person_id
    found: dict[int, list[t.Evidence]] = {}
    with connection.cursor() as cur:
        cur.execute(CLOSE_SQL, [pad, pad, src, _utc(w.start), _utc(w.end), src])
        for scan1, venue, t1, scan2, person, t2 in cur.fetchall():
            found.setdefault(person, []).append(
                t._venue_evidence(src, None, venue, scan1, _e(t1), scan2, _e(t2), params.window_seconds)
            )
        cur.execute("DROP TABLE IF EXISTS bench_window")
        cur.execute("CREATE TEMP TABLE bench_window (person_id bigint, t_start bigint, t_end timestamptz)")
        cur.execute("INSERT INTO bench_window VALUES (%s, %s, %s)", [src, w.start, _utc(w.end)])
        cur.execute(HOUSEHOLD_SQL)
        for _, start, member, household in cur.fetchall():
            found.setdefault(member, []).append(
                t.Evidence(kind=t.ContactKind.HOUSEHOLD, exposed_at=start, source_person_id=src,
                           household_id=household)
            )
        close = t._aggregate(found, t.ContactDegree.CLOSE, {src})
        # The window's start as a timestamp for the scan join and as an epoch for the household evidence.
        cur.execute("DROP TABLE bench_window")
        cur.execute(
            "CREATE TEMP TABLE bench_window (person_id bigint, t_start timestamptz, t_end timestamptz, s bigint)"
        )
        cur.executemany(
            "INSERT INTO bench_window VALUES (%s, %s, %s, %s)",
            [(c.person_id, _utc(c.first_exposed_at), _utc(params.now), c.first_exposed_at) for c in close],
        )
        found2: dict[int, list[t.Evidence]] = {}
        cur.execute(SECONDARY_SQL, [pad, pad])
        for via, scan1, venue, t1, scan2, person, t2 in cur.fetchall():
            found2.setdefault(person, []).append(
                t._venue_evidence(via, via, venue, scan1, _e(t1), scan2, _e(t2), params.window_seconds)
            )
        cur.execute(HOUSEHOLD_SQL.replace("w.t_start", "w.s"))
        for via, start, member, household in cur.fetchall():
            found2.setdefault(member, []).append(
                t.Evidence(kind=t.ContactKind.HOUSEHOLD, exposed_at=start, source_person_id=via,
                           via_person_id=via, household_id=household)
            )
        secondary = t._aggregate(found2, t.ContactDegree.SECONDARY, {src, *(c.person_id for c in close)})
        cur.execute("DROP TABLE bench_window")
    return w, close, secondary


# ---------------------------------------------------------------------------------------------- timing


def best(fn: Callable[[], Any], repeat: int, before: Callable[[], None] = lambda: None) -> tuple[float, float, Any]:
    """(best, first) seconds of `repeat` runs and the last result; `before` runs untimed before each."""
    times, result = [], None
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), times[0], result


def stored(case: Any) -> list[tuple[Any, ...]]:
    from apps.cases.models import Contact

    return list(
        Contact.objects.filter(case=case)
        .order_by("person_id")
        .values_list("person_id", "degree", "via_id", "kinds", "first_exposed_at", "last_exposed_at",
                     "evidence_count", "evidence")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--scans-per-person", type=int, default=28)
    parser.add_argument("--full", action="store_true", help="1,000,000 persons and 28,000,000 scans")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", type=int, default=3, help="how many different cases to time")
    args = parser.parse_args(argv)
    persons = 1_000_000 if args.full else args.persons
    with throwaway_database("trace_case") as url:
        setup_django(url)
        return run(persons, args)


def run(persons: int, args: argparse.Namespace) -> int:
    from django.db import connection, transaction

    from apps.cases import tracing as app
    from apps.cases.models import Contact
    from core import tracing as t

    started = time.perf_counter()
    city = make_city(persons, args.scans_per_person, seed=2020)
    load_city(city)
    say(
        f"city on {connection.vendor}: {persons:,} persons, {city['id'].size:,} scans, "
        f"{int(city['venue'].max()):,} venues loaded in {time.perf_counter() - started:.0f} s"
    )
    started = time.perf_counter()
    index = t.ScanIndex(city["id"], city["person"], city["venue"], city["t"])
    households = t.Households(dict(zip(range(1, persons + 1), city["household"].tolist(), strict=True)))
    manifests = t.Manifests([])
    say(f"in-memory index (core only) built in {time.perf_counter() - started:.1f} s")
    rng = np.random.default_rng(7)
    cases = make_cases([int(p) for p in rng.choice(np.arange(1, persons + 1), args.cases, replace=False)], 18)
    params = t.TracingParams(now=NOW, window_seconds=WINDOW)
    now = dt.datetime.fromtimestamp(NOW, dt.UTC)
    e2e_ratios, core_ratios, e2e_times, find_ratios = [], [], [], []
    for case in cases:
        def clear(case: Any = case) -> None:
            Contact.objects.filter(case=case).delete()

        def ours(case: Any = case) -> Any:
            return app.trace_case(case, now=now, window_minutes=WINDOW // 60)

        def naive(case: Any = case) -> Any:
            with transaction.atomic():
                window, close, secondary = sql_contacts(case, params)
                return app.contacts_store(case, window, close, secondary)

        tc = app.traced_case(case)

        def core_only(tc: Any = tc) -> Any:
            close = t.close_contacts(tc, index, households, manifests, params)
            return close, t.secondary_contacts(tc, close, index, households, manifests, params)

        def sql_only(case: Any = case) -> Any:
            _w, close, secondary = sql_contacts(case, params)
            return close, secondary

        def finding(case: Any = case) -> Any:
            return app.find_contacts(case, params)

        find_s, _, _ = best(finding, args.repeat)
        ours_s, ours_first, _ = best(ours, args.repeat, clear)
        ours_rows = stored(case)
        naive_s, naive_first, _ = best(naive, args.repeat, clear)
        naive_rows = stored(case)
        core_s, _, core_result = best(core_only, args.repeat)
        sql_s, _, sql_result = best(sql_only, args.repeat)
        _w, close, secondary = app.find_contacts(case, params)
        if not (ours_rows == naive_rows and (close, secondary) == sql_result == core_result):
            say("MISMATCH between trace_case, core.tracing and the SQL join")
            return 1
        e2e_ratios.append(naive_s / ours_s)
        core_ratios.append(sql_s / core_s)
        e2e_times.append(ours_s)
        find_ratios.append(sql_s / find_s)
        say(
            f"case of person {case.person_id}: {len(close)} close, {len(secondary)} secondary contacts, "
            f"{sum(len(c.evidence) for c in close + secondary):,} evidence items (identical on every path)\n"
            f"  end to end: trace_case {ours_s * 1000:.0f} ms (first run {ours_first * 1000:.0f} ms) vs "
            f"SQL join + store {naive_s * 1000:.0f} ms (first {naive_first * 1000:.0f} ms) = {naive_s / ours_s:.1f}x\n"
            f"  finding only (no storing): trace_case's loads + core {find_s * 1000:.0f} ms vs SQL join"
            f" {sql_s * 1000:.0f} ms = {sql_s / find_s:.1f}x\n"
            f"  core only:  core.tracing in memory {core_s * 1000:.0f} ms vs SQL join {sql_s * 1000:.0f} ms"
            f" = {sql_s / core_s:.1f}x"
        )
    v = connection.vendor
    say(f"RATIO trace_case_end_to_end_vs_sql_join[{v}, {persons:,} persons] = {min(e2e_ratios):.2f} (target >= 10)")
    say(f"FIGURE trace_case_seconds_max[{v}, {persons:,} persons] = {max(e2e_times):.3f} (target < 1)")
    say(f"RATIO trace_case_finding_vs_sql_join[{v}, {persons:,} persons] = {min(find_ratios):.2f} (no storing)")
    say(f"RATIO tracing_core_only_vs_sql_join[{v}, {persons:,} persons] = {min(core_ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

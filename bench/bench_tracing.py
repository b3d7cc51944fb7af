"""Benchmark: close + secondary contacts of one case, core.tracing's index vs a SQL range join.

A synthetic city (default 100,000 persons, 28 scans each over four weeks, one venue per 100 persons,
households of three) is written to a throw-away database (a temp SQLite file, or PostgreSQL when
BENCH_DATABASE_URL is set). Both sides answer the same question and return the same objects
(core.tracing.Contact with every evidence item); the run checks they are equal, then prints

    RATIO tracing_vs_sql_join = <x> (target >= 10)

``--full`` is the issue's size: 1,000,000 persons and 28,000,000 scans (needs ~6 GB RAM and several
minutes to load). The index is built once (as a tracing service keeps it in memory) and its build time
is printed apart; the timed part is the query, best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DAY = 86_400
T0 = 1_580_515_200  # 2020-02-01 00:00 UTC
WINDOW = 30 * 60


def setup_django(tmp: str) -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench_tracing.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongchou.settings")
    import django

    django.setup()


def make_city(persons: int, scans_per_person: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    venues = max(persons // 100, 10)
    n = persons * scans_per_person
    person = np.repeat(np.arange(1, persons + 1, dtype=np.int64), scans_per_person)
    # People shop near home: 80 % of scans at one of 5 venues of their neighbourhood, 20 % anywhere.
    home = (person * venues) // (persons + 1)
    local = (home + rng.integers(0, 5, n)) % venues
    anywhere = rng.integers(0, venues, n)
    venue = np.where(rng.random(n) < 0.8, local, anywhere) + 1
    day = rng.integers(0, 28, n)
    t = T0 + day * DAY + rng.integers(7 * 3600, 21 * 3600, n)
    return {
        "id": np.arange(1, n + 1, dtype=np.int64),
        "person": person,
        "venue": venue.astype(np.int64),
        "t": t.astype(np.int64),
        "household": (np.arange(1, persons + 1, dtype=np.int64) + 2) // 3,
    }


def load(city: dict[str, np.ndarray]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_scan")
        cur.execute("DROP TABLE IF EXISTS bench_person")
        cur.execute(
            "CREATE TABLE bench_scan (id bigint PRIMARY KEY, person_id bigint, venue_id bigint, t bigint)"
        )
        cur.execute("CREATE TABLE bench_person (id bigint PRIMARY KEY, household_id bigint)")
        rows = np.column_stack([city["id"], city["person"], city["venue"], city["t"]])
        people = np.column_stack([np.arange(1, city["household"].size + 1), city["household"]])
        if connection.vendor == "postgresql":
            with cur.cursor.copy("COPY bench_scan (id, person_id, venue_id, t) FROM STDIN") as copy:
                for row in rows.tolist():
                    copy.write_row(row)
            with cur.cursor.copy("COPY bench_person (id, household_id) FROM STDIN") as copy:
                for row in people.tolist():
                    copy.write_row(row)
        else:
            for start in range(0, len(rows), 500_000):
                cur.executemany(
                    "INSERT INTO bench_scan VALUES (%s, %s, %s, %s)", rows[start : start + 500_000].tolist()
                )
            cur.executemany("INSERT INTO bench_person VALUES (%s, %s)", people.tolist())
        # The indexes a tracing query needs (the same as venues.Scan's scan_venue_time / scan_person_time).
        cur.execute("CREATE INDEX bench_scan_venue_t ON bench_scan (venue_id, t)")
        cur.execute("CREATE INDEX bench_scan_person_t ON bench_scan (person_id, t)")
        cur.execute("CREATE INDEX bench_person_household ON bench_person (household_id)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


CLOSE_SQL = (
    "SELECT s1.id, s1.venue_id, s1.t, s2.id, s2.person_id, s2.t FROM bench_scan s1"
    " JOIN bench_scan s2 ON s2.venue_id = s1.venue_id AND s2.t BETWEEN s1.t - %s AND s1.t + %s"
    " WHERE s1.person_id = %s AND s1.t BETWEEN %s AND %s AND s2.person_id <> %s"
)
SECONDARY_SQL = (
    "SELECT w.person_id, s1.id, s1.venue_id, s1.t, s2.id, s2.person_id, s2.t FROM bench_window w"
    " JOIN bench_scan s1 ON s1.person_id = w.person_id AND s1.t BETWEEN w.t_start AND w.t_end"
    " JOIN bench_scan s2 ON s2.venue_id = s1.venue_id AND s2.t BETWEEN s1.t - %s AND s1.t + %s"
    " WHERE s2.person_id <> w.person_id"
)
HOUSEHOLD_SQL = (
    "SELECT w.person_id, w.t_start, p2.id, p.household_id FROM bench_window w JOIN bench_person p ON p.id = w.person_id"
    " JOIN bench_person p2 ON p2.household_id = p.household_id AND p2.id <> p.id"
)


def sql_contacts(case: object, params: object) -> tuple[list[object], list[object]]:
    """The straightforward way: range joins in SQL, the evidence aggregated into the same objects."""
    from django.db import connection

    from core import tracing as t

    assert isinstance(case, t.TracedCase) and isinstance(params, t.TracingParams)
    w = t.exposure_window(case, params, None)
    found: dict[int, list[t.Evidence]] = {}
    src = case.person_id
    with connection.cursor() as cur:
        cur.execute(CLOSE_SQL, [WINDOW, WINDOW, src, w.start, w.end, src])
        for scan1, venue, t1, scan2, person, t2 in cur.fetchall():
            found.setdefault(person, []).append(
                t._venue_evidence(src, None, venue, scan1, t1, scan2, t2, WINDOW)
            )
        cur.execute("DROP TABLE IF EXISTS bench_window")
        cur.execute("CREATE TEMP TABLE bench_window (person_id bigint, t_start bigint, t_end bigint)")
        cur.execute("INSERT INTO bench_window VALUES (%s, %s, %s)", [src, w.start, w.end])
        cur.execute(HOUSEHOLD_SQL)
        for _, start, member, household in cur.fetchall():
            found.setdefault(member, []).append(
                t.Evidence(
                    kind=t.ContactKind.HOUSEHOLD,
                    exposed_at=start,
                    source_person_id=src,
                    household_id=household,
                )
            )
        close = t._aggregate(found, t.ContactDegree.CLOSE, {src})
        cur.execute("DELETE FROM bench_window")
        cur.executemany(
            "INSERT INTO bench_window VALUES (%s, %s, %s)",
            [(c.person_id, c.first_exposed_at, params.now) for c in close],
        )
        found2: dict[int, list[t.Evidence]] = {}
        cur.execute(SECONDARY_SQL, [WINDOW, WINDOW])
        for via, scan1, venue, t1, scan2, person, t2 in cur.fetchall():
            found2.setdefault(person, []).append(
                t._venue_evidence(via, via, venue, scan1, t1, scan2, t2, WINDOW)
            )
        cur.execute(HOUSEHOLD_SQL)
        for via, start, member, household in cur.fetchall():
            found2.setdefault(member, []).append(
                t.Evidence(
                    kind=t.ContactKind.HOUSEHOLD,
                    exposed_at=start,
                    source_person_id=via,
                    via_person_id=via,
                    household_id=household,
                )
            )
        secondary = t._aggregate(found2, t.ContactDegree.SECONDARY, {src, *(c.person_id for c in close)})
    return close, secondary


def sql_contact_sets(case: object, params: object) -> tuple[object, object]:
    """The same range joins, their rows taken as arrays and grouped like core's contact sets."""
    from django.db import connection

    from core import tracing as t

    assert isinstance(case, t.TracedCase) and isinstance(params, t.TracingParams)
    w = t.exposure_window(case, params, None)
    src = case.person_id

    def arrays(rows: list[tuple[int, ...]], source: int | None) -> t.VenueEvidenceArrays:
        a = np.array(rows, dtype=np.int64).reshape(-1, 7 if source is None else 6)
        if source is not None:
            a = np.column_stack([np.full(len(a), source, dtype=np.int64), a])
        via, scan1, venue, t1, scan2, person, t2 = a.T
        return t.VenueEvidenceArrays(person, via, venue, scan1, t1, scan2, t2)

    with connection.cursor() as cur:
        cur.execute(CLOSE_SQL, [WINDOW, WINDOW, src, w.start, w.end, src])
        venue = arrays(cur.fetchall(), src)
        cur.execute("DROP TABLE IF EXISTS bench_window")
        cur.execute("CREATE TEMP TABLE bench_window (person_id bigint, t_start bigint, t_end bigint)")
        cur.execute("INSERT INTO bench_window VALUES (%s, %s, %s)", [src, w.start, w.end])
        cur.execute(HOUSEHOLD_SQL)
        other = [
            (m, t.Evidence(kind=t.ContactKind.HOUSEHOLD, exposed_at=s, source_person_id=src, household_id=h))
            for _, s, m, h in cur.fetchall()
        ]
        close = t._contact_set(t.ContactDegree.CLOSE, venue, other, {src}, WINDOW)
        cur.execute("DELETE FROM bench_window")
        cur.executemany(
            "INSERT INTO bench_window VALUES (%s, %s, %s)",
            [
                (p, f, params.now)
                for p, f in zip(close.persons.tolist(), close.first_exposed.tolist(), strict=True)
            ],
        )
        cur.execute(SECONDARY_SQL, [WINDOW, WINDOW])
        venue2 = arrays(cur.fetchall(), None)
        cur.execute(HOUSEHOLD_SQL)
        other2 = [
            (
                m,
                t.Evidence(
                    kind=t.ContactKind.HOUSEHOLD,
                    exposed_at=s,
                    source_person_id=v,
                    via_person_id=v,
                    household_id=h,
                ),
            )
            for v, s, m, h in cur.fetchall()
        ]
        secondary = t._contact_set(
            t.ContactDegree.SECONDARY, venue2, other2, {src, *close.persons.tolist()}, WINDOW
        )
    return close, secondary


def best(fn: object, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times), result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--scans-per-person", type=int, default=28)
    parser.add_argument("--full", action="store_true", help="1,000,000 persons and 28,000,000 scans")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", type=int, default=3, help="how many different cases to time")
    args = parser.parse_args(argv)
    persons = 1_000_000 if args.full else args.persons
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        from core import tracing as t

        started = time.perf_counter()
        city = make_city(persons, args.scans_per_person, seed=2020)
        load(city)
        print(
            f"city: {persons:,} persons, {city['id'].size:,} scans loaded in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        index = t.ScanIndex(city["id"], city["person"], city["venue"], city["t"])
        households = t.Households(dict(zip(range(1, persons + 1), city["household"].tolist(), strict=True)))
        manifests = t.Manifests([])
        print(
            f"index built in {time.perf_counter() - started:.1f} s (once, kept in memory by the tracing service)"
        )
        params = t.TracingParams(now=T0 + 28 * DAY)
        rng = np.random.default_rng(7)
        ratios, core_times = [], []
        for n in range(args.cases):
            case = t.TracedCase(person_id=int(rng.integers(1, persons + 1)), onset_at=T0 + (18 + n) * DAY)

            def core_run(case: t.TracedCase = case) -> tuple[t.ContactSet, t.ContactSet]:
                close = t.close_contact_set(case, index, households, manifests, params)
                return close, t.secondary_contact_set(case, close, index, households, manifests, params)

            def core_objects(case: t.TracedCase = case) -> tuple[list[t.Contact], list[t.Contact]]:
                close = t.close_contacts(case, index, households, manifests, params)
                return close, t.secondary_contacts(case, close, index, households, manifests, params)

            core_s, core_sets = best(core_run, args.repeat)
            sql_s, sql_sets = best(lambda case=case: sql_contact_sets(case, params), args.repeat)
            core_obj_s, core_result = best(core_objects, args.repeat)
            sql_obj_s, sql_result = best(lambda case=case: sql_contacts(case, params), args.repeat)
            close, secondary = core_result  # type: ignore[misc]
            same = (
                (close, secondary) == sql_result
                and [s.to_contacts() for s in core_sets] == [close, secondary]  # type: ignore[union-attr]
                and [s.to_contacts() for s in sql_sets] == [close, secondary]  # type: ignore[union-attr]
            )
            if not same:
                print("MISMATCH between core.tracing and the SQL join", file=sys.stderr)
                return 1
            ratios.append(sql_s / core_s)
            core_times.append(core_s)
            print(
                f"case {case.person_id}: {len(close)} close, {len(secondary)} secondary contacts,"
                f" {sum(len(c.evidence) for c in close + secondary):,} evidence items (identical on all paths);"
                f" arrays: core {core_s * 1000:.1f} ms vs SQL join {sql_s * 1000:.1f} ms;"
                f" with Evidence objects: core {core_obj_s * 1000:.0f} ms vs SQL join {sql_obj_s * 1000:.0f} ms"
            )
        from django.db import connection

        with connection.cursor() as cur:  # leave nothing behind in a shared PostgreSQL database
            cur.execute("DROP TABLE IF EXISTS bench_scan")
            cur.execute("DROP TABLE IF EXISTS bench_person")
        print(f"RATIO tracing_vs_sql_join = {min(ratios):.2f} (target >= 10)")
        print(f"FIGURE tracing_seconds_max = {max(core_times):.3f} (target < 1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

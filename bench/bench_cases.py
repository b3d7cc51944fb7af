"""Benchmark: the case list page at 300,000 cases, and the chain graph at 10,000 cases / 50,000 contacts.

A throw-away database (temp SQLite file, or PostgreSQL when BENCH_DATABASE_URL is set) gets the demo
city's areas, 300,000 persons and one case each (bulk inserts: personal data is not what is measured),
10,000 of them infected and linked into chains with 50,000 confirmed contacts. Then, through the real
views with the Django test client:

    RATIO case_list_budget = 300 ms / p50 of the page (target >= 1)
    RATIO case_list_vs_naive = naive list / our list (target >= 1): the same page the obvious way
        (Paginator with COUNT(*) and one query per row for person and area)
    RATIO chain_graph_budget = 1000 ms / p50 of the graph data (target >= 1)

and the query counts of the list page at page 1 and page 500, for a district officer and a city user.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_persons import throwaway_database  # noqa: E402 - the shared throw-away database


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongchou.settings")
    os.environ["TONGCHOU_TASKS_IMMEDIATE"] = "1"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_cases: int, n_infected: int, n_contacts: int) -> dict[str, Any]:
    import random

    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.services import user_create
    from apps.cases.models import Case, Contact, TransmissionLink
    from apps.geo.services import areas_upsert
    from apps.people.models import Person
    from core import synthetic

    rng = random.Random(2020)
    specs = synthetic.city_areas()
    areas_upsert(
        {"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "boundary": a.boundary} for a in specs
    )
    communities = synthetic.community_codes()
    now = timezone.now()
    started = time.perf_counter()
    persons_needed = n_cases + n_contacts
    with transaction.atomic():
        Person.objects.bulk_create(
            (
                Person(
                    dedup_key=f"bench{i}",
                    name_enc=b"x",
                    name_masked=f"测*{i % 10}",
                    name_hash=f"h{i}",
                    doc_masked=f"9901**********{i % 10000:04d}",
                    area_id=communities[i % len(communities)],
                )
                for i in range(persons_needed)
            ),
            batch_size=5000,
        )
    person_ids = list(Person.objects.order_by("id").values_list("pk", "area_id"))
    statuses = [
        "fever",
        "suspected",
        "excluded",
    ]  # the rest of the 300,000: not infections (the graph draws those)
    cases = []
    for i, (pk, area) in enumerate(person_ids[:n_cases]):
        infected = i < n_infected
        day = now - dt.timedelta(days=rng.uniform(0, 60))
        status = (
            rng.choice(["confirmed", "hospitalised", "recovered", "asymptomatic"])
            if infected
            else rng.choice(statuses)
        )
        cases.append(
            Case(
                person_id=pk,
                area_id=area,
                status=status,
                origin="imported" if rng.random() < 0.05 else "local",
                onset_date=day.date(),
                reported_at=day + dt.timedelta(days=2),
                confirmed_at=day + dt.timedelta(days=3)
                if status in ("confirmed", "hospitalised", "recovered")
                else None,
            )
        )
    with transaction.atomic():
        Case.objects.bulk_create(cases, batch_size=5000)
    infected_ids = list(Case.objects.order_by("id").values_list("pk", flat=True)[:n_infected])
    links = [
        TransmissionLink(
            infector_id=infected_ids[rng.randrange(max(0, i - 50), i)],
            infectee_id=infected_ids[i],
            source="manual",
        )
        for i in range(1, len(infected_ids))
        if rng.random() < 0.7
    ]
    contact_people = [pk for pk, _ in person_ids[n_cases : n_cases + n_contacts]]
    contacts = [
        Contact(
            case_id=infected_ids[i % len(infected_ids)],
            person_id=contact_people[i],
            degree=1,
            first_exposed_at=now,
            last_exposed_at=now,
            status="confirmed",
            kinds=["venue"],
        )
        for i in range(len(contact_people))
    ]
    with transaction.atomic():
        TransmissionLink.objects.bulk_create(links, batch_size=5000)
        Contact.objects.bulk_create(contacts, batch_size=5000)
    from apps.cases.services import clusters_recompute

    clustered = time.perf_counter()
    found = clusters_recompute()
    print(f"clusters recomputed: {found:,} clusters in {time.perf_counter() - clustered:.1f} s")
    officer = user_create(
        username="officer", password="bench-pass-2020", grants=[("district_officer", "990101")]
    )
    city = user_create(username="epi", password="bench-pass-2020", grants=[("epidemiologist", "990100")])
    print(
        f"data: {Case.objects.count():,} cases, {len(links):,} links, {len(contacts):,} contacts"
        f" in {time.perf_counter() - started:.0f} s"
    )
    return {"officer": officer, "city": city}


def timed_get(client: Any, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches, as a user's second page view would
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def naive_list(user: Any, page: int) -> float:
    """The obvious way: Paginator (COUNT(*) over everything) and person/area loaded per row."""
    from django.core.paginator import Paginator
    from django.template import Context, Template

    from apps.accounts.scoping import area_q
    from apps.cases.models import Case

    started = time.perf_counter()
    qs = Case.objects.filter(area_q(user, "case.view")).order_by("-id")
    rows = Paginator(qs, 50).page(page)
    Template(
        "{% for c in rows %}{{ c.person.name_masked }}{{ c.area.name_zh }}{{ c.get_status_display }}{% endfor %}"
    ).render(Context({"rows": rows, "total": rows.paginator.count}))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--infected", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument(
        "--keep", metavar="DIR", help="keep the SQLite database in DIR and reuse it on the next run"
    )
    args = parser.parse_args()
    with throwaway_database("cases") as url:
        if args.keep and not os.environ.get("BENCH_DATABASE_URL"):
            url = f"sqlite:///{Path(args.keep).resolve()}/bench_cases.sqlite3"
        setup_django(url)
        from django.test import Client

        from apps.accounts.models import User
        from apps.cases.models import Case

        if args.keep and Case.objects.count() == args.cases:
            users = {
                "officer": User.objects.get(username="officer"),
                "city": User.objects.get(username="epi"),
            }
            print(f"data: reusing {args.cases:,} cases in {args.keep}")
        else:
            users = build(args.cases, args.infected, args.contacts)
        from django.db import connection

        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum gives a live server within a minute of a bulk load: without them
            # the planner takes 300,000 cases for 300 and the city's first page costs 0.9 s instead of ~1 ms.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # Page 500 as a user reaches it by following "next" 499 times: the cursor of row 24,950's last one.
        deep = Case.objects.order_by("-id").values_list("id", flat=True)[499 * 50 - 1]
        results: dict[str, tuple[float, int]] = {}
        for who in ("officer", "city"):
            client = Client()
            client.force_login(users[who])
            for label, url in (
                ("page 1", "/cases/"),
                ("page 500", f"/cases/?after={deep}&page=500"),
                ("confirmed in a district", "/cases/?klass=confirmed&area=990101"),
                (
                    "reported in a week",
                    f"/cases/?reported_from={dt.date.today() - dt.timedelta(days=20)}&reported_to={dt.date.today() - dt.timedelta(days=13)}",
                ),
            ):
                seconds, queries = timed_get(client, url, args.repeat)
                results[f"{who} {label}"] = (seconds, queries)
                print(f"case list, {who}, {label}: {seconds * 1000:.0f} ms, {queries} queries")
        slowest = max(s for s, _ in results.values())
        query_counts = {q for _, q in results.values()}
        naive = statistics.median(naive_list(users["city"], 1) for _ in range(3))
        ours = results["city page 1"][0]
        client = Client()
        client.force_login(users["city"])
        graph_s, graph_q = timed_get(client, "/epi/chains/data/", 3)
        body = client.get("/epi/chains/data/").json()
        print(
            f"chain graph data: {graph_s * 1000:.0f} ms, {graph_q} queries, {len(body['nodes'])} nodes and"
            f" {len(body['edges'])} edges drawn of {body['total_cases']:,} cases / {body['total_contacts']:,} contacts"
        )
        print(f"FIGURE case_list_query_counts = {sorted(query_counts)} (target: constant)")
        print(f"RATIO case_list_budget = {0.3 / slowest:.2f} (target >= 1)")
        print(f"RATIO case_list_vs_naive = {naive / ours:.2f} (target >= 1)")
        print(f"RATIO chain_graph_budget = {1.0 / graph_s:.2f} (target >= 1)")
        from django.db import connections

        connections.close_all()  # before the throw-away database is dropped
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

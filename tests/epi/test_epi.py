"""Epidemiology from the database: risk levels by the rule, Rt as core.epi computes it, the capped graph."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.cases.choices import CaseStatus, ContactStatus, Origin
from apps.cases.models import Case, Cluster, Contact, TransmissionLink
from apps.epi import selectors, services
from apps.epi.models import DistrictRisk
from apps.people.models import Person
from core import epi, risk
from tests.factories import COMMUNITY_A

TODAY = dt.date(2020, 3, 1)
DISTRICTS = ["990101", "990102", "990103"]


def _bulk_cases(persons: list[Person], plan: list[tuple[str, dt.date, str]]) -> list[Case]:
    """Cases straight into the table (the services are tested elsewhere): (area, confirmed day, origin)."""
    rows = []
    for person, (area, day, origin) in zip(persons, plan, strict=False):
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        rows.append(
            Case(
                person=person,
                area_id=area,
                status=CaseStatus.CONFIRMED,
                origin=origin,
                onset_date=day - dt.timedelta(days=3),
                reported_at=at,
                confirmed_at=at,
                isolated_at=at + dt.timedelta(days=1),
            )
        )
    return Case.objects.bulk_create(rows)


@pytest.fixture
def crowd(person_factory: Any, officer_a: Any) -> list[Person]:
    return [person_factory(actor=officer_a, area_code=COMMUNITY_A) for _ in range(70)]


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(st.tuples(st.sampled_from(DISTRICTS), st.integers(0, 40)), max_size=70),
    cluster=st.tuples(st.sampled_from(DISTRICTS), st.integers(0, 30)) | st.none(),
    threshold=st.integers(1, 60),
)
def test_stored_levels_equal_the_rule_for_every_district(
    crowd: list[Person], plan: list[tuple[str, int]], cluster: Any, threshold: int
) -> None:
    Case.objects.all().delete()
    Cluster.objects.all().delete()
    _bulk_cases(crowd, [(d, TODAY - dt.timedelta(days=ago), Origin.LOCAL) for d, ago in plan])
    if cluster:
        Cluster.objects.create(
            ref="c",
            area_id=cluster[0],
            size=2,
            first_day=TODAY - dt.timedelta(days=cluster[1] + 3),
            last_day=TODAY - dt.timedelta(days=cluster[1]),
            districts=[cluster[0]],
        )
    rule = risk.RiskRule(cumulative_threshold=threshold)
    stored = services.risk_recompute(today=TODAY, rule=rule)
    for district in DISTRICTS:
        days = [TODAY - dt.timedelta(days=ago) for d, ago in plan if d == district]
        cluster_days = [TODAY - dt.timedelta(days=cluster[1])] if cluster and cluster[0] == district else []
        expected = risk.assess_district(days, cluster_days, TODAY, rule)
        row = stored[district]
        assert (row.level, row.reason_code, row.cumulative_cases, row.new_cases) == (
            expected.level.value,
            expected.reason.code,
            expected.cumulative_cases,
            expected.new_cases,
        )
        assert row.reason_zh and row.reason_en


@pytest.mark.django_db
def test_a_new_confirmed_case_recomputes_the_level_after_commit(
    person_factory: Any, officer_a: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.cases import services as case_services

    epi_user = make_user("epidemiologist", "990100")
    person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    assert services.risk_levels_today()["990101"].level == "low"
    with django_capture_on_commit_callbacks(execute=True):
        case = case_services.case_report(
            actor=epi_user, person=person, status=CaseStatus.SUSPECTED, onset_date=timezone.localdate()
        )
        case_services.case_transition(actor=epi_user, case=case, to=CaseStatus.CONFIRMED)
    row = DistrictRisk.objects.get(area_id="990101", day=timezone.localdate())
    assert row.level == "medium" and row.new_cases == 1
    from apps.codes.facts import PersonChunk
    from apps.epi.facts import residence_risk

    assert residence_risk(PersonChunk.of([person.pk])) == {person.pk: {"residence_risk": "medium"}}


@pytest.mark.django_db
def test_rt_and_the_curve_come_from_the_cases_as_core_epi_computes_them(
    crowd: list[Person], make_user: Any
) -> None:
    start = dt.date(2020, 1, 20)
    daily = [1, 0, 2, 3, 2, 4, 5, 4, 6, 7, 5, 6, 4, 3, 2, 2, 1]
    plan = [
        (
            "990101001001",
            start + dt.timedelta(days=i + 3),
            Origin.ABROAD if i == 0 else Origin.DOMESTIC if i == 2 else Origin.LOCAL,
        )
        for i, n in enumerate(daily)
        for _ in range(n)
    ]
    cases = _bulk_cases(crowd * 2, plan)
    assert len(cases) == sum(daily)
    user = make_user("epidemiologist", "990100")
    inc = selectors.incidence(user=user)
    assert inc.start == start and [a + b for a, b in zip(inc.local, inc.imported, strict=True)] == daily
    expected = epi.estimate_r(inc.local, inc.imported, start_date=start)
    assert selectors.reproduction(user=user) == expected
    curve = selectors.curve(user=user)
    assert sum(d.onset_local + d.onset_imported for d in curve) == sum(daily)
    # Imported = from abroad (1) + from other domestic areas (2), counted apart on the curve.
    assert sum(d.report_imported for d in curve) == 3
    assert sum(d.report_abroad for d in curve) == sum(d.onset_abroad for d in curve) == 1
    other = make_user("epidemiologist", "990102")
    assert selectors.incidence(user=other).local == []


@pytest.mark.django_db
def test_the_chain_graph_is_capped_and_filtered_in_sql(
    crowd: list[Person], make_user: Any, django_assert_max_num_queries: Any
) -> None:
    cases = _bulk_cases(
        crowd, [("990101001001", TODAY - dt.timedelta(days=i % 10), Origin.LOCAL) for i in range(60)]
    )
    TransmissionLink.objects.bulk_create(
        [TransmissionLink(infector=cases[i], infectee=cases[i + 1], source="manual") for i in range(0, 40)]
    )
    Contact.objects.bulk_create(
        [
            Contact(
                case=cases[0],
                person=crowd[65 + k],
                degree=1,
                first_exposed_at=timezone.now(),
                last_exposed_at=timezone.now(),
                status=ContactStatus.CONFIRMED,
            )
            for k in range(5)
        ]
    )
    user = make_user("epidemiologist", "990100")
    with django_assert_max_num_queries(6):
        graph = selectors.chain_graph(user=user, filters=selectors.GraphFilters(), max_nodes=30)
    assert len(graph["nodes"]) <= 30 and graph["truncated"] and graph["total_cases"] == 60
    ids = {n["data"]["id"] for n in graph["nodes"]}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in graph["edges"])
    full = selectors.chain_graph(user=user, filters=selectors.GraphFilters(), max_nodes=1000)
    assert not full["truncated"] and full["shown_contacts"] == 5
    assert len([e for e in full["edges"] if e["data"]["kind"] == "link"]) == 40
    day = selectors.chain_graph(
        user=user, filters=selectors.GraphFilters(day_from=TODAY - dt.timedelta(days=6), contacts=False)
    )
    assert day["total_cases"] == 24  # onset = confirmed day - 3: i % 10 <= 3


@pytest.mark.django_db
def test_the_risk_api_is_public_and_the_dashboard_api_needs_permission(
    city: Any, client: Any, officer_b: Any, api_of: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    body = client.get("/api/epi/risk").json()
    assert {r["district"] for r in body} >= set(DISTRICTS) and all(r["reason_en"] for r in body)
    guard = make_user("checkpoint_operator", "990101")
    assert api_of(guard).get("/api/epi/dashboard").status_code == 403
    client = api_of(officer_b)
    with django_assert_max_num_queries(10):
        assert client.get("/api/epi/dashboard").status_code == 200


@pytest.mark.django_db
def test_the_daily_command_stores_every_district_with_its_reason(city: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("risk_recompute", "--day", "2020-03-01", stdout=out)
    assert DistrictRisk.objects.filter(day=TODAY).count() == 6
    assert "No confirmed case" in out.getvalue()


@pytest.mark.django_db
def test_early_isolation_is_measured_to_the_quarantine_not_the_admission(
    person_factory: Any, officer_a: Any, make_user: Any, api_of: Any
) -> None:
    from apps.cases import services as case_services

    epi_user = make_user("epidemiologist", "990100")
    person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    # 09:00 local ten days ago: the quarantine two hours later is the same local day, the admission three days on.
    base = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=10), dt.time(9)))
    case = case_services.case_report(actor=epi_user, person=person, status=CaseStatus.SUSPECTED, at=base)
    case = case_services.case_update(
        actor=epi_user, case=case, data={"quarantined_at": (base + dt.timedelta(hours=2)).isoformat()}
    )
    case = case_services.case_transition(
        actor=epi_user, case=case, to=CaseStatus.CONFIRMED, at=base + dt.timedelta(days=1)
    )
    case_services.case_transition(
        actor=epi_user, case=case, to=CaseStatus.HOSPITALISED, at=base + dt.timedelta(days=3)
    )
    delays = api_of(epi_user).get("/api/epi/dashboard").json()["delays"]
    (row,) = [d for d in delays if d["kind"] == "report_to_isolation"]
    assert (row["n"], row["median"]) == (1, 0.0)  # 0 days, not the 3 days to admission


@pytest.mark.django_db
def test_cases_imported_from_abroad_do_not_raise_the_districts_risk(crowd: list[Person]) -> None:
    """Isolated on arrival in the closed loop, they say nothing of local transmission; a case from
    another domestic area counts like a local one."""
    from apps.epi.services import confirmed_days_by_district

    day = dt.date(2020, 3, 2)
    _bulk_cases(crowd, [("990101001001", day, Origin.ABROAD)] * 3 + [("990101001001", day, Origin.DOMESTIC)])
    assert confirmed_days_by_district() == {"990101": [day]}

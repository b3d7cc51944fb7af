"""Rate arithmetic: the SQL roll-up equals core.resumption on the same data; the curve follows the history."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from apps.enterprises import selectors, services
from apps.enterprises.aggregates import aggregates_rebuild
from apps.enterprises.choices import DEFAULT_GUIDELINE
from apps.enterprises.models import CurveDay, Enterprise, ResumptionCell, StatusChange
from core.resumption import EnterpriseState, ResumptionStatus, resumption_rates
from tests.factories import COMMUNITY_A, COMMUNITY_B

ALL_MEASURES = [code for code, *_ in DEFAULT_GUIDELINE]


@pytest.fixture
def mixed(enterprise_factory, econ_a, make_user):
    city = make_user("economic_officer", "990100", username="city_econ")
    rng = random.Random(11)
    for i in range(40):
        area = COMMUNITY_A if i % 3 else COMMUNITY_B
        ent = enterprise_factory(
            area,
            industry_section=rng.choice("CFG"),
            size_class=rng.choice(["small", "micro"]),
            above_designated=rng.choice(["yes", "no"]),
            employees=str(rng.randint(0, 300)),
        )
        status = rng.choice(["not", "partly", "fully"])
        if status != "not":
            services.enterprise_status_set(
                actor=city,
                enterprise=ent,
                status=status,
                staff_share_back=round(rng.random(), 2),
                capacity_used=round(rng.random(), 2),
            )
    return city


def _states() -> list[EnterpriseState]:
    return [
        EnterpriseState(
            e.district,
            e.industry_section,
            e.size_class,
            e.above_designated,
            ResumptionStatus(e.status),
            e.staff_share_back,
            e.capacity_used,
            e.employees,
        )
        for e in Enterprise.objects.all()
    ]


@pytest.mark.parametrize(
    "by", [(), ("district",), ("industry_section", "size_class"), ("above_designated_size",)]
)
@pytest.mark.parametrize("above", [False, True])
def test_sql_rates_equal_the_core_oracle(mixed, by, above):
    got = selectors.resumption_rates(user=mixed, by=by, above_designated_only=above)
    want = resumption_rates(_states(), by=by, above_designated_only=above)
    assert got.keys() == want.keys()
    for key, w in want.items():
        g = got[key]
        assert (g.active, g.fully, g.partly, g.not_resumed, g.employees) == (
            w.active,
            w.fully,
            w.partly,
            w.not_resumed,
            w.employees,
        )
        assert g.resumed_rate == pytest.approx(w.resumed_rate)
        assert g.staff_weighted_rate == pytest.approx(w.staff_weighted_rate)
        assert g.mean_capacity_resumed == pytest.approx(w.mean_capacity_resumed)


def test_rates_api_is_scoped_to_the_district(mixed, econ_a, econ_b, api_of):
    rows_a = api_of(econ_a).get("/api/enterprises/rates?by=district").json()
    assert [r["key"] for r in rows_a] == [["990101"]]
    total_a = sum(1 for e in Enterprise.objects.all() if e.district == "990101")
    assert rows_a[0]["active"] == total_a
    assert api_of(econ_a).get("/api/enterprises/rates?by=colour").status_code == 422


def test_the_curve_counts_each_day_from_the_history(ent_a, ent_b, econ_a, make_user):
    city = make_user("economic_officer", "990100", username="c2")
    today = timezone.localdate()
    for ent in (ent_a, ent_b):
        services.enterprise_status_set(actor=city, enterprise=ent, status="partly", staff_share_back=0.5)
    services.enterprise_status_set(actor=city, enterprise=ent_a, status="fully")
    # Move the history back: ent_a partly two days ago, fully yesterday; ent_b partly today.
    changes = list(StatusChange.objects.order_by("id"))
    changes[0].day = today - timezone.timedelta(days=2)
    changes[2].day = today - timezone.timedelta(days=1)
    for c in (changes[0], changes[2]):
        c.save()
    aggregates_rebuild()  # the history was edited behind the services' backs
    curve = selectors.resumption_curve(user=city)
    assert [(c["resumed"], c["fully"]) for c in curve] == [(1, 0), (1, 1), (2, 1)]
    assert curve[-1]["resumed_rate"] == 1.0
    # A later stop counts down again.
    services.enterprise_status_set(actor=city, enterprise=ent_b, status="not")
    assert selectors.resumption_curve(user=city)[-1]["resumed"] == 1
    assert [c["resumed"] for c in selectors.resumption_curve(user=econ_a)] == [1, 1, 1]



def test_a_curve_range_is_clamped_to_the_days_the_history_covers(ent_a, econ_a, api_of, make_user):
    city = make_user("economic_officer", "990100", username="c3")
    today = timezone.localdate()
    services.enterprise_status_set(actor=city, enterprise=ent_a, status="partly", staff_share_back=0.5)
    StatusChange.objects.update(day=today - timezone.timedelta(days=3))
    aggregates_rebuild()
    client = api_of(econ_a)
    far = client.get("/api/enterprises/curve", {"start": "1900-01-01", "end": f"{today.year + 1}-12-31"})
    assert far.status_code == 200
    first = today - timezone.timedelta(days=3)
    lead_in = first - selectors.CURVE_LEAD_IN  # at most a year of zeros before the first report
    days = [row["day"] for row in far.json()]
    assert days[0] == str(lead_in) and days[-1] == str(today) and len(days) == (today - lead_in).days + 1
    assert {row["resumed"] for row in far.json() if row["day"] < str(first)} == {0}
    # A start inside the lead-in is answered as asked: the day before the first report reads 0.
    near = client.get("/api/enterprises/curve", {"start": str(first - timezone.timedelta(days=1))}).json()
    assert [row["resumed"] for row in near][:2] == [0, 1]
    assert client.get("/api/enterprises/curve", {"start": "0001-01-01"}).status_code == 422


def _snapshot():
    cells = sorted(
        (
            c.district,
            c.industry_section,
            c.size_class,
            c.above_designated,
            c.active,
            c.fully,
            c.partly,
            c.employees,
            round(c.employees_back, 6),
            round(c.capacity_resumed, 6),
        )
        for c in ResumptionCell.objects.all()
        if c.active
    )
    days = sorted(
        (d.day, d.district, d.above_designated, d.resumed, d.fully)
        for d in CurveDay.objects.all()
        if d.resumed or d.fully
    )
    return cells, days


def test_write_time_counters_equal_a_recount(mixed, ent_user, econ_a, api_of):
    rng = random.Random(5)
    ents = list(Enterprise.objects.all())
    for ent in rng.sample(ents, 10):  # moves between cells and districts, size and 四上 changes
        services.enterprise_update(
            actor=mixed,
            enterprise=ent,
            data={
                "area_code": rng.choice([COMMUNITY_A, COMMUNITY_B]),
                "size_class": rng.choice(["large", "micro"]),
                "above_designated": rng.choice(["yes", "no"]),
                "employees": str(rng.randint(0, 50)),
            },
        )
    for ent in rng.sample(ents, 15):
        ent.refresh_from_db()
        services.enterprise_status_set(
            actor=mixed,
            enterprise=ent,
            status=rng.choice(["not", "partly", "fully"]),
            staff_share_back=round(rng.random(), 2),
        )
    services.commitment_file(
        actor=ent_user,
        data={
            "planned_date": "2020-02-20",
            "employees_returning": 5,
            "measures": ALL_MEASURES,
            "text": "承诺",
        },
    )
    incremental = _snapshot()
    aggregates_rebuild()
    assert _snapshot() == incremental
    # and the live GROUP BY (the fallback for finer scopes) agrees with the cells
    live = selectors.roll_up(selectors._rates_rows_live(mixed), ["district", "size_class"])
    cells = selectors.resumption_rates(user=mixed, by=["district", "size_class"])
    assert {k: (r.active, r.fully, r.partly) for k, r in live.items()} == {
        k: (r.active, r.fully, r.partly) for k, r in cells.items()
    }


def test_a_street_officer_gets_exact_live_rates(mixed, make_user):
    street = make_user("economic_officer", "990101001", username="street_econ")
    assert selectors.district_scope(street) is None
    got = selectors.resumption_rates(user=street)[()]
    assert got.active == Enterprise.objects.filter(area__code__startswith="990101001").count()


def test_reason_counts_follow_status_reasons_and_moves(mixed, econ_a):
    from apps.enterprises.models import ReasonCell

    rng = random.Random(8)
    ents = list(Enterprise.objects.all())
    for ent in rng.sample(ents, 12):
        services.reasons_set(
            actor=mixed, enterprise=ent, reasons=rng.sample(["labour", "orders", "capital"], 2)
        )
    for ent in rng.sample(ents, 12):
        ent.refresh_from_db()
        services.enterprise_status_set(
            actor=mixed, enterprise=ent, status=rng.choice(["not", "partly", "fully"])
        )
    for ent in rng.sample(ents, 6):
        ent.refresh_from_db()
        services.enterprise_update(
            actor=mixed, enterprise=ent, data={"area_code": rng.choice([COMMUNITY_A, COMMUNITY_B])}
        )
    for ent in rng.sample(ents, 6):
        services.reasons_set(actor=mixed, enterprise=ent, reasons=["logistics"])

    def counts():
        return sorted((c.district, c.reason, c.open_count) for c in ReasonCell.objects.all() if c.open_count)

    incremental = counts()
    aggregates_rebuild()
    assert counts() == incremental
    street = {r["reason"]: r["n"] for r in selectors.reasons_summary(user=mixed)}
    live = {}
    for ent in Enterprise.objects.exclude(status="fully"):
        for r in ent.reasons.values_list("reason", flat=True):
            live[r] = live.get(r, 0) + 1
    assert street == live


def test_the_rebuild_command_recounts(mixed):
    from io import StringIO

    from django.core.management import call_command

    ResumptionCell.objects.all().delete()
    out = StringIO()
    call_command("rebuild_economy_aggregates", stdout=out)
    assert "resumption cells" in out.getvalue()
    assert selectors.resumption_rates(user=mixed)[()].active == Enterprise.objects.count()

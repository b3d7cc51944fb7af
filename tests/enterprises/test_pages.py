"""Pages render for each role, stay scoped, and the phone forms file commitments and tickets."""

from __future__ import annotations

from apps.enterprises.choices import DEFAULT_GUIDELINE
from apps.enterprises.models import Commitment, Ticket

ALL_MEASURES = [code for code, *_ in DEFAULT_GUIDELINE]


def test_officer_pages_render(econ_a, client_of, ent_a, categories):
    client = client_of(econ_a)
    for url in (
        "/enterprises/",
        "/enterprises/nonresumed/",
        "/enterprises/power/",
        "/enterprises/policies/",
        "/enterprises/tickets/",
        "/enterprises/dashboard/",
        "/enterprises/import/",
        f"/enterprises/{ent_a.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert ent_a.name in client.get("/enterprises/").content.decode()


def test_detail_of_another_district_is_not_found(econ_b, client_of, ent_a):
    assert client_of(econ_b).get(f"/enterprises/{ent_a.pk}/").status_code == 404
    response = client_of(econ_b).post(f"/enterprises/{ent_a.pk}/status/", {"status": "fully"})
    assert response.status_code == 302
    ent_a.refresh_from_db()
    assert ent_a.status == "not"


def test_the_phone_page_files_a_commitment_and_a_ticket(ent_user, client_of, ent_a, categories):
    client = client_of(ent_user)
    assert client.get("/enterprises/").url == "/enterprises/mine/"
    response = client.post(
        "/enterprises/mine/",
        {
            "action": "commitment",
            "planned_date": "2020-02-24",
            "employees_returning": "40",
            "employees_from_outside": "3",
            "measures": ALL_MEASURES,
            "text": "承诺",
        },
    )
    assert response.status_code == 302
    assert Commitment.objects.get().enterprise_id == ent_a.pk
    client.post(
        "/enterprises/mine/", {"action": "ticket", "category": "tax", "title": "开票", "description": "?"}
    )
    assert Ticket.objects.get().enterprise_id == ent_a.pk
    bad = client.post("/enterprises/mine/", {"action": "commitment", "planned_date": "", "text": ""})
    assert bad.status_code == 422


def test_an_officer_replies_and_the_enterprise_rates_on_the_pages(ent_user, econ_a, client_of, categories):
    from apps.enterprises import hotline

    ticket = hotline.ticket_open(actor=ent_user, data={"category": "tax", "title": "t", "description": "d"})
    client_of(econ_a).post(f"/enterprises/tickets/{ticket.pk}/", {"action": "reply", "reply": "已回复"})
    client_of(ent_user).post(f"/enterprises/tickets/{ticket.pk}/", {"action": "rate", "satisfaction": "4"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == ("closed", 4)


def test_detail_forms_record_reasons_and_visits(econ_a, client_of, ent_a):
    client = client_of(econ_a)
    client.post(f"/enterprises/{ent_a.pk}/reasons/", {"reasons": ["labour", "orders"]})
    client.post(f"/enterprises/{ent_a.pk}/visit/", {"visited_on": "2020-02-20", "notes": "走访"})
    page = client.get(f"/enterprises/{ent_a.pk}/").content.decode()
    assert "走访" in page
    assert sorted(ent_a.reasons.values_list("reason", flat=True)) == ["labour", "orders"]


def test_the_enterprise_reports_full_resumption_after_filing(ent_user, client_of, ent_a):
    from apps.enterprises import services

    client = client_of(ent_user)
    assert (
        "Report a change" not in client.get("/enterprises/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    services.commitment_file(
        actor=ent_user,
        data={
            "planned_date": "2020-02-20",
            "employees_returning": 10,
            "measures": ALL_MEASURES,
            "text": "承诺",
        },
    )
    client.post("/enterprises/mine/", {"action": "status", "status": "fully", "staff_share_back": "95"})
    ent_a.refresh_from_db()
    assert (ent_a.status, ent_a.staff_share_back) == ("fully", 0.95)
    assert ent_a.status_changes.first().source == "enterprise"

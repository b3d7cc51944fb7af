"""Jurisdiction: an officer of one district never sees or changes another's; an enterprise user only its own."""

from __future__ import annotations

from apps.enterprises import hotline
from apps.enterprises.models import Enterprise


def test_officers_see_only_their_district(econ_a, econ_b, api_of, ent_a, ent_b):
    assert [e["id"] for e in api_of(econ_a).get("/api/enterprises/").json()["items"]] == [ent_a.pk]
    assert [e["id"] for e in api_of(econ_b).get("/api/enterprises/").json()["items"]] == [ent_b.pk]
    assert api_of(econ_b).get(f"/api/enterprises/{ent_a.pk}").status_code == 404
    patch = api_of(econ_b).patch(
        f"/api/enterprises/{ent_a.pk}", {"employees": 1}, content_type="application/json"
    )
    assert patch.status_code == 404
    moved = api_of(econ_a).patch(
        f"/api/enterprises/{ent_a.pk}", {"area_code": "990102001001"}, content_type="application/json"
    )
    assert moved.status_code == 403
    assert Enterprise.objects.get(pk=ent_a.pk).area_id == "990101001001"


def test_an_enterprise_user_sees_only_its_own_enterprise(ent_user, ent_a, ent_b, enterprise_factory, api_of):
    neighbour = enterprise_factory("990101001002")  # same district as the user's grant
    client = api_of(ent_user)
    assert [e["id"] for e in client.get("/api/enterprises/").json()["items"]] == [ent_a.pk]
    assert client.get("/api/enterprises/mine").json()["id"] == ent_a.pk
    assert client.get(f"/api/enterprises/{neighbour.pk}").status_code == 404
    status = client.post(
        f"/api/enterprises/{neighbour.pk}/status", {"status": "fully"}, content_type="application/json"
    )
    assert status.status_code == 404
    ticket = client.post(
        "/api/hotline/tickets",
        {"category": "x", "title": "t", "description": "d", "enterprise_id": neighbour.pk},
        content_type="application/json",
    )
    assert ticket.status_code == 404
    assert (
        client.post(f"/api/enterprises/{ent_a.pk}/reveal", {}, content_type="application/json").status_code
        == 403
    )


def test_tickets_follow_the_enterprise_district(
    ent_user, ent_b, econ_a, econ_b, api_of, categories, make_user
):
    ticket = hotline.ticket_open(actor=ent_user, data={"category": "tax", "title": "t", "description": "d"})
    assert [t["id"] for t in api_of(econ_a).get("/api/hotline/tickets").json()["items"]] == [ticket.pk]
    assert api_of(econ_b).get("/api/hotline/tickets").json()["items"] == []
    assert api_of(econ_b).get(f"/api/hotline/tickets/{ticket.pk}").status_code == 404
    other = make_user("enterprise_user", "990101", username="other_ent")
    assert api_of(other).get(f"/api/hotline/tickets/{ticket.pk}").status_code == 404


def test_lists_need_a_bounded_number_of_queries(
    econ_a, api_of, enterprise_factory, django_assert_max_num_queries
):
    for _ in range(15):
        enterprise_factory()
    client = api_of(econ_a)
    client.get("/api/enterprises/")  # warm the token path
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/enterprises/?page_size=100").json()["items"]) == 15
    with django_assert_max_num_queries(8):
        client.get("/api/enterprises/nonresumed")


def test_the_dashboard_is_scoped_and_forbidden_to_enterprise_users(econ_a, econ_b, ent_a, ent_user, api_of):
    assert api_of(econ_a).get("/api/enterprises/dashboard").json()["total"]["active"] == 1
    assert api_of(econ_b).get("/api/enterprises/dashboard").json()["total"] is None
    assert api_of(ent_user).get("/api/enterprises/dashboard").status_code == 403


def test_ticket_delivery_and_power_lists_are_bounded(
    econ_a, ent_user, api_of, categories, django_assert_max_num_queries
):
    for i in range(12):
        hotline.ticket_open(actor=ent_user, data={"category": "tax", "title": f"t{i}", "description": "d"})
    client = api_of(econ_a)
    client.get("/api/hotline/tickets")
    for url in (
        "/api/hotline/tickets?page_size=100",
        "/api/enterprises/deliveries",
        "/api/enterprises/power/flags",
        "/api/enterprises/commitments",
        "/api/hotline/sla",
    ):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200, url

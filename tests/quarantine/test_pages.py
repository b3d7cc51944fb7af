"""The quarantine pages: the board writes each room's status, two districts see two boards, allocation from the
waiting list, the citizen's stay on the phone, the certificate only after release, bounded queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.cases.models import LabResult
from apps.quarantine import certificate, services
from apps.quarantine.models import Site, Stay

pytestmark = pytest.mark.django_db


def test_the_board_names_every_rooms_status_and_is_the_managers_own(
    client_of: Callable[[User], Any],
    manager_a: User,
    manager_b: User,
    hotel: Site,
    person_a: Any,
    make_stay: Callable[..., Stay],
    django_assert_max_num_queries: Any,
) -> None:
    services.allocate(actor=manager_a, stays=[make_stay(person_a)], room=hotel.rooms.get(number="101"))
    client = client_of(manager_a)
    client.get(f"/quarantine/sites/{hotel.pk}/")
    with django_assert_max_num_queries(14):
        body = client.get(f"/quarantine/sites/{hotel.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "room-occupied" in body and "已入住" in body and "空闲" in body  # colour and the word
    assert client_of(manager_b).get(f"/quarantine/sites/{hotel.pk}/").status_code == 404


def test_allocation_from_the_waiting_list(
    client_of: Callable[[User], Any],
    manager_a: User,
    hotel: Site,
    person_a: Any,
    make_stay: Callable[..., Stay],
) -> None:
    stay = make_stay(person_a)
    client = client_of(manager_a)
    page = client.get("/quarantine/waiting/").content.decode()
    assert f'id="room-{stay.pk}"' in page
    room = hotel.rooms.get(number="102")
    assert client.post("/quarantine/allocate/", {"stay": stay.pk, "room": room.pk}).status_code == 302
    stay.refresh_from_db()
    assert stay.status == "active" and stay.site_id == hotel.pk
    again = client.post("/quarantine/allocate/", {"stay": stay.pk, "room": room.pk})
    assert again.status_code == 409


def test_the_capacity_page_drills_down_to_sites(
    client_of: Callable[[User], Any], make_user: Callable[..., User], hotel: Site
) -> None:
    hq = make_user("commander", "990100", username="hq")
    client = client_of(hq)
    assert "990101" in client.get("/quarantine/capacity/").content.decode()
    assert hotel.name in client.get("/quarantine/capacity/?area=990101").content.decode()


def test_the_citizen_checks_in_and_gets_a_certificate_after_release(
    client_of: Callable[[User], Any],
    make_user: Callable[..., User],
    officer_a: User,
    person_a: Any,
    make_stay: Callable[..., Stay],
) -> None:
    citizen = make_user("citizen", "990101", username="citizen")
    citizen.person = person_a
    citizen.save(update_fields=["person"])
    stay = make_stay(person_a, days_ago=14, started_days_ago=1, kind="home", policy_code="h14-2020")
    client = client_of(citizen)
    page = client.get("/quarantine/me/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "我的隔离" in page and 'id="temperature"' in page
    assert client.post("/quarantine/me/", {"action": "checkin", "temperature": "36.5"}).status_code == 302
    assert stay.checkins.get().by_person
    assert "svg" not in client.get(f"/quarantine/stays/{stay.pk}/certificate/").content.decode()
    at = timezone.now() - dt.timedelta(days=1)
    LabResult.objects.create(
        key="n", lab="t", sample_id="n", person=person_a, sampled_at=at, result="negative", created_at=at
    )
    services.release(actor=officer_a, stay=stay)
    stay.refresh_from_db()
    assert "<svg" in client.get(f"/quarantine/stays/{stay.pk}/certificate/").content.decode()
    verdict, found = certificate.certificate_verify(certificate.certificate_text(stay=stay))
    assert verdict.ok and found == stay
    other = make_user("citizen", "990101", username="other")
    assert client_of(other).get(f"/quarantine/stays/{stay.pk}/certificate/").status_code == 404


def test_pages_refuse_users_without_the_role(
    client_of: Callable[[User], Any], make_user: Callable[..., User]
) -> None:
    econ = make_user("economic_officer", "990100", username="econ")
    for path in ("/quarantine/", "/quarantine/waiting/", "/quarantine/capacity/", "/quarantine/alerts/"):
        assert client_of(econ).get(path).status_code == 403

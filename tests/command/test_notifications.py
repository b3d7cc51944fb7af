"""The one notification centre: every module's alerts in one inbox per user, read state, filters, digest, channels."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from apps.command import notifications
from apps.command.models import Notification, OutboundMessage
from apps.common import notify as notify_module
from apps.common.notify import notify
from apps.venues.models import Alert
from apps.venues.services import alert_acknowledge
from tests.factories import COMMUNITY_B, DISTRICT_A

pytestmark = pytest.mark.django_db


def inbox_titles(client: Any, **params: Any) -> list[str]:
    response = client.get(
        "/api/command/notifications", params, HTTP_ACCEPT_LANGUAGE="en"
    )  # each in their language
    assert response.status_code == 200, response.content
    return [n["title"] for n in response.json()["items"]]


def test_a_scan_alert_reaches_the_officers_of_the_venue_and_of_the_residence_only(
    raise_alert: Any, officer_a: Any, officer_b: Any, make_user: Any, api_of: Any
) -> None:
    officer_c = make_user("district_officer", "990103", username="officer_c")
    raise_alert(registrar=officer_b, residence=COMMUNITY_B)  # lives in B, scanned at a gate in A
    assert inbox_titles(api_of(officer_a)) == ["Red code at 甲卡口"]
    assert inbox_titles(api_of(officer_b)) == ["Red code at 甲卡口"]
    assert inbox_titles(api_of(officer_c)) == []


def test_read_state_is_per_user(raise_alert: Any, officer_a: Any, officer_b: Any, api_of: Any) -> None:
    raise_alert(registrar=officer_b, residence=COMMUNITY_B)
    raise_alert()
    a, b = api_of(officer_a), api_of(officer_b)
    first = a.get("/api/command/notifications").json()["items"][0]["id"]
    answer = a.post(
        "/api/command/notifications/read", {"ids": [first]}, content_type="application/json"
    ).json()
    assert answer == {"marked": 1, "unread": 1}
    assert len(inbox_titles(a, unread=True)) == 1
    assert len(inbox_titles(b, unread=True)) == 1  # B's officer has not read it
    a.post("/api/command/notifications/read", {}, content_type="application/json")
    assert inbox_titles(a, unread=True) == []


def test_the_inbox_filters_by_module_severity_and_state(
    raise_alert: Any, officer_a: Any, api_of: Any
) -> None:
    raise_alert()
    notify(
        kind="projects.red",
        title="Project %(p)s turned red",
        params={"p": "X"},
        area_code=DISTRICT_A,
        perm="project.view",
        severity="info",
    )
    notify(kind="projects.red", title="A district officer note", area_code=DISTRICT_A, perm="alert.view")
    client = api_of(officer_a)
    assert inbox_titles(client, module="venues") == ["Red code at 甲卡口"]
    assert inbox_titles(client, module="projects") == ["A district officer note", "Project X turned red"]
    assert inbox_titles(client, severity="urgent") == ["Red code at 甲卡口"]
    alert = Alert.objects.get()
    alert_acknowledge(
        actor=officer_a, alert=alert, close=True
    )  # handling the alert resolves its notification
    assert inbox_titles(client, module="venues", state="open") == []
    assert inbox_titles(client, module="venues", state="resolved") == ["Red code at 甲卡口"]


def test_a_named_user_sees_a_notification_addressed_to_them_alone(
    officer_a: Any, officer_b: Any, api_of: Any
) -> None:
    notify(kind="command.task", title="For you", user_ids=[officer_b.pk])
    assert inbox_titles(api_of(officer_b)) == ["For you"]
    assert inbox_titles(api_of(officer_a)) == []


def test_a_module_notifies_without_the_centre_installed(monkeypatch: Any, officer_a: Any) -> None:
    monkeypatch.setattr(notify_module, "_sink", None)
    assert notify(kind="quarantine.missed", title="x", area_code=DISTRICT_A, perm="alert.view") == 0
    assert not Notification.objects.exists()


def test_a_notification_without_addressees_is_refused() -> None:
    with pytest.raises(ValueError):
        notify(kind="venues.x", title="nobody")
    with pytest.raises(ValueError):
        notify(kind="nokind", title="x", user_ids=[1])


def test_the_daily_digest_goes_out_once_by_email(raise_alert: Any, officer_a: Any) -> None:
    notifications.preference_set(user=officer_a, channel="email", address="a@example.org")
    raise_alert()
    mail.outbox.clear()  # the urgent red-code message (tested below)
    assert notifications.send_digests() == 1
    assert notifications.send_digests() == 0  # the same day's digest is not sent twice
    assert len(mail.outbox) == 1
    # Sent outside a request: in the site's language (Chinese).
    assert mail.outbox[0].to == ["a@example.org"] and "甲卡口 出现红码" in mail.outbox[0].body


def test_read_notifications_are_left_out_of_the_digest(raise_alert: Any, officer_a: Any) -> None:
    notifications.preference_set(user=officer_a, channel="email", address="a@example.org")
    raise_alert()
    notifications.mark_read(user=officer_a)
    assert notifications.send_digests() == 0


def test_an_urgent_notification_goes_out_at_once_by_sms(
    raise_alert: Any, officer_a: Any, officer_b: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.codes import sms

    settings.TONGCHOU_SMS_BACKEND = "apps.codes.sms.MemorySMSBackend"
    sms._backend.cache_clear()
    sms.MemorySMSBackend.outbox.clear()
    notifications.preference_set(user=officer_a, channel="sms", address="13900000001")
    notifications.preference_set(user=officer_b, channel="sms", address="13900000002")
    with django_capture_on_commit_callbacks(execute=True):
        raise_alert()  # a resident of A: officer B is no addressee
    assert [phone for phone, _text in sms.MemorySMSBackend.outbox] == ["13900000001"]
    assert OutboundMessage.objects.filter(user=officer_a, key__startswith="urgent:").count() == 1
    sms._backend.cache_clear()


def test_the_inbox_page_shows_the_titles_in_the_readers_language(
    raise_alert: Any, officer_a: Any, client_of: Any
) -> None:
    raise_alert()
    client = client_of(officer_a)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/command/inbox/").content.decode()
    assert "红码" in html and "甲卡口" in html
    client.cookies["django_language"] = "en"
    assert "Red code at 甲卡口" in client.get("/command/inbox/").content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    raise_alert: Any, officer_a: Any, client_of: Any
) -> None:
    raise_alert()
    note = Notification.objects.get()
    response = client_of(officer_a).get(f"/command/inbox/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/venues/alerts/"
    assert notifications.unread_count(user=officer_a) == 0

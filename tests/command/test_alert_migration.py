"""The venues app's own alert inbox moves onto the notification centre without losing an alert (data migration)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.command.models import Notification, NotificationRead
from apps.venues.models import Alert
from apps.venues.services import alert_acknowledge
from tests.factories import COMMUNITY_B

BEFORE = ("command", "0001_notifications_tasks_roster")
AFTER = ("command", "0002_move_venue_alerts_to_inbox")


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_every_alert_becomes_one_notification_with_its_handling_kept(
    raise_alert: Any, officer_a: Any, officer_b: Any, api_of: Any
) -> None:
    for _ in range(3):
        raise_alert()
    raise_alert(registrar=officer_b, residence=COMMUNITY_B)
    closed, acknowledged, *_open = Alert.objects.order_by("pk")
    alert_acknowledge(actor=officer_a, alert=closed, close=True)
    alert_acknowledge(actor=officer_a, alert=acknowledged)
    try:
        migrate(BEFORE)  # as before the centre: the alerts exist, their notifications do not
        assert not Notification.objects.filter(module="venues").exists()
        migrate(AFTER)
        notes = {n.source_ref: n for n in Notification.objects.filter(module="venues")}
        alerts = list(Alert.objects.order_by("pk"))
        assert sorted(notes) == sorted(f"venues.alert:{a.pk}" for a in alerts)  # none lost, none doubled
        for alert in alerts:
            note = notes[f"venues.alert:{alert.pk}"]
            assert (note.kind, note.area_id, note.also_area_id, note.perm) == (
                f"venues.{alert.kind}",
                alert.venue_area_id,
                alert.residence_area_id,
                "alert.view",
            )
            assert (note.resolved_at is not None) == (alert.status == "closed")
        read = set(
            NotificationRead.objects.filter(user=officer_a).values_list("notification__source_ref", flat=True)
        )
        assert read == {f"venues.alert:{closed.pk}", f"venues.alert:{acknowledged.pk}"}
        # The migrated alerts answer in the inbox as they did on the venues page: B's officer sees the B resident's.
        assert api_of(officer_b).get("/api/command/notifications").json()["items"][0]["source_ref"] == (
            f"venues.alert:{alerts[-1].pk}"
        )
        # Run again (an interrupted migration retried): nothing doubles.
        importlib.import_module("apps.command.migrations.0002_move_venue_alerts_to_inbox").forward(
            django_apps, None
        )
        assert Notification.objects.filter(module="venues").count() == len(alerts)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

"""Data migration: every scan alert of the venues app's own inbox becomes a notification of the one centre.

Nothing is lost: each alert gets one notification addressed as the alert was (officers of the venue's area and of
the residence's area), its handling is kept (a closed alert's notification is resolved, the handler has read it),
and `source_ref` links it back. Reversing deletes only the notifications this migration made.
"""

from django.db import migrations

# The same msgids as apps.venues.alerting.ALERT_TITLES (a migration does not import app code).
TITLES = {
    "red_code": "Red code at %(venue)s",
    "yellow_code": "Yellow code at %(venue)s",
    "fever": "Fever at %(venue)s: %(temperature)s °C",
}
BATCH = 2000


def forward(apps, schema_editor):
    Alert = apps.get_model("venues", "Alert")
    Notification = apps.get_model("command", "Notification")
    NotificationRead = apps.get_model("command", "NotificationRead")
    done = set(
        Notification.objects.filter(source_ref__startswith="venues.alert:").values_list("source_ref", flat=True)
    )
    last = 0
    while True:
        alerts = list(Alert.objects.filter(pk__gt=last).select_related("venue").order_by("pk")[:BATCH])
        if not alerts:
            break
        last = alerts[-1].pk
        fresh = [a for a in alerts if f"venues.alert:{a.pk}" not in done]
        rows = [
            Notification(
                kind=f"venues.{a.kind}",
                module="venues",
                severity="urgent" if a.kind == "red_code" else "warning",
                title=TITLES.get(a.kind, "%(venue)s"),
                params={"venue": a.venue.name, "temperature": str(a.temperature or "")},
                link="/venues/alerts/",
                area_id=a.venue_area_id,
                also_area_id=a.residence_area_id,
                perm="alert.view",
                source_ref=f"venues.alert:{a.pk}",
                created_at=a.created_at,
                resolved_at=a.handled_at if a.status == "closed" else None,
            )
            for a in fresh
        ]
        Notification.objects.bulk_create(rows)
        by_ref = dict(
            Notification.objects.filter(source_ref__in=[f"venues.alert:{a.pk}" for a in fresh]).values_list(
                "source_ref", "pk"
            )
        )
        NotificationRead.objects.bulk_create(
            [
                NotificationRead(
                    notification_id=by_ref[f"venues.alert:{a.pk}"], user_id=a.handled_by_id, read_at=a.handled_at
                )
                for a in fresh
                if a.handled_by_id and a.handled_at and a.status != "open"
            ],
            ignore_conflicts=True,
        )


def backward(apps, schema_editor):
    apps.get_model("command", "Notification").objects.filter(source_ref__startswith="venues.alert:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("command", "0001_notifications_tasks_roster"),
        ("venues", "0005_merge_20261129_1305"),
    ]

    operations = [migrations.RunPython(forward, backward)]

"""Scans partitioned by local day on PostgreSQL (see apps/venues/partitions.py); nothing changes on SQLite."""

import datetime as dt

import django.db.models.deletion
from django.db.migrations.exceptions import IrreversibleError
from django.db import migrations, models

DAYS_BACK, DAYS_AHEAD = 30, 7


def partition_scans(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    with connection.cursor() as c:
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'venues_scan'::regclass AND contype = 'f'"
        )
        foreign_keys = c.fetchall()
        c.execute("ALTER TABLE venues_scan RENAME TO venues_scan_plain")
        c.execute(
            "CREATE TABLE venues_scan (LIKE venues_scan_plain INCLUDING DEFAULTS INCLUDING IDENTITY) "
            "PARTITION BY RANGE (scanned_at)"
        )
        c.execute("CREATE TABLE venues_scan_default PARTITION OF venues_scan DEFAULT")
        for offset in range(-DAYS_BACK, DAYS_AHEAD + 1):
            day = today + dt.timedelta(days=offset)
            start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            end = start + dt.timedelta(days=1)
            c.execute(
                f"CREATE TABLE venues_scan_{day:%Y%m%d} PARTITION OF venues_scan "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
        c.execute("INSERT INTO venues_scan SELECT * FROM venues_scan_plain")
        c.execute(
            "SELECT setval(pg_get_serial_sequence('venues_scan', 'id'), "
            "(SELECT coalesce(max(id), 0) + 1 FROM venues_scan), false)"
        )
        c.execute("DROP TABLE venues_scan_plain")
        c.execute("ALTER TABLE venues_scan ADD PRIMARY KEY (id, scanned_at)")
        c.execute("ALTER TABLE venues_scan ADD CONSTRAINT venues_scan_client_id_day_uniq UNIQUE (client_id, scanned_at)")
        c.execute("CREATE INDEX scan_venue_time ON venues_scan (venue_id, scanned_at)")
        c.execute("CREATE INDEX scan_person_time ON venues_scan (person_id, scanned_at)")
        c.execute("CREATE INDEX scan_time ON venues_scan (scanned_at)")
        c.execute("CREATE INDEX venues_scan_operator_id ON venues_scan (operator_id)")
        for name, definition in foreign_keys:
            c.execute(f"ALTER TABLE venues_scan ADD CONSTRAINT {name} {definition}")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        raise IrreversibleError("scans stay partitioned by day on PostgreSQL")


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0002_alter_venue_limit_percent"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="scan",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="alerts",
                to="venues.scan",
            ),
        ),
        migrations.RunPython(partition_scans, unpartition),
    ]

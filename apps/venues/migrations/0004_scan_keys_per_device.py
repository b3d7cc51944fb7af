"""Scan idempotency moves to ScanKey: one client id per device, whatever the scan's time (also on PostgreSQL)."""

import django.db.models.functions.datetime
from django.db import migrations, models

# The device a stored scan counts for: its device id, else the user who uploaded it, else the citizen.
DEVICE_SQL = (
    "CASE WHEN device_id <> '' THEN device_id WHEN operator_id IS NOT NULL THEN 'user:' || operator_id "
    "ELSE 'person:' || person_id END"
)


def drop_scan_unique(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        # 0003 made it (client_id, scanned_at), which Django's AlterField cannot find by the column alone.
        schema_editor.execute("ALTER TABLE venues_scan DROP CONSTRAINT IF EXISTS venues_scan_client_id_day_uniq")
        return
    Scan = apps.get_model("venues", "Scan")
    old = models.CharField(max_length=64, unique=True)
    old.set_attributes_from_name("client_id")
    new = models.CharField(max_length=64)
    new.set_attributes_from_name("client_id")
    schema_editor.alter_field(Scan, old, new)


def keys_of_stored_scans(apps, schema_editor):
    schema_editor.execute(
        f"INSERT INTO venues_scankey (device, client_id, received_at) "
        f"SELECT {DEVICE_SQL}, client_id, min(received_at) FROM venues_scan GROUP BY {DEVICE_SQL}, client_id"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0003_scans_partitioned_by_day"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="scan", name="client_id", field=models.CharField(max_length=64)),
            ],
            database_operations=[migrations.RunPython(drop_scan_unique, migrations.RunPython.noop)],
        ),
        migrations.CreateModel(
            name="ScanKey",
            fields=[
                ("pk", models.CompositePrimaryKey("device", "client_id", blank=True, editable=False, primary_key=True,
                                                  serialize=False)),
                ("device", models.CharField(max_length=80)),
                ("client_id", models.CharField(max_length=64)),
                ("received_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
            options={
                "indexes": [models.Index(fields=["received_at"], name="scankey_received")],
            },
        ),
        migrations.RunPython(keys_of_stored_scans, migrations.RunPython.noop),
    ]

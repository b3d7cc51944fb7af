from zoneinfo import ZoneInfo

from django.db import migrations, models


def fill(apps, schema_editor):
    shanghai = ZoneInfo("Asia/Shanghai")
    Traveller = apps.get_model("arrivals", "Traveller")
    for traveller in Traveller.objects.only("pk", "arrived_at").iterator():
        Traveller.objects.filter(pk=traveller.pk).update(arrival_day=traveller.arrived_at.astimezone(shanghai).date())


class Migration(migrations.Migration):
    dependencies = [("arrivals", "0005_port_screening_dcc_signers")]

    operations = [
        migrations.AddField(
            model_name="traveller", name="arrival_day", field=models.DateField(null=True, verbose_name="day of arrival")
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="traveller", name="arrival_day", field=models.DateField(verbose_name="day of arrival")
        ),
        migrations.AddIndex(
            model_name="traveller", index=models.Index(fields=["arrival_day", "stage"], name="arrival_day_stage")
        ),
    ]

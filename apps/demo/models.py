"""Which generator steps have run, so `demo_city` can run again without duplicating anything."""

from django.db import models


class DemoStep(models.Model):
    name = models.CharField(max_length=64, unique=True)
    seed = models.IntegerField()
    params = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)
    done_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} (seed {self.seed})"

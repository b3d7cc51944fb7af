"""Demo step: some health declarations and daily check-ins, then every person's code computed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.codes.keys import current_key
from apps.codes.models import CheckInObligation, Declaration
from apps.codes.services import MONITORING_DAYS, codes_recompute
from apps.demo.generator import DemoContext
from apps.people.models import Person

NAME = "codes"


def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    current_key()  # a signing key exists before anyone shows a code
    ids = list(Person.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True))
    # 健康申报: about 2% declare a trip from a medium-risk area, 0.5% from a high-risk area, 0.3% symptoms.
    Declaration.objects.filter(note="demo").delete()
    CheckInObligation.objects.filter(source="demo").delete()
    declarations, obligations = [], []
    for pid in ids:
        x = rng.random()
        if x >= 0.028:
            continue
        days_ago = rng.randint(0, 10)
        on = ctx.today - dt.timedelta(days=days_ago)
        symptoms = x < 0.003
        risk = "high" if x < 0.008 else "medium" if not symptoms else "low"
        declarations.append(
            Declaration(
                person_id=pid,
                declared_on=on,
                symptoms=symptoms,
                arrived_on=on if risk != "low" else None,
                arrived_from="武汉" if risk == "high" else "温州" if risk == "medium" else "",
                arrived_from_risk=risk,
                note="demo",
            )
        )
        obligations.append(
            CheckInObligation(
                person_id=pid,
                start=on + dt.timedelta(days=1),
                end=on + dt.timedelta(days=1 + MONITORING_DAYS),
                source="demo",
            )
        )
    Declaration.objects.bulk_create(declarations, batch_size=5000)
    CheckInObligation.objects.bulk_create(obligations, batch_size=5000)
    stats = codes_recompute(progress=None)
    return {"declarations": len(declarations), "codes": stats.persons, "not_green": stats.non_green}

"""Background work of the cases app (django-tasks): tracing a new infection, clusters and risk levels."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def trace_case(case_id: int) -> dict[str, Any]:
    from apps.cases.models import Case
    from apps.cases.tracing import trace_case as run

    case = Case.objects.filter(pk=case_id).first()
    if case is None:  # rolled back or deleted since
        return {}
    return run(case)


@task()
def recompute_clusters_and_risk(clusters: bool = True) -> dict[str, Any]:
    from apps.cases.services import clusters_recompute
    from apps.epi.services import risk_recompute

    found = clusters_recompute() if clusters else None
    levels = risk_recompute()
    return {"clusters": found, "districts": len(levels)}

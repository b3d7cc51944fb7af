"""Background work of the people app (django-tasks): big imports."""

from __future__ import annotations

from django_tasks import task


@task()
def import_persons(batch_id: int) -> str:
    """Import a queued person list (apps.people.services.persons_import_start); returns the batch's status."""
    from apps.people.services import persons_import_run

    return persons_import_run(batch_id=batch_id)

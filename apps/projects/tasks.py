"""Scheduled work of the projects app."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_project_colours() -> int:
    """Daily: schedule lag grows with the date, so colours are recomputed even when nobody edits a project."""
    from apps.projects.services import project_colours_refresh_stale

    return project_colours_refresh_stale()

"""Scheduled work of the accounts app."""

from __future__ import annotations

from django_tasks import task


@task()
def purge_login_throttles() -> int:
    """Daily: sign-in failure counts of pairs quiet for a day (and not locked) are forgotten."""
    from apps.accounts.services import login_throttles_purge

    return login_throttles_purge()

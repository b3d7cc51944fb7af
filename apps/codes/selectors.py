"""Reads of the health-code app, scoped to the caller's jurisdiction in SQL."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.codes.choices import OverrideStatus
from apps.codes.models import HealthCode, Override
from apps.common.errors import NotFound
from apps.people.models import Person


def current_colour(person_id: int) -> str | None:
    """The stored colour of a person's code, for the online verify of a code whose signature checked out.

    One indexed lookup in plain SQL: the ORM spends longer building this query than the database answering
    it, and a checkpoint storm calls it once per scanned person. Not scoped: a checkpoint verifies anyone.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT colour FROM {HealthCode._meta.db_table} WHERE person_id = %s", [person_id])
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def colour_counts(*, user: User, area: str = "", level_digits: int = 6) -> list[dict[str, object]]:
    """Green/yellow/red counts per area (district = 6 digits, street = 9, community = 12) in the user's scope."""
    if level_digits not in (6, 9, 12):
        level_digits = 6
    qs = HealthCode.objects.filter(area_q(user, Perm.CODE_VIEW))
    if area:
        qs = qs.filter(area__code__startswith=area)
    rows = qs.annotate(key=Substr("area_id", 1, level_digits)).values("key", "colour").annotate(n=Count("pk"))
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"green": 0, "yellow": 0, "red": 0})
    for row in rows:
        table[row["key"]][row["colour"]] += row["n"]
    return [{"area": key, **counts, "total": sum(counts.values())} for key, counts in sorted(table.items())]


def code_of_person(*, user: User, person_id: int) -> HealthCode:
    person = Person.objects.filter(area_q(user, Perm.CODE_VIEW), pk=person_id).first()
    if person is None:
        raise NotFound("not_found", "no such person in your jurisdiction")
    from apps.codes.services import code_for

    return code_for(person)


def overrides_list(*, user: User, status: str = "") -> QuerySet[Override]:
    qs = Override.objects.filter(area_q(user, Perm.CODE_OVERRIDE)).select_related("person", "requested_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at")


def override_get(*, user: User, pk: int) -> Override:
    override = overrides_list(user=user).filter(pk=pk).first()
    if override is None:
        raise NotFound("not_found", "no such override in your jurisdiction")
    return override


def pending_overrides(*, user: User) -> QuerySet[Override]:
    return overrides_list(user=user, status=OverrideStatus.PENDING)

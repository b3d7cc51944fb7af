"""Reads of the arrivals app, every one scoped to the caller's jurisdiction in SQL."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from apps.accounts.models import User
from apps.arrivals.models import Traveller
from core import arrivals_loop as loop


def travellers_visible(*, user: User) -> QuerySet[Traveller]:
    return Traveller.objects.visible_to(user)


def travellers_list(
    *,
    user: User,
    stage: str = "",
    overdue: bool = False,
    in_loop: bool = False,
    area: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Traveller]:
    """The traveller list of the page, the API and the dashboard: one filter, so their counts agree.

    `overdue`: the stage's deadline has passed (closed travellers excluded); `in_loop`: not yet closed; `area`: an
    area-code prefix of the destination. Overdue stages first.
    """
    qs = travellers_visible(user=user)
    if stage:
        qs = qs.filter(stage=stage)
    if overdue or in_loop:
        qs = qs.exclude(stage=loop.Stage.CLOSED.value)
    if overdue:
        qs = qs.filter(stage_due_at__lt=now or timezone.now())
    if area:
        qs = qs.filter(destination_area__code__startswith=area)
    return qs.order_by("-overdue_level", "stage_due_at", "id")


def loop_board(
    *, user: User, now: dt.datetime | None = None, qs: QuerySet[Traveller] | None = None
) -> loop.Board:
    """Counts per stage, per owner and per day of arrival (Shanghai), and overdue stages, from one
    grouped scan; ``arrived`` is counted on its own, so ``Board.reconciles()`` is a real check of the
    grouped counts. Two queries whatever the number of travellers."""
    now = now or timezone.now()
    rows = qs if qs is not None else travellers_visible(user=user)
    board = loop.Board(arrived=rows.count())
    late = Case(When(stage_due_at__lt=now, then=Value(1)), default=Value(0), output_field=IntegerField())
    groups = (
        rows.annotate(late=late)
        .values("stage", "owner_role", "owner_area_id", "arrival_day", "late")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item in groups:
        stage, n = loop.Stage(item["stage"]), item["n"]
        board.by_stage[stage] += n
        board.by_day[(item["arrival_day"], stage)] += n
        if stage is not loop.Stage.CLOSED:
            board.by_owner[(f"{item['owner_role']}@{item['owner_area_id']}", stage)] += n
            if item["late"]:
                board.overdue_by_stage[stage] += n
    return board

"""Reads of the arrivals app, every one scoped to the caller's jurisdiction in SQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.arrivals.models import Traveller
from core import arrivals_loop as loop


def travellers_visible(*, user: User) -> QuerySet[Traveller]:
    return Traveller.objects.visible_to(user)


def loop_board(
    *, user: User, now: dt.datetime | None = None, qs: QuerySet[Traveller] | None = None
) -> loop.Board:
    """Counts per stage, per owner and per day of arrival (Shanghai), and overdue stages: four
    grouped queries whatever the number of travellers. ``arrived`` is counted on its own, so
    ``Board.reconciles()`` is a real check of the grouped counts."""
    now = now or timezone.now()
    rows = qs if qs is not None else travellers_visible(user=user)
    board = loop.Board(arrived=rows.count())
    for item in rows.values("stage", "owner_role", "owner_area_id").annotate(n=Count("id")).order_by():
        stage = loop.Stage(item["stage"])
        board.by_stage[stage] += item["n"]
        if stage is not loop.Stage.CLOSED:
            board.by_owner[(f"{item['owner_role']}@{item['owner_area_id']}", stage)] += item["n"]
    days = rows.values("arrival_day", "stage").annotate(n=Count("id")).order_by()
    board.by_day = Counter({(item["arrival_day"], loop.Stage(item["stage"])): item["n"] for item in days})
    late = (
        rows.exclude(stage=loop.Stage.CLOSED)
        .filter(stage_due_at__lt=now)
        .values("stage")
        .annotate(n=Count("id"))
    )
    board.overdue_by_stage = Counter({loop.Stage(item["stage"]): item["n"] for item in late.order_by()})
    return board

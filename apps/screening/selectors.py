"""Reads of the screening app, every one scoped to the caller's jurisdiction in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q, grant_prefixes
from apps.common.errors import NotFound
from apps.screening.choices import CandidateStatus, RowState, WorkReason, WorkStatus
from apps.screening.models import (
    LinkCandidate,
    ListImport,
    ListRow,
    ListTally,
    ScreeningList,
    ScreeningSource,
    WorkItem,
)
from core import screening

BUCKETS = screening.BUCKETS


def sources_list(*, user: User) -> QuerySet[ScreeningSource]:
    return ScreeningSource.objects.visible_to(user, Perm.SCREENING_VIEW)


def source_get(*, user: User, pk: int) -> ScreeningSource:
    source = sources_list(user=user).filter(pk=pk).first()
    if source is None:
        raise NotFound("not_found", "no such source in your jurisdiction")
    return source


def lists_list(*, user: User) -> QuerySet[ScreeningList]:
    """Lists owned in the user's jurisdiction, or with rows living there."""
    return ScreeningList.objects.filter(
        area_q(user, Perm.SCREENING_VIEW)
        | Q(pk__in=ListTally.objects.visible_to(user, Perm.SCREENING_VIEW).values("list_id"))
    ).select_related("source", "category")


def list_get(*, user: User, pk: int) -> ScreeningList:
    lst = lists_list(user=user).filter(pk=pk).first()
    if lst is None:
        raise NotFound("not_found", "no such list in your jurisdiction")
    return lst


def import_get(*, user: User, pk: int) -> ListImport:
    report = ListImport.objects.filter(pk=pk, list__in=lists_list(user=user)).select_related("list").first()
    if report is None:
        raise NotFound("not_found", "no such import in your jurisdiction")
    return report


def reconciliation(
    *, user: User, list_id: int | None = None, area: str = "", depth: int = 6
) -> list[dict[str, Any]]:
    """Per list and area (cut to `depth` digits: 6 district, 9 street, 12 community), the counts and whether they
    balance: rows = matched + resolved + open + rejected. One grouped query over the kept tallies."""
    qs = ListTally.objects.visible_to(user, Perm.SCREENING_VIEW)
    if list_id is not None:
        qs = qs.filter(list_id=list_id)
    if area:
        qs = qs.filter(area__code__startswith=area)
    totals: dict[tuple[int, str], dict[str, Any]] = {}
    for rec in (
        qs.values("list_id", "list__name", "area_id")
        .annotate(
            n_rows=Sum("rows"),
            n_matched=Sum("matched"),
            n_open=Sum("open"),
            n_resolved=Sum("resolved"),
            n_rejected=Sum("rejected"),
        )
        .order_by()
    ):
        key = (rec["list_id"], rec["area_id"][:depth])
        entry = totals.setdefault(
            key,
            {
                "list_id": key[0],
                "list_name": rec["list__name"],
                "area": key[1],
                "rows": 0,
                **dict.fromkeys(BUCKETS, 0),
            },
        )
        entry["rows"] += rec["n_rows"]
        for b in BUCKETS:
            entry[b] += rec[f"n_{b}"]
    out = sorted(totals.values(), key=lambda e: (e["list_id"], e["area"]))
    for e in out:
        e["balances"] = screening.balances(e)
        e["must_see"] = e["open"] + e["resolved"]
        e["coverage"] = e["resolved"] / e["must_see"] if e["must_see"] else 1.0
    return out


def coverage(
    *, user: User, area: str = "", depth: int = 6, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Per area: work items seen and open, and how many open ones are past their deadline."""
    now = now or timezone.now()
    qs = WorkItem.objects.visible_to(user, Perm.SCREENING_VIEW, "row__area")
    if area:
        qs = qs.filter(row__area__code__startswith=area)
    per: dict[str, dict[str, Any]] = {}
    for rec in (
        qs.values("row__area_id")
        .annotate(
            done=Count("pk", filter=Q(status=WorkStatus.RESOLVED)),
            open=Count("pk", filter=Q(status=WorkStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=WorkStatus.OPEN, due_at__lt=now)),
        )
        .order_by()
    ):
        e = per.setdefault(
            rec["row__area_id"][:depth],
            {"area": rec["row__area_id"][:depth], "done": 0, "open": 0, "overdue": 0},
        )
        for k in ("done", "open", "overdue"):
            e[k] += rec[k]
    out = sorted(per.values(), key=lambda e: e["area"])
    for e in out:
        total = e["done"] + e["open"]
        e["coverage"] = e["done"] / total if total else 1.0
    return out


def work_items(
    *, user: User, status: str = WorkStatus.OPEN, area: str = "", list_id: int | None = None
) -> QuerySet[WorkItem]:
    """A community's to-do list, most urgent and oldest deadline first."""
    qs = WorkItem.objects.visible_to(user, Perm.SCREENING_VIEW)
    if status:
        qs = qs.filter(status=status)
    if area:
        qs = qs.filter(area__code__startswith=area)
    if list_id is not None:
        qs = qs.filter(list_id=list_id)
    return qs.select_related("row", "list", "area").order_by("urgency", "due_at", "id")


def work_item_get(*, user: User, pk: int) -> WorkItem:
    item = (
        WorkItem.objects.visible_to(user, Perm.SCREENING_VIEW)
        .filter(pk=pk)
        .select_related("row", "list", "area")
        .first()
    )
    if item is None:
        raise NotFound("not_found", "no such work item in your jurisdiction")
    return item


def candidates_open(*, user: User, list_id: int | None = None) -> QuerySet[LinkCandidate]:
    qs = LinkCandidate.objects.visible_to(user, Perm.SCREENING_VIEW).filter(status=CandidateStatus.OPEN)
    if list_id is not None:
        qs = qs.filter(row__list_id=list_id)
    return qs.select_related("row", "person").order_by("row_id", "-probability", "id")


def rows_list(*, user: User, list_id: int, state: str = "") -> QuerySet[ListRow]:
    qs = ListRow.objects.visible_to(user, Perm.SCREENING_VIEW).filter(list_id=list_id)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("line", "id")


def reconciliation_differences() -> list[dict[str, object]]:
    """The nightly check (not scoped: it runs as the system): the kept tallies against counts recomputed from the
    rows, and every row whose bucket disagrees with its work item."""
    kept = [
        ((t["list_id"], t["area_id"]), t)
        for t in ListTally.objects.values("list_id", "area_id", "rows", *BUCKETS)
    ]
    counted: dict[tuple[int, str], dict[str, int]] = {}
    for rec in ListRow.objects.values("list_id", "area_id", "state").annotate(n=Count("pk")).order_by():
        e = counted.setdefault((rec["list_id"], rec["area_id"]), {"rows": 0, **dict.fromkeys(BUCKETS, 0)})
        e["rows"] += rec["n"]
        e[rec["state"]] += rec["n"]
    out = screening.differences(kept, counted.items())
    wrong = ListRow.objects.filter(
        Q(state=RowState.OPEN) & ~Q(work_item__status=WorkStatus.OPEN)
        | Q(state=RowState.RESOLVED) & ~Q(work_item__status=WorkStatus.RESOLVED)
        | Q(state__in=(RowState.MATCHED, RowState.REJECTED), work_item__isnull=False)
        | Q(state=RowState.MATCHED, person__isnull=True)
    ).values_list("pk", "list_id", "state")[:1000]
    out += [
        {"row": pk, "list": lst, "field": "state", "stored": state, "counted": "work item disagrees"}
        for pk, lst, state in wrong
    ]
    return out


def row_area_prefixes(user: User) -> list[str]:
    return grant_prefixes(user, Perm.SCREENING_VIEW)


__all__ = ["WorkReason"]

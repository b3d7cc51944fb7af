"""API of the headquarters: the notification inbox, supervised tasks (督办), accountability and the duty roster.

Every read is scoped to the caller's jurisdiction in the selectors; every write is audited by the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Router, Schema

from apps.accounts.http import AuthedRequest
from apps.command import notifications, selectors, tasks_service
from apps.common.apitypes import (
    Day,
    Id,
    InSchema,
    LongText,
    Moment,
    NoteText,
    PageNumber,
    PageSize,
    ShortText,
)
from apps.common.pagination import Page, paginate

router = Router(tags=["command"])


class CommandNotificationOut(Schema):
    id: int
    kind: str
    module: str
    severity: str
    title: str
    body: str
    link: str
    area_code: str | None
    source_ref: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    read: bool

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.shown_title())

    @staticmethod
    def resolve_body(obj: Any) -> str:
        return str(obj.shown_body())

    @staticmethod
    def resolve_area_code(obj: Any) -> str | None:
        return obj.area_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_read(obj: Any) -> bool:
        return bool(obj.is_read)


class CommandReadIn(InSchema):
    ids: list[Id] | None = None  # none: every unread notification


class CommandReadOut(Schema):
    marked: int
    unread: int


class CommandTaskOut(Schema):
    id: int
    title: str
    description: str
    area_code: str
    unit: str
    assignee_id: int | None
    unit_head_id: int | None
    assigned_by_id: int | None
    task_force: str
    priority: str
    due_at: dt.datetime
    evidence_required: str
    evidence: str
    status: str
    level: int
    source_ref: str
    link: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    reopened: int

    @staticmethod
    def resolve_area_code(obj: Any) -> str:
        return obj.area_id  # type: ignore[no-any-return]


class CommandTaskEventOut(Schema):
    at: dt.datetime
    kind: str
    actor_id: int | None
    note: str
    level: int


class CommandTaskDetailOut(CommandTaskOut):
    events: list[CommandTaskEventOut]

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.all())


class CommandTaskIn(InSchema):
    title: ShortText
    area_code: ShortText
    due_at: Moment
    description: LongText = ""
    unit: ShortText = ""
    assignee_id: Id | None = None
    unit_head_id: Id | None = None
    task_force: ShortText = ""
    priority: str = "normal"
    evidence_required: NoteText = ""


class CommandTaskStepIn(InSchema):
    note: NoteText = ""


class CommandTaskReopenIn(InSchema):
    note: NoteText
    due_at: Moment | None = None


class CommandTaskAcceptIn(InSchema):
    accept: bool = True
    note: NoteText = ""


class CommandAccountabilityIn(InSchema):
    area_code: ShortText
    what_happened: LongText
    responsible: ShortText
    decision: str = "pending"
    decision_note: NoteText = ""
    task_id: Id | None = None


class CommandAccountabilityOut(Schema):
    id: int
    area_code: str
    task_id: int | None
    what_happened: str
    responsible: str
    decision: str
    decision_note: str
    recorded_at: dt.datetime

    @staticmethod
    def resolve_area_code(obj: Any) -> str:
        return obj.area_id  # type: ignore[no-any-return]


class CommandDutyIn(InSchema):
    day: Day
    area_code: ShortText
    leader: ShortText
    deputy: ShortText = ""
    phone: ShortText = ""


class CommandDutyOut(Schema):
    day: dt.date
    area_code: str
    leader: str
    deputy: str
    phone: str

    @staticmethod
    def resolve_area_code(obj: Any) -> str:
        return obj.area_id  # type: ignore[no-any-return]


# ---- notifications ------------------------------------------------------------------------------------------------


@router.get("/notifications", response=Page[CommandNotificationOut])
def notification_list(
    request: AuthedRequest,
    module: str = "",
    severity: str = "",
    unread: bool = False,
    state: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    """Your inbox: every module's notifications addressed to you (by role and area, or by name), newest first."""
    qs = notifications.inbox(user=request.user, module=module, severity=severity, unread=unread, state=state)
    return paginate(qs, page, page_size)


@router.post("/notifications/read", response=CommandReadOut)
def notification_mark_read(request: AuthedRequest, body: CommandReadIn) -> Any:
    marked = notifications.mark_read(user=request.user, ids=body.ids)
    return {"marked": marked, "unread": notifications.unread_count(user=request.user)}


# ---- supervised tasks ---------------------------------------------------------------------------------------------


@router.get("/tasks", response=Page[CommandTaskOut])
def task_list(
    request: AuthedRequest,
    area: str = "",
    status: str = "",
    overdue: bool = False,
    source: str = "",
    priority: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    qs = selectors.tasks_list(
        user=request.user, area=area, status=status, overdue=overdue, source=source, priority=priority
    )
    return paginate(qs, page, page_size)


@router.get("/tasks/count", response=dict[str, int])
def task_count(
    request: AuthedRequest,
    area: str = "",
    status: str = "",
    overdue: bool = False,
    source: str = "",
    priority: str = "",
) -> Any:
    """How many tasks the list with the same filters holds (the dashboard's figures link here)."""
    qs = selectors.tasks_list(
        user=request.user, area=area, status=status, overdue=overdue, source=source, priority=priority
    )
    return {"count": qs.count()}


@router.post("/tasks", response={201: CommandTaskDetailOut})
def task_create(request: AuthedRequest, body: CommandTaskIn) -> Any:
    return 201, tasks_service.task_assign(actor=request.user, data=body.dict(), request=request)


@router.get("/tasks/{task_id}", response=CommandTaskDetailOut)
def task_detail(request: AuthedRequest, task_id: Id) -> Any:
    return selectors.task_get(user=request.user, pk=task_id)


@router.post("/tasks/{task_id}/progress", response=CommandTaskDetailOut)
def task_progress(request: AuthedRequest, task_id: Id, body: CommandTaskStepIn) -> Any:
    task = selectors.task_get(user=request.user, pk=task_id)
    return tasks_service.task_progress(actor=request.user, task=task, note=body.note, request=request)


@router.post("/tasks/{task_id}/submit", response=CommandTaskDetailOut)
def task_submit(request: AuthedRequest, task_id: Id, body: CommandTaskStepIn) -> Any:
    """Done: the evidence goes with it; the assigner then accepts (closes) or returns it."""
    task = selectors.task_get(user=request.user, pk=task_id)
    return tasks_service.task_submit(actor=request.user, task=task, evidence=body.note, request=request)


@router.post("/tasks/{task_id}/accept", response=CommandTaskDetailOut)
def task_accept(request: AuthedRequest, task_id: Id, body: CommandTaskAcceptIn) -> Any:
    task = selectors.task_get(user=request.user, pk=task_id)
    return tasks_service.task_accept(
        actor=request.user, task=task, accept=body.accept, note=body.note, request=request
    )


@router.post("/tasks/{task_id}/reopen", response=CommandTaskDetailOut)
def task_reopen(request: AuthedRequest, task_id: Id, body: CommandTaskReopenIn) -> Any:
    task = selectors.task_get(user=request.user, pk=task_id)
    return tasks_service.task_reopen(
        actor=request.user, task=task, note=body.note, due_at=body.due_at, request=request
    )


# ---- accountability and the duty roster ---------------------------------------------------------------------------


@router.get("/accountability", response=list[CommandAccountabilityOut])
def accountability_list(request: AuthedRequest, area: str = "") -> Any:
    """Restricted to the roles that decide on accountability; every read is audited."""
    return selectors.accountability_list(user=request.user, area=area, request=request)


@router.post("/accountability", response={201: CommandAccountabilityOut})
def accountability_create(request: AuthedRequest, body: CommandAccountabilityIn) -> Any:
    return 201, tasks_service.accountability_record(actor=request.user, data=body.dict(), request=request)


@router.get("/duty", response=list[CommandDutyOut])
def duty_list(request: AuthedRequest, start: Day | None = None, days: int = 14) -> Any:
    return selectors.duty_roster(
        user=request.user, start=start or timezone.localdate(), days=max(1, min(days, 62))
    )


@router.put("/duty", response=CommandDutyOut)
def duty_set(request: AuthedRequest, body: CommandDutyIn) -> Any:
    return tasks_service.duty_shift_set(
        actor=request.user,
        day=body.day,
        area_code=body.area_code,
        leader=body.leader,
        deputy=body.deputy,
        phone=body.phone,
        request=request,
    )


# ---- supplies -----------------------------------------------------------------------------------------------------


class CommandMovementIn(InSchema):
    client_id: ShortText
    warehouse_id: Id
    item_code: ShortText
    kind: str
    quantity: int
    note: NoteText = ""


class CommandMovementOut(Schema):
    id: int
    client_id: str
    warehouse_id: int
    item_code: str
    kind: str
    quantity: int
    at: dt.datetime

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return obj.item.code  # type: ignore[no-any-return]


class CommandStockOut(Schema):
    id: int
    warehouse_id: int
    warehouse: str
    area_code: str
    item_code: str
    item: str
    unit: str
    quantity: int
    threshold: int
    low: bool
    burn_per_day: float
    days_of_supply: float | None


@router.post("/supplies/movements", response={200: CommandMovementOut, 201: CommandMovementOut})
def supply_movement(request: AuthedRequest, body: CommandMovementIn) -> Any:
    """Record a stock movement; a retry with the same client id answers 200 with the stored one (idempotent), the
    same client id with another payload is a 409."""
    from apps.command import supplies

    data = body.dict()
    if not -(10**15) < data["quantity"] < 10**15:
        data["quantity"] = 0  # refused by the service with the field named
    movement, created = supplies.movement_record(actor=request.user, data=data, request=request)
    return (201 if created else 200), movement


@router.get("/supplies/stock", response=list[CommandStockOut])
def supply_stock(request: AuthedRequest, area: str = "", low: bool = False) -> Any:
    """Stock per warehouse and item, with the burn rate of the last 7 days and the days of supply left."""
    from apps.command import supplies

    levels = list(supplies.stock_levels(user=request.user, area=area, low=low)[:1000])
    burn = supplies.burn_rates(levels)
    return [
        {
            "id": lv.pk,
            "warehouse_id": lv.warehouse_id,
            "warehouse": lv.warehouse.name,
            "area_code": lv.warehouse.area_id,
            "item_code": lv.item.code,
            "item": lv.item.name,
            "unit": lv.item.unit,
            "quantity": lv.quantity,
            "threshold": lv.threshold,
            "low": bool(lv.threshold and lv.quantity < lv.threshold),
            "burn_per_day": round(burn[lv.pk], 2),
            "days_of_supply": supplies.days_of_supply(lv.quantity, burn[lv.pk]),
        }
        for lv in levels
    ]

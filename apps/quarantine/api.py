"""API of the quarantine app (/api/quarantine/): policies, sites and rooms, orders, stays, allocation, release,
check-ins, alerts, requests, capacity, and the citizen's own stay. Every read is jurisdiction-scoped, every
write audited by its service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from apps.accounts.choices import QUARANTINE_ORDER
from apps.accounts.http import AuthedRequest
from apps.accounts.scoping import has_perm_anywhere
from apps.common.apitypes import Id, InSchema, Moment, NoteText, PageNumber, PageSize, ShortText, Temperature
from apps.common.errors import NotFound
from apps.common.pagination import Page, paginate
from apps.people.models import Person
from apps.quarantine import daily, selectors, services, sites
from apps.quarantine.models import QuarantineAlert, QuarantineOrder, Room, Site, Stay, StayRequest

router = Router(tags=["quarantine"])


class QuarantinePolicyOut(Schema):
    code: str
    kind: str
    effective_from: dt.date
    phases: list[dict[str, Any]]
    test_days: list[int]
    release_test_window_days: int
    final_negative_tests: int


class QuarantineSiteOut(Schema):
    id: int
    name: str
    kind: str
    area_code: str
    address: str

    @staticmethod
    def resolve_area_code(obj: Site) -> str:
        return str(obj.area_id)


class QuarantineSiteIn(InSchema):
    name: ShortText
    area_code: ShortText
    kind: ShortText = "hotel"
    address: ShortText = ""
    phone: ShortText = ""


class QuarantineRoomOut(Schema):
    id: int
    site_id: int
    number: str
    floor: int
    type: str
    beds: int
    status: str


class QuarantineRoomStatusIn(InSchema):
    status: ShortText
    note: ShortText = ""


class QuarantineImportOut(Schema):
    total_rows: int
    sites_created: int
    rooms_created: int
    rooms_existing: int
    errors: list[dict[str, Any]]


class QuarantineOrderOut(Schema):
    id: int
    person_id: int
    person_name: str
    area_code: str
    source: str
    source_ref: str
    reason: str
    kind: str
    policy: str
    last_exposure: dt.datetime
    status: str
    stay_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_person_name(obj: QuarantineOrder) -> str:
        return str(obj.person.name_masked)

    @staticmethod
    def resolve_area_code(obj: QuarantineOrder) -> str:
        return str(obj.area_id)

    @staticmethod
    def resolve_policy(obj: QuarantineOrder) -> str:
        return str(obj.policy.code)


class QuarantineOrderIn(InSchema):
    person_id: Id
    source: ShortText = "manual"
    source_ref: ShortText
    last_exposure: Moment
    kind: ShortText = "centralised"
    policy_code: ShortText | None = None
    note: NoteText = ""


class QuarantineAcceptIn(InSchema):
    kind: ShortText | None = None
    policy_code: ShortText | None = None
    last_exposure: Moment | None = None
    note: NoteText = ""


class QuarantineNoteIn(InSchema):
    note: NoteText = ""


class QuarantineReasonIn(InSchema):
    reason: NoteText


class QuarantineStayOut(Schema):
    id: int
    person_id: int
    person_name: str
    area_code: str
    kind: str
    status: str
    site_id: int | None
    policy: str
    reason: str
    last_exposure: dt.datetime
    start_day: dt.date
    quarantine_end: dt.date
    planned_end: dt.date
    released_on: dt.date | None

    @staticmethod
    def resolve_person_name(obj: Stay) -> str:
        return str(obj.person.name_masked)

    @staticmethod
    def resolve_area_code(obj: Stay) -> str:
        return str(obj.area_id)

    @staticmethod
    def resolve_policy(obj: Stay) -> str:
        return str(obj.policy.code)


class QuarantineAllocateIn(InSchema):
    room_id: Id
    household: list[Id] = []  # further waiting stays of the same household, into the same room


class QuarantineTransferIn(InSchema):
    room_id: Id
    reason: NoteText


class QuarantineDecideIn(InSchema):
    approve: bool
    note: NoteText = ""


class QuarantineEarlyReleaseOut(Schema):
    id: int
    stay_id: int
    reason: str
    status: str


class QuarantineCheckInIn(InSchema):
    temperature: Temperature
    symptoms: bool = False
    note: ShortText = ""


class QuarantineCheckInOut(Schema):
    id: int
    stay_id: int
    day: dt.date
    slot: int
    temperature: float
    symptoms: bool


class QuarantineAlertOut(Schema):
    id: int
    stay_id: int
    kind: str
    status: str
    area_code: str
    raised_at: dt.datetime
    detail: str

    @staticmethod
    def resolve_area_code(obj: QuarantineAlert) -> str:
        return str(obj.area_id)


class QuarantineRequestIn(InSchema):
    kind: ShortText
    text: NoteText


class QuarantineRequestOut(Schema):
    id: int
    stay_id: int
    kind: str
    text: str
    status: str
    opened_at: dt.datetime
    due_at: dt.datetime
    escalation: int
    answer: str


class QuarantineAnswerIn(InSchema):
    answer: NoteText = ""


class QuarantineCapacityRow(Schema):
    key: str
    name: str
    rooms: int
    beds: int
    free: int
    occupied: int
    cleaning: int
    out_of_order: int
    in_quarantine: int
    released_today: int
    releases_soon: int


class QuarantineCapacityOut(Schema):
    total: dict[str, int]
    districts: list[QuarantineCapacityRow]
    sites: list[QuarantineCapacityRow]


class QuarantineMyStayOut(Schema):
    stay: QuarantineStayOut | None
    days_left: int | None
    next_test: dt.date | None


# --- policies, sites, rooms ----------------------------------------------------------------------------


@router.get("/policies", response=list[QuarantinePolicyOut])
def policies(request: AuthedRequest) -> Any:
    return list(selectors.policies_list())


@router.get("/sites", response=Page[QuarantineSiteOut])
def sites_list(
    request: AuthedRequest, area: ShortText = "", page: PageNumber = 1, page_size: PageSize = 50
) -> Any:
    return paginate(selectors.sites_list(user=request.user, area=area), page, page_size)


@router.post("/sites", response={201: QuarantineSiteOut})
def site_create(request: AuthedRequest, body: QuarantineSiteIn) -> Status:
    return Status(201, sites.site_create(actor=request.user, data=body.dict(), request=request))


@router.post("/sites/import", response=QuarantineImportOut)
def rooms_import(request: AuthedRequest, file: File[UploadedFile]) -> Any:
    """Sites and rooms from CSV/XLSX: one row per room; every bad row is reported with line, field and reason."""
    return sites.rooms_import(actor=request.user, data=file.read(), filename=file.name or "", request=request)


@router.get("/sites/{site_id}/rooms", response=list[QuarantineRoomOut])
def site_rooms(request: AuthedRequest, site_id: Id) -> Any:
    site = selectors.site_get(user=request.user, pk=site_id)
    return list(Room.objects.filter(site=site).order_by("floor", "number"))


@router.post("/rooms/{room_id}/status", response=QuarantineRoomOut)
def room_status(request: AuthedRequest, room_id: Id, body: QuarantineRoomStatusIn) -> Any:
    room = selectors.room_get(user=request.user, pk=room_id)
    return services.room_set_status(
        actor=request.user, room=room, to=body.status, note=body.note, request=request
    )


@router.get("/capacity", response=QuarantineCapacityOut)
def capacity(request: AuthedRequest, area: ShortText = "") -> Any:
    """Beds, occupancy and releases by district and by site; `area` drills down."""
    data = selectors.capacity(user=request.user, area=area)
    return {
        "total": data["total"],
        "districts": [{"key": code, "name": code, **row} for code, row in data["districts"]],
        "sites": [
            {"key": str(r["site"].pk), "name": r["site"].name, **{f: r[f] for f in data["fields"]}}
            for r in data["sites"]
        ],
    }


# --- orders ----------------------------------------------------------------------------------------------


@router.get("/orders", response=Page[QuarantineOrderOut])
def orders(
    request: AuthedRequest, status: ShortText = "", page: PageNumber = 1, page_size: PageSize = 50
) -> Any:
    return paginate(selectors.orders_list(user=request.user, status=status), page, page_size)


@router.post("/orders", response={201: QuarantineOrderOut})
def order_create(request: AuthedRequest, body: QuarantineOrderIn) -> Status:
    """An order by hand (a manual decision with its reason, or any other source the caller vouches for)."""
    person = Person.objects.visible_to(request.user, QUARANTINE_ORDER).filter(pk=body.person_id).first()
    if person is None or not has_perm_anywhere(request.user, QUARANTINE_ORDER):
        raise NotFound("not_found", "no such person in your jurisdiction")
    order = services.propose_order(
        person=person,
        source=body.source,
        source_ref=body.source_ref,
        last_exposure=body.last_exposure,
        kind=body.kind,
        policy_code=body.policy_code,
        actor=request.user,
        note=body.note,
        request=request,
    )
    return Status(201, order)


@router.post("/orders/{order_id}/accept", response=QuarantineStayOut)
def order_accept(request: AuthedRequest, order_id: Id, body: QuarantineAcceptIn) -> Any:
    order = selectors.order_get(user=request.user, pk=order_id)
    return services.accept_order(
        actor=request.user,
        order=order,
        kind=body.kind,
        policy_code=body.policy_code,
        last_exposure=body.last_exposure,
        note=body.note,
        request=request,
    )


@router.post("/orders/{order_id}/reject", response=QuarantineOrderOut)
def order_reject(request: AuthedRequest, order_id: Id, body: QuarantineNoteIn) -> Any:
    order = selectors.order_get(user=request.user, pk=order_id)
    return services.reject_order(actor=request.user, order=order, note=body.note, request=request)


# --- stays -----------------------------------------------------------------------------------------------


@router.get("/stays", response=Page[QuarantineStayOut])
def stays(
    request: AuthedRequest,
    status: ShortText = "",
    kind: ShortText = "",
    site: Id | None = None,
    area: ShortText = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    """Stays in your jurisdiction; `area` is an area-code prefix of the stay's area (a district, a street)."""
    qs = selectors.stays_list(user=request.user, status=status, kind=kind, site_id=site, area=area)
    return paginate(qs, page, page_size)


@router.get("/stays/{stay_id}", response=QuarantineStayOut)
def stay(request: AuthedRequest, stay_id: Id) -> Stay:
    return selectors.stay_get(user=request.user, pk=stay_id)


@router.post("/stays/{stay_id}/allocate", response=QuarantineStayOut)
def stay_allocate(request: AuthedRequest, stay_id: Id, body: QuarantineAllocateIn) -> Any:
    stays = [selectors.stay_get(user=request.user, pk=pk) for pk in [stay_id, *body.household][:12]]
    room = selectors.room_get(user=request.user, pk=body.room_id)
    services.allocate(actor=request.user, stays=stays, room=room, request=request)
    return selectors.stay_get(user=request.user, pk=stay_id)


@router.post("/stays/{stay_id}/transfer", response=QuarantineStayOut)
def stay_transfer(request: AuthedRequest, stay_id: Id, body: QuarantineTransferIn) -> Any:
    s = selectors.stay_get(user=request.user, pk=stay_id)
    room = selectors.room_get(user=request.user, pk=body.room_id)
    services.transfer(actor=request.user, stay=s, room=room, reason=body.reason, request=request)
    return selectors.stay_get(user=request.user, pk=stay_id)


@router.post("/stays/{stay_id}/release", response=QuarantineStayOut)
def stay_release(request: AuthedRequest, stay_id: Id) -> Any:
    """Release when the policy's rule holds; 409 `release_rule` names what is missing."""
    s = selectors.stay_get(user=request.user, pk=stay_id)
    services.release(actor=request.user, stay=s, request=request)
    return selectors.stay_get(user=request.user, pk=stay_id)


@router.post("/stays/{stay_id}/hospital", response=QuarantineStayOut)
def stay_hospital(request: AuthedRequest, stay_id: Id, body: QuarantineReasonIn) -> Any:
    s = selectors.stay_get(user=request.user, pk=stay_id)
    services.to_hospital(actor=request.user, stay=s, reason=body.reason, request=request)
    return selectors.stay_get(user=request.user, pk=stay_id)


@router.post("/stays/{stay_id}/early-release", response={201: QuarantineEarlyReleaseOut})
def stay_early_release(request: AuthedRequest, stay_id: Id, body: QuarantineReasonIn) -> Status:
    s = selectors.stay_get(user=request.user, pk=stay_id)
    return Status(
        201, services.early_release_request(actor=request.user, stay=s, reason=body.reason, request=request)
    )


@router.post("/early-releases/{ask_id}/decide", response=QuarantineEarlyReleaseOut)
def early_release_decide(request: AuthedRequest, ask_id: Id, body: QuarantineDecideIn) -> Any:
    from apps.quarantine.models import EarlyRelease

    ask = EarlyRelease.objects.filter(pk=ask_id, stay__in=selectors.stays_list(user=request.user)).first()
    if ask is None:
        raise NotFound("not_found", "no such early release in your jurisdiction")
    return services.early_release_decide(
        actor=request.user, ask=ask, approve=body.approve, note=body.note, request=request
    )


@router.post("/stays/{stay_id}/checkins", response={201: QuarantineCheckInOut})
def stay_checkin(request: AuthedRequest, stay_id: Id, body: QuarantineCheckInIn) -> Status:
    s = selectors.stay_get(user=request.user, pk=stay_id)
    return Status(
        201,
        daily.checkin_record(
            actor=request.user, stay=s, temperature=body.temperature, symptoms=body.symptoms, note=body.note
        ),
    )


# --- alerts and requests ---------------------------------------------------------------------------------


@router.get("/alerts", response=Page[QuarantineAlertOut])
def alerts(
    request: AuthedRequest,
    status: ShortText = "open",
    kind: ShortText = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Any:
    return paginate(selectors.alerts_list(user=request.user, status=status, kind=kind), page, page_size)


@router.post("/alerts/{alert_id}/close", response=QuarantineAlertOut)
def alert_close(request: AuthedRequest, alert_id: Id, body: QuarantineNoteIn) -> Any:
    alert = selectors.alert_get(user=request.user, pk=alert_id)
    return daily.alert_close(actor=request.user, alert=alert, note=body.note)


@router.get("/requests", response=Page[QuarantineRequestOut])
def requests(
    request: AuthedRequest, status: ShortText = "open", page: PageNumber = 1, page_size: PageSize = 50
) -> Any:
    return paginate(selectors.requests_list(user=request.user, status=status), page, page_size)


@router.post("/requests/{request_id}/done", response=QuarantineRequestOut)
def request_done(request: AuthedRequest, request_id: Id, body: QuarantineAnswerIn) -> StayRequest:
    req = selectors.request_get(user=request.user, pk=request_id)
    return daily.request_done(actor=request.user, req=req, answer=body.answer)


# --- the citizen's own stay ------------------------------------------------------------------------------


def _own_stay(request: AuthedRequest) -> Stay:
    s = selectors.my_stay(person_id=getattr(request.user, "person_id", None))
    if s is None:
        raise NotFound("no_stay", "you are not in quarantine")
    return s


@router.get("/me", response=QuarantineMyStayOut)
def my_stay(request: AuthedRequest) -> dict[str, Any]:
    """The citizen's stay: days left, the next test."""
    s = selectors.my_stay(person_id=getattr(request.user, "person_id", None))
    if s is None:
        return {"stay": None, "days_left": None, "next_test": None}
    from django.utils import timezone

    return {
        "stay": s,
        "days_left": max((s.quarantine_end - timezone.localdate()).days, 0),
        "next_test": selectors.next_test_day(s),
    }


@router.post("/me/checkins", response={201: QuarantineCheckInOut})
def my_checkin(request: AuthedRequest, body: QuarantineCheckInIn) -> Status:
    s = _own_stay(request)
    return Status(
        201,
        daily.checkin_record(
            actor=request.user,
            stay=s,
            temperature=body.temperature,
            symptoms=body.symptoms,
            note=body.note,
            by_person=True,
        ),
    )


@router.post("/me/requests", response={201: QuarantineRequestOut})
def my_request(request: AuthedRequest, body: QuarantineRequestIn) -> Status:
    s = _own_stay(request)
    return Status(
        201, daily.request_open(actor=request.user, stay=s, kind=body.kind, text=body.text, by_person=True)
    )

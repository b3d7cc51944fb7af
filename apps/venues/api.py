"""API of the venues app: venues, their codes, batch scan upload, citizen check-in, scan logs, alerts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone
from ninja import Router, Schema, Status

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.accounts.scoping import has_perm_anywhere
from apps.common.apitypes import (
    Count,
    Id,
    InSchema,
    Latitude,
    Longitude,
    Moment,
    PageNumber,
    PageSize,
    Percent,
)
from apps.common.errors import Forbidden, NotFound, ValidationFailed
from apps.common.pagination import Page, paginate
from apps.venues import selectors, services
from apps.venues.models import Venue
from core import signing

router = Router(tags=["venues"])


class VenueOut(Schema):
    id: int
    ref: uuid.UUID
    name: str
    category: str
    area_code: str
    address: str
    capacity: int | None
    status: str
    limit_percent: int | None
    lat: float | None
    lon: float | None

    @staticmethod
    def resolve_area_code(obj: Venue) -> str:
        return str(obj.area_id)


class VenueIn(InSchema):
    name: str
    category: str
    area_code: str
    address: str = ""
    capacity: Count | None = None
    status: str = "open"
    limit_percent: Percent | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None


class ScanOut(Schema):
    id: int
    person_id: int
    person_name: str
    venue_id: int
    venue_name: str
    scanned_at: dt.datetime
    temperature: float | None
    colour: str
    device_id: str

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.person.name_masked)

    @staticmethod
    def resolve_venue_name(obj: Any) -> str:
        return str(obj.venue.name)


class BatchIn(InSchema):
    device_id: str = ""
    scans: list[dict[str, Any]]


class BatchOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[dict[str, Any]]
    alerts: int


class VenueCheckInIn(InSchema):
    venue_code: str
    client_id: str
    scanned_at: Moment | None = None


class ScanAlertOut(Schema):
    id: int
    kind: str
    status: str
    person_id: int
    person_name: str
    venue_id: int
    venue_name: str
    venue_area: str
    residence_area: str
    occurred_at: dt.datetime
    temperature: float | None
    colour: str

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.person.name_masked)

    @staticmethod
    def resolve_venue_name(obj: Any) -> str:
        return str(obj.venue.name)

    @staticmethod
    def resolve_venue_area(obj: Any) -> str:
        return str(obj.venue_area_id)

    @staticmethod
    def resolve_residence_area(obj: Any) -> str:
        return str(obj.residence_area_id)


@router.get("/", response=Page[VenueOut])
def venues(
    request: AuthedRequest,
    area: str = "",
    category: str = "",
    q: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict[str, Any]:
    qs = selectors.venues_list(user=request.user, area=area, category=category, query=q)
    return paginate(qs, page, page_size)


@router.post("/", response={201: VenueOut})
def venue_create(request: AuthedRequest, body: VenueIn) -> Status:
    return Status(201, services.venue_create(actor=request.user, data=body.dict(), request=request))


@router.get("/scans", response=Page[ScanOut])
def scans(
    request: AuthedRequest,
    venue: Id | None = None,
    person: Id | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict[str, Any]:
    qs = selectors.scans_list(user=request.user, venue_id=venue, person_id=person)
    return paginate(qs, page, page_size)


@router.post("/scans/batch", response=BatchOut)
def scans_batch(request: AuthedRequest, body: BatchIn) -> services.IngestResult:
    """A device's batch of scans; idempotent by client_id; bad scans are reported one by one."""
    if not has_perm_anywhere(request.user, Perm.SCAN_UPLOAD):
        raise Forbidden("forbidden", "only checkpoint operators upload scans")
    if len(body.scans) > 5000:
        raise ValidationFailed("batch_too_large", "at most 5,000 scans per batch")
    return services.scans_ingest(actor=request.user, scans=body.scans, device_id=body.device_id)


@router.post("/checkin", response=BatchOut)
def citizen_checkin(request: AuthedRequest, body: VenueCheckInIn) -> services.IngestResult:
    """A citizen scans a venue code (场所码) to record the visit."""
    person_id = getattr(request.user, "person_id", None)
    if person_id is None:
        raise NotFound("no_person", "this account is not linked to a person")
    from apps.codes.keys import public_keys

    verdict = signing.verify(
        body.venue_code, public_keys(), timezone.now(), expected_kind=signing.CodeKind.VENUE
    )
    if not verdict.ok or verdict.payload is None:
        raise ValidationFailed("bad_venue_code", verdict.message_en, [{"status": verdict.status.value}])
    scan = {
        "client_id": body.client_id,
        "venue": str(verdict.payload.ref),
        "scanned_at": (body.scanned_at or timezone.now()).isoformat(),
    }
    return services.scans_ingest(actor=request.user, scans=[scan], citizen_person_id=person_id)


@router.get("/alerts", response=Page[ScanAlertOut])
def alerts(
    request: AuthedRequest, status: str = "", area: str = "", page: PageNumber = 1, page_size: PageSize = 50
) -> dict[str, Any]:
    return paginate(selectors.alerts_list(user=request.user, status=status, area=area), page, page_size)


@router.post("/alerts/{alert_id}/acknowledge", response=ScanAlertOut)
def alert_ack(request: AuthedRequest, alert_id: Id, close: bool = False) -> Any:
    alert = selectors.alert_get(user=request.user, pk=alert_id)
    return services.alert_acknowledge(actor=request.user, alert=alert, close=close)


@router.get("/{venue_id}", response=VenueOut)
def venue(request: AuthedRequest, venue_id: Id) -> Venue:
    return selectors.venue_get(user=request.user, pk=venue_id)


@router.get("/{venue_id}/code", response=dict[str, str])
def venue_code(request: AuthedRequest, venue_id: Id) -> dict[str, str]:
    """The venue's signed check-in code text (for printing as a QR poster)."""
    v = selectors.venue_get(user=request.user, pk=venue_id)
    return {"code": services.venue_qr_text(venue=v)}

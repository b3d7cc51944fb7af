"""API of the arrivals app: travellers and their loop, port screening, manifests, EU DCC, trust lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.arrivals import screening, selectors, services, trust
from apps.arrivals.choices import OriginKind, OriginRisk, Transport
from apps.arrivals.manifests import TripInfo, manifest_import
from apps.arrivals.models import ForeignTrustList, ManifestImport, Traveller, TravellerEvent
from apps.common.apitypes import (
    Id,
    InSchema,
    LongText,
    Moment,
    NoteText,
    PageNumber,
    PageSize,
    ShortText,
    Temperature,
    column_mapping,
)
from apps.common.errors import Forbidden, NotFound, ValidationFailed
from apps.common.pagination import Page, paginate

router = Router(tags=["arrivals"])


class ArrivalTravellerOut(Schema):
    id: int
    person_id: int
    person_name: str
    origin_kind: str
    origin_country: str
    origin_area: str
    origin_risk: str
    transport: str
    transport_no: str
    arrived_at: dt.datetime
    port_area: str
    destination_area: str
    stage: str
    stage_due_at: dt.datetime | None
    owner_role: str
    overdue_level: int
    classification: dict[str, Any]
    handoff: str

    @staticmethod
    def resolve_person_name(obj: Traveller) -> str:
        return str(obj.person.name_masked)

    @staticmethod
    def resolve_port_area(obj: Traveller) -> str:
        return str(obj.port_area_id)

    @staticmethod
    def resolve_destination_area(obj: Traveller) -> str:
        return str(obj.destination_area_id)


class ArrivalEventOut(Schema):
    from_stage: str
    to_stage: str
    at: dt.datetime
    evidence: dict[str, str]
    note: str


class ArrivalScreeningOut(Schema):
    at: dt.datetime
    temperature: float | None
    symptoms: bool
    sampled: bool
    certificate_verdict: str
    certificate_reason: str
    certificate_summary: dict[str, Any]


class ArrivalTrailOut(Schema):
    traveller: ArrivalTravellerOut
    events: list[ArrivalEventOut]
    screenings: list[ArrivalScreeningOut]


class ArrivalRegisterIn(InSchema):
    client_id: str
    name: str
    doc_type: str = "passport"
    doc_number: str
    nationality: str = ""
    phone: str = ""
    origin_kind: str
    origin_country: str = ""
    origin_area: str = ""
    origin_risk: str = "low"
    transport: str
    transport_no: str = ""
    arrived_at: Moment
    port_area: str
    destination_area: str


class ArrivalAdvanceIn(InSchema):
    to: str
    evidence: dict[str, str] = {}
    note: NoteText = ""


class ArrivalScreenIn(InSchema):
    temperature: Temperature | None = None
    symptoms: bool = False
    sampled: bool = False
    sample_id: str = ""
    certificate: LongText = ""
    classify: bool = True
    positive: bool = False


class ArrivalScreenOut(Schema):
    verdict: str
    reason: str
    summary: dict[str, Any]
    traveller: ArrivalTravellerOut


class ArrivalBoardOut(Schema):
    arrived: int
    closed: int
    in_loop: int
    reconciles: bool
    by_stage: dict[str, int]
    overdue_by_stage: dict[str, int]
    by_owner: list[dict[str, Any]]
    by_day: list[dict[str, Any]]


class ArrivalManifestOut(Schema):
    id: int
    trip_id: int
    filename: str
    total_rows: int
    matched: int
    persons_created: int
    travellers_created: int
    errors: list[dict[str, Any]]


class ArrivalDccIn(InSchema):
    text: LongText


class ArrivalDccOut(Schema):
    verdict: str
    reason: str
    summary: dict[str, Any]


class ArrivalTrustListOut(Schema):
    id: int
    issuer_area: str
    issuer_name: str
    root_kid: str
    valid_until: dt.datetime
    retired_at: dt.datetime | None
    keys: int

    @staticmethod
    def resolve_keys(obj: ForeignTrustList) -> int:
        return obj.keys.filter(revoked_at__isnull=True).count()


def _traveller(request: AuthedRequest, traveller_id: int) -> Traveller:
    found = (
        selectors.travellers_visible(user=request.user)
        .select_related("person")
        .filter(pk=traveller_id)
        .first()
    )
    if found is None:
        raise NotFound("not_found", "no such traveller")
    return found


def _require_change(request: AuthedRequest, traveller: Traveller) -> None:
    if not (
        has_perm_at(request.user, Perm.ARRIVAL_CHANGE, str(traveller.port_area_id))
        or has_perm_at(request.user, Perm.ARRIVAL_CHANGE, str(traveller.destination_area_id))
    ):
        raise Forbidden("forbidden", "you may not change this traveller")


def _require_trust(request: AuthedRequest) -> None:
    if not has_perm_anywhere(request.user, Perm.TRUST_MANAGE):
        raise Forbidden("forbidden", "only trust-list managers may do this")


@router.get("/travellers", response=Page[ArrivalTravellerOut])
def travellers(
    request: AuthedRequest,
    stage: ShortText = "",
    overdue: bool = False,
    in_loop: bool = False,
    area: ShortText = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict[str, Any]:
    """Inbound travellers bound for or screened in your jurisdiction, overdue stages first; `overdue` keeps those
    past their stage's deadline, `in_loop` those not yet closed, `area` a destination area-code prefix."""
    qs = selectors.travellers_list(user=request.user, stage=stage, overdue=overdue, in_loop=in_loop, area=area)
    return paginate(qs.select_related("person"), page, page_size)


@router.post("/travellers", response={201: ArrivalTravellerOut})
def traveller_register(request: AuthedRequest, body: ArrivalRegisterIn) -> tuple[int, Traveller]:
    """Register one traveller (idempotent by client_id); the person is matched by document or created."""
    if not has_perm_at(request.user, Perm.ARRIVAL_CHANGE, body.port_area):
        raise Forbidden("forbidden", "you may not register travellers at this port")
    bad = [
        {"field": f, "message": "unknown value"}
        for f, value, allowed in (
            ("origin_kind", body.origin_kind, OriginKind.values),
            ("origin_risk", body.origin_risk, OriginRisk.values),
            ("transport", body.transport, Transport.values),
        )
        if value not in allowed
    ]
    if bad or not body.client_id.strip() or len(body.client_id) > 80:
        raise ValidationFailed(
            "invalid_traveller", "the traveller record has errors", bad or [{"field": "client_id"}]
        )
    person, _ = services.traveller_person(
        data={
            "name": body.name,
            "doc_type": body.doc_type,
            "doc_number": body.doc_number,
            "nationality": body.nationality,
            "phone": body.phone,
            "area_code": body.destination_area,
        }
    )
    traveller, _ = services.traveller_register(
        actor=request.user,
        person=person,
        source_ref=f"api:{body.client_id.strip()}",
        origin_kind=body.origin_kind,
        origin_country=body.origin_country,
        origin_area=body.origin_area,
        origin_risk=body.origin_risk,
        transport=body.transport,
        transport_no=body.transport_no,
        arrived_at=body.arrived_at,
        port_area_id=body.port_area,
        destination_area_id=str(person.area_id),
    )
    return 201, Traveller.objects.select_related("person").get(pk=traveller.pk)


@router.get("/travellers/{traveller_id}", response=ArrivalTrailOut)
def traveller_trail(request: AuthedRequest, traveller_id: Id) -> dict[str, Any]:
    """The whole trail: every step with its evidence, every screening."""
    traveller = _traveller(request, traveller_id)
    return {
        "traveller": traveller,
        "events": list(TravellerEvent.objects.filter(traveller=traveller)),
        "screenings": list(traveller.screenings.all()),
    }


@router.post("/travellers/{traveller_id}/advance", response=ArrivalTravellerOut)
def traveller_advance(request: AuthedRequest, traveller_id: Id, body: ArrivalAdvanceIn) -> Traveller:
    """Close the current stage and open the next (stage owner only, with the stage's evidence)."""
    traveller = _traveller(request, traveller_id)
    services.traveller_advance(
        actor=request.user, traveller=traveller, to=body.to, evidence=body.evidence, note=body.note
    )
    return _traveller(request, traveller_id)


@router.post("/travellers/{traveller_id}/screen", response=ArrivalScreenOut)
def traveller_screen(request: AuthedRequest, traveller_id: Id, body: ArrivalScreenIn) -> dict[str, Any]:
    """Port screening: temperature, symptoms, sampling, the certificate's verdict; then classification."""
    traveller = _traveller(request, traveller_id)
    _require_change(request, traveller)
    record, result = screening.traveller_screen(
        actor=request.user,
        traveller=traveller,
        temperature=body.temperature,
        symptoms=body.symptoms,
        sampled=body.sampled,
        sample_id=body.sample_id,
        certificate=body.certificate,
    )
    if body.classify:
        services.traveller_classify(
            actor=request.user,
            traveller=traveller,
            positive=body.positive,
            symptomatic=screening.is_febrile(record),
        )
    return {
        "verdict": result.verdict.value if result else "",
        "reason": result.reason if result else "",
        "summary": record.certificate_summary,
        "traveller": _traveller(request, traveller_id),
    }


@router.get("/board", response=ArrivalBoardOut)
def board(request: AuthedRequest) -> dict[str, Any]:
    """The loop board: counts per stage, owner and day of arrival that reconcile with arrivals."""
    if not has_perm_anywhere(request.user, Perm.ARRIVAL_VIEW):
        raise Forbidden("forbidden", "you may not see the loop board")
    b = selectors.loop_board(user=request.user)
    return {
        "arrived": b.arrived,
        "closed": b.closed,
        "in_loop": b.in_loop,
        "reconciles": b.reconciles(),
        "by_stage": {s.value: n for s, n in b.by_stage.items()},
        "overdue_by_stage": {s.value: n for s, n in b.overdue_by_stage.items()},
        "by_owner": [{"owner": o, "stage": s.value, "count": n} for (o, s), n in sorted(b.by_owner.items())],
        "by_day": [
            {"day": d.isoformat(), "stage": s.value, "count": n} for (d, s), n in sorted(b.by_day.items())
        ],
    }


@router.post("/manifests", response={201: ArrivalManifestOut})
def manifest_upload(
    request: AuthedRequest,
    file: File[UploadedFile],
    mode: Form[str],
    number: Form[str],
    departs_at: Form[Moment],
    arrives_at: Form[Moment],
    origin: Form[str],
    origin_kind: Form[str],
    port_area: Form[str],
    origin_country: Form[str] = "",
    origin_risk: Form[str] = "low",
    mapping: Form[str] = "",
) -> tuple[int, ManifestImport]:
    """Import a flight or train manifest (CSV/XLSX): every bad row reported with its line; re-import is idempotent."""
    if not has_perm_at(request.user, Perm.ARRIVAL_CHANGE, port_area):
        raise Forbidden("forbidden", "you may not import manifests for this port")
    info = TripInfo(
        mode, number, departs_at, arrives_at, origin, origin_kind, origin_country, origin_risk, port_area
    )
    report = manifest_import(
        actor=request.user,
        data=file.read(),
        filename=file.name or "manifest.csv",
        trip=info,
        mapping=column_mapping(mapping),
    )
    return 201, report


@router.get("/manifests/{manifest_id}", response=ArrivalManifestOut)
def manifest_report(request: AuthedRequest, manifest_id: Id) -> ManifestImport:
    found = ManifestImport.objects.filter(pk=manifest_id, uploaded_by=request.user).first()
    if found is None:
        raise NotFound("not_found", "no such manifest import")
    return found


@router.post("/dcc/verify", response=ArrivalDccOut)
def dcc_verify(request: AuthedRequest, body: ArrivalDccIn) -> dict[str, Any]:
    """Verify an EU Digital COVID Certificate (HC1:…) against the imported document signers."""
    if not has_perm_anywhere(request.user, Perm.ARRIVAL_CHANGE):
        raise Forbidden("forbidden", "port staff only")
    result = screening.verify_certificate(body.text)
    return {
        "verdict": result.verdict.value,
        "reason": result.reason,
        "summary": screening.certificate_summary(result),
    }


@router.post("/dcc/signers", response=dict[str, Any])
def dcc_signers_import(request: AuthedRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Import EU DCC document signers (the gateway's list: kid, country, rawData)."""
    _require_trust(request)
    return screening.dcc_signers_import(actor=request.user, data=file.read())


@router.get("/trust/published", auth=None, response=dict[str, Any])
def trust_published(request: Any) -> dict[str, Any]:
    """This instance's code-verification keys, signed by its root key, for other cities to import."""
    return trust.published_trust_list()


@router.get("/trust/keys", auth=None, response=dict[str, Any])
def trust_keys(request: Any) -> dict[str, Any]:
    """Every key a checkpoint accepts offline: ours and the active keys of imported cities."""
    return trust.code_keys_document()


@router.get("/trust/lists", response=list[ArrivalTrustListOut])
def trust_lists(request: AuthedRequest) -> list[ForeignTrustList]:
    _require_trust(request)
    return list(ForeignTrustList.objects.prefetch_related(Prefetch("keys")))


@router.post("/trust/lists", response={201: ArrivalTrustListOut})
def trust_list_upload(
    request: AuthedRequest, file: File[UploadedFile], root_fingerprint: Form[str] = ""
) -> tuple[int, ForeignTrustList]:
    """Import another city's trust list; the first import of a city needs its root key's fingerprint."""
    _require_trust(request)
    return 201, trust.trust_list_import(
        actor=request.user, data=file.read(), root_fingerprint=root_fingerprint
    )


@router.post("/trust/lists/{list_id}/retire", response=ArrivalTrustListOut)
def trust_list_retire(request: AuthedRequest, list_id: Id) -> ForeignTrustList:
    _require_trust(request)
    found = ForeignTrustList.objects.filter(pk=list_id).first()
    if found is None:
        raise NotFound("not_found", "no such trust list")
    return trust.trust_list_retire(actor=request.user, trust_list=found)


@router.post("/trust/keys/{kid}/revoke", response=dict[str, Any])
def trust_key_revoke(request: AuthedRequest, kid: str) -> dict[str, Any]:
    _require_trust(request)
    key = trust.key_revoke(actor=request.user, kid=kid[:64])
    return {"kid": key.kid, "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None}

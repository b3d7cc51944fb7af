"""API of the health-code app: public keys, online verify, my code, codes by person, overrides, rules, counts."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.accounts.scoping import has_perm_anywhere
from apps.codes import selectors, services
from apps.codes.keys import public_keys, public_keys_document
from apps.codes.models import HealthCode, RuleSetVersion
from apps.common.apitypes import AreaCodeLength, Day, Id, InSchema, Moment, Temperature
from apps.common.errors import Forbidden, NotFound
from apps.people.models import Person
from apps.people.pii import person_refs
from core import signing

router = Router(tags=["codes"])

_KEYS_CACHE: dict[str, Any] = {"at": 0.0, "keys": None}
_KEYS_TTL = 30.0


def _cached_keys() -> dict[str, signing.PublicKeyInfo]:
    # Keys change only on rotation; a checkpoint storm must not read them from the database per request.
    if _KEYS_CACHE["keys"] is None or time.monotonic() - _KEYS_CACHE["at"] > _KEYS_TTL:
        _KEYS_CACHE["keys"] = public_keys()
        _KEYS_CACHE["at"] = time.monotonic()
    keys: dict[str, signing.PublicKeyInfo] = _KEYS_CACHE["keys"]
    return keys


_VERIFIERS: dict[tuple[int, Any], tuple[float, bool]] = {}
_VERIFIERS_TTL = 30.0


def _may_verify(user: Any) -> bool:
    # The token is checked on every request; whether its user may verify is remembered for 30 s per process,
    # so a checkpoint's stream of checks costs one query less each (a revoked role applies within 30 s).
    if not user.is_authenticated:
        return False
    now = time.monotonic()
    key = (user.pk, user.date_joined)  # a pk alone could be reused by a later account
    hit = _VERIFIERS.get(key)
    if hit is None or now - hit[0] > _VERIFIERS_TTL:
        if len(_VERIFIERS) > 10_000:
            _VERIFIERS.clear()
        hit = (now, has_perm_anywhere(user, Perm.CODE_VERIFY))
        _VERIFIERS[key] = hit
    return hit[1]


class CodeReasonOut(Schema):
    code: str
    colour: str
    zh: str
    en: str
    until: str | None


class OverrideOut(Schema):
    id: int
    person_id: int
    colour: str
    reason: str
    valid_until: dt.datetime
    status: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_requested_by(obj: Any) -> str:
        return str(obj.requested_by.username)

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class CodeOut(Schema):
    person_id: int
    colour: str
    computed_colour: str
    reasons: list[CodeReasonOut]
    changes_on: dt.date | None
    ruleset_version: str
    override: OverrideOut | None
    computed_at: dt.datetime


class MyCodeOut(CodeOut):
    qr: str
    expires_at: dt.datetime


class VerifyIn(InSchema):
    code: str


class VerifyOut(Schema):
    status: str
    ok: bool
    message_zh: str
    message_en: str
    person_ref: int | str | None = None  # the opaque reference the code carries, never the database id
    colour: str | None = None
    issued_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    current_colour: str | None = None
    colour_changed: bool = False


class OverrideIn(InSchema):
    person_id: Id
    colour: str
    reason: str
    valid_until: Moment


class DecisionIn(InSchema):
    approve: bool
    note: str = ""


class RuleSetIn(InSchema):
    params: dict[str, Any]
    note: str = ""


class RuleSetOut(Schema):
    version: str
    effective_from: dt.date
    params: dict[str, Any]
    note: str


class DeclarationIn(InSchema):
    symptoms: bool = False
    arrived_on: Day | None = None
    arrived_from: str = ""
    arrived_from_risk: str = "low"
    note: str = ""


class HealthCheckInIn(InSchema):
    temperature: Temperature | None = None
    symptoms: bool = False


class CountOut(Schema):
    area: str
    green: int
    yellow: int
    red: int
    total: int


@router.get("/keys", auth=None, response=dict[str, Any])
def keys(request: HttpRequest) -> dict[str, Any]:
    """The published public keys (Ed25519, raw, base64url) that checkpoint devices cache for offline checks."""
    return public_keys_document()


@router.get("/ping", response=dict[str, Any])
def ping(request: AuthedRequest) -> dict[str, Any]:
    """For devices: is the server reachable and the token still valid (the cheapest authenticated call)."""
    return {"ok": True, "time": timezone.now()}


@router.post("/verify", response=VerifyOut)
def verify(request: AuthedRequest, body: VerifyIn) -> dict[str, Any]:
    """Online fallback: the verdict, and the person's current colour if it changed since the code was issued."""
    if not _may_verify(request.user):
        raise Forbidden("forbidden", "only checkpoint operators and officers verify codes")
    verdict = signing.verify(body.code, _cached_keys(), timezone.now(), expected_kind=signing.CodeKind.HEALTH)
    out: dict[str, Any] = {
        "status": verdict.status.value,
        "ok": verdict.ok,
        "message_zh": verdict.message_zh,
        "message_en": verdict.message_en,
    }
    p = verdict.payload
    if p is not None and verdict.status in (signing.VerdictStatus.VALID, signing.VerdictStatus.EXPIRED):
        out.update(
            person_ref=p.ref,
            colour=p.colour.value if p.colour else None,
            issued_at=p.issued_at_utc,
            expires_at=p.expires_at_utc,
        )
        person_id = person_refs().decode(p.ref)
        current = selectors.current_colour(person_id) if person_id is not None else None
        if current is not None:
            out["current_colour"] = current
            out["colour_changed"] = p.colour is not None and current != p.colour.value
    return out


def _my_person(request: AuthedRequest) -> Person:
    person_id = getattr(request.user, "person_id", None)
    if person_id is None:
        raise NotFound("no_person", "this account is not linked to a person")
    return Person.objects.get(pk=person_id)


def _code_dict(code: HealthCode) -> dict[str, Any]:
    return {
        "person_id": code.person_id,
        "colour": code.colour,
        "computed_colour": code.computed_colour,
        "reasons": code.reasons,
        "changes_on": code.changes_on,
        "ruleset_version": code.ruleset_version,
        "override": code.override,
        "computed_at": code.computed_at,
    }


@router.get("/me", response=MyCodeOut)
def my_code(request: AuthedRequest) -> dict[str, Any]:
    """The signed-in citizen's code with fresh QR text."""
    code = services.code_for(_my_person(request))
    qr, expires = services.code_issue_qr(code=code)
    return {**_code_dict(code), "qr": qr, "expires_at": expires}


@router.post("/me/declarations", response={201: dict[str, Any]})
def declare(request: AuthedRequest, body: DeclarationIn) -> Status:
    d = services.declaration_submit(person=_my_person(request), **body.dict())
    return Status(201, {"id": d.pk, "declared_on": d.declared_on.isoformat()})


@router.post("/me/checkins", response={201: dict[str, Any]})
def checkin(request: AuthedRequest, body: HealthCheckInIn) -> Status:
    c = services.checkin_submit(
        person=_my_person(request), temperature=body.temperature, symptoms=body.symptoms
    )
    return Status(201, {"id": c.pk, "day": c.day.isoformat()})


@router.get("/persons/{person_id}", response=CodeOut)
def person_code(request: AuthedRequest, person_id: Id) -> dict[str, Any]:
    return _code_dict(selectors.code_of_person(user=request.user, person_id=person_id))


@router.get("/counts", response=list[CountOut])
def counts(request: AuthedRequest, area: str = "", level: AreaCodeLength = 6) -> list[dict[str, object]]:
    """Colour counts by area (district: level=6, street: 9, community: 12) in the caller's jurisdiction."""
    return selectors.colour_counts(user=request.user, area=area, level_digits=level)


@router.get("/overrides", response=list[OverrideOut])
def overrides(request: AuthedRequest, status: str = "") -> Any:
    return list(selectors.overrides_list(user=request.user, status=status)[:200])


@router.post("/overrides", response={201: OverrideOut})
def override_request(request: AuthedRequest, body: OverrideIn) -> Status:
    user = request.user
    if not has_perm_anywhere(user, Perm.CODE_OVERRIDE):
        raise Forbidden("forbidden", "you may not override codes")
    # Looked up within the jurisdiction: another district's person and a missing one get the same answer.
    person = Person.objects.visible_to(user, Perm.CODE_OVERRIDE).filter(pk=body.person_id).first()
    if person is None:
        raise NotFound("not_found", "no such person in your jurisdiction")
    o = services.override_request(
        actor=request.user,
        person=person,
        colour=body.colour,
        reason=body.reason,
        valid_until=body.valid_until,
        request=request,
    )
    return Status(201, o)


@router.post("/overrides/{override_id}/decision", response=OverrideOut)
def override_decide(request: AuthedRequest, override_id: Id, body: DecisionIn) -> Any:
    o = selectors.override_get(user=request.user, pk=override_id)
    return services.override_decide(
        actor=request.user,
        override=o,
        approve=body.approve,
        note=body.note,
        request=request,
    )


@router.get("/rulesets", response=list[RuleSetOut])
def rulesets(request: AuthedRequest) -> Any:
    return list(RuleSetVersion.objects.all())


@router.post("/rulesets", response={201: RuleSetOut})
def ruleset_create(request: AuthedRequest, body: RuleSetIn) -> Status:
    row = services.ruleset_create(actor=request.user, params=body.params, note=body.note, request=request)
    return Status(201, row)

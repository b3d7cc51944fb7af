"""Writes of the arrivals app: register travellers, move them through the loop, hand them to quarantine, alert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction
from apps.accounts.models import RoleGrant, User
from apps.arrivals.choices import Handoff, Stage
from apps.arrivals.models import ArrivalRuleSet, StageAlert, Traveller, TravellerEvent
from apps.common.errors import Forbidden, ServiceError, ValidationFailed
from apps.geo.selectors import all_area_codes
from apps.people import pii
from apps.people.models import Person
from apps.people.services import person_columns
from core import arrival_rules, geocodes
from core import arrivals_loop as loop
from core.persons import clean_person

QUARANTINE_APP = "apps.quarantine"
QUARANTINE_KINDS = ("centralised", "home", "home_monitoring")


def stage_spans() -> dict[loop.Stage, dt.timedelta]:
    """Stage durations: core's defaults, overridden per stage by ``TONGCHOU_ARRIVAL_STAGE_HOURS``."""
    return loop.durations(getattr(settings, "TONGCHOU_ARRIVAL_STAGE_HOURS", None))


def escalate_after() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "TONGCHOU_ARRIVAL_ESCALATE_HOURS", 12)))


def enter_stage(traveller: Traveller, stage: str, now: dt.datetime) -> None:
    """Open ``stage`` at ``now``: its deadline and owner (a traveller's first stage also dates the arrival)."""
    core_stage = loop.Stage(stage)
    if traveller.arrived_at is not None and getattr(traveller, "arrival_day", None) is None:
        traveller.arrival_day = timezone.localtime(traveller.arrived_at).date()
    traveller.stage = stage
    traveller.stage_entered_at = now
    traveller.stage_due_at = loop.deadline(core_stage, now, stage_spans())
    traveller.overdue_level = 0
    if core_stage is loop.Stage.CLOSED:
        traveller.owner_role, traveller.owner_area_id = "", None
    else:
        role, where = loop.OWNERS[core_stage]
        traveller.owner_role = role
        traveller.owner_area_id = traveller.port_area_id if where == "port" else traveller.destination_area_id


# --------------------------------------------------------------------------- persons


def traveller_person(*, data: Mapping[str, str]) -> tuple[Person, bool]:
    """The registry's person with this document (by its keyed hash), or a new one; (person, created).

    ``data`` has the people app's fields (name, doc_type, doc_number, phone, nationality, area_code).
    A traveller is matched across jurisdictions on purpose: the loop follows the person, not the
    district that first registered them."""
    doc_type = (data.get("doc_type") or "passport").strip()
    doc_number = (data.get("doc_number") or "").strip()
    if doc_number:
        found = Person.objects.filter(dedup_key=pii.doc_key(doc_type, doc_number.upper())).first()
        found = found or Person.objects.filter(dedup_key=pii.doc_key(doc_type, doc_number)).first()
        if found is not None:
            return (found.merged_into or found), False
    result = clean_person(
        {**data, "doc_type": doc_type}, area_codes=all_area_codes(), today=timezone.localdate()
    )
    if isinstance(result, list):
        raise ValidationFailed(
            "invalid_person",
            "the person record has errors",
            [{"field": e.field, "code": e.code, "message": e.message} for e in result],
        )
    columns = person_columns(result, timezone.now())
    person = Person.objects.filter(dedup_key=columns["dedup_key"]).first()
    if person is not None:
        return person, False
    return Person.objects.create(**columns), True


# --------------------------------------------------------------------------- registration and steps


def traveller_register(
    *,
    actor: User | None,
    person: Person,
    source_ref: str,
    origin_kind: str,
    transport: str,
    arrived_at: dt.datetime,
    port_area_id: str,
    destination_area_id: str,
    origin_country: str = "",
    origin_area: str = "",
    origin_risk: str = "low",
    transport_no: str = "",
    trip_id: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[Traveller, bool]:
    """Register an inbound traveller at the loop's first stage; the same ``source_ref`` twice is one
    traveller (idempotent). Returns (traveller, created)."""
    existing = Traveller.objects.filter(source_ref=source_ref).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    traveller = Traveller(
        person=person,
        source_ref=source_ref,
        origin_kind=origin_kind,
        origin_country=origin_country.upper()[:2],
        origin_area=origin_area[:64],
        origin_risk=origin_risk,
        transport=transport,
        transport_no=transport_no[:16],
        trip_id=trip_id,
        arrived_at=arrived_at,
        port_area_id=port_area_id,
        destination_area_id=destination_area_id,
    )
    enter_stage(traveller, Stage.TRANSPORT, arrived_at)
    with transaction.atomic():
        traveller.save()
        TravellerEvent.objects.create(traveller=traveller, to_stage=Stage.TRANSPORT, at=now, actor=actor)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=traveller, area_code=destination_area_id)
    return traveller, True


def is_stage_owner(user: User, traveller: Traveller) -> bool:
    """The user holds the stage's owner role at the owner area or above it."""
    if not traveller.owner_role or not user.is_authenticated or not user.is_active:
        return False
    areas = RoleGrant.objects.filter(user=user, role=traveller.owner_role).values_list("area_id", flat=True)
    return any(str(traveller.owner_area_id).startswith(geocodes.scope_prefix(a)) for a in areas)


def traveller_advance(
    *,
    actor: User,
    traveller: Traveller,
    to: str,
    evidence: Mapping[str, str] | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Traveller:
    """Close the traveller's stage and open ``to``: only the stage's owner may, only along the loop's
    table, only with the evidence the stage needs (a stay is checked through the quarantine adaptor)."""
    now = now or timezone.now()
    evidence = {k: str(v).strip() for k, v in (evidence or {}).items() if str(v).strip()}
    with transaction.atomic():
        locked = Traveller.objects.select_for_update().get(pk=traveller.pk)
        if not is_stage_owner(actor, locked):
            raise Forbidden("not_stage_owner", "only the owner of this stage may close it")
        frm = loop.Stage(locked.stage)
        try:
            loop.check_step(frm, loop.Stage(to) if to in Stage.values else loop.Stage.CLOSED, evidence)
        except loop.LoopError as error:
            if error.code == "evidence_missing":
                raise ValidationFailed(
                    "evidence_missing",
                    "this stage cannot be closed without its evidence",
                    [{"field": name, "message": "required"} for name in error.missing],
                ) from None
            raise ServiceError("step_not_allowed", "this step is not part of the loop") from None
        if to not in Stage.values:
            raise ServiceError("step_not_allowed", "this step is not part of the loop")
        if frm is loop.Stage.CENTRALISED and not quarantine_stay_ok(locked, evidence["stay"]):
            raise ValidationFailed(
                "evidence_invalid",
                "the stay reference does not match this traveller's quarantine",
                [{"field": "stay", "message": "unknown stay"}],
            )
        enter_stage(locked, to, now)
        locked.save()
        TravellerEvent.objects.create(
            traveller=locked,
            from_stage=frm.value,
            to_stage=to,
            at=now,
            actor=actor,
            evidence=evidence,
            note=note[:300],
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            area_code=locked.destination_area_id,
            before={"stage": frm.value},
            after={"stage": to},
        )
    return locked


# --------------------------------------------------------------------------- quarantine adaptor


def _propose_quarantine_order(**kwargs: Any) -> Any:
    """The one place that calls the quarantine app (issue 12), only when it is installed."""
    if not django_apps.is_installed(QUARANTINE_APP):
        return None
    from apps.quarantine.services import propose_order  # type: ignore[import-not-found,unused-ignore]

    return propose_order(**kwargs)


def quarantine_stay_ok(traveller: Traveller, reference: str) -> bool:
    """A stay reference is opaque to arrivals: ``order:<id>`` of this traveller's quarantine order,
    checked against the quarantine app's orders when it is installed. Without the quarantine app
    no stay can be shown, so centralised quarantine cannot be closed (its hand-off is pending)."""
    if not django_apps.is_installed(QUARANTINE_APP) or not reference.startswith("order:"):
        return False
    order_id = reference.removeprefix("order:")
    if not order_id.isdigit():
        return False
    order_model = django_apps.get_model("quarantine", "QuarantineOrder")
    return bool(order_model.objects.filter(pk=int(order_id), person_id=traveller.person_id).exists())


def hand_to_quarantine(
    *,
    traveller: Traveller,
    kind: str,
    actor: User | None = None,
    policy_code: str | None = None,
    note: str = "",
) -> Traveller:
    """Ask quarantine for an order for this traveller (last exposure: the arrival). Without the
    quarantine app the request is kept as pending on the traveller and replayed later."""
    if kind not in QUARANTINE_KINDS:
        raise ValidationFailed(
            "invalid_kind", "unknown quarantine kind", [{"field": "kind", "message": kind}]
        )
    request = {
        "kind": kind,
        "policy_code": policy_code,
        "note": note,
        "actor_id": actor.pk if actor else None,
    }
    return _send_handoff(traveller, request)


def _send_handoff(traveller: Traveller, request: Mapping[str, Any]) -> Traveller:
    actor = User.objects.filter(pk=request.get("actor_id")).first() if request.get("actor_id") else None
    try:
        order = _propose_quarantine_order(
            person=traveller.person,
            source="arrival",
            source_ref=f"arrival:{traveller.pk}",
            last_exposure=traveller.arrived_at,
            kind=request["kind"],
            policy_code=request.get("policy_code"),
            actor=actor,
            note=request.get("note", ""),
        )
    except ServiceError as error:
        if error.code != "duplicate_order":
            raise
        order = None
        traveller.handoff = Handoff.SENT
    else:
        traveller.handoff = Handoff.PENDING if order is None else Handoff.SENT
    if order is not None:
        traveller.quarantine_order_id = order.pk
    traveller.handoff_request = dict(request) if traveller.handoff == Handoff.PENDING else {}
    traveller.save(update_fields=["handoff", "handoff_request", "quarantine_order_id"])
    return traveller


def replay_pending_handoffs() -> int:
    """Send every pending hand-off again (a no-op while quarantine is not installed); the number sent."""
    if not django_apps.is_installed(QUARANTINE_APP):
        return 0
    sent = 0
    for traveller in Traveller.objects.filter(handoff=Handoff.PENDING).select_related("person"):
        if _send_handoff(traveller, traveller.handoff_request).handoff == Handoff.SENT:
            sent += 1
    return sent


# --------------------------------------------------------------------------- overdue alerts


def raise_overdue_alerts(*, now: dt.datetime | None = None) -> int:
    """Alert the owner of every stage past its deadline, and the district once it is later still.
    Each (traveller, stage entry, level) alerts once; returns the number of new alerts."""
    now = now or timezone.now()
    late = escalate_after()
    new = 0
    overdue = Traveller.objects.exclude(stage=Stage.CLOSED).filter(stage_due_at__lt=now)
    for traveller in overdue.only(
        "pk",
        "stage",
        "stage_entered_at",
        "stage_due_at",
        "owner_role",
        "owner_area_id",
        "destination_area_id",
    ):
        level = loop.overdue(traveller.stage_due_at, now, late)
        alerts = [
            StageAlert(
                traveller=traveller,
                stage=traveller.stage,
                stage_entered_at=traveller.stage_entered_at,
                level=1,
                role=traveller.owner_role,
                area_id=traveller.owner_area_id,
                raised_at=now,
            )
        ]
        if level >= loop.Overdue.DISTRICT:
            district = _district_of(traveller.destination_area_id)
            alerts.append(
                StageAlert(
                    traveller=traveller,
                    stage=traveller.stage,
                    stage_entered_at=traveller.stage_entered_at,
                    level=2,
                    role="district_officer",
                    area_id=district,
                    raised_at=now,
                )
            )
        for alert in alerts:
            _, created = StageAlert.objects.get_or_create(
                traveller=alert.traveller,
                stage=alert.stage,
                stage_entered_at=alert.stage_entered_at,
                level=alert.level,
                defaults={"role": alert.role, "area_id": alert.area_id, "raised_at": now},
            )
            new += created
        Traveller.objects.filter(pk=traveller.pk).update(overdue_level=int(level))
    return new


def _district_of(area_code: str) -> str:
    code = area_code
    while geocodes.level_of(code) not in (geocodes.Level.DISTRICT,) and geocodes.parent_code(code):
        parent = geocodes.parent_code(code)
        assert parent is not None
        code = parent
    return code


# --------------------------------------------------------------------------- classification


def rules_in_force(day: dt.date) -> arrival_rules.RuleSet:
    stored = [
        arrival_rules.parse_rules(r.version, r.effective_from, r.rules)
        for r in ArrivalRuleSet.objects.filter(effective_from__lte=day)
    ]
    return arrival_rules.in_force(stored, day)


def ruleset_save(
    *, actor: User, version: str, effective_from: dt.date, rules: list[dict[str, Any]]
) -> ArrivalRuleSet:
    """Store a new version of the rules (versions are never changed once stored)."""
    try:
        parsed = arrival_rules.parse_rules(version, effective_from, rules)
    except arrival_rules.RuleError as error:
        raise ValidationFailed(
            "invalid_rules", "the rules are not valid", [{"message": str(error)}]
        ) from None
    if ArrivalRuleSet.objects.filter(version=parsed.version).exists():
        raise ServiceError("version_exists", "a rule set with this version exists")
    row = ArrivalRuleSet.objects.create(
        version=parsed.version, effective_from=effective_from, rules=rules, created_by=actor
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=row)
    return row


def traveller_classify(
    *, actor: User, traveller: Traveller, positive: bool = False, symptomatic: bool = False
) -> Traveller:
    """Classify by the rules in force on the arrival day and act on it: a quarantine order is asked
    for (centralised or home), or a suspected case is opened (designated hospital). The deciding rule
    is stored with the traveller."""
    day = timezone.localtime(traveller.arrived_at).date()
    rules = rules_in_force(day)
    facts = arrival_rules.ArrivalFacts(traveller.origin_kind, traveller.origin_risk, positive, symptomatic)
    decision = arrival_rules.classify(facts, rules)
    rule = decision.rule
    traveller.classification = {
        "version": decision.version,
        "rule": rule.code,
        "outcome": rule.outcome,
        "days": rule.days,
        "zh": rule.zh,
        "en": rule.en,
        "positive": positive,
        "symptomatic": symptomatic,
    }
    traveller.save(update_fields=["classification"])
    if rule.outcome in ("centralised", "home"):
        # Quarantine picks its own policy in effect for the kind on the arrival day (its versions, not ours);
        # the order's note says in words which classification rule decided (its code stays on the traveller).
        traveller = hand_to_quarantine(traveller=traveller, kind=rule.outcome, actor=actor, note=rule.zh[:200])
    elif rule.outcome == "hospital":
        from apps.cases.choices import CaseStatus, Origin
        from apps.cases.services import case_report

        case = case_report(
            actor=actor,
            person=traveller.person,
            status=CaseStatus.SUSPECTED,
            origin=Origin.ABROAD if traveller.origin_kind == "abroad" else Origin.DOMESTIC,
            note=f"arrival:{traveller.pk} {rule.code}",
            check=False,
        )
        traveller.classification["case_id"] = case.pk
        traveller.save(update_fields=["classification"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=traveller,
        area_code=traveller.destination_area_id,
        after={"classification": rule.zh, "version": decision.version},
    )
    return traveller

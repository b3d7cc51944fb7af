"""Writes of the quarantine app: orders, stays through their life cycle, bed allocation, transfers, release.

Beds are never double-booked: a room is claimed by one conditional UPDATE (free → occupied) and every booking
is a row under partial unique constraints (one open booking per bed, one per stay), so two allocators at the
same moment cannot both win, whatever the isolation level. Code recomputes run after commit.
Daily life in quarantine (check-ins, alerts, requests, inspections) is in apps.quarantine.daily.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import QUARANTINE_CHANGE, QUARANTINE_ORDER, AuditAction
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_at
from apps.common.errors import Conflict, Forbidden, ValidationFailed
from apps.people.models import Person
from apps.quarantine import lifecycle
from apps.quarantine.choices import (
    OPEN_STAY_STATUSES,
    AlertKind,
    AlertStatus,
    EarlyReleaseStatus,
    EventKind,
    OrderSource,
    OrderStatus,
    RoomStatus,
    StayKind,
    StayStatus,
)
from apps.quarantine.models import (
    Allocation,
    EarlyRelease,
    QuarantineAlert,
    QuarantineOrder,
    QuarantinePolicy,
    Room,
    Stay,
    StayEvent,
)
from core import quarantine as core

SOURCES = set(OrderSource.values)
KINDS = set(StayKind.values)
# Alerts that keep a person in quarantine until someone closes them (release rule: no open fever alert).
BLOCKING_ALERTS = (AlertKind.FEVER, AlertKind.SYMPTOMS, AlertKind.POSITIVE)


def _require(user: User | None, perm: str, *area_codes: str) -> None:
    if user is None:
        return  # a system step (a signal receiver, the demo) acts on its caller's authority
    if not any(code and has_perm_at(user, perm, code) for code in area_codes):
        raise Forbidden("forbidden", "you may not do this in that area")


def _recompute(person_ids: Sequence[int]) -> None:
    from apps.codes.services import codes_recompute_on_commit

    codes_recompute_on_commit(person_ids)


def _event(
    stay: Stay, kind: str, actor: User | None, *, frm: str = "", to: str = "", note: str = "", **data: Any
) -> None:
    StayEvent.objects.create(
        stay=stay,
        kind=kind,
        from_status=frm,
        to_status=to,
        at=timezone.now(),
        actor=actor,
        note=note[:300],
        data=data,
    )


# --- policies -----------------------------------------------------------------------------------------


def policies_install_defaults() -> int:
    """The shipped policies (core.quarantine.DEFAULT_POLICIES) where no version of that code exists yet."""
    created = 0
    for p in core.DEFAULT_POLICIES:
        data = p.to_dict()
        _, made = QuarantinePolicy.objects.get_or_create(
            code=data.pop("code"), defaults={**data, "effective_from": p.effective_from}
        )
        created += made
    return created


def policy_for(kind: str, on: dt.date, code: str | None = None) -> QuarantinePolicy:
    """The named policy (it must be of this kind), or the version in effect for the kind on the day."""
    if not QuarantinePolicy.objects.exists():
        policies_install_defaults()
    if code:
        policy = QuarantinePolicy.objects.filter(code=code).first()
        if policy is None:
            raise ValidationFailed(
                "unknown_policy", "no quarantine policy with this code", [{"field": "policy_code"}]
            )
        if policy.kind != kind:
            raise ValidationFailed(
                "policy_kind", "the policy is for another kind of quarantine", [{"field": "policy_code"}]
            )
        return policy
    rows = list(
        QuarantinePolicy.objects.filter(kind=kind, effective_from__lte=on).order_by("-effective_from")[:1]
    )
    if not rows:
        raise ValidationFailed(
            "no_policy", "no quarantine policy in effect for this kind", [{"field": "kind"}]
        )
    return rows[0]


# --- orders -------------------------------------------------------------------------------------------


@transaction.atomic
def propose_order(
    *,
    person: Person,
    source: str,
    source_ref: str,
    last_exposure: dt.datetime,
    kind: str = "centralised",
    policy_code: str | None = None,
    actor: User | None = None,
    note: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
) -> QuarantineOrder:
    """Propose quarantine for one exposure. The caller vouches for the exposure (tracing, the inbound loop,
    screening, an officer's form); an officer accepts or changes the order. A second order for the same
    (person, source, source_ref) is a `duplicate_order` conflict. A person already in an open stay has it
    extended at once (never shortened), and the order is accepted into that stay."""
    errors = []
    if source not in SOURCES:
        errors.append({"field": "source", "message": "contact, arrival, secondary, manual or screening"})
    if kind not in KINDS:
        errors.append({"field": "kind", "message": "centralised, home or home_monitoring"})
    source_ref = (source_ref or "").strip()
    if not 1 <= len(source_ref) <= 120:
        errors.append({"field": "source_ref", "message": "required, at most 120 characters"})
    if timezone.is_naive(last_exposure):
        errors.append({"field": "last_exposure", "message": "must carry its time zone"})
    elif last_exposure > timezone.now() + dt.timedelta(minutes=5):
        errors.append({"field": "last_exposure", "message": "cannot be in the future"})
    if errors:
        raise ValidationFailed("invalid_order", "the order is not valid", errors)
    policy = policy_for(kind, core.local_day(last_exposure), policy_code)
    order = QuarantineOrder(
        person=person,
        area_id=person.area_id,
        source=source,
        source_ref=source_ref,
        reason=(reason.strip() or note.strip())[:300],
        kind=kind,
        policy=policy,
        last_exposure=last_exposure,
        proposed_by=actor,
        note=note[:300],
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        raise Conflict("duplicate_order", "an order for this exposure exists") from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=order,
        request=request,
        after={"source": source, "source_ref": source_ref, "kind": kind, "policy": policy.code},
    )
    stay = Stay.objects.select_for_update().filter(person=person, status__in=OPEN_STAY_STATUSES).first()
    if stay is not None:
        _extend(stay, last_exposure, actor)
        order.status, order.stay, order.decided_at = OrderStatus.ACCEPTED, stay, timezone.now()
        order.save(update_fields=["status", "stay", "decided_at"])
    return order


def _extend(stay: Stay, last_exposure: dt.datetime, actor: User | None) -> None:
    """A new exposure while in quarantine: the ends move later, never earlier."""
    policy = stay.policy.core()
    day = core.local_day(last_exposure)
    new_q = core.extended_end(stay.quarantine_end, policy.quarantine_end(day))
    new_p = core.extended_end(stay.planned_end, policy.planned_end(day))
    if last_exposure > stay.last_exposure:
        stay.last_exposure = last_exposure
    if (new_q, new_p) != (stay.quarantine_end, stay.planned_end):
        _event(stay, EventKind.EXTEND, actor, before=str(stay.planned_end), after=str(new_p))
        stay.quarantine_end, stay.planned_end = new_q, new_p
    stay.save(update_fields=["last_exposure", "quarantine_end", "planned_end", "updated_at"])
    _recompute([stay.person_id])


@transaction.atomic
def accept_order(
    *,
    actor: User | None,
    order: QuarantineOrder,
    kind: str | None = None,
    policy_code: str | None = None,
    last_exposure: dt.datetime | None = None,
    note: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Stay:
    """Accept a proposed order, changed or as proposed: the person's stay starts (centralised: waiting for a
    room; home: at once). Every other proposed order of the person is folded into the same stay."""
    order = QuarantineOrder.objects.select_for_update().select_related("person", "policy").get(pk=order.pk)
    _require(actor, QUARANTINE_ORDER, order.area_id)
    if order.status != OrderStatus.PROPOSED:
        raise Conflict("already_decided", "this order has already been decided")
    before = {
        "kind": order.kind,
        "policy": order.policy.code,
        "last_exposure": order.last_exposure.isoformat(),
    }
    if kind is not None or policy_code is not None:
        if kind is not None and kind not in KINDS:
            raise ValidationFailed("invalid_order", "the order is not valid", [{"field": "kind"}])
        order.kind = kind or order.kind
        order.policy = policy_for(order.kind, core.local_day(order.last_exposure), policy_code)
    if last_exposure is not None:
        if timezone.is_naive(last_exposure) or last_exposure > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationFailed("invalid_order", "the order is not valid", [{"field": "last_exposure"}])
        order.last_exposure = last_exposure
    today = today or timezone.localdate()
    siblings = list(
        QuarantineOrder.objects.select_for_update()
        .filter(person_id=order.person_id, status=OrderStatus.PROPOSED)
        .exclude(pk=order.pk)
    )
    latest = max([order.last_exposure, *(o.last_exposure for o in siblings)])
    stay = (
        Stay.objects.select_for_update()
        .filter(person_id=order.person_id, status__in=OPEN_STAY_STATUSES)
        .first()
    )
    if stay is None:
        policy = order.policy.core()
        exposure_day = core.local_day(latest)
        q_end = policy.quarantine_end(exposure_day)
        if q_end <= today:
            raise Conflict("exposure_past", "the quarantine period of this exposure is already over")
        stay = Stay.objects.create(
            person_id=order.person_id,
            area_id=order.person.area_id,
            kind=order.kind,
            status=StayStatus.WAITING if order.kind == StayKind.CENTRALISED else StayStatus.ACTIVE,
            policy=order.policy,
            reason=order.reason,
            last_exposure=latest,
            start_day=today,
            quarantine_end=q_end,
            planned_end=policy.planned_end(exposure_day),
            follow_up_id=_follow_up_of(order),
        )
        _event(stay, EventKind.STATUS, actor, to=stay.status, note=note, order=order.pk)
        _recompute([stay.person_id])
    else:
        _extend(stay, latest, actor)
    now = timezone.now()
    for o in [order, *siblings]:
        o.status, o.stay, o.decided_by, o.decided_at = OrderStatus.ACCEPTED, stay, actor, now
        if o is order and note:
            o.note = note[:300]
        o.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=order,
        request=request,
        fields=["status", "kind", "policy", "last_exposure"],
        before={**before, "status": OrderStatus.PROPOSED},
        after={
            "status": OrderStatus.ACCEPTED,
            "kind": order.kind,
            "policy": order.policy.code,
            "last_exposure": order.last_exposure.isoformat(),
            "stay": stay.pk,
        },
        reason=note,
    )
    return stay


def _follow_up_of(order: QuarantineOrder) -> int | None:
    if order.source != OrderSource.CONTACT or not order.source_ref.startswith("contact:"):
        return None
    from apps.cases.models import FollowUp

    ref = order.source_ref.split(":", 1)[1]
    if not ref.isdigit():
        return None
    return FollowUp.objects.filter(contact_id=int(ref)).values_list("pk", flat=True).first()


@transaction.atomic
def reject_order(
    *, actor: User, order: QuarantineOrder, note: str, request: HttpRequest | None = None
) -> QuarantineOrder:
    order = QuarantineOrder.objects.select_for_update().get(pk=order.pk)
    _require(actor, QUARANTINE_ORDER, order.area_id)
    if order.status != OrderStatus.PROPOSED:
        raise Conflict("already_decided", "this order has already been decided")
    if len(note.strip()) < 2:
        raise ValidationFailed("reason_required", "give a reason", [{"field": "note"}])
    order.status, order.decided_by, order.decided_at, order.note = (
        OrderStatus.REJECTED,
        actor,
        timezone.now(),
        note.strip()[:300],
    )
    order.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=order,
        request=request,
        fields=["status"],
        before={"status": OrderStatus.PROPOSED},
        after={"status": OrderStatus.REJECTED},
        reason=note,
    )
    return order


# --- stays and rooms: the state machines ----------------------------------------------------------------


def _stay_step(stay: Stay, to: str, actor: User | None, note: str = "") -> None:
    if not lifecycle.stay_step_allowed(stay.status, to):
        raise Conflict(
            "invalid_transition",
            "this stay cannot take that step from its status",
            [{"from": stay.status, "to": to}],
        )
    frm = stay.status
    stay.status = to
    _event(stay, EventKind.STATUS, actor, frm=frm, to=to, note=note)


def _room_step(room: Room, to: str) -> None:
    if not lifecycle.room_step_allowed(room.status, to):
        raise Conflict(
            "invalid_room_transition",
            "this room cannot take that step from its status",
            [{"from": room.status, "to": to}],
        )
    room.status = to
    room.status_changed_at = timezone.now()
    room.save(update_fields=["status", "status_changed_at"])


@transaction.atomic
def room_set_status(
    *, actor: User, room: Room, to: str, note: str = "", request: HttpRequest | None = None
) -> Room:
    """A manager's step on a room: cleaned (cleaning → free), out of order and back. Occupied is reached only by
    allocation and left only when the last occupant goes."""
    room = Room.objects.select_for_update().select_related("site").get(pk=room.pk)
    _require(actor, QUARANTINE_CHANGE, room.site.area_id)
    if to == RoomStatus.OCCUPIED or room.status == RoomStatus.OCCUPIED:
        raise Conflict(
            "invalid_room_transition",
            "this room cannot take that step from its status",
            [{"from": room.status, "to": to}],
        )
    before = room.status
    _room_step(room, to)
    if note:
        room.note = note[:200]
        room.save(update_fields=["note"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=room,
        area_code=room.site.area_id,
        request=request,
        fields=["status"],
        before={"status": before},
        after={"status": to},
        reason=note,
    )
    return room


def _claim_room(room: Room) -> bool:
    """Free → occupied in one conditional UPDATE: of two allocators, exactly one changes the row."""
    return bool(
        Room.objects.filter(pk=room.pk, status=RoomStatus.FREE).update(
            status=RoomStatus.OCCUPIED, status_changed_at=timezone.now()
        )
    )


def _leave_room(stay: Stay, actor: User | None) -> Room | None:
    """End the stay's open booking; the room goes to cleaning when its last occupant has left."""
    booking = Allocation.objects.select_for_update().filter(stay=stay, ended_at__isnull=True).first()
    if booking is None:
        return None
    booking.ended_at = timezone.now()
    booking.save(update_fields=["ended_at"])
    room = Room.objects.select_for_update().get(pk=booking.room_id)
    if not Allocation.objects.filter(room=room, ended_at__isnull=True).exists():
        _room_step(room, RoomStatus.CLEANING)
    return room


@transaction.atomic
def allocate(
    *, actor: User | None, stays: Sequence[Stay], room: Room, request: HttpRequest | None = None
) -> list[Allocation]:
    """Put one person, or a household together, into a free room (a household of more than one needs a family
    room or enough beds). Refused with `room_taken` when another allocator got the room first."""
    if not stays:
        raise ValidationFailed("no_person", "choose at least one person")
    room = Room.objects.select_related("site").get(pk=room.pk)
    _require(actor, QUARANTINE_CHANGE, room.site.area_id)
    locked = list(Stay.objects.select_for_update().filter(pk__in=[s.pk for s in stays]).order_by("pk"))
    if len(locked) != len({s.pk for s in stays}):
        raise ValidationFailed("no_person", "choose at least one person")
    for stay in locked:
        if stay.status != StayStatus.WAITING or stay.kind != StayKind.CENTRALISED:
            raise Conflict("not_waiting", "this person is not waiting for a room", [{"stay": stay.pk}])
    if len(locked) > room.beds:
        raise Conflict("too_few_beds", "the room has too few beds for this household", [{"beds": room.beds}])
    if len(locked) > 1:
        people = Person.objects.filter(pk__in=[s.person_id for s in locked])
        households = set(people.values_list("household_id", flat=True))
        if None in households or len(households) > 1:
            raise Conflict("not_a_household", "only one household shares a room")
    if not _claim_room(room):
        raise Conflict("room_taken", "this room is not free", [{"room": room.pk}])
    now = timezone.now()
    out = []
    try:
        with transaction.atomic():
            for bed, stay in enumerate(locked, start=1):
                out.append(
                    Allocation.objects.create(
                        stay=stay, room=room, bed=bed, started_at=now, allocated_by=actor
                    )
                )
    except IntegrityError:  # the constraints' last word, should a booking slip past the room claim
        raise Conflict("room_taken", "this room is not free", [{"room": room.pk}]) from None
    for stay in locked:
        _stay_step(stay, StayStatus.ACTIVE, actor)
        stay.site = room.site
        stay.save(update_fields=["status", "site", "updated_at"])
        _event(stay, EventKind.ALLOCATE, actor, room=room.pk, number=room.number, site=room.site_id)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=stay,
            area_code=room.site.area_id,
            request=request,
            fields=["room"],
            after={"room": room.pk, "site": room.site_id},
        )
    return out


@transaction.atomic
def transfer(
    *, actor: User, stay: Stay, room: Room, reason: str, request: HttpRequest | None = None
) -> Allocation:
    """Move a person to another room, of this site or another; the old room goes to cleaning if left empty."""
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    room = Room.objects.select_related("site").get(pk=room.pk)
    _require(actor, QUARANTINE_CHANGE, room.site.area_id)
    if stay.site_id is not None:
        _require(actor, QUARANTINE_CHANGE, stay.site.area_id)
    if stay.status != StayStatus.ACTIVE or stay.kind != StayKind.CENTRALISED:
        raise Conflict("not_in_room", "this person is not in a room")
    if len(reason.strip()) < 2:
        raise ValidationFailed("reason_required", "give a reason", [{"field": "reason"}])
    if not _claim_room(room):
        raise Conflict("room_taken", "this room is not free", [{"room": room.pk}])
    old = _leave_room(stay, actor)
    booking = Allocation.objects.create(
        stay=stay, room=room, bed=1, started_at=timezone.now(), allocated_by=actor
    )
    stay.site = room.site
    stay.save(update_fields=["site", "updated_at"])
    _event(
        stay,
        EventKind.TRANSFER,
        actor,
        note=reason,
        from_room=old.pk if old else None,
        room=room.pk,
        site=room.site_id,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=stay,
        request=request,
        fields=["room"],
        after={"room": room.pk},
        reason=reason,
    )
    return booking


def _end(stay: Stay, to: str, actor: User | None, note: str) -> None:
    """Step to an end (or to monitoring): leave the room, stamp the day, recompute the code after commit."""
    _stay_step(stay, to, actor, note)
    _leave_room(stay, actor)
    now = timezone.now()
    if stay.released_on is None and to != StayStatus.CANCELLED:
        stay.released_on = timezone.localdate(now)
    if to != StayStatus.MONITORING:
        stay.ended_at = now
        stay.end_reason = note[:300]
    stay.save()
    if to in (StayStatus.RELEASED, StayStatus.RELEASED_EARLY, StayStatus.HOSPITAL):
        _close_follow_up(stay, actor, note, early=to != StayStatus.RELEASED)
    _recompute([stay.person_id])


def _close_follow_up(stay: Stay, actor: User | None, note: str, *, early: bool) -> None:
    """The contact's medical observation (cases.FollowUp) ends with the stay it became."""
    if stay.follow_up_id is None:
        return
    from apps.cases.choices import FollowUpStatus
    from apps.cases.models import FollowUp

    fu = FollowUp.objects.filter(pk=stay.follow_up_id, status=FollowUpStatus.OPEN).first()
    if fu is None:
        return
    now = timezone.now()
    fu.status, fu.closed_at = FollowUpStatus.CLOSED, now
    if timezone.localdate(now) < fu.until:
        fu.close_reason = (note or ("released early" if early else "released from quarantine"))[:255]
    fu.save(update_fields=["status", "closed_at", "close_reason"])


def release_check(stay: Stay, today: dt.date | None = None) -> core.ReleaseVerdict:
    """The policy's release rule applied to the stay's tests (cases lab results) and open alerts."""
    from apps.cases.models import LabResult

    today = today or timezone.localdate()
    tests = [
        core.TestRecord(timezone.localdate(at), core.TestResult(result))
        for at, result in LabResult.objects.filter(
            person_id=stay.person_id, sampled_at__gte=stay.last_exposure - dt.timedelta(days=1)
        ).values_list("sampled_at", "result")
    ]
    open_alerts = QuarantineAlert.objects.filter(
        stay=stay, status=AlertStatus.OPEN, kind__in=BLOCKING_ALERTS
    ).count()
    return core.release_verdict(
        stay.policy.core(),
        last_exposure=core.local_day(stay.last_exposure),
        start=stay.start_day,
        today=today,
        tests=tests,
        open_alerts=open_alerts,
    )


@transaction.atomic
def release(
    *, actor: User | None, stay: Stay, today: dt.date | None = None, request: HttpRequest | None = None
) -> Stay:
    """解除隔离 when the policy's rule holds; a policy with a monitoring phase steps down to it first (the room
    is freed, the person goes home for health monitoring) and releases at its end."""
    stay = Stay.objects.select_for_update().select_related("policy").get(pk=stay.pk)
    _require(actor, QUARANTINE_CHANGE, stay.area_id, stay.site.area_id if stay.site_id else "")
    today = today or timezone.localdate()
    if stay.status not in (StayStatus.ACTIVE, StayStatus.MONITORING):
        raise Conflict(
            "invalid_transition",
            "this stay cannot take that step from its status",
            [{"from": stay.status, "to": StayStatus.RELEASED}],
        )
    if stay.status == StayStatus.ACTIVE:
        verdict = release_check(stay, today)
        if not verdict.allowed:
            raise Conflict(
                "release_rule",
                "the release rule does not hold yet",
                [{"reason": r} for r in verdict.reasons]
                + [{"missing_test": d.isoformat()} for d in verdict.missing_test_days],
            )
        to = (
            StayStatus.MONITORING
            if stay.planned_end > stay.quarantine_end and today < stay.planned_end
            else StayStatus.RELEASED
        )
    else:
        if today < stay.planned_end:
            raise Conflict("release_rule", "the release rule does not hold yet", [{"reason": "before_end"}])
        to = StayStatus.RELEASED
    frm = stay.status
    _end(stay, to, actor, "released" if to == StayStatus.RELEASED else "quarantine ended; health monitoring")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=stay,
        request=request,
        fields=["status"],
        before={"status": frm},
        after={"status": to},
    )
    return stay


@transaction.atomic
def cancel_stay(*, actor: User, stay: Stay, reason: str, request: HttpRequest | None = None) -> Stay:
    """A waiting stay ordered in error (the order was wrong): cancelled with a reason."""
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    _require(actor, QUARANTINE_ORDER, stay.area_id)
    if len(reason.strip()) < 2:
        raise ValidationFailed("reason_required", "give a reason", [{"field": "reason"}])
    _end(stay, StayStatus.CANCELLED, actor, reason)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=stay,
        request=request,
        fields=["status"],
        after={"status": StayStatus.CANCELLED},
        reason=reason,
    )
    return stay


@transaction.atomic
def to_hospital(
    *, actor: User | None, stay: Stay, reason: str, request: HttpRequest | None = None, open_case: bool = True
) -> Stay:
    """Hand the person to case management (定点救治): a suspected case is opened unless one is open, and the
    person leaves the room."""
    from apps.cases.choices import CLOSED_STATUSES, CaseStatus
    from apps.cases.models import Case
    from apps.cases.services import case_report

    stay = Stay.objects.select_for_update().select_related("person").get(pk=stay.pk)
    _require(actor, QUARANTINE_CHANGE, stay.area_id, stay.site.area_id if stay.site_id else "")
    if len(reason.strip()) < 2:
        raise ValidationFailed("reason_required", "give a reason", [{"field": "reason"}])
    frm = stay.status
    _end(stay, StayStatus.HOSPITAL, actor, reason)
    if (
        open_case
        and not Case.objects.filter(person_id=stay.person_id).exclude(status__in=CLOSED_STATUSES).exists()
    ):
        case_report(
            actor=actor,
            person=stay.person,
            status=CaseStatus.SUSPECTED,
            note=f"quarantine: {reason}"[:255],
            check=False,
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=stay,
        request=request,
        fields=["status"],
        before={"status": frm},
        after={"status": StayStatus.HOSPITAL},
        reason=reason,
    )
    return stay


@transaction.atomic
def early_release_request(
    *, actor: User, stay: Stay, reason: str, request: HttpRequest | None = None
) -> EarlyRelease:
    """Ask to release before the rule holds (a misjudged contact, say); a second person must approve."""
    _require(actor, QUARANTINE_CHANGE, stay.area_id, stay.site.area_id if stay.site_id else "")
    if stay.status not in (StayStatus.ACTIVE, StayStatus.MONITORING):
        raise Conflict(
            "invalid_transition",
            "this stay cannot take that step from its status",
            [{"from": stay.status, "to": StayStatus.RELEASED_EARLY}],
        )
    if len(reason.strip()) < 5:
        raise ValidationFailed(
            "reason_required", "give a reason (at least 5 characters)", [{"field": "reason"}]
        )
    try:
        with transaction.atomic():
            ask = EarlyRelease.objects.create(stay=stay, reason=reason.strip()[:300], requested_by=actor)
    except IntegrityError:
        raise Conflict(
            "pending_exists", "an early release of this stay is already waiting for approval"
        ) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=ask,
        area_code=stay.area_id,
        request=request,
        reason=ask.reason,
    )
    return ask


@transaction.atomic
def early_release_decide(
    *, actor: User, ask: EarlyRelease, approve: bool, note: str = "", request: HttpRequest | None = None
) -> EarlyRelease:
    """The second person's decision (四眼原则: never the requester); approval releases at once."""
    ask = EarlyRelease.objects.select_for_update().select_related("stay").get(pk=ask.pk)
    stay = Stay.objects.select_for_update().get(pk=ask.stay_id)
    _require(actor, QUARANTINE_ORDER, stay.area_id, stay.site.area_id if stay.site_id else "")
    if ask.requested_by_id == actor.pk:
        raise Forbidden("same_person", "a second person must approve an early release")
    if ask.status != EarlyReleaseStatus.PENDING:
        raise Conflict("already_decided", "this early release has already been decided")
    ask.status = EarlyReleaseStatus.APPROVED if approve else EarlyReleaseStatus.REJECTED
    ask.decided_by, ask.decided_at, ask.decision_note = actor, timezone.now(), note[:300]
    ask.save()
    if approve:
        _end(stay, StayStatus.RELEASED_EARLY, actor, ask.reason)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=ask,
        area_code=stay.area_id,
        request=request,
        fields=["status"],
        after={"status": ask.status},
        reason=note,
    )
    return ask

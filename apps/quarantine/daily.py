"""Daily life in quarantine: twice-daily check-ins, the missed-check-in sweep (one set-based statement), fever
and symptom alerts, breach alerts from scans, lab results matched to stays, requests with SLA deadlines and
escalation (core.sla), and the site discipline inspection ("一不四分五到位")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import QUARANTINE_CHANGE, AuditAction
from apps.accounts.models import User
from apps.common.errors import Conflict, ValidationFailed
from apps.quarantine.choices import (
    AlertKind,
    AlertStatus,
    RequestKind,
    RequestStatus,
    StayKind,
    StayStatus,
)
from apps.quarantine.models import (
    CheckIn,
    ChecklistItem,
    Inspection,
    QuarantineAlert,
    Site,
    Stay,
    StayRequest,
)
from apps.quarantine.services import _require, to_hospital
from core import quarantine as core
from core import sla

# Stays whose person must check in and must not be seen outside.
CHECKIN_STATUSES = (StayStatus.ACTIVE, StayStatus.MONITORING)
CONFINED_KINDS = (StayKind.CENTRALISED, StayKind.HOME)
REQUEST_SLA: dict[str, dt.timedelta] = {
    RequestKind.MEALS: dt.timedelta(hours=2),
    RequestKind.MEDICINE: dt.timedelta(hours=4),
    RequestKind.PSYCHOLOGICAL: dt.timedelta(hours=24),
    RequestKind.OTHER: dt.timedelta(hours=24),
}
# "一不四分五到位" as shipped; the table holds the live, configurable list.
DEFAULT_CHECKLIST = (
    (
        "no_gathering",
        "不聚集：隔离人员不串门、不聚集",
        "No gathering: people in quarantine do not visit each other",
    ),
    ("separate_rooms", "分室居住：单人单间", "Separate rooms: one person per room"),
    ("separate_meals", "分餐送餐：送餐到门", "Separate meals delivered to the door"),
    ("separate_waste", "分类处置生活垃圾", "Waste collected and disposed of separately"),
    ("separate_zones", "清洁区、污染区分区", "Clean and contaminated zones kept apart"),
    ("temperature", "体温监测到位", "Temperatures taken"),
    ("disinfection", "消毒到位", "Disinfection done"),
    ("protection", "防护到位", "Staff protection in place"),
    ("supplies", "物资保障到位", "Supplies in place"),
    ("care", "人文关怀到位", "Care for the people in quarantine"),
)


def alert_area(stay: Stay) -> str:
    """Where an alert is handled: the site's area for a room, the residence (community worker, district) at home."""
    return stay.site.area_id if stay.site_id else stay.area_id


def _raise(stay: Stay, kind: str, key: str, detail: str = "", at: dt.datetime | None = None) -> bool:
    _, created = QuarantineAlert.objects.get_or_create(
        key=key[:80],
        defaults={
            "stay": stay,
            "area_id": alert_area(stay),
            "kind": kind,
            "raised_at": at or timezone.now(),
            "detail": detail[:200],
        },
    )
    return created


def fever_threshold(day: dt.date) -> Decimal:
    """发热: the one threshold of the code rules, shared with checkpoints (apps.venues.alerting)."""
    from apps.codes.rules import current_ruleset

    return Decimal(str(current_ruleset(day).fever_threshold_celsius))


@transaction.atomic
def checkin_record(
    *,
    actor: User | None,
    stay: Stay,
    temperature: Any,
    symptoms: bool = False,
    note: str = "",
    by_person: bool = False,
    at: dt.datetime | None = None,
) -> CheckIn:
    """One of the two daily check-ins, by staff (actor with quarantine.change) or by the person (by_person, the
    caller having checked it is them). A fever or a symptom raises an alert at once."""
    stay = Stay.objects.select_related("site").get(pk=stay.pk)
    if not by_person:
        _require(actor, QUARANTINE_CHANGE, stay.area_id, stay.site.area_id if stay.site_id else "")
    if stay.status not in CHECKIN_STATUSES:
        raise Conflict("not_in_quarantine", "this person is not in quarantine")
    try:
        celsius = Decimal(str(temperature)).quantize(Decimal("0.1"))
        if not celsius.is_finite() or not Decimal(30) <= celsius <= Decimal(45):
            raise ValueError
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            "invalid_temperature", "temperature is in °C, between 30 and 45", [{"field": "temperature"}]
        ) from None
    at = at or timezone.now()
    day, slot = core.checkin_slot_at(at)
    checkin, created = CheckIn.objects.get_or_create(
        stay=stay,
        day=day,
        slot=slot,
        defaults={
            "at": at,
            "temperature": celsius,
            "symptoms": bool(symptoms),
            "note": note[:200],
            "recorded_by": actor if actor is not None and actor.is_authenticated else None,
            "by_person": by_person,
        },
    )
    if not created:
        raise Conflict(
            "already_checked_in", "this check-in is already recorded", [{"day": str(day), "slot": slot}]
        )
    if core.is_fever(float(celsius), float(fever_threshold(day))):
        _raise(stay, AlertKind.FEVER, f"fever:{checkin.pk}", f"{celsius} °C", at)
    if symptoms:
        _raise(stay, AlertKind.SYMPTOMS, f"symptoms:{checkin.pk}", note, at)
    # A check-in that comes after the sweep closes its missed-check-in alert.
    QuarantineAlert.objects.filter(
        key=f"missed:{stay.pk}:{day.isoformat()}:{slot}", status=AlertStatus.OPEN
    ).update(status=AlertStatus.CLOSED, closed_at=at)
    return checkin


def missed_checkins_sweep(*, now: dt.datetime | None = None) -> int:
    """Raise a missed-check-in alert for every open stay without a check-in for each slot whose deadline has
    passed today or yesterday: ONE INSERT … SELECT, whatever the number of stays (idempotent by key)."""
    now = now or timezone.now()
    today = core.local_day(now)
    slots = [
        (day, slot, deadline)
        for day in (today - dt.timedelta(days=1), today)
        for slot, _ in core.CHECKIN_SLOTS
        if (deadline := core.checkin_deadline(day, slot)) <= now
    ]
    if not slots:
        return 0
    stay_t, site_t, ci_t, alert_t = (
        Stay._meta.db_table,
        Site._meta.db_table,
        CheckIn._meta.db_table,
        QuarantineAlert._meta.db_table,
    )
    values = ", ".join(["(%s, %s, %s)"] * len(slots))
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    for day, slot, deadline in slots:
        params += [day.isoformat(), slot, adapt(deadline)]
    statuses = [str(s) for s in CHECKIN_STATUSES]
    if connection.vendor == "sqlite":  # VALUES columns are column1…; dates are ISO text there
        d_day, d_slot, d_deadline, alias, as_date = "d.column1", "d.column2", "d.column3", "d", "d.column1"
    else:
        d_day, d_slot, d_deadline, alias = "d.day", "d.slot", "d.deadline", "d(day, slot, deadline)"
        as_date = "CAST(d.day AS DATE)"
    sql = f"""
        INSERT INTO {alert_t} (key, stay_id, area_id, kind, status, raised_at, detail)
        SELECT 'missed:' || s.id || ':' || {d_day} || ':' || {d_slot}, s.id, COALESCE(site.area_id, s.area_id),
               %s, %s, %s, {d_day} || ' #' || {d_slot}
        FROM {stay_t} s
        CROSS JOIN (VALUES {values}) AS {alias}
        LEFT JOIN {site_t} site ON site.id = s.site_id
        WHERE s.status IN (%s, %s) AND s.start_day <= {as_date} AND s.created_at < {d_deadline}
          AND NOT EXISTS (SELECT 1 FROM {ci_t} c WHERE c.stay_id = s.id AND c.day = {as_date} AND c.slot = {d_slot})
        ON CONFLICT (key) DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [str(AlertKind.MISSED_CHECKIN), str(AlertStatus.OPEN), adapt(now), *params, *statuses]
        )
        return int(cursor.rowcount)


def breaches_raise(scans: Sequence[Mapping[str, Any]]) -> int:
    """不满14天绝对不能外出: a scan at any venue or checkpoint of a person in centralised or home quarantine is a
    breach, raised to whoever is responsible (one query for the stays, whatever the batch)."""
    by_person: dict[int, list[Mapping[str, Any]]] = {}
    for s in scans:
        by_person.setdefault(int(s["person_id"]), []).append(s)
    if not by_person:
        return 0
    stays = Stay.objects.filter(
        person_id__in=list(by_person), status=StayStatus.ACTIVE, kind__in=CONFINED_KINDS
    ).select_related("site")
    raised = 0
    for stay in stays:
        for s in by_person[stay.person_id]:
            at = s["scanned_at"]
            if core.local_day(at) < stay.start_day:
                continue
            key = f"breach:{stay.pk}:{s['venue_id']}:{int(at.timestamp())}"
            raised += _raise(stay, AlertKind.BREACH, key, f"venue {s['venue_id']}", at)
    return raised


def labs_matched(*, batch: Any, actor: User | None) -> int:
    """Lab results of a batch matched to open stays: a positive opens (has opened) a case and moves the person out
    of the room to hospital; negatives are read by the release rule from the results themselves."""
    from apps.cases.choices import LabResultValue
    from apps.cases.models import LabResult

    positives = dict(
        LabResult.objects.filter(batch=batch, result=LabResultValue.POSITIVE).values_list(
            "person_id", "sample_id"
        )
    )
    if not positives:
        return 0
    moved = 0
    for stay in Stay.objects.filter(
        person_id__in=list(positives), status__in=(StayStatus.WAITING, *CHECKIN_STATUSES)
    ):
        _raise(stay, AlertKind.POSITIVE, f"positive:{stay.pk}:{batch.pk}", positives[stay.person_id])
        to_hospital(
            actor=None, stay=stay, reason=f"positive test {positives[stay.person_id]}", open_case=True
        )
        moved += 1
    return moved


@transaction.atomic
def alert_close(*, actor: User, alert: QuarantineAlert, note: str = "") -> QuarantineAlert:
    alert = QuarantineAlert.objects.select_for_update().get(pk=alert.pk)
    _require(actor, QUARANTINE_CHANGE, alert.area_id)
    if alert.status != AlertStatus.OPEN:
        raise Conflict("already_closed", "this alert is already closed")
    alert.status, alert.closed_by, alert.closed_at = AlertStatus.CLOSED, actor, timezone.now()
    alert.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=alert,
        fields=["status"],
        after={"status": AlertStatus.CLOSED},
        reason=note,
    )
    return alert


# --- requests -------------------------------------------------------------------------------------------


@transaction.atomic
def request_open(
    *,
    actor: User | None,
    stay: Stay,
    kind: str,
    text: str,
    by_person: bool = False,
    now: dt.datetime | None = None,
) -> StayRequest:
    """A request from the person (or entered by staff), due by its kind's SLA on the wall clock."""
    if not by_person:
        _require(actor, QUARANTINE_CHANGE, stay.area_id, stay.site.area_id if stay.site_id else "")
    if stay.status not in (StayStatus.WAITING, *CHECKIN_STATUSES):
        raise Conflict("not_in_quarantine", "this person is not in quarantine")
    if kind not in REQUEST_SLA:
        raise ValidationFailed("invalid_kind", "meals, medicine, psychological or other", [{"field": "kind"}])
    if not 1 <= len(text.strip()) <= 500:
        raise ValidationFailed(
            "text_required", "say what is needed (at most 500 characters)", [{"field": "text"}]
        )
    now = now or timezone.now()
    return StayRequest.objects.create(
        stay=stay, kind=kind, text=text.strip(), opened_at=now, due_at=sla.deadline(now, REQUEST_SLA[kind])
    )


@transaction.atomic
def request_done(*, actor: User, req: StayRequest, answer: str = "") -> StayRequest:
    req = (
        StayRequest.objects.select_for_update(of=("self",))
        .select_related("stay", "stay__site")
        .get(pk=req.pk)
    )
    _require(actor, QUARANTINE_CHANGE, req.stay.area_id, req.stay.site.area_id if req.stay.site_id else "")
    if req.status != RequestStatus.OPEN:
        raise Conflict("already_done", "this request is already done")
    req.status, req.done_at, req.done_by, req.answer = RequestStatus.DONE, timezone.now(), actor, answer[:500]
    req.save()
    return req


def requests_escalate(*, now: dt.datetime | None = None) -> int:
    """Raise the level of late requests (core.sla.escalation_level): 1 when overdue, 2 when the district must
    step in. Only the requests past their deadline are read."""
    now = now or timezone.now()
    changed = 0
    for req in StayRequest.objects.filter(status=RequestStatus.OPEN, due_at__lt=now).only(
        "due_at", "escalation"
    ):
        level = int(sla.escalation_level(req.due_at, now, headquarters_after=dt.timedelta(hours=4)))
        if level > req.escalation:
            StayRequest.objects.filter(pk=req.pk).update(escalation=level)
            changed += 1
    return changed


# --- discipline checklist -------------------------------------------------------------------------------


def checklist() -> list[ChecklistItem]:
    if not ChecklistItem.objects.exists():
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(code=c, text_zh=zh, text_en=en, position=i)
                for i, (c, zh, en) in enumerate(DEFAULT_CHECKLIST)
            ],
            ignore_conflicts=True,
        )
    return list(ChecklistItem.objects.filter(active=True))


@transaction.atomic
def inspection_record(
    *, actor: User, site: Site, day: dt.date, results: Sequence[Mapping[str, Any]], note: str = ""
) -> Inspection:
    """The day's inspection: every active item answered (ok, or a finding with its follow-up)."""
    _require(actor, QUARANTINE_CHANGE, site.area_id)
    items = {i.code for i in checklist()}
    given = {str(r.get("code")): r for r in results}
    problems = [{"field": code, "message": "answer every item"} for code in sorted(items - set(given))]
    problems += [
        {"field": code, "message": "not an item of the checklist"} for code in sorted(set(given) - items)
    ]
    rows = []
    for code in sorted(items & set(given)):
        r = given[code]
        ok = bool(r.get("ok"))
        finding = str(r.get("finding") or "").strip()[:300]
        if not ok and not finding:
            problems.append({"field": code, "message": "describe the finding"})
        rows.append(
            {"code": code, "ok": ok, "finding": finding, "follow_up": str(r.get("follow_up") or "")[:300]}
        )
    if problems:
        raise ValidationFailed("invalid_inspection", "the inspection is not complete", problems)
    inspection, _ = Inspection.objects.update_or_create(
        site=site,
        day=day,
        defaults={
            "inspector": actor,
            "results": rows,
            "findings": sum(not r["ok"] for r in rows),
            "note": note,
        },
    )
    return inspection

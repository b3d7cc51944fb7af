"""Writes of the cases app: report a case, move it through its life cycle, import labs, decide contacts,
link infector → infectee, recompute clusters. Recomputations (codes, risk, tracing) run after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_at
from apps.cases import hooks, lifecycle, signals
from apps.cases.choices import (
    CLOSED_STATUSES,
    CONFIRMED_STATUSES,
    CaseStatus,
    ContactDegree,
    ContactStatus,
    FollowUpStatus,
    LabResultValue,
    LinkSource,
    Origin,
)
from apps.cases.models import (
    Case,
    CaseEvent,
    Cluster,
    Contact,
    FollowUp,
    FollowUpEntry,
    LabBatch,
    LabResult,
    TransmissionLink,
)
from apps.common.apitypes import EARLIEST_DAY
from apps.common.bulk import insert_ignoring_conflicts
from apps.common.errors import Conflict, Forbidden, ValidationFailed
from apps.common.idempotency import payload_digest, replay_or_conflict
from apps.people import pii
from apps.people.models import Person
from core import clusters as core_clusters
from core.epi import isolation_start
from core.tabular import TableError, read_table, remap, resolve_mapping

DATE_FIELDS = (
    "first_visit_at",
    "reported_at",
    "quarantined_at",
    "sampled_at",
    "lab_confirmed_at",
    "confirmed_at",
    "admitted_at",
    "discharged_at",
)
FOLLOW_UP_DAYS = 14


def _stamp_isolation(case: Case) -> None:
    """早隔离: the person is isolated from the first of quarantine and hospital admission."""
    case.isolated_at = isolation_start(case.quarantined_at, case.admitted_at)


def _require(user: User, perm: str, area_code: str) -> None:
    if not has_perm_at(user, perm, area_code):
        raise Forbidden("forbidden", "you may not do this in that area")


def local_day(instant: dt.datetime) -> dt.date:
    return timezone.localtime(instant).date()


# --- cases and their life cycle ---------------------------------------------------------------------


def _parse_instant(name: str, value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, dt.datetime):
            parsed: dt.datetime | None = value
        else:
            parsed = parse_datetime(str(value).strip())
            if parsed is None and (day := parse_date(str(value).strip())) is not None:
                parsed = dt.datetime.combine(day, dt.time(12, 0))
    except ValueError:  # well formed but impossible, such as 2020-02-30
        parsed = None
    if parsed is None:
        raise ValidationFailed("invalid_date", f"{name} is not a date or time", [{"field": name}])
    if parsed.date() < EARLIEST_DAY:  # year 0001 cannot even be shifted to UTC
        raise ValidationFailed("date_out_of_range", f"{name} lies before {EARLIEST_DAY}", [{"field": name}])
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if parsed > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed("future_date", f"{name} lies in the future", [{"field": name}])
    return parsed


def _parse_day(name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        day = value if isinstance(value, dt.date) else parse_date(str(value).strip())
    except ValueError:
        day = None
    if day is None:
        raise ValidationFailed("invalid_date", f"{name} is not a date", [{"field": name}])
    if day < EARLIEST_DAY:
        raise ValidationFailed("date_out_of_range", f"{name} lies before {EARLIEST_DAY}", [{"field": name}])
    if day > timezone.localdate():
        raise ValidationFailed("future_date", f"{name} lies in the future", [{"field": name}])
    return day


@transaction.atomic
def case_report(
    *,
    actor: User | None,
    person: Person,
    status: str = CaseStatus.FEVER,
    origin: str = Origin.LOCAL,
    onset_date: Any = None,
    first_visit_at: Any = None,
    note: str = "",
    at: dt.datetime | None = None,
    request: HttpRequest | None = None,
    check: bool = True,
) -> Case:
    """Open a case as a fever-clinic report or a suspected case (the two ways a case starts)."""
    if check and actor is not None:
        _require(actor, Perm.CASE_CHANGE, person.area_id)
    if status not in lifecycle.INITIAL_STATUSES:
        raise ValidationFailed("invalid_status", "a case starts as a fever-clinic report or as suspected")
    if origin not in Origin.values:
        raise ValidationFailed("invalid_origin", "origin is local or imported")
    now = at or timezone.now()
    case = Case(
        person=person,
        area_id=person.area_id,
        status=status,
        origin=origin,
        onset_date=_parse_day("onset_date", onset_date),
        first_visit_at=_parse_instant("first_visit_at", first_visit_at) or now,
        note=note,
        created_by=actor,
    )
    if status == CaseStatus.SUSPECTED:
        case.reported_at = now
    # A traced contact under medical observation (医学观察) was isolated before becoming a case.
    observed = (
        FollowUp.objects.filter(person=person, status=FollowUpStatus.OPEN, started_at__lte=now)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    case.quarantined_at = observed
    _stamp_isolation(case)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise Conflict("case_open", "this person already has an open case") from None
    CaseEvent.objects.create(
        case=case, from_status="", to_status=status, at=now, actor=actor, note=note[:255]
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=case, request=request, after={"status": status})
    hooks.person_changed([person.pk])
    return case


@transaction.atomic
def case_transition(
    *,
    actor: User | None,
    case: Case,
    to: str,
    at: dt.datetime | None = None,
    note: str = "",
    hospital: str = "",
    request: HttpRequest | None = None,
    check: bool = True,
) -> Case:
    """Move a case one step along the transition table; anything else is refused with 409."""
    if check and actor is not None:
        _require(actor, Perm.CASE_CHANGE, case.area_id)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    frm = locked.status
    if not lifecycle.is_allowed(frm, to):
        raise Conflict(
            "transition_not_allowed",
            f"a case cannot go from {frm} to {to}",
            [{"from": frm, "to": to, "allowed": lifecycle.allowed_next(frm)}],
        )
    if len(hospital) > 120:
        raise ValidationFailed("invalid_hospital", "the hospital name has at most 120 characters")
    now = at or timezone.now()
    for name in lifecycle.TRANSITIONS[(frm, to)]:
        if getattr(locked, name) is None:
            setattr(locked, name, now)
    _stamp_isolation(locked)
    if to in (CaseStatus.CONFIRMED, CaseStatus.ASYMPTOMATIC) and locked.lab_confirmed_at is None:
        locked.lab_confirmed_at = now
    if hospital:
        locked.hospital = hospital
    locked.status = to
    locked.save()
    CaseEvent.objects.create(case=locked, from_status=frm, to_status=to, at=now, actor=actor, note=note[:255])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        request=request,
        fields=["status"],
        before={"status": frm},
        after={"status": to},
        reason=note,
    )
    hooks.person_changed([locked.person_id])
    if to in (CaseStatus.CONFIRMED, CaseStatus.ASYMPTOMATIC):
        # A new infection: find its contacts, and the district's risk level may change (每新增一例即重算).
        hooks.case_infection_found(locked.pk)
    case.__dict__.update(locked.__dict__)
    return locked


@transaction.atomic
def case_update(
    *, actor: User, case: Case, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Case:
    """Correct a case's dates, origin, hospital or note (every change is audited)."""
    _require(actor, Perm.CASE_CHANGE, case.area_id)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, raw in data.items():
        if name == "onset_date":
            value: Any = _parse_day(name, raw)
        elif name == "isolated_at":
            raise ValidationFailed(
                "derived_field",
                "isolation starts with quarantine or admission, whichever came first: set quarantined_at or "
                "admitted_at",
                [{"field": name}],
            )
        elif name in DATE_FIELDS:
            value = _parse_instant(name, raw)
        elif name == "origin":
            if raw not in Origin.values:
                raise ValidationFailed("invalid_origin", "origin is local or imported")
            value = raw
        elif name in ("hospital", "note"):
            value = str(raw)
            if name == "hospital" and len(value) > 120:
                raise ValidationFailed("invalid_hospital", "the hospital name has at most 120 characters")
        else:
            raise ValidationFailed("unknown_field", f"{name} cannot be changed here", [{"field": name}])
        if getattr(case, name) != value:
            before[name], after[name] = str(getattr(case, name) or ""), str(value or "")
            setattr(case, name, value)
    isolated = case.isolated_at
    _stamp_isolation(case)
    if case.isolated_at != isolated:
        before["isolated_at"], after["isolated_at"] = str(isolated or ""), str(case.isolated_at or "")
    if after:
        case.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            request=request,
            fields=sorted(after),
            before=before,
            after=after,
        )
        hooks.person_changed([case.person_id])
        if case.status in CONFIRMED_STATUSES:
            hooks.risk_changed()
    return case


# --- lab results --------------------------------------------------------------------------------------

LAB_ALIASES: dict[str, list[str]] = {
    "sample_id": ["sample_id", "sample", "样本编号", "样本号"],
    "sampled_at": ["sampled_at", "sample_time", "采样时间"],
    "result": ["result", "检测结果", "结果"],
    "ct_value": ["ct_value", "ct", "Ct值", "CT值"],
    "reported_at": ["reported_at", "report_time", "报告时间"],
    "doc_type": ["doc_type", "证件类型"],
    "doc_number": ["doc_number", "id_number", "证件号码", "身份证号"],
    "person_id": ["person_id"],
}
_RESULT_WORDS = {
    "positive": LabResultValue.POSITIVE,
    "阳性": LabResultValue.POSITIVE,
    "+": LabResultValue.POSITIVE,
    "negative": LabResultValue.NEGATIVE,
    "阴性": LabResultValue.NEGATIVE,
    "-": LabResultValue.NEGATIVE,
    "inconclusive": LabResultValue.INCONCLUSIVE,
    "可疑": LabResultValue.INCONCLUSIVE,
}


def _lab_row(
    raw: Mapping[str, Any], persons_by_key: Mapping[str, int], valid_ids: set[int]
) -> dict[str, Any]:
    problems: list[dict[str, str]] = []
    sample_id = str(raw.get("sample_id") or "").strip()
    if not sample_id or len(sample_id) > 64:
        problems.append({"field": "sample_id", "message": "required, at most 64 characters"})
    result = _RESULT_WORDS.get(str(raw.get("result") or "").strip().lower())
    if result is None:
        problems.append({"field": "result", "message": "positive, negative or inconclusive"})
    sampled: dt.datetime | None = None
    reported: dt.datetime | None = None
    try:
        sampled = _parse_instant("sampled_at", raw.get("sampled_at"))
        reported = _parse_instant("reported_at", raw.get("reported_at"))
        if sampled is None:
            problems.append({"field": "sampled_at", "message": "required"})
    except ValidationFailed as exc:
        problems.append({"field": exc.details[0]["field"], "message": exc.message})
    ct: float | None = None
    if str(raw.get("ct_value") or "").strip():
        try:
            ct = float(str(raw["ct_value"]).strip())
            if not 0 < ct < 50:
                raise ValueError
        except ValueError:
            problems.append({"field": "ct_value", "message": "a number between 0 and 50"})
    person_id: int | None = None
    if str(raw.get("person_id") or "").strip():
        try:
            person_id = int(str(raw["person_id"]))
        except ValueError:
            person_id = None
        if person_id not in valid_ids:
            person_id = None
    else:
        number = str(raw.get("doc_number") or "").strip().upper()
        if number:
            person_id = persons_by_key.get(pii.doc_key(str(raw.get("doc_type") or "resident_id"), number))
    if person_id is None:
        problems.append({"field": "person", "message": "no person with this document number or id"})
    if problems:
        raise ValidationFailed("invalid_row", "invalid lab result", problems)
    return {
        "sample_id": sample_id,
        "sampled_at": sampled,
        "reported_at": reported,
        "result": result,
        "ct_value": ct,
        "person_id": person_id,
    }


@transaction.atomic
def labs_import(
    *,
    actor: User,
    lab: str,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    client_batch_id: str,
    filename: str = "",
    request: HttpRequest | None = None,
) -> LabBatch:
    """Import lab results: `rows` are (line number, values). Idempotent twice over: a repeated
    `client_batch_id` of the same uploader with the same results returns the first batch (the same key with
    other results is a 409 `idempotency_conflict`), and a sample already stored (lab + sample id) is skipped.
    Every positive result opens or updates its person's case; good rows are kept, bad rows reported."""
    if not lab.strip() or len(lab.strip()) > 120:
        raise ValidationFailed("lab_required", "name the lab (at most 120 characters)")
    if not client_batch_id or len(client_batch_id) > 64:
        raise ValidationFailed("invalid_batch_id", "client_batch_id is required, at most 64 characters")
    digest = payload_digest({"lab": lab.strip(), "rows": [values for _, values in rows]})
    # The key is the uploader's own: another user's batch with the same key never answers for this one.
    existing = LabBatch.objects.filter(uploaded_by=actor, client_batch_id=client_batch_id).first()
    if existing is not None:
        replay_or_conflict(existing.payload_digest, digest, field="client_batch_id")
        return existing
    batch = LabBatch.objects.create(
        lab=lab.strip(),
        client_batch_id=client_batch_id,
        payload_digest=digest,
        filename=filename,
        uploaded_by=actor,
    )
    keys = {
        pii.doc_key(str(r.get("doc_type") or "resident_id"), str(r.get("doc_number") or "").strip().upper())
        for _, r in rows
        if r.get("doc_number")
    }
    visible = Person.objects.visible_to(actor, Perm.LAB_IMPORT).active()
    by_key = dict(visible.filter(dedup_key__in=keys).values_list("dedup_key", "pk")) if keys else {}
    ids = {int(r["person_id"]) for _, r in rows if str(r.get("person_id") or "").isdigit()}
    valid_ids = set(visible.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    now = timezone.now()
    good: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, raw in rows:
        try:
            row = _lab_row(raw, by_key, valid_ids)
        except ValidationFailed as exc:
            errors.append({"line": line, "problems": exc.details})
            continue
        key = f"{batch.lab}:{row['sample_id']}"
        if key in seen:
            continue
        seen.add(key)
        good.append({**row, "key": key})
    columns = [
        "key",
        "lab",
        "sample_id",
        "person_id",
        "sampled_at",
        "result",
        "ct_value",
        "reported_at",
        "batch_id",
        "created_at",
    ]
    inserted = insert_ignoring_conflicts(
        LabResult._meta.db_table,
        columns,
        [
            [
                g["key"],
                batch.lab,
                g["sample_id"],
                g["person_id"],
                g["sampled_at"],
                g["result"],
                g["ct_value"],
                g["reported_at"],
                batch.pk,
                now,
            ]
            for g in good
        ],
        "key",
    )
    positives = list(
        LabResult.objects.filter(batch=batch, result=LabResultValue.POSITIVE)
        .select_related("person")
        .order_by("sampled_at")
    )
    for result in positives:
        case_from_positive(actor=actor, result=result)
    batch.total_rows = len(rows)
    batch.created_rows = inserted
    batch.existing_rows = len(good) - inserted
    batch.error_rows = len(errors)
    batch.positives = len(positives)
    batch.errors = errors[:1000]
    batch.save()
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=batch,
        object_repr=f"lab batch {batch.lab} {client_batch_id}",
        request=request,
        after={"created": inserted, "errors": len(errors), "positives": len(positives)},
    )
    person_ids = set(LabResult.objects.filter(batch=batch).values_list("person_id", flat=True))
    hooks.person_changed(sorted(person_ids))  # negative tests are code facts too
    signals.labs_imported.send(sender=LabBatch, batch=batch, actor=actor)
    return batch


def labs_import_file(
    *,
    actor: User,
    lab: str,
    data: bytes,
    filename: str,
    client_batch_id: str = "",
    request: HttpRequest | None = None,
) -> LabBatch:
    """A lab's CSV/XLSX file; without a client batch id the file's hash makes re-uploading it a no-op."""
    try:
        header, rows = read_table(data, filename)
    except TableError as exc:
        raise ValidationFailed("invalid_file", str(exc)) from None
    mapping = resolve_mapping(header, LAB_ALIASES)
    missing = [f for f in ("sample_id", "sampled_at", "result") if f not in mapping]
    if missing or not ({"doc_number", "person_id"} & set(mapping)):
        raise ValidationFailed(
            "missing_columns",
            "the file needs sample_id, sampled_at, result and doc_number or person_id columns",
            [{"field": f} for f in missing],
        )
    parsed = [(row.line, remap(row, mapping)) for row in rows]
    batch_id = client_batch_id or "sha256:" + hashlib.sha256(lab.encode() + b"\0" + data).hexdigest()[:56]
    return labs_import(
        actor=actor, lab=lab, rows=parsed, client_batch_id=batch_id, filename=filename, request=request
    )


def case_from_positive(*, actor: User | None, result: LabResult) -> Case:
    """A positive result opens a case (suspected → asymptomatic, or confirmed when onset is known) or
    moves the person's open case on; a case already confirmed just gains the result."""
    case = Case.objects.filter(person_id=result.person_id).exclude(status__in=CLOSED_STATUSES).first()
    if case is None:
        case = case_report(
            actor=actor,
            person=result.person,
            status=CaseStatus.SUSPECTED,
            note="positive lab result",
            check=False,
        )
    if case.sampled_at is None or result.sampled_at < case.sampled_at:
        case.sampled_at = result.sampled_at
        case.save(update_fields=["sampled_at", "updated_at"])
    if case.status == CaseStatus.FEVER:
        case = case_transition(
            actor=actor, case=case, to=CaseStatus.SUSPECTED, note="positive lab result", check=False
        )
    if case.status == CaseStatus.SUSPECTED:
        to = CaseStatus.CONFIRMED if case.onset_date else CaseStatus.ASYMPTOMATIC
        case = case_transition(
            actor=actor, case=case, to=to, note=f"positive: {result.lab} {result.sample_id}", check=False
        )
    LabResult.objects.filter(pk=result.pk).update(case=case)
    return case


# --- contacts -----------------------------------------------------------------------------------------


@transaction.atomic
def contact_decide(
    *, actor: User, contact: Contact, confirm: bool, note: str = "", request: HttpRequest | None = None
) -> Contact:
    """An epidemiologist confirms or dismisses a suggestion. A confirmed contact gets a follow-up record
    (medical observation for 14 days after the last exposure), becomes a code fact at once, and, when
    the contact is a case too, an infector → infectee link."""
    _require(actor, Perm.CONTACT_DECIDE, contact.case.area_id)
    locked = Contact.objects.select_for_update().select_related("case").get(pk=contact.pk)
    if locked.status != ContactStatus.SUGGESTED:
        raise Conflict("already_decided", "this suggestion has already been decided")
    now = timezone.now()
    locked.status = ContactStatus.CONFIRMED if confirm else ContactStatus.DISMISSED
    locked.decided_by, locked.decided_at, locked.decision_note = actor, now, note[:255]
    locked.save()
    if confirm:
        FollowUp.objects.get_or_create(
            contact=locked,
            defaults={
                "person_id": locked.person_id,
                "started_at": now,
                "until": local_day(locked.last_exposed_at) + dt.timedelta(days=FOLLOW_UP_DAYS),
                "created_by": actor,
            },
        )
        other = (
            Case.objects.filter(person_id=locked.person_id).exclude(pk=locked.case_id).order_by("-id").first()
        )
        if other is not None and locked.degree == ContactDegree.CLOSE:
            _link_from_contact(actor=actor, contact=locked, infectee=other)
        signals.contact_confirmed.send(sender=Contact, contact=locked, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        object_repr=f"contact {locked.person_id} of case {locked.case_id}",
        area_code=locked.case.area_id,
        request=request,
        fields=["status"],
        before={"status": ContactStatus.SUGGESTED},
        after={"status": locked.status},
        reason=note,
    )
    hooks.person_changed([locked.person_id])
    contact.__dict__.update(locked.__dict__)
    return locked


def _venue_of(evidence: Iterable[Mapping[str, Any]]) -> int | None:
    for item in evidence:
        if item.get("venue_id") is not None:
            return int(item["venue_id"])
    return None


def _link_from_contact(*, actor: User, contact: Contact, infectee: Case) -> None:
    infector = contact.case
    if (
        infectee.pk == infector.pk
        or TransmissionLink.objects.filter(infector=infector, infectee=infectee).exists()
    ):
        return
    TransmissionLink.objects.create(
        infector=infector,
        infectee=infectee,
        source=LinkSource.CONTACT,
        contact=contact,
        venue_id=_venue_of(contact.evidence),
        evidence=contact.evidence[:20],
        created_by=actor,
    )
    hooks.links_changed()


@transaction.atomic
def link_create(
    *, actor: User, infector: Case, infectee: Case, note: str = "", request: HttpRequest | None = None
) -> TransmissionLink:
    """Set infector → infectee by hand (流调 finding); the evidence is the epidemiologist's note."""
    _require(actor, Perm.CONTACT_DECIDE, infectee.area_id)
    if infector.pk == infectee.pk:
        raise ValidationFailed("self_link", "a case cannot infect itself")
    if TransmissionLink.objects.filter(
        Q(infector=infector, infectee=infectee) | Q(infector=infectee, infectee=infector)
    ).exists():
        raise Conflict("link_exists", "these two cases are already linked")
    link = TransmissionLink.objects.create(
        infector=infector,
        infectee=infectee,
        source=LinkSource.MANUAL,
        note=note[:255],
        evidence=[{"kind": "manual", "note": note[:255]}],
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        area_code=infectee.area_id,
        request=request,
        reason=note,
    )
    hooks.links_changed()
    return link


@transaction.atomic
def follow_up_record(
    *,
    actor: User,
    follow_up: FollowUp,
    temperature: Any = None,
    symptoms: bool = False,
    note: str = "",
    close: bool = False,
    close_reason: str = "",
) -> FollowUpEntry:
    """One observation of a contact under medical observation (体温、症状); `close` ends the observation.

    It may close on any day, but before its end date (`until`) only with a reason, and it is then shown as
    closed early."""
    contact = follow_up.contact
    _require(actor, Perm.CONTACT_DECIDE, contact.case.area_id)
    now = timezone.now()
    close_reason = close_reason.strip()
    if (
        close
        and follow_up.status == FollowUpStatus.OPEN
        and local_day(now) < follow_up.until
        and not close_reason
    ):
        raise ValidationFailed(
            "close_reason_required",
            f"the observation runs until {follow_up.until.isoformat()}: closing it early needs a reason",
            [{"field": "close_reason", "message": "give the reason for closing before the end date"}],
        )
    celsius = None
    if temperature not in (None, ""):
        try:
            celsius = round(float(temperature), 1)
        except (TypeError, ValueError):
            celsius = -1.0
        if not 30.0 <= celsius <= 45.0:
            raise ValidationFailed("invalid_temperature", "temperature is in °C, between 30 and 45")
    entry = FollowUpEntry.objects.create(
        follow_up=follow_up,
        at=now,
        actor=actor,
        temperature=celsius,
        symptoms=symptoms,
        note=note[:255],
    )
    if close and follow_up.status == FollowUpStatus.OPEN:
        follow_up.status = FollowUpStatus.CLOSED
        follow_up.closed_at = now
        follow_up.close_reason = close_reason[:255] if local_day(now) < follow_up.until else ""
        follow_up.save(update_fields=["status", "closed_at", "close_reason"])
        hooks.person_changed([follow_up.person_id])
    return entry


# --- clusters -----------------------------------------------------------------------------------------


def case_day(onset: dt.date | None, reported_at: dt.datetime | None, created_at: dt.datetime) -> dt.date:
    if onset is not None:
        return onset
    return local_day(reported_at or created_at)


@transaction.atomic
def clusters_recompute(*, window_days: int = core_clusters.DEFAULT_WINDOW_DAYS) -> int:
    """Recompute every cluster (聚集性疫情) from the links between infected cases; returns how many."""
    infected = Case.objects.filter(
        Q(status__in=CONFIRMED_STATUSES) | Q(status=CaseStatus.ASYMPTOMATIC)
    ).values_list("pk", "onset_date", "reported_at", "created_at", "area_id")
    days: list[core_clusters.ClusterCase] = []
    area_of: dict[int, str] = {}
    for pk, onset, reported, created, area in infected.iterator(chunk_size=5000):
        days.append(core_clusters.ClusterCase(pk, case_day(onset, reported, created)))
        area_of[pk] = area
    links = [
        core_clusters.CaseLink(a, b, v)
        for a, b, v in TransmissionLink.objects.values_list(
            "infector_id", "infectee_id", "venue_id"
        ).iterator(chunk_size=5000)
    ]
    found = core_clusters.find_clusters(days, links, window_days)
    Case.objects.filter(cluster__isnull=False).update(cluster=None)
    Cluster.objects.all().delete()
    for cluster in found:
        districts = sorted({area_of[m][:6] for m in cluster.members})
        lead = area_of[cluster.members[0]][:6]
        row = Cluster.objects.create(
            ref=f"C{cluster.first_day:%Y%m%d}-{cluster.members[0]}",
            area_id=lead,
            size=cluster.size,
            first_day=cluster.first_day,
            last_day=cluster.last_day,
            venue_ids=list(cluster.venue_ids),
            districts=districts,
        )
        for start in range(0, len(cluster.members), 900):
            Case.objects.filter(pk__in=cluster.members[start : start + 900]).update(cluster=row)
    return len(found)

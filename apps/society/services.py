"""Writes of schools and disputes: readiness items with evidence, reopening dates, the dispute life cycle."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import grant_prefixes, has_perm_at
from apps.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from apps.geo.models import Area
from apps.people.pii import cipher
from apps.society.choices import (
    CLOSING,
    DEFAULT_CHECKLIST,
    DISPUTE_TRANSITIONS,
    LEVEL_GRADES,
    ChecklistGroup,
    DisputeKind,
    DisputeStatus,
    SchoolLevel,
)
from apps.society.models import ChecklistItem, Dispute, School, SchoolCheck, SchoolGrade
from core.masking import mask_name


def checklist_ensure_defaults() -> int:
    """Create the default readiness items (一校一方案, 一校两预案, 一校三专班, 十个到位) if none exist yet."""
    if ChecklistItem.objects.exists():
        return 0
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(group=g, code=c, text_zh=zh, text_en=en, order=i)
            for i, (g, c, zh, en) in enumerate(DEFAULT_CHECKLIST)
        ],
        ignore_conflicts=True,
    )
    return len(DEFAULT_CHECKLIST)


def _area(code: str, actor: User, perm: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationFailed(
            "unknown_area", f"no area {code}", [{"field": "area_code", "message": "unknown"}]
        )
    if not has_perm_at(actor, perm, area.code):
        raise Forbidden("forbidden", "you may not act in this area")
    return area


@transaction.atomic
def school_create(
    *,
    actor: User,
    code: str,
    name: str,
    area_code: str,
    level: str,
    students: int = 0,
    planned_reopen: dt.date | None = None,
    plan_note: str = "",
    request: HttpRequest | None = None,
) -> School:
    area = _area(area_code, actor, Perm.SCHOOL_CHANGE)
    if level not in SchoolLevel.values:
        raise ValidationFailed("invalid_level", f"level is one of {', '.join(SchoolLevel.values)}")
    if not code.strip() or not name.strip():
        raise ValidationFailed("invalid", "code and name are required")
    checklist_ensure_defaults()
    try:
        with transaction.atomic():
            school = School.objects.create(
                code=code.strip(),
                name=name.strip(),
                area=area,
                level=level,
                students=min(max(students, 0), 999_999),
                planned_reopen=planned_reopen,
                plan_note=plan_note,
            )
    except IntegrityError:
        raise Conflict("duplicate_school", f"school {code} exists") from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=school, request=request)
    return school


@transaction.atomic
def check_set(
    *,
    actor: User,
    school: School,
    item_code: str,
    done: bool,
    evidence: str = "",
    request: HttpRequest | None = None,
) -> SchoolCheck:
    """Tick (or untick) a readiness item. Ticking needs evidence: a readiness nobody can show is not readiness."""
    if not has_perm_at(actor, Perm.SCHOOL_CHANGE, school.area_id):
        raise Forbidden("forbidden", "you may not change this school")
    item = ChecklistItem.objects.filter(code=item_code, active=True).first()
    if item is None:
        raise NotFound("item_not_found", "no such readiness item")
    if done and not evidence.strip():
        raise ValidationFailed(
            "evidence_required",
            "say what shows the item is done",
            [{"field": "evidence", "message": "required"}],
        )
    check, _ = SchoolCheck.objects.update_or_create(
        school=school,
        item=item,
        defaults={
            "done": done,
            "evidence": evidence.strip(),
            "checked_by": actor,
            "checked_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=check,
        area_code=school.area_id,
        request=request,
        after={"item": item.code, "done": done},
    )
    return check


@transaction.atomic
def school_update(
    *, actor: User, school: School, data: dict[str, Any], request: HttpRequest | None = None
) -> School:
    """Change reopening dates and the plan. The actual reopening date needs every active item done."""
    if not has_perm_at(actor, Perm.SCHOOL_CHANGE, school.area_id):
        raise Forbidden("forbidden", "you may not change this school")
    before = {
        k: str(getattr(school, k))
        for k in data
        if k in ("planned_reopen", "actual_reopen", "plan_note", "students")
    }
    if data.get("actual_reopen"):
        _require_ready(school, data["actual_reopen"])
    if "students" in data and (
        not isinstance(data["students"], int) or not 0 <= data["students"] < 1_000_000
    ):
        raise ValidationFailed(
            "invalid_students",
            "students is a whole number from 0",
            [{"field": "students", "message": str(data["students"])}],
        )
    for k in ("planned_reopen", "actual_reopen", "plan_note", "students"):
        if k in data:
            setattr(school, k, data[k])
    if data.get("actual_reopen"):
        # The whole school back at once: every grade not yet back reopens that day.
        school.grades.filter(actual_reopen__isnull=True).update(actual_reopen=data["actual_reopen"])
    school.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=school,
        request=request,
        fields=list(before),
        before=before,
        after={k: str(getattr(school, k)) for k in before},
    )
    return school


def _require_ready(school: School, day: dt.date) -> None:
    """A school (or a grade of it) reopens only once every readiness item is done, and not in the future."""
    from apps.society.selectors import school_readiness

    readiness = school_readiness(school=school)
    if readiness["missing"]:
        raise Conflict(
            "not_ready",
            "the school cannot reopen before every readiness item is done",
            [{"field": "checklist", "message": m.text} for m in readiness["missing"]],
        )
    if day > timezone.localdate():
        raise ValidationFailed(
            "future_date",
            "the actual reopening cannot be in the future",
            [{"field": "actual_reopen", "message": day.isoformat()}],
        )


@transaction.atomic
def grade_set(
    *,
    actor: User,
    school: School,
    grade: int,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> SchoolGrade:
    """Set one grade's students and reopening dates (分年级复学). The school counts as reopened from its first
    grade back (`School.actual_reopen` is the earliest grade's date) and as fully back when every grade is."""
    if not has_perm_at(actor, Perm.SCHOOL_CHANGE, school.area_id):
        raise Forbidden("forbidden", "you may not change this school")
    grades = len(LEVEL_GRADES.get(school.level, ()))
    if not 1 <= grade <= grades:
        raise ValidationFailed(
            "invalid_grade",
            f"a {school.level} school has grades 1 to {grades}",
            [{"field": "grade", "message": str(grade)}],
        )
    students = data.get("students")
    if students is not None and (
        isinstance(students, bool) or not isinstance(students, int) or not 0 <= students < 1_000_000
    ):
        raise ValidationFailed(
            "invalid_students",
            "students is a whole number from 0",
            [{"field": "students", "message": str(students)}],
        )
    if data.get("actual_reopen"):
        _require_ready(school, data["actual_reopen"])
    row, _ = SchoolGrade.objects.select_for_update().get_or_create(school=school, grade=grade)
    before = {k: str(getattr(row, k)) for k in ("students", "planned_reopen", "actual_reopen") if k in data}
    for k in before:
        setattr(row, k, data[k])
    row.save()
    first_back = (
        school.grades.filter(actual_reopen__isnull=False)
        .order_by("actual_reopen")
        .values_list("actual_reopen", flat=True)
        .first()
    )
    if school.actual_reopen != first_back:
        school.actual_reopen = first_back
        school.save(update_fields=["actual_reopen", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=school,
        request=request,
        fields=[f"grade {grade}: {k}" for k in before],
        before=before,
        after={k: str(getattr(row, k)) for k in before},
    )
    return row


# --- disputes (矛盾纠纷排查化解) ---


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        d = Decimal(-1)
    if not d.is_finite() or d < 0 or d >= Decimal("1e12"):  # the column holds 12 integer digits
        raise ValidationFailed(
            "invalid_amount",
            "the amount is a non-negative number",
            [{"field": "amount", "message": str(value)}],
        )
    return d


def party_hash(name: str) -> str:
    return cipher().lookup_hash(name.strip(), kind="party")


@transaction.atomic
def dispute_create(
    *,
    actor: User,
    area_code: str,
    kind: str,
    summary: str,
    claimant: str,
    respondent: str,
    owner_name: str,
    amount: Any = None,
    opened_on: dt.date | None = None,
    owner: User | None = None,
    request: HttpRequest | None = None,
) -> Dispute:
    area = _area(area_code, actor, Perm.DISPUTE_CHANGE)
    errors = [
        {"field": f, "message": "required"}
        for f, v in (
            ("summary", summary),
            ("claimant", claimant),
            ("respondent", respondent),
            ("owner_name", owner_name),
        )
        if not v.strip()
    ]
    if kind not in DisputeKind.values:
        errors.append({"field": "kind", "message": f"one of {', '.join(DisputeKind.values)}"})
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        errors.append({"field": "opened_on", "message": "cannot be in the future"})
    if errors:
        raise ValidationFailed("invalid_dispute", "the dispute is not valid", errors)
    c = cipher()
    dispute = Dispute.objects.create(
        ref=f"tmp-{uuid.uuid4().hex[:24]}",
        area=area,
        kind=kind,
        summary=summary.strip(),
        claimant_enc=c.encrypt(claimant.strip()),
        claimant_masked=mask_name(claimant.strip()),
        claimant_hash=party_hash(claimant),
        respondent_enc=c.encrypt(respondent.strip()),
        respondent_masked=mask_name(respondent.strip()),
        respondent_hash=party_hash(respondent),
        amount=_amount(amount),
        owner=owner,
        owner_name=owner_name.strip(),
        opened_on=opened_on,
    )
    dispute.ref = f"JF{opened_on:%Y%m%d}{dispute.pk:05d}"  # 纠纷 number: day opened and a sequence
    dispute.save(update_fields=["ref"])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=dispute, request=request)
    return dispute


@transaction.atomic
def dispute_transition(
    *,
    actor: User,
    dispute: Dispute,
    status: str,
    resolution: str = "",
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Dispute:
    """Move a dispute along DISPUTE_TRANSITIONS; resolving or referring needs the resolution written down."""
    if not has_perm_at(actor, Perm.DISPUTE_CHANGE, dispute.area_id):
        raise Forbidden("forbidden", "you may not change this dispute")
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if status not in DISPUTE_TRANSITIONS.get(dispute.status, set()):
        raise Conflict("bad_transition", f"a dispute cannot go from {dispute.status} to {status}")
    if status in CLOSING and not resolution.strip():
        raise ValidationFailed(
            "resolution_required",
            "write down how the dispute was resolved or referred",
            [{"field": "resolution", "message": "required"}],
        )
    on = on or timezone.localdate()
    if on < dispute.opened_on:
        raise ValidationFailed("invalid_date", "a dispute cannot close before it was opened")
    before = {"status": dispute.status}
    dispute.status = status
    if resolution.strip():
        dispute.resolution = resolution.strip()
    if status == DisputeStatus.RESOLVED or (status == DisputeStatus.REFERRED and dispute.closed_on is None):
        dispute.closed_on = on
    dispute.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=dispute,
        request=request,
        fields=["status"],
        before=before,
        after={"status": status},
    )
    return dispute


def dispute_reveal(
    *, actor: User, dispute: Dispute, reason: str = "", request: HttpRequest | None = None
) -> dict[str, str]:
    """The parties in clear: needs the reveal permission at the dispute's area, always audited."""
    if not has_perm_at(actor, Perm.DISPUTE_REVEAL, dispute.area_id):
        raise Forbidden("reveal_forbidden", "your role may not reveal dispute parties")
    c = cipher()
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=dispute,
        fields=["claimant", "respondent"],
        reason=reason,
        request=request,
    )
    return {"claimant": c.decrypt(dispute.claimant_enc), "respondent": c.decrypt(dispute.respondent_enc)}


@transaction.atomic
def checklist_item_upsert(
    *,
    actor: User,
    code: str,
    group: str,
    text_zh: str,
    text_en: str = "",
    order: int = 0,
    active: bool = True,
    request: HttpRequest | None = None,
) -> ChecklistItem:
    """Add, change or retire (active=False) a readiness item: the headquarters configures the checklist."""
    if not any(len(p) <= 4 for p in grant_prefixes(actor, Perm.SCHOOL_CHANGE)):
        raise Forbidden("forbidden", "only the city headquarters configures the readiness checklist")
    if group not in ChecklistGroup.values:
        raise ValidationFailed("invalid_group", f"group is one of {', '.join(ChecklistGroup.values)}")
    if not code.strip() or not text_zh.strip():
        raise ValidationFailed("invalid", "code and text are required")
    checklist_ensure_defaults()
    item, created = ChecklistItem.objects.update_or_create(
        code=code.strip(),
        defaults={
            "group": group,
            "text_zh": text_zh.strip(),
            "text_en": text_en.strip(),
            "order": order,
            "active": active,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=item,
        request=request,
        after={"group": group, "active": active},
    )
    return item

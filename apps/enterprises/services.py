"""Writes of the enterprises app: registry, import, status, commitments, inspections, the non-resumed list's
reasons, plans and visits, policies and their delivery, electricity readings. Each one scoped and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm, Role
from apps.accounts.models import RoleGrant, User
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from apps.common.idempotency import payload_digest, replay_or_conflict
from apps.enterprises import aggregates
from apps.enterprises.choices import (
    DEFAULT_GUIDELINE,
    InspectionKind,
    InspectionResult,
    PolicyCategory,
    Reason,
    Status,
    StatusSource,
    Uptake,
)
from apps.enterprises.cleaning import (
    ENTERPRISE_ALIASES,
    POWER_ALIASES,
    CleanEnterprise,
    clean_enterprise,
    clean_power,
)
from apps.enterprises.models import (
    Commitment,
    Enterprise,
    EnterpriseMember,
    EnterpriseReason,
    GuidelineMeasure,
    Inspection,
    Policy,
    PolicyDelivery,
    PowerReading,
    ServicePlan,
    StatusChange,
    Visit,
)
from apps.geo.selectors import all_area_codes
from apps.people import pii
from apps.people.models import ImportBatch
from core import policies as policy_rules
from core import tabular
from core.masking import mask_name, mask_phone
from core.resumption import PowerRecord, ResumptionStatus, power_cross_check

RESUMED = {Status.PARTLY, Status.FULLY}


def _require(actor: User, perm: str, area_code: str, message: str) -> None:
    if not has_perm_at(actor, perm, area_code):
        raise Forbidden("outside_jurisdiction", message)


def _contact_columns(name: str, phone: str) -> dict[str, Any]:
    c = pii.cipher()
    return {
        "contact_name_enc": c.encrypt(name) if name else None,
        "contact_name_masked": mask_name(name) if name else "",
        "contact_phone_enc": c.encrypt(phone) if phone else None,
        "contact_phone_masked": mask_phone(phone) if phone else "",
        "contact_phone_hash": pii.phone_hash(phone) if phone else "",
        "contact_hash": c.lookup_hash(f"{name}|{phone}", kind="enterprise_contact") if name or phone else "",
    }


REGISTRY_FIELDS = (
    "name",
    "industry_section",
    "size_class",
    "above_designated",
    "employees",
    "annual_revenue",
)


def _registry_columns(clean: CleanEnterprise) -> dict[str, Any]:
    return {
        "name": clean.name,
        "industry_section": clean.industry_section,
        "area_id": clean.area_code,
        "district": clean.area_code[:6],
        "size_class": clean.size_class,
        "above_designated": clean.above_designated,
        "employees": clean.employees,
        "annual_revenue": clean.annual_revenue,
        **_contact_columns(clean.contact_name, clean.contact_phone),
    }


def _invalid(errors: list[dict[str, Any]]) -> ValidationFailed:
    first = errors[0]["code"] if errors else "invalid_enterprise"
    code = "invalid_credit_code" if first.startswith("credit_code_") else "invalid_enterprise"
    return ValidationFailed(code, "the enterprise record has errors", errors)


@transaction.atomic
def enterprise_create(
    *, actor: User, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Enterprise:
    clean = clean_enterprise(data, area_codes=all_area_codes())
    if isinstance(clean, list):
        raise _invalid(clean)
    _require(actor, Perm.ENTERPRISE_CHANGE, clean.area_code, "the enterprise lies outside your jurisdiction")
    existing = Enterprise.objects.filter(credit_code=clean.credit_code).first()
    if existing is not None:
        raise Conflict(
            "duplicate_enterprise",
            "an enterprise with this credit code is registered",
            [{"enterprise_id": existing.pk}],
        )
    enterprise = Enterprise.objects.create(credit_code=clean.credit_code, **_registry_columns(clean))
    aggregates.cells_move(None, aggregates.contribution(enterprise))
    if clean.status and clean.status != Status.NOT_RESUMED:
        _status_apply(
            enterprise,
            clean.status,
            clean.staff_share_back,
            clean.capacity_used,
            StatusSource.OFFICER,
            actor,
            timezone.now(),
        )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=enterprise, request=request)
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: User, enterprise: Enterprise, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Enterprise:
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    _require(
        actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
    )
    current = enterprise_plain(enterprise)
    merged = {**current, **{k: v for k, v in data.items() if k in ENTERPRISE_ALIASES and k != "credit_code"}}
    clean = clean_enterprise(merged, area_codes=all_area_codes())
    if isinstance(clean, list):
        raise _invalid(clean)
    _require(actor, Perm.ENTERPRISE_CHANGE, clean.area_code, "the new area lies outside your jurisdiction")
    columns = _registry_columns(clean)
    before = aggregates.contribution(enterprise)
    was_open, old_district = aggregates.is_open(enterprise), enterprise.district
    changed = sorted(k for k in (*REGISTRY_FIELDS, "area_id") if getattr(enterprise, k) != columns[k])
    if columns["contact_hash"] != enterprise.contact_hash:
        changed.append("contact")
    for key, value in columns.items():
        setattr(enterprise, key, value)
    enterprise.save()
    aggregates.cells_move(before, aggregates.contribution(enterprise))
    aggregates.reasons_move(enterprise, was_open=was_open, old_district=old_district)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=enterprise, fields=changed, request=request)
    return enterprise


def enterprise_plain(enterprise: Enterprise) -> dict[str, Any]:
    """Every registry field in plain text (contact decrypted): for re-validation and reveal only."""
    c = pii.cipher()
    return {
        "credit_code": enterprise.credit_code,
        "name": enterprise.name,
        "industry_section": enterprise.industry_section,
        "area_code": enterprise.area_id,
        "size_class": enterprise.size_class,
        "above_designated": "yes" if enterprise.above_designated else "no",
        "employees": str(enterprise.employees),
        "annual_revenue": "" if enterprise.annual_revenue is None else str(enterprise.annual_revenue),
        "contact_name": c.decrypt(enterprise.contact_name_enc) if enterprise.contact_name_enc else "",
        "contact_phone": c.decrypt(enterprise.contact_phone_enc) if enterprise.contact_phone_enc else "",
    }


def enterprise_reveal_contact(
    *, actor: User, enterprise: Enterprise, reason: str = "", request: HttpRequest | None = None
) -> dict[str, str]:
    _require(
        actor, Perm.ENTERPRISE_REVEAL, enterprise.area_id, "your role may not reveal this contact person"
    )
    plain = enterprise_plain(enterprise)
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=enterprise,
        fields=["contact_name", "contact_phone"],
        reason=reason,
        request=request,
    )
    return {"contact_name": plain["contact_name"], "contact_phone": plain["contact_phone"]}


def enterprises_import(
    *,
    actor: User,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """Import a registry list. Bad rows are reported with line and field; new codes are created, known codes
    are updated only where something changed, so importing the same file twice changes nothing."""
    try:
        header, rows = tabular.read_table(data, filename)
        columns = tabular.resolve_mapping(header, ENTERPRISE_ALIASES, mapping)
    except tabular.TableError as exc:
        raise ValidationFailed("bad_file", str(exc)) from None
    missing = [
        f for f in ("credit_code", "name", "industry_section", "area_code", "size_class") if f not in columns
    ]
    if missing:
        raise ValidationFailed(
            "missing_columns",
            "the file lacks columns: " + ", ".join(missing),
            [{"field": f} for f in missing],
        )
    area_codes = all_area_codes()
    batch = ImportBatch(
        kind="enterprises",
        filename=filename[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    errors: list[dict[str, Any]] = []
    good: dict[str, tuple[int, CleanEnterprise]] = {}
    for row in rows:
        batch.total_rows += 1
        result = clean_enterprise(tabular.remap(row, columns), area_codes=area_codes)
        if isinstance(result, list):
            errors.extend({"line": row.line, **e} for e in result)
            continue
        if not has_perm_at(actor, Perm.ENTERPRISE_IMPORT, result.area_code):
            errors.append(
                {
                    "line": row.line,
                    "field": "area_code",
                    "code": "outside_jurisdiction",
                    "message": f"area {result.area_code} lies outside your jurisdiction",
                }
            )
            continue
        if result.credit_code in good:
            errors.append(
                {
                    "line": row.line,
                    "field": "credit_code",
                    "code": "repeated_in_file",
                    "message": f"the same credit code is already on line {good[result.credit_code][0]}",
                }
            )
            continue
        good[result.credit_code] = (row.line, result)
    now = timezone.now()
    created = updated = 0
    with transaction.atomic():
        codes = list(good)
        existing: dict[str, Enterprise] = {}
        for start in range(0, len(codes), 2000):
            existing.update(
                (e.credit_code, e)
                for e in Enterprise.objects.select_for_update().filter(
                    credit_code__in=codes[start : start + 2000]
                )
            )
        new, changed_rows = [], []
        for code, (line, clean) in good.items():
            cols = _registry_columns(clean)
            ent = existing.get(code)
            if ent is None:
                new.append(Enterprise(credit_code=code, **cols))
                continue
            if not has_perm_at(actor, Perm.ENTERPRISE_IMPORT, ent.area_id):
                errors.append(
                    {
                        "line": line,
                        "field": "credit_code",
                        "code": "outside_jurisdiction",
                        "message": "this enterprise is registered outside your jurisdiction",
                    }
                )
                continue
            if not clean.contact_name and not clean.contact_phone:
                for key in (
                    "contact_name_enc",
                    "contact_name_masked",
                    "contact_phone_enc",
                    "contact_phone_masked",
                    "contact_phone_hash",
                    "contact_hash",
                ):
                    cols.pop(key)  # a file without contact columns leaves the contact alone
            diff = [k for k in cols if k.endswith("_enc") is False and getattr(ent, k) != cols[k]]
            if diff:
                for key, value in cols.items():
                    setattr(ent, key, value)
                ent.updated_at = now
                changed_rows.append(ent)
        Enterprise.objects.bulk_create(new, batch_size=2000)
        created = len(new)
        if changed_rows:
            Enterprise.objects.bulk_update(
                changed_rows,
                [
                    *REGISTRY_FIELDS,
                    "area",
                    "district",
                    "contact_name_enc",
                    "contact_name_masked",
                    "contact_phone_enc",
                    "contact_phone_masked",
                    "contact_phone_hash",
                    "contact_hash",
                    "updated_at",
                ],
                batch_size=2000,
            )
        updated = len(changed_rows)
        # Status columns, when present, are reports like any other: history only where the status moved.
        with_status = [(code, c) for code, (_, c) in good.items() if c.status]
        if with_status:
            by_code = Enterprise.objects.in_bulk([c for c, _ in with_status], field_name="credit_code")
            for code, clean in with_status:
                ent = by_code[code]
                if (ent.status, ent.staff_share_back, ent.capacity_used) != (
                    clean.status,
                    clean.staff_share_back if clean.staff_share_back is not None else ent.staff_share_back,
                    clean.capacity_used if clean.capacity_used is not None else ent.capacity_used,
                ):
                    _status_apply(
                        ent,
                        str(clean.status),
                        clean.staff_share_back,
                        clean.capacity_used,
                        StatusSource.IMPORT,
                        actor,
                        now,
                    )
        if created or updated or with_status:
            aggregates.aggregates_rebuild()  # bulk writes bypass the per-row counters: recount once
        batch.created_rows = created
        batch.existing_rows = len(good) - created
        batch.error_rows = len({e["line"] for e in errors})
        batch.errors = sorted(errors, key=lambda e: e["line"])
        batch.save()
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=batch,
            object_repr=filename[:200],
            after={"created": created, "updated": updated, "errors": batch.error_rows},
            request=request,
        )
    batch.updated_rows = updated  # type: ignore[attr-defined]
    return batch


# --- status and its history ---


def _status_apply(
    enterprise: Enterprise,
    status: str,
    staff: float | None,
    capacity: float | None,
    source: str,
    actor: User | None,
    at: dt.datetime,
    note: str = "",
) -> StatusChange:
    if status not in Status.values:
        raise ValidationFailed("unknown_status", "status is not, partly or fully")
    for name, value in (("staff_share_back", staff), ("capacity_used", capacity)):
        if value is not None and not 0 <= value <= 1:
            raise ValidationFailed(
                "out_of_range",
                f"{name} must lie between 0 and 1",
                [{"field": name, "message": "between 0 and 1"}],
            )
    if status == Status.NOT_RESUMED:
        staff, capacity = 0.0, 0.0  # as core.resumption counts it: nobody back, no output
    elif status == Status.FULLY:
        staff = 1.0 if staff is None else staff
        capacity = 1.0 if capacity is None else capacity
    else:
        staff = enterprise.staff_share_back if staff is None else staff
        capacity = staff if capacity is None else capacity
    previous = enterprise.status
    before = aggregates.contribution(enterprise)
    was_open = aggregates.is_open(enterprise)
    change = StatusChange.objects.create(
        enterprise=enterprise,
        area_id=enterprise.area_id,
        day=timezone.localdate(at),
        at=at,
        previous_status=previous,
        status=status,
        staff_share_back=staff,
        capacity_used=capacity,
        delta_resumed=int(status in RESUMED) - int(previous in RESUMED),
        delta_fully=int(status == Status.FULLY) - int(previous == Status.FULLY),
        above_designated=enterprise.above_designated,
        source=source,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note[:300],
    )
    Enterprise.objects.filter(pk=enterprise.pk).update(
        status=status, staff_share_back=staff, capacity_used=capacity, status_at=at, updated_at=timezone.now()
    )
    enterprise.status, enterprise.staff_share_back, enterprise.capacity_used, enterprise.status_at = (
        status,
        staff,
        capacity,
        at,
    )
    aggregates.cells_move(before, aggregates.contribution(enterprise))
    aggregates.reasons_move(enterprise, was_open=was_open, old_district=enterprise.district)
    aggregates.curve_add(
        day=change.day,
        district=enterprise.area_id[:6],
        above=enterprise.above_designated,
        resumed=change.delta_resumed,
        fully=change.delta_fully,
    )
    transaction.on_commit(lambda: power_recheck(enterprise_ids=[enterprise.pk]))
    return change


@transaction.atomic
def enterprise_status_set(
    *,
    actor: User,
    enterprise: Enterprise,
    status: str,
    staff_share_back: float | None = None,
    capacity_used: float | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> StatusChange:
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    is_member = EnterpriseMember.objects.filter(user_id=actor.pk, enterprise=enterprise).exists()
    if not is_member:
        _require(
            actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
        )
    source = StatusSource.ENTERPRISE if is_member else StatusSource.OFFICER
    change = _status_apply(
        enterprise, status, staff_share_back, capacity_used, source, actor, timezone.now(), note
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enterprise,
        fields=["status"],
        after={
            "status": status,
            "staff_share_back": change.staff_share_back,
            "capacity_used": change.capacity_used,
        },
        request=request,
    )
    return change


@transaction.atomic
def enterprise_member_link(
    *, actor: User, enterprise: Enterprise, user: User, request: HttpRequest | None = None
) -> EnterpriseMember:
    """Let an enterprise user's account act for this enterprise (one enterprise per account)."""
    _require(
        actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
    )
    if not RoleGrant.objects.filter(user=user, role=Role.ENTERPRISE_USER).exists():
        raise ValidationFailed(
            "not_enterprise_user", "only an account with the enterprise-user role can be linked"
        )
    member, _ = EnterpriseMember.objects.update_or_create(user=user, defaults={"enterprise": enterprise})
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enterprise,
        fields=["members"],
        after={"user": user.get_username()},
        request=request,
    )
    return member


def enterprise_of(user: User) -> Enterprise:
    """The enterprise an enterprise user acts for."""
    member = EnterpriseMember.objects.select_related("enterprise").filter(user_id=user.pk).first()
    if member is None:
        raise NotFound(
            "no_enterprise", "your account is not linked to an enterprise; ask your economic officer"
        )
    return member.enterprise


# --- commitment filing (变审批为承诺) and the inspections after it ---


@transaction.atomic
def commitment_file(
    *, actor: User, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Commitment:
    """File a resumption commitment for the actor's own enterprise. Accepted at once; it sets the status."""
    enterprise = enterprise_of(actor)
    client_id = str(data.get("client_id") or "").strip() or None
    digest = payload_digest({k: v for k, v in data.items() if k != "client_id"})
    if client_id:
        # The key is the filer's own: another user's filing with the same key never answers for this one.
        earlier = Commitment.objects.filter(filed_by=actor, client_id=client_id).first()
        if earlier is not None:
            if earlier.enterprise_id != enterprise.pk:
                raise Conflict("idempotency_conflict", "this client id belongs to another filing")
            replay_or_conflict(earlier.payload_digest, digest)
            return earlier  # a retried submission from a phone with a bad connection
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    errors: list[dict[str, Any]] = []
    try:
        planned = data["planned_date"]
        planned = planned if isinstance(planned, dt.date) else dt.date.fromisoformat(str(planned))
    except (KeyError, ValueError):
        planned = None
        errors.append({"field": "planned_date", "code": "not_a_date", "message": "give the planned date"})
    counts: dict[str, int] = {}
    for field in ("employees_returning", "employees_from_outside"):
        try:
            counts[field] = int(data.get(field) or 0)
            if counts[field] < 0:
                raise ValueError
        except (TypeError, ValueError):
            counts[field] = 0
            errors.append({"field": field, "code": "not_a_count", "message": "a whole number ≥ 0"})
    if counts["employees_returning"] < 1:
        errors.append(
            {"field": "employees_returning", "code": "required", "message": "at least one employee"}
        )
    if counts["employees_from_outside"] > counts["employees_returning"]:
        errors.append(
            {
                "field": "employees_from_outside",
                "code": "more_than_returning",
                "message": "more from outside the city than returning in all",
            }
        )
    measures = [str(m) for m in (data.get("measures") or [])]
    errors.extend(_guideline_errors(measures))
    text = str(data.get("text") or "").strip()
    if not text:
        errors.append({"field": "text", "code": "required", "message": "the commitment text is required"})
    if errors or planned is None:
        raise ValidationFailed("invalid_commitment", "the commitment has errors", errors)
    returning = counts["employees_returning"]
    staff = min(returning / enterprise.employees, 1.0) if enterprise.employees else 1.0
    declared = Status.FULLY if staff >= 1.0 else Status.PARTLY
    now = timezone.now()
    # A firm counts as resumed from its planned date: a commitment for a later day waits until then.
    opens_now = planned <= timezone.localdate(now)
    commitment = Commitment.objects.create(
        enterprise=enterprise,
        filed_by=actor,
        filed_at=now,
        opened_at=now if opens_now else None,
        planned_date=planned,
        declared_status=declared,
        employees_returning=returning,
        employees_from_outside=counts["employees_from_outside"],
        measures=sorted(set(measures)),
        text=text[:5000],
        client_id=client_id,
        payload_digest=digest,
    )
    capacity = data.get("capacity_used")
    if opens_now:
        _status_apply(
            enterprise,
            declared,
            staff,
            float(capacity) if capacity not in (None, "") else None,
            StatusSource.FILING,
            actor,
            commitment.filed_at,
            note=f"commitment #{commitment.pk}",
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=commitment,
        object_repr=f"commitment {enterprise}",
        area_code=enterprise.area_id,
        request=request,
    )
    return commitment


def guideline_measures() -> list[GuidelineMeasure]:
    """The active measures of the resumption guideline (企业复工导则), created from the defaults on first use."""
    if not GuidelineMeasure.objects.exists():
        GuidelineMeasure.objects.bulk_create(
            [
                GuidelineMeasure(code=code, text_zh=zh, text_en=en, mandatory=mandatory, order=i)
                for i, (code, zh, en, mandatory) in enumerate(DEFAULT_GUIDELINE)
            ],
            ignore_conflicts=True,
        )
    return list(GuidelineMeasure.objects.filter(active=True))


def _guideline_errors(measures: list[str]) -> list[dict[str, Any]]:
    """严格执行企业复工导则 (seed 001): every mandatory measure ticked, nothing outside the guideline."""
    guideline = guideline_measures()
    known = {m.code for m in guideline}
    errors: list[dict[str, Any]] = []
    unknown = sorted({m for m in measures if m not in known})
    if unknown:
        errors.append(
            {"field": "measures", "code": "unknown_measure", "message": f"unknown measures {unknown}"}
        )
    missing = [m for m in guideline if m.mandatory and m.code not in measures]
    if missing:
        errors.append(
            {
                "field": "measures",
                "code": "mandatory_measure_missing",
                "message": "the resumption guideline requires every mandatory measure; missing: "
                + ", ".join(m.code for m in missing),
                "missing": [m.code for m in missing],
            }
        )
    if not measures and not missing:
        errors.append(
            {"field": "measures", "code": "required", "message": "tick the protective measures in place"}
        )
    return errors


@transaction.atomic
def commitments_open_due(*, today: dt.date | None = None) -> int:
    """Put into effect the commitments whose planned date has come (run every few minutes by the scheduler).

    The status takes effect at the start of the planned day (local), so the rates and the curve count the firm
    from that day even when this runs late. A firm that reported its status after filing keeps that report,
    and of several waiting commitments of one firm the latest filed is the one that applies."""
    today = today or timezone.localdate()
    due = list(
        Commitment.objects.select_for_update()
        .filter(opened_at__isnull=True, planned_date__lte=today)
        .order_by("enterprise_id", "-filed_at", "-id")
    )
    seen: set[int] = set()
    for c in due:
        start = timezone.make_aware(dt.datetime.combine(c.planned_date, dt.time()))
        if c.enterprise_id not in seen:
            seen.add(c.enterprise_id)
            enterprise = Enterprise.objects.select_for_update().get(pk=c.enterprise_id)
            if enterprise.active and (enterprise.status_at is None or enterprise.status_at <= c.filed_at):
                staff = (
                    min(c.employees_returning / enterprise.employees, 1.0) if enterprise.employees else 1.0
                )
                _status_apply(
                    enterprise,
                    c.declared_status,
                    staff,
                    None,
                    StatusSource.FILING,
                    None,
                    max(start, c.filed_at),
                    note=f"commitment #{c.pk}",
                )
        c.opened_at = max(start, c.filed_at)
        c.save(update_fields=["opened_at"])
    return len(due)


@transaction.atomic
def inspection_record(
    *, actor: User, enterprise: Enterprise, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Inspection:
    _require(
        actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
    )
    kind = str(data.get("kind") or InspectionKind.INSPECTION)
    result = str(data.get("result") or "")
    errors = []
    if kind not in InspectionKind.values:
        errors.append({"field": "kind", "code": "unknown_kind", "message": "inspection or guidance"})
    if result not in InspectionResult.values:
        errors.append({"field": "result", "code": "unknown_result", "message": "ok, issues or serious"})
    due = data.get("follow_up_due") or None
    if due and not isinstance(due, dt.date):
        try:
            due = dt.date.fromisoformat(str(due))
        except ValueError:
            errors.append({"field": "follow_up_due", "code": "not_a_date", "message": "YYYY-MM-DD"})
    if (
        result in (InspectionResult.ISSUES, InspectionResult.SERIOUS)
        and not str(data.get("follow_up") or "").strip()
    ):
        errors.append({"field": "follow_up", "code": "required", "message": "issues found need a follow-up"})
    commitment = None
    if data.get("commitment_id"):
        commitment = enterprise.commitments.filter(pk=data["commitment_id"]).first()
        if commitment is None:
            errors.append({"field": "commitment_id", "code": "unknown", "message": "no such commitment"})
    if errors:
        raise ValidationFailed("invalid_inspection", "the inspection record has errors", errors)
    inspection = Inspection.objects.create(
        enterprise=enterprise,
        commitment=commitment or enterprise.commitments.first(),
        kind=kind,
        inspector=actor,
        result=result,
        findings=str(data.get("findings") or ""),
        follow_up=str(data.get("follow_up") or ""),
        follow_up_due=due,
    )
    if result == InspectionResult.SERIOUS and enterprise.status != Status.NOT_RESUMED:
        _status_apply(
            enterprise,
            Status.NOT_RESUMED,
            None,
            None,
            StatusSource.OFFICER,
            actor,
            inspection.at,
            note=f"suspended by inspection #{inspection.pk}",
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=inspection,
        object_repr=f"inspection {enterprise}",
        area_code=enterprise.area_id,
        request=request,
    )
    return inspection


@transaction.atomic
def inspection_follow_up_done(
    *, actor: User, inspection: Inspection, request: HttpRequest | None = None
) -> Inspection:
    _require(actor, Perm.ENTERPRISE_CHANGE, inspection.enterprise.area_id, "outside your jurisdiction")
    if inspection.follow_up_done_at is not None:
        raise Conflict("already_done", "the follow-up was already recorded as done")
    inspection.follow_up_done_at = timezone.now()
    inspection.save(update_fields=["follow_up_done_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=inspection,
        fields=["follow_up_done_at"],
        area_code=inspection.enterprise.area_id,
        request=request,
    )
    return inspection


# --- the non-resumed list: reasons, 包联, 一企一策, visits ---


@transaction.atomic
def reasons_set(
    *,
    actor: User,
    enterprise: Enterprise,
    reasons: Iterable[str],
    note: str = "",
    request: HttpRequest | None = None,
) -> list[str]:
    is_member = EnterpriseMember.objects.filter(user_id=actor.pk, enterprise=enterprise).exists()
    if not is_member:
        _require(
            actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
        )
    wanted = sorted(set(reasons))
    unknown = [r for r in wanted if r not in Reason.values]
    if unknown:
        raise ValidationFailed(
            "unknown_reason",
            f"unknown reasons {unknown}",
            [{"field": "reasons", "code": "unknown_reason", "message": r} for r in unknown],
        )
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    current = set(enterprise.reasons.values_list("reason", flat=True))
    enterprise.reasons.exclude(reason__in=wanted).delete()
    EnterpriseReason.objects.bulk_create(
        [EnterpriseReason(enterprise=enterprise, reason=r, note=note[:300]) for r in wanted],
        ignore_conflicts=True,
    )
    if aggregates.is_open(enterprise):
        aggregates.reasons_add(enterprise.district, sorted(current - set(wanted)), -1)
        aggregates.reasons_add(enterprise.district, sorted(set(wanted) - current), +1)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enterprise,
        fields=["reasons"],
        after={"reasons": wanted},
        request=request,
    )
    return wanted


@transaction.atomic
def liaison_assign(
    *, actor: User, enterprise: Enterprise, official: User | None, request: HttpRequest | None = None
) -> Enterprise:
    _require(
        actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
    )
    if official is not None and not has_perm_at(official, Perm.ENTERPRISE_VIEW, enterprise.area_id):
        raise ValidationFailed("official_outside", "the official must be able to see this enterprise")
    enterprise.liaison = official
    enterprise.save(update_fields=["liaison", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enterprise,
        fields=["liaison"],
        after={"liaison": official.get_username() if official else None},
        request=request,
    )
    return enterprise


@transaction.atomic
def service_plan_save(
    *, actor: User, enterprise: Enterprise, text: str, request: HttpRequest | None = None
) -> ServicePlan:
    _require(
        actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
    )
    if not text.strip():
        raise ValidationFailed(
            "required", "the plan text is required", [{"field": "text", "message": "required"}]
        )
    plan, _ = ServicePlan.objects.update_or_create(
        enterprise=enterprise, defaults={"text": text.strip(), "updated_by": actor}
    )
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=enterprise, fields=["service_plan"], request=request
    )
    return plan


@transaction.atomic
def visit_record(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_on: dt.date | str,
    notes: str,
    request: HttpRequest | None = None,
) -> Visit:
    _require(
        actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
    )
    try:
        day = visited_on if isinstance(visited_on, dt.date) else dt.date.fromisoformat(visited_on)
    except ValueError:
        raise ValidationFailed("not_a_date", "visited_on is YYYY-MM-DD") from None
    if day > timezone.localdate():
        raise ValidationFailed("future_visit", "a visit cannot be recorded before it happens")
    if not notes.strip():
        raise ValidationFailed("required", "notes are required", [{"field": "notes", "message": "required"}])
    visit = Visit.objects.create(enterprise=enterprise, official=actor, visited_on=day, notes=notes.strip())
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=visit,
        object_repr=f"visit {enterprise}",
        area_code=enterprise.area_id,
        request=request,
    )
    return visit


# --- policies (送政策上门) ---


def enterprise_attrs(enterprise: Enterprise, reasons: Iterable[str] | None = None) -> dict[str, object]:
    """The attributes core.policies rules speak about (ENTERPRISE_SCHEMA)."""
    if reasons is None:
        reasons = enterprise.reasons.values_list("reason", flat=True)
    return {
        "size_class": enterprise.size_class,
        "industry_section": enterprise.industry_section,
        "district": enterprise.district,
        "above_designated_size": enterprise.above_designated,
        "employees": enterprise.employees,
        "annual_revenue": float(enterprise.annual_revenue) if enterprise.annual_revenue is not None else None,
        "status": enterprise.status,
        "reasons": sorted(reasons),
    }


@transaction.atomic
def policy_save(
    *, actor: User, data: Mapping[str, Any], policy: Policy | None = None, request: HttpRequest | None = None
) -> Policy:
    if not has_perm_anywhere(actor, Perm.POLICY_MANAGE):
        raise Forbidden("forbidden", "your role may not manage the policy catalogue")
    rule = data.get("rule", policy.rule if policy else {"all": []})
    problems = policy_rules.validate_rule(rule)
    errors = [
        {"field": "rule", "path": p.path, "code": "invalid_rule", "message": p.message} for p in problems
    ]
    code = str(data.get("code") or (policy.code if policy else "")).strip()
    title = str(data.get("title") or (policy.title if policy else "")).strip()
    category = str(data.get("category") or (policy.category if policy else ""))
    if not code:
        errors.append({"field": "code", "code": "required", "message": "required"})
    if not title:
        errors.append({"field": "title", "code": "required", "message": "required"})
    if category not in PolicyCategory.values:
        errors.append({"field": "category", "code": "unknown_category", "message": f"{category!r}"})
    if errors:
        raise ValidationFailed("invalid_policy", "the policy has errors", errors)
    if Policy.objects.filter(code=code).exclude(pk=policy.pk if policy else None).exists():
        raise Conflict("duplicate_policy", "a policy with this code exists")
    target = policy or Policy()
    target.code, target.title, target.category, target.rule = code, title, category, rule
    for field in ("issuer", "summary"):
        if field in data:
            setattr(target, field, str(data[field] or ""))
    if "active" in data:
        target.active = bool(data["active"])
    if "valid_until" in data:
        value = data["valid_until"]
        target.valid_until = dt.date.fromisoformat(str(value)) if value else None
    target.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE if policy else AuditAction.CREATE, obj=target, request=request
    )
    return target


@transaction.atomic
def policy_deliver(
    *,
    actor: User,
    enterprise: Enterprise,
    policy: Policy,
    channel: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> PolicyDelivery:
    """Record that a policy was brought to an enterprise; only a policy it qualifies for can be delivered."""
    _require(
        actor, Perm.ENTERPRISE_CHANGE, enterprise.area_id, "the enterprise lies outside your jurisdiction"
    )
    eligible, why = policy_rules.match(policy.rule, enterprise_attrs(enterprise))
    if not eligible:
        raise ValidationFailed(
            "not_eligible",
            "the enterprise does not qualify for this policy",
            [{"path": e.path, "message": e.en} for e in why if not e.passed],
        )
    delivery, created = PolicyDelivery.objects.get_or_create(
        policy=policy,
        enterprise=enterprise,
        defaults={"delivered_by": actor, "channel": channel[:40], "note": note[:300]},
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=delivery,
            object_repr=f"{policy.code} → {enterprise}",
            area_code=enterprise.area_id,
            request=request,
        )
    return delivery


@transaction.atomic
def delivery_uptake(
    *,
    actor: User,
    delivery: PolicyDelivery,
    uptake: str,
    amount: Any = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> PolicyDelivery:
    _require(actor, Perm.ENTERPRISE_CHANGE, delivery.enterprise.area_id, "outside your jurisdiction")
    if uptake not in Uptake.values:
        raise ValidationFailed("unknown_uptake", "delivered, applied, granted or declined")
    delivery.uptake = uptake
    delivery.amount = amount if amount not in ("", None) else None
    if note:
        delivery.note = note[:300]
    delivery.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=delivery,
        fields=["uptake"],
        after={"uptake": uptake},
        area_code=delivery.enterprise.area_id,
        request=request,
    )
    return delivery


# --- electricity cross-check (用电量比对) ---


def power_import(
    *,
    actor: User,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """Import daily or dekad consumption; a reading already stored for the same period is replaced, so a
    corrected file can be imported again. Every reading is cross-checked against the current status."""
    try:
        header, rows = tabular.read_table(data, filename)
        columns = tabular.resolve_mapping(header, POWER_ALIASES, mapping)
    except tabular.TableError as exc:
        raise ValidationFailed("bad_file", str(exc)) from None
    missing = [f for f in ("credit_code", "period_start", "kwh") if f not in columns]
    if missing:
        raise ValidationFailed(
            "missing_columns",
            "the file lacks columns: " + ", ".join(missing),
            [{"field": f} for f in missing],
        )
    batch = ImportBatch(
        kind="power", filename=filename[:255], file_sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor
    )
    errors: list[dict[str, Any]] = []
    parsed = []
    for row in rows:
        batch.total_rows += 1
        result = clean_power(tabular.remap(row, columns))
        if isinstance(result, list):
            errors.extend({"line": row.line, **e} for e in result)
        else:
            parsed.append((row.line, result))
    with transaction.atomic():
        codes = list({p.credit_code for _, p in parsed})
        ents: dict[str, tuple[int, str]] = {}
        for start in range(0, len(codes), 2000):
            ents.update(
                (c, (pk, area))
                for c, pk, area in Enterprise.objects.filter(
                    credit_code__in=codes[start : start + 2000]
                ).values_list("credit_code", "pk", "area_id")
            )
        keep: dict[tuple[int, str, dt.date], PowerReading] = {}
        for line, p in parsed:
            if p.credit_code not in ents:
                errors.append(
                    {
                        "line": line,
                        "field": "credit_code",
                        "code": "unknown_enterprise",
                        "message": f"no registered enterprise has code {p.credit_code}",
                    }
                )
                continue
            pk, area = ents[p.credit_code]
            if not has_perm_at(actor, Perm.ENTERPRISE_IMPORT, area):
                errors.append(
                    {
                        "line": line,
                        "field": "credit_code",
                        "code": "outside_jurisdiction",
                        "message": "this enterprise lies outside your jurisdiction",
                    }
                )
                continue
            keep[(pk, p.period, p.period_start)] = PowerReading(
                enterprise_id=pk,
                area_id=area,
                period=p.period,
                period_start=p.period_start,
                kwh=p.kwh,
                kwh_last_year=p.kwh_last_year,
            )
        readings = list(keep.values())
        before = PowerReading.objects.count()
        PowerReading.objects.bulk_create(
            readings,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["enterprise", "period", "period_start"],
            update_fields=["kwh", "kwh_last_year", "imported_at"],
        )
        batch.created_rows = PowerReading.objects.count() - before
        batch.existing_rows = len(readings) - batch.created_rows
        batch.error_rows = len({e["line"] for e in errors})
        batch.errors = sorted(errors, key=lambda e: e["line"])
        batch.save()
        power_recheck(enterprise_ids=list({r.enterprise_id for r in readings}))
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=batch,
            object_repr=filename[:200],
            after={"readings": len(readings), "errors": batch.error_rows},
            request=request,
        )
    return batch


def power_recheck(*, enterprise_ids: list[int], low_ratio: float = 0.3, high_ratio: float = 0.6) -> int:
    """Cross-check each enterprise's latest reading against its current status (core.resumption)."""
    flagged = 0
    for start in range(0, len(enterprise_ids), 2000):
        chunk = enterprise_ids[start : start + 2000]
        status = dict(Enterprise.objects.filter(pk__in=chunk).values_list("pk", "status"))
        latest: dict[int, PowerReading] = {}
        for r in PowerReading.objects.filter(enterprise_id__in=chunk).order_by(
            "enterprise_id", "-period_start"
        ):
            latest.setdefault(r.enterprise_id, r)
        records = [
            PowerRecord(str(r.pk), ResumptionStatus(status[r.enterprise_id]), r.kwh, r.kwh_last_year)
            for r in latest.values()
        ]
        checks = power_cross_check(records, low_ratio=low_ratio, high_ratio=high_ratio)
        by_pk = {str(r.pk): r for r in latest.values()}
        changed = []
        for check in checks:
            r = by_pk[check.enterprise_id]
            r.outcome, r.ratio, r.checked_status = check.outcome.value, check.ratio, check.status.value
            changed.append(r)
            flagged += check.flagged
        PowerReading.objects.bulk_update(changed, ["outcome", "ratio", "checked_status"], batch_size=2000)
    return flagged

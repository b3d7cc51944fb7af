"""Writes of the screening app: sources, lists, imports with exact and probabilistic linkage, link decisions,
visits, reassignment and escalation. Each is audited, scoped, and keeps the reconciliation counters balanced."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_at
from apps.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from apps.geo.models import Area
from apps.geo.selectors import all_area_codes
from apps.people import pii
from apps.people.models import Person
from apps.screening import linkage
from apps.screening.choices import (
    CandidateStatus,
    ImportState,
    MatchMethod,
    ResolvedBy,
    RowState,
    VisitAction,
    VisitOutcome,
    VisitRule,
    WorkLevel,
    WorkReason,
    WorkStatus,
)
from apps.screening.models import (
    LinkCandidate,
    LinkDecision,
    ListImport,
    ListRow,
    ScreeningList,
    ScreeningSource,
    Visit,
    WorkItem,
    WorkItemEvent,
)
from apps.screening.quarantine_adaptor import PENDING, propose_quarantine
from apps.screening.tally import tally_add, tally_move
from core import geocodes, tabular
from core.masking import mask_id_number, mask_name, mask_phone
from core.persons import FieldError
from core.screening import CleanRow, clean_row

ROW_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "Name", "full name", "旅客姓名", "员工姓名"),
    "doc_number": ("证件号码", "身份证号", "身份证号码", "id_number", "ID number", "document number"),
    "sex": ("性别", "gender"),
    "birth_date": ("出生日期", "birth date", "date of birth"),
    "phone": ("手机号", "手机", "联系电话", "电话", "mobile"),
    "area_code": ("社区代码", "区划代码", "现住社区", "area", "community code"),
    "address": ("住址", "地址", "现住址", "居住地址"),
}
CHUNK = 5000
REPEATED = "the same row appears earlier in the file"


def _need(actor: User, perm: str, area: str, what: str = "this list") -> None:
    if not has_perm_at(actor, perm, area):
        raise Forbidden("outside_jurisdiction", f"{what} lies outside your jurisdiction")


@transaction.atomic
def source_create(
    *,
    actor: User,
    name: str,
    kind: str,
    area_code: str,
    mapping: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> ScreeningSource:
    _need(actor, Perm.SCREENING_IMPORT, area_code, "the source's area")
    if ScreeningSource.objects.filter(area_id=area_code, name=name).exists():
        raise Conflict("duplicate_source", "a source with this name exists in this area")
    source = ScreeningSource.objects.create(
        name=name, kind=kind, area_id=area_code, mapping=dict(mapping or {})
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=source, request=request)
    return source


@transaction.atomic
def list_create(
    *,
    actor: User,
    source: ScreeningSource,
    name: str,
    purpose: str,
    area_code: str,
    visit_rule: str = VisitRule.EVERYONE,
    visit_within_hours: int = 48,
    urgency: int = 3,
    request: HttpRequest | None = None,
    **extra: Any,
) -> ScreeningList:
    _need(actor, Perm.SCREENING_IMPORT, area_code)
    category = extra.get("category")
    if category is not None:  # a key-person list follows its category's rule (重点人员)
        visit_within_hours, urgency, visit_rule = (
            category.visit_within_hours,
            category.urgency,
            VisitRule.EVERYONE,
        )
    lst = ScreeningList.objects.create(
        source=source,
        name=name,
        purpose=purpose,
        area_id=area_code,
        visit_rule=visit_rule,
        visit_within_hours=visit_within_hours,
        urgency=urgency,
        created_by=actor,
        **extra,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=lst, request=request)
    return lst


# --- import ---------------------------------------------------------------------------------------------------------


def _table(
    data: bytes, filename: str, source: ScreeningSource, mapping: Mapping[str, str] | None
) -> tuple[Any, dict[str, str]]:
    explicit = {**source.mapping, **{k: v for k, v in (mapping or {}).items() if v}}
    try:
        header, rows = tabular.read_table(data, filename)
        explicit = {
            k: v for k, v in explicit.items() if k in ROW_ALIASES and (v in header or k in (mapping or {}))
        }
        columns = tabular.resolve_mapping(header, ROW_ALIASES, explicit)
    except tabular.TableError as exc:
        raise ValidationFailed("bad_file", str(exc)) from None
    if "name" not in columns:
        raise ValidationFailed("missing_columns", "the file lacks columns: name", [{"field": "name"}])
    return rows, columns


def _keys(clean: CleanRow) -> tuple[str, str, str]:
    """(row key, record key, document hash): one row per document per list; without a document, per identity."""
    c = pii.cipher()
    doc_hash = pii.doc_key("resident_id", clean.doc_number) if clean.doc_number else ""
    birth = clean.birth_date.isoformat() if clean.birth_date else ""
    record = c.lookup_hash(
        f"{clean.doc_number}|{clean.name}|{birth}|{clean.phone}|{clean.sex}", kind="screening-record"
    )
    return (doc_hash or record), record, doc_hash


def _bad_key(values: Mapping[str, str]) -> str:
    text = "\x1f".join(f"{k}={values[k]}" for k in sorted(values))
    return pii.cipher().lookup_hash(text, kind="screening-bad-row")


def list_import(
    *,
    actor: User,
    lst: ScreeningList,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
    progress: Callable[[int], None] | None = None,
    into: ListImport | None = None,
) -> ListImport:
    """Import a CSV/XLSX file into a list. Bad rows are reported (line, field, reason) and kept as rejected rows so
    the list still balances; good rows are matched to the registry (document hash, then probabilistic linkage)
    and those that need a visit become work items. The same file again, or overlapping rows, add nothing."""
    _need(actor, Perm.SCREENING_IMPORT, lst.area_id)
    rows, columns = _table(data, filename, lst.source, mapping)
    report = into or ListImport(
        list=lst,
        filename=filename[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
        mapping=dict(mapping or {}),
    )
    area_codes = all_area_codes()
    today = timezone.localdate()
    good: list[tuple[int, CleanRow, tuple[str, str, str]]] = []
    bad: list[tuple[int, str, list[FieldError]]] = []
    seen: dict[str, int] = {}
    errors: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=1):
        values = tabular.remap(row, columns)
        result = clean_row(values, area_codes=area_codes, today=today)
        if isinstance(result, list):
            key = _bad_key(values)
            errors += [
                {"line": row.line, "field": e.field, "code": e.code, "message": e.message} for e in result
            ]
            if key not in seen:
                seen[key] = row.line
                bad.append((row.line, key, result))
        else:
            clean, warnings = result
            errors += [
                {"line": row.line, "field": w.field, "code": w.code, "message": w.message, "kept": True}
                for w in warnings
            ]
            keys = _keys(clean)
            if keys[0] in seen:
                errors.append(
                    {
                        "line": row.line,
                        "field": "doc_number" if clean.doc_number else "name",
                        "code": "repeated_in_file",
                        "message": REPEATED,
                        "first_line": seen[keys[0]],
                        "kept": True,
                    }
                )
            else:
                seen[keys[0]] = row.line
                good.append((row.line, clean, keys))
        if progress and n % CHUNK == 0:
            progress(n)
        report.total_rows = n
    with transaction.atomic():
        lst = ScreeningList.objects.select_for_update().get(pk=lst.pk)  # one import of a list at a time
        existing = _existing_keys(lst, [k for _line, k, _e in bad] + [keys[0] for _l, _c, keys in good])
        bad = [b for b in bad if b[1] not in existing]
        fresh = [g for g in good if g[2][0] not in existing]
        report.existing_rows = len(existing)
        report.error_rows = len({e["line"] for e in errors if not e.get("kept")})
        report.errors = errors[:5000]
        report.status = ImportState.DONE
        report.processed_rows = report.total_rows
        report.upload_enc = None
        report.finished_at = timezone.now()
        report.save()
        report.matched_rows = _store(lst, report, bad, fresh, actor)
        report.new_rows = len(bad) + len(fresh)
        report.save(update_fields=["matched_rows", "new_rows"])
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=report,
            area_code=lst.area_id,
            object_repr=filename[:200],
            request=request,
            after={
                "list": lst.pk,
                "new": report.new_rows,
                "existing": report.existing_rows,
                "errors": report.error_rows,
                "matched": report.matched_rows,
            },
        )
    return report


def _existing_keys(lst: ScreeningList, keys: list[str]) -> set[str]:
    out: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        out.update(
            ListRow.objects.filter(list=lst, row_key__in=keys[start : start + CHUNK]).values_list(
                "row_key", flat=True
            )
        )
    return out


def _registry_by_doc(doc_hashes: list[str]) -> dict[str, tuple[int, str]]:
    """Document hash -> (active person id, residence) through Person.dedup_key; a merged record gives its winner."""
    found: dict[str, tuple[int, str]] = {}
    merged: dict[str, int] = {}
    for start in range(0, len(doc_hashes), CHUNK):
        for key, pk, area, into in Person.objects.filter(
            dedup_key__in=doc_hashes[start : start + CHUNK]
        ).values_list("dedup_key", "pk", "area_id", "merged_into_id"):
            if into:
                merged[key] = into
            else:
                found[key] = (pk, area)
    winners = dict(Person.objects.filter(pk__in=set(merged.values())).values_list("pk", "area_id"))
    found.update({k: (w, winners[w]) for k, w in merged.items() if w in winners})
    return found


def _owner_area(code: str, fallback: str) -> str:
    return code or fallback


def _store(
    lst: ScreeningList,
    report: ListImport,
    bad: list[tuple[int, str, list[FieldError]]],
    fresh: list[tuple[int, CleanRow, tuple[str, str, str]]],
    actor: User,
) -> int:
    """Insert the new rows, link them, open their work items and count them; returns how many were linked."""
    c = pii.cipher()
    now = timezone.now()
    stored: list[ListRow] = [
        ListRow(
            list=lst,
            first_import=report,
            line=line,
            row_key=key,
            record_key=key,
            area_id=lst.area_id,
            state=RowState.REJECTED,
            linkage_done=True,
            reject_reason="; ".join(f"{e.field}: {e.message}" for e in errs)[:200],
        )
        for line, key, errs in bad
    ]
    by_doc = _registry_by_doc([keys[2] for _l, _c, keys in fresh if keys[2]])
    plain: list[tuple[ListRow, CleanRow]] = []
    for line, clean, (row_key, record_key, doc_hash) in fresh:
        name_enc, phone_enc, address_enc = c.encrypt_fields(
            (clean.name, clean.phone or None, clean.address or None)
        )
        row = ListRow(
            list=lst,
            first_import=report,
            line=line,
            row_key=row_key,
            record_key=record_key,
            doc_hash=doc_hash,
            doc_masked=mask_id_number(clean.doc_number) if clean.doc_number else "",
            name_enc=name_enc,
            name_masked=mask_name(clean.name),
            phone_enc=phone_enc,
            phone_masked=mask_phone(clean.phone) if clean.phone else "",
            address_enc=address_enc,
            sex=clean.sex,
            birth_date=clean.birth_date,
            area_id=clean.area_code or lst.area_id,
            state=RowState.OPEN,
        )
        hit = by_doc.get(doc_hash) if doc_hash else None
        if hit:
            row.person_id, row.match_method, row.match_probability, row.linkage_done = (
                hit[0],
                MatchMethod.EXACT,
                1.0,
                True,
            )
            if not clean.area_code:
                row.area_id = hit[1]
        else:
            plain.append((row, clean))
        stored.append(row)
    candidates = linkage.link(plain) if plain else {}
    for index, (row, _clean) in enumerate(plain):
        row.linkage_done = True
        found = candidates.get(index, [])
        _apply_remembered(row, found)
    # State: one bucket per row; the rows that need a visit get a work item.
    for row in stored:
        if row.state == RowState.REJECTED:
            continue
        if row.person_id and lst.visit_rule != VisitRule.EVERYONE:
            row.state = RowState.MATCHED
    for start in range(0, len(stored), CHUNK):
        ListRow.objects.bulk_create(stored[start : start + CHUNK])
    items: list[WorkItem] = []
    links: list[LinkCandidate] = []
    for row, _clean in plain:
        for cand in row._pending_candidates:  # type: ignore[attr-defined]
            links.append(
                LinkCandidate(
                    row=row,
                    person_id=cand.person_id,
                    probability=cand.probability,
                    evidence=cand.evidence,
                    area_id=lst.area_id,
                )
            )
    for row in stored:
        if row.state != RowState.OPEN:
            continue
        if row.person_id:
            reason = WorkReason.LIST_RULE
        elif getattr(row, "_pending_candidates", None):
            reason = WorkReason.AMBIGUOUS
        else:
            reason = WorkReason.UNMATCHED
        items.append(
            WorkItem(
                row=row,
                list=lst,
                person_id=row.person_id,
                area_id=row.area_id,
                reason=reason,
                urgency=lst.urgency,
                due_at=now + dt.timedelta(hours=lst.visit_within_hours),
                level=_level_of(row.area_id),
                created_at=now,
            )
        )
    for start in range(0, len(items), CHUNK):
        WorkItem.objects.bulk_create(items[start : start + CHUNK])
    LinkCandidate.objects.bulk_create(links, ignore_conflicts=True)
    tally_add((lst.pk, row.area_id, row.state) for row in stored)
    return sum(1 for row in stored if row.person_id)


def _level_of(code: str) -> int:
    level = geocodes.level_of(code)
    return {geocodes.Level.COMMUNITY: WorkLevel.COMMUNITY, geocodes.Level.STREET: WorkLevel.STREET}.get(
        level, WorkLevel.DISTRICT
    )


def _apply_remembered(row: ListRow, found: list[linkage.Candidate]) -> None:
    """Link above the upper threshold; keep the candidates between the thresholds for a reviewer, except pairs a
    reviewer already decided (a confirmed pair links, a rejected one is not asked again)."""
    decided = dict(LinkDecision.objects.filter(record_key=row.record_key).values_list("person_id", "same"))
    confirmed = [p for p, same in decided.items() if same]
    row._pending_candidates = []  # type: ignore[attr-defined]
    if confirmed:
        row.person_id, row.match_method, row.match_probability = confirmed[0], MatchMethod.REVIEWED, 1.0
        return
    found = [f for f in found if f.person_id not in decided]
    if not found:
        return
    best = found[0]
    thresholds = linkage.thresholds()
    if best.probability >= thresholds.upper and (len(found) == 1 or found[1].probability < thresholds.upper):
        row.person_id, row.match_method, row.match_probability = (
            best.person_id,
            MatchMethod.AUTO,
            best.probability,
        )
        return
    row._pending_candidates = [f for f in found if f.probability >= thresholds.lower]  # type: ignore[attr-defined]


def list_import_start(
    *,
    actor: User,
    lst: ScreeningList,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> tuple[ListImport, bool]:
    """A small file at once; a big one (over TONGCHOU_IMPORT_BACKGROUND_ROWS rows) as a background job with
    progress. Returns the report and whether it was queued."""
    _need(actor, Perm.SCREENING_IMPORT, lst.area_id)
    _table(data, filename, lst.source, mapping)  # refuse a file that is not a table now, not in the job
    expected = max(data.count(b"\n") - 1, 0) if not filename.lower().endswith(".xlsx") else 0
    if filename.lower().endswith(".xlsx") or expected <= settings.TONGCHOU_IMPORT_BACKGROUND_ROWS:
        return list_import(
            actor=actor, lst=lst, data=data, filename=filename, mapping=mapping, request=request
        ), False
    from apps.screening.tasks import import_list

    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        pending = ListImport.objects.filter(
            list=lst, file_sha256=digest, status__in=(ImportState.QUEUED, ImportState.RUNNING)
        ).first()
        if pending is not None:
            return pending, True
        report = ListImport.objects.create(
            list=lst,
            filename=filename[:255],
            file_sha256=digest,
            uploaded_by=actor,
            mapping=dict(mapping or {}),
            status=ImportState.QUEUED,
            expected_rows=expected,
            upload_enc=pii.cipher().encrypt(base64.b64encode(data).decode()),
        )
        transaction.on_commit(lambda: import_list.enqueue(report.pk))
    return report, True


def list_import_run(*, import_id: int) -> str:
    """The background job; a finished import is left alone, so a retried job does nothing twice."""
    with transaction.atomic():
        report = ListImport.objects.select_for_update().filter(pk=import_id).first()
        if (
            report is None
            or report.status in (ImportState.DONE, ImportState.FAILED)
            or report.upload_enc is None
        ):
            return report.status if report else "missing"
        report.status = ImportState.RUNNING
        report.save(update_fields=["status"])
    data = base64.b64decode(pii.cipher().decrypt(report.upload_enc))
    try:
        if report.uploaded_by is None or not report.uploaded_by.is_active:
            raise Forbidden("uploader_gone", "the account that uploaded the file is no longer active")
        list_import(
            actor=report.uploaded_by,
            lst=report.list,
            data=data,
            filename=report.filename,
            mapping=report.mapping or None,
            into=report,
            progress=lambda n: ListImport.objects.filter(pk=import_id).update(processed_rows=n),
        )
    except (ValidationFailed, Forbidden) as exc:
        ListImport.objects.filter(pk=import_id).update(
            status=ImportState.FAILED,
            upload_enc=None,
            finished_at=timezone.now(),
            errors=[{"line": 0, "field": "", "code": exc.code, "message": exc.message}],
        )
        return ImportState.FAILED
    return ImportState.DONE


@transaction.atomic
def source_mapping_save(
    *, actor: User, source: ScreeningSource, mapping: Mapping[str, str], request: HttpRequest | None = None
) -> ScreeningSource:
    _need(actor, Perm.SCREENING_IMPORT, source.area_id, "the source")
    unknown = sorted(set(mapping) - set(ROW_ALIASES))
    if unknown:
        raise ValidationFailed("unknown_field", "unknown fields in the mapping: " + ", ".join(unknown))
    source.mapping = {k: v for k, v in mapping.items() if v}
    source.save(update_fields=["mapping"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=source, fields=["mapping"], request=request)
    return source


# --- link decisions -------------------------------------------------------------------------------------------------


def _row_state_set(row: ListRow, item: WorkItem | None, *, resolve_by: str = "", now: dt.datetime) -> None:
    """Move a row (and its work item) to the bucket its facts now say, keeping the tally in step."""
    old = row.state
    if item is not None and item.status == WorkStatus.OPEN and resolve_by:
        item.status, item.resolved_by, item.resolved_at = WorkStatus.RESOLVED, resolve_by, now
        item.save(update_fields=["status", "resolved_by", "resolved_at", "person", "reason"])
    elif item is not None:
        item.save(update_fields=["person", "reason"])
    row.state = (
        RowState.RESOLVED
        if item is not None and item.status == WorkStatus.RESOLVED
        else (RowState.OPEN if item is not None else row.state)
    )
    row.save(update_fields=["state", "person", "match_method", "match_probability"])
    tally_move(list_id=row.list_id, area=row.area_id, old=old, new=row.state)


@transaction.atomic
def candidate_decide(
    *, actor: User, candidate_id: int, same: bool, request: HttpRequest | None = None
) -> LinkCandidate:
    """A reviewer confirms (same person) or rejects a candidate; the answer is remembered for the pair."""
    cand = LinkCandidate.objects.select_for_update().filter(pk=candidate_id).first()
    if cand is None or not has_perm_at(actor, Perm.SCREENING_VIEW, cand.area_id):
        raise NotFound("not_found", "no such candidate in your jurisdiction")
    _need(actor, Perm.SCREENING_REVIEW, cand.area_id, "this row")
    if cand.status != CandidateStatus.OPEN:
        raise Conflict("already_decided", "this candidate has already been decided")
    now = timezone.now()
    row = ListRow.objects.select_for_update().select_related("list").get(pk=cand.row_id)
    item = WorkItem.objects.select_for_update().filter(row=row).first()
    cand.status = CandidateStatus.CONFIRMED if same else CandidateStatus.REJECTED
    cand.decided_by, cand.decided_at = actor, now
    cand.save(update_fields=["status", "decided_by", "decided_at"])
    LinkDecision.objects.update_or_create(
        record_key=row.record_key,
        person_id=cand.person_id,
        defaults={"same": same, "decided_by": actor, "decided_at": now},
    )
    resolve = ""
    if same:
        row.person_id, row.match_method, row.match_probability = (
            cand.person_id,
            MatchMethod.REVIEWED,
            cand.probability,
        )
        LinkCandidate.objects.filter(row=row, status=CandidateStatus.OPEN).update(
            status=CandidateStatus.REJECTED, decided_by=actor, decided_at=now
        )
        if item is not None:
            item.person_id = cand.person_id
            if row.list.visit_rule == VisitRule.EVERYONE:
                item.reason = WorkReason.LIST_RULE
            else:
                resolve = ResolvedBy.LINKED
    elif item is not None and not LinkCandidate.objects.filter(row=row, status=CandidateStatus.OPEN).exists():
        item.reason = WorkReason.UNMATCHED
    _row_state_set(row, item, resolve_by=resolve, now=now)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=cand,
        area_code=cand.area_id,
        fields=["status"],
        after={"status": cand.status, "row": row.pk, "person": cand.person_id},
        request=request,
    )
    return cand


# --- visits, reassignment, escalation -------------------------------------------------------------------------------

VISIT_RESOLVES = {VisitOutcome.FOUND, VisitOutcome.MOVED_AWAY, VisitOutcome.REFUSED}


@transaction.atomic
def visit_record(
    *,
    actor: User,
    item_id: int,
    outcome: str,
    health: str = "unknown",
    temperature: float | None = None,
    action: str = VisitAction.NONE,
    moved_to: str = "",
    note: str = "",
    visited_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Visit:
    """A community worker's visit. Found, moved away or refused closes the item; not found keeps it open for another
    try. A quarantine action proposes an order through the quarantine adaptor, or stays pending on the item."""
    item = WorkItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or not has_perm_at(actor, Perm.SCREENING_VIEW, item.area_id):
        raise NotFound("not_found", "no such work item in your jurisdiction")
    _need(actor, Perm.SCREENING_VISIT, item.area_id, "this work item")
    if item.status != WorkStatus.OPEN:
        raise Conflict("already_resolved", "this work item is already resolved")
    if item.reason == WorkReason.AMBIGUOUS:
        raise Conflict("awaiting_review", "this row waits for a reviewer to decide its match")
    now = timezone.now()
    visited_at = visited_at or now
    if visited_at > now:
        raise ValidationFailed("future_visit", "a visit cannot be recorded before it happens")
    if outcome == VisitOutcome.MOVED_AWAY and not moved_to.strip():
        raise ValidationFailed(
            "moved_to_required",
            "say where the person moved to",
            [{"field": "moved_to", "message": "required when moved away"}],
        )
    if temperature is not None and not 30 <= temperature <= 45:
        raise ValidationFailed(
            "temperature_range", "a temperature between 30 and 45 °C", [{"field": "temperature"}]
        )
    visit = Visit.objects.create(
        item=item,
        outcome=outcome,
        health=health,
        temperature=temperature,
        action=action,
        moved_to=moved_to.strip()[:200],
        note=note[:500],
        visited_by=actor,
        visited_at=visited_at,
    )
    if action == VisitAction.QUARANTINE and outcome == VisitOutcome.FOUND:
        person = Person.objects.filter(pk=item.person_id).first() if item.person_id else None
        ref = propose_quarantine(
            person=person, item_id=item.pk, last_exposure=visited_at, actor=actor, note=note
        )
        item.action_ref, item.pending_action = (ref, "") if ref else ("", PENDING)
        item.save(update_fields=["action_ref", "pending_action"])
    if outcome in VISIT_RESOLVES:
        row = ListRow.objects.select_for_update().get(pk=item.row_id)
        _row_state_set(row, item, resolve_by=ResolvedBy.VISIT, now=now)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=visit,
        area_code=item.area_id,
        after={"item": item.pk},
        request=request,
    )
    return visit


@transaction.atomic
def work_item_reassign(
    *, actor: User, item_id: int, area_code: str, reason: str, request: HttpRequest | None = None
) -> WorkItem:
    """Hand an item to another community (the person lives elsewhere); recorded with who, when and why."""
    item = WorkItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or not has_perm_at(actor, Perm.SCREENING_VIEW, item.area_id):
        raise NotFound("not_found", "no such work item in your jurisdiction")
    _need(actor, Perm.SCREENING_VISIT, item.area_id, "this work item")
    if item.status != WorkStatus.OPEN:
        raise Conflict("already_resolved", "this work item is already resolved")
    if not Area.objects.filter(code=area_code).exists():
        raise ValidationFailed("unknown_area", f"unknown area code {area_code}", [{"field": "area_code"}])
    if not reason.strip():
        raise ValidationFailed("reason_required", "a reassignment needs a reason", [{"field": "reason"}])
    now = timezone.now()
    WorkItemEvent.objects.create(
        item=item,
        kind="reassign",
        from_area_id=item.area_id,
        to_area_id=area_code,
        actor=actor,
        reason=reason.strip()[:200],
        at=now,
    )
    before = item.area_id
    item.area_id, item.level = area_code, _level_of(area_code)
    item.due_at = max(item.due_at, now + dt.timedelta(hours=24))
    item.save(update_fields=["area", "level", "due_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        area_code=before,
        fields=["area"],
        before={"area": before},
        after={"area": area_code},
        reason=reason,
        request=request,
    )
    return item


ESCALATION_GRACE = dt.timedelta(hours=24)


def work_items_escalate(*, now: dt.datetime | None = None) -> int:
    """Overdue items move up one level (community → street → district) with a new day to act (core.sla decides
    when an item is overdue). Returns how many moved."""
    from core.sla import EscalationLevel, escalation_level

    now = now or timezone.now()
    moved = 0
    overdue = WorkItem.objects.filter(status=WorkStatus.OPEN, due_at__lt=now, level__lt=WorkLevel.DISTRICT)
    for pk in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            item = WorkItem.objects.select_for_update().filter(pk=pk, status=WorkStatus.OPEN).first()
            if item is None or escalation_level(item.due_at, now) == EscalationLevel.OWNER:
                continue
            parent = geocodes.parent_code(item.area_id)
            if parent is None or not Area.objects.filter(code=parent).exists():
                continue
            WorkItemEvent.objects.create(
                item=item,
                kind="escalate",
                from_area_id=item.area_id,
                to_area_id=parent,
                reason="overdue",
                at=now,
            )
            item.area_id, item.level, item.due_at = parent, item.level + 1, now + ESCALATION_GRACE
            item.save(update_fields=["area", "level", "due_at"])
            audit_record(
                actor=None,
                action=AuditAction.ESCALATE,
                obj=item,
                area_code=parent,
                after={"level": item.level},
            )
            moved += 1
    return moved

"""Writes of the people app: create, change, reveal, import, merge. Each one is audited and scoped."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import operator
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q, has_perm_at
from apps.common.bulk import insert_ignoring_conflicts
from apps.common.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from apps.geo.selectors import all_area_codes
from apps.people import pii, prepare
from apps.people.choices import ImportStatus, MergeReason, MergeStatus, ReferralDecision, ReferralSource
from apps.people.models import DuplicateReferral, Household, ImportBatch, MergeCandidate, Person
from core import tabular
from core.masking import mask_id_number, mask_name, mask_phone
from core.persons import CleanPerson, FieldError, clean_person

# Column names people actually put in their spreadsheets, Chinese and English.
PERSON_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "Name", "full name"),
    "doc_type": ("证件类型", "document type"),
    "doc_number": ("证件号码", "身份证号", "身份证号码", "id_number", "ID number", "document number"),
    "sex": ("性别", "gender"),
    "birth_date": ("出生日期", "birth date", "date of birth"),
    "phone": ("手机号", "手机", "联系电话", "电话", "mobile"),
    "area_code": ("社区代码", "区划代码", "area", "community code"),
    "address": ("住址", "地址", "现住址"),
    "nationality": ("国籍",),
    "household_ref": ("户号", "household", "household number"),
    "relation": ("与户主关系", "relation to head"),
    "tags": ("标签", "labels"),
}
REVEALABLE = ("name", "doc_number", "phone", "address")
SEX_WORDS = {"男": "M", "女": "F", "male": "M", "female": "F"}
RELATION_WORDS = {"户主": "head", "配偶": "spouse", "子女": "child", "父母": "parent", "孙子女": "grandchild",
                  "兄弟姐妹": "sibling", "其他": "other"}


def person_columns(clean: CleanPerson, now: dt.datetime) -> dict[str, Any]:
    """The stored form of a clean record: ciphertexts, masks and keyed hashes, never plaintext."""
    c = pii.cipher()
    if clean.doc_number:
        key = pii.doc_key(clean.doc_type, clean.doc_number)
    else:
        key = pii.nodoc_key(clean.name, clean.birth_date.isoformat() if clean.birth_date else "", clean.phone)
    doc_enc, name_enc, phone_enc, address_enc = c.encrypt_fields(
        (clean.doc_number or None, clean.name, clean.phone or None, clean.address or None)
    )
    return {
        "dedup_key": key,
        "doc_type": clean.doc_type,
        "doc_number_enc": doc_enc,
        "doc_masked": mask_id_number(clean.doc_number) if clean.doc_number else "",
        "name_enc": name_enc,
        "name_masked": mask_name(clean.name),
        "name_hash": pii.name_hash(clean.name),
        "phone_enc": phone_enc,
        "phone_masked": mask_phone(clean.phone) if clean.phone else "",
        "phone_hash": pii.phone_hash(clean.phone) if clean.phone else "",
        "address_enc": address_enc,
        "sex": clean.sex,
        "birth_date": clean.birth_date,
        "nationality": clean.nationality,
        "area_id": clean.area_code,
        "relation": clean.relation if clean.relation in RELATION_WORDS.values() else "",
        "tags": clean.tags,
        "created_at": now,
        "updated_at": now,
    }


def _normalise_words(raw: Mapping[str, str]) -> dict[str, str]:
    data = {k: (v if isinstance(v, str) else "" if v is None else str(v)) for k, v in raw.items()}
    if data.get("sex", "").strip().lower() in SEX_WORDS:
        data["sex"] = SEX_WORDS[data["sex"].strip().lower()]
    if data.get("relation", "").strip() in RELATION_WORDS:
        data["relation"] = RELATION_WORDS[data["relation"].strip()]
    return data


def _errors_detail(errors: Iterable[FieldError]) -> list[dict[str, Any]]:
    return [{"field": e.field, "code": e.code, "message": e.message} for e in errors]


def _validate(data: Mapping[str, str], area_codes: set[str] | None = None) -> CleanPerson:
    result = clean_person(_normalise_words(data), area_codes=area_codes or all_area_codes(), today=timezone.localdate())
    if isinstance(result, list):
        raise ValidationFailed("invalid_person", "the person record has errors", _errors_detail(result))
    return result


class _RegisteredElsewhere(Exception):
    def __init__(self, person: Person, claimed_area: str) -> None:
        self.person, self.claimed_area = person, claimed_area


def person_create(
    *, actor: User, data: Mapping[str, str], request: HttpRequest | None = None, source: str = ReferralSource.API
) -> Person:
    """Register a person. A person already registered in another jurisdiction is neither named nor numbered to
    the caller (no existence oracle across districts): the answer says only "registered elsewhere", and the
    owning district gets a referral."""
    try:
        return _person_create(actor=actor, data=data, request=request)
    except _RegisteredElsewhere as exc:
        duplicates_refer(actor=actor, persons=[(exc.person, exc.claimed_area)], source=source, request=request)
        raise Conflict(
            "duplicate_elsewhere",
            "this person is already registered in another jurisdiction; that district has been notified",
            [{"field": "doc_number", "message": "registered in another jurisdiction"}],
        ) from None


def duplicates_refer(
    *,
    actor: User,
    persons: list[tuple[Person, str]],
    source: str,
    batch: ImportBatch | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Refer registration attempts of already registered persons to the district that owns them (and audit it)."""
    now = timezone.now()
    DuplicateReferral.objects.bulk_create(
        DuplicateReferral(person=p, area_id=p.area_id, claimed_area_id=claimed or None, referred_by=actor,
                          source=source, batch=batch, created_at=now)
        for p, claimed in persons
    )
    for p, _claimed in persons[:1000]:
        audit_record(actor=actor, action=AuditAction.REFERRAL, obj=p, reason=str(source), request=request)
    return len(persons)


@transaction.atomic
def _person_create(*, actor: User, data: Mapping[str, str], request: HttpRequest | None = None) -> Person:
    clean = _validate(data)
    if not has_perm_at(actor, Perm.PERSON_CHANGE, clean.area_code):
        raise Forbidden("outside_jurisdiction", "the residence lies outside your jurisdiction")
    columns = person_columns(clean, timezone.now())
    existing = Person.objects.filter(dedup_key=columns["dedup_key"]).first()
    if existing is not None:
        if not has_perm_at(actor, Perm.PERSON_VIEW, existing.area_id):
            raise _RegisteredElsewhere(existing, clean.area_code)
        raise Conflict("duplicate_person", "this person is already registered", [{"person_id": existing.pk}])
    household = _household_for(clean.household_ref, clean.area_code)
    try:
        with transaction.atomic():  # a savepoint: a parallel registration of the same person wins cleanly
            person = Person.objects.create(household=household, **columns)
    except IntegrityError:
        raise Conflict("duplicate_person", "this person is already registered") from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=person, request=request)
    merge_candidates_find(person_ids=[person.pk])
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, data: Mapping[str, str], request: HttpRequest | None = None) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not has_perm_at(actor, Perm.PERSON_CHANGE, person.area_id):
        raise Forbidden("outside_jurisdiction", "this person lies outside your jurisdiction")
    current = person_plain(person)
    merged = {**current, **{k: v for k, v in data.items() if k in PERSON_ALIASES}}
    clean = _validate(merged)
    if not has_perm_at(actor, Perm.PERSON_CHANGE, clean.area_code):
        raise Forbidden("outside_jurisdiction", "the new residence lies outside your jurisdiction")
    columns = person_columns(clean, timezone.now())
    columns.pop("created_at")
    if columns["dedup_key"] != person.dedup_key and Person.objects.filter(dedup_key=columns["dedup_key"]).exists():
        raise Conflict("duplicate_person", "another person has this document number")
    changed = sorted(k for k in PERSON_ALIASES if str(current.get(k, "")) != str(asdict(clean).get(k, "") or ""))
    # The audit keeps masked before/after values: enough to see what changed, no new copy of plaintext.
    before = {k: _masked_value(k, str(current.get(k, ""))) for k in changed}
    after = {k: _masked_value(k, str(asdict(clean).get(k, "") or "")) for k in changed}
    for key, value in columns.items():
        setattr(person, key, value)
    person.household = _household_for(clean.household_ref, clean.area_code) or person.household
    person.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=person, fields=changed, before=before, after=after,
                 request=request)
    return person


def _masked_value(field: str, value: str) -> str:
    if field in ("doc_number",):
        return mask_id_number(value)
    if field == "phone":
        return mask_phone(value)
    if field in ("name",):
        return mask_name(value)
    if field == "address":
        return "***" if value else ""
    return value


def _household_for(ref: str, area_code: str) -> Household | None:
    if not ref:
        return None
    household, _ = Household.objects.get_or_create(ref=ref, defaults={"area_id": area_code})
    return household


def person_plain(person: Person) -> dict[str, Any]:
    """All fields in plain text. Only for services that re-validate or reveal: never put it in a list."""
    c = pii.cipher()
    return {
        "name": c.decrypt(person.name_enc),
        "doc_type": person.doc_type,
        "doc_number": c.decrypt(person.doc_number_enc) if person.doc_number_enc else "",
        "phone": c.decrypt(person.phone_enc) if person.phone_enc else "",
        "address": c.decrypt(person.address_enc) if person.address_enc else "",
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "nationality": person.nationality,
        "area_code": person.area_id,
        "household_ref": person.household.ref if person.household_id else "",  # type: ignore[union-attr]
        "relation": person.relation,
        "tags": ",".join(person.tags),
    }


def person_reveal(
    *, actor: User, person: Person, fields: Iterable[str], reason: str = "", request: HttpRequest | None = None
) -> dict[str, str]:
    fields = [f for f in fields if f in REVEALABLE]
    if not fields:
        raise ValidationFailed("no_fields", "name at least one of: " + ", ".join(REVEALABLE))
    if not has_perm_at(actor, Perm.PERSON_REVEAL, person.area_id):
        raise Forbidden("reveal_forbidden", "your role may not reveal personal data of this person")
    plain = person_plain(person)
    audit_record(actor=actor, action=AuditAction.REVEAL, obj=person, fields=fields, reason=reason, request=request)
    return {f: plain[f] for f in fields}


def persons_import(
    *,
    actor: User,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
    progress: Callable[[int], None] | None = None,
    into: ImportBatch | None = None,
) -> ImportBatch:
    """Import a CSV/XLSX list: every bad row is reported with its line and reason, good rows are kept,
    rows already registered are counted as existing, never duplicated. `into`: the queued batch of a
    background import (its report is written there)."""
    rows, columns = _person_table(data, filename, mapping)
    area_codes = all_area_codes()
    now = timezone.now()
    batch = into or ImportBatch(kind="persons", filename=filename[:255],
                                file_sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor)
    errors: list[dict[str, Any]] = []
    good: list[tuple[int, CleanPerson]] = []
    prepared: list[dict[str, Any]] = []  # the stored columns of each good row, computed with its validation
    seen: dict[str, int] = {}
    allowed: dict[str, bool] = {}  # area code -> in the actor's jurisdiction, asked once per area
    read: deque[tabular.Row] = deque()  # rows handed to validation and not yet back: results come in order

    def records() -> Iterator[dict[str, str]]:
        for row in rows:
            read.append(row)
            yield tabular.remap(row, columns)

    checked = prepare.persons_prepare(records(), area_codes=area_codes, today=now.date(), now=now,
                                      progress=progress)
    for result, stored_row in checked:
        row = read.popleft()
        batch.total_rows += 1
        if isinstance(result, list):
            errors.extend({"line": row.line, **e} for e in _errors_detail(result))
            continue
        if result.area_code not in allowed:
            allowed[result.area_code] = has_perm_at(actor, Perm.PERSON_IMPORT, result.area_code)
        if not allowed[result.area_code]:
            errors.append({"line": row.line, "field": "area_code", "code": "outside_jurisdiction",
                           "message": f"area {result.area_code} lies outside your jurisdiction"})
            continue
        good.append((row.line, result))
        prepared.append(stored_row)  # type: ignore[arg-type]
    with transaction.atomic():
        stored = prepared
        for (line, _clean), cols in zip(good, stored, strict=True):
            if cols["dedup_key"] in seen:
                errors.append({"line": line, "field": "doc_number", "code": "repeated_in_file",
                               "message": f"the same person is already on line {seen[cols['dedup_key']]}"})
            seen.setdefault(cols["dedup_key"], line)
        created = persons_bulk_insert(stored, households=[c.household_ref for _, c in good])
        elsewhere = _registered_elsewhere(actor, seen, now) if created < len(seen) else []
        batch.created_rows = created
        batch.existing_rows = len(seen) - created - len(elsewhere)
        batch.elsewhere_rows = len(elsewhere)
        batch.error_rows = len({e["line"] for e in errors})
        batch.errors = sorted(errors, key=lambda e: e["line"])
        _finish(batch)
        batch.save()
        if elsewhere:
            claimed = {cols["dedup_key"]: cols["area_id"] for cols in stored}
            duplicates_refer(actor=actor, persons=[(p, claimed.get(p.dedup_key, "")) for p in elsewhere],
                             source=ReferralSource.IMPORT, batch=batch, request=request)
        audit_record(actor=actor, action=AuditAction.IMPORT, obj=batch, object_repr=filename[:200],
                     after={"created": created, "existing": batch.existing_rows, "elsewhere": batch.elsewhere_rows,
                            "errors": batch.error_rows},
                     request=request)
        merge_candidates_find(person_ids=_created_ids(list(seen), now))
    return batch


def _registered_elsewhere(actor: User, seen: Mapping[str, int], now: dt.datetime) -> list[Person]:
    """The persons of the file that were registered before this import, outside the actor's jurisdiction."""
    keys = list(seen)
    visible = area_q(actor, Perm.PERSON_VIEW)
    out: list[Person] = []
    for start in range(0, len(keys), 5000):
        out += Person.objects.filter(dedup_key__in=keys[start : start + 5000]).exclude(created_at=now).exclude(
            visible
        ).only("pk", "area_id", "dedup_key")
    return out


def _person_table(
    data: bytes, filename: str, mapping: Mapping[str, str] | None
) -> tuple[Iterator[tabular.Row], dict[str, str]]:
    """The file's rows and its columns mapped to our fields; a file that cannot be imported is refused."""
    try:
        header, rows = tabular.read_table(data, filename)
        columns = tabular.resolve_mapping(header, PERSON_ALIASES, mapping)
    except tabular.TableError as exc:
        raise ValidationFailed("bad_file", str(exc)) from None
    missing = [f for f in ("name", "area_code") if f not in columns]
    if missing:
        raise ValidationFailed("missing_columns", "the file lacks columns: " + ", ".join(missing),
                               [{"field": f} for f in missing])
    return rows, columns


def _finish(batch: ImportBatch) -> None:
    batch.status = ImportStatus.DONE
    batch.processed_rows = batch.total_rows
    batch.upload_enc = None  # the job's copy of the upload goes as soon as the report is written
    batch.finished_at = timezone.now()


def _row_estimate(data: bytes, filename: str, rows: Iterator[tabular.Row]) -> int:
    """Rows in the file: exact for XLSX, the lines after the header for CSV (a cell may span lines)."""
    if filename.lower().endswith(".xlsx"):
        return sum(1 for _ in rows)
    return max(data.count(b"\n") - (0 if data.endswith(b"\n") else -1) - 1, 0)


def persons_import_start(
    *,
    actor: User,
    data: bytes,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> tuple[ImportBatch, bool]:
    """Import a small file at once; queue a big one (over TONGCHOU_IMPORT_BACKGROUND_ROWS rows) as a background
    job with progress. Returns the batch and whether it was queued. Sending the same file again while its job
    is queued or running returns that job: a retried upload never starts a second one."""
    rows, _columns = _person_table(data, filename, mapping)
    expected = _row_estimate(data, filename, rows)
    if expected <= settings.TONGCHOU_IMPORT_BACKGROUND_ROWS:
        return persons_import(actor=actor, data=data, filename=filename, mapping=mapping, request=request), False
    from apps.people.tasks import import_persons

    digest, wanted = hashlib.sha256(data).hexdigest(), dict(mapping or {})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()  # one upload decision at a time per user
        pending = ImportBatch.objects.filter(
            kind="persons", uploaded_by=actor, file_sha256=digest, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
        ).order_by("pk")
        for batch in pending:
            if batch.mapping == wanted:
                return batch, True
        batch = ImportBatch.objects.create(
            kind="persons", filename=filename[:255], file_sha256=digest, uploaded_by=actor, mapping=wanted,
            status=ImportStatus.QUEUED, expected_rows=expected, upload_enc=_upload_seal(data),
        )
        transaction.on_commit(lambda: import_persons.enqueue(batch.pk))
    return batch, True


def persons_import_run(*, batch_id: int) -> str:
    """The background job: import a queued batch's upload into it. Safe to run again (a retried job): a
    finished batch is left alone, an interrupted one is imported again without duplicating anyone."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status in (ImportStatus.DONE, ImportStatus.FAILED) or batch.upload_enc is None:
            return batch.status if batch else "missing"
        batch.status = ImportStatus.RUNNING
        batch.save(update_fields=["status"])
    actor = batch.uploaded_by
    try:
        if actor is None or not actor.is_active:
            raise Forbidden("uploader_gone", "the account that uploaded the file is no longer active")

        def progress(done: int) -> None:
            ImportBatch.objects.filter(pk=batch_id).update(processed_rows=done)

        persons_import(actor=actor, data=_upload_open(batch.upload_enc), filename=batch.filename,
                       mapping=batch.mapping or None, progress=progress, into=batch)
    except ServiceError as exc:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportStatus.FAILED, upload_enc=None, finished_at=timezone.now(),
            errors=[{"line": 0, "field": "", "code": exc.code, "message": exc.message}],
        )
        return ImportStatus.FAILED
    return ImportStatus.DONE


def _upload_seal(data: bytes) -> bytes:
    # The upload is a list of personal data: kept encrypted with the field cipher (as text, in base64).
    return pii.cipher().encrypt(base64.b64encode(data).decode())


def _upload_open(blob: bytes | memoryview) -> bytes:
    return base64.b64decode(pii.cipher().decrypt(blob))


def _created_ids(keys: list[str], now: dt.datetime) -> list[int]:
    """Ids of the persons with these dedup keys that this import created (their created_at is its `now`)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one array parameter, not 5,000 placeholders per statement
            cursor.execute(f"SELECT id FROM {Person._meta.db_table} WHERE dedup_key = ANY(%s) AND created_at = %s",
                           [keys, now])
            return [row[0] for row in cursor.fetchall()]
    new_ids: list[int] = []
    for start in range(0, len(keys), 5000):  # SQLite allows at most 32,766 parameters in one statement
        chunk = keys[start : start + 5000]
        new_ids += Person.objects.filter(created_at=now, dedup_key__in=chunk).values_list("pk", flat=True)
    return new_ids


PERSON_COLUMNS = (
    "dedup_key", "doc_type", "doc_number_enc", "doc_masked", "name_enc", "name_masked", "name_hash", "phone_enc",
    "phone_masked", "phone_hash", "address_enc", "sex", "birth_date", "nationality", "area_id", "household_id",
    "relation", "tags", "created_at", "updated_at",
)


def persons_bulk_insert(stored: list[dict[str, Any]], *, households: list[str]) -> int:
    """The fast path shared by imports and the demo generator: households first, then persons in one go."""
    refs = {ref: cols["area_id"] for ref, cols in zip(households, stored, strict=True) if ref}
    if refs:
        now = timezone.now()
        insert_ignoring_conflicts(
            Household._meta.db_table, ("ref", "area_id", "created_at"), [(r, a, now) for r, a in refs.items()], "ref"
        )
    ids: dict[str, int] = {}
    ref_list = list(refs)
    if connection.vendor == "postgresql" and ref_list:
        with connection.cursor() as cursor:  # one array parameter instead of thousands of placeholders
            cursor.execute(f"SELECT ref, id FROM {Household._meta.db_table} WHERE ref = ANY(%s)", [ref_list])
            ids.update(cursor.fetchall())
        ref_list = []
    for start in range(0, len(ref_list), 5000):
        ids.update(Household.objects.filter(ref__in=ref_list[start : start + 5000]).values_list("ref", "pk"))
    rows = []
    as_row = operator.itemgetter(*PERSON_COLUMNS)
    for ref, cols in zip(households, stored, strict=True):
        cols["household_id"] = ids.get(ref) if ref else None
        # JSON as text: what both SQLite's executemany and PostgreSQL's COPY take for a JSON column.
        cols["tags"] = json.dumps(cols["tags"], ensure_ascii=False) if cols["tags"] else "[]"
        rows.append(as_row(cols))
    return insert_ignoring_conflicts(Person._meta.db_table, PERSON_COLUMNS, rows, "dedup_key")


_INDEX_LOOKUPS_ONLY = ("enable_seqscan", "enable_mergejoin", "enable_hashjoin")


def merge_candidates_find(*, person_ids: list[int]) -> int:
    """Likely duplicates without a shared document: same name and birth date, or same name and phone.

    One indexed self-join per chunk: (name_hash, birth_date) through its composite index, name and phone
    through the phone index, so the cost follows the matches found, not how common a name is.
    """
    table = Person._meta.db_table
    created = 0
    pg = connection.vendor == "postgresql"
    # PostgreSQL takes the whole chunk as one array parameter (= ANY(%s)): no per-id placeholder to build and
    # parse client-side; SQLite needs one placeholder per id and caps a statement at 32,766 of them.
    size = 10_000 if pg else 1000
    for start in range(0, len(person_ids), size):
        chunk = person_ids[start : start + size]
        in_chunk = "= ANY(%s)" if pg else "IN ({})".format(", ".join(["%s"] * len(chunk)))
        params = [chunk, chunk] if pg else [*chunk, *chunk]
        # CROSS JOIN makes SQLite keep `a` (the chunk) as the outer loop. Merged persons are dropped in
        # Python, not in SQL: without fresh statistics (rows inserted by this very transaction) both SQLite
        # and PostgreSQL would start from the merged_into index, where every active person is NULL: a full
        # scan per chunk (93 s for 20,000 imported rows on SQLite, minutes on PostgreSQL).
        sql = (
            f"SELECT a.id, b.id, b.merged_into_id, 1 FROM {table} a CROSS JOIN {table} b WHERE a.id {in_chunk}"
            f" AND b.name_hash = a.name_hash AND b.birth_date = a.birth_date AND b.id <> a.id"
            f" UNION ALL SELECT a.id, b.id, b.merged_into_id, 2 FROM {table} a CROSS JOIN {table} b"
            f" WHERE a.id {in_chunk} AND a.phone_hash <> '' AND b.phone_hash = a.phone_hash"
            f" AND b.name_hash = a.name_hash AND b.id <> a.id"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Rows this transaction just inserted have no statistics yet, and PostgreSQL then prefers
                # sorting whole-table scans: insist on the index lookups for this one statement.
                for setting in _INDEX_LOOKUPS_ONLY:
                    cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute(sql, params)
            found = [(a, b, kind) for a, b, merged, kind in cursor.fetchall() if merged is None]
            if connection.vendor == "postgresql":
                for setting in _INDEX_LOOKUPS_ONLY:
                    cursor.execute(f"RESET {setting}")
        reasons: dict[tuple[int, int], str] = {}
        for a, b, kind in sorted(found, key=lambda r: r[2]):  # same birth date first: it names the reason
            pair = (min(a, b), max(a, b))
            reasons.setdefault(pair, MergeReason.NAME_BIRTH if kind == 1 else MergeReason.NAME_PHONE)
        pairs = [MergeCandidate(person_a_id=a, person_b_id=b, reason=r) for (a, b), r in sorted(reasons.items())]
        created += len(MergeCandidate.objects.bulk_create(pairs, ignore_conflicts=True))
    return created


@transaction.atomic
def person_merge(*, actor: User, winner: Person, loser: Person, request: HttpRequest | None = None) -> Person:
    """Keep both records (the loser points at the winner) and re-point everything that referenced the loser."""
    if winner.pk == loser.pk:
        raise ValidationFailed("same_person", "a person cannot be merged into themself")
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[winner.pk, loser.pk])}
    winner, loser = locked[winner.pk], locked[loser.pk]
    for p in (winner, loser):
        if not has_perm_at(actor, Perm.PERSON_MERGE, p.area_id):
            raise Forbidden("outside_jurisdiction", "both persons must lie in your jurisdiction")
        if p.merged_into_id:
            raise Conflict("already_merged", f"person {p.pk} was already merged")
    repointed: dict[str, int] = {}
    for rel in Person._meta.related_objects:
        if rel.remote_field.name == "merged_into" or not (rel.one_to_many or rel.one_to_one):
            continue
        if rel.related_model is MergeCandidate:
            continue
        manager = rel.related_model._default_manager  # type: ignore[union-attr]
        field = rel.field.name
        if rel.one_to_one and manager.filter(**{field: winner}).exists():
            continue  # the winner already has its own (e.g. a citizen account): leave the loser's alone
        count = manager.filter(**{field: loser}).update(**{field: winner})
        if count:
            repointed[rel.related_model._meta.label_lower] = count  # type: ignore[union-attr]
    # Fill the winner's gaps from the loser; the loser keeps its own values for the history.
    for name in ("phone_enc", "phone_masked", "phone_hash", "address_enc", "birth_date", "household_id"):
        if not getattr(winner, name) and getattr(loser, name):
            setattr(winner, name, getattr(loser, name))
    winner.save()
    loser.merged_into = winner
    loser.save(update_fields=["merged_into", "updated_at"])
    MergeCandidate.objects.filter(
        Q(person_a=loser) | Q(person_b=loser), status=MergeStatus.OPEN
    ).update(status=MergeStatus.MERGED, decided_by=actor, decided_at=timezone.now())
    audit_record(actor=actor, action=AuditAction.MERGE, obj=winner,
                 before={"loser": loser.pk, "loser_record": str(loser)}, after={"repointed": repointed},
                 request=request)
    return winner


@transaction.atomic
def merge_candidate_dismiss(*, actor: User, candidate: MergeCandidate, request: HttpRequest | None = None) -> None:
    for p in (candidate.person_a, candidate.person_b):
        if not has_perm_at(actor, Perm.PERSON_MERGE, p.area_id):
            raise Forbidden("outside_jurisdiction", "both persons must lie in your jurisdiction")
    candidate.status = MergeStatus.DISMISSED
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=candidate, fields=["status"],
                 after={"status": MergeStatus.DISMISSED}, request=request)


@transaction.atomic
def referral_decide(
    *, actor: User, referral: DuplicateReferral, decision: str, note: str = "", request: HttpRequest | None = None
) -> DuplicateReferral:
    """The owning district records what a registration attempted elsewhere was (moved, a mistake, a fraud).

    Once only: a decided referral is a 409. "Other" needs a note saying what. Moving the person's residence is done
    on the person's own page (an audited change of the record), not here.
    """
    if not has_perm_at(actor, Perm.PERSON_CHANGE, referral.area_id):
        raise Forbidden("outside_jurisdiction", "you may not decide referrals of this area")
    locked = DuplicateReferral.objects.select_for_update().get(pk=referral.pk)
    if locked.decided_at is not None:
        raise Conflict("already_decided", "this referral has been decided")
    note = note.strip()
    errors = []
    if decision not in ReferralDecision.values:
        errors.append({"field": "decision", "code": "invalid_choice", "message": "moved, mistake, fraud or other"})
    if decision == ReferralDecision.OTHER and len(note) < 5:
        errors.append({"field": "note", "code": "required", "message": "give a reason (at least 5 characters)"})
    if len(note) > 500:
        errors.append({"field": "note", "code": "too_long", "message": "at most 500 characters"})
    if errors:
        raise ValidationFailed("invalid_decision", "the decision has errors", errors)
    locked.decision, locked.decision_note = decision, note
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, fields=["decision"],
                 after={"decision": decision}, reason=note, request=request)
    referral.__dict__.update(locked.__dict__)
    return locked

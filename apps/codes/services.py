"""Every write of the health-code app: recompute, rule sets, overrides, declarations, check-ins, issuing QR text."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.codes import facts as facts_module
from apps.codes.choices import OverrideStatus
from apps.codes.keys import current_key
from apps.codes.models import CheckIn, CheckInObligation, Declaration, HealthCode, Override, RuleSetVersion
from apps.codes.rules import current_ruleset
from apps.common.errors import Conflict, Forbidden, ValidationFailed
from apps.people.models import Person
from apps.people.pii import person_refs
from core import signing
from core.coderules import Colour, RuleSet, RuleSetError, evaluate

# How long a displayed QR stays valid: short, so a screenshot cannot be passed on for long.
CODE_TTL = timedelta(minutes=int(getattr(settings, "TONGCHOU_CODE_TTL_MINUTES", 60)))
MAX_OVERRIDE_DAYS = 30
MONITORING_DAYS = 14

CODE_COLUMNS = (
    "person_id",
    "area_id",
    "colour",
    "computed_colour",
    "reasons",
    "changes_on",
    "ruleset_version",
    "override_id",
    "computed_at",
    "digest",
)


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


@dataclass
class RecomputeStats:
    persons: int = 0
    written: int = 0
    non_green: int = 0


# --------------------------------------------------------------------------- recompute


def codes_recompute(
    *,
    person_ids: Iterable[int] | None = None,
    today: date | None = None,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> RecomputeStats:
    """Recompute the codes of these persons (everyone when None); writes only the rows that changed."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    ruleset = current_ruleset(today)
    stats = RecomputeStats()
    for chunk in _chunks(person_ids):
        with transaction.atomic():
            _recompute_chunk(chunk, today, now, ruleset, stats)
        if progress is not None:
            progress(len(chunk.rows))
    return stats


def codes_recompute_on_commit(person_ids: Iterable[int], *, background: bool = False) -> None:
    """Recompute these persons' codes after the current transaction commits (at once if none is open);
    ``background`` hands the work to the task worker instead, for callers that must answer quickly."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    if background:
        from apps.codes.tasks import recompute_codes

        transaction.on_commit(lambda: recompute_codes.enqueue(ids))
    else:
        transaction.on_commit(lambda: codes_recompute(person_ids=ids))


def _chunks(person_ids: Iterable[int] | None) -> Iterable[facts_module.PersonChunk]:
    """Chunks of (person id, area); a run over all persons carries the id span it covers."""
    size = facts_module.CHUNK
    if person_ids is not None:
        ids = sorted(set(person_ids))
        for start in range(0, len(ids), size):
            yield facts_module.PersonChunk.of(ids[start : start + size])
        return
    last = 0
    while True:
        rows = list(
            Person.objects.filter(pk__gt=last, merged_into__isnull=True)
            .order_by("pk")
            .values_list("pk", "area_id")[:size]
        )
        if not rows:
            return
        yield facts_module.PersonChunk(rows, (rows[0][0], rows[-1][0]))
        last = rows[-1][0]


def _reason_json(result_reasons: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "colour": r.colour.value,
            "zh": r.text_zh,
            "en": r.text_en,
            "until": r.until.isoformat() if r.until else None,
        }
        for r in result_reasons
    ]


def _recompute_chunk(
    chunk: facts_module.PersonChunk,
    today: date,
    now: datetime,
    ruleset: RuleSet,
    stats: RecomputeStats,
) -> None:
    rows = chunk.rows
    who = chunk.where()
    facts = facts_module.gather(chunk, today, ruleset)
    overrides = dict(
        Override.objects.filter(**who, status=OverrideStatus.APPROVED, valid_until__gt=now)
        .order_by("person_id", "decided_at")
        .values_list("person_id", "pk")
    )
    override_colour = dict(Override.objects.filter(pk__in=overrides.values()).values_list("pk", "colour"))
    # Rows are compared by a digest of their content: reading back and parsing every reasons JSON costs more
    # than computing the code again.
    existing = dict(HealthCode.objects.filter(**who).values_list("person_id", "digest"))
    version = ruleset.version
    out: list[list[Any]] = []
    fresh: list[list[Any]] = []
    plain_green: dict[str, str] = {}  # area -> digest of a green code without reasons (most of the city)
    for pid, area in rows:
        f = facts.get(pid)
        if f is None:
            computed, reasons, changes_on = "green", [], None
        else:
            result = evaluate(f, ruleset)
            computed, reasons, changes_on = (
                result.colour.value,
                _reason_json(result.reasons),
                result.changes_on,
            )
        oid = overrides.get(pid)
        colour = override_colour[oid] if oid is not None else computed
        if colour != "green":
            stats.non_green += 1
        reasons_text = json.dumps(reasons, ensure_ascii=False) if reasons else "[]"
        if f is None and oid is None:
            digest = plain_green.get(area) or plain_green.setdefault(
                area, _digest(area, colour, computed, reasons_text, changes_on, version, oid)
            )
        else:
            digest = _digest(area, colour, computed, reasons_text, changes_on, version, oid)
        old = existing.get(pid)
        if old == digest:
            continue
        (fresh if old is None else out).append(
            [
                pid,
                area,
                colour,
                computed,
                reasons_text,
                changes_on,
                version,
                oid,
                now,
                digest,
            ]
        )
    stats.persons += len(rows)
    if fresh:
        _insert_codes(fresh)
    if out:
        _upsert_codes(out)
    stats.written += len(out) + len(fresh)


def _insert_codes(rows: list[list[Any]]) -> None:
    """Codes of persons who had none: on PostgreSQL one COPY straight into the table; should a concurrent
    recompute have written one of them meanwhile, the unique key stops the COPY and the upsert takes over."""
    if connection.vendor != "postgresql":
        _upsert_codes(rows)
        return
    import psycopg

    table, cols = HealthCode._meta.db_table, ", ".join(CODE_COLUMNS)
    try:
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    except (IntegrityError, psycopg.errors.UniqueViolation):
        _upsert_codes(rows)


# Up to this many rows (the recompute after one event: a scan batch's fevers, a case) one pipelined
# INSERT ... ON CONFLICT per row beats the four statements of a staging table.
SMALL_UPSERT = 200


def _upsert_codes(rows: list[list[Any]]) -> None:
    table = HealthCode._meta.db_table
    cols = ", ".join(CODE_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in CODE_COLUMNS[1:])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > SMALL_UPSERT:
            stage = "_stage_codes"
            cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            cursor.execute(f"CREATE TEMP TABLE {stage} AS SELECT {cols} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} "
                f"ON CONFLICT (person_id) DO UPDATE SET {updates}"
            )
            cursor.execute(f"DROP TABLE {stage}")
            return
        marks = ", ".join(["%s"] * len(CODE_COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT (person_id) DO UPDATE SET {updates}",
            rows,
        )


def code_for(person: Person) -> HealthCode:
    """The person's current code: computed now if it was never computed or was computed before today
    (a stated change date may have passed, an override may have ended), so a shown code is never stale
    even if the daily job has not run yet."""
    code = HealthCode.objects.filter(person=person).select_related("override").first()
    now = timezone.now()
    stale = code is None or timezone.localdate(code.computed_at) < timezone.localdate(now)
    if code is not None and code.override is not None and code.override.valid_until <= now:
        stale = True
    if stale:
        codes_recompute(person_ids=[person.pk], now=now)
        return HealthCode.objects.select_related("override").get(person=person)
    return code


def code_issue_qr(*, code: HealthCode, now: datetime | None = None) -> tuple[str, datetime]:
    """The signed QR text of a code and its expiry: never past the next colour change or the override's end."""
    now = now or timezone.now()
    expires = now + CODE_TTL
    if code.changes_on is not None:
        change = datetime.combine(
            code.changes_on, datetime.min.time(), tzinfo=timezone.get_current_timezone()
        )
        expires = min(expires, max(change, now + timedelta(minutes=1)))
    if code.override is not None:
        expires = min(expires, max(code.override.valid_until, now + timedelta(minutes=1)))
    text = signing.sign_code(
        current_key(),
        kind=signing.CodeKind.HEALTH,
        ref=person_refs().encode(code.person_id),
        colour=Colour(code.colour),
        issued_at=now,
        expires_at=expires,
    )
    return text, expires


# --------------------------------------------------------------------------- rule sets


@transaction.atomic
def ruleset_create(
    *, actor: User, params: dict[str, Any], note: str = "", request: HttpRequest | None = None
) -> RuleSetVersion:
    """Store a new rule-set version (validated by core); everyone is re-evaluated after commit."""
    if not has_perm_anywhere(actor, Perm.CODE_RULES):
        raise Forbidden("forbidden", "only users with city-wide rule rights may change the code rules")
    try:
        rs = RuleSet.from_dict(params)
    except RuleSetError as exc:
        raise ValidationFailed(
            "invalid_ruleset",
            "the rule set is not valid",
            [{"field": f, "message": m} for f, m in exc.errors],
        ) from None
    if RuleSetVersion.objects.filter(version=rs.version).exists():
        raise Conflict("duplicate_version", f"rule-set version {rs.version} exists")
    if RuleSetVersion.objects.filter(effective_from=rs.effective_from).exists():
        raise Conflict("duplicate_effective_date", f"a rule set already takes effect on {rs.effective_from}")
    row = RuleSetVersion.objects.create(
        version=rs.version, effective_from=rs.effective_from, params=rs.to_dict(), note=note, created_by=actor
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=row, after=rs.to_dict(), reason=note, request=request
    )
    transaction.on_commit(_enqueue_recompute_all)
    return row


def _enqueue_recompute_all() -> None:
    from apps.codes.tasks import recompute_all_codes

    recompute_all_codes.enqueue()


# --------------------------------------------------------------------------- overrides


def _check_override_rights(actor: User, person: Person) -> None:
    if actor.person_id is not None and actor.person_id == person.pk:
        raise Forbidden("own_code", "nobody may override their own code")
    if not has_perm_at(actor, Perm.CODE_OVERRIDE, person.area_id):
        raise Forbidden("outside_jurisdiction", "this person lives outside your jurisdiction")


@transaction.atomic
def override_request(
    *,
    actor: User,
    person: Person,
    colour: str,
    reason: str,
    valid_until: datetime,
    request: HttpRequest | None = None,
) -> Override:
    """Ask for a manual colour; it takes effect only once a second authorised person approves it."""
    _check_override_rights(actor, person)
    now = timezone.now()
    errors = []
    if colour not in {c.value for c in Colour}:
        errors.append({"field": "colour", "message": "must be green, yellow or red"})
    if len(reason.strip()) < 5:
        errors.append({"field": "reason", "message": "give a reason (at least 5 characters)"})
    if valid_until <= now or valid_until > now + timedelta(days=MAX_OVERRIDE_DAYS):
        errors.append(
            {"field": "valid_until", "message": f"must lie within the next {MAX_OVERRIDE_DAYS} days"}
        )
    if errors:
        raise ValidationFailed("invalid_override", "the override is not valid", errors)
    override = Override.objects.create(
        person=person,
        area_id=person.area_id,
        colour=colour,
        reason=reason.strip(),
        valid_until=valid_until,
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CODE_OVERRIDE_REQUEST,
        obj=override,
        after={"colour": colour, "valid_until": valid_until.isoformat()},
        reason=override.reason,
        request=request,
    )
    return override


@transaction.atomic
def override_decide(
    *, actor: User, override: Override, approve: bool, note: str = "", request: HttpRequest | None = None
) -> Override:
    """The second person's decision (四眼原则: never the requester, never the person concerned)."""
    override = Override.objects.select_for_update().select_related("person").get(pk=override.pk)
    _check_override_rights(actor, override.person)
    if override.requested_by_id == actor.pk:
        raise Forbidden("same_person", "a second person must approve an override")
    if override.status != OverrideStatus.PENDING:
        raise Conflict("already_decided", "this override has already been decided")
    if approve and override.valid_until <= timezone.now():
        raise Conflict("expired", "this override request has expired")
    override.status = OverrideStatus.APPROVED if approve else OverrideStatus.REJECTED
    override.decided_by = actor
    override.decided_at = timezone.now()
    override.decision_note = note
    override.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action=AuditAction.CODE_OVERRIDE_APPROVE if approve else AuditAction.CODE_OVERRIDE_REJECT,
        obj=override,
        after={"status": override.status, "colour": override.colour},
        reason=note,
        request=request,
    )
    codes_recompute_on_commit([override.person_id])
    return override


@transaction.atomic
def override_revoke(
    *, actor: User, override: Override, note: str, request: HttpRequest | None = None
) -> Override:
    override = Override.objects.select_for_update().select_related("person").get(pk=override.pk)
    _check_override_rights(actor, override.person)
    if override.status not in (OverrideStatus.PENDING, OverrideStatus.APPROVED):
        raise Conflict("not_active", "this override is no longer active")
    override.status = OverrideStatus.REVOKED
    override.decided_by = actor if override.decided_by_id is None else override.decided_by
    override.decision_note = note
    override.save(update_fields=["status", "decided_by", "decision_note"])
    audit_record(
        actor=actor, action=AuditAction.CODE_OVERRIDE_REVOKE, obj=override, reason=note, request=request
    )
    codes_recompute_on_commit([override.person_id])
    return override


# --------------------------------------------------------------------------- citizen


@transaction.atomic
def declaration_submit(
    *,
    person: Person,
    symptoms: bool,
    arrived_on: date | None = None,
    arrived_from: str = "",
    arrived_from_risk: str = "low",
    note: str = "",
) -> Declaration:
    """A health and travel declaration; symptoms or risky travel start 14 days of daily check-ins."""
    today = timezone.localdate()
    errors = []
    if arrived_on is not None and arrived_on > today:
        errors.append({"field": "arrived_on", "message": "must not be in the future"})
    if arrived_from_risk not in ("low", "medium", "high"):
        errors.append({"field": "arrived_from_risk", "message": "must be low, medium or high"})
    if arrived_from_risk != "low" and arrived_on is None:
        errors.append({"field": "arrived_on", "message": "give the arrival date"})
    if errors:
        raise ValidationFailed("invalid_declaration", "the declaration is not valid", errors)
    declaration = Declaration.objects.create(
        person=person,
        declared_on=today,
        symptoms=symptoms,
        arrived_on=arrived_on,
        arrived_from=arrived_from[:100],
        arrived_from_risk=arrived_from_risk,
        note=note[:300],
    )
    if symptoms or arrived_from_risk != "low":
        CheckInObligation.objects.create(
            person=person, start=today + timedelta(days=1), end=today + timedelta(days=1 + MONITORING_DAYS)
        )
    codes_recompute_on_commit([person.pk])
    return declaration


@transaction.atomic
def checkin_submit(*, person: Person, temperature: float | None, symptoms: bool) -> CheckIn:
    """Today's check-in; a second one the same day replaces the first."""
    if temperature is not None and not 34.0 <= temperature <= 43.0:
        raise ValidationFailed(
            "invalid_checkin", "the check-in is not valid", [{"field": "temperature", "message": "34–43 °C"}]
        )
    checkin, _ = CheckIn.objects.update_or_create(
        person=person, day=timezone.localdate(), defaults={"temperature": temperature, "symptoms": symptoms}
    )
    codes_recompute_on_commit([person.pk])
    return checkin


# --------------------------------------------------------------------------- citizen sign-in by one-time code

OTP_TTL = timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 5


def otp_send(*, phone: str) -> None:
    """Send a one-time code if the phone belongs to a registered person; silent otherwise (no enumeration)."""
    import secrets

    from apps.codes.models import SignInCode
    from apps.codes.sms import send_sms
    from apps.people.pii import cipher, phone_hash

    phone = "".join(ch for ch in phone if ch.isdigit())
    if not 6 <= len(phone) <= 15:
        raise ValidationFailed(
            "invalid_phone", "enter a mobile phone number", [{"field": "phone", "message": ""}]
        )
    key = phone_hash(phone)
    if not Person.objects.filter(phone_hash=key, merged_into__isnull=True).exists():
        return
    # At most one code a minute and five an hour per phone; the caller sees the same answer either way.
    recent = SignInCode.objects.filter(phone_hash=key, created_at__gte=timezone.now() - timedelta(hours=1))
    if recent.filter(created_at__gte=timezone.now() - timedelta(minutes=1)).exists() or recent.count() >= 5:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    SignInCode.objects.create(
        phone_hash=key,
        code_hash=cipher().lookup_hash(f"{key}:{code}", kind="otp"),
        expires_at=timezone.now() + OTP_TTL,
    )
    send_sms(phone, f"【统筹】您的登录验证码为 {code}，5分钟内有效。Tongchou sign-in code: {code}")


def otp_verify(*, phone: str, code: str) -> User:
    """The citizen's account for a correct, unexpired, unused code; created and linked on first sign-in."""
    from apps.accounts.choices import Role
    from apps.accounts.services import user_create
    from apps.codes.models import SignInCode
    from apps.people.pii import cipher, phone_hash

    phone = "".join(ch for ch in phone if ch.isdigit())
    key = phone_hash(phone)
    wrong = ValidationFailed(
        "wrong_code", "the code is wrong or has expired", [{"field": "code", "message": ""}]
    )
    row = (
        SignInCode.objects.filter(phone_hash=key, used=False, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if row is None or row.attempts >= OTP_MAX_ATTEMPTS:
        raise wrong
    if cipher().lookup_hash(f"{key}:{code.strip()}", kind="otp") != row.code_hash:
        # Counted outside any transaction, so a wrong guess is never rolled back.
        SignInCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        raise wrong
    # Conditional update: of two concurrent uses of one code, only one wins.
    if not SignInCode.objects.filter(pk=row.pk, used=False).update(used=True):
        raise wrong
    person = Person.objects.filter(phone_hash=key, merged_into__isnull=True).order_by("pk").first()
    if person is None:
        raise wrong
    with transaction.atomic():
        user = User.objects.select_for_update().filter(person=person).first()
        if user is None:
            user = user_create(
                username=f"citizen-{person.pk}",
                password=None,
                grants=[(Role.CITIZEN, person.area_id)],
                person=person,
            )
    return user

"""Writes of the accounts app: sign-in with lockout, tokens, grants."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction
from apps.accounts.models import ApiToken, RoleGrant, User

# A hash to check against when the user does not exist, so both paths cost the same time.
_DUMMY_HASH = make_password("timing-equaliser-password")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    reason: str  # "ok", "invalid", "locked", "inactive"
    locked_until: dt.datetime | None = None


def login_attempt(*, username: str, password: str, request: HttpRequest | None = None) -> LoginResult:
    user = User.objects.filter(username=username).first()
    if user is None:
        check_password(password, _DUMMY_HASH)
        return LoginResult(None, "invalid")
    if user.is_locked():
        return LoginResult(None, "locked", user.locked_until)
    if not user.check_password(password):
        # Counted in SQL, so two parallel wrong guesses both count.
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        audit_record(actor=None, action=AuditAction.LOGIN_FAILED, obj=user, request=request)
        if user.failed_logins >= settings.LOCKOUT_THRESHOLD:
            until = timezone.now() + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            audit_record(actor=None, action=AuditAction.LOCKED_OUT, obj=user, request=request)
            return LoginResult(None, "locked", until)
        return LoginResult(None, "invalid")
    if not user.is_active:
        return LoginResult(None, "inactive")
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=timezone.now())
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, request=request)
    return LoginResult(user, "ok")


def token_issue(*, user: User, name: str, days: int | None = 90, request: HttpRequest | None = None) -> str:
    key = "tc_" + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=ApiToken.hash_key(key), expires_at=expires)
    audit_record(actor=user, action=AuditAction.TOKEN, obj=user, reason=name, request=request)
    return key


def token_user(*, key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None or (token.expires_at and token.expires_at <= timezone.now()):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_create(*, username: str, password: str, grants: list[tuple[str, str]], **fields: object) -> User:
    user = User.objects.create_user(username=username, password=password, **fields)  # type: ignore[arg-type]
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role, area_id=area) for role, area in grants])
    return user

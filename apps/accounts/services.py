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
from apps.accounts.models import ApiToken, LoginThrottle, RoleGrant, User

# A hash to check against when the user does not exist, so both paths cost the same time.
_DUMMY_HASH = make_password("timing-equaliser-password")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    reason: str  # "ok", "invalid", "locked", "inactive"
    locked_until: dt.datetime | None = None


def client_address(request: HttpRequest | None) -> str:
    """The address failures are counted against (REMOTE_ADDR: the proxy in front must set it to the client's)."""
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


def login_attempt(*, username: str, password: str, request: HttpRequest | None = None) -> LoginResult:
    """Check a sign-in. Failures count per (username, client address), for unknown names exactly as for known
    ones, so a stranger cannot lock a user out of their own address and the answers do not reveal which names
    exist. Every path checks one password hash, so they also take about the same time."""
    now = timezone.now()
    key = LoginThrottle.key_for(username, client_address(request))
    throttle = LoginThrottle.objects.filter(key=key).first()
    user = User.objects.filter(username=username).first()
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        check_password(password, _DUMMY_HASH)
        return LoginResult(None, "locked", throttle.locked_until)
    if user is None or not user.check_password(password):
        if user is None:
            check_password(password, _DUMMY_HASH)
        return _login_failed(key=key, user=user, username=username, now=now, request=request)
    if user.is_locked():  # locked by an administrator: the right password does not open it either
        return LoginResult(None, "locked", user.locked_until)
    if not user.is_active:
        return LoginResult(None, "inactive")
    LoginThrottle.objects.filter(key=key).delete()
    User.objects.filter(pk=user.pk).update(failed_logins=0, last_login=now)
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, request=request)
    return LoginResult(user, "ok")


def login_throttles_purge(*, now: dt.datetime | None = None, quiet: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Daily: forget the failure counts of (username, address) pairs quiet for `quiet` and not locked now.

    Without it the table keeps a row for every mistyped name from every address forever, and a user's
    occasional wrong password from months apart would still add up to a lock-out.
    """
    now = now or timezone.now()
    stale = LoginThrottle.objects.filter(last_failure_at__lt=now - quiet).exclude(locked_until__gt=now)
    deleted, _ = stale.delete()
    return deleted


def _login_failed(
    *, key: str, user: User | None, username: str, now: dt.datetime, request: HttpRequest | None
) -> LoginResult:
    # Counted in SQL, so two parallel wrong guesses both count.
    throttle, _ = LoginThrottle.objects.get_or_create(key=key)
    LoginThrottle.objects.filter(pk=throttle.pk).update(failures=F("failures") + 1, last_failure_at=now)
    throttle.refresh_from_db(fields=["failures"])
    target: dict[str, object] = {"obj": user} if user is not None else {
        "object_type": "accounts.user", "object_repr": username[:150]
    }
    if user is not None:
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, request=request, **target)  # type: ignore[arg-type]
    if throttle.failures >= settings.LOCKOUT_THRESHOLD:
        until = now + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
        LoginThrottle.objects.filter(pk=throttle.pk).update(locked_until=until, failures=0)
        audit_record(actor=None, action=AuditAction.LOCKED_OUT, request=request, **target)  # type: ignore[arg-type]
        return LoginResult(None, "locked", until)
    return LoginResult(None, "invalid")


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
    if token is None or (token.expires_at and token.expires_at <= timezone.now()) or token.user.is_locked():
        return None  # a locked account's tokens stop working while it is locked
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_create(*, username: str, password: str, grants: list[tuple[str, str]], **fields: object) -> User:
    user = User.objects.create_user(username=username, password=password, **fields)  # type: ignore[arg-type]
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role, area_id=area) for role, area in grants])
    return user

"""The notification centre (一个通知中心): store what modules send, each user's inbox and read state, the digest,
and the pluggable outbound channels (console, e-mail through Django's mail backends, SMS through apps.codes.sms)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q, grant_prefixes
from apps.command.choices import Channel, Severity
from apps.command.models import Notification, NotificationPreference, NotificationRead, OutboundMessage
from apps.common.errors import NotFound
from apps.common.notify import Note

# ---- writes (called through apps.common.notify) ----------------------------------------------------------------


def store_notes(notes: list[Note]) -> int:
    """Store notifications (one bulk insert, plus one per named user), and send urgent ones out at once."""
    rows: list[Notification] = []
    for note in notes:
        module = note.kind.split(".", 1)[0]
        base = {
            "kind": note.kind[:64],
            "module": module[:32],
            "severity": note.severity,
            "title": note.title[:200],
            "body": note.body[:2000],
            "link": note.link[:300],
            "source_ref": note.source_ref[:100],
            "params": {k: str(v) for k, v in note.params.items()},
        }
        if note.perm and note.area_code:
            rows.append(
                Notification(
                    **base, perm=note.perm, area_id=note.area_code, also_area_id=note.also_area_code or None
                )
            )
        rows.extend(Notification(**base, recipient_id=uid) for uid in note.user_ids)
    created = Notification.objects.bulk_create(rows)
    urgent = [n for n in created if n.severity == Severity.URGENT and n.pk is not None]
    if urgent:
        ids = [n.pk for n in urgent]
        transaction.on_commit(lambda: send_urgent(ids))
    return len(created)


def resolve_notes(source_ref: str) -> int:
    return Notification.objects.filter(source_ref=source_ref, resolved_at=None).update(
        resolved_at=timezone.now()
    )


# ---- reads ------------------------------------------------------------------------------------------------------


# The permissions that address notifications; a user's inbox ORs one term per permission they hold.
def _addressed_q(user: User) -> Q:
    q = Q(recipient_id=user.pk)
    for perm in Perm.values:
        if grant_prefixes(user, perm):
            q |= Q(perm=perm) & (area_q(user, perm, "area") | area_q(user, perm, "also_area"))
    return q


def inbox(
    *, user: User, module: str = "", severity: str = "", unread: bool = False, state: str = ""
) -> QuerySet[Notification]:
    """The user's inbox, newest first; `state` is "open" (not resolved) or "resolved"."""
    read = NotificationRead.objects.filter(notification_id=OuterRef("pk"), user_id=user.pk)
    qs = Notification.objects.filter(_addressed_q(user)).annotate(is_read=Exists(read))
    if module:
        qs = qs.filter(module=module)
    if severity:
        qs = qs.filter(severity=severity)
    if unread:
        qs = qs.filter(is_read=False)
    if state == "open":
        qs = qs.filter(resolved_at=None)
    elif state == "resolved":
        qs = qs.exclude(resolved_at=None)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: User) -> int:
    return inbox(user=user, unread=True).count()


def modules_of(*, user: User) -> list[str]:
    return sorted(set(inbox(user=user).values_list("module", flat=True).distinct()))


def notification_get(*, user: User, pk: int) -> Notification:
    found = inbox(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound("not_found", "no such notification in your inbox")
    return found


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the given notifications (or every unread one) of the user's inbox read; returns how many."""
    qs = inbox(user=user, unread=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    rows = [NotificationRead(notification_id=pk, user_id=user.pk) for pk in qs.values_list("pk", flat=True)]
    NotificationRead.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# ---- outbound channels ------------------------------------------------------------------------------------------


class OutboundChannel(Protocol):
    def send(self, *, address: str, subject: str, body: str) -> None: ...


class ConsoleChannel:
    def send(self, *, address: str, subject: str, body: str) -> None:
        sys.stdout.write(f"[notification to {address}] {subject}\n{body}\n")


class EmailChannel:
    """Through Django's configured mail backend (EMAIL_BACKEND), so tests read django.core.mail.outbox."""

    def send(self, *, address: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [address])


class SMSChannel:
    """Through the SMS backend interface of the one-time codes (TONGCHOU_SMS_BACKEND)."""

    def send(self, *, address: str, subject: str, body: str) -> None:
        from apps.codes.sms import send_sms

        send_sms(address, f"{subject} {body}"[:300])


DEFAULT_CHANNELS = {
    Channel.CONSOLE: "apps.command.notifications.ConsoleChannel",
    Channel.EMAIL: "apps.command.notifications.EmailChannel",
    Channel.SMS: "apps.command.notifications.SMSChannel",
}


def channel_for(name: str) -> OutboundChannel | None:
    paths = {**DEFAULT_CHANNELS, **getattr(settings, "TONGCHOU_NOTIFY_CHANNELS", {})}
    path = paths.get(name)
    return import_string(path)() if path else None


def _address(user: User, pref: NotificationPreference) -> str:
    if pref.address:
        return pref.address
    return user.email if pref.channel == Channel.EMAIL else user.username


def _send(user: User, pref: NotificationPreference, key: str, subject: str, body: str) -> bool:
    channel = channel_for(pref.channel)
    if channel is None:
        return False
    # The key is claimed first, so a second run (or a second worker) never sends the same message twice.
    _, created = OutboundMessage.objects.get_or_create(
        user=user,
        key=key[:100],
        defaults={"channel": pref.channel, "subject": subject[:200], "body": body[:5000]},
    )
    if created:
        channel.send(address=_address(user, pref), subject=subject, body=body)
    return created


def _recipients(notification: Notification) -> QuerySet[User]:
    """Users with a channel set who are addressees of this notification."""
    prefs = NotificationPreference.objects.exclude(channel=Channel.NONE).values("user_id")
    users = User.objects.filter(pk__in=prefs, is_active=True)
    if notification.recipient_id is not None:
        return users.filter(pk=notification.recipient_id)
    codes = [c for c in (notification.area_id, notification.also_area_id) if c]
    return users.filter(
        pk__in=[
            u.pk
            for u in users
            if any(c.startswith(p) for c in codes for p in grant_prefixes(u, notification.perm))
        ]
    )


def send_urgent(ids: list[int]) -> int:
    # Outbound messages are written in the site's language, whatever request happened to run before.
    with translation.override(settings.LANGUAGE_CODE):
        return _send_urgent(ids)


def _send_urgent(ids: list[int]) -> int:
    sent = 0
    for notification in Notification.objects.filter(pk__in=ids):
        for user in _recipients(notification):
            pref = NotificationPreference.objects.get(user=user)
            sent += _send(
                user, pref, f"urgent:{notification.pk}", notification.shown_title(), notification.shown_body()
            )
    return sent


def send_digests(*, now: dt.datetime | None = None) -> int:
    """The daily digest: each user with a channel and digest on gets one message listing the unread of the last day,
    in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send_digests(now or timezone.now())


def _send_digests(now: dt.datetime) -> int:
    day = timezone.localdate(now)
    sent = 0
    for pref in (
        NotificationPreference.objects.filter(digest=True)
        .exclude(channel=Channel.NONE)
        .select_related("user")
    ):
        user = pref.user
        if not user.is_active:
            continue
        rows = list(inbox(user=user, unread=True).filter(created_at__gt=now - dt.timedelta(days=1))[:50])
        if not rows:
            continue
        subject = _("Tongchou digest for %(day)s: %(n)d unread") % {"day": day.isoformat(), "n": len(rows)}
        body = "\n".join(f"- [{n.get_severity_display()}] {n.shown_title()}" for n in rows)
        sent += _send(user, pref, f"digest:{day.isoformat()}", subject, body)
    return sent


def preference_set(
    *, user: User, channel: str, address: str = "", digest: bool = True
) -> NotificationPreference:
    from apps.common.errors import ValidationFailed

    if channel not in Channel.values:
        raise ValidationFailed("bad_channel", "unknown channel", [{"field": "channel", "message": "unknown"}])
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"channel": channel, "address": address[:200], "digest": digest}
    )
    return pref

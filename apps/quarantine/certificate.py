"""The release certificate (解除隔离证明): a QR signed with the health-code keys (core.signing, kind RELEASE),
verifiable offline at a checkpoint with the published public keys, like the health code itself."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.quarantine.choices import StayStatus
from apps.quarantine.models import Stay
from core import signing

VALID_DAYS = 30
RELEASED = (StayStatus.RELEASED, StayStatus.RELEASED_EARLY, StayStatus.MONITORING)


def certificate_ref(stay: Stay) -> str:
    return f"QS{stay.pk}"


def certificate_text(*, stay: Stay, now: dt.datetime | None = None) -> str | None:
    """The signed QR text, or None while the person is not released."""
    if stay.status not in RELEASED or stay.released_on is None:
        return None
    from apps.codes.keys import current_key

    now = now or timezone.now()
    released = dt.datetime.combine(stay.released_on, dt.time.min, tzinfo=timezone.get_current_timezone())
    return signing.sign_code(
        current_key(),
        kind=signing.CodeKind.RELEASE,
        ref=certificate_ref(stay),
        issued_at=min(now, released),
        expires_at=max(released + dt.timedelta(days=VALID_DAYS), now + dt.timedelta(minutes=1)),
    )


def certificate_verify(text: str, *, now: dt.datetime | None = None) -> tuple[signing.Verdict, Stay | None]:
    from apps.codes.keys import public_keys

    verdict = signing.verify(
        text, public_keys(), now or timezone.now(), expected_kind=signing.CodeKind.RELEASE
    )
    stay = None
    if verdict.ok and verdict.payload is not None:
        ref = str(verdict.payload.ref)
        if ref.startswith("QS") and ref[2:].isdigit():
            stay = Stay.objects.filter(pk=int(ref[2:]), status__in=RELEASED).first()
    return verdict, stay

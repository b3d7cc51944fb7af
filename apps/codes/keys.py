"""Signing keys: the current private key (encrypted at rest), rotation, and the published public keys."""

from __future__ import annotations

import base64
import math
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.codes.models import SigningKey as SigningKeyRow
from apps.people.pii import cipher
from core import signing

_LOADED: dict[str, signing.SigningKey] = {}


def current_key() -> signing.SigningKey:
    """The newest unretired key; one is created on first use so a fresh install can issue codes."""
    row = SigningKeyRow.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
    if row is None:
        row = key_rotate()
    key = _LOADED.get(row.kid)
    if key is None:
        key = signing.SigningKey.load(cipher().decrypt(bytes(row.private_enc)).encode("ascii"))
        _LOADED[row.kid] = key
    return key


@transaction.atomic
def key_rotate(*, now: datetime | None = None) -> SigningKeyRow:
    """Create a new key and retire the others: codes they signed keep verifying until they expire."""
    now = now or timezone.now()
    pair = signing.generate_keypair()
    SigningKeyRow.objects.select_for_update().filter(retired_at__isnull=True).update(retired_at=now)
    return SigningKeyRow.objects.create(
        kid=pair.kid,
        public_raw=pair.public_raw,
        private_enc=cipher().encrypt(pair.private_pem.decode("ascii")),
    )


def _retired_epoch(retired: datetime | None) -> int | None:
    # Codes carry whole seconds: one issued in the second of the rotation must still verify.
    return math.ceil(retired.timestamp()) if retired is not None else None


def public_keys() -> dict[str, signing.PublicKeyInfo]:
    return {
        kid: signing.PublicKeyInfo(bytes(raw), _retired_epoch(retired))
        for kid, raw, retired in SigningKeyRow.objects.values_list("kid", "public_raw", "retired_at")
    }


def public_keys_document() -> dict[str, object]:
    """The published key list: what checkpoint devices cache (raw Ed25519 keys, base64url)."""
    rows = SigningKeyRow.objects.order_by("created_at").values_list(
        "kid", "public_raw", "created_at", "retired_at"
    )
    return {
        "alg": "Ed25519",
        "keys": [
            {
                "kid": kid,
                "x": base64.urlsafe_b64encode(bytes(raw)).decode("ascii").rstrip("="),
                "created_at": created.isoformat(),
                "retired_at": retired.isoformat() if retired else None,
                "retired_at_epoch": _retired_epoch(retired),
            }
            for kid, raw, created, retired in rows
        ],
    }

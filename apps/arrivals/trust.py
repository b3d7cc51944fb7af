"""Health-code trust lists between cities: publish ours (signed by our root key), import others', retire, revoke.

Codes of a city whose list is imported verify offline at checkpoints and ports exactly like local ones:
``code_keys()`` is the local keys plus every active foreign key, in ``core.signing``'s form, and
``code_keys_document()`` the same in the published-keys format the checkpoint page's verifier caches.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction
from apps.accounts.models import User
from apps.arrivals.models import ForeignCodeKey, ForeignTrustList, InstanceRootKey
from apps.codes.keys import public_keys, public_keys_document
from apps.common.errors import ServiceError, ValidationFailed
from apps.people.pii import cipher
from core import signing, trustlist

LIST_VALID_DAYS = 30


def root_key() -> tuple[InstanceRootKey, Ed25519PrivateKey]:
    """This instance's root key, made on first use."""
    row = InstanceRootKey.objects.order_by("created_at").first()
    if row is None:
        private = Ed25519PrivateKey.generate()
        raw = trustlist.root_public_raw(private)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        row = InstanceRootKey.objects.create(
            kid=signing.kid_for(raw), public_raw=raw, private_enc=cipher().encrypt(pem.decode("ascii"))
        )
    loaded = serialization.load_pem_private_key(
        cipher().decrypt(bytes(row.private_enc)).encode("ascii"), None
    )
    assert isinstance(loaded, Ed25519PrivateKey)
    return row, loaded


def published_trust_list(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Our code-verification keys, signed by our root key, for other cities to import."""
    now = now or timezone.now()
    _, private = root_key()
    keys = [
        {"kid": k["kid"], "x": k["x"], "retired_at_epoch": k["retired_at_epoch"]}
        for k in public_keys_document()["keys"]  # type: ignore[attr-defined]
    ]
    return trustlist.sign(
        root=private,
        issuer_area=getattr(settings, "TONGCHOU_INSTANCE_AREA", ""),
        issuer_name=getattr(settings, "TONGCHOU_INSTANCE_NAME", "Tongchou"),
        keys=keys,
        issued_at=int(now.timestamp()),
        valid_until=int((now + dt.timedelta(days=LIST_VALID_DAYS)).timestamp()),
    )


def trust_list_import(
    *, actor: User, data: bytes, root_fingerprint: str = "", now: dt.datetime | None = None
) -> ForeignTrustList:
    """Import (or refresh) another city's list. The first import of an issuer needs the root key's
    fingerprint given out of band; later imports must be signed by the same root."""
    now = now or timezone.now()
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("bad_file", "the file is not a trust list") from None
    issuer = document.get("issuer") if isinstance(document, dict) else None
    root_kid = issuer.get("root_kid") if isinstance(issuer, dict) else None
    existing = ForeignTrustList.objects.filter(root_kid=str(root_kid)).first() if root_kid else None
    try:
        verified = trustlist.verify(
            document,
            pinned_root=bytes(existing.root_raw) if existing else None,
            pinned_kid=None if existing else root_fingerprint.strip().lower(),
            now=int(now.timestamp()),
        )
    except trustlist.TrustListError as error:
        raise ValidationFailed(
            f"trust_list_{error.code}", "the trust list is refused", [{"message": str(error)}]
        ) from None
    local = set(public_keys())
    clash = [k.kid for k in verified.keys if k.kid in local]
    if clash:
        raise ServiceError("kid_clash", "a key of the list has the id of one of our own keys")
    others = ForeignCodeKey.objects.filter(kid__in=[k.kid for k in verified.keys]).exclude(
        trust_list__root_kid=verified.root_kid
    )
    if others.exists():
        raise ServiceError("kid_clash", "a key of the list belongs to another city's list")
    with transaction.atomic():
        row, _ = ForeignTrustList.objects.update_or_create(
            root_kid=verified.root_kid,
            defaults={
                "issuer_area": verified.issuer_area,
                "issuer_name": verified.issuer_name,
                "root_raw": verified.root_raw,
                "issued_at": dt.datetime.fromtimestamp(verified.issued_at, dt.UTC),
                "valid_until": dt.datetime.fromtimestamp(verified.valid_until, dt.UTC),
                "document": document,
                "imported_at": now,
                "imported_by": actor,
                "retired_at": None,
            },
        )
        revoked = set(
            ForeignCodeKey.objects.filter(trust_list=row, revoked_at__isnull=False).values_list(
                "kid", flat=True
            )
        )
        ForeignCodeKey.objects.filter(trust_list=row).exclude(kid__in=revoked).delete()
        ForeignCodeKey.objects.bulk_create(
            [
                ForeignCodeKey(
                    trust_list=row, kid=k.kid, public_raw=k.public_raw, retired_at_epoch=k.retired_at_epoch
                )
                for k in verified.keys
                if k.kid not in revoked
            ]
        )
        audit_record(actor=actor, action=AuditAction.IMPORT, obj=row, after={"keys": len(verified.keys)})
    return row


def trust_list_retire(
    *, actor: User, trust_list: ForeignTrustList, now: dt.datetime | None = None
) -> ForeignTrustList:
    """Stop trusting a city's list: none of its keys verifies any more."""
    trust_list.retired_at = now or timezone.now()
    trust_list.save(update_fields=["retired_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=trust_list, after={"retired": True})
    return trust_list


def key_revoke(*, actor: User, kid: str, now: dt.datetime | None = None) -> ForeignCodeKey:
    """Revoke one foreign key (e.g. reported compromised); a later import of the list keeps it revoked."""
    key = ForeignCodeKey.objects.filter(kid=kid).first()
    if key is None:
        raise ServiceError("not_found", "no such key")
    key.revoked_at = now or timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=key, after={"revoked": True})
    return key


def _active_foreign(now: dt.datetime) -> Any:
    return ForeignCodeKey.objects.filter(
        revoked_at__isnull=True, trust_list__retired_at__isnull=True, trust_list__valid_until__gt=now
    )


def code_keys(*, now: dt.datetime | None = None) -> dict[str, signing.PublicKeyInfo]:
    """Every key a checkpoint accepts: ours and the active ones of imported lists."""
    now = now or timezone.now()
    keys = dict(public_keys())
    for kid, raw, retired in _active_foreign(now).values_list("kid", "public_raw", "retired_at_epoch"):
        keys[kid] = signing.PublicKeyInfo(bytes(raw), retired)
    return keys


def code_keys_document(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The published-keys document (``/api/codes/keys`` format) with the other cities' active keys added."""
    now = now or timezone.now()
    document = public_keys_document()
    keys = list(document["keys"])  # type: ignore[call-overload]
    for kid, raw, retired, issuer in _active_foreign(now).values_list(
        "kid", "public_raw", "retired_at_epoch", "trust_list__issuer_name"
    ):
        keys.append(
            {"kid": kid, "x": trustlist.b64url(bytes(raw)), "retired_at_epoch": retired, "issuer": issuer}
        )
    return {**document, "keys": keys}

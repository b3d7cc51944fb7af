"""Signed trust lists of health-code keys, so that one city's codes verify offline in another (一码通行).

An instance publishes the public keys its codes are signed with in a document signed by a long-lived
root key of that instance (Ed25519)::

    {"format": "tongchou-trust-list/1",
     "issuer": {"area": "330100", "name": "…", "root_kid": "…", "root_x": base64url(raw root key)},
     "issued_at": epoch, "valid_until": epoch,
     "keys": [{"kid": "…", "x": base64url(raw key), "retired_at_epoch": epoch | null}, …],
     "signature": base64url(Ed25519(root, canonical(document without "signature")))}

``canonical`` is JSON with sorted keys, no spaces, UTF-8. An importer pins the issuer's root key: on
the first import by the fingerprint the operator was given out of band (``root_kid``, the first 8
bytes of SHA-256 of the raw root key, as ``core.signing.kid_for``), later by the root stored then.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.signing import PUBLIC_KEY_SIZE, kid_for

FORMAT: Final = "tongchou-trust-list/1"
MAX_KEYS: Final = 200


class TrustListError(ValueError):
    """The document is refused; ``code`` is stable."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def unb64url(text: object) -> bytes:
    if not isinstance(text, str):
        raise TrustListError("malformed", "a key is not text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TrustListError("malformed", "a key is not base64url") from None


def canonical(document: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def root_public_raw(root: Ed25519PrivateKey) -> bytes:
    return root.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign(
    *,
    root: Ed25519PrivateKey,
    issuer_area: str,
    issuer_name: str,
    keys: list[Mapping[str, Any]],
    issued_at: int,
    valid_until: int,
) -> dict[str, Any]:
    """The published document of ``keys`` (each ``kid``, ``x`` and ``retired_at_epoch``)."""
    raw = root_public_raw(root)
    document: dict[str, Any] = {
        "format": FORMAT,
        "issuer": {"area": issuer_area, "name": issuer_name, "root_kid": kid_for(raw), "root_x": b64url(raw)},
        "issued_at": issued_at,
        "valid_until": valid_until,
        "keys": [
            {"kid": str(k["kid"]), "x": str(k["x"]), "retired_at_epoch": k.get("retired_at_epoch")}
            for k in keys
        ],
    }
    document["signature"] = b64url(root.sign(canonical(document)))
    return document


@dataclass(frozen=True, slots=True)
class TrustedKey:
    kid: str
    public_raw: bytes
    retired_at_epoch: int | None


@dataclass(frozen=True, slots=True)
class VerifiedList:
    issuer_area: str
    issuer_name: str
    root_kid: str
    root_raw: bytes
    issued_at: int
    valid_until: int
    keys: tuple[TrustedKey, ...]


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TrustListError("malformed", f"{name} is not a whole number")
    return value


def verify(document: object, *, pinned_root: bytes | None, pinned_kid: str | None, now: int) -> VerifiedList:
    """Check a trust list; ``TrustListError`` says why it is refused. The root must equal the pinned
    root (a later import) or have the pinned fingerprint (the first import)."""
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise TrustListError("malformed", "not a trust list of this format")
    issuer = document.get("issuer")
    if not isinstance(issuer, Mapping):
        raise TrustListError("malformed", "no issuer")
    root_raw = unb64url(issuer.get("root_x"))
    if len(root_raw) != PUBLIC_KEY_SIZE:
        raise TrustListError("malformed", "the root key is not an Ed25519 key")
    if pinned_root is not None and root_raw != pinned_root:
        raise TrustListError("root_mismatch", "signed by another root than the one trusted for this issuer")
    if pinned_root is None and (not pinned_kid or kid_for(root_raw) != pinned_kid):
        raise TrustListError("root_mismatch", "the root key's fingerprint is not the one given")
    try:
        Ed25519PublicKey.from_public_bytes(root_raw).verify(
            unb64url(document.get("signature")), canonical(document)
        )
    except InvalidSignature:
        raise TrustListError("bad_signature", "the document's signature does not verify") from None
    issued_at, valid_until = (
        _int(document.get("issued_at"), "issued_at"),
        _int(document.get("valid_until"), "valid_until"),
    )
    if now >= valid_until:
        raise TrustListError("expired", "the trust list is no longer valid")
    raw_keys = document.get("keys")
    if not isinstance(raw_keys, list) or len(raw_keys) > MAX_KEYS:
        raise TrustListError("malformed", "keys must be a list")
    keys = []
    for entry in raw_keys:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("kid"), str) or not entry["kid"]:
            raise TrustListError("malformed", "a key entry lacks its kid")
        public = unb64url(entry.get("x"))
        if len(public) != PUBLIC_KEY_SIZE:
            raise TrustListError("malformed", f"key {entry['kid']} is not an Ed25519 key")
        retired = entry.get("retired_at_epoch")
        keys.append(
            TrustedKey(
                entry["kid"][:64], public, None if retired is None else _int(retired, "retired_at_epoch")
            )
        )
    return VerifiedList(
        str(issuer.get("area", ""))[:12],
        str(issuer.get("name", ""))[:100],
        kid_for(root_raw),
        root_raw,
        issued_at,
        valid_until,
        tuple(keys),
    )

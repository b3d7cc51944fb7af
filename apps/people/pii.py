"""The project's field cipher, built once from settings: encrypt, decrypt, and keyed look-up hashes."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from core.fieldcrypto import FieldCipher, parse_key
from core.personref import PersonRefs


@cache
def cipher() -> FieldCipher:
    keys: dict[int, bytes] = {}
    current: int | None = None
    for item in settings.PII_KEYS.split(","):
        kid, _, text = item.strip().partition(":")
        keys[int(kid)] = parse_key(text)
        current = int(kid) if current is None else current
    if current is None:
        raise ValueError("TONGCHOU_PII_KEYS is empty")
    return FieldCipher(keys, current, parse_key(settings.PII_HASH_KEY))


@cache
def person_refs() -> PersonRefs:
    """Opaque person references for QR codes (core.personref), keyed from the look-up hash key: as stable as
    the look-up hashes, so a code scanned offline still names its holder when uploaded days later."""
    return PersonRefs(bytes.fromhex(cipher().lookup_hash("qr-person-ref", kind="subkey")))


def doc_key(doc_type: str, number: str) -> str:
    return cipher().lookup_hash(f"{doc_type}:{number}", kind="doc")


def nodoc_key(name: str, birth: str, phone: str) -> str:
    return cipher().lookup_hash(f"{name}|{birth}|{phone}", kind="nodoc")


def name_hash(name: str) -> str:
    return cipher().lookup_hash(name, kind="name")


def phone_hash(phone: str) -> str:
    return cipher().lookup_hash(phone, kind="phone")

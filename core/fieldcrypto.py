"""Field encryption (AES-GCM) and keyed lookup hashes (HMAC-SHA256) for personal data at rest."""

from __future__ import annotations

import base64
import hmac
import os
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptError(ValueError):
    """A ciphertext that cannot be opened: unknown key id, truncated, or altered (authentication failed)."""


class FieldCipher:
    """Encrypts with the current key; decrypts with any key still listed, so keys can rotate.

    A ciphertext is: 1 byte key id | 12 bytes nonce | AES-GCM ciphertext and tag. The key id lets
    old rows keep decrypting after a new key becomes current (re-encryption can then run lazily).
    """

    def __init__(self, keys: Mapping[int, bytes], current: int, hash_key: bytes) -> None:
        if current not in keys:
            raise ValueError("the current key id must be one of the keys")
        for kid, key in keys.items():
            if not 0 <= kid <= 255 or len(key) != 32:
                raise ValueError("keys are 32 bytes (AES-256) with ids 0..255")
        if len(hash_key) < 32:
            raise ValueError("the hash key must have at least 32 bytes")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self._current = current
        self._prefix = bytes([current])
        self._hash_key = hash_key

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return self._prefix + nonce + self._aead[self._current].encrypt(nonce, plaintext.encode(), None)

    def encrypt_fields(self, values: Sequence[str | None]) -> list[bytes | None]:
        """Encrypt several fields of one record (None stays None), drawing all nonces at once: one system
        call per record instead of one per field, on the hot path of bulk imports."""
        randomness = os.urandom(NONCE_BYTES * len(values))
        aead = self._aead[self._current]
        out: list[bytes | None] = []
        for i, value in enumerate(values):
            if value is None:
                out.append(None)
                continue
            nonce = randomness[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
            out.append(self._prefix + nonce + aead.encrypt(nonce, value.encode(), None))
        return out

    def decrypt(self, blob: bytes | memoryview) -> str:
        blob = bytes(blob)  # PostgreSQL hands binary columns back as memoryview
        if len(blob) < 1 + NONCE_BYTES + TAG_BYTES:
            raise DecryptError("the ciphertext is truncated")
        kid, nonce, body = blob[0], blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        aead = self._aead.get(kid)
        if aead is None:
            raise DecryptError(f"no key with id {kid} is configured")
        try:
            return aead.decrypt(nonce, body, None).decode()
        except InvalidTag:
            raise DecryptError(f"the ciphertext does not authenticate under key {kid}") from None

    def lookup_hash(self, value: str, *, kind: str) -> str:
        """A keyed hash for exact look-ups; `kind` keeps equal strings of different fields apart."""
        return hmac.digest(self._hash_key, f"{kind}\x1f{value}".encode(), "sha256").hex()


def parse_key(text: str) -> bytes:
    """Keys travel in the environment as URL-safe base64."""
    return base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")

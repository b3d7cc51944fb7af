"""Field encryption: AES-GCM round trips, refuses altered or foreign ciphertexts, rotates keys; keyed hashes."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.fieldcrypto import NONCE_BYTES, DecryptError, FieldCipher, new_key, parse_key

K1, K2, H1, H2 = (bytes([i]) * 32 for i in (1, 2, 3, 4))


def cipher(current: int = 1, hash_key: bytes = H1) -> FieldCipher:
    keys = {1: K1, 2: K2} if current == 2 else {1: K1}
    return FieldCipher(keys, current, hash_key)


@given(st.text(max_size=300))
def test_round_trip_of_any_text(plaintext: str) -> None:
    c = cipher()
    blob = c.encrypt(plaintext)
    assert c.decrypt(blob) == plaintext
    assert c.decrypt(memoryview(blob)) == plaintext  # what a PostgreSQL bytea column returns


def test_ciphertext_holds_no_plaintext_and_starts_with_the_key_id() -> None:
    c = cipher()
    secret = "110105194912310021 张三 13812345678"
    blob = c.encrypt(secret)
    assert blob[0] == 1
    assert secret.encode() not in blob
    for part in secret.split():
        assert part.encode() not in blob
    assert len(blob) == 1 + NONCE_BYTES + len(secret.encode()) + 16


def test_nonces_are_unique_so_equal_plaintexts_give_different_ciphertexts() -> None:
    c = cipher()
    blobs = [c.encrypt("same") for _ in range(2000)]
    assert len({b[1 : 1 + NONCE_BYTES] for b in blobs}) == 2000
    assert len(set(blobs)) == 2000


def test_unknown_key_id_raises() -> None:
    blob = cipher(current=2).encrypt("x")
    with pytest.raises(DecryptError, match="id 2"):
        cipher(current=1).decrypt(blob)


def test_same_key_id_with_other_key_material_raises() -> None:
    blob = FieldCipher({1: K2}, 1, H1).encrypt("x")
    with pytest.raises(DecryptError):
        cipher().decrypt(blob)


@pytest.mark.parametrize("position", [1, NONCE_BYTES, NONCE_BYTES + 1, -1, -16])
def test_tampering_with_any_byte_raises(position: int) -> None:
    c = cipher()
    blob = bytearray(c.encrypt("13812345678"))
    blob[position] ^= 0x01
    with pytest.raises(DecryptError):
        c.decrypt(bytes(blob))


def test_changing_the_key_id_byte_to_another_configured_key_raises() -> None:
    c = cipher(current=2)
    blob = bytearray(c.encrypt("x"))
    blob[0] = 1
    with pytest.raises(DecryptError):
        c.decrypt(bytes(blob))


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01" + b"\x00" * (NONCE_BYTES + 15)])
def test_truncated_ciphertexts_raise(blob: bytes) -> None:
    with pytest.raises(DecryptError):
        cipher().decrypt(blob)


def test_rotation_old_rows_still_decrypt_and_new_rows_use_the_new_key() -> None:
    old = cipher(current=1).encrypt("旧数据")
    rotated = cipher(current=2)
    assert rotated.decrypt(old) == "旧数据"
    new = rotated.encrypt("新数据")
    assert new[0] == 2
    assert rotated.decrypt(new) == "新数据"
    with pytest.raises(DecryptError):
        cipher(current=1).decrypt(new)


def test_lookup_hash_is_deterministic_keyed_and_kind_separated() -> None:
    c = cipher()
    h = c.lookup_hash("13812345678", kind="phone")
    assert h == cipher(current=2).lookup_hash("13812345678", kind="phone")  # the encryption key plays no part
    assert len(h) == 64 and int(h, 16) >= 0
    assert "13812345678" not in h
    assert h != c.lookup_hash("13812345678", kind="name")
    assert h != c.lookup_hash("13812345679", kind="phone")
    assert h != cipher(hash_key=H2).lookup_hash("13812345678", kind="phone")


@given(st.text(max_size=40), st.text(max_size=40))
def test_different_values_of_one_kind_hash_differently(a: str, b: str) -> None:
    c = cipher()
    assert (c.lookup_hash(a, kind="doc") == c.lookup_hash(b, kind="doc")) == (a == b)


@pytest.mark.parametrize(
    ("keys", "current", "hash_key"),
    [
        ({1: K1}, 2, H1),
        ({1: b"short"}, 1, H1),
        ({256: K1}, 256, H1),
        ({-1: K1}, -1, H1),
        ({1: K1}, 1, b"h" * 31),
    ],
)
def test_bad_configuration_is_refused(keys: dict[int, bytes], current: int, hash_key: bytes) -> None:
    with pytest.raises(ValueError):
        FieldCipher(keys, current, hash_key)


def test_keys_travel_as_unpadded_urlsafe_base64() -> None:
    text = new_key()
    assert "=" not in text
    assert len(parse_key(text)) == 32
    raw = os.urandom(32)
    assert parse_key(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw
    assert parse_key(base64.urlsafe_b64encode(raw).decode()) == raw
    assert new_key() != new_key()


@given(st.lists(st.one_of(st.none(), st.text(max_size=40)), max_size=6))
def test_fields_encrypted_together_open_like_fields_encrypted_alone(values: list[str | None]) -> None:
    c = cipher()
    blobs = c.encrypt_fields(values)
    assert [None if b is None else c.decrypt(b) for b in blobs] == values
    nonces = [b[1:13] for b in blobs if b is not None]
    assert len(set(nonces)) == len(nonces)  # every field has its own nonce

"""Validly signed envelopes the parser must still refuse, decode_payload on its own, and the payload and
messages every failing verdict carries.

The envelopes here are built by hand from the format in core/signing.py's docstring (version, kid length,
kid, payload length, CBOR payload, Ed25519 signature over all of it) and signed with the real key, so the
only thing wrong with each is the one thing a test names: the signature always checks out.
"""

from __future__ import annotations

import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.coderules import Colour
from core.signing import (
    CodeKind,
    CodePayload,
    MalformedCodeError,
    PublicKeyInfo,
    SigningKey,
    VerdictStatus,
    decode,
    decode_payload,
    generate_keypair,
    sign_code,
    verify,
)

PAIR = generate_keypair()
PRIVATE = Ed25519PrivateKey.from_private_bytes(PAIR.private_raw)
KEYS = {PAIR.kid: PublicKeyInfo(PAIR.public_raw)}
KID = bytes.fromhex(PAIR.kid)
T0 = 1_583_020_800  # 2020-03-01 00:00 UTC
EXP = T0 + 3600
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def base45(data: bytes) -> str:
    """RFC 9285 written again: 2 bytes -> 3 characters (least significant first), 1 byte -> 2."""
    out = ""
    for i in range(0, len(data), 2):
        chunk = data[i : i + 2]
        n = int.from_bytes(chunk, "big")
        digits = 3 if len(chunk) == 2 else 2
        for _ in range(digits):
            n, c = divmod(n, 45)
            out += ALPHABET[c]
    return out


def head(major: int, value: int) -> bytes:
    """A CBOR head with the shortest argument encoding."""
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise AssertionError(value)


def uint(n: int) -> bytes:
    return head(0, n)


def text(s: str) -> bytes:
    raw = s.encode()
    return head(3, len(raw)) + raw


def cbor_map(*pairs: tuple[bytes, bytes]) -> bytes:
    return head(5, len(pairs)) + b"".join(k + v for k, v in pairs)


def health_fields(
    ref: bytes | None = None, colour: int = 0, issued: int = T0, expires: int = EXP
) -> list[tuple[bytes, bytes]]:
    return [
        (uint(1), uint(1)),
        (uint(2), ref if ref is not None else text("p-1")),
        (uint(3), uint(colour)),
        (uint(4), uint(issued)),
        (uint(5), uint(expires)),
    ]


def envelope(payload: bytes, *, kid: bytes = KID, prefix: str = "TC1:", length: int | None = None) -> str:
    """A correctly signed envelope around ``payload`` (``length`` overrides the declared length)."""
    declared = len(payload) if length is None else length
    signed = bytes([1, len(kid)]) + kid + struct.pack(">H", declared) + payload
    return prefix + base45(signed + PRIVATE.sign(signed))


def refused(code: str, detail: str) -> None:
    verdict = verify(code, KEYS, T0)
    assert (verdict.status, verdict.payload, verdict.detail) == (VerdictStatus.MALFORMED, None, detail)
    assert (verdict.message_zh, verdict.message_en, verdict.ok) == ("无法识别的码", "Unreadable code", False)
    with pytest.raises(MalformedCodeError) as err:
        decode(code)
    assert str(err.value) == detail


def test_a_hand_built_envelope_is_accepted_so_the_refusals_below_are_meaningful() -> None:
    code = envelope(cbor_map(*health_fields()))
    verdict = verify(code, KEYS, T0)
    assert verdict.status is VerdictStatus.VALID
    assert verdict.payload == CodePayload(CodeKind.HEALTH, "p-1", Colour.GREEN, T0, EXP, PAIR.kid)
    assert code == sign_code(
        SigningKey.load(PAIR.private_raw),
        kind=CodeKind.HEALTH,
        ref="p-1",
        colour=Colour.GREEN,
        issued_at=T0,
        expires_at=EXP,
    )


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (b"\x84\x01\x02\x03\x04", "CBOR: payload is not a map"),  # an array
        (b"\xc1" + cbor_map(*health_fields()), "CBOR: payload is not a map"),  # a tag
        (
            b"\xbf" + b"".join(k + v for k, v in health_fields()) + b"\xff",
            "CBOR: unsupported length encoding",
        ),
        (
            cbor_map(*health_fields()[:4], (uint(5), b"\xfb" + struct.pack(">d", EXP))),
            "CBOR: value is neither an unsigned integer nor text",
        ),  # float
        (
            cbor_map(*health_fields()[:4], (uint(5), head(1, 5))),
            "CBOR: value is neither an unsigned integer nor text",
        ),  # negative
        (
            cbor_map(*health_fields()[:1], (uint(2), head(2, 3) + b"abc"), *health_fields()[2:]),
            "CBOR: value is neither an unsigned integer nor text",
        ),  # bytes
        (
            cbor_map(*health_fields()[:1], (uint(2), b"\x7f\x61a\xff"), *health_fields()[2:]),
            "CBOR: unsupported length encoding",
        ),  # indefinite text
        (cbor_map((text("k"), uint(1)), *health_fields()[1:]), "CBOR: key is not an unsigned integer"),
        (cbor_map(*health_fields()[:4], (uint(4), uint(EXP))), "CBOR: repeated key"),
        (cbor_map(*health_fields()) + b"\x00", "CBOR: trailing bytes after the map"),
        (
            cbor_map(*health_fields()[:1], (uint(2), text("é")[:-1]), *health_fields()[2:]),
            "CBOR: text is not UTF-8",
        ),
        (head(5, 9) + b"".join(uint(k) + uint(0) for k in range(9)), "CBOR: too many entries"),
        (
            cbor_map(*health_fields(), (uint(6), uint(0))),
            "payload fields: expected keys 1, 2, 4, 5 and 3 on health codes",
        ),
        (cbor_map(*health_fields()[:3]), "payload fields: expected keys 1, 2, 4, 5 and 3 on health codes"),
        (
            cbor_map(*health_fields()[:2], (uint(7), uint(0)), *health_fields()[3:]),
            "payload fields: expected keys 1, 2, 4, 5 and 3 on health codes",
        ),
        (cbor_map((uint(1), uint(4)), *health_fields()[1:]), "payload: bad kind or times"),  # 1-3 are kinds
        (
            cbor_map(*health_fields()[:3], (uint(4), text("1583020800")), health_fields()[4]),
            "payload: bad kind or times",
        ),
        (cbor_map(*health_fields()[:4], (uint(5), text("1583024400"))), "payload: bad kind or times"),
        (cbor_map(*health_fields(ref=text(""))), "payload: bad ref"),
        (cbor_map(*health_fields(ref=text("r" * 65))), "payload: bad ref"),
        (cbor_map(*health_fields(colour=3)), "payload: health code without a valid colour"),
        (
            cbor_map(*health_fields()[:2], (uint(6), uint(0)), *health_fields()[3:]),
            "payload fields: expected keys 1, 2, 4, 5 and 3 on health codes",
        ),
        (cbor_map(*health_fields(expires=T0)), "payload: expires before it is issued"),
        (cbor_map(*health_fields(expires=T0 - 1)), "payload: expires before it is issued"),
    ],
)
def test_a_validly_signed_envelope_with_a_forbidden_payload_is_refused(payload: bytes, detail: str) -> None:
    refused(envelope(payload), detail)


def test_a_health_code_without_colour_and_a_venue_code_with_one_are_refused() -> None:
    venue_fields = [(uint(1), uint(2)), (uint(2), text("v-1")), (uint(4), uint(T0)), (uint(5), uint(EXP))]
    assert verify(envelope(cbor_map(*venue_fields), prefix="TV1:"), KEYS, T0).status is VerdictStatus.VALID
    with_colour = [*venue_fields[:2], (uint(3), uint(0)), *venue_fields[2:]]
    refused(
        envelope(cbor_map(*with_colour), prefix="TV1:"), "payload: a code other than a health code with a colour"
    )
    without = [f for f in health_fields() if f[0] != uint(3)]
    refused(envelope(cbor_map(*without)), "payload: health code without a valid colour")


def test_refs_of_one_and_sixty_four_characters_and_integer_refs_are_accepted() -> None:
    for ref, value in (
        (text("r"), "r"),
        (text("r" * 64), "r" * 64),
        (uint(0), 0),
        (uint(2**64 - 1), 2**64 - 1),
    ):
        verdict = verify(envelope(cbor_map(*health_fields(ref=ref))), KEYS, T0)
        assert (verdict.status, verdict.payload.ref if verdict.payload else None) == (
            VerdictStatus.VALID,
            value,
        )


def test_kid_lengths_at_their_limits() -> None:
    # A 1-byte and a 32-byte kid are well formed (then unknown: the published kid is 8 bytes).
    for kid in (b"\x01", bytes(range(32))):
        verdict = verify(envelope(cbor_map(*health_fields()), kid=kid), KEYS, T0)
        assert (verdict.status, verdict.detail) == (VerdictStatus.UNKNOWN_KEY, kid.hex())
        assert verdict.payload is not None and verdict.payload.kid == kid.hex()
    refused(envelope(cbor_map(*health_fields()), kid=b""), "bad kid length")
    refused(envelope(cbor_map(*health_fields()), kid=bytes(33)), "bad kid length")


def test_payload_lengths_at_their_limits() -> None:
    body = cbor_map(*health_fields())
    # 1024 bytes passes the length check (and is then refused for its padding), 1025 does not.
    refused(envelope(body + bytes(1024 - len(body))), "CBOR: trailing bytes after the map")
    refused(envelope(body + bytes(1025 - len(body))), "envelope length does not add up")
    refused(envelope(b""), "envelope length does not add up")
    refused(envelope(body, length=len(body) + 1), "envelope length does not add up")
    refused(envelope(body, length=len(body) - 1), "envelope length does not add up")


def test_envelope_heads_that_are_refused() -> None:
    body = cbor_map(*health_fields())
    good = envelope(body)
    refused("TX1:" + good[4:], "unknown prefix")
    signed = bytes([2, len(KID)]) + KID + struct.pack(">H", len(body)) + body
    refused("TC1:" + base45(signed + PRIVATE.sign(signed)), "unknown envelope version or too short")
    refused("TC1:" + base45(bytes(67)), "unknown envelope version or too short")
    # "truncated envelope" cannot happen: 68 bytes at least, and a kid of at most 32 (mutation/equivalent.md).
    refused("TC1:" + base45(bytes([1, 32]) + bytes(66)), "envelope length does not add up")
    refused("TC1:" + "A", "not Base45: bad length")
    refused("TC1:" + good[4:].lower(), "not Base45: character outside the alphabet")
    refused("TC1:GGW", "not Base45: group out of range")
    refused("TC1:" + good[4:-2] + "é", "not Base45: non-ASCII character")


# --------------------------------------------------------------------------- decode_payload on its own


def test_decode_payload_reads_integers_of_every_width_and_text() -> None:
    data = cbor_map(
        (uint(1), uint(23)),
        (uint(2), b"\x18\x18"),
        (uint(3), b"\x19\x01\x00"),
        (uint(4), b"\x1a\x00\x01\x00\x00"),
        (uint(5), b"\x1b" + (2**32).to_bytes(8, "big")),
        (uint(6), text("健康码")),
        (b"\x18\x07", text("")),
    )
    assert decode_payload(data) == {1: 23, 2: 24, 3: 256, 4: 65536, 5: 2**32, 6: "健康码", 7: ""}


def test_decode_payload_accepts_up_to_eight_entries_and_an_empty_map() -> None:
    eight = head(5, 8) + b"".join(uint(k) + uint(k) for k in range(8))
    assert decode_payload(eight) == {k: k for k in range(8)}
    assert decode_payload(b"\xa0") == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "CBOR: payload is not a map"),
        (b"\x80", "CBOR: payload is not a map"),
        (b"\xbf\xff", "CBOR: unsupported length encoding"),
        (b"\xbc", "CBOR: unsupported length encoding"),
        (b"\xb8", "CBOR: truncated"),  # a one-byte count announced and missing
        (b"\xa1", "CBOR: key is not an unsigned integer"),  # one entry announced, none there
        (b"\xa1\x01", "CBOR: truncated"),  # a key without its value
        (b"\xa1\x19\x01", "CBOR: truncated"),  # a two-byte key cut short
        (b"\xa1\x01\x1a\x00\x00", "CBOR: truncated"),  # a four-byte value cut short
        (b"\xa1\x01\x63ab", "CBOR: truncated text"),
        (b"\xa1\x01\x62\xc3\x28", "CBOR: text is not UTF-8"),
        (b"\xa1\x01\xf5", "CBOR: value is neither an unsigned integer nor text"),  # true
        (b"\xa1\x01\xa0", "CBOR: value is neither an unsigned integer nor text"),  # a nested map
        (b"\xa1\x21\x01", "CBOR: key is not an unsigned integer"),  # a negative key
        (b"\xa2\x01\x01\x01\x02", "CBOR: repeated key"),
        (b"\xa1\x01\x01\x00", "CBOR: trailing bytes after the map"),
        (head(5, 9), "CBOR: too many entries"),
    ],
)
def test_decode_payload_refuses_every_other_shape(data: bytes, message: str) -> None:
    with pytest.raises(MalformedCodeError) as err:
        decode_payload(data)
    assert str(err.value) == message


# --------------------------------------------------------------------------- failing verdicts carry the payload


def test_every_failing_verdict_after_decoding_carries_the_payload_and_its_messages() -> None:
    key = SigningKey.load(PAIR.private_raw)
    code = sign_code(key, kind=CodeKind.HEALTH, ref=7, colour=Colour.RED, issued_at=T0, expires_at=EXP)
    venue = sign_code(key, kind=CodeKind.VENUE, ref="v-9", issued_at=T0, expires_at=EXP)
    payload = CodePayload(CodeKind.HEALTH, 7, Colour.RED, T0, EXP, PAIR.kid)
    other = generate_keypair()
    cases = [
        (
            verify(code, {}, T0),
            VerdictStatus.UNKNOWN_KEY,
            PAIR.kid,
            "签发密钥未知，请更新公钥",
            "Unknown signing key; refresh the published keys",
        ),
        (
            verify(code, {PAIR.kid: PublicKeyInfo(b"x" * 31)}, T0),
            VerdictStatus.UNKNOWN_KEY,
            "published key is not a valid Ed25519 key",
            "签发密钥未知，请更新公钥",
            "Unknown signing key; refresh the published keys",
        ),
        (
            verify(code, {PAIR.kid: PublicKeyInfo(other.public_raw)}, T0),
            VerdictStatus.BAD_SIGNATURE,
            "",
            "签名无效，疑似伪造或篡改",
            "Bad signature: forged or altered code",
        ),
        (
            verify(code, {PAIR.kid: PublicKeyInfo(PAIR.public_raw, retired_at=T0)}, T0),
            VerdictStatus.KEY_RETIRED,
            "",
            "签发密钥已停用，码无效",
            "Signed with a key already retired: invalid",
        ),
        (
            verify(code, KEYS, T0, expected_kind=CodeKind.VENUE),
            VerdictStatus.WRONG_KIND,
            "",
            "码的类型不符",
            "Wrong kind of code",
        ),
        (
            verify(code, KEYS, T0 - 301),
            VerdictStatus.NOT_YET_VALID,
            "",
            "码尚未生效，请核对设备时间",
            "The code is not valid yet; check the device clock",
        ),
        (
            verify(code, KEYS, EXP),
            VerdictStatus.EXPIRED,
            "",
            "码已过期，请刷新",
            "The code has expired; ask for a fresh one",
        ),
        (verify(code, KEYS, EXP - 1), VerdictStatus.VALID, "", "验证通过", "Valid code"),
    ]
    for verdict, status, detail, zh, en in cases:
        assert (verdict.status, verdict.payload, verdict.detail) == (status, payload, detail)
        assert (verdict.message_zh, verdict.message_en, verdict.ok) == (zh, en, status is VerdictStatus.VALID)
    wrong = verify("TV1:" + code[4:], KEYS, T0)
    assert (wrong.status, wrong.payload) == (VerdictStatus.WRONG_KIND, payload)
    as_health = verify(venue, KEYS, T0, expected_kind=CodeKind.HEALTH)
    assert (as_health.status, as_health.payload) == (
        VerdictStatus.WRONG_KIND,
        CodePayload(CodeKind.VENUE, "v-9", None, T0, EXP, PAIR.kid),
    )


def test_a_retirement_one_second_after_issue_still_verifies_and_skew_is_configurable() -> None:
    key = SigningKey.load(PAIR.private_raw)
    code = sign_code(key, kind=CodeKind.HEALTH, ref=7, colour=Colour.YELLOW, issued_at=T0, expires_at=EXP)
    assert verify(code, {PAIR.kid: PublicKeyInfo(PAIR.public_raw, retired_at=T0 + 1)}, T0).ok
    assert verify(code, KEYS, T0 - 10, clock_skew_seconds=10).ok
    assert verify(code, KEYS, T0 - 11, clock_skew_seconds=10).status is VerdictStatus.NOT_YET_VALID
    assert verify(code, KEYS, T0, clock_skew_seconds=0).ok
    assert verify(code, KEYS, T0 - 1, clock_skew_seconds=0).status is VerdictStatus.NOT_YET_VALID


# --------------------------------------------------------------------------- signing refuses, naming why


def test_sign_code_refuses_bad_input_with_a_named_reason() -> None:
    key = SigningKey.load(PAIR.private_raw)

    def sign(**changes: object) -> str:
        args: dict[str, object] = {
            "kind": CodeKind.HEALTH,
            "ref": 7,
            "colour": Colour.GREEN,
            "issued_at": T0,
            "expires_at": EXP,
            **changes,
        }
        return sign_code(key, **args)  # type: ignore[arg-type]

    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"expires_at": T0}, ValueError, "need 0 <= issued_at < expires_at"),
        ({"issued_at": -1, "expires_at": 5}, ValueError, "need 0 <= issued_at < expires_at"),
        ({"ref": True}, TypeError, "ref must be an int or a str"),
        ({"ref": 1.5}, TypeError, "ref must be an int or a str"),
        ({"ref": -1}, ValueError, "an integer ref must not be negative"),
        ({"ref": ""}, ValueError, "a text ref must have 1 to 64 characters"),
        ({"ref": "r" * 65}, ValueError, "a text ref must have 1 to 64 characters"),
        (
            {"ref": "11010519491231002X"},
            ValueError,
            "ref looks like a resident ID number; use an opaque reference",
        ),
        ({"colour": None}, ValueError, "a health code needs a colour"),
        ({"kind": CodeKind.VENUE}, ValueError, "a venue code has no colour"),
    ]
    for changes, error, message in cases:
        with pytest.raises(error) as err:
            sign(**changes)
        assert str(err.value) == message, changes
    assert decode(sign(ref="r" * 64)).ref == "r" * 64
    assert decode(sign(ref=0, issued_at=0, expires_at=1)).ref == 0
    with pytest.raises(MalformedCodeError) as not_text:
        decode(b"TC1:")  # type: ignore[arg-type]
    assert str(not_text.value) == "not text"


def test_a_generated_key_pair_is_consistent() -> None:
    pair = generate_keypair()
    assert pair.kid == hashlib.sha256(pair.public_raw).digest()[:8].hex()
    for private in (pair.private_pem, pair.private_raw):
        assert SigningKey.load(private).kid == pair.kid
    assert pair.private_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert len(pair.private_raw) == 32


def test_a_private_key_of_another_algorithm_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError) as err:
        SigningKey.load(pem)
    assert str(err.value) == "not an Ed25519 private key"


def test_a_code_seen_again_under_the_same_key_is_not_verified_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from core import signing

    calls: list[bytes] = []
    real = signing._signature_ok

    def counting(public_raw: bytes, signature: bytes, signed: bytes) -> bool:
        calls.append(public_raw)
        return real(public_raw, signature, signed)

    monkeypatch.setattr(signing, "_signature_ok", counting)
    signing.forget_seen()
    code = sign_code(
        SigningKey.load(PAIR.private_raw), kind=CodeKind.VENUE, ref="v-seen", issued_at=T0, expires_at=EXP
    )
    assert verify(code, KEYS, T0).ok and verify(code, KEYS, T0 + 1).ok
    assert calls == [PAIR.public_raw]
    signing.forget_seen()


def test_the_shortest_envelopes_are_refused_by_their_length_and_not_text_by_its_type() -> None:
    refused("TC1:" + base45(bytes([1, 1, 0, 0])), "unknown envelope version or too short")
    refused(
        envelope(b"\xa0"), "payload fields: expected keys 1, 2, 4, 5 and 3 on health codes"
    )  # a 1-byte map
    verdict = verify(12345, KEYS, T0)
    assert (verdict.status, verdict.payload, verdict.detail) == (VerdictStatus.MALFORMED, None, "not text")

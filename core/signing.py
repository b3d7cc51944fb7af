"""Signed, compact, offline-verifiable QR payloads for health codes and venue codes (Ed25519, CBOR, Base45).

Text form (QR alphanumeric mode, like the EU Digital COVID Certificate)::

    "TC1:" + base45(envelope)     health code (健康码)
    "TV1:" + base45(envelope)     venue code (场所码)

Envelope, byte by byte (all integers big-endian)::

    offset          size  field
    0               1     version, always 0x01
    1               1     L = kid length, 1..32
    2               L     kid: raw bytes; the key id text is their lowercase hex
                          (by default the first 8 bytes of SHA-256 of the raw public key)
    2+L             2     P = payload length, 1..1024
    4+L             P     payload: CBOR, see below
    4+L+P           64    Ed25519 signature over bytes [0, 4+L+P)
    total length is exactly 68+L+P; anything else is malformed

Payload: one CBOR map (major type 5, definite length 4 or 5) whose keys are unsigned integers
(major type 0) without repeats, and whose values are unsigned integers (major type 0, any
width) or UTF-8 text strings (major type 3, definite length); no tags, floats, arrays or
indefinite lengths::

    1  kind         uint   1 = health code, 2 = venue code (must match the text prefix)
    2  ref          uint or text (1..64 chars): opaque person / venue reference, never an ID number
    3  colour       uint   0 green, 1 yellow, 2 red; present on health codes only
    4  issued_at    uint   UTC epoch seconds
    5  expires_at   uint   UTC epoch seconds, > issued_at

Base45 is RFC 9285: each 2 bytes become 3 characters c0 c1 c2 with value
c0 + 45*c1 + 2025*c2, a trailing single byte becomes 2 characters; the alphabet is
``0-9A-Z $%*+-./:``; only upper case is accepted.

Keys are made and codes signed with ``cryptography`` (OpenSSL); the server checks signatures with
libsodium (PyNaCl), twice as fast here, and remembers each check by the exact text and key bytes.
A browser verifies the same bytes with WebCrypto: ``crypto.subtle.verify("Ed25519", key,
sig, envelope.slice(0, 4 + L + P))`` with the key imported as ``"raw"``.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import cbor2
import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError

from core.coderules import Colour

ENVELOPE_VERSION: Final = 1
SIGNATURE_SIZE: Final = 64
PUBLIC_KEY_SIZE: Final = 32
MAX_PAYLOAD: Final = 1024
MAX_REF_CHARS: Final = 64


class CodeKind(enum.IntEnum):
    HEALTH = 1  # 健康码
    VENUE = 2  # 场所码
    RELEASE = 3  # 解除隔离证明: a quarantine release certificate (no colour)


PREFIXES: Final[dict[CodeKind, str]] = {
    CodeKind.HEALTH: "TC1:",
    CodeKind.VENUE: "TV1:",
    CodeKind.RELEASE: "TR1:",
}
_KIND_BY_PREFIX: Final = {prefix: kind for kind, prefix in PREFIXES.items()}
_COLOUR_CODES: Final = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
_COLOUR_BY_CODE: Final = {code: colour for colour, code in _COLOUR_CODES.items()}
_KEY_KIND, _KEY_REF, _KEY_COLOUR, _KEY_ISSUED, _KEY_EXPIRES = 1, 2, 3, 4, 5
# 15- or 18-character resident ID numbers (GB 11643) must never end up in a QR code.
_LOOKS_LIKE_ID_NUMBER: Final = re.compile(r"\d{15}|\d{17}[\dXx]")


class MalformedCodeError(ValueError):
    """The text is not a well-formed code of this format."""


# --------------------------------------------------------------------------- base45 (RFC 9285)

_B45_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# Maps an alphabet byte to its value and any other byte to 0xFF, for bytes.translate.
_B45_TABLE: Final = bytes(
    _B45_ALPHABET.find(chr(i)) & 0xFF if chr(i) in _B45_ALPHABET else 0xFF for i in range(256)
)
_B45_WEIGHTS: Final = np.array([1, 45, 2025], dtype=np.uint32)


def b45encode(data: bytes) -> str:
    out = []
    alphabet = _B45_ALPHABET
    for i in range(0, len(data) - 1, 2):
        value = (data[i] << 8) | data[i + 1]
        value, c0 = divmod(value, 45)
        c2, c1 = divmod(value, 45)
        out.append(alphabet[c0] + alphabet[c1] + alphabet[c2])
    if len(data) % 2:
        c1, c0 = divmod(data[-1], 45)
        out.append(alphabet[c0] + alphabet[c1])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Strict Base45: upper-case alphabet only, every group in range; MalformedCodeError otherwise.

    Vectorised (numpy): an EU certificate's 500 characters decode in a fraction of the time of a
    Python loop, which matters when decoding must cost less than the signature check."""
    if not text.isascii():
        raise MalformedCodeError("not Base45: non-ASCII character")
    values = text.encode("ascii").translate(_B45_TABLE)
    if 0xFF in values:
        raise MalformedCodeError("not Base45: character outside the alphabet")
    whole, rest = divmod(len(values), 3)
    if rest == 1:
        raise MalformedCodeError("not Base45: bad length")
    groups = np.frombuffer(values, np.uint8)[: whole * 3].reshape(whole, 3) @ _B45_WEIGHTS
    if whole and int(groups.max()) > 0xFFFF:
        raise MalformedCodeError("not Base45: group out of range")
    out = groups.astype(">u2").tobytes()
    if rest == 2:
        last = values[-2] + 45 * values[-1]
        if last > 0xFF:
            raise MalformedCodeError("not Base45: group out of range")
        out += bytes((last,))
    return out


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A fresh signing key; store ``private_pem`` as a secret, publish ``public_raw`` under ``kid``."""

    kid: str
    private_pem: bytes
    private_raw: bytes
    public_raw: bytes


@dataclass(frozen=True, slots=True)
class PublicKeyInfo:
    """A published key: 32 raw Ed25519 bytes, and when it was retired (UTC epoch seconds) if it was."""

    public_raw: bytes
    retired_at: int | None = None


def kid_for(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).digest()[:8].hex()


def generate_keypair() -> KeyPair:
    private = Ed25519PrivateKey.generate()
    public_raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KeyPair(
        kid=kid_for(public_raw),
        private_pem=private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        private_raw=private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        ),
        public_raw=public_raw,
    )


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A loaded private key with its kid; build it once and sign many codes with it."""

    private_key: Ed25519PrivateKey
    kid: str

    @classmethod
    def load(cls, private: bytes) -> SigningKey:
        """From a PKCS#8 PEM or the 32 raw private bytes."""
        if len(private) == 32:
            key = Ed25519PrivateKey.from_private_bytes(private)
        else:
            loaded = serialization.load_pem_private_key(private, password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 private key")
            key = loaded
        public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(key, kid_for(public_raw))


# --------------------------------------------------------------------------- payload


@dataclass(frozen=True, slots=True)
class CodePayload:
    kind: CodeKind
    ref: int | str
    colour: Colour | None  # None on venue codes
    issued_at: int  # UTC epoch seconds
    expires_at: int
    kid: str

    @property
    def issued_at_utc(self) -> datetime:
        return datetime.fromtimestamp(self.issued_at, UTC)

    @property
    def expires_at_utc(self) -> datetime:
        return datetime.fromtimestamp(self.expires_at, UTC)


def _epoch(value: datetime | int) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected an aware datetime or integer epoch seconds")
    return value


def sign_code(
    key: SigningKey,
    *,
    kind: CodeKind,
    ref: int | str,
    issued_at: datetime | int,
    expires_at: datetime | int,
    colour: Colour | None = None,
) -> str:
    """The QR text of a signed code; health codes need a colour, venue codes must not have one."""
    issued, expires = _epoch(issued_at), _epoch(expires_at)
    if issued < 0 or expires <= issued:
        raise ValueError("need 0 <= issued_at < expires_at")
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise TypeError("ref must be an int or a str")
    if isinstance(ref, int) and ref < 0:
        raise ValueError("an integer ref must not be negative")
    if isinstance(ref, str) and not 1 <= len(ref) <= MAX_REF_CHARS:
        raise ValueError(f"a text ref must have 1 to {MAX_REF_CHARS} characters")
    if _LOOKS_LIKE_ID_NUMBER.fullmatch(str(ref)):
        raise ValueError("ref looks like a resident ID number; use an opaque reference")
    payload: dict[int, int | str] = {_KEY_KIND: int(kind), _KEY_REF: ref}
    if kind is CodeKind.HEALTH:
        if colour is None:
            raise ValueError("a health code needs a colour")
        payload[_KEY_COLOUR] = _COLOUR_CODES[colour]
    elif colour is not None:
        raise ValueError("a venue code has no colour")
    payload[_KEY_ISSUED] = issued
    payload[_KEY_EXPIRES] = expires
    body = cbor2.dumps(payload, canonical=True)
    if len(body) > MAX_PAYLOAD:
        raise ValueError("payload too large")
    kid = bytes.fromhex(key.kid)
    signed = bytes((ENVELOPE_VERSION, len(kid))) + kid + len(body).to_bytes(2, "big") + body
    return PREFIXES[kind] + b45encode(signed + key.private_key.sign(signed))


# A parsed code: payload, the signed bytes, the signature, the kind its prefix claims.
_Parsed = tuple[CodePayload, bytes, bytes, CodeKind]


def _uint(data: bytes, pos: int, info: int) -> tuple[int, int]:
    """The argument of a CBOR head whose additional info is ``info``; returns (value, next pos)."""
    if info < 24:
        return info, pos
    if info > 27:
        raise MalformedCodeError("CBOR: unsupported length encoding")
    size = 1 << (info - 24)
    if pos + size > len(data):
        raise MalformedCodeError("CBOR: truncated")
    return int.from_bytes(data[pos : pos + size], "big"), pos + size


def decode_payload(data: bytes) -> dict[int, int | str]:
    """The restricted CBOR map of the module docstring; MalformedCodeError for anything else."""
    if not data or data[0] >> 5 != 5:
        raise MalformedCodeError("CBOR: payload is not a map")
    count, pos = _uint(data, 1, data[0] & 0x1F)
    if count > 8:
        raise MalformedCodeError("CBOR: too many entries")
    out: dict[int, int | str] = {}
    for _ in range(count):
        if pos >= len(data) or data[pos] >> 5 != 0:
            raise MalformedCodeError("CBOR: key is not an unsigned integer")
        key, pos = _uint(data, pos + 1, data[pos] & 0x1F)
        if key in out:
            raise MalformedCodeError("CBOR: repeated key")
        if pos >= len(data):
            raise MalformedCodeError("CBOR: truncated")
        major, info = data[pos] >> 5, data[pos] & 0x1F
        value, pos = _uint(data, pos + 1, info)
        if major == 0:
            out[key] = value
        elif major == 3:
            if pos + value > len(data):
                raise MalformedCodeError("CBOR: truncated text")
            try:
                out[key] = data[pos : pos + value].decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedCodeError("CBOR: text is not UTF-8") from None
            pos += value
        else:
            raise MalformedCodeError("CBOR: value is neither an unsigned integer nor text")
    if pos != len(data):
        raise MalformedCodeError("CBOR: trailing bytes after the map")
    return out


def _parse(text: str) -> _Parsed:
    prefix_kind = _KIND_BY_PREFIX.get(text[:4])
    if prefix_kind is None:
        raise MalformedCodeError("unknown prefix")
    raw = b45decode(text[4:])
    if len(raw) < 4 + SIGNATURE_SIZE or raw[0] != ENVELOPE_VERSION:
        raise MalformedCodeError("unknown envelope version or too short")
    kid_len = raw[1]
    if not 1 <= kid_len <= 32:
        raise MalformedCodeError("bad kid length")
    body_at = 4 + kid_len
    if body_at > len(raw):
        raise MalformedCodeError("truncated envelope")
    body_len = (raw[2 + kid_len] << 8) | raw[3 + kid_len]
    if not 1 <= body_len <= MAX_PAYLOAD or body_at + body_len + SIGNATURE_SIZE != len(raw):
        raise MalformedCodeError("envelope length does not add up")
    signed_end = body_at + body_len
    fields = decode_payload(raw[body_at:signed_end])
    if len(fields) not in (4, 5) or any(k not in (1, 2, 3, 4, 5) for k in fields):
        raise MalformedCodeError("payload fields: expected keys 1, 2, 4, 5 and 3 on health codes")
    kind_code, ref, issued, expires = (fields.get(k) for k in (1, 2, 4, 5))
    colour_code = fields.get(_KEY_COLOUR)
    if kind_code not in (1, 2, 3) or not isinstance(issued, int) or not isinstance(expires, int):
        raise MalformedCodeError("payload: bad kind or times")
    kind = CodeKind(kind_code)
    if ref is None or (isinstance(ref, str) and not 1 <= len(ref) <= MAX_REF_CHARS):
        raise MalformedCodeError("payload: bad ref")
    if kind is CodeKind.HEALTH:
        if colour_code not in _COLOUR_BY_CODE:
            raise MalformedCodeError("payload: health code without a valid colour")
        colour: Colour | None = _COLOUR_BY_CODE[colour_code]
    else:
        if colour_code is not None:
            raise MalformedCodeError("payload: a code other than a health code with a colour")
        colour = None
    if expires <= issued:
        raise MalformedCodeError("payload: expires before it is issued")
    payload = CodePayload(kind, ref, colour, issued, expires, raw[2 : body_at - 2].hex())
    return payload, raw[:signed_end], raw[signed_end:], prefix_kind


def decode(text: str) -> CodePayload:
    """The payload without checking the signature (for display); MalformedCodeError if unreadable."""
    if not isinstance(text, str):
        raise MalformedCodeError("not text")
    return _parse(text.strip())[0]


# --------------------------------------------------------------------------- verification


class VerdictStatus(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    KEY_RETIRED = "key_retired"  # signed after its key was retired
    MALFORMED = "malformed"
    WRONG_KIND = "wrong_kind"


_MESSAGES: Final[dict[VerdictStatus, tuple[str, str]]] = {
    VerdictStatus.VALID: ("验证通过", "Valid code"),
    VerdictStatus.EXPIRED: ("码已过期，请刷新", "The code has expired; ask for a fresh one"),
    VerdictStatus.NOT_YET_VALID: (
        "码尚未生效，请核对设备时间",
        "The code is not valid yet; check the device clock",
    ),
    VerdictStatus.BAD_SIGNATURE: ("签名无效，疑似伪造或篡改", "Bad signature: forged or altered code"),
    VerdictStatus.UNKNOWN_KEY: (
        "签发密钥未知，请更新公钥",
        "Unknown signing key; refresh the published keys",
    ),
    VerdictStatus.KEY_RETIRED: ("签发密钥已停用，码无效", "Signed with a key already retired: invalid"),
    VerdictStatus.MALFORMED: ("无法识别的码", "Unreadable code"),
    VerdictStatus.WRONG_KIND: ("码的类型不符", "Wrong kind of code"),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    status: VerdictStatus
    message_zh: str
    message_en: str
    payload: CodePayload | None  # whenever the text could be decoded
    detail: str = ""  # for logs: which check failed

    @property
    def ok(self) -> bool:
        return self.status is VerdictStatus.VALID


def _verdict(status: VerdictStatus, payload: CodePayload | None, detail: str = "") -> Verdict:
    zh, en = _MESSAGES[status]
    return Verdict(status, zh, en, payload, detail)


# Signature checks already made, by the exact text and the public key's raw bytes: the check is a pure
# function of those two, so a code seen again (a retried upload, a second checkpoint within the code's
# hour, a device asking the server twice) costs a dictionary lookup instead of an Ed25519 verification.
# Everything that depends on the clock or on the key's retirement is checked again on every call.
_SEEN: dict[str, tuple[_Parsed, bytes, bool]] = {}
SEEN_LIMIT: Final = 65_536  # about 40 MB at most; the oldest entry leaves first


def _signature_ok(public_raw: bytes, signature: bytes, signed: bytes) -> bool:
    # libsodium's Ed25519 (RFC 8032, with its canonical-encoding checks) verifies about twice as fast
    # as OpenSSL's on the CPUs we measured (bench/bench_codes.py prints both).
    try:
        crypto_sign_open(signature + signed, public_raw)
    except BadSignatureError:
        return False
    return True


def _checked(text: str, public_raw: bytes, parsed: _Parsed, hit: tuple[_Parsed, bytes, bool] | None) -> bool:
    """The signature check of ``text`` under ``public_raw``; ``hit`` is what _SEEN held for the text."""
    if hit is not None and hit[1] == public_raw:
        return hit[2]
    ok = _signature_ok(public_raw, parsed[2], parsed[1])
    if len(_SEEN) >= SEEN_LIMIT:
        with contextlib.suppress(StopIteration, KeyError, RuntimeError):  # another thread got there first
            del _SEEN[next(iter(_SEEN))]
    _SEEN[text] = (parsed, public_raw, ok)
    return ok


def forget_seen() -> None:
    """Drop the remembered signature checks (tests and benchmarks that measure the cold path)."""
    _SEEN.clear()


def verify(
    text: object,
    keys: Mapping[str, PublicKeyInfo],
    now: datetime | int,
    *,
    expected_kind: CodeKind | None = None,
    clock_skew_seconds: int = 300,
) -> Verdict:
    """Check a scanned code against published keys at ``now``; a verdict for any input, never an exception.

    Checks run in order: readable, known key, signature, key not retired before issue, kind,
    validity window (``clock_skew_seconds`` forgives a device clock that runs behind the issuer's).
    """
    now_s = _epoch(now)  # a programming error here should raise; the scanned text never does
    if not isinstance(text, str):
        return _verdict(VerdictStatus.MALFORMED, None, "not text")
    text = text.strip()
    hit = _SEEN.get(text)
    try:
        parsed = hit[0] if hit is not None else _parse(text)
    except MalformedCodeError as exc:
        return _verdict(VerdictStatus.MALFORMED, None, str(exc))
    except Exception as exc:  # the promise is a verdict for any input
        return _verdict(VerdictStatus.MALFORMED, None, f"unexpected: {type(exc).__name__}")
    payload, _, _, prefix_kind = parsed
    info = keys.get(payload.kid)
    if info is None:
        return _verdict(VerdictStatus.UNKNOWN_KEY, payload, payload.kid)
    if len(info.public_raw) != PUBLIC_KEY_SIZE:
        return _verdict(VerdictStatus.UNKNOWN_KEY, payload, "published key is not a valid Ed25519 key")
    if not _checked(text, info.public_raw, parsed, hit):
        return _verdict(VerdictStatus.BAD_SIGNATURE, payload)
    if info.retired_at is not None and info.retired_at <= payload.issued_at:
        return _verdict(VerdictStatus.KEY_RETIRED, payload)
    if payload.kind is not prefix_kind or (expected_kind is not None and payload.kind is not expected_kind):
        return _verdict(VerdictStatus.WRONG_KIND, payload)
    if now_s + clock_skew_seconds < payload.issued_at:
        return _verdict(VerdictStatus.NOT_YET_VALID, payload)
    if now_s >= payload.expires_at:
        return _verdict(VerdictStatus.EXPIRED, payload)
    return _verdict(VerdictStatus.VALID, payload)


__all__ = [
    "PREFIXES",
    "CodeKind",
    "CodePayload",
    "KeyPair",
    "MalformedCodeError",
    "PublicKeyInfo",
    "SigningKey",
    "Verdict",
    "VerdictStatus",
    "b45decode",
    "b45encode",
    "decode",
    "decode_payload",
    "forget_seen",
    "generate_keypair",
    "kid_for",
    "sign_code",
    "verify",
]

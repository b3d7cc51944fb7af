"""Verification of EU Digital COVID Certificates (hcert 1.x): QR text to a verdict, never an exception.

Chain (eHealth Network, "Electronic Health Certificate Specification", v1.0.5)::

    "HC1:" + Base45( zlib( COSE_Sign1( CWT claims ) ) )

- Base45 is RFC 9285 (the project's strict decoder, ``core.signing.b45decode``).
- zlib is mandatory; the inflated size is capped (``MAX_COSE_BYTES``) so a small QR cannot expand
  into a zip bomb.
- COSE_Sign1 (RFC 8152 §4.2) is a 4-array ``[protected bstr, unprotected map, payload bstr,
  signature bstr]``, optionally tagged 18 and/or wrapped in the CWT tag 61. The key id (label 4) is
  taken from the protected header when present there, else from the unprotected one — so a wrong
  protected kid is never rescued by a right unprotected one. The algorithm (label 1) is ES256 (-7,
  raw ``r || s``) or PS256 (-37, RSASSA-PSS, SHA-256, MGF1-SHA-256, salt = 32 bytes as RFC 8230 §2
  requires). The signed bytes are ``Sig_structure = ["Signature1", protected, b"", payload]``.
- CWT claims (RFC 8392): 1 issuer (country), 4 expiry, 6 issued-at (epoch seconds), -260 hcert
  whose key 1 holds the DCC (schema 1.3: exactly one of ``v`` / ``t`` / ``r``, with one entry).
- A document signer (DSC) is trusted through a trust list of X.509 certificates with their key id
  (first 8 bytes of SHA-256 of the DER certificate) and country. Its extended key usage may narrow
  the certificate types it may sign (OIDs ``1.3.6.1.4.1.1847.2021.1.{1,2,3}`` test / vaccination /
  recovery, and the early ``1.3.6.1.4.1.0.1847.2021.1.*`` form); a DSC with none of them signs all
  three. Its validity dates must cover the moment the certificate was issued.

All cryptography is OpenSSL's through ``cryptography``; CBOR is ``cbor2``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from core.signing import MalformedCodeError, b45decode, b45encode

PREFIX: Final = "HC1:"
MAX_TEXT_CHARS: Final = 8192  # a version-40 QR holds 4,296 alphanumeric characters
MAX_COSE_BYTES: Final = 65536
KID_BYTES: Final = 8
ALG_ES256: Final = -7
ALG_PS256: Final = -37
_COSE_SIGN1_TAG: Final = 18
_CWT_TAG: Final = 61
_HEADER_ALG, _HEADER_KID = 1, 4
_CLAIM_ISS, _CLAIM_EXP, _CLAIM_IAT, _CLAIM_HCERT = 1, 4, 6, -260
_ES256_SIGNATURE_BYTES: Final = 64
_PSS_SALT_BYTES: Final = 32
# Concrete classes (cbor2 gives frozendicts and tuples inside tags): isinstance on them is several
# times faster than on the Mapping ABC, and verification must cost little more than the signature.
_MAPS: Final = (dict, cbor2.frozendict)
_ARRAYS: Final = (list, tuple)
_ECDSA_SHA256: Final = ec.ECDSA(hashes.SHA256())
_PSS: Final = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=_PSS_SALT_BYTES)


class Verdict(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    WRONG_KEY_USAGE = "wrong_key_usage"
    MALFORMED = "malformed"


class CertType(enum.StrEnum):
    VACCINATION = "v"
    TEST = "t"
    RECOVERY = "r"


# Extended key usage OIDs of a document signer, by the certificate type they allow.
_EKU_TYPES: Final[dict[str, CertType]] = {
    "1.3.6.1.4.1.1847.2021.1.1": CertType.TEST,
    "1.3.6.1.4.1.1847.2021.1.2": CertType.VACCINATION,
    "1.3.6.1.4.1.1847.2021.1.3": CertType.RECOVERY,
    "1.3.6.1.4.1.0.1847.2021.1.1": CertType.TEST,
    "1.3.6.1.4.1.0.1847.2021.1.2": CertType.VACCINATION,
    "1.3.6.1.4.1.0.1847.2021.1.3": CertType.RECOVERY,
}

# Fields each entry must carry (DCC schema 1.3 ``required``), and which of them are text.
_REQUIRED: Final[dict[CertType, tuple[str, ...]]] = {
    CertType.VACCINATION: ("tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is", "ci"),
    CertType.TEST: ("tg", "tt", "sc", "tr", "co", "is", "ci"),
    CertType.RECOVERY: ("tg", "fr", "co", "is", "df", "du", "ci"),
}
_INTEGER_FIELDS: Final = frozenset({"dn", "sd"})


class DccError(ValueError):
    """One step of the chain failed; ``reason`` is a stable code (see ``REASONS``)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# Every reason code a result can carry, with its verdict; the app translates them.
REASONS: Final[dict[str, Verdict]] = {
    "ok": Verdict.VALID,
    "prefix": Verdict.MALFORMED,
    "base45": Verdict.MALFORMED,
    "zlib": Verdict.MALFORMED,
    "cbor": Verdict.MALFORMED,
    "cose": Verdict.MALFORMED,
    "claims": Verdict.MALFORMED,
    "hcert": Verdict.MALFORMED,
    "kid_missing": Verdict.UNKNOWN_KEY,
    "kid_unknown": Verdict.UNKNOWN_KEY,
    "algorithm": Verdict.BAD_SIGNATURE,
    "signature": Verdict.BAD_SIGNATURE,
    "key_usage": Verdict.WRONG_KEY_USAGE,
    "signer_not_valid": Verdict.WRONG_KEY_USAGE,
    "not_yet_valid": Verdict.NOT_YET_VALID,
    "expired": Verdict.EXPIRED,
}


# --------------------------------------------------------------------------- trust list


@dataclass(frozen=True, slots=True)
class Signer:
    """A trusted document signer: its key, country, validity and the certificate types it may sign."""

    kid: bytes
    country: str
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey
    not_before: datetime
    not_after: datetime
    allowed_types: frozenset[CertType]  # empty: every type
    subject: str = ""

    @property
    def kid_b64(self) -> str:
        return base64.b64encode(self.kid).decode("ascii")


def kid_of(der: bytes) -> bytes:
    """The DCC key id of a DER certificate: the first 8 bytes of its SHA-256."""
    return hashlib.sha256(der).digest()[:KID_BYTES]


def signer_from_der(der: bytes, *, country: str = "", kid: bytes | None = None) -> Signer:
    """Parse a document-signer certificate; ``DccError("trust_entry")`` when it is unusable."""
    try:
        cert = x509.load_der_x509_certificate(der)
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm, TypeError) as error:
        raise DccError("trust_entry", f"not an X.509 DER certificate ({error})") from None
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise DccError("trust_entry", f"unsupported curve {key.curve.name}")
    elif not isinstance(key, rsa.RSAPublicKey):
        raise DccError("trust_entry", "neither an EC P-256 nor an RSA key")
    expected = kid_of(der)
    if kid is not None and kid != expected:
        raise DccError("trust_entry", "kid does not match the certificate")
    allowed: set[CertType] = set()
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        allowed = {_EKU_TYPES[oid.dotted_string] for oid in eku if oid.dotted_string in _EKU_TYPES}
    except x509.ExtensionNotFound:
        pass
    except ValueError:
        # An extension list that does not parse (seen: an empty EKU sequence) names no DCC
        # type, and a signer that names none may sign every type (hcert §5.1.1).
        allowed = set()
    return Signer(
        kid=expected,
        country=country.upper()[:2],
        public_key=key,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        allowed_types=frozenset(allowed),
        subject=cert.subject.rfc4514_string()[:200],
    )


@dataclass(frozen=True, slots=True)
class TrustEntryError:
    index: int  # 1-based position in the document
    reason: str


@dataclass(slots=True)
class TrustList:
    """Document signers by key id."""

    signers: dict[bytes, Signer] = field(default_factory=dict)

    def add(self, signer: Signer) -> None:
        self.signers[signer.kid] = signer

    def get(self, kid: bytes) -> Signer | None:
        return self.signers.get(kid)

    def __len__(self) -> int:
        return len(self.signers)


def parse_trust_list(document: bytes | str) -> tuple[list[Signer], list[TrustEntryError]]:
    """Read the EU gateway's trust-list JSON: a list (or ``{"certificates": [...]}``) of entries
    ``{"kid": base64, "country": "DE", "rawData": base64 DER}`` (``certificateType`` other than
    ``DSC`` is skipped). Bad entries are reported with their position, good ones kept."""
    try:
        data = json.loads(document)
    except (ValueError, TypeError, RecursionError):
        return [], [TrustEntryError(0, "not JSON")]
    if isinstance(data, dict):
        data = data.get("certificates")
    if not isinstance(data, list):
        return [], [TrustEntryError(0, "expected a list of certificates")]
    signers: list[Signer] = []
    errors: list[TrustEntryError] = []
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            errors.append(TrustEntryError(index, "entry is not an object"))
            continue
        if str(entry.get("certificateType", "DSC")).upper() != "DSC":
            continue
        try:
            der = base64.b64decode(str(entry.get("rawData", "")), validate=True)
            kid_text = entry.get("kid")
            kid = base64.b64decode(str(kid_text), validate=True) if kid_text else None
        except (binascii.Error, ValueError):
            errors.append(TrustEntryError(index, "rawData or kid is not base64"))
            continue
        country = str(entry.get("country", ""))
        if len(country) != 2 or not country.isalpha():
            errors.append(TrustEntryError(index, "country must be two letters"))
            continue
        try:
            signers.append(signer_from_der(der, country=country, kid=kid))
        except DccError as error:
            errors.append(TrustEntryError(index, error.detail))
    return signers, errors


# --------------------------------------------------------------------------- decoding


@dataclass(frozen=True, slots=True)
class CoseSign1:
    protected: Mapping[Any, Any]
    unprotected: Mapping[Any, Any]
    protected_bytes: bytes
    payload: bytes
    signature: bytes

    @property
    def kid(self) -> bytes | None:
        for header in (self.protected, self.unprotected):
            if _HEADER_KID in header:
                value = header[_HEADER_KID]
                return value if isinstance(value, bytes) else None
        return None

    @property
    def alg(self) -> object:
        if _HEADER_ALG in self.protected:
            return self.protected[_HEADER_ALG]
        return self.unprotected.get(_HEADER_ALG)

    def signed_bytes(self) -> bytes:
        return cbor2.dumps(["Signature1", self.protected_bytes, b"", self.payload])


def unprefix(text: str) -> str:
    """The Base45 part of the QR text; ``DccError("prefix")`` without the ``HC1:`` context."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        raise DccError("prefix", "the text does not start with HC1:")
    if len(text) > MAX_TEXT_CHARS:
        raise DccError("prefix", "the text is too long for a QR code")
    return text[len(PREFIX) :]


def base45_decode(body: str) -> bytes:
    try:
        return b45decode(body)
    except MalformedCodeError as error:
        raise DccError("base45", str(error)) from None


def inflate(data: bytes) -> bytes:
    """zlib-inflate at most ``MAX_COSE_BYTES``; the stream must be complete and nothing may follow."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_COSE_BYTES)
        if inflater.unconsumed_tail:
            raise DccError("zlib", "inflates beyond the size limit")
        out += inflater.flush()
    except zlib.error as error:
        raise DccError("zlib", str(error)) from None
    if not inflater.eof or inflater.unused_data:
        raise DccError("zlib", "truncated or trailing data")
    return out


def _loads(data: bytes, reason: str) -> Any:
    try:
        return cbor2.loads(data)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as error:
        raise DccError(reason, f"CBOR: {error}") from None


def decode_cose(data: bytes) -> CoseSign1:
    obj = _loads(data, "cose")
    for tag in (_CWT_TAG, _COSE_SIGN1_TAG):
        if isinstance(obj, cbor2.CBORTag) and obj.tag == tag:
            obj = obj.value
    if not (isinstance(obj, _ARRAYS) and len(obj) == 4):
        raise DccError("cose", "not a COSE_Sign1 array")
    protected_bytes, unprotected, payload, signature = obj
    if not (
        isinstance(protected_bytes, bytes)
        and isinstance(unprotected, _MAPS)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise DccError("cose", "COSE_Sign1 members have the wrong types")
    protected = _loads(protected_bytes, "cose") if protected_bytes else {}
    if not isinstance(protected, _MAPS):
        raise DccError("cose", "protected header is not a map")
    return CoseSign1(protected, unprotected, protected_bytes, payload, signature)


def decode_text(text: str) -> bytes:
    """QR text to the COSE bytes (prefix, Base45, zlib)."""
    return inflate(base45_decode(unprefix(text)))


@dataclass(frozen=True, slots=True)
class Claims:
    issuer: str
    issued_at: datetime
    expires_at: datetime
    hcert: Mapping[str, Any]
    cert_type: CertType


def _epoch(value: object, name: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DccError("claims", f"{name} is not a number")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise DccError("claims", f"{name} is out of range") from None


def certificate_type(hcert: object) -> CertType:
    """The type of a DCC payload after the schema's structural rules (one group, one entry)."""
    if not isinstance(hcert, _MAPS):
        raise DccError("hcert", "not a map")
    for key in ("ver", "dob"):
        if not isinstance(hcert.get(key), str):
            raise DccError("hcert", f"{key} missing or not text")
    name = hcert.get("nam")
    if not isinstance(name, _MAPS) or not (
        isinstance(name.get("fnt"), str) or isinstance(name.get("gnt"), str)
    ):
        raise DccError("hcert", "nam needs a standardised surname or forename")
    groups = [kind for kind in CertType if kind.value in hcert]
    if len(groups) != 1:
        raise DccError("hcert", "exactly one of v, t, r is required")
    kind = groups[0]
    entries = hcert[kind.value]
    if not isinstance(entries, _ARRAYS) or len(entries) != 1 or not isinstance(entries[0], _MAPS):
        raise DccError("hcert", f"{kind.value} must hold exactly one entry")
    entry = entries[0]
    for key in _REQUIRED[kind]:
        value = entry.get(key)
        expected = int if key in _INTEGER_FIELDS else str
        if type(value) is not expected:
            raise DccError("hcert", f"{kind.value}.{key} missing or of the wrong type")
    return kind


def decode_claims(payload: bytes) -> Claims:
    claims = _loads(payload, "claims")
    if not isinstance(claims, _MAPS):
        raise DccError("claims", "CWT claims are not a map")
    issuer = claims.get(_CLAIM_ISS, "")
    if not isinstance(issuer, str):
        raise DccError("claims", "issuer is not text")
    issued_at = _epoch(claims.get(_CLAIM_IAT), "issued-at")
    expires_at = _epoch(claims.get(_CLAIM_EXP), "expiry")
    container = claims.get(_CLAIM_HCERT)
    if not isinstance(container, _MAPS) or 1 not in container:
        raise DccError("claims", "no health certificate (claim -260/1)")
    hcert = container[1]
    return Claims(issuer, issued_at, expires_at, hcert, certificate_type(hcert))


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class DccResult:
    verdict: Verdict
    reason: str
    detail: str = ""
    kid: bytes | None = None
    signer: Signer | None = None
    signature_valid: bool = False
    claims: Claims | None = None

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID


def _fail(error: DccError, **known: Any) -> DccResult:
    return DccResult(REASONS.get(error.reason, Verdict.MALFORMED), error.reason, error.detail, **known)


def check_signature(cose: CoseSign1, signer: Signer) -> None:
    """``DccError("algorithm" | "signature")`` unless the signature verifies with this signer."""
    alg, key, signature = cose.alg, signer.public_key, cose.signature
    try:
        if alg == ALG_ES256 and isinstance(key, ec.EllipticCurvePublicKey):
            if len(signature) != _ES256_SIGNATURE_BYTES:
                raise DccError("signature", "an ES256 signature has 64 bytes")
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            key.verify(der, cose.signed_bytes(), _ECDSA_SHA256)
        elif alg == ALG_PS256 and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, cose.signed_bytes(), _PSS, hashes.SHA256())
        elif alg in (ALG_ES256, ALG_PS256):
            raise DccError("algorithm", "the algorithm does not match the signer's key")
        else:
            raise DccError("algorithm", f"unsupported algorithm {alg!r}")
    except DccError:
        raise
    except InvalidSignature:
        raise DccError("signature", "the signature does not verify") from None
    except (ValueError, TypeError) as error:  # e.g. an RSA signature of the wrong length
        raise DccError("signature", str(error)) from None


def verify_cose(data: bytes, trust: TrustList, *, now: datetime) -> DccResult:
    """Verify COSE bytes: key, signature, claims, key usage, then dates (in this order)."""
    try:
        cose = decode_cose(data)
    except DccError as error:
        return _fail(error)
    kid = cose.kid
    if kid is None:
        return _fail(DccError("kid_missing", "no key id in either header"))
    signer = trust.get(kid)
    if signer is None:
        return _fail(DccError("kid_unknown", base64.b64encode(kid).decode()), kid=kid)
    try:
        check_signature(cose, signer)
    except DccError as error:
        return _fail(error, kid=kid, signer=signer)
    known: dict[str, Any] = {"kid": kid, "signer": signer, "signature_valid": True}
    try:
        claims = decode_claims(cose.payload)
    except DccError as error:
        return _fail(error, **known)
    known["claims"] = claims
    if signer.allowed_types and claims.cert_type not in signer.allowed_types:
        return _fail(DccError("key_usage", f"signer may not sign type {claims.cert_type}"), **known)
    if not signer.not_before <= claims.issued_at <= signer.not_after:
        return _fail(DccError("signer_not_valid", "issued outside the signer's validity"), **known)
    if now < claims.issued_at:
        return _fail(DccError("not_yet_valid", claims.issued_at.isoformat()), **known)
    if now > claims.expires_at:
        return _fail(DccError("expired", claims.expires_at.isoformat()), **known)
    return DccResult(Verdict.VALID, "ok", "", **known)


def verify(text: str, trust: TrustList, *, now: datetime) -> DccResult:
    """Verify a QR text ``HC1:…`` against the trust list at ``now`` (aware). Never raises."""
    try:
        data = decode_text(text)
    except DccError as error:
        return _fail(error)
    except Exception as error:  # noqa: BLE001 - last resort: a verdict, never a crash
        return _fail(DccError("cose", type(error).__name__))
    try:
        return verify_cose(data, trust, now=now)
    except Exception as error:  # noqa: BLE001 - last resort: a verdict, never a crash
        return _fail(DccError("cose", type(error).__name__))


def trust_list_of(signers: Iterable[Signer]) -> TrustList:
    trust = TrustList()
    for signer in signers:
        trust.add(signer)
    return trust


# --------------------------------------------------------------------------- issuing (demo and tests)


def make_signer(
    *,
    country: str,
    not_before: datetime,
    not_after: datetime,
    types: Iterable[CertType] = (),
    rsa_bits: int = 0,
    common_name: str = "Tongchou demo DSC",
) -> tuple[bytes, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey]:
    """A self-signed document-signer certificate (DER) and its private key: P-256 unless
    ``rsa_bits``; ``types`` become the extended key usage (none: every type)."""
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
        if rsa_bits
        else ec.generate_private_key(ec.SECP256R1())
    )
    name = x509.Name(
        [
            x509.NameAttribute(x509.oid.NameOID.COUNTRY_NAME, country.upper()),
            x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, common_name),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    oids = {kind: oid for oid, kind in _EKU_TYPES.items() if ".0.1847." not in oid}
    wanted = [x509.ObjectIdentifier(oids[kind]) for kind in types]
    if wanted:
        builder = builder.add_extension(x509.ExtendedKeyUsage(wanted), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.DER), key


def issue(
    hcert: Mapping[str, Any],
    *,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    kid: bytes,
    issuer: str,
    issued_at: datetime,
    expires_at: datetime,
    kid_in_protected: bool = True,
) -> str:
    """Sign a DCC payload into its QR text (``HC1:…``); ES256 for EC keys, PS256 for RSA."""
    alg = ALG_ES256 if isinstance(key, ec.EllipticCurvePrivateKey) else ALG_PS256
    protected_map: dict[int, Any] = {_HEADER_ALG: alg}
    unprotected: dict[int, Any] = {}
    (protected_map if kid_in_protected else unprotected)[_HEADER_KID] = kid
    protected = cbor2.dumps(protected_map)
    payload = cbor2.dumps(
        {
            _CLAIM_ISS: issuer,
            _CLAIM_IAT: int(issued_at.timestamp()),
            _CLAIM_EXP: int(expires_at.timestamp()),
            _CLAIM_HCERT: {1: dict(hcert)},
        }
    )
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.sign(to_sign, _PSS, hashes.SHA256())
    cose = cbor2.dumps(cbor2.CBORTag(_COSE_SIGN1_TAG, [protected, unprotected, payload, signature]))
    return PREFIX + b45encode(zlib.compress(cose, 9))

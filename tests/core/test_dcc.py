"""EU DCC verifier: each verdict from certificates signed here, trust-list parsing, and garbage."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime, timedelta

import base45
import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import dcc
from core.signing import b45encode

T0 = datetime(2020, 3, 10, 8, 0, tzinfo=UTC)
VACCINATION = {
    "ver": "1.3.0",
    "nam": {"fn": "Muster", "fnt": "MUSTER", "gn": "Erika", "gnt": "ERIKA"},
    "dob": "1964-08-12",
    "v": [
        {
            "tg": "840539006",
            "vp": "1119349007",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2020-02-01",
            "co": "DE",
            "is": "Robert Koch-Institut",
            "ci": "URN:UVCI:01DE/X/1#1",
        }
    ],
}
TEST = {
    **{key: VACCINATION[key] for key in ("ver", "nam", "dob")},
    "t": [
        {
            "tg": "840539006",
            "tt": "LP6464-4",
            "sc": "2020-03-09T08:00:00Z",
            "tr": "260415000",
            "co": "DE",
            "is": "RKI",
            "ci": "URN:UVCI:01DE/X/2#2",
        }
    ],
}


@pytest.fixture(scope="module")
def ec_signer() -> tuple[dcc.Signer, object]:
    der, key = dcc.make_signer(
        country="DE", not_before=T0 - timedelta(days=30), not_after=T0 + timedelta(days=365)
    )
    return dcc.signer_from_der(der, country="DE"), key


@pytest.fixture(scope="module")
def rsa_signer() -> tuple[dcc.Signer, object]:
    der, key = dcc.make_signer(
        country="FR",
        not_before=T0 - timedelta(days=30),
        not_after=T0 + timedelta(days=365),
        rsa_bits=2048,
        types=[dcc.CertType.TEST],
    )
    return dcc.signer_from_der(der, country="FR"), key


def _issue(signer, key, hcert=VACCINATION, **kw) -> str:
    kw.setdefault("issued_at", T0)
    kw.setdefault("expires_at", T0 + timedelta(days=180))
    return dcc.issue(hcert, key=key, kid=signer.kid, issuer=signer.country, **kw)


def test_it_accepts_an_es256_certificate_and_reads_its_content(ec_signer) -> None:
    signer, key = ec_signer
    result = dcc.verify(_issue(signer, key), dcc.trust_list_of([signer]), now=T0 + timedelta(days=1))
    assert result.verdict is dcc.Verdict.VALID
    assert result.claims is not None and result.claims.cert_type is dcc.CertType.VACCINATION
    assert result.claims.hcert["nam"]["fnt"] == "MUSTER"
    assert result.signer == signer and result.claims.issuer == "DE"


def test_it_accepts_ps256_and_a_kid_in_the_unprotected_header(rsa_signer) -> None:
    signer, key = rsa_signer
    text = _issue(signer, key, TEST, kid_in_protected=False)
    assert dcc.verify(text, dcc.trust_list_of([signer]), now=T0).verdict is dcc.Verdict.VALID


def test_it_refuses_a_type_outside_the_signers_key_usage(rsa_signer) -> None:
    signer, key = rsa_signer  # may sign tests only
    result = dcc.verify(_issue(signer, key, VACCINATION), dcc.trust_list_of([signer]), now=T0)
    assert result.verdict is dcc.Verdict.WRONG_KEY_USAGE and result.signature_valid


def test_it_tells_expired_from_not_yet_valid(ec_signer) -> None:
    signer, key = ec_signer
    trust = dcc.trust_list_of([signer])
    text = _issue(signer, key, expires_at=T0 + timedelta(days=2))
    assert dcc.verify(text, trust, now=T0 - timedelta(seconds=1)).verdict is dcc.Verdict.NOT_YET_VALID
    assert dcc.verify(text, trust, now=T0 + timedelta(days=2)).verdict is dcc.Verdict.VALID
    assert dcc.verify(text, trust, now=T0 + timedelta(days=3)).verdict is dcc.Verdict.EXPIRED


def test_it_refuses_a_certificate_issued_outside_the_signers_validity(ec_signer) -> None:
    signer, key = ec_signer
    late = T0 + timedelta(days=400)
    text = _issue(signer, key, issued_at=late, expires_at=late + timedelta(days=1))
    result = dcc.verify(text, dcc.trust_list_of([signer]), now=late)
    assert result.reason == "signer_not_valid" and not result.valid


def test_a_changed_payload_breaks_the_signature(ec_signer) -> None:
    signer, key = ec_signer
    cose = cbor2.loads(dcc.decode_text(_issue(signer, key)))
    protected, unprotected, payload, signature = cose.value
    forged = payload.replace(b"MUSTER", b"FORGED")
    data = cbor2.dumps(cbor2.CBORTag(18, [protected, dict(unprotected), forged, signature]))
    text = dcc.PREFIX + b45encode(zlib.compress(data))
    result = dcc.verify(text, dcc.trust_list_of([signer]), now=T0)
    assert result.verdict is dcc.Verdict.BAD_SIGNATURE and not result.signature_valid


def test_an_unknown_kid_and_an_algorithm_that_does_not_fit_the_key(ec_signer, rsa_signer) -> None:
    ec, ec_key = ec_signer
    rsa, _ = rsa_signer
    text = _issue(ec, ec_key)
    assert dcc.verify(text, dcc.trust_list_of([rsa]), now=T0).verdict is dcc.Verdict.UNKNOWN_KEY
    # The RSA signer listed under the EC signer's kid: ES256 with an RSA key is refused.
    impostor = dcc.Signer(ec.kid, "FR", rsa.public_key, rsa.not_before, rsa.not_after, frozenset())
    result = dcc.verify(text, dcc.trust_list_of([impostor]), now=T0)
    assert result.verdict is dcc.Verdict.BAD_SIGNATURE and result.reason == "algorithm"


def test_it_refuses_a_certificate_with_two_groups(ec_signer) -> None:
    signer, key = ec_signer
    both = {**VACCINATION, "t": TEST["t"]}
    result = dcc.verify(_issue(signer, key, both), dcc.trust_list_of([signer]), now=T0)
    assert result.verdict is dcc.Verdict.MALFORMED and result.reason == "hcert"


def test_the_trust_list_keeps_good_entries_and_names_bad_ones(ec_signer) -> None:
    der, _ = dcc.make_signer(country="AT", not_before=T0, not_after=T0 + timedelta(days=1))
    good = {
        "kid": base64.b64encode(dcc.kid_of(der)).decode(),
        "country": "AT",
        "rawData": base64.b64encode(der).decode(),
    }
    document = json.dumps(
        [
            good,
            {**good, "kid": base64.b64encode(b"12345678").decode()},  # kid of another certificate
            {**good, "rawData": "not base64!"},
            {**good, "country": "Austria"},
            {**good, "rawData": base64.b64encode(b"junk").decode()},
            {**good, "certificateType": "CSCA"},  # a root, not a document signer: skipped
            "a string",
        ]
    )
    signers, errors = dcc.parse_trust_list(document)
    assert [s.kid for s in signers] == [dcc.kid_of(der)] and signers[0].country == "AT"
    assert [e.index for e in errors] == [2, 3, 4, 5, 7]
    assert dcc.parse_trust_list("{")[1][0].reason == "not JSON"
    assert dcc.parse_trust_list(json.dumps({"certificates": [good]}))[0][0].kid == dcc.kid_of(der)


@given(st.binary(max_size=300))
def test_the_projects_base45_agrees_with_the_pypi_package(data: bytes) -> None:
    text = base45.b45encode(data).decode()
    assert b45encode(data) == text
    assert dcc.base45_decode(text) == data


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(max_size=400)
    | st.builds(
        lambda s: "HC1:" + s, st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=400)
    )
)
def test_garbage_text_is_a_verdict_never_a_crash(text: str) -> None:
    result = dcc.verify(text, dcc.TrustList(), now=T0)
    assert result.verdict is not dcc.Verdict.VALID and result.reason in dcc.REASONS


def _cbor_values() -> st.SearchStrategy[object]:
    leaves = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.binary(max_size=20)
        | st.text(max_size=10)
        | st.floats()
    )
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=5)
            | st.dictionaries(st.integers(-300, 10) | st.text(max_size=3), inner, max_size=5)
        ),
        max_leaves=20,
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_cose_structures_and_mutations_never_crash(ec_signer, data) -> None:
    signer, key = ec_signer
    trust = dcc.trust_list_of([signer])
    cose = dcc.decode_text(_issue(signer, key))
    if data.draw(st.booleans()):
        # Flip bytes of a real certificate.
        raw = bytearray(cose)
        for _ in range(data.draw(st.integers(1, 5))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
        candidate = bytes(raw)
    else:
        # A COSE_Sign1-shaped structure with random members, with our kid so it reaches the checks.
        protected = cbor2.dumps({1: data.draw(st.sampled_from([-7, -37, 0, "x"])), 4: signer.kid})
        payload = cbor2.dumps(data.draw(_cbor_values()))
        members = [protected, data.draw(_cbor_values()), payload, data.draw(st.binary(max_size=300))]
        candidate = cbor2.dumps(cbor2.CBORTag(18, members))
    text = dcc.PREFIX + b45encode(zlib.compress(candidate))
    result = dcc.verify(text, trust, now=T0)
    assert result.reason in dcc.REASONS
    if candidate != cose:
        assert result.verdict is not dcc.Verdict.VALID or result.signature_valid


def test_a_zip_bomb_is_refused() -> None:
    bomb = zlib.compress(b"\0" * (dcc.MAX_COSE_BYTES * 4))
    result = dcc.verify(dcc.PREFIX + b45encode(bomb), dcc.TrustList(), now=T0)
    assert result.verdict is dcc.Verdict.MALFORMED and result.reason == "zlib"

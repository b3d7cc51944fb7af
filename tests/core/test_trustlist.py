"""Signed trust lists: a neighbouring city's codes verify offline with its published keys, and stop when retired."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import signing, trustlist
from core.coderules import Colour

NOW = 1_583_800_000  # 2020-03-10


@pytest.fixture(scope="module")
def neighbour() -> dict:
    root = Ed25519PrivateKey.generate()
    pair = signing.generate_keypair()
    doc = trustlist.sign(
        root=root,
        issuer_area="330100",
        issuer_name="邻市",
        keys=[{"kid": pair.kid, "x": trustlist.b64url(pair.public_raw), "retired_at_epoch": None}],
        issued_at=NOW - 60,
        valid_until=NOW + 86400 * 30,
    )
    return {"root": root, "pair": pair, "doc": doc, "root_kid": doc["issuer"]["root_kid"]}


def _keys(verified: trustlist.VerifiedList) -> dict[str, signing.PublicKeyInfo]:
    return {k.kid: signing.PublicKeyInfo(k.public_raw, k.retired_at_epoch) for k in verified.keys}


def _code(pair: signing.KeyPair, issued: int = NOW - 10) -> str:
    key = signing.SigningKey.load(pair.private_pem)
    return signing.sign_code(
        key,
        kind=signing.CodeKind.HEALTH,
        ref="n-1",
        issued_at=issued,
        expires_at=issued + 86400,
        colour=Colour.GREEN,
    )


def test_a_neighbours_code_verifies_offline_with_its_imported_keys(neighbour: dict) -> None:
    verified = trustlist.verify(neighbour["doc"], pinned_root=None, pinned_kid=neighbour["root_kid"], now=NOW)
    assert verified.issuer_area == "330100" and len(verified.keys) == 1
    verdict = signing.verify(_code(neighbour["pair"]), _keys(verified), NOW)
    assert verdict.status is signing.VerdictStatus.VALID
    # Without the list, the same code is an unknown key.
    assert signing.verify(_code(neighbour["pair"]), {}, NOW).status is signing.VerdictStatus.UNKNOWN_KEY


def test_a_retired_key_stops_verifying_codes_issued_after_retirement(neighbour: dict) -> None:
    pair = neighbour["pair"]
    doc = trustlist.sign(
        root=neighbour["root"],
        issuer_area="330100",
        issuer_name="邻市",
        keys=[{"kid": pair.kid, "x": trustlist.b64url(pair.public_raw), "retired_at_epoch": NOW - 5}],
        issued_at=NOW,
        valid_until=NOW + 100,
    )
    keys = _keys(
        trustlist.verify(
            doc, pinned_root=trustlist.unb64url(doc["issuer"]["root_x"]), pinned_kid=None, now=NOW
        )
    )
    assert signing.verify(_code(pair, NOW - 10), keys, NOW).status is signing.VerdictStatus.VALID
    assert signing.verify(_code(pair, NOW - 2), keys, NOW).status is signing.VerdictStatus.KEY_RETIRED


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d["keys"][0].update(kid="forged"), "bad_signature"),
        (lambda d: d.update(valid_until=d["valid_until"] + 1), "bad_signature"),
        (lambda d: d.update(signature="AAAA"), "bad_signature"),
        (lambda d: d.update(format="other"), "malformed"),
        (lambda d: d["issuer"].update(root_x=trustlist.b64url(b"x" * 32)), "root_mismatch"),
        (lambda d: d.update(keys="none"), "bad_signature"),
    ],
)
def test_a_changed_document_is_refused(neighbour: dict, change, code: str) -> None:
    doc = copy.deepcopy(neighbour["doc"])
    change(doc)
    with pytest.raises(trustlist.TrustListError) as refused:
        trustlist.verify(doc, pinned_root=None, pinned_kid=neighbour["root_kid"], now=NOW)
    assert refused.value.code == code


def test_the_root_must_be_the_pinned_one_and_the_list_still_valid(neighbour: dict) -> None:
    doc = neighbour["doc"]
    with pytest.raises(trustlist.TrustListError, match="root_mismatch"):
        trustlist.verify(doc, pinned_root=None, pinned_kid="0000000000000000", now=NOW)
    with pytest.raises(trustlist.TrustListError, match="root_mismatch"):
        trustlist.verify(doc, pinned_root=b"y" * 32, pinned_kid=None, now=NOW)
    with pytest.raises(trustlist.TrustListError, match="expired"):
        trustlist.verify(doc, pinned_root=None, pinned_kid=neighbour["root_kid"], now=doc["valid_until"])


@pytest.mark.parametrize(
    "garbage",
    [None, [], "x", {"format": trustlist.FORMAT}, {"format": trustlist.FORMAT, "issuer": {"root_x": 5}}],
)
def test_garbage_is_refused_not_crashed(garbage: object) -> None:
    with pytest.raises(trustlist.TrustListError):
        trustlist.verify(garbage, pinned_root=None, pinned_kid="k", now=NOW)

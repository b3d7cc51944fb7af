"""Trust lists between cities through the services: publish, import with a pinned root, verify, retire, revoke."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from apps.arrivals import trust
from apps.common.errors import ServiceError, ValidationFailed
from core import signing, trustlist
from core.coderules import Colour

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2020, 3, 10, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("commander", "990100")


def _neighbour(root: Ed25519PrivateKey, pairs: list[signing.KeyPair], retired: int | None = None) -> bytes:
    keys = [{"kid": p.kid, "x": trustlist.b64url(p.public_raw), "retired_at_epoch": retired} for p in pairs]
    now = int(NOW.timestamp())
    return json.dumps(
        trustlist.sign(
            root=root,
            issuer_area="330100",
            issuer_name="邻市",
            keys=keys,
            issued_at=now,
            valid_until=now + 86400 * 30,
        )
    ).encode()


def _code(pair: signing.KeyPair, issued: dt.datetime = NOW) -> str:
    key = signing.SigningKey.load(pair.private_pem)
    return signing.sign_code(
        key,
        kind=signing.CodeKind.HEALTH,
        ref="x",
        issued_at=issued,
        expires_at=issued + dt.timedelta(days=1),
        colour=Colour.GREEN,
    )


def _status(text: str) -> signing.VerdictStatus:
    return signing.verify(text, trust.code_keys(now=NOW), NOW + dt.timedelta(minutes=1)).status


def test_an_imported_neighbour_verifies_then_stops_when_retired(admin: Any) -> None:
    root, pair = Ed25519PrivateKey.generate(), signing.generate_keypair()
    code = _code(pair)
    assert _status(code) is signing.VerdictStatus.UNKNOWN_KEY
    fingerprint = signing.kid_for(trustlist.root_public_raw(root))
    imported = trust.trust_list_import(
        actor=admin, data=_neighbour(root, [pair]), root_fingerprint=fingerprint, now=NOW
    )
    assert imported.issuer_name == "邻市" and _status(code) is signing.VerdictStatus.VALID
    kids = [k["kid"] for k in trust.code_keys_document(now=NOW)["keys"]]
    assert pair.kid in kids  # the checkpoint page's verifier caches this document
    trust.trust_list_retire(actor=admin, trust_list=imported, now=NOW)
    assert _status(code) is signing.VerdictStatus.UNKNOWN_KEY


def test_a_revoked_key_stays_revoked_across_reimports(admin: Any) -> None:
    root, one, two = Ed25519PrivateKey.generate(), signing.generate_keypair(), signing.generate_keypair()
    fingerprint = signing.kid_for(trustlist.root_public_raw(root))
    trust.trust_list_import(
        actor=admin, data=_neighbour(root, [one, two]), root_fingerprint=fingerprint, now=NOW
    )
    trust.key_revoke(actor=admin, kid=one.kid, now=NOW)
    trust.trust_list_import(actor=admin, data=_neighbour(root, [one, two]), now=NOW)  # root pinned now
    assert _status(_code(one)) is signing.VerdictStatus.UNKNOWN_KEY
    assert _status(_code(two)) is signing.VerdictStatus.VALID
    with pytest.raises(ServiceError):
        trust.key_revoke(actor=admin, kid="nope")


def test_the_first_import_needs_the_fingerprint_and_later_ones_the_same_root(admin: Any) -> None:
    root, pair = Ed25519PrivateKey.generate(), signing.generate_keypair()
    with pytest.raises(ValidationFailed) as refused:
        trust.trust_list_import(actor=admin, data=_neighbour(root, [pair]), root_fingerprint="", now=NOW)
    assert refused.value.code == "trust_list_root_mismatch"
    trust.trust_list_import(
        actor=admin,
        data=_neighbour(root, [pair]),
        root_fingerprint=signing.kid_for(trustlist.root_public_raw(root)),
        now=NOW,
    )
    # An impostor reuses the issuer's root fingerprint but signs with another root.
    impostor = json.loads(_neighbour(Ed25519PrivateKey.generate(), [signing.generate_keypair()]))
    impostor["issuer"]["root_kid"] = signing.kid_for(trustlist.root_public_raw(root))
    with pytest.raises(ValidationFailed):
        trust.trust_list_import(actor=admin, data=json.dumps(impostor).encode(), now=NOW)
    with pytest.raises(ValidationFailed):
        trust.trust_list_import(actor=admin, data=b"not json", now=NOW)


def test_our_published_list_imports_elsewhere_and_our_codes_verify_there(admin: Any) -> None:
    from apps.codes.keys import current_key

    key = current_key()
    document = trust.published_trust_list(now=NOW)
    verified = trustlist.verify(
        document, pinned_root=None, pinned_kid=document["issuer"]["root_kid"], now=int(NOW.timestamp())
    )
    keys = {k.kid: signing.PublicKeyInfo(k.public_raw, k.retired_at_epoch) for k in verified.keys}
    code = signing.sign_code(
        key,
        kind=signing.CodeKind.HEALTH,
        ref="me",
        issued_at=NOW,
        expires_at=NOW + dt.timedelta(days=1),
        colour=Colour.GREEN,
    )
    assert signing.verify(code, keys, NOW).status is signing.VerdictStatus.VALID
    # Our own list cannot be imported as a foreign one: its keys clash with ours.
    with pytest.raises(ServiceError):
        trust.trust_list_import(
            actor=admin,
            data=json.dumps(document).encode(),
            root_fingerprint=document["issuer"]["root_kid"],
            now=NOW,
        )

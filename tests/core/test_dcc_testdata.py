"""The EU DCC verifier against every expectation flag of every file of the public test vectors.

The vectors are read in place (never copied into the repository) from ``$TONGCHOU_SHARED_DATA``,
by default ``../shared/data`` beside the repository (``/work/main`` → ``/work/shared/data``); a
git worktree one level deeper finds it one level further up. Meaning of the flags: the folder's
README.md.
"""

from __future__ import annotations

import base64
import io
import json
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import cbor2
import jsonschema_rs
import pytest
import segno
import zxingcpp
from PIL import Image

from core import dcc

_REPO = Path(__file__).resolve().parents[2]


def _shared_data() -> Path:
    configured = os.environ.get("TONGCHOU_SHARED_DATA")
    if configured:
        return Path(configured)
    for candidate in (_REPO.parent / "shared" / "data", _REPO.parent.parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return _REPO.parent / "shared" / "data"


DATA = _shared_data()
VECTORS = DATA / "eu-dcc-testdata"
SCHEMA = DATA / "eu-dcc-schema" / "DCC.combined-schema.json"
FILES = sorted(VECTORS.glob("*/2DCode/raw/*.json")) if VECTORS.is_dir() else []

pytestmark = pytest.mark.skipif(
    not VECTORS.is_dir(), reason=f"EU DCC test vectors absent: no folder {VECTORS}"
)


def _plain(value: Any) -> Any:
    """CBOR's immutable containers (tuples, frozendicts) as JSON's lists and dicts."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _trust(ctx: Mapping[str, Any]) -> dcc.TrustList:
    return dcc.trust_list_of([dcc.signer_from_der(base64.b64decode(ctx["CERTIFICATE"]))])


def _clock(ctx: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(ctx["VALIDATIONCLOCK"].replace("Z", "+00:00"))


def _cose(data: Mapping[str, Any]) -> bytes:
    return bytes.fromhex(data["COSE"]) if "COSE" in data else dcc.decode_text(data["PREFIX"])


def _chain_hcert(data: Mapping[str, Any]) -> Any:
    return _plain(dcc.decode_claims(dcc.decode_cose(_cose(data)).payload).hcert)


def _cbor_field(data: Mapping[str, Any]) -> Any:
    """The CBOR field holds the DCC payload, or (DE files) the whole CWT claims map around it."""
    decoded = cbor2.loads(bytes.fromhex(data["CBOR"]))
    if isinstance(decoded, Mapping) and -260 in decoded:
        decoded = decoded[-260][1]
    return _plain(decoded)


def unprefix(data: Mapping[str, Any]) -> bool:
    try:
        body = dcc.unprefix(data["PREFIX"])
    except dcc.DccError:
        return False
    return "BASE45" not in data or body == data["BASE45"]


def b45decode(data: Mapping[str, Any]) -> bool:
    try:
        return dcc.base45_decode(data["BASE45"]) == bytes.fromhex(data["COMPRESSED"])
    except dcc.DccError:
        return False


def compression(data: Mapping[str, Any]) -> bool:
    try:
        return dcc.inflate(bytes.fromhex(data["COMPRESSED"])) == bytes.fromhex(data["COSE"])
    except dcc.DccError:
        return False


def _read_qr(image: Image.Image) -> str | None:
    found = zxingcpp.read_barcodes(image)
    return found[0].text if found else None


def picture_decode(data: Mapping[str, Any]) -> bool:
    if "2DCODE" in data:
        try:
            image = Image.open(io.BytesIO(base64.b64decode(data["2DCODE"])))
            image.load()
        except (OSError, ValueError):
            return False
    else:
        # B1 sets the flag without shipping a picture: draw its PREFIX as a QR code and read it back.
        buffer = io.BytesIO()
        segno.make(data["PREFIX"], error="q").save(buffer, kind="png", scale=4)
        image = Image.open(io.BytesIO(buffer.getvalue()))
    return _read_qr(image) == data["PREFIX"]


def verify(data: Mapping[str, Any]) -> bool:
    ctx = data["TESTCTX"]
    return dcc.verify_cose(_cose(data), _trust(ctx), now=_clock(ctx)).signature_valid


def decode(data: Mapping[str, Any]) -> bool:
    try:
        from_cbor = _cbor_field(data)
        from_chain = _chain_hcert(data)
    except (dcc.DccError, cbor2.CBORDecodeError, ValueError):
        return False
    return from_cbor == from_chain and ("JSON" not in data or from_chain == data["JSON"])


def valid_json(data: Mapping[str, Any]) -> bool:
    try:
        hcert = _plain(dcc.decode_claims(dcc.decode_cose(dcc.decode_text(data["PREFIX"])).payload).hcert)
    except dcc.DccError:
        return False
    return hcert == data["JSON"]


def expiration_check(data: Mapping[str, Any]) -> bool:
    ctx = data["TESTCTX"]
    result = dcc.verify_cose(_cose(data), _trust(ctx), now=_clock(ctx))
    return result.claims is not None and result.verdict not in (
        dcc.Verdict.EXPIRED,
        dcc.Verdict.NOT_YET_VALID,
    )


def key_usage(data: Mapping[str, Any]) -> bool:
    ctx = data["TESTCTX"]
    result = dcc.verify_cose(_cose(data), _trust(ctx), now=_clock(ctx))
    return result.signature_valid and result.verdict is not dcc.Verdict.WRONG_KEY_USAGE


def _schema_valid(instance: object) -> bool:
    """Valid for the official schema (read in place) AND for the verifier's own structural rules;
    the test asserts both agree with the flag, so the verifier cannot be laxer than the schema."""
    official = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text())).is_valid(instance)
    try:
        dcc.certificate_type(instance)
        ours = True
    except dcc.DccError:
        ours = False
    assert official == ours, f"schema says {official}, the verifier's structure check {ours}"
    return ours


def schema_validation(data: Mapping[str, Any]) -> bool:
    try:
        instance = _cbor_field(data)
    except (cbor2.CBORDecodeError, ValueError):
        return False
    return _schema_valid(instance)


def valid_object(data: Mapping[str, Any]) -> bool:
    return _schema_valid(data["JSON"])


CHECKS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "EXPECTEDUNPREFIX": unprefix,
    "EXPECTEDB45DECODE": b45decode,
    "EXPECTEDCOMPRESSION": compression,
    "EXPECTEDPICTUREDECODE": picture_decode,
    "EXPECTEDVERIFY": verify,
    "EXPECTEDDECODE": decode,
    "EXPECTEDVALIDJSON": valid_json,
    "EXPECTEDEXPIRATIONCHECK": expiration_check,
    "EXPECTEDKEYUSAGE": key_usage,
    "EXPECTEDSCHEMAVALIDATION": schema_validation,
    "EXPECTEDVALIDOBJECT": valid_object,
}


def _cases() -> list[Any]:
    cases = []
    for path in FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        for flag, expected in data["EXPECTEDRESULTS"].items():
            name = f"{path.parent.parent.parent.name}/{path.stem}:{flag.removeprefix('EXPECTED')}"
            cases.append(pytest.param(path, flag, expected, id=name))
    return cases


@pytest.mark.parametrize(("path", "flag", "expected"), _cases())
def test_the_verifier_agrees_with_the_flag(path: Path, flag: str, expected: bool) -> None:
    if flag in ("EXPECTEDSCHEMAVALIDATION", "EXPECTEDVALIDOBJECT") and not SCHEMA.is_file():
        pytest.skip(f"DCC JSON schema absent: no file {SCHEMA}")
    assert flag in CHECKS, f"unknown expectation flag {flag}: add its check"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert CHECKS[flag](data) is expected


def test_every_file_is_read_and_every_flag_is_checked() -> None:
    assert len(FILES) >= 46  # common 38, AT 4, DE 4 at the pinned commit
    flags = {flag for path in FILES for flag in json.loads(path.read_text())["EXPECTEDRESULTS"]}
    assert flags <= set(CHECKS)


def test_the_full_verdict_of_the_chain_for_the_named_cases() -> None:
    """Beyond the flags: the one verdict a port officer sees, for the cases whose description
    names it."""
    verdicts = {}
    for path in FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        ctx = data["TESTCTX"]
        verdicts[f"{path.parent.parent.parent.name}/{path.stem}"] = dcc.verify(
            data["PREFIX"], _trust(ctx), now=_clock(ctx)
        ).verdict
    assert verdicts["common/CO3"] is dcc.Verdict.VALID  # ES256
    assert verdicts["common/CO1"] is dcc.Verdict.VALID  # PS256, RSA 2048
    assert verdicts["common/CO2"] is dcc.Verdict.VALID  # PS256, RSA 3072
    assert verdicts["common/CO19"] is dcc.Verdict.VALID  # kid only in the unprotected header
    assert verdicts["common/CO28"] is dcc.Verdict.VALID  # CWT tag around the COSE tag
    assert verdicts["common/CO5"] is dcc.Verdict.BAD_SIGNATURE
    assert verdicts["common/CO22"] is dcc.Verdict.UNKNOWN_KEY
    assert verdicts["common/CO6"] is dcc.Verdict.WRONG_KEY_USAGE
    assert verdicts["common/CO16"] is dcc.Verdict.NOT_YET_VALID
    assert verdicts["common/CO17"] is dcc.Verdict.EXPIRED
    for name in ("common/H1", "common/H2", "common/H3", "common/B1", "common/Z1", "common/DGC2"):
        assert verdicts[name] is dcc.Verdict.MALFORMED, name

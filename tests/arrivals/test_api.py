"""The arrivals API: register, screen with an EU certificate, classify, board, manifests, trust lists; two districts."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.arrivals.models import Traveller
from core import dcc, tabular
from tests.factories import COMMUNITY_A, COMMUNITY_B, DISTRICT_A

pytestmark = pytest.mark.django_db
HCERT = {
    "ver": "1.3.0",
    "nam": {"fn": "Rossi", "fnt": "ROSSI", "gn": "Mario", "gnt": "MARIO"},
    "dob": "1980-01-01",
    "t": [
        {
            "tg": "840539006",
            "tt": "LP6464-4",
            "sc": "2020-03-09T08:00:00Z",
            "tr": "260415000",
            "co": "IT",
            "is": "Ministero della Salute",
            "ci": "URN:UVCI:01:IT:TEST#1",
        }
    ],
}


@pytest.fixture
def port_op(make_user: Any) -> Any:
    return make_user("checkpoint_operator", DISTRICT_A)


@pytest.fixture
def signer() -> tuple[bytes, Any]:
    now = timezone.now()
    return dcc.make_signer(
        country="IT", not_before=now - dt.timedelta(days=30), not_after=now + dt.timedelta(days=365)
    )


def _register(api: Any, client_id: str = "c1", destination: str = COMMUNITY_A, **kw: Any) -> Any:
    body = {
        "client_id": client_id,
        "name": "Mario Rossi",
        "doc_type": "passport",
        "doc_number": kw.pop("doc_number", "YA123456"),
        "nationality": "ITA",
        "origin_kind": "abroad",
        "origin_country": "IT",
        "transport": "flight",
        "transport_no": "CA940",
        "arrived_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "port_area": DISTRICT_A,
        "destination_area": destination,
        **kw,
    }
    return api.post("/api/arrivals/travellers", body, content_type="application/json")


def test_port_staff_register_screen_with_a_certificate_and_the_traveller_is_classified(
    port_op: Any, make_user: Any, api_of: Any, signer: Any
) -> None:
    api = api_of(port_op)
    response = _register(api)
    assert response.status_code == 201, response.content
    traveller_id = response.json()["id"]
    assert _register(api).json()["id"] == traveller_id  # the same client id is the same traveller
    der, key = signer
    admin = api_of(make_user("commander", "990100"))
    entry = {
        "kid": base64.b64encode(dcc.kid_of(der)).decode(),
        "country": "IT",
        "rawData": base64.b64encode(der).decode(),
    }
    upload = io.BytesIO(json.dumps([entry]).encode())
    upload.name = "dsc.json"
    assert admin.post("/api/arrivals/dcc/signers", {"file": upload}).json()["signers"] == 1
    now = timezone.now()
    text = dcc.issue(
        HCERT,
        key=key,
        kid=dcc.kid_of(der),
        issuer="IT",
        issued_at=now - dt.timedelta(hours=2),
        expires_at=now + dt.timedelta(days=2),
    )
    screened = api.post(
        f"/api/arrivals/travellers/{traveller_id}/screen",
        {"temperature": 36.6, "sampled": True, "certificate": text},
        content_type="application/json",
    ).json()
    assert (
        screened["verdict"] == "valid"
        and screened["summary"]["type"] == "t"
        and "nam" not in screened["summary"]
    )
    traveller = screened["traveller"]
    assert (
        traveller["classification"]["rule"] == "abroad_14d_centralised"
        and traveller["handoff"] == "sent"  # to the quarantine app
    )
    verdict = api.post(
        "/api/arrivals/dcc/verify", {"text": text[:-3] + "AAA"}, content_type="application/json"
    ).json()
    assert verdict["verdict"] != "valid"
    trail = api.get(f"/api/arrivals/travellers/{traveller_id}").json()
    assert [e["to_stage"] for e in trail["events"]] == ["transport"] and trail["screenings"][0]["sampled"]
    assert AuditLog.objects.filter(object_type__icontains="traveller").exists()


def test_the_other_district_neither_sees_nor_changes_the_traveller(
    port_op: Any, officer_b: Any, api_of: Any
) -> None:
    traveller_id = _register(api_of(port_op)).json()["id"]
    other = api_of(officer_b)
    assert other.get(f"/api/arrivals/travellers/{traveller_id}").status_code == 404
    assert other.get("/api/arrivals/travellers").json()["items"] == []
    assert other.get("/api/arrivals/board").json()["arrived"] == 0
    assert _register(other, "c9", COMMUNITY_B).status_code == 403
    step = other.post(
        f"/api/arrivals/travellers/{traveller_id}/advance", {"to": "port"}, content_type="application/json"
    )
    assert step.status_code == 404


def test_advance_by_the_owner_and_refusals_are_json(port_op: Any, api_of: Any) -> None:
    api = api_of(port_op)
    traveller_id = _register(api).json()["id"]
    bad = api.post(
        f"/api/arrivals/travellers/{traveller_id}/advance", {"to": "closed"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "step_not_allowed"
    ok = api.post(
        f"/api/arrivals/travellers/{traveller_id}/advance", {"to": "port"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["stage"] == "port"
    board = api.get("/api/arrivals/board").json()
    assert board["arrived"] == 1 and board["reconciles"] and board["by_stage"] == {"port": 1}


def test_a_manifest_upload_reports_bad_rows(port_op: Any, api_of: Any) -> None:
    data = tabular.write_csv(
        ["姓名", "证件类型", "证件号码", "座位号", "目的地区划"],
        [["Rossi", "护照", "YA100001", "12A", COMMUNITY_A], ["", "护照", "YA100002", "12B", COMMUNITY_A]],
    )
    upload = io.BytesIO(data)
    upload.name = "ca940.csv"
    form = {
        "file": upload,
        "mode": "flight",
        "number": "CA940",
        "departs_at": "2020-03-09T14:00:00+00:00",
        "arrives_at": "2020-03-10T01:00:00+00:00",
        "origin": "Milano",
        "origin_kind": "abroad",
        "origin_country": "IT",
        "port_area": DISTRICT_A,
    }
    report = api_of(port_op).post("/api/arrivals/manifests", form)
    assert report.status_code == 201, report.content
    assert report.json()["travellers_created"] == 1 and [e["line"] for e in report.json()["errors"]] == [3]
    assert Traveller.objects.count() == 1


def test_trust_lists_are_published_and_managed_by_administrators_only(
    port_op: Any, api_of: Any, client: Any
) -> None:
    published = client.get("/api/arrivals/trust/published").json()
    assert published["format"] == "tongchou-trust-list/1" and published["signature"]
    assert "keys" in client.get("/api/arrivals/trust/keys").json()
    assert api_of(port_op).get("/api/arrivals/trust/lists").status_code == 403

"""In Debian's chromium: a manifest is imported, a traveller screened with an EU certificate that verifies,
classified and handed to quarantine; a neighbouring city's code verifies offline at a checkpoint."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from apps.arrivals import screening, trust
from apps.arrivals.models import Traveller
from apps.venues.services import venue_create
from core import dcc, signing, tabular, trustlist
from core.coderules import Colour
from tests.factories import COMMUNITY_A, DISTRICT_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_neighbouring_citys_code_verifies_offline_at_the_checkpoint_until_its_list_is_retired(
    page: Any, browser_login: Any, make_user: Any, officer_a: Any, wait_js: Any
) -> None:
    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard")
    admin = make_user("commander", "990100", username="commander")
    venue_create(
        actor=officer_a, data={"name": "高铁站出口", "category": "community_gate", "area_code": COMMUNITY_A}
    )
    root, pair = Ed25519PrivateKey.generate(), signing.generate_keypair()
    stamp = int(timezone.now().timestamp())
    document = trustlist.sign(
        root=root, issuer_area="330100", issuer_name="邻市",
        keys=[{"kid": pair.kid, "x": trustlist.b64url(pair.public_raw), "retired_at_epoch": None}],
        issued_at=stamp - 60, valid_until=stamp + 86400,
    )  # fmt: skip
    imported = trust.trust_list_import(
        actor=admin, data=json.dumps(document).encode(), root_fingerprint=document["issuer"]["root_kid"]
    )
    code = signing.sign_code(
        signing.SigningKey.load(pair.private_pem), kind=signing.CodeKind.HEALTH, ref="n1",
        issued_at=stamp - 30, expires_at=stamp + 3600, colour=Colour.GREEN,
    )  # fmt: skip

    browser_login(guard)
    page.goto("/venues/checkpoint/")
    page.wait_for_selector("#checkpoint[data-ready='1']")
    wait_js(page, "document.getElementById('keys-status').textContent.includes('(')")
    page.context.set_offline(True)
    wait_js(page, "!navigator.onLine")
    page.fill("#code-text", code)
    page.click("#verify")
    page.wait_for_selector("#verdict[data-status='valid']")
    page.context.set_offline(False)

    trust.trust_list_retire(actor=admin, trust_list=imported)
    page.reload()
    page.wait_for_selector("#checkpoint[data-ready='1']")
    page.wait_for_timeout(1000)  # the fresh key list replaces the cached one
    page.fill("#code-text", code)
    page.click("#verify")
    page.wait_for_selector("#verdict[data-status='unknown_key']")


def test_manifest_then_port_screening_with_an_eu_certificate_then_quarantine(
    page: Any, browser_login: Any, make_user: Any, tmp_path: Any
) -> None:
    guard = make_user("checkpoint_operator", DISTRICT_A, username="guard")
    admin = make_user("commander", "990100", username="commander")
    now = timezone.now()
    der, key = dcc.make_signer(
        country="IT", not_before=now - dt.timedelta(days=30), not_after=now + dt.timedelta(days=30)
    )
    entry = {
        "kid": base64.b64encode(dcc.kid_of(der)).decode(),
        "country": "IT",
        "rawData": base64.b64encode(der).decode(),
    }
    screening.dcc_signers_import(actor=admin, data=json.dumps([entry]).encode())
    manifest = tmp_path / "ca940.csv"
    manifest.write_bytes(
        tabular.write_csv(
            ["姓名", "证件类型", "证件号码", "座位号", "目的地区划"],
            [
                ["Mario Rossi", "护照", "YA7654321", "12C", COMMUNITY_A],
                ["", "护照", "YA7654322", "12D", COMMUNITY_A],
            ],
        )
    )

    browser_login(guard)
    page.goto("/arrivals/manifests/")
    page.fill("input[name=number]", "CA940")
    local = timezone.localtime(now)
    page.fill("input[name=departs_at]", (local - dt.timedelta(hours=13)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=arrives_at]", (local - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=origin]", "Milano")
    page.select_option("select[name=origin_kind]", "abroad")
    page.fill("input[name=origin_country]", "IT")
    page.fill("input[name=port_area]", DISTRICT_A)
    page.set_input_files("input[name=file]", str(manifest))
    page.click("form button.primary")
    page.wait_for_selector("#report")
    assert "3" in page.locator("#report table").inner_text()  # the bad row, line 3, is reported
    traveller = Traveller.objects.get()

    certificate = dcc.issue(
        {
            "ver": "1.3.0",
            "nam": {"fnt": "ROSSI", "gnt": "MARIO"},
            "dob": "1980-01-01",
            "t": [{"tg": "840539006", "tt": "LP6464-4", "sc": "2020-03-09T08:00:00Z", "tr": "260415000",
                   "co": "IT", "is": "Ministero della Salute", "ci": "URN:UVCI:01:IT:X#1"}],
        },
        key=key, kid=dcc.kid_of(der), issuer="IT", issued_at=now - dt.timedelta(hours=5),
        expires_at=now + dt.timedelta(days=2),
    )  # fmt: skip
    page.goto("/arrivals/port/")
    page.select_option("select[name=traveller]", str(traveller.pk))
    page.fill("input[name=temperature]", "36.5")
    page.check("input[name=sampled]")
    page.fill("textarea[name=certificate]", certificate)
    page.click("form button.primary")
    page.wait_for_selector("#dcc-verdict")
    assert page.locator("#dcc-verdict").get_attribute("data-verdict") == "valid"
    assert page.locator("#classification").get_attribute("data-rule") == "abroad_14d_centralised"
    traveller.refresh_from_db()
    # Handed to quarantine: a proposed centralised order for this arrival, waiting for an officer's decision.
    from apps.quarantine.models import QuarantineOrder

    order = QuarantineOrder.objects.get(pk=traveller.quarantine_order_id)
    assert traveller.handoff == "sent" and (order.kind, order.source) == ("centralised", "arrival")
    assert page.locator("#handoff").inner_text().strip()

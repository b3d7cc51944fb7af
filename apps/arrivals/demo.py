"""Demo step: inbound travellers over the outbreak's weeks — international flights and domestic trains with
manifests, port screening with EU certificates from a demo document signer, a neighbouring city's trust list,
and travellers at every stage of the loop (some overdue)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from apps.accounts.models import User
from apps.arrivals import screening, services, trust
from apps.arrivals.manifests import TripInfo, manifest_import
from apps.arrivals.models import Traveller
from apps.demo.generator import DemoContext
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from core import dcc, signing, tabular, trustlist
from core.coderules import Colour

NAME = "arrivals"
FLIGHTS = [
    ("CA940", "Milano", "IT"),
    ("CA934", "Paris", "FR"),
    ("LH720", "Frankfurt", "DE"),
    ("CA938", "London", "GB"),
]
TRAINS = [("G1234", "武汉", "high"), ("G71", "郑州", "medium"), ("D3021", "南京", "low")]
SEATS = "ABCDEF"


def _user(name: str) -> User | None:
    return User.objects.filter(username=name).first()


def _hcert(i: int, country: str) -> dict[str, Any]:
    return {
        "ver": "1.3.0",
        "nam": {"fn": f"Demo{i}", "fnt": f"DEMO<{chr(65 + i % 26)}", "gn": "Alex", "gnt": "ALEX"},
        "dob": "1985-05-05",
        "t": [
            {
                "tg": "840539006",
                "tt": "LP6464-4",
                "sc": "2020-03-01T08:00:00Z",
                "tr": "260415000",
                "co": country,
                "is": "Demo health authority",
                "ci": f"URN:UVCI:01:{country}:DEMO{i}#X",
            }
        ],
    }


def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    guard, admin = _user("guard"), _user("commander")
    if guard is None or admin is None:
        return {"skipped": "the demo users are missing"}
    now = timezone.now()
    communities = list(
        Area.objects.filter(level=AreaLevel.COMMUNITY, code__startswith="990101").values_list(
            "code", flat=True
        )[:40]
    ) + list(
        Area.objects.filter(level=AreaLevel.COMMUNITY, code__startswith="990102").values_list(
            "code", flat=True
        )[:10]
    )
    if not communities:
        return {"skipped": "no communities"}

    # A demo EU document signer (the real gateway's list is imported the same way).
    der, key = dcc.make_signer(
        country="IT", not_before=now - dt.timedelta(days=365), not_after=now + dt.timedelta(days=365)
    )
    entry = {
        "kid": base64.b64encode(dcc.kid_of(der)).decode(),
        "country": "IT",
        "rawData": base64.b64encode(der).decode(),
    }
    screening.dcc_signers_import(actor=admin, data=json.dumps([entry]).encode())

    # A neighbouring city's trust list, pinned by its root fingerprint; one of its codes to try at a checkpoint.
    root, pair = Ed25519PrivateKey.generate(), signing.generate_keypair()
    stamp = int(now.timestamp())
    neighbour = trustlist.sign(
        root=root,
        issuer_area="330100",
        issuer_name="邻市（演示）",
        keys=[{"kid": pair.kid, "x": trustlist.b64url(pair.public_raw), "retired_at_epoch": None}],
        issued_at=stamp - 3600,
        valid_until=stamp + 86400 * 60,
    )
    trust.trust_list_import(
        actor=admin, data=json.dumps(neighbour).encode(), root_fingerprint=neighbour["issuer"]["root_kid"]
    )
    neighbour_code = signing.sign_code(
        signing.SigningKey.load(pair.private_pem),
        kind=signing.CodeKind.HEALTH,
        ref="neighbour-demo",
        issued_at=stamp - 60,
        expires_at=stamp + 86400 * 30,
        colour=Colour.GREEN,
    )

    start = ctx.calendar.outbreak_start
    n = 0
    trips = []
    for week in range(8):
        for number, city, country in FLIGHTS[week % 2 :: 2]:
            trips.append(("flight", number, city, "abroad", country, "low", week))
        number, city, risk = TRAINS[week % len(TRAINS)]
        trips.append(("train", number, city, "domestic", "", risk, week))
    for mode, number, city, kind, country, risk, week in trips:
        departs = timezone.make_aware(
            dt.datetime.combine(start + dt.timedelta(days=7 * week + rng.randrange(7)), dt.time(8))
        )
        if departs > now - dt.timedelta(hours=12):
            continue
        arrives = departs + dt.timedelta(hours=11 if mode == "flight" else 4)
        rows = []
        for i in range(rng.randrange(8, 16)):
            n += 1
            seat = f"{10 + i // 6}{SEATS[i % 6]}" if mode == "flight" else ""
            carriage = f"0{1 + i % 8}" if mode == "train" else ""
            rows.append(
                [
                    f"旅客{n:04d}",
                    "护照",
                    f"DM{ctx.seed:02d}{n:06d}",
                    country or "CHN",
                    seat,
                    carriage,
                    rng.choice(communities),
                ]
            )
        data = tabular.write_csv(
            ["姓名", "证件类型", "证件号码", "国籍", "座位号", "车厢", "目的地区划"], rows
        )
        manifest_import(
            actor=guard,
            data=data,
            filename=f"{number}.csv",
            trip=TripInfo(mode, number, departs, arrives, city, kind, country, risk, "990101"),
        )

    moved = _move_through_the_loop(rng, key, der)
    return {
        "travellers": Traveller.objects.count(),
        "moved": moved,
        "neighbour_root": neighbour["issuer"]["root_kid"],
        "neighbour_code": neighbour_code,
    }


def _move_through_the_loop(rng: Any, key: Any, der: bytes) -> int:
    owners = {stage: _user(name) for stage, name in {
        "transport": "guard", "port": "guard", "transfer": "officer_a", "centralised": "qmanager",
        "hospital": "clinician", "community": "worker_a",
    }.items()}  # fmt: skip
    moved = 0
    for traveller in Traveller.objects.filter(stage="transport").select_related("person").order_by("pk"):
        depth = rng.choice([0, 1, 2, 3, 3, 4, 5])
        at = traveller.arrived_at
        for _step in range(depth):
            owner = owners.get(traveller.stage)
            if owner is None or not services.is_stage_owner(owner, traveller):
                break
            at = at + dt.timedelta(hours=rng.choice([1, 2, 3, 8]))
            if traveller.stage == "transport":
                to, evidence = "port", {}
            elif traveller.stage == "port":
                text = None
                if traveller.origin_kind == "abroad":
                    text = dcc.issue(
                        _hcert(traveller.pk, traveller.origin_country or "IT"), key=key, kid=dcc.kid_of(der),
                        issuer=traveller.origin_country or "IT", issued_at=at - dt.timedelta(days=1),
                        expires_at=at + dt.timedelta(days=3),
                    )  # fmt: skip
                record, _ = screening.traveller_screen(
                    actor=owner, traveller=traveller, temperature=round(36.2 + rng.random() * 1.6, 1),
                    sampled=True, certificate=text or "", now=at,
                )  # fmt: skip
                traveller = services.traveller_classify(
                    actor=owner,
                    traveller=traveller,
                    positive=rng.random() < 0.03,
                    symptomatic=screening.is_febrile(record),
                )
                outcome = traveller.classification.get("outcome")
                to = (
                    "hospital"
                    if outcome == "hospital"
                    else "community"
                    if outcome == "follow_up"
                    else "transfer"
                )
                evidence = {}
            elif traveller.stage == "transfer":
                outcome = traveller.classification.get("outcome")
                to = {"centralised": "centralised", "home": "community"}.get(str(outcome), "community")
                evidence = {
                    "vehicle": f"转运车{rng.randrange(1, 30):02d}",
                    "receiving_site": "集中隔离点（演示）",
                }
            elif traveller.stage == "hospital":
                to, evidence = "community", {}
            elif traveller.stage == "community":
                to, evidence = "closed", {}
            else:
                break  # centralised quarantine closes with a stay from the quarantine app
            traveller = services.traveller_advance(
                actor=owner, traveller=traveller, to=to, evidence=evidence, now=at
            )
            moved += 1
    services.raise_overdue_alerts()
    return moved

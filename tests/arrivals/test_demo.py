"""The arrivals demo step: manifests, travellers at every stage, a neighbour's list whose code verifies here."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import User
from apps.arrivals import selectors, trust
from apps.arrivals.models import DccSigner, ForeignTrustList, ManifestImport, Screening, Traveller
from core import signing

pytestmark = pytest.mark.django_db


def test_the_demo_has_arrivals_at_every_stage_and_a_neighbour_whose_codes_verify() -> None:
    out = io.StringIO()
    call_command(
        "demo_city",
        persons=400,
        seed=7,
        no_progress=True,
        only=["areas", "persons", "users", "arrivals"],
        stdout=out,
    )
    assert ManifestImport.objects.count() >= 10 and Traveller.objects.count() >= 100
    stages = set(Traveller.objects.values_list("stage", flat=True))
    assert {"transport", "port", "centralised", "community", "closed"} <= stages
    assert set(Traveller.objects.values_list("origin_kind", flat=True)) == {"abroad", "domestic"}
    assert Screening.objects.filter(certificate_verdict="valid").exists() and DccSigner.objects.exists()
    assert Traveller.objects.filter(overdue_level__gt=0).exists()
    neighbour = ForeignTrustList.objects.get()
    summary = [line for line in out.getvalue().splitlines() if "neighbour_code" in line][0]
    code = summary.split("'neighbour_code': '")[1].split("'")[0]
    assert signing.verify(code, trust.code_keys(), timezone.now()).status is signing.VerdictStatus.VALID
    assert neighbour.issuer_area == "330100"
    board = selectors.loop_board(user=User.objects.get(username="commander"))
    assert board.arrived == Traveller.objects.count() and board.reconciles()

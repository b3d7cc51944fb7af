"""Port screening (口岸检疫): temperature, symptoms, sampling, and EU DCC verification against the imported signers."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction
from apps.accounts.models import User
from apps.arrivals.models import DccSigner, Screening, Traveller
from apps.common.errors import ValidationFailed
from core import dcc

FEVER_CELSIUS = decimal.Decimal("37.3")


def dcc_trust_list(*, now: dt.datetime | None = None) -> dcc.TrustList:
    trust = dcc.TrustList()
    for der, country in DccSigner.objects.filter(retired_at__isnull=True).values_list("der", "country"):
        try:
            trust.add(dcc.signer_from_der(bytes(der), country=country))
        except dcc.DccError:
            continue
    return trust


def dcc_signers_import(*, actor: User, data: bytes, now: dt.datetime | None = None) -> dict[str, Any]:
    """Import the gateway's document-signer list; bad entries reported with their position."""
    now = now or timezone.now()
    signers, errors = dcc.parse_trust_list(data)
    if not signers and errors and errors[0].index == 0:
        raise ValidationFailed("bad_file", errors[0].reason)
    created = 0
    with transaction.atomic():
        for signer in signers:
            _, was_created = DccSigner.objects.update_or_create(
                kid=signer.kid_b64,
                defaults={
                    "country": signer.country,
                    "der": _der_of(data, signer),
                    "subject": signer.subject,
                    "not_after": signer.not_after,
                    "imported_at": now,
                    "retired_at": None,
                },
            )
            created += was_created
        audit_record(
            actor=actor, action=AuditAction.IMPORT, object_type="dcc_signers", after={"signers": len(signers)}
        )
    return {
        "signers": len(signers),
        "created": created,
        "errors": [{"index": e.index, "reason": e.reason} for e in errors],
    }


def _der_of(document: bytes, signer: dcc.Signer) -> bytes:
    """The DER certificate of ``signer`` from the uploaded document (matched by key id)."""
    data = json.loads(document)
    entries = data.get("certificates", []) if isinstance(data, dict) else data
    for entry in entries:
        try:
            der = base64.b64decode(str(entry.get("rawData", "")), validate=True)
        except ValueError:
            continue
        if dcc.kid_of(der) == signer.kid:
            return der
    raise ValidationFailed("bad_file", "a signer's certificate is missing")


def verify_certificate(text: str, *, now: dt.datetime | None = None) -> dcc.DccResult:
    return dcc.verify(text, dcc_trust_list(), now=now or timezone.now())


def certificate_summary(result: dcc.DccResult) -> dict[str, Any]:
    """What the port page shows and stores: type, issuing country, dates and the entry's key facts.
    The holder's name and birth date are not stored (they are on the certificate in the hand)."""
    if result.claims is None:
        return {}
    entry = dict(result.claims.hcert[result.claims.cert_type.value][0])
    keep = {"v": ("dn", "sd", "dt", "mp", "co"), "t": ("tt", "sc", "tr", "co"), "r": ("fr", "df", "du", "co")}
    return {
        "type": result.claims.cert_type.value,
        "issuer": result.claims.issuer,
        "issued_at": result.claims.issued_at.isoformat(),
        "expires_at": result.claims.expires_at.isoformat(),
        "signer_country": result.signer.country if result.signer else "",
        **{key: entry.get(key) for key in keep[result.claims.cert_type.value]},
    }


def traveller_screen(
    *,
    actor: User,
    traveller: Traveller,
    temperature: float | None = None,
    symptoms: bool = False,
    sampled: bool = False,
    sample_id: str = "",
    certificate: str = "",
    now: dt.datetime | None = None,
) -> tuple[Screening, dcc.DccResult | None]:
    now = now or timezone.now()
    if temperature is not None and not 30 <= temperature <= 45:
        raise ValidationFailed(
            "invalid_temperature", "a temperature between 30 and 45 °C", [{"field": "temperature"}]
        )
    result = verify_certificate(certificate.strip(), now=now) if certificate.strip() else None
    screening = Screening.objects.create(
        traveller=traveller,
        at=now,
        actor=actor,
        temperature=None if temperature is None else decimal.Decimal(str(round(temperature, 1))),
        symptoms=symptoms,
        sampled=sampled,
        sample_id=sample_id[:40],
        certificate_verdict=result.verdict.value if result else "",
        certificate_reason=result.reason if result else "",
        certificate_summary=certificate_summary(result) if result else {},
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=screening, area_code=traveller.port_area_id)
    return screening, result


def is_febrile(screening: Screening) -> bool:
    return screening.symptoms or (
        screening.temperature is not None and screening.temperature >= FEVER_CELSIUS
    )

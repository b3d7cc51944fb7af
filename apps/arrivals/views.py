"""Pages of the arrivals app: the loop board, travellers and their trail, port screening, manifests, trust lists."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.arrivals import screening, selectors, services, trust
from apps.arrivals.choices import OriginKind, OriginRisk, Stage, Transport
from apps.arrivals.manifests import TripInfo, manifest_import
from apps.arrivals.models import DccSigner, ForeignTrustList, ManifestImport, Traveller, TravellerEvent
from apps.common.apitypes import column_mapping
from apps.common.errors import Forbidden, NotFound, ServiceError
from apps.common.views import error_page, one_page
from core import arrivals_loop as loop
from core import dcc

PAGE_SIZE = 50


def owner_label(owner: str) -> str:
    """``role@area`` as the reader says it: the role's name, then the area code."""
    from apps.accounts.choices import Role

    role, _, area = owner.partition("@")
    return f"{dict(Role.choices).get(role, role)} · {area}"


def summary_rows(summary: dict[str, Any]) -> list[tuple[Any, str]]:
    """A certificate's stored summary as labelled rows, dates in Shanghai time."""
    from django.utils.translation import gettext_lazy as _
    from django.utils.translation import pgettext_lazy

    names = {
        "type": _("Type"),
        "issuer": _("Issuing country"),
        "issued_at": _("Issued"),
        "expires_at": _("Valid until"),
        "signer_country": _("Signer's country"),
        "dn": _("Dose"),
        "sd": _("Doses in the series"),
        "dt": _("Vaccinated on"),
        "mp": _("Vaccine"),
        "co": _("Country"),
        "tt": _("Test type"),
        "sc": _("Sampled at"),
        "tr": _("Test result"),
        "fr": _("First positive test"),
        "df": _("Valid from"),
        "du": _("Valid until"),
    }
    types = {"v": _("Vaccination"), "t": _("Test"), "r": pgettext_lazy("certificate type", "Recovery")}
    rows = []
    for key, value in summary.items():
        if value in (None, ""):
            continue
        text = str(value)
        if key == "type":
            text = str(types.get(text, text))
        elif key in ("issued_at", "expires_at", "sc"):
            with contextlib.suppress(ValueError):
                text = timezone.localtime(dt.datetime.fromisoformat(text.replace("Z", "+00:00"))).strftime(
                    "%Y-%m-%d %H:%M"
                )
        rows.append((names.get(key, key), text))
    return rows


def _need(request: HttpRequest, perm: str) -> None:
    if not has_perm_anywhere(request.user, perm):
        raise Forbidden("forbidden", "you may not see the loop board")


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The loop board: per stage, owner and day; overdue first; each count drills to the travellers."""
    try:
        _need(request, Perm.ARRIVAL_VIEW)
    except ServiceError as exc:
        return error_page(request, exc)
    b = selectors.loop_board(user=request.user)  # type: ignore[arg-type]
    labels = dict(Stage.choices)
    stages = [
        {"value": s.value, "label": labels[s.value], "count": b.by_stage[s], "overdue": b.overdue_by_stage[s]}
        for s in loop.Stage
    ]
    owners = [
        {"owner": owner_label(owner), "stage": labels[stage.value], "stage_value": stage.value, "count": n}
        for (owner, stage), n in sorted(b.by_owner.items(), key=lambda kv: -kv[1])
    ]
    days: dict[dt.date, dict[str, int]] = {}
    for (day, stage), n in b.by_day.items():
        days.setdefault(day, {})[stage.value] = n
    day_rows = [
        {"day": d, "cells": [days[d].get(s.value, 0) for s in loop.Stage], "total": sum(days[d].values())}
        for d in sorted(days, reverse=True)
    ]
    return render(
        request,
        "arrivals/board.html",
        {
            "board": b,
            "reconciles": b.reconciles(),
            "stages": sorted(stages, key=lambda s: -s["overdue"]),
            "stage_heads": [labels[s.value] for s in loop.Stage],
            "owners": owners,
            "days": day_rows,
        },
    )


@login_required
def traveller_list(request: HttpRequest) -> HttpResponse:
    try:
        _need(request, Perm.ARRIVAL_VIEW)
    except ServiceError as exc:
        return error_page(request, exc)
    stage = request.GET.get("stage", "")
    qs = selectors.travellers_list(
        user=request.user,  # type: ignore[arg-type]
        stage=stage if stage in Stage.values else "",
        overdue=bool(request.GET.get("overdue")),
        in_loop=bool(request.GET.get("in_loop")),
        area=request.GET.get("area", "")[:12],
    ).select_related("person")
    rows, pager = one_page(request, qs, PAGE_SIZE)
    return render(
        request,
        "arrivals/list.html",
        {
            "travellers": rows,
            **pager,
            "stage": stage,
            "stages": Stage.choices,
            "now": timezone.now(),
        },
    )


def _visible(request: HttpRequest, pk: int) -> Traveller:
    found = selectors.travellers_visible(user=request.user).select_related("person").filter(pk=pk).first()  # type: ignore[arg-type]
    if found is None:
        raise NotFound("not_found", "no such traveller")
    return found


@login_required
def traveller_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole trail of one traveller, and the next steps the stage's owner may take."""
    try:
        traveller = _visible(request, pk)
    except ServiceError as exc:
        return error_page(request, exc)
    return render(
        request,
        "arrivals/detail.html",
        {
            "t": traveller,
            "events": TravellerEvent.objects.filter(traveller=traveller).select_related("actor"),
            "screenings": traveller.screenings.all(),
            "alerts": traveller.alerts.all(),
            "next": [
                (s.value, dict(Stage.choices)[s.value])
                for s in loop.allowed_next(loop.Stage(traveller.stage))
            ],
            "evidence": loop.EVIDENCE.get(loop.Stage(traveller.stage), ()),
            "is_owner": services.is_stage_owner(request.user, traveller),  # type: ignore[arg-type]
            "owner": owner_label(f"{traveller.owner_role}@{traveller.owner_area_id or ''}")
            if traveller.owner_role
            else "",
            "verdicts": dict(VERDICT_LABELS),
        },
    )


@login_required
@require_POST
def traveller_advance(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = {name: request.POST.get(name, "") for name in ("vehicle", "receiving_site", "stay")}
    try:
        traveller = _visible(request, pk)
        services.traveller_advance(
            actor=request.user,  # type: ignore[arg-type]
            traveller=traveller,
            to=request.POST.get("to", ""),
            evidence=evidence,
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("arrivals:detail", pk=pk)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None


@login_required
def port(request: HttpRequest) -> HttpResponse:
    """The port officer's phone page: find the traveller, record temperature and sampling, paste or scan
    the certificate, see the verdict and the classification."""
    if not has_perm_anywhere(request.user, Perm.ARRIVAL_CHANGE):
        return error_page(request, Forbidden("forbidden", "port staff only"))
    context: dict[str, Any] = {"result": None}
    qs = selectors.travellers_visible(user=request.user).select_related("person").exclude(stage=Stage.CLOSED)  # type: ignore[arg-type]
    context["waiting"] = qs.filter(stage__in=[Stage.TRANSPORT, Stage.PORT]).order_by("arrived_at")[:50]
    if request.method == "POST":
        try:
            traveller = _visible(request, int(request.POST.get("traveller") or 0))
        except (ServiceError, ValueError):
            return error_page(request, NotFound("not_found", "no such traveller"))
        if not (
            has_perm_at(request.user, Perm.ARRIVAL_CHANGE, str(traveller.port_area_id))  # type: ignore[arg-type]
        ):
            return error_page(request, Forbidden("forbidden", "port staff only"))
        try:
            record, result = screening.traveller_screen(
                actor=request.user,  # type: ignore[arg-type]
                traveller=traveller,
                temperature=_float(request.POST.get("temperature", "")),
                symptoms=bool(request.POST.get("symptoms")),
                sampled=bool(request.POST.get("sampled")),
                sample_id=request.POST.get("sample_id", ""),
                certificate=request.POST.get("certificate", ""),
            )
            traveller = services.traveller_classify(
                actor=request.user,  # type: ignore[arg-type]
                traveller=traveller,
                positive=bool(request.POST.get("positive")),
                symptomatic=screening.is_febrile(record),
            )
        except ServiceError as exc:
            return error_page(request, exc)
        context.update(
            result=result,
            verdict_label=dict(VERDICT_LABELS).get(result.verdict.value, "") if result else "",
            reason_label=dict(REASON_LABELS).get(result.reason, result.reason) if result else "",
            summary=summary_rows(record.certificate_summary),
            traveller=traveller,
        )
    return render(request, "arrivals/port.html", context)


@login_required
def manifests(request: HttpRequest) -> HttpResponse:
    """Import a manifest and read its report."""
    if not has_perm_anywhere(request.user, Perm.ARRIVAL_CHANGE):
        return error_page(request, Forbidden("forbidden", "port staff only"))
    report = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            info = TripInfo(
                mode=request.POST.get("mode", ""),
                number=request.POST.get("number", ""),
                departs_at=_moment(request.POST.get("departs_at", "")),
                arrives_at=_moment(request.POST.get("arrives_at", "")),
                origin=request.POST.get("origin", ""),
                origin_kind=request.POST.get("origin_kind", ""),
                origin_country=request.POST.get("origin_country", ""),
                origin_risk=request.POST.get("origin_risk", "low"),
                port_area_id=request.POST.get("port_area", ""),
            )
            if not has_perm_at(request.user, Perm.ARRIVAL_CHANGE, info.port_area_id):  # type: ignore[arg-type]
                raise Forbidden("forbidden", "you may not import manifests for this port")
            report = manifest_import(
                actor=request.user,  # type: ignore[arg-type]
                data=upload.read(),
                filename=upload.name or "manifest.csv",
                trip=info,
                mapping=column_mapping(request.POST.get("mapping", "")),
            )
        except ServiceError as exc:
            return error_page(request, exc)
    recent = ManifestImport.objects.filter(uploaded_by=request.user).select_related("trip")[:20]
    return render(
        request,
        "arrivals/manifests.html",
        {
            "report": report,
            "recent": recent,
            "modes": [
                (Transport.FLIGHT.value, Transport.FLIGHT.label),
                (Transport.TRAIN.value, Transport.TRAIN.label),
            ],
            "kinds": OriginKind.choices,
            "risks": OriginRisk.choices,
        },
    )


def _moment(text: str) -> dt.datetime:
    from apps.common.errors import ValidationFailed

    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            "invalid_trip", "the trip description has errors", [{"field": "time"}]
        ) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@login_required
def trust_admin(request: HttpRequest) -> HttpResponse:
    """Administrators: other cities' trust lists (import, retire, revoke) and the EU DCC signers."""
    if not has_perm_anywhere(request.user, Perm.TRUST_MANAGE):
        return error_page(request, Forbidden("forbidden", "only trust-list managers may do this"))
    message = ""
    if request.method == "POST":
        try:
            action = request.POST.get("action", "")
            if action == "import" and request.FILES.get("file"):
                row = trust.trust_list_import(
                    actor=request.user,  # type: ignore[arg-type]
                    data=request.FILES["file"].read(),
                    root_fingerprint=request.POST.get("root_fingerprint", ""),
                )
                message = row.issuer_name
            elif action == "retire":
                found = ForeignTrustList.objects.filter(pk=int(request.POST.get("list") or 0)).first()
                if found is not None:
                    trust.trust_list_retire(actor=request.user, trust_list=found)  # type: ignore[arg-type]
            elif action == "revoke":
                trust.key_revoke(actor=request.user, kid=request.POST.get("kid", "")[:64])  # type: ignore[arg-type]
            elif action == "dcc" and request.FILES.get("file"):
                screening.dcc_signers_import(actor=request.user, data=request.FILES["file"].read())  # type: ignore[arg-type]
        except ServiceError as exc:
            return error_page(request, exc)
        if not message:
            return redirect("arrivals:trust")
    root, _ = trust.root_key()
    return render(
        request,
        "arrivals/trust.html",
        {
            "lists": ForeignTrustList.objects.prefetch_related("keys"),
            "signers": DccSigner.objects.all()[:200],
            "root_kid": root.kid,
            "imported": message,
        },
    )


VERDICT_LABELS: list[tuple[str, Any]] = []
REASON_LABELS: list[tuple[str, Any]] = []


def _labels() -> None:
    from django.utils.translation import gettext_lazy as _

    VERDICT_LABELS[:] = [
        (dcc.Verdict.VALID.value, _("Valid")),
        (dcc.Verdict.EXPIRED.value, _("Expired")),
        (dcc.Verdict.NOT_YET_VALID.value, _("Not yet valid")),
        (dcc.Verdict.BAD_SIGNATURE.value, _("Bad signature")),
        (dcc.Verdict.UNKNOWN_KEY.value, _("Unknown signer")),
        (dcc.Verdict.WRONG_KEY_USAGE.value, _("Signer not allowed for this type")),
        (dcc.Verdict.MALFORMED.value, _("Not a readable certificate")),
    ]
    REASON_LABELS[:] = [
        ("ok", _("signature, signer and dates check out")),
        ("prefix", _("the text does not start with HC1:")),
        ("base45", _("the Base45 text is damaged")),
        ("zlib", _("the compressed data is damaged")),
        ("cose", _("the signed structure is damaged")),
        ("claims", _("the certificate's claims are damaged")),
        ("hcert", _("the health certificate does not follow the EU schema")),
        ("kid_missing", _("no signer key id")),
        ("kid_unknown", _("the signer is not in the imported trust list")),
        ("algorithm", _("the algorithm does not fit the signer's key")),
        ("signature", _("the signature does not verify")),
        ("key_usage", _("the signer may not sign this type of certificate")),
        ("signer_not_valid", _("issued outside the signer's validity")),
        ("not_yet_valid", _("issued in the future")),
        ("expired", _("the certificate has expired")),
    ]


_labels()

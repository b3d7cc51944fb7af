"""Pages of the health-code app: citizen sign-in, my code, declaration, check-in; officers' counts and overrides."""

from __future__ import annotations

import datetime as dt
import json

import segno
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere
from apps.codes import selectors, services
from apps.codes.choices import RiskLevel
from apps.common.errors import ServiceError
from apps.common.views import error_page
from apps.geo.maps import area_map
from apps.geo.models import Area
from apps.people.models import Person

QR_COLOURS = {"green": "#1e8e3e", "yellow": "#a67c00", "red": "#c5221f"}
_FILL = {"green": "#cde8d4", "yellow": "#fbe7a1", "red": "#f4b4b1"}


def qr_svg(text: str, colour: str) -> SafeString:
    # segno writes only its own markup; the text is encoded into path data, never echoed.
    svg = segno.make(text, error="m").svg_inline(scale=6, dark=QR_COLOURS.get(colour, "#000"), border=2)
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-label="QR" ', 1))  # noqa: S308


def signin(request: HttpRequest) -> HttpResponse:
    """Citizen sign-in with a one-time code sent to the registered mobile phone."""
    context: dict[str, object] = {"phone": request.POST.get("phone", "")}
    if request.method == "POST":
        try:
            if request.POST.get("step") == "verify":
                user = services.otp_verify(
                    phone=request.POST.get("phone", ""), code=request.POST.get("code", "")
                )
                login(request, user, backend="apps.accounts.backends.LockoutModelBackend")
                return redirect("codes:my")
            services.otp_send(phone=request.POST.get("phone", ""))
            context["sent"] = True
        except ServiceError as exc:
            context["error"] = exc
            context["sent"] = request.POST.get("step") == "verify"
    return render(request, "codes/signin.html", context)


def _person(request: HttpRequest) -> Person | None:
    pid = getattr(request.user, "person_id", None)
    return Person.objects.filter(pk=pid).first() if pid else None


@login_required
def my_code(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if person is None:
        return render(request, "codes/no_person.html", status=404)
    code = services.code_for(person)
    qr, expires = services.code_issue_qr(code=code)
    return render(
        request,
        "codes/my_code.html",
        {"code": code, "qr": qr, "qr_svg": qr_svg(qr, code.colour), "expires": expires, "person": person},
    )


@login_required
def declare(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if person is None:
        return render(request, "codes/no_person.html", status=404)
    context: dict[str, object] = {"risks": RiskLevel.choices, "today": timezone.localdate()}
    if request.method == "POST":
        try:
            services.declaration_submit(
                person=person,
                symptoms=request.POST.get("symptoms") == "on",
                arrived_on=parse_date(request.POST.get("arrived_on") or "")
                if request.POST.get("arrived_on")
                else None,
                arrived_from=request.POST.get("arrived_from", ""),
                arrived_from_risk=request.POST.get("arrived_from_risk", "low"),
                note=request.POST.get("note", ""),
            )
            return redirect("codes:my")
        except (ServiceError, ValueError) as exc:
            context["error"] = exc
    return render(request, "codes/declare.html", context)


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if person is None:
        return render(request, "codes/no_person.html", status=404)
    context: dict[str, object] = {}
    if request.method == "POST":
        raw = request.POST.get("temperature", "").strip()
        try:
            services.checkin_submit(
                person=person,
                temperature=float(raw) if raw else None,
                symptoms=request.POST.get("symptoms") == "on",
            )
            return redirect("codes:my")
        except ValueError:
            context["error"] = {"message": "34–43 °C"}
        except ServiceError as exc:
            context["error"] = exc
    return render(request, "codes/checkin.html", context)


@login_required
def counts(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.CODE_VIEW):  # type: ignore[arg-type]
        return render(request, "error.html", {"error": {"message": "forbidden"}}, status=403)
    area = request.GET.get("area", "").strip()
    level = 12 if len(area) >= 9 else 9 if len(area) >= 6 else 6
    rows = selectors.colour_counts(user=request.user, area=area, level_digits=level)  # type: ignore[arg-type]
    if not area and len(rows) == 1:
        # A district officer sees one district: show its streets instead of a single shape.
        area, level = str(rows[0]["area"]), 9
        rows = selectors.colour_counts(user=request.user, area=area, level_digits=level)  # type: ignore[arg-type]
    names = dict(Area.objects.filter(code__in=[r["area"] for r in rows]).values_list("code", "name_zh"))
    fills = {}
    for r in rows:
        r["name"] = names.get(str(r["area"]), "")
        # Shade by the share of non-green codes: 1% or more yellow, 5% or more red.
        share = (int(r["yellow"]) + int(r["red"])) / max(int(r["total"]), 1)
        fills[str(r["area"])] = _FILL["red" if share >= 0.05 else "yellow" if share >= 0.01 else "green"]
    shapes = Area.objects.filter(code__in=list(fills)).values_list("code", "name_zh", "boundary")
    svg = area_map(
        shapes,
        fills=fills,
        values={str(r["area"]): f'{r["green"]} / {r["yellow"]} / {r["red"]}' for r in rows},
        value_label=pgettext("map figure", "green / yellow / red"),
        table=False,  # the page's own table lists the same areas
    )
    return render(request, "codes/counts.html", {"rows": rows, "area": area, "map": svg})


@login_required
def person_code(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        code = selectors.code_of_person(user=request.user, person_id=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    overrides = code.person.code_overrides.select_related("requested_by", "decided_by").order_by(
        "-requested_at"
    )[:20]
    default_until = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    return render(
        request,
        "codes/person_code.html",
        {
            "code": code,
            "overrides": overrides,
            "can_override": has_perm_anywhere(request.user, Perm.CODE_OVERRIDE),  # type: ignore[arg-type]
            "default_until": default_until,
        },
    )


@login_required
@require_POST
def override_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        code = selectors.code_of_person(user=request.user, person_id=pk)  # type: ignore[arg-type]
        raw = parse_datetime(request.POST.get("valid_until", "")) or timezone.now()
        until = timezone.make_aware(raw) if timezone.is_naive(raw) else raw
        services.override_request(
            actor=request.user,  # type: ignore[arg-type]
            person=code.person,
            colour=request.POST.get("colour", ""),
            reason=request.POST.get("reason", ""),
            valid_until=until,
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("codes:person", pk=pk)


@login_required
def overrides(request: HttpRequest) -> HttpResponse:
    rows = selectors.overrides_list(user=request.user)[:200]  # type: ignore[arg-type]
    return render(request, "codes/overrides.html", {"overrides": rows})


@login_required
@require_POST
def override_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        o = selectors.override_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        services.override_decide(
            actor=request.user,  # type: ignore[arg-type]
            override=o,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("codes:overrides")


# Each rule parameter as the reader knows it (the JSON editor below keeps the stored names).
RULE_LABELS = {
    "version": _("Version"),
    "effective_from": _("Effective from"),
    "quarantine_days": _("Days of quarantine (red)"),
    "contact_release_needs_negative_test": _("A contact's release needs a negative test"),
    "release_test_window_days": _("Days before release in which the test counts"),
    "secondary_contact_colour": _("Colour of a secondary contact"),
    "secondary_contact_days": _("Days a secondary contact keeps that colour"),
    "quarantine_colour": _("Colour while in quarantine"),
    "medium_risk_arrival_colour": _("Colour of an arrival from a medium-risk area"),
    "medium_risk_arrival_days": _("Days an arrival from a medium-risk area keeps it"),
    "high_risk_arrival_colour": _("Colour of an arrival from a high-risk area"),
    "high_risk_arrival_days": _("Days an arrival from a high-risk area keeps it"),
    "fever_threshold_celsius": _("Fever threshold (°C)"),
    "fever_colour": _("Colour after a fever at a checkpoint"),
    "symptom_colour": _("Colour after declared symptoms"),
    "missed_checkins_colour": _("Colour after missed daily check-ins"),
    "missed_checkins_threshold": _("Missed check-ins that change the colour"),
    "missed_checkins_window_days": _("Days in which missed check-ins are counted"),
    "residence_medium_risk_colour": _("Colour of residents of a medium-risk area"),
    "residence_high_risk_colour": _("Colour of residents of a high-risk area"),
    "red_to_green_normal_days": _("Days from red to green when all is normal"),
}
COLOUR_LABELS = {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red")}


def _rule_rows(params: dict[str, object]) -> list[tuple[str, object]]:
    """The rule set as (label, value) rows: colours and yes/no in words, no stored names."""
    rows = []
    for key, value in params.items():
        shown: object = value
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, str) and value in COLOUR_LABELS:
            shown = COLOUR_LABELS[value]
        rows.append((str(RULE_LABELS.get(key, key)), shown))
    return rows


@login_required
def rulesets(request: HttpRequest) -> HttpResponse:
    """Rule-set versions, and a new version for users with the rules right (validated field by field)."""
    from apps.codes.models import RuleSetVersion
    from apps.codes.rules import current_ruleset

    can_edit = has_perm_anywhere(request.user, Perm.CODE_RULES)  # type: ignore[arg-type]
    if not (can_edit or has_perm_anywhere(request.user, Perm.CODE_VIEW)):  # type: ignore[arg-type]
        return render(request, "error.html", {"error": {"message": "forbidden"}}, status=403)
    current = current_ruleset(timezone.localdate())
    draft = {**current.to_dict(), "version": "", "effective_from": timezone.localdate().isoformat()}
    context: dict[str, object] = {
        "current": current,
        "current_rows": _rule_rows(current.to_dict()),
        "versions": RuleSetVersion.objects.all()[:50],
        "can_edit": can_edit,
    }
    text = json.dumps(draft, ensure_ascii=False, indent=2)
    if request.method == "POST" and can_edit:
        text = request.POST.get("params", "")
        try:
            params = json.loads(text)
            if not isinstance(params, dict):
                raise ValueError("a JSON object is needed")
            services.ruleset_create(
                actor=request.user, params=params, note=request.POST.get("note", ""), request=request
            )  # type: ignore[arg-type]
            return redirect("codes:rulesets")
        except ValueError as exc:
            context["error"] = {"message": str(exc), "details": []}
        except ServiceError as exc:
            context["error"] = exc
    context["draft"] = text
    return render(request, "codes/rulesets.html", context)


@login_required
def venue_checkin(request: HttpRequest) -> HttpResponse:
    """A citizen records a visit with the venue's code (场所码): scanned by the phone, or pasted."""
    import uuid

    from apps.codes.keys import public_keys
    from apps.venues.models import Venue
    from apps.venues.services import scans_ingest
    from core import signing

    person = _person(request)
    if person is None:
        return render(request, "codes/no_person.html", status=404)
    context: dict[str, object] = {}
    if request.method == "POST":
        text = request.POST.get("venue_code", "")
        verdict = signing.verify(text, public_keys(), timezone.now(), expected_kind=signing.CodeKind.VENUE)
        if not verdict.ok or verdict.payload is None:
            context["error"] = {
                "message": verdict.message_zh
                if request.LANGUAGE_CODE.startswith("zh")
                else verdict.message_en
            }
        else:
            result = scans_ingest(
                actor=request.user,  # type: ignore[arg-type]
                scans=[
                    {
                        "client_id": request.POST.get("client_id") or uuid.uuid4().hex,
                        "venue": str(verdict.payload.ref),
                        "scanned_at": timezone.now().isoformat(),
                    }
                ],
                citizen_person_id=person.pk,
            )
            if result.rejected:
                context["error"] = {"message": result.rejected[0]["message"]}
            else:
                context["venue"] = Venue.objects.filter(ref=verdict.payload.ref).first()
    context["client_id"] = uuid.uuid4().hex
    return render(request, "codes/venue_checkin.html", context)

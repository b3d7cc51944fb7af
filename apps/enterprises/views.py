"""Pages of the enterprises app: thin views over the same selectors and services as the API."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.common.apitypes import column_mapping
from apps.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from apps.common.messages import shown
from apps.common.views import error_page, page_number
from apps.enterprises import dashboard, hotline, selectors, services
from apps.enterprises.api import enterprises_export
from apps.enterprises.choices import (
    IndustrySection,
    InspectionKind,
    InspectionResult,
    PolicyCategory,
    Reason,
    SizeClass,
    Status,
    TicketStatus,
    Uptake,
)
from apps.enterprises.models import EnterpriseMember, Policy, PolicyDelivery, TicketCategory
from apps.geo.maps import area_map
from apps.geo.models import Area

PAGE_SIZE = 50
FILTERS = ("q", "area", "industry", "size", "status", "above", "reason")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _slice(qs: Any, page: int) -> tuple[list[Any], bool]:
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _choices() -> dict[str, Any]:
    return {
        "industries": IndustrySection.choices,
        "sizes": SizeClass.choices,
        "statuses": Status.choices,
        "reasons": Reason.choices,
    }


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    if EnterpriseMember.objects.filter(user_id=request.user.pk).exists() and not has_perm_anywhere(
        _user(request), Perm.ENTERPRISE_VIEW
    ):
        return redirect("enterprises:mine")
    f = {k: request.GET.get(k, "").strip() for k in FILTERS}
    page = page_number(request)
    qs = selectors.enterprises_list(
        user=_user(request),
        query=f["q"],
        area=f["area"],
        industry=f["industry"],
        size=f["size"],
        status=f["status"],
        above=f["above"],
        reason=f["reason"],
    )
    rows, has_next = _slice(qs, page)
    context = {
        "enterprises": rows,
        "f": f,
        "page": page,
        "has_next": has_next,
        "query": request.GET.urlencode(),
        "can_export": has_perm_anywhere(_user(request), Perm.ENTERPRISE_EXPORT),
        "can_import": has_perm_anywhere(_user(request), Perm.ENTERPRISE_IMPORT),
        **_choices(),
    }
    template = "enterprises/_rows.html" if getattr(request, "htmx", False) else "enterprises/list.html"
    return render(request, template, context)


@login_required
def enterprise_export(request: HttpRequest) -> HttpResponse:
    f = {k: request.GET.get(k, "") for k in FILTERS}
    try:
        return enterprises_export(_user(request), request, f, request.GET.get("format", "csv"))
    except ServiceError as exc:
        return error_page(request, exc)


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        enterprise = selectors.enterprise_get(user=user, pk=pk)
    except ServiceError as exc:
        return error_page(request, exc)
    context = {
        "e": enterprise,
        **_choices(),
        **selectors.enterprise_detail(enterprise=enterprise),
        "reason_choices": Reason.choices,
        "can_change": has_perm_at(user, Perm.ENTERPRISE_CHANGE, enterprise.area_id),
        "can_reveal": has_perm_at(user, Perm.ENTERPRISE_REVEAL, enterprise.area_id),
        "measures": {m.code: m.text for m in services.guideline_measures()},
        "inspection_kinds": InspectionKind.choices,
        "inspection_results": InspectionResult.choices,
        "uptakes": Uptake.choices,
        "today": timezone.localdate(),
    }
    context["reason_codes"] = [r.reason for r in context["reasons"]]
    labels = context["measures"]
    for c in context["commitments"]:
        c.measure_labels = [labels.get(m, m) for m in c.measures]
    return render(request, "enterprises/detail.html", context)


@login_required
@require_POST
def enterprise_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every officer form on the detail page posts here; each action is one service call."""
    user, post = _user(request), request.POST
    try:
        enterprise = selectors.enterprise_get(user=user, pk=pk)
        if action == "reveal":
            values = services.enterprise_reveal_contact(
                actor=user, enterprise=enterprise, reason=post.get("reason", ""), request=request
            )
            return render(request, "enterprises/_revealed.html", {"values": values})
        if action == "status":
            services.enterprise_status_set(
                actor=user,
                enterprise=enterprise,
                status=post.get("status", ""),
                staff_share_back=_share(post.get("staff_share_back")),
                capacity_used=_share(post.get("capacity_used")),
                note=post.get("note", ""),
                request=request,
            )
        elif action == "reasons":
            services.reasons_set(
                actor=user,
                enterprise=enterprise,
                reasons=post.getlist("reasons"),
                note=post.get("note", ""),
                request=request,
            )
        elif action == "liaison":
            name = post.get("username", "").strip()
            official = User.objects.filter(username=name).first() if name else None
            if name and official is None:
                raise NotFound("user_not_found", _("No such official."))
            services.liaison_assign(actor=user, enterprise=enterprise, official=official, request=request)
        elif action == "plan":
            services.service_plan_save(
                actor=user, enterprise=enterprise, text=post.get("text", ""), request=request
            )
        elif action == "visit":
            services.visit_record(
                actor=user,
                enterprise=enterprise,
                visited_on=post.get("visited_on", ""),
                notes=post.get("notes", ""),
                request=request,
            )
        elif action == "inspection":
            services.inspection_record(actor=user, enterprise=enterprise, data=post.dict(), request=request)
        elif action == "deliver":
            policy = Policy.objects.filter(pk=post.get("policy") or 0, active=True).first()
            if policy is None:
                raise NotFound("policy_not_found", _("No such policy."))
            services.policy_deliver(
                actor=user,
                enterprise=enterprise,
                policy=policy,
                channel=post.get("channel", ""),
                request=request,
            )
        elif action == "uptake":
            delivery = PolicyDelivery.objects.filter(
                pk=post.get("delivery") or 0, enterprise=enterprise
            ).first()
            if delivery is None:
                raise NotFound("delivery_not_found", _("No such delivery."))
            services.delivery_uptake(
                actor=user,
                delivery=delivery,
                uptake=post.get("uptake", ""),
                amount=post.get("amount") or None,
                request=request,
            )
        elif action == "member":
            member = User.objects.filter(username=post.get("username", "").strip()).first()
            if member is None:
                raise NotFound("user_not_found", _("No such account."))
            services.enterprise_member_link(actor=user, enterprise=enterprise, user=member, request=request)
        else:
            raise NotFound("unknown_action", _("Unknown action."))
    except ServiceError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("enterprises:detail", pk=pk)


def _share(raw: str | None) -> float | None:
    if raw in (None, ""):
        return None
    try:
        value = float(str(raw).rstrip("%"))
    except ValueError:
        raise ValidationFailed("not_a_number", _("Shares are numbers between 0 and 100.")) from None
    return value / 100 if value > 1 else value


def _message(exc: ServiceError) -> str:
    details = "; ".join(f"{d.get('field', '')}: {shown(d.get('message', ''))}" for d in exc.details[:5])
    return shown(exc.message) + (f" ({details})" if details else "")


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    batch, error = None, None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            mapping = column_mapping(request.POST.get("mapping", ""))
            importer = (
                services.power_import if request.POST.get("kind") == "power" else services.enterprises_import
            )
            batch = importer(
                actor=user,
                data=upload.read(),
                filename=upload.name or "upload.csv",
                mapping=mapping,
                request=request,
            )
        except ServiceError as exc:
            error = exc.message
    return render(
        request,
        "enterprises/import.html",
        {"batch": batch, "error": error, "kind": request.POST.get("kind", "enterprises")},
    )


@login_required
def nonresumed(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    f = {k: request.GET.get(k, "").strip() for k in ("reason", "area", "liaison")}
    page = page_number(request)
    qs = selectors.nonresumed_list(
        user=user,
        reason=f["reason"],
        area=f["area"],
        liaison=f["liaison"],
        no_plan=request.GET.get("no_plan") == "1",
    )
    rows, has_next = _slice(qs, page)
    reason_labels = dict(Reason.choices)
    summary = [
        {**r, "label": reason_labels.get(r["reason"], r["reason"])}
        for r in selectors.reasons_summary(user=user, area=f["area"])
    ]
    return render(
        request,
        "enterprises/nonresumed.html",
        {
            "enterprises": rows,
            "f": f,
            "page": page,
            "has_next": has_next,
            "summary": summary,
            "query": request.GET.urlencode(),
            "reasons": Reason.choices,
            "can_export": has_perm_anywhere(user, Perm.ENTERPRISE_EXPORT),
        },
    )


@login_required
def power_flags(request: HttpRequest) -> HttpResponse:
    page = page_number(request)
    rows, has_next = _slice(
        selectors.power_flags(user=_user(request), area=request.GET.get("area", "")), page
    )
    return render(request, "enterprises/power.html", {"readings": rows, "page": page, "has_next": has_next})


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    can_manage = has_perm_anywhere(user, Perm.POLICY_MANAGE)
    error_details: list[dict[str, Any]] = []
    if request.method == "POST":
        if not can_manage:
            return error_page(request, Forbidden("forbidden", _("Your role may not manage policies.")))
        try:
            rule = json.loads(request.POST.get("rule") or "{}")
            services.policy_save(actor=user, data={**request.POST.dict(), "rule": rule}, request=request)
        except json.JSONDecodeError as exc:
            error_details = [{"field": "rule", "message": str(exc)}]
        except ServiceError as exc:
            error_details = exc.details or [{"field": "", "message": exc.message}]
        else:
            messages.success(request, _("Saved."))
            return redirect("enterprises:policies")
    return render(
        request,
        "enterprises/policies.html",
        {
            "policies": selectors.policies_list(),
            "uptake": [
                {**u, "label": dict(Uptake.choices).get(u["uptake"], u["uptake"])}
                for u in selectors.policy_uptake(user=user)
            ],
            "categories": PolicyCategory.choices,
            "can_manage": can_manage,
            "errors": error_details,
            "form": request.POST,
        },
        status=422 if error_details else 200,
    )


# --- hotline ---


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    f = {k: request.GET.get(k, "").strip() for k in ("status", "department", "level", "area")}
    page = page_number(request)
    qs = selectors.tickets_list(
        user=_user(request),
        status=f["status"],
        department=f["department"],
        overdue=request.GET.get("overdue") == "1",
        level=f["level"],
        area=f["area"],
    )
    rows, has_next = _slice(qs, page)
    return render(
        request,
        "enterprises/tickets.html",
        {
            "tickets": rows,
            "f": f,
            "page": page,
            "has_next": has_next,
            "statuses": TicketStatus.choices,
            "sla": selectors.sla_report(user=_user(request)),
            "query": request.GET.urlencode(),
            "now": timezone.now(),
        },
    )


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        ticket = selectors.ticket_get(user=user, pk=pk)
        if request.method == "POST":
            action = request.POST.get("action")
            if action == "reply":
                hotline.ticket_reply(
                    actor=user, ticket=ticket, reply=request.POST.get("reply", ""), request=request
                )
            elif action == "rate":
                try:
                    score = int(request.POST.get("satisfaction", ""))
                except ValueError:
                    score = 0
                hotline.ticket_rate(
                    actor=user,
                    ticket=ticket,
                    satisfaction=score,
                    comment=request.POST.get("comment", ""),
                    request=request,
                )
            elif action == "reopen":
                hotline.ticket_reopen(
                    actor=user, ticket=ticket, comment=request.POST.get("comment", ""), request=request
                )
            return redirect("enterprises:ticket", pk=pk)
    except ServiceError as exc:
        if request.method == "POST":
            messages.error(request, _message(exc))
            return redirect("enterprises:ticket", pk=pk)
        return error_page(request, exc)
    is_member = EnterpriseMember.objects.filter(user_id=user.pk, enterprise_id=ticket.enterprise_id).exists()
    return render(
        request,
        "enterprises/ticket.html",
        {
            "t": ticket,
            "events": ticket.events.select_related("actor"),
            "can_handle": hotline.can_handle(user, ticket),
            "is_member": is_member,
            "now": timezone.now(),
        },
    )


# --- the enterprise user's own pages (phone first) ---


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        enterprise = services.enterprise_of(user)
    except ServiceError as exc:
        return error_page(request, exc)
    errors: list[dict[str, Any]] = []
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = request.POST.dict()
        try:
            if request.POST.get("action") == "ticket":
                ticket = hotline.ticket_open(actor=user, data=form, request=request)
                messages.success(
                    request,
                    _("Ticket #%(id)s raised; reply due %(due)s.")
                    % {"id": ticket.pk, "due": timezone.localtime(ticket.due_at).strftime("%Y-%m-%d %H:%M")},
                )
            elif request.POST.get("action") == "status":
                services.enterprise_status_set(
                    actor=user,
                    enterprise=enterprise,
                    status=request.POST.get("status", ""),
                    staff_share_back=_share(request.POST.get("staff_share_back")),
                    capacity_used=_share(request.POST.get("capacity_used")),
                    request=request,
                )
                messages.success(request, _("Saved."))
            elif request.POST.get("action") == "reasons":
                services.reasons_set(
                    actor=user,
                    enterprise=enterprise,
                    reasons=request.POST.getlist("reasons"),
                    request=request,
                )
                messages.success(request, _("Saved."))
            else:
                commitment = services.commitment_file(
                    actor=user, data={**form, "measures": request.POST.getlist("measures")}, request=request
                )
                if commitment.opened_at is None:
                    messages.success(
                        request,
                        _(
                            "Your commitment is filed and accepted. You count as resumed from %(day)s, "
                            "your planned date."
                        )
                        % {"day": commitment.planned_date.isoformat()},
                    )
                else:
                    messages.success(
                        request, _("Your commitment is filed and accepted. Inspection and guidance follow.")
                    )
        except ServiceError as exc:
            errors = exc.details or [{"field": "", "message": exc.message}]
        else:
            return redirect("enterprises:mine")
    enterprise.refresh_from_db()
    return render(
        request,
        "enterprises/mine.html",
        {
            "e": enterprise,
            "commitments": enterprise.commitments.all()[:5],
            "tickets": enterprise.tickets.select_related("category")[:20],
            "categories": TicketCategory.objects.all(),
            "measures": services.guideline_measures(),
            "errors": errors,
            "form": form,
            "reason_choices": Reason.choices,
            "reason_codes": list(enterprise.reasons.values_list("reason", flat=True)),
            "today": timezone.localdate(),
        },
        status=422 if errors else 200,
    )


# --- the economic dashboard ---


@login_required
def economy_dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not has_perm_anywhere(user, Perm.ECONOMY_DASHBOARD):
        return error_page(
            request, Forbidden("forbidden", _("Your role does not see the economic dashboard."))
        )
    data = dashboard.dashboard_data(user=user)
    fills, rates = {}, {}
    for row in data["by_district"]:
        rate = row["resumed_rate"]
        code = row["label"].split(" ")[0]
        if rate is not None:
            rates[code] = f"{rate:.0%}"
            fills[code] = "#1e8e3e" if rate >= 0.8 else "#f2b600" if rate >= 0.5 else "#c5221f"
    districts = Area.objects.filter(code__in=list(fills)).values_list("code", "name_zh", "boundary")
    curve = [
        {"day": c["day"].isoformat(), "rate": c["resumed_rate"], "above": c["above_resumed_rate"]}
        for c in data["curve"]
    ]
    return render(
        request,
        "enterprises/dashboard.html",
        {
            **data,
            "map": area_map(
                districts,
                fills=fills,
                values=rates,
                value_label=pgettext("map figure", "resumed"),
                link="/enterprises/?area={code}",
            ),
            "curve_json": curve,
        },
    )

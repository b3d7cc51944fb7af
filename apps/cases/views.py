"""Pages of the cases app: thin views over the same selectors and services as the API."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.cases import lifecycle, selectors, services
from apps.cases.choices import CaseClass, CaseStatus, ContactStatus, Origin
from apps.cases.models import Contact, LabBatch
from apps.cases.tracing import trace_case
from apps.common.errors import Forbidden, NotFound, ServiceError
from apps.common.views import error_page, one_page, page_number

PAGE_SIZE = 50


def _day(request: HttpRequest, name: str) -> dt.date | None:
    try:
        return parse_date(request.GET.get(name, "").strip())
    except ValueError:
        return None


def _codes_of(person_ids: list[int]) -> dict[int, str]:
    from apps.codes.models import HealthCode

    return (
        dict(HealthCode.objects.filter(pk__in=person_ids).values_list("pk", "colour")) if person_ids else {}
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    cluster = g.get("cluster", "")
    filters = selectors.CaseFilters(
        klass=g.get("klass", ""),
        status=g.get("status", ""),
        origin=g.get("origin", ""),
        area=g.get("area", "").strip(),
        reported_from=_day(request, "reported_from"),
        reported_to=_day(request, "reported_to"),
        onset_from=_day(request, "onset_from"),
        onset_to=_day(request, "onset_to"),
        cluster=int(cluster) if cluster.isdigit() else None,
    )
    page = page_number(request)
    key = selectors.case_order_key(filters)
    qs = selectors.cases_list(user=request.user, filters=filters)  # type: ignore[arg-type]
    cursor = g.get("after", "")
    if cursor:
        qs = selectors.cases_after(qs, key, cursor)
    else:
        page = 1
    rows = list(qs[: PAGE_SIZE + 1])
    query = request.GET.copy()
    for name in ("page", "after"):
        query.pop(name, None)
    context = {
        "cases": rows[:PAGE_SIZE],
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "next_cursor": selectors.case_cursor(rows[PAGE_SIZE - 1], key) if len(rows) > PAGE_SIZE else "",
        "query": query.urlencode(),
        "f": g,
        "classes": CaseClass.choices,
        "statuses": CaseStatus.choices,
        "origins": Origin.choices,
        "can_import": has_perm_anywhere(request.user, Perm.LAB_IMPORT),  # type: ignore[arg-type]
        "can_report": has_perm_anywhere(request.user, Perm.CASE_CHANGE),  # type: ignore[arg-type]
        "initial_statuses": [(s, CaseStatus(s).label) for s in lifecycle.INITIAL_STATUSES],
    }
    template = "cases/_rows.html" if request.htmx else "cases/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = selectors.case_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    contacts = list(selectors.contacts_of_case(case=case)[:500])
    context = {
        "case": case,
        "timeline": selectors.case_timeline(case=case),
        "delays": selectors.case_delays(case=case),
        "next_statuses": [(s, CaseStatus(s).label) for s in lifecycle.allowed_next(case.status)],
        "can_change": has_perm_at(request.user, Perm.CASE_CHANGE, case.area_id),  # type: ignore[arg-type]
        "can_decide": has_perm_at(request.user, Perm.CONTACT_DECIDE, case.area_id),  # type: ignore[arg-type]
        "contacts": contacts,
        "codes": _codes_of([c.person_id for c in contacts]),
        "venues": selectors.venue_names(
            {int(e["venue_id"]) for c in contacts for e in c.evidence[:3] if "venue_id" in e}
        ),
        "links": list(selectors.links_of_case(case=case)),
    }
    return render(request, "cases/detail.html", context)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = selectors.case_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        services.case_transition(
            actor=request.user,  # type: ignore[arg-type]
            case=case,
            to=request.POST.get("to", ""),
            note=request.POST.get("note", ""),
            hospital=request.POST.get("hospital", ""),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("cases:detail", pk=pk)


@login_required
@require_POST
def case_new(request: HttpRequest) -> HttpResponse:
    """Report a case (fever-clinic report or suspected) for a person in the user's jurisdiction."""
    from apps.people.selectors import person_get

    try:
        pk = request.POST.get("person_id", "")
        if not pk.isdigit():
            raise NotFound("person_not_found", "no such person in your jurisdiction")
        person = person_get(user=request.user, pk=int(pk), perm=Perm.CASE_CHANGE)  # type: ignore[arg-type]
        case = services.case_report(
            actor=request.user,  # type: ignore[arg-type]
            person=person,
            status=request.POST.get("status", CaseStatus.FEVER),
            origin=request.POST.get("origin", Origin.LOCAL),
            onset_date=request.POST.get("onset_date") or None,
            note=request.POST.get("note", ""),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Record by hand that another case infected this one (流调 finding)."""
    try:
        infectee = selectors.case_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        other = request.POST.get("infector_id", "").lstrip("#")
        if not other.isdigit():
            raise NotFound("case_not_found", "no such case in your jurisdiction")
        infector = selectors.case_get(user=request.user, pk=int(other))  # type: ignore[arg-type]
        services.link_create(
            actor=request.user,  # type: ignore[arg-type]
            infector=infector,
            infectee=infectee,
            note=request.POST.get("note", ""),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("cases:detail", pk=pk)


@login_required
@require_POST
def case_trace(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = selectors.case_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        if not has_perm_at(request.user, Perm.CONTACT_DECIDE, case.area_id):  # type: ignore[arg-type]
            raise Forbidden("forbidden", "you may not trace this case")
        trace_case(case)
    except ServiceError as exc:
        return error_page(request, exc)
    return redirect("cases:detail", pk=pk)


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ContactStatus.SUGGESTED)
    case = request.GET.get("case", "")
    qs = selectors.contact_suggestions(
        user=request.user, status=status, case=int(case) if case.isdigit() else None
    )  # type: ignore[arg-type]
    contacts, pager = one_page(request, qs, PAGE_SIZE)
    venue_ids = {int(e["venue_id"]) for c in contacts for e in c.evidence[:3] if "venue_id" in e}
    return render(
        request,
        "cases/contacts.html",
        {
            "contacts": contacts,
            **pager,
            "status": status,
            "case_filter": case,
            "statuses": ContactStatus.choices,
            "codes": _codes_of([c.person_id for c in contacts]),
            "venues": selectors.venue_names(venue_ids),
            "can_decide": has_perm_anywhere(request.user, Perm.CONTACT_DECIDE),  # type: ignore[arg-type]
            "show_case": True,
        },
    )


@login_required
@require_POST
def contact_decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        contact = selectors.contact_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        services.contact_decide(
            actor=request.user,  # type: ignore[arg-type]
            contact=contact,
            confirm=request.POST.get("decision") == "confirm",
            note=request.POST.get("note", ""),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(request.POST.get("next") or "cases:contacts")
    # The code was recomputed after commit: the row shows the new colour at once.
    contact = Contact.objects.select_related("case", "person", "person__area", "via").get(pk=pk)
    venue_ids = {int(e["venue_id"]) for e in contact.evidence[:3] if "venue_id" in e}
    return render(
        request,
        "cases/_contact_row.html",
        {
            "c": contact,
            "codes": _codes_of([contact.person_id]),
            "venues": selectors.venue_names(venue_ids),
            "can_decide": True,
            "show_case": request.POST.get("show_case") == "1",
        },
    )


@login_required
def cluster_list(request: HttpRequest) -> HttpResponse:
    area = request.GET.get("area", "").strip()
    qs = selectors.clusters_list(user=request.user, area=area)  # type: ignore[arg-type]
    clusters, pager = one_page(request, qs, PAGE_SIZE)
    venue_ids = {v for c in clusters for v in c.venue_ids[:5]}
    return render(
        request,
        "cases/clusters.html",
        {
            "clusters": clusters,
            **pager,
            "area": area,
            "venues": selectors.venue_names(venue_ids),
        },
    )


@login_required
def lab_import(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.LAB_IMPORT):  # type: ignore[arg-type]
        return error_page(request, Forbidden("forbidden", "you may not import lab results"))
    batch = None
    error: ServiceError | None = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            batch = services.labs_import_file(
                actor=request.user,  # type: ignore[arg-type]
                lab=request.POST.get("lab", ""),
                data=upload.read(),
                filename=upload.name or "labs.csv",
                request=request,
            )
        except ServiceError as exc:
            error = exc
    batches = LabBatch.objects.filter(uploaded_by=request.user)[:20]
    return render(request, "cases/labs.html", {"batch": batch, "error": error, "batches": batches})

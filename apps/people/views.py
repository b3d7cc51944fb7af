"""Pages of the people app: thin views over the same selectors and services as the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.choices import Perm
from apps.accounts.scoping import has_perm_anywhere, has_perm_at
from apps.common.apitypes import column_mapping
from apps.common.errors import NotFound, ServiceError, ValidationFailed
from apps.common.messages import shown
from apps.common.views import error_page, int_param, one_page
from apps.people import selectors, services
from apps.people.choices import ReferralDecision, ReferralSource
from apps.people.exports import persons_export
from apps.people.forms import ImportForm, PersonForm
from apps.people.history import person_history

PAGE_SIZE = 50


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    area = request.GET.get("area", "").strip()
    page = int_param(request, "page", 1, 1, 1_000_000)
    size = int_param(request, "page_size", PAGE_SIZE, 10, 500)
    qs = selectors.persons_list(user=request.user, query=query, area=area)  # type: ignore[arg-type]
    rows = list(qs[(page - 1) * size : page * size + 1])
    context = {
        "persons": rows[:size],
        "page_size": size,
        "query": query,
        "area": area,
        "page": page,
        "has_next": len(rows) > size,
        "can_create": has_perm_anywhere(request.user, Perm.PERSON_CHANGE),  # type: ignore[arg-type]
        "can_export": has_perm_anywhere(request.user, Perm.PERSON_EXPORT),  # type: ignore[arg-type]
    }
    template = "people/_rows.html" if request.htmx else "people/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person = selectors.person_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    members = selectors.household_members(user=request.user, person=person)  # type: ignore[arg-type]
    events = person_history(user=request.user, person=person)
    # No reveal button for a user whose reveal would be refused.
    can_reveal = has_perm_at(request.user, Perm.PERSON_REVEAL, person.area_id)  # type: ignore[arg-type]
    return render(
        request,
        "people/detail.html",
        {"person": person, "members": members, "history": events, "can_reveal": can_reveal},
    )


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person = selectors.person_get(user=request.user, pk=pk)  # type: ignore[arg-type]
        values = services.person_reveal(
            actor=request.user,  # type: ignore[arg-type]
            person=person,
            fields=request.POST.getlist("fields") or list(services.REVEALABLE),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)
    return render(request, "people/_revealed.html", {"person": person, "values": values})


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    errors: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=request.user, data=form.cleaned_data, request=request, source=ReferralSource.FORM  # type: ignore[arg-type]
            )  # type: ignore[arg-type]
        except ServiceError as exc:
            errors = exc.details or [{"field": "", "message": exc.message}]
        else:
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/new.html", {"form": form, "errors": errors}, status=422 if errors else 200)


@login_required
def person_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    batch, error = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            mapping = column_mapping(form.cleaned_data["mapping"])
            batch, queued = services.persons_import_start(
                actor=request.user, data=upload.read(), filename=upload.name, mapping=mapping, request=request  # type: ignore[arg-type]
            )
            if queued:  # a big file: follow the background job on its own page
                return redirect("people:import-job", pk=batch.pk)
        except ServiceError as exc:
            error = shown(exc.message)
    return render(request, "people/import.html", {"form": form, "batch": batch, "error": error})


@login_required
def person_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A background import's progress (refreshed every few seconds while it runs), then its report."""
    try:
        batch = selectors.person_import_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ServiceError as exc:
        return error_page(request, exc)
    template = "people/_import_job.html" if request.htmx else "people/import_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"batch": batch, "running": batch.status in ("queued", "running")})


@login_required
def person_export(request: HttpRequest) -> HttpResponse:
    try:
        return persons_export(
            user=request.user,  # type: ignore[arg-type]
            query=request.GET.get("q", ""),
            area=request.GET.get("area", ""),
            fmt=request.GET.get("format", "csv"),
            request=request,
        )
    except ServiceError as exc:
        return error_page(request, exc)


MERGE_PAGE_SIZE = 25
_MERGE_LIST_FIELDS = ("reason", "created_at", "person_a", "person_b") + tuple(
    f"{side}__{field}" for side in ("person_a", "person_b") for field in ("name_masked", "doc_masked")
)


@login_required
def merge_candidates(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.PERSON_MERGE):  # type: ignore[arg-type]
        # Say so, rather than an empty list that reads as "no duplicates".
        return render(request, "403.html", status=403)
    if request.method == "POST":
        candidate = selectors.merge_candidates_open(user=request.user).filter(pk=request.POST.get("candidate") or 0).first()  # type: ignore[arg-type]
        if candidate is None:
            return error_page(request, NotFound("candidate_not_found", "no such open duplicate in your jurisdiction"))
        pair = {candidate.person_a_id: candidate.person_a, candidate.person_b_id: candidate.person_b}
        try:
            if request.POST.get("action") == "dismiss":
                services.merge_candidate_dismiss(actor=request.user, candidate=candidate, request=request)  # type: ignore[arg-type]
            else:
                winner_id = int(request.POST.get("winner") or candidate.person_a_id)
                if winner_id not in pair:
                    raise ValidationFailed("bad_winner", "the record to keep must be one of the pair")
                loser_id = next(pk for pk in pair if pk != winner_id)
                services.person_merge(actor=request.user, winner=pair[winner_id], loser=pair[loser_id], request=request)  # type: ignore[arg-type]
        except ValueError:
            return error_page(request, ValidationFailed("bad_winner", "the record to keep must be one of the pair"))
        except ServiceError as exc:
            return error_page(request, exc)
        return redirect("people:merge")
    # The list shows each record's masked name and document only: no encrypted columns, no areas.
    # A page of pairs, newest first: each is a decision to take, so a short page reads (and renders) fast.
    candidates = (
        selectors.merge_candidates_open(user=request.user)  # type: ignore[arg-type]
        .select_related(None)
        .select_related("person_a", "person_b")
        .only(*_MERGE_LIST_FIELDS)
    )
    rows, pager = one_page(request, candidates, MERGE_PAGE_SIZE)
    return render(request, "people/merge.html", {"candidates": rows, **pager})


REFERRAL_PAGE_SIZE = 50


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """Registrations of our residents attempted in another district: open ones first, each decided once."""
    user = request.user
    if request.method == "POST":
        try:
            pk = request.POST.get("referral", "")
            referral = selectors.referral_get(user=user, pk=int(pk) if pk.isdigit() else 0)  # type: ignore[arg-type]
            services.referral_decide(
                actor=user,  # type: ignore[arg-type]
                referral=referral,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
                request=request,
            )
        except ServiceError as exc:
            return error_page(request, exc)
        return redirect("people:referrals")
    show_all = request.GET.get("all") == "1"
    referrals = (
        selectors.referrals_list(user=user, open_only=not show_all)  # type: ignore[arg-type]
        .select_related("person", "claimed_area")
        .order_by("decided_at", "-created_at", "-id")
    )
    rows, pager = one_page(request, referrals, REFERRAL_PAGE_SIZE)
    return render(
        request,
        "people/referrals.html",
        {"referrals": rows, **pager, "show_all": show_all, "decisions": ReferralDecision.choices},
    )

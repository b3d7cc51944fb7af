"""Pages of the accounts app: sign-in with lockout, the home shell, the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.choices import AuditAction, Perm, Role
from apps.accounts.models import AuditLog
from apps.accounts.scoping import grant_prefixes, roles_of
from apps.accounts.selectors import audit_entries
from apps.accounts.services import login_attempt


def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        result = login_attempt(
            username=request.POST.get("username", ""), password=request.POST.get("password", ""), request=request
        )
        if result.user is not None:
            login(request, result.user, backend="apps.accounts.backends.LockoutModelBackend")
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = ""
            return redirect(next_url or "home")
        if result.reason == "locked" and result.locked_until:
            error = _("Too many failed attempts. The account is locked until %(time)s.") % {
                "time": timezone.localtime(result.locked_until).strftime("%H:%M")
            }
        else:
            error = _("Wrong username or password.")
    return render(request, "accounts/login.html", {"error": error, "next": next_url}, status=401 if error else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Role labels, not their stored values: a reader sees 经济部门干部, never economic_officer.
    roles = [Role(r).label if r in Role.values else r for r in sorted(roles_of(request.user))]  # type: ignore[arg-type]
    return render(request, "accounts/home.html", {"roles": roles, "scopes": grant_prefixes(request.user, Perm.PERSON_VIEW)})  # type: ignore[arg-type]


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not grant_prefixes(request.user, Perm.AUDIT_VIEW):  # type: ignore[arg-type]
        return render(request, "403.html", status=403)
    since = _date(request.GET.get("since"))
    until = _date(request.GET.get("until"))
    qs = audit_entries(
        user=request.user,  # type: ignore[arg-type]
        action=request.GET.get("action", ""),
        actor=request.GET.get("actor", "").strip(),
        object_type=request.GET.get("object_type", "").strip(),
        since=since,
        until=until + dt.timedelta(days=1) if until else None,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.object_label, entry.changes = _audit_display(entry)
    return render(request, "accounts/audit.html", {"page": page, "actions": AuditAction.choices, "params": request.GET})


# What an audit entry names, in the reader's language (the log stores "app.model" so it never needs a migration).
OBJECT_LABELS = {
    "people.person": pgettext_lazy("audit object", "Person"),
    "geo.area": pgettext_lazy("audit object", "Area"),
    "cases.case": pgettext_lazy("audit object", "Case"),
    "cases.contact": pgettext_lazy("audit object", "Contact"),
    "codes.override": pgettext_lazy("audit object", "Code override"),
    "codes.signingkey": pgettext_lazy("audit object", "Signing key"),
    "venues.scan": pgettext_lazy("audit object", "Scans"),
    "venues.venue": pgettext_lazy("audit object", "Venue"),
    "enterprises.enterprise": pgettext_lazy("audit object", "Enterprise"),
    "enterprises.commitment": pgettext_lazy("audit object", "Commitment"),
    "enterprises.policydelivery": pgettext_lazy("audit object", "Policy delivery"),
    "enterprises.powerreading": pgettext_lazy("audit object", "Electricity readings"),
    "enterprises.ticket": pgettext_lazy("audit object", "Hotline ticket"),
    "indicators.report": pgettext_lazy("audit object", "Indicator report"),
    "prices.pricerecord": pgettext_lazy("audit object", "Prices"),
    "projects.project": pgettext_lazy("audit object", "Project"),
    "society.dispute": pgettext_lazy("audit object", "Dispute"),
    "society.school": pgettext_lazy("audit object", "School"),
    "accounts.user": pgettext_lazy("audit object", "Account"),
}
# Keys of what an export or import records (its filters and counts) that are not fields of the model.
KEY_LABELS = {
    "rows": pgettext_lazy("audit key", "rows"),
    "format": pgettext_lazy("audit key", "format"),
    "q": pgettext_lazy("audit key", "search"),
    "query": pgettext_lazy("audit key", "search"),
    "since": pgettext_lazy("audit key", "from"),
    "until": pgettext_lazy("audit key", "until"),
    "reason": pgettext_lazy("audit key", "reason"),
    "above": pgettext_lazy("audit key", "above designated size"),
    "industry": pgettext_lazy("audit key", "industry"),
    "size": pgettext_lazy("audit key", "size"),
    "readiness": pgettext_lazy("audit key", "readiness"),
    "item": pgettext_lazy("audit key", "item"),
    "market": pgettext_lazy("audit key", "market"),
}


def _shown_value(value: Any) -> Any:
    """A stored ISO time in Shanghai time as the pages write it; anything else as it is."""
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":
        moment = parse_datetime(value)
        if moment is not None and timezone.is_aware(moment):
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return value


def _audit_display(entry: AuditLog) -> tuple[str, list[tuple[str, Any, Any]]]:
    """The object's name and each changed field as (label, before, after), choice values shown by their label."""
    try:
        model = django_apps.get_model(entry.object_type) if "." in entry.object_type else None
    except LookupError:
        model = None
    label = OBJECT_LABELS.get(entry.object_type) or (model._meta.verbose_name if model else entry.object_type)
    before, after = entry.before or {}, entry.after or {}
    changes: list[tuple[str, Any, Any]] = []
    for name in list(dict.fromkeys([*before, *after])) if isinstance(before, dict) and isinstance(after, dict) else []:
        field_label: Any = KEY_LABELS.get(name, name)
        choices: dict[Any, Any] = {}
        if model is not None:
            try:
                field = model._meta.get_field(name)
                field_label = getattr(field, "verbose_name", name)
                choices = dict(getattr(field, "flatchoices", None) or [])
            except FieldDoesNotExist:
                pass
        old, new = before.get(name), after.get(name)
        if old in (None, "") and new in (None, ""):
            continue
        changes.append((str(field_label), _shown_value(choices.get(old, old)), _shown_value(choices.get(new, new))))
    return str(label), changes


def _date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())

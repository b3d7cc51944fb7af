"""Pages of the accounts app: sign-in with lockout, the home shell, the audit log."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.choices import AuditAction, Perm
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
    roles = sorted(roles_of(request.user))  # type: ignore[arg-type]
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
    return render(request, "accounts/audit.html", {"page": page, "actions": AuditAction.choices, "params": request.GET})


def _date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())

"""API of the accounts app: tokens for devices, who am I, and the audit log."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from apps.accounts.choices import Perm
from apps.accounts.http import AuthedRequest
from apps.accounts.scoping import has_perm_anywhere, roles_of
from apps.accounts.selectors import audit_entries
from apps.accounts.services import login_attempt, token_issue
from apps.common.apitypes import InSchema, Moment, PageNumber, PageSize
from apps.common.errors import Forbidden, ServiceError
from apps.common.pagination import Page, paginate

router = Router(tags=["auth"])
audit_router = Router(tags=["audit"])


class TokenIn(InSchema):
    username: str
    password: str
    name: str = "device"


class TokenOut(Schema):
    token: str


class Unauthenticated(ServiceError):
    status = 401


@router.post("/token", auth=None, response=TokenOut)
def create_token(request: HttpRequest, body: TokenIn) -> dict[str, str]:
    """Exchange a username and password for a bearer token (shown once). Repeated failures lock the account."""
    result = login_attempt(username=body.username, password=body.password, request=request)
    if result.user is None:
        if result.reason == "locked":
            raise Forbidden("locked", f"the account is locked until {result.locked_until:%Y-%m-%d %H:%M} UTC")
        raise Unauthenticated("invalid_credentials", "wrong username or password")
    return {"token": token_issue(user=result.user, name=body.name, request=request)}


class MeOut(Schema):
    username: str
    roles: list[str]
    person_id: int | None


@router.get("/me", response=MeOut)
def me(request: AuthedRequest) -> dict[str, object]:
    user = request.user
    return {"username": user.get_username(), "roles": sorted(roles_of(user)), "person_id": user.person_id}


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    area_code: str
    fields: list[str]
    before: dict[str, object] | None
    after: dict[str, object] | None
    reason: str
    ip: str | None


@audit_router.get("", response=Page[AuditOut])
def audit_list(
    request: AuthedRequest,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: Moment | None = None,
    until: Moment | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict[str, object]:
    """The append-only audit log, newest first, for auditors of the areas the entries belong to."""
    if not has_perm_anywhere(request.user, Perm.AUDIT_VIEW):
        raise Forbidden("audit_forbidden", "only auditors may read the audit log")
    qs = audit_entries(user=request.user, action=action, actor=actor, object_type=object_type,
                       object_id=object_id, since=since, until=until)
    return paginate(qs, page, page_size)

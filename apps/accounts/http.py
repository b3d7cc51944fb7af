"""The request an authenticated API operation receives: `request.user` is a signed-in `User`.

Every django-ninja operation behind the API's default auth (bearer token or session, see tongchou.api) is only
called once a user is known, so it annotates its request as `AuthedRequest` instead of `HttpRequest` and passes
`request.user` on without a cast. Operations with `auth=None` keep `HttpRequest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from apps.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User

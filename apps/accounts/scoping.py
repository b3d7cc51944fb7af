"""Jurisdiction: which area prefixes a user may act in for a permission. The one scoping mechanism.

Every selector filters with `area_q(user, perm)`, so scope is applied in SQL (a prefix match on the
indexed area code), never by filtering rows in Python after the fact.
"""

from __future__ import annotations

from django.db.models import Q

from apps.accounts.choices import ROLE_PERMS
from apps.accounts.models import RoleGrant, User
from core import geocodes


def _grants(user: User) -> list[tuple[str, str]]:
    # One query per user object per request, however many permissions the page checks.
    if "_grants" not in user.__dict__:
        user.__dict__["_grants"] = list(RoleGrant.objects.filter(user=user).values_list("role", "area_id"))
    grants: list[tuple[str, str]] = user.__dict__["_grants"]
    return grants


def grant_prefixes(user: User, perm: str) -> list[str]:
    if not user.is_authenticated or not user.is_active:
        return []
    cache: dict[str, list[str]] = user.__dict__.setdefault("_scope_cache", {})
    if perm not in cache:
        codes = [area for role, area in _grants(user) if perm in ROLE_PERMS.get(role, set())]
        prefixes = sorted({geocodes.scope_prefix(c) for c in codes})
        # Drop prefixes already covered by a shorter one: fewer OR terms in every query.
        cache[perm] = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    return cache[perm]


def jurisdiction_prefixes(user: User) -> list[str]:
    """The prefixes of every area the user holds any role in (what an area picker may offer)."""
    if not user.is_authenticated or not user.is_active:
        return []
    prefixes = sorted({geocodes.scope_prefix(area) for _, area in _grants(user)})
    return [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]


def area_q(user: User, perm: str, field: str = "area") -> Q:
    """A Q that keeps rows whose area lies in the user's jurisdiction for `perm`; matches nothing if none."""
    prefixes = grant_prefixes(user, perm)
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for prefix in prefixes:
        q |= Q(**{f"{field}__code__startswith": prefix})
    return q


def has_perm_at(user: User, perm: str, area_code: str) -> bool:
    return any(area_code.startswith(p) for p in grant_prefixes(user, perm))


def has_perm_anywhere(user: User, perm: str) -> bool:
    return bool(grant_prefixes(user, perm))


def roles_of(user: User) -> set[str]:
    if not user.is_authenticated:
        return set()
    return {role for role, _area in _grants(user)}

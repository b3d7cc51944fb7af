"""Reads of the people app, always scoped to the caller's jurisdiction in SQL."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from apps.accounts.choices import Perm
from apps.accounts.models import User
from apps.accounts.scoping import area_q
from apps.common.errors import NotFound
from apps.people import pii
from apps.people.choices import DocType, MergeStatus
from apps.people.models import DuplicateReferral, ImportBatch, MergeCandidate, Person
from core import idnum
from core.geocodes import AreaCodeError, scope_prefix
from core.persons import PHONE_CN, PHONE_INTL, normalise_phone

_AREA = re.compile(r"^\d{6}(\d{3}){0,2}$")
_DOC = re.compile(r"^[A-Za-z0-9<]{5,20}$")


def person_search_q(query: str) -> Q:
    """Turn what an officer types into an exact, indexed condition: ID number, phone, area code, or name.

    Names, numbers and phones are encrypted, so matching is exact through their keyed hashes: there is no
    substring search on personal data, by design.
    """
    text = query.strip()
    if not text:
        return Q()
    compact = idnum.normalise(text)
    if len(compact) == 18 and compact[:17].isdigit():
        return Q(dedup_key=pii.doc_key(DocType.RESIDENT_ID, compact))
    phone = normalise_phone(text)
    if PHONE_CN.match(phone) or PHONE_INTL.match(phone):
        return Q(phone_hash=pii.phone_hash(phone))
    if _AREA.match(text):
        return Q(area__code__startswith=scope_prefix(text))
    q = Q(name_hash=pii.name_hash(text))
    if _DOC.match(compact):
        q |= Q(dedup_key__in=[pii.doc_key(t, compact) for t in DocType.values if t != DocType.RESIDENT_ID])
    return q


def persons_list(*, user: User, query: str = "", area: str = "", perm: str = Perm.PERSON_VIEW) -> QuerySet[Person]:
    qs = Person.objects.visible_to(user, perm).active().select_related("area")
    if query:
        qs = qs.filter(person_search_q(query))
    if area:
        try:
            qs = qs.filter(area__code__startswith=scope_prefix(area))
        except AreaCodeError:
            qs = qs.none()
    return qs.order_by("id")


def person_get(*, user: User, pk: int, perm: str = Perm.PERSON_VIEW) -> Person:
    person = Person.objects.visible_to(user, perm).select_related("area", "household", "merged_into").filter(pk=pk).first()
    if person is None:
        # The same answer for "does not exist" and "not yours": no probing of other districts.
        raise NotFound("person_not_found", "no such person in your jurisdiction")
    return person


def household_members(*, user: User, person: Person) -> QuerySet[Person]:
    if not person.household_id:
        return Person.objects.none()
    return Person.objects.visible_to(user).active().filter(household_id=person.household_id).order_by("id")


def merge_candidates_open(*, user: User) -> QuerySet[MergeCandidate]:
    # Both records in scope, tested on the joined rows: with an `IN (persons of the district)` subquery the
    # planner hashed a whole district's persons for every page (0.5 s at 300,000 persons); joined, it walks
    # the open candidates newest first (index people_merge_open_recent) and stops at the page's end.
    return (
        MergeCandidate.objects.filter(status=MergeStatus.OPEN)
        .filter(area_q(user, Perm.PERSON_MERGE, "person_a__area"), area_q(user, Perm.PERSON_MERGE, "person_b__area"))
        .select_related("person_a", "person_b", "person_a__area", "person_b__area")
        .order_by("-created_at")
    )


def import_batches(*, user: User) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(uploaded_by=user)


def referrals_list(*, user: User, open_only: bool = False) -> QuerySet[DuplicateReferral]:
    """Duplicate registrations referred to the user's jurisdiction (by the person's residence when referred)."""
    rows = DuplicateReferral.objects.filter(area_q(user, Perm.PERSON_VIEW)).select_related(
        "referred_by", "decided_by"
    )
    return rows.filter(decided_at__isnull=True) if open_only else rows


def referral_get(*, user: User, pk: int) -> DuplicateReferral:
    referral = referrals_list(user=user).filter(pk=pk).first()
    if referral is None:
        raise NotFound("referral_not_found", "no such referral in your jurisdiction")
    return referral


def person_import_get(*, user: User, pk: int) -> ImportBatch:
    """One of the user's own person imports (its report names lines of their file): 404 for anyone else's."""
    batch = import_batches(user=user).filter(kind="persons", pk=pk).defer("upload_enc").first()
    if batch is None:
        raise NotFound("import_not_found", "no such import of yours")
    return batch

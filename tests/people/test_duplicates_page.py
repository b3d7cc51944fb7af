"""The duplicates page: each officer sees the pairs of their own district, in a bounded number of queries, by a
query that never loads the district's persons (it walks the open candidates and joins the two records)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.people.models import MergeCandidate
from tests.factories import COMMUNITY_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairs(officer_a, officer_b, person_factory):
    """Five open pairs in district A, one in district B, one across A and B."""
    a = [person_factory(actor=officer_a) for _ in range(10)]
    b = [person_factory(actor=officer_b, area_code=COMMUNITY_B) for _ in range(3)]
    made = [MergeCandidate(person_a=a[i], person_b=a[i + 1], reason="name_birth") for i in range(0, 10, 2)]
    made += [MergeCandidate(person_a=b[0], person_b=b[1], reason="name_phone")]
    made += [MergeCandidate(person_a=a[0], person_b=b[2], reason="name_birth")]
    return MergeCandidate.objects.bulk_create(made)


def test_each_officer_sees_only_pairs_wholly_in_their_district(pairs, officer_a, officer_b, client_of):
    seen_a = list(client_of(officer_a).get("/persons/duplicates/").context["candidates"])
    seen_b = list(client_of(officer_b).get("/persons/duplicates/").context["candidates"])
    assert {c.pk for c in seen_a} == {c.pk for c in pairs[:5]}
    assert {c.pk for c in seen_b} == {pairs[5].pk}


def test_the_page_uses_one_query_for_the_list_and_no_subquery_over_persons(pairs, officer_a, client_of):
    client = client_of(officer_a)
    client.get("/persons/duplicates/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/persons/duplicates/")
    assert response.status_code == 200 and len(response.context["candidates"]) == 5
    listing = [q["sql"] for q in queries.captured_queries if "people_mergecandidate" in q["sql"]]
    assert len(listing) == 1
    sql = listing[0].upper()
    # Before: "person_a_id IN (SELECT ... FROM people_person ... LIKE '990101%')", twice: the planner hashed
    # every person of the district (0.5 s at 300,000 persons). Now both records are joined by key.
    assert "IN (SELECT" not in sql
    # Only what the page shows: no encrypted columns.
    assert "NAME_ENC" not in sql and "DOC_NUMBER_ENC" not in sql
    assert len(queries.captured_queries) <= 6


def test_the_pairs_come_a_page_at_a_time(pairs, officer_a, client_of, monkeypatch):
    monkeypatch.setattr("apps.people.views.MERGE_PAGE_SIZE", 2)
    client = client_of(officer_a)
    first, last = client.get("/persons/duplicates/"), client.get("/persons/duplicates/?page=3")
    assert len(first.context["candidates"]) == 2 and first.context["has_next"]
    assert len(last.context["candidates"]) == 1 and not last.context["has_next"]
    shown = [c.pk for p in (1, 2, 3) for c in client.get(f"/persons/duplicates/?page={p}").context["candidates"]]
    assert sorted(shown) == sorted(c.pk for c in pairs[:5])

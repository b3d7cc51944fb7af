"""List pages and list endpoints use a bounded number of queries whatever the page size."""

from __future__ import annotations

import pytest

from apps.people.services import person_columns, persons_bulk_insert
from core import synthetic

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(city):
    """300 persons in district A through the demo generator's fast path."""
    import datetime as dt
    import random

    from django.utils import timezone

    from core.persons import CleanPerson

    now = timezone.now()
    specs = list(synthetic.people(random.Random(1), 300, dt.date(2020, 2, 1), ["990101001001", "990101001002"]))
    clean = [CleanPerson(name=p.name, doc_type=p.doc_type, doc_number=p.doc_number, sex=p.sex, birth_date=p.birth_date,
                         phone=p.phone, area_code=p.area_code, address=p.address, nationality=p.nationality,
                         household_ref=p.household_ref, relation=p.relation) for p in specs]
    persons_bulk_insert([person_columns(c, now) for c in clean], households=[c.household_ref for c in clean])


@pytest.mark.parametrize("page_size", [10, 200])
def test_the_person_list_page_query_count_is_bounded(many, officer_a, client_of, django_assert_max_num_queries,
                                                     page_size):
    client = client_of(officer_a)
    with django_assert_max_num_queries(6):
        response = client.get("/persons/", {"page_size": page_size})
    assert response.status_code == 200
    assert response.content.decode().count('class="person-row"') == page_size


@pytest.mark.parametrize("page_size", [10, 200])
def test_the_person_list_api_query_count_is_bounded(many, officer_a, api_of, django_assert_max_num_queries, page_size):
    api = api_of(officer_a)
    with django_assert_max_num_queries(6):
        body = api.get("/api/persons/", {"page_size": page_size}).json()
    assert len(body["items"]) == page_size

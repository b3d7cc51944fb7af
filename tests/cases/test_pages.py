"""Pages and API of cases: jurisdiction, bounded queries, confirm turns the contact's code red."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.cases import services
from apps.cases.choices import CaseStatus, ContactStatus
from apps.cases.models import Case, Contact
from apps.codes.models import HealthCode
from apps.venues.models import Scan, Venue
from tests.factories import COMMUNITY_A, COMMUNITY_B


def _cases(person_factory: Any, officer: Any, epi: Any, n: int, area: str = COMMUNITY_A) -> list[Case]:
    out = []
    for _ in range(n):
        person = person_factory(actor=officer, area_code=area)
        out.append(
            services.case_report(
                actor=epi, person=person, status=CaseStatus.SUSPECTED, onset_date=timezone.localdate()
            )
        )
    return out


@pytest.mark.django_db
def test_the_case_list_shows_only_the_jurisdiction_with_a_constant_query_count(
    person_factory: Any,
    officer_a: Any,
    officer_b: Any,
    epi: Any,
    client_of: Any,
    django_assert_max_num_queries: Any,
) -> None:
    mine = _cases(person_factory, officer_a, epi, 3)
    theirs = _cases(person_factory, officer_b, epi, 2, COMMUNITY_B)
    client = client_of(officer_a)
    with django_assert_max_num_queries(8):
        page = client.get("/cases/").content.decode()
    assert all(f"/cases/{c.pk}/" in page for c in mine)
    assert not any(f"/cases/{c.pk}/" in page for c in theirs)
    _cases(person_factory, officer_a, epi, 25)
    with django_assert_max_num_queries(8):
        assert client.get("/cases/?klass=suspected&area=990101").status_code == 200
    assert client_of(officer_b).get(f"/cases/{mine[0].pk}/").status_code == 404


@pytest.mark.django_db
def test_the_api_lists_cases_with_filters_and_hides_other_districts(
    person_factory: Any,
    officer_a: Any,
    officer_b: Any,
    epi: Any,
    api_of: Any,
    django_assert_max_num_queries: Any,
) -> None:
    mine = _cases(person_factory, officer_a, epi, 2)
    services.case_transition(actor=epi, case=mine[0], to=CaseStatus.CONFIRMED)
    client = api_of(officer_a)
    with django_assert_max_num_queries(8):
        body = client.get("/api/cases/?klass=confirmed").json()
    assert [c["id"] for c in body["items"]] == [mine[0].pk]
    assert api_of(officer_b).get("/api/cases/").json()["items"] == []
    assert api_of(officer_b).get(f"/api/cases/{mine[0].pk}").status_code == 404
    detail = api_of(epi).get(f"/api/cases/{mine[0].pk}").json()
    assert detail["allowed_next"] == [CaseStatus.HOSPITALISED]
    assert [e["to_status"] for e in detail["events"]] == ["suspected", "confirmed"]


@pytest.mark.django_db
def test_a_refused_transition_is_a_409_with_the_allowed_steps(
    person_factory: Any, officer_a: Any, epi: Any, api_of: Any
) -> None:
    case = _cases(person_factory, officer_a, epi, 1)[0]
    response = api_of(epi).post(
        f"/api/cases/{case.pk}/transition", {"to": "recovered"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert response.json()["details"][0]["allowed"] == ["confirmed", "asymptomatic", "excluded"]


@pytest.mark.django_db
def test_confirming_a_contact_turns_their_code_red_at_once(
    person_factory: Any, officer_a: Any, epi: Any, client_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case_person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    contact_person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    venue = Venue.objects.create(name="菜市场", category="supermarket", area_id=COMMUNITY_A)
    seen = timezone.now() - dt.timedelta(hours=20)
    Scan.objects.create(person=case_person, venue=venue, scanned_at=seen, client_id="a")
    Scan.objects.create(
        person=contact_person, venue=venue, scanned_at=seen + dt.timedelta(minutes=10), client_id="b"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_report(
            actor=epi, person=case_person, status=CaseStatus.SUSPECTED, onset_date=timezone.localdate()
        )
        services.case_transition(actor=epi, case=case, to=CaseStatus.CONFIRMED)
    contact = Contact.objects.get(case=case, person=contact_person)  # traced by itself after commit
    assert contact.status == ContactStatus.SUGGESTED and contact.evidence[0]["venue_id"] == venue.pk
    assert HealthCode.objects.get(pk=case_person.pk).colour == "red"
    client = client_of(epi)
    page = client.get("/cases/contacts/").content.decode()
    assert "菜市场" in page and f"contact-{contact.pk}" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/cases/contacts/{contact.pk}/decide/", {"decision": "confirm"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200 and 'data-status="confirmed"' in response.content.decode()
    assert HealthCode.objects.get(pk=contact_person.pk).colour == "red"
    # (Inside the test transaction the recompute runs after the response; the browser test sees it in it.)
    page = client.get(f"/cases/contacts/?status=confirmed&case={case.pk}").content.decode()
    assert 'data-code="red"' in page


@pytest.mark.django_db
def test_the_detail_page_shows_the_timeline_and_earlies(
    person_factory: Any, officer_a: Any, epi: Any, client_of: Any
) -> None:
    case = _cases(person_factory, officer_a, epi, 1)[0]
    services.case_transition(actor=epi, case=case, to=CaseStatus.CONFIRMED, note="核酸阳性")
    page = client_of(epi).get(f"/cases/{case.pk}/").content.decode()
    assert "核酸阳性" in page and "cases/" in page


@pytest.mark.django_db
def test_the_lab_page_imports_a_file_and_pages_render(
    person_factory: Any, officer_a: Any, epi: Any, client_of: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.people.services import person_plain

    person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    doc = person_plain(person)["doc_number"]
    data = f"样本编号,采样时间,检测结果,身份证号\nS9,{timezone.localdate() - dt.timedelta(days=1)} 08:00,阳性,{doc}\n".encode()
    client = client_of(epi)
    response = client.post("/cases/labs/", {"lab": "一院", "file": SimpleUploadedFile("r.csv", data)})
    assert (
        response.status_code == 200
        and Case.objects.filter(person=person, status=CaseStatus.ASYMPTOMATIC).exists()
    )
    for url in ("/cases/clusters/", "/epi/", "/epi/chains/", "/epi/chains/data/"):
        assert client.get(url).status_code == 200, url
    assert client_of(officer_a).get("/cases/labs/").status_code == 403


@pytest.mark.django_db
def test_a_manual_link_makes_a_cluster(person_factory: Any, officer_a: Any, epi: Any, api_of: Any) -> None:
    a, b = _cases(person_factory, officer_a, epi, 2)
    for c in (a, b):
        services.case_transition(actor=epi, case=c, to=CaseStatus.CONFIRMED)
    response = api_of(epi).post(
        "/api/cases/links",
        {"infector_id": a.pk, "infectee_id": b.pk, "note": "同餐"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert services.clusters_recompute() == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.cluster_id == b.cluster_id is not None
    clusters = api_of(epi).get("/api/cases/clusters").json()["items"]
    assert clusters[0]["size"] == 2
    assert (
        api_of(epi)
        .post("/api/cases/links", {"infector_id": b.pk, "infectee_id": a.pk}, content_type="application/json")
        .status_code
        == 409
    )


@pytest.mark.django_db
def test_an_epidemiologist_reports_a_case_and_links_it_from_the_pages(
    person_factory: Any, officer_a: Any, officer_b: Any, epi: Any, client_of: Any
) -> None:
    first = _cases(person_factory, officer_a, epi, 1)[0]
    person = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    client = client_of(epi)
    response = client.post(
        "/cases/new/", {"person_id": person.pk, "status": "fever", "onset_date": str(timezone.localdate())}
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (
        client.post(f"/cases/{case.pk}/link/", {"infector_id": first.pk, "note": "同住"}).status_code == 302
    )
    assert case.infected_by.get().infector_id == first.pk
    assert client_of(officer_b).post("/cases/new/", {"person_id": person.pk}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters", ["", f"reported_from={dt.date(2020, 1, 1)}", f"onset_from={dt.date(2020, 1, 1)}"]
)
def test_the_case_list_walks_every_case_once_page_by_page(
    person_factory: Any, officer_a: Any, epi: Any, client_of: Any, filters: str, monkeypatch: Any
) -> None:
    import re

    from apps.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    cases = _cases(person_factory, officer_a, epi, 8)
    Case.objects.filter(pk=cases[2].pk).update(reported_at=cases[5].reported_at)  # a tie in the sort key
    client = client_of(epi)
    url, seen = f"/cases/?{filters}", []
    while url:
        page = client.get(url).content.decode()
        seen += [int(pk) for pk in re.findall(r'<tr>\s*<td><a href="/cases/(\d+)/">', page)]
        nxt = re.search(r'href="(\?[^"]*after=[^"]*)"', page)
        url = "/cases/" + nxt.group(1).replace("&amp;", "&") if nxt else ""
    assert sorted(seen) == sorted(c.pk for c in cases) and len(seen) == 8

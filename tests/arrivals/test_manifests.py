"""Manifest import: mapping, bad rows with their line, matching by document, idempotence, seat contacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.arrivals.manifests import TripInfo, manifest_import
from apps.arrivals.models import ManifestImport, Traveller
from apps.cases import services as case_services
from apps.cases.choices import CaseStatus, ContactDegree
from apps.cases.models import Contact, TripPassenger
from apps.cases.tracing import trace_case
from apps.common.errors import ValidationFailed
from apps.people.models import Person
from core import tabular
from tests.factories import COMMUNITY_A, COMMUNITY_B, DISTRICT_A

pytestmark = pytest.mark.django_db
DEPART = dt.datetime(2020, 3, 9, 14, 0, tzinfo=dt.UTC)
ARRIVE = DEPART + dt.timedelta(hours=11)
FLIGHT = TripInfo(
    mode="flight",
    number="CA940",
    departs_at=DEPART,
    arrives_at=ARRIVE,
    origin="Milano",
    origin_kind="abroad",
    origin_country="IT",
    port_area_id=DISTRICT_A,
)
HEADER = ["姓名", "证件类型", "证件号码", "国籍", "座位号", "目的地区划", "电话"]


@pytest.fixture
def port_op(make_user: Any) -> Any:
    return make_user("checkpoint_operator", DISTRICT_A)


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    return tabular.write_csv(header, rows)


def _passengers(n: int, start_row: int = 10) -> list[list[str]]:
    return [
        [f"Rossi{i}", "护照", f"YA{1000 + i}", "ITA", f"{start_row + i}C", COMMUNITY_A, ""] for i in range(n)
    ]


def test_good_rows_are_kept_and_every_bad_row_is_reported_with_its_line(port_op: Any) -> None:
    rows = _passengers(3) + [
        ["", "护照", "YA9001", "ITA", "20A", COMMUNITY_A, ""],  # line 5: no name
        ["Bianchi", "驾照", "YA9002", "ITA", "20B", COMMUNITY_A, ""],  # line 6: unknown document type
        ["Verdi", "护照", "YA9003", "ITA", "20C", "990199001001", ""],  # line 7: unknown area
        ["Rossi0 bis", "护照", "YA1000", "ITA", "21A", COMMUNITY_A, ""],  # line 8: same document as line 2
        ["Neri", "护照", "", "ITA", "21B", COMMUNITY_A, ""],  # line 9: no document
    ]
    report = manifest_import(actor=port_op, data=_csv(rows), filename="ca940.csv", trip=FLIGHT)
    assert report.total_rows == 8 and report.travellers_created == 3 and report.persons_created == 3
    assert sorted((e["line"], e["field"]) for e in report.errors) == [
        (5, "name"),
        (6, "doc_type"),
        (7, "area_code"),
        (8, "doc_number"),
        (9, "doc_number"),
    ]
    travellers = Traveller.objects.filter(trip=report.trip)
    assert travellers.count() == 3
    assert {t.origin_kind for t in travellers} == {"abroad"} and {t.stage for t in travellers} == {
        "transport"
    }
    seats = set(TripPassenger.objects.filter(trip=report.trip).values_list("seat", flat=True))
    assert seats == {"10C", "11C", "12C"}


def test_a_passenger_already_registered_is_matched_by_document_not_duplicated(
    port_op: Any, officer_a: Any, person_factory: Any
) -> None:
    known = person_factory(actor=officer_a, area_code=COMMUNITY_A)
    number = Person.objects.get(pk=known.pk)
    from apps.people.services import person_plain

    rows = _passengers(2) + [
        ["张三", "身份证", person_plain(number)["doc_number"], "CHN", "30A", COMMUNITY_A, ""]
    ]
    report = manifest_import(actor=port_op, data=_csv(rows), filename="m.csv", trip=FLIGHT)
    assert report.matched == 1 and report.persons_created == 2
    assert Traveller.objects.filter(person=known).count() == 1


def test_importing_the_same_manifest_again_changes_nothing(port_op: Any) -> None:
    data = _csv(_passengers(4))
    first = manifest_import(actor=port_op, data=data, filename="m.csv", trip=FLIGHT)
    counts = (Person.objects.count(), Traveller.objects.count(), TripPassenger.objects.count())
    again = manifest_import(actor=port_op, data=data, filename="m.csv", trip=FLIGHT)
    assert (Person.objects.count(), Traveller.objects.count(), TripPassenger.objects.count()) == counts
    assert again.trip_id == first.trip_id and again.travellers_created == 0 and again.matched == 4
    assert ManifestImport.objects.count() == 2  # each upload keeps its report


def test_an_xlsx_with_its_own_column_names_imports_through_a_mapping(port_op: Any) -> None:
    header = ["PAX", "DOC", "NUM", "SEAT", "DEST"]
    rows = [
        ["Rossi", "passport", "YB10001", "7A", COMMUNITY_B],
        ["Bianchi", "passport", "YB10002", "7B", COMMUNITY_A],
    ]
    data = tabular.write_xlsx(header, rows)
    mapping = {"name": "PAX", "doc_type": "DOC", "doc_number": "NUM", "seat": "SEAT", "destination": "DEST"}
    report = manifest_import(actor=port_op, data=data, filename="m.xlsx", trip=FLIGHT, mapping=mapping)
    assert report.errors == [] and report.travellers_created == 2
    # The port's operator registers travellers bound for another district; that district owns them.
    assert set(Traveller.objects.values_list("destination_area_id", flat=True)) == {COMMUNITY_A, COMMUNITY_B}


def test_a_file_without_the_required_columns_or_a_wrong_trip_is_refused(port_op: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        manifest_import(actor=port_op, data=_csv([["x"]], ["姓名"]), filename="m.csv", trip=FLIGHT)
    assert refused.value.code == "missing_columns"
    wrong = TripInfo(
        **{**FLIGHT.__dict__, "arrives_at": DEPART - dt.timedelta(hours=1), "origin_kind": "mars"}
    )
    with pytest.raises(ValidationFailed) as refused:
        manifest_import(actor=port_op, data=_csv(_passengers(1)), filename="m.csv", trip=wrong)
    assert {d["field"] for d in refused.value.details} == {"arrives_at", "origin_kind"}


def test_an_operator_of_another_district_imports_nothing_for_this_port(make_user: Any) -> None:
    outsider = make_user("checkpoint_operator", "990102")
    report = manifest_import(actor=outsider, data=_csv(_passengers(2)), filename="m.csv", trip=FLIGHT)
    assert report.travellers_created == 0 and {e["code"] for e in report.errors} == {"outside_jurisdiction"}


def test_when_a_passenger_becomes_a_case_the_rows_around_are_contact_suggestions(
    port_op: Any, make_user: Any
) -> None:
    # Rows 10..20 in seat C; the case sits in row 15: rows 12..18 are within three rows.
    report = manifest_import(actor=port_op, data=_csv(_passengers(11)), filename="m.csv", trip=FLIGHT)
    seat_of = dict(TripPassenger.objects.filter(trip=report.trip).values_list("person_id", "seat"))
    case_person = next(pk for pk, seat in seat_of.items() if seat == "15C")
    epi = make_user("epidemiologist", "990100")
    case = case_services.case_report(
        actor=epi, person=Person.objects.get(pk=case_person), status=CaseStatus.SUSPECTED, at=ARRIVE
    )
    trace_case(case, now=ARRIVE + dt.timedelta(days=1))
    close = Contact.objects.filter(case=case, degree=ContactDegree.CLOSE)
    suggested = {seat_of[pk] for pk in close.values_list("person_id", flat=True)}
    assert suggested == {f"{row}C" for row in range(12, 19)} - {"15C"}

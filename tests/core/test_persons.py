"""clean_person: a clean record or every error, each naming its field; never a half-clean record."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import idnum
from core.persons import CleanPerson, FieldError, clean_person

TODAY = dt.date(2026, 11, 23)
AREAS = {"990101001001", "990102001001"}
ID_F = idnum.make("990101", dt.date(1990, 7, 1), 12, "F")
ID_M = idnum.make("990102", dt.date(1975, 1, 31), 3, "M")
FIELDS = {"name", "doc_type", "doc_number", "sex", "birth_date", "phone", "area_code"}


def clean(**raw: str) -> CleanPerson | list[FieldError]:
    base = {"name": "张三", "doc_number": ID_F, "area_code": "990101001001"}
    return clean_person({**base, **raw}, area_codes=AREAS, today=TODAY)


def errors_of(**raw: str) -> list[tuple[str, str]]:
    result = clean(**raw)
    assert isinstance(result, list), f"expected errors, got {result}"
    assert result, "an error list is never empty"
    for e in result:
        assert e.message and e.field in FIELDS
    return [(e.field, e.code) for e in result]


def test_a_good_resident_gets_sex_and_birth_date_from_the_id() -> None:
    result = clean(
        doc_number=ID_F.lower()[:-1] + ID_F[-1].lower(), phone="+86 138-1234-5678", tags="老人; 独居，重点"
    )
    assert isinstance(result, CleanPerson)
    assert result.doc_type == "resident_id"
    assert result.doc_number == ID_F
    assert (result.sex, result.birth_date) == ("F", dt.date(1990, 7, 1))
    assert result.phone == "13812345678"
    assert result.nationality == "CHN"
    assert result.tags == ["老人", "独居", "重点"]


def test_values_are_trimmed_and_blank_optional_fields_are_fine() -> None:
    result = clean(name="  李四 ", address=" 1号 ", phone="", sex="", tags="", household_ref=" H1 ")
    assert isinstance(result, CleanPerson)
    assert (result.name, result.address, result.phone, result.tags, result.household_ref) == (
        "李四",
        "1号",
        "",
        [],
        "H1",
    )


def test_the_id_number_wins_over_a_birth_date_column() -> None:
    result = clean(birth_date="1990-07-01", sex="f")
    assert isinstance(result, CleanPerson)
    assert (result.sex, result.birth_date) == ("F", dt.date(1990, 7, 1))


def test_a_person_without_document_keeps_a_given_birth_date_and_no_doc_type() -> None:
    result = clean(doc_number="", doc_type="resident_id", birth_date="2001-02-03", sex="M")
    assert isinstance(result, CleanPerson)
    assert (result.doc_type, result.doc_number, result.birth_date, result.sex) == (
        "",
        "",
        dt.date(2001, 2, 3),
        "M",
    )


def test_a_foreigner_with_a_passport() -> None:
    result = clean(
        name="JOHN SMITH",
        doc_type="passport",
        doc_number="e 1234 5678",
        nationality="usa",
        birth_date="1980-02-03",
        sex="M",
        phone="+1 415 555 0100",
    )
    assert isinstance(result, CleanPerson)
    assert (result.doc_type, result.doc_number, result.nationality) == ("passport", "E12345678", "USA")
    assert result.phone == "+14155550100"
    assert result.birth_date == dt.date(1980, 2, 3)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"name": ""}, [("name", "required")]),
        ({"name": "   "}, [("name", "required")]),
        ({"name": "名" * 101}, [("name", "too_long")]),
        ({"doc_type": "drivers_licence"}, [("doc_type", "unknown")]),
        ({"doc_number": ID_F[:-1] + ("0" if ID_F[-1] != "0" else "1")}, [("doc_number", "check_digit")]),
        ({"doc_number": ID_F[:17]}, [("doc_number", "length")]),
        ({"doc_number": "99010119900230001X"}, [("doc_number", "birth_date")]),
        ({"sex": "M"}, [("sex", "mismatch")]),
        ({"doc_number": "", "sex": "X"}, [("sex", "unknown")]),
        ({"doc_number": "", "birth_date": "01/02/1990"}, [("birth_date", "format")]),
        ({"doc_number": "", "birth_date": "2026-11-24"}, [("birth_date", "impossible")]),
        ({"doc_number": "", "birth_date": "1879-12-31"}, [("birth_date", "impossible")]),
        ({"doc_type": "passport", "doc_number": "E12#4567"}, [("doc_number", "characters")]),
        ({"doc_type": "passport", "doc_number": "E12"}, [("doc_number", "characters")]),
        ({"phone": "12345678901"}, [("phone", "format")]),
        ({"phone": "1381234567"}, [("phone", "format")]),
        ({"phone": "+12345"}, [("phone", "format")]),
        ({"area_code": ""}, [("area_code", "required")]),
        ({"area_code": "990103001001"}, [("area_code", "unknown")]),
    ],
)
def test_each_error_names_its_field(raw: dict[str, str], expected: list[tuple[str, str]]) -> None:
    assert errors_of(**raw) == expected


def test_a_future_birth_date_inside_an_id_number_is_refused() -> None:
    future = idnum.make("990101", TODAY + dt.timedelta(days=1), 0, "M")
    assert errors_of(doc_number=future) == [("doc_number", "birth_date")]


def test_every_error_of_a_row_is_reported_at_once_and_nothing_partial_comes_back() -> None:
    result = clean(name="", doc_number=ID_F[:-1] + "Y", phone="0000", area_code="123")
    assert isinstance(result, list)
    assert all(isinstance(e, FieldError) for e in result)
    assert [(e.field, e.code) for e in result] == [
        ("name", "required"),
        ("doc_number", "characters"),
        ("phone", "format"),
        ("area_code", "unknown"),
    ]
    # The error messages say what is wrong with the value, for the person fixing the row.
    by_field = {e.field: e.message for e in result}
    assert "'0000'" in by_field["phone"]
    assert "123" in by_field["area_code"]


def test_missing_keys_are_treated_as_blank() -> None:
    result = clean_person({}, area_codes=AREAS, today=TODAY)
    assert isinstance(result, list)
    assert {(e.field, e.code) for e in result} == {("name", "required"), ("area_code", "required")}


printable = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=25)


@given(
    st.dictionaries(
        st.sampled_from(sorted(FIELDS | {"address", "tags", "nationality", "relation"})), printable
    )
)
def test_any_input_gives_a_record_or_named_errors_never_an_exception(raw: dict[str, str]) -> None:
    result = clean_person(raw, area_codes=AREAS, today=TODAY)
    if isinstance(result, list):
        assert result and all(e.field in FIELDS and e.code and e.message for e in result)
    else:
        assert result.name and result.area_code in AREAS
        assert result.sex in ("", "M", "F")
        if result.doc_type == "resident_id":
            assert idnum.parse(result.doc_number, today=TODAY).birth_date == result.birth_date


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    seq=st.integers(0, 499),
    sex=st.sampled_from("MF"),
)
def test_any_valid_id_number_is_accepted_with_its_sex_and_birth(birth: dt.date, seq: int, sex: str) -> None:
    result = clean(doc_number=idnum.make("990101", birth, seq, sex))
    assert isinstance(result, CleanPerson)
    assert (result.birth_date, result.sex) == (birth, sex)

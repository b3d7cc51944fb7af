"""Tables in: CSV in the encodings offices use, XLSX; rows with the line a person sees; mapped columns."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import tabular

ALIASES = {
    "name": ("姓名", "Name", "full name"),
    "doc_number": ("证件号码", "身份证号", "id_number"),
    "phone": ("手机号", "mobile"),
    "area_code": ("社区代码", "area"),
}
CHINESE_CSV = "姓名,身份证号,手机号,社区代码\r\n张三,11010519491231002X,13812345678,990101001001\r\n李四,,13900000000,990102001001\r\n"


def read(data: bytes, filename: str = "list.csv") -> tuple[list[str], list[tabular.Row]]:
    header, rows = tabular.read_table(data, filename)
    return header, list(rows)


def xlsx(*rows: list[object], cells: dict[str, object] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for ref, value in (cells or {}).items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        CHINESE_CSV.encode("utf-8"),
        codecs.BOM_UTF8 + CHINESE_CSV.encode("utf-8"),
        CHINESE_CSV.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030"],
)
def test_csv_in_each_encoding_reads_the_same(data: bytes) -> None:
    header, rows = read(data)
    assert header == ["姓名", "身份证号", "手机号", "社区代码"]  # no BOM glued to the first name
    assert [r.line for r in rows] == [2, 3]
    assert rows[0].values == {
        "姓名": "张三",
        "身份证号": "11010519491231002X",
        "手机号": "13812345678",
        "社区代码": "990101001001",
    }
    assert rows[1].values["身份证号"] == ""


def test_gbk_text_that_is_not_utf8_is_read_as_gb18030() -> None:
    data = "姓名\r\n欧阳娜娜\r\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read(data)[1][0].values == {"姓名": "欧阳娜娜"}


def test_bytes_that_are_no_text_are_refused() -> None:
    with pytest.raises(tabular.TableError, match="UTF-8"):
        read("name\r\nx\r\n".encode("utf-16"))


def test_csv_line_numbers_count_blank_lines_and_report_where_a_multiline_record_starts() -> None:
    data = b'\r\nname,note\r\nA,"two\nlines"\r\n\r\n,\r\nB,x\r\n"C","a\r\nb\r\nc"\r\nD,y'
    header, rows = read(data)
    assert header == ["name", "note"]
    assert [(r.line, r.values["name"]) for r in rows] == [(3, "A"), (7, "B"), (8, "C"), (11, "D")]
    assert rows[0].values["note"] == "two\nlines"


def test_short_and_long_csv_rows_do_not_break_reading() -> None:
    _, rows = read(b"a,b,c\r\n1\r\n1,2,3,4\r\n")
    assert rows[0].values == {"a": "1", "b": "", "c": ""}
    assert rows[1].values == {"a": "1", "b": "2", "c": "3"}


def test_header_names_are_trimmed_and_must_not_repeat() -> None:
    assert read(b" name , phone \r\nx,y\r\n")[0] == ["name", "phone"]
    with pytest.raises(tabular.TableError, match="repeats"):
        read(b"name,phone,name\r\nx,y,z\r\n")
    with pytest.raises(tabular.TableError, match="repeats"):
        read(xlsx(["name", "name"], ["x", "y"]), "list.xlsx")
    # Unnamed columns (an empty trailing header cell) are not repeats.
    assert read(b"name,,\r\nx,,\r\n")[0] == ["name", "", ""]


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", codecs.BOM_UTF8, b" , \r\n"])
def test_empty_csv_is_refused(data: bytes) -> None:
    with pytest.raises(tabular.TableError, match="empty"):
        read(data)


def test_xlsx_written_in_memory_gives_strings_and_sheet_row_numbers() -> None:
    data = xlsx(
        ["姓名", "手机号", "出生日期", "人数", "比例"],
        ["张三", 13812345678, dt.date(1990, 1, 2), 3, 0.5],
        [None, None, None, None, None],
        ["  李四 ", "13900000000", dt.datetime(1991, 3, 4, 5, 6), 2.0, None],
    )
    header, rows = read(data, "名单.XLSX")
    assert header == ["姓名", "手机号", "出生日期", "人数", "比例"]
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].values == {
        "姓名": "张三",
        "手机号": "13812345678",
        "出生日期": "1990-01-02",
        "人数": "3",
        "比例": "0.5",
    }
    assert rows[1].values == {
        "姓名": "李四",
        "手机号": "13900000000",
        "出生日期": "1991-03-04",
        "人数": "2",
        "比例": "",
    }


def test_xlsx_with_a_header_below_empty_rows_keeps_true_row_numbers() -> None:
    data = xlsx(
        cells={"B3": "name", "C3": "phone", "B4": "张三", "B6": "李四", "C6": 13800000000, "F9": None}
    )
    header, rows = read(data, "list.xlsx")
    assert header[:3] == ["", "name", "phone"]  # column A is empty, unnamed columns follow up to F
    names = [(r.line, r.values.get("name")) for r in rows]
    assert names == [(4, "张三"), (6, "李四")]
    assert rows[1].values["phone"] == "13800000000"


def test_broken_and_empty_xlsx_are_refused() -> None:
    with pytest.raises(tabular.TableError, match="XLSX"):
        read(b"PK\x03\x04 not really a zip", "list.xlsx")
    with pytest.raises(tabular.TableError, match="empty"):
        read(xlsx(), "list.xlsx")


def test_mapping_by_alias_is_case_and_space_insensitive() -> None:
    header = [" Full Name ", "身份证号", "MOBILE", "unrelated"]
    assert tabular.resolve_mapping(header, ALIASES) == {
        "name": " Full Name ",
        "doc_number": "身份证号",
        "phone": "MOBILE",
    }


def test_our_own_field_names_map_too() -> None:
    assert tabular.resolve_mapping(["name", "area_code"], ALIASES) == {
        "name": "name",
        "area_code": "area_code",
    }


def test_explicit_mapping_beats_aliases_and_must_name_a_real_column() -> None:
    header = ["姓名", "联系人姓名", "area"]
    mapping = tabular.resolve_mapping(header, ALIASES, {"name": "联系人姓名"})
    assert mapping == {"name": "联系人姓名", "area_code": "area"}
    with pytest.raises(tabular.TableError, match="'电话'"):
        tabular.resolve_mapping(header, ALIASES, {"phone": "电话"})


def test_missing_required_columns_are_absent_from_the_mapping() -> None:
    mapping = tabular.resolve_mapping(["手机号", "备注"], ALIASES)
    assert mapping == {"phone": "手机号"}
    required = ("name", "area_code")
    assert [f for f in required if f not in mapping] == ["name", "area_code"]


def test_remap_gives_blank_for_cells_a_short_row_lacks() -> None:
    _, rows = read(CHINESE_CSV.encode() + "王五\r\n".encode())
    mapping = tabular.resolve_mapping(["姓名", "身份证号", "手机号", "社区代码"], ALIASES)
    assert tabular.remap(rows[-1], mapping) == {
        "name": "王五",
        "doc_number": "",
        "phone": "",
        "area_code": "",
    }
    assert tabular.remap(rows[0], mapping)["area_code"] == "990101001001"


cell_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12).map(
    str.strip
)


@given(st.lists(st.lists(cell_text, min_size=3, max_size=3), max_size=8))
def test_csv_export_reads_back_with_line_numbers(rows: list[list[str]]) -> None:
    header = ["名字", "code", "note"]
    data = tabular.write_csv(header, rows)
    assert data.startswith(codecs.BOM_UTF8)
    got_header, got = read(data)
    assert got_header == header
    expected = [r for r in rows if any(r)]
    assert [list(r.values.values()) for r in got] == expected
    assert [r.line for r in got] == [i + 2 for i, r in enumerate(rows) if any(r)]


def test_xlsx_export_reads_back() -> None:
    rows = [["张三", "990101001001", 3], ["JOHN SMITH", "990102001001", None]]
    data = tabular.write_xlsx(["名字", "code", "n"], rows, title="a title longer than thirty-one characters")
    header, got = read(data, "x.xlsx")
    assert header == ["名字", "code", "n"]
    assert [r.values for r in got] == [
        {"名字": "张三", "code": "990101001001", "n": "3"},
        {"名字": "JOHN SMITH", "code": "990102001001", "n": ""},
    ]


# --- spreadsheet formula injection (OWASP "CSV Injection") -----------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"open\")", "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_csv_cell_that_starts_a_formula_is_prefixed_with_a_quote(value):
    text = tabular.write_csv(["a"], [[value]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline="")))[1][0] == "'" + value


@pytest.mark.parametrize("value", HOSTILE)
def test_an_xlsx_cell_is_text_never_a_formula(value):
    sheet = openpyxl.load_workbook(io.BytesIO(tabular.write_xlsx(["a"], [[value]]))).worksheets[0]
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value[0] == "'" and cell.value[2:] == value[1:]  # XML reads a carriage return back as a newline


def test_negative_numbers_stay_numbers_and_plain_text_is_untouched():
    sheet = openpyxl.load_workbook(io.BytesIO(tabular.write_xlsx(["n", "s", "t"], [[-3.5, "-12", "张三"]]))).worksheets[0]
    assert (sheet["A2"].value, sheet["A2"].data_type) == (-3.5, "n")
    assert sheet["B2"].value == "-12"
    assert sheet["C2"].value == "张三"
    assert tabular.write_csv(["n"], [[-7]]).decode("utf-8-sig").splitlines()[1] == "-7"


@pytest.mark.parametrize("filename", ["x.csv", "x.xlsx"])
def test_a_neutralised_export_reads_back_as_the_original_text(filename):
    rows = [["=1+1", "'plain quote", "@home"]]
    data = tabular.write_csv(["a", "b", "c"], rows) if filename.endswith("csv") else tabular.write_xlsx(["a", "b", "c"], rows)
    _, read_rows = read(data, filename)
    assert read_rows[0].values == {"a": "=1+1", "b": "'plain quote", "c": "@home"}

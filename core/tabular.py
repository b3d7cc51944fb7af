"""One import and export path for CSV and XLSX: rows as dicts with their line numbers, mapped columns."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import openpyxl
from openpyxl.cell import WriteOnlyCell


class TableError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # the line (CSV) or sheet row (XLSX) a person sees in their spreadsheet program
    values: dict[str, str]


def _decode(data: bytes) -> str:
    # Chinese offices export CSV from Excel as GBK or UTF-8 with a BOM; try the common ones in order.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("the file is neither UTF-8 nor GB18030 text")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat") and hasattr(value, "year"):
        return str(value.isoformat())[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unquote(str(value).strip())


# Spreadsheet formula injection (OWASP "CSV Injection"): a cell that starts with one of these is read as a
# formula by Excel, WPS or LibreOffice, so `=HYPERLINK(...)` in a dispute summary would become a live link.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(value: str) -> str:
    """Prefix a text that a spreadsheet would run as a formula with a single quote (OWASP's rule).

    A text that is just a negative number ("-3.5") is left alone: a spreadsheet reads it as that number.
    """
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unquote(value: str) -> str:
    """Undo `neutralise` for a cell read back from one of our exports, so an export can be re-imported."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _safe(value: object) -> object:
    return neutralise(value) if isinstance(value, str) else value


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[Row]]:
    """Return the header and an iterator of rows; raise TableError for a file that is not a table."""
    if filename.lower().endswith(".xlsx"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise TableError(f"not a readable XLSX file: {exc}") from None
        sheet = book.worksheets[0]
        numbered = enumerate(sheet.iter_rows(values_only=True), start=1)
        header = []
        for _line, values in numbered:  # the header is the first row that is not empty
            header = [_cell(c) for c in values]
            if any(header):
                break
        if not any(header):
            raise TableError("the sheet is empty")
        _check_header(header)

        def xlsx_rows() -> Iterator[Row]:
            for line, values in numbered:
                cells = [_cell(c) for c in values]
                if any(cells):
                    yield Row(line, _values(header, cells))

        return header, xlsx_rows()
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = []
    try:
        for values in reader:  # the header is the first line that is not blank
            header = [h.strip() for h in values]
            if any(header):
                break
    except csv.Error as exc:
        raise _csv_error(exc, reader.line_num) from None
    if not any(header):
        raise TableError("the file is empty")
    _check_header(header)

    def csv_rows() -> Iterator[Row]:
        end = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # raised while reading: the caller has stored nothing yet
                raise _csv_error(exc, end + 1) from None
            # A quoted cell may span lines: report the line the record starts on, not the one it ends on.
            start, end = end + 1, reader.line_num
            if any(v.strip() for v in values):
                yield Row(start, _values(header, [unquote(v) for v in values]))

    return header, csv_rows()


def _csv_error(exc: csv.Error, line: int) -> TableError:
    if "field larger than field limit" in str(exc):
        return TableError(f"line {line}: a cell is longer than {csv.field_size_limit()} characters")
    return TableError(f"line {line}: not a readable CSV record ({exc})")


def _values(header: Sequence[str], cells: Sequence[str]) -> dict[str, str]:
    """Every column of the header, blank where a row is short (XLSX drops trailing empty cells)."""
    padded = [*cells, *[""] * (len(header) - len(cells))]
    return dict(zip(header, padded, strict=False))


def _check_header(header: Sequence[str]) -> None:
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        raise TableError("the header repeats a column name")


def resolve_mapping(
    header: Sequence[str], aliases: Mapping[str, Sequence[str]], explicit: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map our field names to the file's column names: explicit choices first, then known aliases."""
    mapping: dict[str, str] = {}
    folded = {h.strip().lower(): h for h in header}
    for field, names in aliases.items():
        chosen = (explicit or {}).get(field)
        if chosen:
            if chosen not in header:
                raise TableError(f"column {chosen!r} mapped to {field} is not in the file")
            mapping[field] = chosen
            continue
        for name in (field, *names):
            if name.lower() in folded:
                mapping[field] = folded[name.lower()]
                break
    return mapping


def remap(row: Row, mapping: Mapping[str, str]) -> dict[str, str]:
    return {field: row.values.get(column, "") for field, column in mapping.items()}


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(h) for h in header])
    writer.writerows([_safe(v) for v in row] for row in rows)
    # A BOM so that Excel on a Chinese Windows opens UTF-8 correctly.
    return codecs.BOM_UTF8 + out.getvalue().encode()


def _xlsx_cell(sheet: object, value: object) -> object:
    """Text is stored as text (data type `s`), never as a formula, and neutralised like a CSV cell."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    cell.data_type = "s"
    return cell


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], title: str = "export") -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([_xlsx_cell(sheet, h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

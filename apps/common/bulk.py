"""Fast idempotent bulk insert: PostgreSQL COPY through a staging table, SQLite executemany.

Rows that collide with an existing row on the conflict column are skipped, never duplicated: this is
what makes a retried upload or a re-imported file safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection


def insert_ignoring_conflicts(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[object]], conflict: str
) -> int:
    """Insert rows, skipping those whose `conflict` column value exists; return how many were inserted."""
    if not rows:
        return 0
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            stage = f"_stage_{table}"
            # Only the columns, no defaults: a copied nextval() default would burn the real table's sequence.
            cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            cursor.execute(
                f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} ON CONFLICT ({conflict}) DO NOTHING"
            )
            return int(cursor.rowcount)
        placeholders = ", ".join(["%s"] * len(columns))
        before = _changes(cursor)
        cursor.executemany(
            f"INSERT OR IGNORE INTO {table} ({cols}) VALUES ({placeholders})", _sqlite_rows(rows)
        )
        return _changes(cursor) - before


def _sqlite_rows(rows: Sequence[Sequence[object]]) -> Sequence[Sequence[object]]:
    """Datetimes in the text form Django stores and compares on SQLite (UTC, no offset).

    sqlite3's own adapter would write an aware datetime as '... +00:00' (or '+08:00'), which no ORM
    filter such as created_at=now ever matches and which sorts wrongly against other offsets.
    """
    # A column's type is that of its first non-null value: rows of one insert share their column types.
    temporal = [i for i, column in enumerate(zip(*rows, strict=True)) if _first_datetime(column)]
    if not temporal:
        return rows
    adapt = connection.ops.adapt_datetimefield_value
    done: dict[dt.datetime, object] = {}
    out: list[Sequence[object]] = []
    for row in rows:
        row = list(row)
        for i in temporal:
            v = row[i]
            if type(v) is dt.datetime:
                row[i] = done[v] if v in done else done.setdefault(v, adapt(v))
        out.append(row)
    return out


def _first_datetime(column: Sequence[object]) -> bool:
    return next((type(v) is dt.datetime for v in column if v is not None), False)


def _changes(cursor: object) -> int:
    # sqlite's executemany rowcount is unreliable with OR IGNORE; total_changes() counts rows really written.
    cursor.execute("SELECT total_changes()")  # type: ignore[attr-defined]
    return int(cursor.fetchone()[0])  # type: ignore[attr-defined]

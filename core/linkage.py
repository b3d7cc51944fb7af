"""Probabilistic record linkage of screening rows to the person registry (大数据比对).

The Fellegi–Sunter model (Fellegi & Sunter 1969) as implemented by Splink on an in-memory DuckDB: u probabilities
from random sampling, m probabilities by expectation–maximisation over blocked pairs, and a match probability per
pair from the summed log Bayes factors. Comparisons: name (exact characters, same pinyin to catch homophone typos
such as 章伟/张伟, Jaro–Winkler on pinyin), birth date (exact, day and month swapped, same year and month), phone
(exact, one edit apart), sex, address area (community, street, district). Records arrive here in plain text, in
memory only: the DuckDB database is ":memory:" with spilling to disk switched off, so nothing is written to a file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
from pypinyin import lazy_pinyin
from splink import Linker, SettingsCreator, block_on
from splink import comparison_level_library as cll
from splink import comparison_library as cl
from splink.backends.duckdb import DuckDBAPI

logging.getLogger("splink").setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Record:
    id: int
    name: str
    birth_date: dt.date | None
    phone: str
    sex: str
    area: str


@dataclass(frozen=True, slots=True)
class Pair:
    left: int
    right: int
    probability: float
    evidence: dict[str, dict[str, Any]]


def pinyin(name: str) -> str:
    """Toneless pinyin, syllables joined by spaces: 章伟 and 张伟 are both 'zhang wei'."""
    return " ".join(lazy_pinyin(name))


def swapped(day: dt.date | None) -> str | None:
    if day is None or day.day > 12:
        return None
    try:
        return dt.date(day.year, day.day, day.month).isoformat()
    except ValueError:
        return None


def _table(records: Iterable[Record]) -> pa.Table:
    rows = list(records)
    return pa.table(
        {
            "unique_id": [r.id for r in rows],
            "name": [r.name or None for r in rows],
            "name_py": [pinyin(r.name) if r.name else None for r in rows],
            "surname_py": [pinyin(r.name[:1]) if r.name else None for r in rows],
            "birth": [r.birth_date.isoformat() if r.birth_date else None for r in rows],
            "birth_swapped": [swapped(r.birth_date) for r in rows],
            "birth_ym": [r.birth_date.isoformat()[:7] if r.birth_date else None for r in rows],
            "phone": [r.phone or None for r in rows],
            "sex": [r.sex or None for r in rows],
            "area": [r.area or None for r in rows],
        }
    )


def _null(col: str) -> Any:
    return cll.NullLevel(col)


COMPARISONS = (
    cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            _null("name"),
            cll.ExactMatchLevel("name"),
            cll.ExactMatchLevel("name_py").configure(label_for_charts="same pinyin"),
            cll.JaroWinklerLevel("name_py", 0.9),
            cll.ExactMatchLevel("surname_py").configure(label_for_charts="same surname"),
            cll.ElseLevel(),
        ],
    ),
    cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            _null("birth"),
            cll.ExactMatchLevel("birth"),
            cll.CustomLevel("birth_swapped_l = birth_r", label_for_charts="day and month swapped"),
            cll.ExactMatchLevel("birth_ym"),
            cll.ElseLevel(),
        ],
    ),
    cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            _null("phone"),
            cll.ExactMatchLevel("phone"),
            cll.DamerauLevenshteinLevel("phone", 1),
            cll.ElseLevel(),
        ],
    ),
    cl.ExactMatch("sex"),
    cl.CustomComparison(
        output_column_name="area",
        comparison_levels=[
            _null("area"),
            cll.ExactMatchLevel("area").configure(label_for_charts="same community"),
            cll.CustomLevel("substr(area_l, 1, 9) = substr(area_r, 1, 9)", label_for_charts="same street"),
            cll.CustomLevel("substr(area_l, 1, 6) = substr(area_r, 1, 6)", label_for_charts="same district"),
            cll.ElseLevel(),
        ],
    ),
)
FIELDS = ("name", "birth", "phone", "sex", "area")
# Blocking: a pair is scored only if it shares one of these; each catches what the others' typos break.
BLOCKING: tuple[Any, ...] = (
    block_on("birth"),
    {"blocking_rule": "l.birth_swapped = r.birth"},
    block_on("phone"),
    block_on("name_py", "birth_ym"),
    block_on("name_py", "sex", "area"),
)


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    # Plain personal data must never reach a file: no spilling of big joins to a temporary directory.
    con.execute("SET max_temp_directory_size = '0KB'")
    con.execute("SET enable_external_access = false")
    return con


def _settings(model: dict[str, Any] | None, n_right: int) -> SettingsCreator | dict[str, Any]:
    if model is not None:
        return {
            **model,
            "link_type": "link_only",
            "blocking_rules_to_generate_predictions": [
                b["blocking_rule"] if isinstance(b, dict) else b.get_blocking_rule("duckdb").blocking_rule_sql
                for b in BLOCKING
            ],
        }
    return SettingsCreator(
        link_type="link_only",
        comparisons=list(COMPARISONS),
        blocking_rules_to_generate_predictions=list(BLOCKING),
        probability_two_random_records_match=1 / max(n_right, 2),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def train(left: Sequence[Record], right: Sequence[Record], *, seed: int = 1) -> dict[str, Any]:
    """Estimate the model from the data: u by random sampling, m by EM on two blocks (birth date, then phone, so
    each field is estimated in a block that does not fix it). Returns Splink's model (parameters only)."""
    db = DuckDBAPI(_connection())
    frames = [db.register(_table(left), table_name="rows"), db.register(_table(right), table_name="registry")]
    linker = Linker(frames, _settings(None, len(right)), log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e5, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth"), max_pairs=None, record_sample_proportion=1.0
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("phone"), max_pairs=None, record_sample_proportion=1.0
    )
    return dict(linker.misc.save_model_to_json())


def predict(
    left: Sequence[Record], right: Sequence[Record], model: dict[str, Any], *, threshold: float = 0.01
) -> list[Pair]:
    """Scored candidate pairs (left id, right id) above `threshold`, with the per-field evidence: the level each
    comparison reached and its Bayes factor."""
    if not left or not right:
        return []
    db = DuckDBAPI(_connection())
    frames = [db.register(_table(left), table_name="rows"), db.register(_table(right), table_name="registry")]
    # The matching columns are needed for the per-field levels (gamma); only levels and weights leave this function.
    model = {**model, "retain_intermediate_calculation_columns": True, "retain_matching_columns": True}
    linker = Linker(frames, _settings(model, len(right)), log_level=logging.ERROR)
    wanted = ["unique_id_l", "unique_id_r", "source_dataset_l", "match_probability"]
    wanted += [f"{kind}_{field}" for field in FIELDS for kind in ("gamma", "mw")]
    out = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    table = out.as_pyarrow_table().select(wanted)  # type: ignore[no-untyped-call]
    out.drop_table_from_database_and_remove_from_cache()
    labels = _labels(linker)
    pairs: list[Pair] = []
    for rec in table.to_pylist():
        evidence = {
            field: {
                "level": rec[f"gamma_{field}"],
                "label": labels.get((field, rec[f"gamma_{field}"]), ""),
                "weight": round(float(rec[f"mw_{field}"]), 2),
            }
            for field in FIELDS
        }
        a, b = rec["unique_id_l"], rec["unique_id_r"]
        if rec["source_dataset_l"] == "registry":  # Splink may order the two tables either way
            a, b = b, a
        pairs.append(
            Pair(left=int(a), right=int(b), probability=float(rec["match_probability"]), evidence=evidence)
        )
    pairs.sort(key=lambda p: (p.left, -p.probability, p.right))
    return pairs


def _labels(linker: Linker) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            out[(comparison.output_column_name, level.comparison_vector_value)] = level.label_for_charts
    return out

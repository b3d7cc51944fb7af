"""core.linkage: pinyin for homophones, date swaps, and Splink's trained model finding the truth of a dirty list
while writing nothing to disk."""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
from pathlib import Path

import pytest

from core import dirtylists, linkage, synthetic
from core.screening import clean_row, upgrade_15


def test_homophones_share_their_pinyin() -> None:
    assert linkage.pinyin("章伟") == linkage.pinyin("张伟") == "zhang wei"
    assert linkage.pinyin("李娜") != linkage.pinyin("李明")


def test_a_swapped_date_exists_only_when_both_parts_can_be_months() -> None:
    assert linkage.swapped(dt.date(1980, 3, 7)) == "1980-07-03"
    assert linkage.swapped(dt.date(1980, 3, 17)) is None
    assert linkage.swapped(None) is None


def test_homophone_typo_changes_one_character_to_one_that_sounds_the_same() -> None:
    rng = random.Random(1)
    for name in ("张伟", "王芳", "刘洋", "陈静"):
        typo = dirtylists.homophone_typo(rng, name)
        assert typo != name and linkage.pinyin(typo) == linkage.pinyin(name)


def test_clean_row_keeps_a_row_with_a_bad_id_and_upgrades_a_15_digit_one() -> None:
    areas = {"990101001001"}
    today = dt.date(2026, 1, 1)
    kept = clean_row({"name": "张伟", "doc_number": "123"}, area_codes=areas, today=today)
    assert not isinstance(kept, list) and kept[0].doc_number == "" and kept[1][0].field == "doc_number"
    number = "990101198003070013"
    from core import idnum

    number = number[:17] + idnum.check_digit(number[:17])
    old = dirtylists.to_15(number)
    row = clean_row({"name": "张伟", "doc_number": old}, area_codes=areas, today=today)
    assert not isinstance(row, list) and row[0].doc_number == upgrade_15(old) == number
    assert row[0].birth_date == dt.date(1980, 3, 7) and row[0].sex == "M"


@pytest.fixture(scope="module")
def city_and_list() -> tuple[list[synthetic.PersonSpec], list[dirtylists.DirtyRow]]:
    rng = random.Random(7)
    communities = synthetic.community_codes()[:80]
    registry = list(synthetic.people(rng, 3000, dt.date(2020, 1, 1), communities))
    dirty = dirtylists.dirty_list(
        rng,
        registry,
        700,
        today=dt.date(2020, 1, 1),
        communities=communities,
        dirt=dirtylists.Dirt(id_missing=1.0, id_15=0.0),
    )
    return registry, dirty


def _records(
    registry: list[synthetic.PersonSpec], dirty: list[dirtylists.DirtyRow]
) -> tuple[list[linkage.Record], list[linkage.Record]]:
    left = [
        linkage.Record(
            i,
            d.values["name"],
            dt.date.fromisoformat(d.values["birth_date"]),
            d.values["phone"],
            d.values["sex"],
            d.values["area_code"],
        )
        for i, d in enumerate(dirty)
    ]
    right = [
        linkage.Record(10**6 + i, p.name, p.birth_date, p.phone, p.sex, p.area_code)
        for i, p in enumerate(registry)
    ]
    return left, right


def test_the_trained_model_links_a_dirty_list_with_high_precision_and_recall(
    city_and_list: tuple[list[synthetic.PersonSpec], list[dirtylists.DirtyRow]],
) -> None:
    registry, dirty = city_and_list
    left, right = _records(registry, dirty)
    model = linkage.train(left, right)
    assert model["comparisons"][0]["comparison_levels"][1]["m_probability"] > 0.5  # EM estimated the m values
    pairs = linkage.predict(left, right, model, threshold=0.3)
    best: dict[int, linkage.Pair] = {}
    for p in pairs:
        best.setdefault(p.left, p)  # sorted best first per row
    linked: dict[int, int | None] = {i: p.right - 10**6 for i, p in best.items() if p.probability >= 0.995}
    precision, recall = dirtylists.precision_recall(linked, [d.truth for d in dirty])
    assert precision >= 0.995 and recall >= 0.95
    # A stranger is never linked automatically.
    assert all(dirty[i].truth is not None for i in linked)
    some = next(iter(best.values()))
    assert set(some.evidence) == {"name", "birth", "phone", "sex", "area"}
    assert all({"level", "label", "weight"} <= set(e) for e in some.evidence.values())


def test_a_homophone_typo_still_scores_above_a_different_name(
    city_and_list: tuple[list[synthetic.PersonSpec], list[dirtylists.DirtyRow]],
) -> None:
    registry, dirty = city_and_list
    left, right = _records(registry, dirty)
    model = linkage.train(left, right)
    target = right[0]
    typo = dirtylists.homophone_typo(random.Random(3), target.name)
    other = "欧阳" + target.name[-1]
    probe = [
        linkage.Record(1, typo, target.birth_date, target.phone, target.sex, target.area),
        linkage.Record(2, other, target.birth_date, "", target.sex, target.area),
    ]
    scored = {p.left: p for p in linkage.predict(probe, right, model, threshold=0.0) if p.right == target.id}
    assert scored[1].evidence["name"]["label"] == "same pinyin"
    assert scored[1].probability > scored[2].probability


def test_nothing_is_written_to_disk_while_linking(
    city_and_list: tuple[list[synthetic.PersonSpec], list[dirtylists.DirtyRow]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry, dirty = city_and_list
    left, right = _records(registry[:500], dirty[:100])
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir(tempfile.gettempdir()))
    linkage.predict(left, right, linkage.train(left, right), threshold=0.5)
    assert list(tmp_path.iterdir()) == []
    assert not {n for n in set(os.listdir(tempfile.gettempdir())) - before if "duckdb" in n.lower()}
    con = linkage._connection()
    assert con.execute("SELECT current_setting('max_temp_directory_size')").fetchone()[0] in (
        "0 bytes",
        "0B",
        "0",
    )

"""The synthetic city: deterministic, valid and plausible people, and an area tree whose polygons nest."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import random
import statistics

import pytest

from core import geocodes, idnum, synthetic
from core.persons import PHONE_CN, clean_person

TODAY = dt.date(2026, 11, 23)
N = 20_000


@pytest.fixture(scope="module")
def city() -> list[synthetic.AreaSpec]:
    return synthetic.city_areas()


@pytest.fixture(scope="module")
def people() -> list[synthetic.PersonSpec]:
    return list(synthetic.people(random.Random(2020), N, TODAY, synthetic.community_codes()))


def age(p: synthetic.PersonSpec) -> int:
    b = p.birth_date
    return TODAY.year - b.year - ((TODAY.month, TODAY.day) < (b.month, b.day))


def test_the_same_seed_gives_the_same_people_and_another_seed_does_not(
    people: list[synthetic.PersonSpec],
) -> None:
    again = list(synthetic.people(random.Random(2020), N, TODAY, synthetic.community_codes()))
    assert again == people
    other = list(synthetic.people(random.Random(2021), 200, TODAY, synthetic.community_codes()))
    assert other != people[:200]


def test_exactly_the_requested_count_even_mid_household() -> None:
    for count in (0, 1, 7, 1001):
        assert len(list(synthetic.people(random.Random(1), count, TODAY, ["990101001001"]))) == count


def test_resident_ids_are_valid_unique_and_match_the_residence_district(
    people: list[synthetic.PersonSpec],
) -> None:
    residents = [p for p in people if p.doc_type == "resident_id"]
    assert len(residents) > 0.99 * N
    assert len({p.doc_number for p in residents}) == len(residents)
    for p in residents:
        info = idnum.parse(p.doc_number, today=TODAY)
        assert info.area_code == p.area_code[:6]
        assert (info.birth_date, info.sex) == (p.birth_date, p.sex)


def test_every_person_passes_the_import_validation(people: list[synthetic.PersonSpec]) -> None:
    areas = set(synthetic.community_codes())
    for p in people[:3000]:
        raw = {k: str(v) for k, v in dataclasses.asdict(p).items()}
        result = clean_person(raw, area_codes=areas, today=TODAY)
        assert not isinstance(result, list), (p, result)


def test_phones_are_mobile_numbers_for_everyone_twelve_and_over(people: list[synthetic.PersonSpec]) -> None:
    for p in people:
        if age(p) >= 12:
            assert PHONE_CN.match(p.phone)
        else:
            assert p.phone == ""


def test_household_sizes_are_realistic(people: list[synthetic.PersonSpec]) -> None:
    households: dict[str, list[synthetic.PersonSpec]] = collections.defaultdict(list)
    for p in people:
        households[p.household_ref].append(p)
    sizes = [len(m) for m in households.values()]
    assert 2.4 <= statistics.mean(sizes) <= 2.8  # 2020 census: 2.62
    assert max(sizes) <= 6
    shares = collections.Counter(sizes)
    assert 0.20 <= shares[1] / len(sizes) <= 0.30
    for members in households.values():
        assert [m.relation for m in members].count("head") == 1
        assert members[0].relation == "head"
        assert len({(m.area_code, m.address) for m in members}) == 1  # one home
        spouses = [m for m in members if m.relation == "spouse"]
        assert len(spouses) <= 1
        if spouses:
            assert spouses[0].sex != members[0].sex
        for m in members:
            if m.relation == "child":
                assert age(m) <= age(members[0]) - 15
            if m.relation == "parent":
                assert age(m) >= age(members[0]) + 15


def test_age_pyramid_is_plausible(people: list[synthetic.PersonSpec]) -> None:
    ages = [age(p) for p in people]
    share = lambda lo, hi: sum(lo <= a < hi for a in ages) / len(ages)  # noqa: E731
    # 2020 census: 17.95% aged 0-14, 68.55% aged 15-64, 13.50% aged 65+; centenarians are a few in 100,000.
    assert 0.13 <= share(0, 15) <= 0.23
    assert 0.60 <= share(15, 65) <= 0.76
    assert 0.08 <= share(65, 200) <= 0.20
    assert share(95, 200) < 0.002
    assert min(ages) >= 0 and max(ages) <= 105
    # No single age holds a pile-up (a clamp at 0 or 100 would show here).
    assert max(collections.Counter(ages).values()) / len(ages) < 0.035
    # Both sexes in every ten-year band below 80.
    for band in range(0, 80, 10):
        sexes = collections.Counter(p.sex for p in people if band <= age(p) < band + 10)
        assert 0.35 <= sexes["M"] / sum(sexes.values()) <= 0.65


def test_some_foreigners_with_passports(people: list[synthetic.PersonSpec]) -> None:
    foreigners = [p for p in people if p.nationality != "CHN"]
    assert 0.0005 * N <= len(foreigners) <= 0.01 * N
    for p in foreigners:
        assert p.doc_type == "passport"
        assert p.nationality in synthetic.FOREIGN
        assert p.doc_number[0] == p.nationality[0]
        assert p.name.isascii() and " " in p.name
    assert len({p.doc_number for p in foreigners}) == len(foreigners)
    by_household = collections.defaultdict(set)
    for p in foreigners:
        by_household[p.household_ref].add(p.nationality)
    assert all(len(n) == 1 for n in by_household.values())
    assert all(
        p.nationality == "CHN" and p.doc_type in ("resident_id", "") for p in people if p not in foreigners
    )


def test_people_spread_over_all_six_districts(people: list[synthetic.PersonSpec]) -> None:
    counts = collections.Counter(p.area_code[:6] for p in people)
    assert set(counts) == {d[0] for d in synthetic.DISTRICTS}
    assert min(counts.values()) > N / 6 * 0.7


def test_the_area_tree_has_the_promised_sizes_and_parents(city: list[synthetic.AreaSpec]) -> None:
    levels = collections.Counter(geocodes.level_of(a.code) for a in city)
    assert levels == {
        geocodes.Level.PROVINCE: 1,
        geocodes.Level.CITY: 1,
        geocodes.Level.DISTRICT: 6,
        geocodes.Level.STREET: 40,
        geocodes.Level.COMMUNITY: 400,
    }
    codes = {a.code for a in city}
    assert len(codes) == len(city)
    for a in city:
        parent = geocodes.parent_code(a.code)
        assert parent is None or parent in codes
        assert a.name_zh and a.name_en
    assert synthetic.community_codes() == [a.code for a in city if len(a.code) == 12]
    assert len(set(synthetic.community_codes())) == 400


def box(area: synthetic.AreaSpec) -> tuple[float, float, float, float]:
    assert area.boundary["type"] == "Polygon"
    ring = area.boundary["coordinates"][0]  # type: ignore[index]
    assert ring[0] == ring[-1] and len(ring) >= 4
    xs, ys = [pt[0] for pt in ring], [pt[1] for pt in ring]
    return min(xs), min(ys), max(xs), max(ys)


def test_every_polygon_lies_inside_its_parent_and_siblings_tile_it(city: list[synthetic.AreaSpec]) -> None:
    by_code = {a.code: a for a in city}
    children: dict[str, list[synthetic.AreaSpec]] = collections.defaultdict(list)
    for a in city:
        parent = geocodes.parent_code(a.code)
        if parent is None:
            continue
        children[parent].append(a)
        x0, y0, x1, y1 = box(a)
        px0, py0, px1, py1 = box(by_code[parent])
        assert x0 < x1 and y0 < y1
        assert px0 <= x0 and py0 <= y0 and x1 <= px1 and y1 <= py1, (a.code, parent)
    for parent, kids in children.items():
        if geocodes.level_of(parent) is geocodes.Level.PROVINCE:
            continue
        px0, py0, px1, py1 = box(by_code[parent])
        area = sum((b[2] - b[0]) * (b[3] - b[1]) for b in map(box, kids))
        assert area == pytest.approx((px1 - px0) * (py1 - py0), rel=1e-3), parent
        for i, a in enumerate(kids):  # no two siblings overlap
            ax0, ay0, ax1, ay1 = box(a)
            for b in kids[i + 1 :]:
                bx0, by0, bx1, by1 = box(b)
                assert ax1 <= bx0 + 1e-9 or bx1 <= ax0 + 1e-9 or ay1 <= by0 + 1e-9 or by1 <= ay0 + 1e-9

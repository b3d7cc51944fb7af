"""Screening lists with realistic dirt, and the truth kept beside them (for the linkage benchmark, tests, demo).

Dirt as it comes from operators and departments: homophone typos in names (章伟 for 张伟), a wrong or swapped
digit in phones, day and month swapped in birth dates, missing or first-generation 15-digit ID numbers,
duplicated lines, and people who are not in the registry at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from core import idnum, synthetic

# Characters that sound alike (same toneless pinyin): what a clerk typing by sound produces.
HOMOPHONES = (
    "张章彰",
    "王汪",
    "李理里礼",
    "刘留柳",
    "陈晨臣",
    "杨阳扬",
    "黄皇煌",
    "赵照",
    "吴伍武",
    "周舟州",
    "徐许",
    "孙荪",
    "马玛",
    "朱珠诸",
    "胡湖",
    "郭国",
    "何河和",
    "林琳霖",
    "罗萝",
    "郑正政",
    "梁良凉",
    "谢解",
    "伟玮炜维",
    "强蔷",
    "磊蕾",
    "军君均",
    "勇永",
    "杰洁",
    "涛韬",
    "斌彬",
    "明铭鸣",
    "刚钢",
    "平萍",
    "辉晖",
    "鹏朋",
    "华桦",
    "飞菲",
    "波博",
    "宇雨羽",
    "浩皓",
    "凯楷",
    "健建剑",
    "俊骏",
    "旭栩",
    "宁凝",
    "龙隆",
    "峰锋丰",
    "亮靓",
    "成诚城",
    "志智",
    "晨辰",
    "文雯",
    "芳方",
    "娜纳",
    "敏闽",
    "静婧",
    "丽莉",
    "艳燕",
    "娟鹃",
    "霞夏",
    "英莹",
    "慧惠",
    "美梅",
    "玉钰",
    "红虹",
    "玲铃",
    "兰岚",
    "雪薛",
    "婷亭",
    "颖影",
    "琴勤",
    "晶京",
    "倩茜",
    "佳嘉家",
    "怡宜",
    "欣新馨",
    "悦月",
    "瑶遥",
)
_SOUND_ALIKE = {c: group.replace(c, "") for group in HOMOPHONES for c in group}


@dataclass(frozen=True, slots=True)
class Dirt:
    name_typo: float = 0.08
    phone_typo: float = 0.06
    phone_missing: float = 0.05
    birth_swap: float = 0.04
    id_missing: float = 0.25
    id_15: float = 0.05
    duplicate: float = 0.03
    not_registered: float = 0.08
    area_vague: float = 0.10  # only the street or the district is known
    area_moved: float = 0.05  # the list gives another community (a new address, a work place)


@dataclass(frozen=True, slots=True)
class DirtyRow:
    values: dict[str, str]
    truth: int | None  # index of the registry person, or None for someone not registered


def homophone_typo(rng: random.Random, name: str) -> str:
    positions = [i for i, c in enumerate(name) if c in _SOUND_ALIKE]
    if not positions:
        return name
    i = rng.choice(positions)
    return name[:i] + rng.choice(_SOUND_ALIKE[name[i]]) + name[i + 1 :]


def phone_typo(rng: random.Random, phone: str) -> str:
    i = rng.randrange(3, len(phone) - 1)
    if rng.random() < 0.5:  # two neighbouring digits swapped
        return phone[:i] + phone[i + 1] + phone[i] + phone[i + 2 :]
    return phone[:i] + str((int(phone[i]) + rng.randint(1, 9)) % 10) + phone[i + 1 :]


def to_15(number: str) -> str:
    """The first-generation form of an 18-digit ID: no century, no check digit."""
    return number[:6] + number[8:17]


def _strangers(
    rng: random.Random,
    registry: Sequence[synthetic.PersonSpec],
    count: int,
    today: dt.date,
    communities: Sequence[str],
) -> list[synthetic.PersonSpec]:
    """People not in the registry: a generator restarts its ID sequences, so a clash with a registered number is
    replaced by a free one (a stranger never carries a registered person's document)."""
    taken = {p.doc_number for p in registry}
    out = []
    for p in synthetic.people(rng, count, today, list(communities)):
        doc = p.doc_number
        while doc in taken and p.doc_type == "resident_id":
            doc = idnum.make(p.area_code, p.birth_date, rng.randrange(500), p.sex)
        taken.add(doc)
        out.append(dataclasses.replace(p, doc_number=doc))
    return out


def dirty_list(
    rng: random.Random,
    registry: Sequence[synthetic.PersonSpec],
    size: int,
    *,
    today: dt.date,
    communities: Sequence[str],
    dirt: Dirt = Dirt(),
) -> list[DirtyRow]:
    """`size` rows about registry persons (and some strangers), each with its truth."""
    strangers = _strangers(rng, registry, max(1, int(size * dirt.not_registered) + 1), today, communities)
    out: list[DirtyRow] = []
    residents = [i for i, p in enumerate(registry) if p.doc_type == "resident_id"]
    while len(out) < size:
        if out and rng.random() < dirt.duplicate:
            out.append(out[rng.randrange(len(out))])
            continue
        truth: int | None
        if rng.random() < dirt.not_registered:
            person, truth = strangers[rng.randrange(len(strangers))], None
        else:
            truth = rng.choice(residents)
            person = registry[truth]
        name, phone, birth, doc = person.name, person.phone, person.birth_date, person.doc_number
        if rng.random() < dirt.name_typo:
            name = homophone_typo(rng, name)
        if phone and rng.random() < dirt.phone_typo:
            phone = phone_typo(rng, phone)
        elif rng.random() < dirt.phone_missing:
            phone = ""
        swapped = False
        if birth.day <= 12 and birth.day != birth.month and rng.random() < dirt.birth_swap:
            birth, swapped = dt.date(birth.year, birth.day, birth.month), True
        r = rng.random()
        if swapped or r < dirt.id_missing:
            doc = (
                ""  # a swapped birth date comes from a list without ID numbers (the number would correct it)
            )
        elif r < dirt.id_missing + dirt.id_15:
            doc = to_15(doc)
        area = person.area_code
        r = rng.random()
        if r < dirt.area_vague:
            area = area[: rng.choice((6, 9))]
        elif r < dirt.area_vague + dirt.area_moved:
            area = rng.choice(communities)
        values = {
            "name": name,
            "doc_number": doc,
            "sex": person.sex,
            "birth_date": birth.isoformat(),
            "phone": phone,
            "area_code": area,
            "address": person.address,
        }
        out.append(DirtyRow(values, truth))
    return out


def precision_recall(linked: dict[int, int | None], truth: Sequence[int | None]) -> tuple[float, float]:
    """Precision and recall of automatic links: `linked` row index -> registry index (or None)."""
    made = [(i, p) for i, p in linked.items() if p is not None]
    correct = sum(1 for i, p in made if truth[i] == p)
    findable = sum(1 for t in truth if t is not None)
    precision = correct / len(made) if made else 1.0
    recall = correct / findable if findable else 1.0
    return precision, recall

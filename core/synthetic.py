"""Deterministic synthetic city: areas with polygons, households, an age pyramid, names and phones.

Everything is drawn from a seeded `random.Random`, so the same seed gives the same city on every machine.
The data is fictional: province code 99 is not assigned by GB/T 2260.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from core import idnum

PROVINCE = ("990000", "演示省", "Demo Province")
CITY = ("990100", "统筹市", "Tongchou City")
DISTRICTS = (
    ("990101", "东湖区", "Donghu District"),
    ("990102", "西城区", "Xicheng District"),
    ("990103", "南岭区", "Nanling District"),
    ("990104", "北山区", "Beishan District"),
    ("990105", "中原区", "Zhongyuan District"),
    ("990106", "新港区", "Xingang District"),
)
STREETS_PER_DISTRICT = (7, 7, 7, 7, 6, 6)  # 40 streets
COMMUNITIES_PER_STREET = 10  # 400 communities
_STREET_WORDS = [
    "青石",
    "桃源",
    "长乐",
    "和平",
    "文昌",
    "金沙",
    "白鹭",
    "望江",
    "凤凰",
    "春华",
    "永安",
    "朝阳",
    "光明",
    "龙泉",
    "花园",
    "柳林",
    "兴业",
    "丰收",
    "红星",
    "清河",
]
_STREET_PINYIN = [
    "Qingshi",
    "Taoyuan",
    "Changle",
    "Heping",
    "Wenchang",
    "Jinsha",
    "Bailu",
    "Wangjiang",
    "Fenghuang",
    "Chunhua",
    "Yong'an",
    "Chaoyang",
    "Guangming",
    "Longquan",
    "Huayuan",
    "Liulin",
    "Xingye",
    "Fengshou",
    "Hongxing",
    "Qinghe",
]
_COMMUNITY_WORDS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

# Surnames with rough weights (the most common hundred cover most of the population).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_WEIGHTS = [max(1.0, 8.0 - i * 0.08) for i in range(len(SURNAMES))]
GIVEN_M = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国峰亮成志晨博文"
GIVEN_F = "芳娜敏静丽艳娟霞秀英华慧巧美玉萍红玲桂兰琳雪梅婷颖琴晶燕倩洁佳怡欣悦蕾岚瑶"
# Foreign residents: nationality -> (family names, men's given names, women's given names), Latin as in a passport.
FOREIGN: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "KOR": (("KIM", "LEE", "PARK"), ("MINJUN", "JIHO"), ("SEOYEON", "JIWOO")),
    "JPN": (("SATO", "TANAKA", "SUZUKI"), ("HIROSHI", "KENJI"), ("YUKI", "AIKO")),
    "USA": (("SMITH", "JOHNSON"), ("JOHN", "MICHAEL"), ("EMILY", "SARAH")),
    "RUS": (("PETROV", "IVANOV"), ("IVAN", "DMITRI"), ("ANNA", "OLGA")),
    "DEU": (("MUELLER", "SCHMIDT"), ("LUKAS", "JONAS"), ("ANNA", "LENA")),
    "GBR": (("BROWN", "TAYLOR"), ("JAMES", "OLIVER"), ("AMELIA", "EMMA")),
    "FRA": (("DUBOIS", "MARTIN"), ("LOUIS", "HUGO"), ("MARIE", "CHLOE")),
    "PAK": (("KHAN", "AHMED"), ("ALI", "HAMZA"), ("AYESHA", "FATIMA")),
    "VNM": (("NGUYEN", "TRAN"), ("VAN AN", "MINH"), ("THI LAN", "THU")),
}
FOREIGN_SHARE = 0.003  # of households
# Share of households by size, close to China's 2020 census (mean about 2.6 persons).
HOUSEHOLD_SIZES = ((1, 0.25), (2, 0.30), (3, 0.21), (4, 0.13), (5, 0.07), (6, 0.04))
ORIGIN = (113.00, 30.50)  # a south-west corner for the fictional polygons (degrees)


@dataclass(frozen=True, slots=True)
class AreaSpec:
    code: str
    name_zh: str
    name_en: str
    boundary: dict[str, object]


@dataclass(frozen=True, slots=True)
class PersonSpec:
    name: str
    doc_type: str
    doc_number: str
    sex: str
    birth_date: dt.date
    phone: str
    area_code: str
    address: str
    nationality: str
    household_ref: str
    relation: str


def _rect(x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    ring = [
        [round(x0, 5), round(y0, 5)],
        [round(x1, 5), round(y0, 5)],
        [round(x1, 5), round(y1, 5)],
        [round(x0, 5), round(y1, 5)],
        [round(x0, 5), round(y0, 5)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _split(x0: float, y0: float, x1: float, y1: float, n: int) -> list[tuple[float, float, float, float]]:
    """Split a rectangle into n cells on a near-square grid, row by row."""
    cols = max(1, round(n**0.5))
    rows = -(-n // cols)
    cells = []
    for i in range(n):
        r, c = divmod(i, cols)
        in_row = cols if r < rows - 1 else n - cols * (rows - 1)
        w = (x1 - x0) / in_row
        h = (y1 - y0) / rows
        cells.append((x0 + c * w, y0 + r * h, x0 + (c + 1) * w, y0 + (r + 1) * h))
    return cells


def city_areas() -> list[AreaSpec]:
    """Province, city, 6 districts, 40 streets, 400 communities, each with a rectangular boundary."""
    ox, oy = ORIGIN
    city_box = (ox, oy, ox + 0.6, oy + 0.4)
    areas = [
        AreaSpec(PROVINCE[0], PROVINCE[1], PROVINCE[2], _rect(ox - 0.1, oy - 0.1, ox + 0.7, oy + 0.5)),
        AreaSpec(CITY[0], CITY[1], CITY[2], _rect(*city_box)),
    ]
    word = 0
    for (code, zh, en), box, n_streets in zip(
        DISTRICTS, _split(*city_box, 6), STREETS_PER_DISTRICT, strict=True
    ):
        areas.append(AreaSpec(code, zh, en, _rect(*box)))
        for s, sbox in enumerate(_split(*box, n_streets), start=1):
            scode = f"{code}{s:03d}"
            szh, sen = _STREET_WORDS[word % 20] + "街道", _STREET_PINYIN[word % 20] + " Street"
            word += 1
            areas.append(AreaSpec(scode, szh, sen, _rect(*sbox)))
            for c, cbox in enumerate(_split(*sbox, COMMUNITIES_PER_STREET), start=1):
                areas.append(
                    AreaSpec(
                        f"{scode}{c:03d}",
                        f"{szh[:2]}{_COMMUNITY_WORDS[c - 1]}社区",
                        f"{sen.split()[0]} Community {c}",
                        _rect(*cbox),
                    )
                )
    return areas


def community_codes() -> list[str]:
    return [a.code for a in city_areas() if len(a.code) == 12]


def _age(rng: random.Random, lo: int, hi: int) -> int:
    return rng.randint(lo, max(lo, hi))


def _birth(rng: random.Random, today: dt.date, age: int) -> dt.date:
    """A birth date at which a person is exactly `age` (completed years) today."""
    try:
        birthday = today.replace(year=today.year - age)
    except ValueError:  # today is 29 February
        birthday = today.replace(year=today.year - age, day=28)
    return birthday - dt.timedelta(days=rng.randint(0, 364))


def chinese_name(rng: random.Random, sex: str) -> str:
    surname = rng.choices(SURNAMES, _SURNAME_WEIGHTS)[0]
    pool = GIVEN_M if sex == "M" else GIVEN_F
    return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


def _household(rng: random.Random, size: int) -> list[tuple[str, int, str]]:
    """(relation, age, sex) of each member. Young couples live with small children and sometimes a
    grandparent; older heads with adult children or grandchildren. This gives a pyramid close to the
    2020 census (about 18% under 15, 13% aged 65 and over) with no pile-up at any single age."""
    if size == 1:
        band = rng.choices(((20, 39), (40, 64), (65, 92)), (0.45, 0.30, 0.25))[0]
        return [("head", _age(rng, *band), rng.choice("MF"))]
    head_age = int(rng.triangular(24, 84, 38))
    members = [("head", head_age, rng.choice("MF"))]
    members.append(("spouse", max(20, head_age + rng.randint(-5, 5)), "F" if members[0][2] == "M" else "M"))
    for extra in range(size - 2):
        if head_age < 50:
            if extra == 0 and size >= 4 and rng.random() < 0.3:
                members.append(("parent", head_age + rng.randint(22, 32), rng.choice("MF")))
            else:
                members.append(("child", _age(rng, 0, min(head_age - 20, 17)), rng.choice("MF")))
        elif head_age < 65:
            if extra == 0 and rng.random() < 0.2:
                members.append(("parent", min(96, head_age + rng.randint(22, 30)), rng.choice("MF")))
            else:
                members.append(("child", _age(rng, max(0, head_age - 36), head_age - 22), rng.choice("MF")))
        elif rng.random() < 0.5:
            members.append(("child", _age(rng, head_age - 36, head_age - 24), rng.choice("MF")))
        else:
            members.append(("grandchild", _age(rng, 0, min(17, head_age - 48)), rng.choice("MF")))
    return members


def people(rng: random.Random, count: int, today: dt.date, communities: list[str]) -> Iterator[PersonSpec]:
    """Households of realistic sizes until `count` persons; valid ID numbers whose prefix is the district."""
    sequence: dict[tuple[str, dt.date], int] = {}
    passports: set[str] = set()
    sizes, weights = zip(*HOUSEHOLD_SIZES, strict=True)
    made, household = 0, 0
    while made < count:
        household += 1
        area = rng.choice(communities)
        ref = f"H{area}{household:07d}"
        address = (
            f"{rng.randint(1, 120)}号{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(101, 2605)}室"
        )
        size = min(rng.choices(sizes, weights)[0], count - made)
        members = _household(rng, size)
        foreign = rng.random() < FOREIGN_SHARE
        if foreign:  # one nationality and one family name per household
            nationality = rng.choice(sorted(FOREIGN))
            family, given_m, given_f = FOREIGN[nationality]
            surname = rng.choice(family)
        for relation, age, sex in members:
            birth = _birth(rng, today, age)
            if foreign:
                given = rng.choice(given_m if sex == "M" else given_f)
                name = f"{surname} {given}" if nationality in ("KOR", "VNM") else f"{given} {surname}"
                doc_type = "passport"
                doc = f"{nationality[0]}{rng.randint(10_000_000, 99_999_999)}"
                while doc in passports:  # one passport number is one person
                    doc = f"{nationality[0]}{rng.randint(10_000_000, 99_999_999)}"
                passports.add(doc)
            else:
                nationality, name, doc_type = "CHN", chinese_name(rng, sex), "resident_id"
                key = (area[:6], birth)
                n = sequence.get(key, 0)
                sequence[key] = n + 1
                doc = idnum.make(area[:6], birth, n, sex) if n < 500 else ""
            yield PersonSpec(
                name=name,
                doc_type=doc_type if doc else "",
                doc_number=doc,
                sex=sex,
                birth_date=birth,
                phone=phone(rng) if age >= 12 else "",
                area_code=area,
                address=address,
                nationality=nationality,
                household_ref=ref,
                relation=relation,
            )
            made += 1

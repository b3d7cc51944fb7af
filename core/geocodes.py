"""GB/T 2260-style administrative codes: levels, parents and the prefix that scopes a subtree."""

from __future__ import annotations

import enum


class Level(enum.IntEnum):
    PROVINCE = 1
    CITY = 2
    DISTRICT = 3
    STREET = 4
    COMMUNITY = 5


# How many leading characters of a code are significant at each level: a person in community
# 320102001001 lies under district 320102 (prefix 6), city 320100 (prefix 4), province 320000 (prefix 2).
PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12}
CODE_LENGTH = {Level.PROVINCE: 6, Level.CITY: 6, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12}


class AreaCodeError(ValueError):
    pass


def level_of(code: str) -> Level:
    if not (code.isascii() and code.isdigit()) or len(code) not in (6, 9, 12):
        raise AreaCodeError(f"an area code has 6, 9 or 12 digits, not {code!r}")
    if len(code) == 12:
        return Level.COMMUNITY
    if len(code) == 9:
        return Level.STREET
    if code[2:] == "0000":
        return Level.PROVINCE
    if code[4:] == "00":
        return Level.CITY
    return Level.DISTRICT


def scope_prefix(code: str) -> str:
    """The prefix every code in this area's subtree starts with."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == Level.PROVINCE:
        return None
    if level == Level.CITY:
        return code[:2] + "0000"
    if level == Level.DISTRICT:
        return code[:4] + "00"
    if level == Level.STREET:
        return code[:6]
    return code[:9]


def is_within(code: str, ancestor: str) -> bool:
    return code.startswith(scope_prefix(ancestor))

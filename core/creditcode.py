"""GB 32100-2015 unified social credit codes (统一社会信用代码): segments, check characters, validation, demo codes."""

from __future__ import annotations

import random
from dataclasses import dataclass

# GB 32100 drops I, O, Z, S and V so that a code read aloud or by OCR is not ambiguous.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, ...

# GB 11714 organisation code (组织机构代码): 8 body characters and a check character.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100 table 1: registration authority (登记管理部门) -> organisation types (机构类别) it may issue.
AUTHORITIES: dict[str, tuple[str, frozenset[str]]] = {
    "1": ("机构编制 establishment administration", frozenset("1239")),
    "2": ("外交 foreign affairs", frozenset("19")),
    "3": ("司法行政 justice", frozenset("123459")),
    "4": ("文化 culture", frozenset("19")),
    "5": ("民政 civil affairs", frozenset("1239")),
    "6": ("旅游 tourism", frozenset("129")),
    "7": ("宗教 religious affairs", frozenset("129")),
    "8": ("工会 trade unions", frozenset("19")),
    "9": ("工商 market regulation", frozenset("123")),
    "A": ("中央军委改革和编制办公室 military establishment", frozenset("19")),
    "N": ("农业 agriculture", frozenset("1239")),
    "Y": ("其他 other", frozenset("1")),
}


@dataclass(frozen=True, slots=True)
class CodeProblem:
    """One thing wrong with a code: `code` is stable for programs, `message` is for people."""

    code: str
    message: str
    position: int | None = None  # 1-based, as people count characters on a licence
    expected: str | None = None


@dataclass(frozen=True, slots=True)
class ValidationResult:
    normalized: str
    problems: tuple[CodeProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def error_code(self) -> str | None:
        return self.problems[0].code if self.problems else None

    @property
    def message(self) -> str:
        return "; ".join(p.message for p in self.problems) if self.problems else "valid"


@dataclass(frozen=True, slots=True)
class CreditCodeParts:
    registration_authority: str
    organisation_type: str
    area_code: str
    organisation_code: str  # 9 characters, GB 11714
    check_character: str


def normalize(raw: str) -> str:
    """Drop all whitespace and upper-case: codes are pasted from licences and spreadsheets."""
    return "".join(raw.split()).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100 mod-31 check)."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError("check_character needs 17 characters from the GB 32100 alphabet")
    remainder = 31 - sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True)) % 31
    return ALPHABET[0 if remainder == 31 else remainder]


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def organisation_check_character(body8: str) -> str:
    """The 9th character of a GB 11714 organisation code (mod-11 check; 10 -> 'X', 11 -> '0')."""
    if len(body8) != 8 or not all(c.isdigit() or "A" <= c <= "Z" for c in body8):
        raise ValueError("organisation_check_character needs 8 digits or capital letters")
    remainder = 11 - sum(_org_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate(raw: str, *, check_segments: bool = True) -> ValidationResult:
    """Validate a code and name every problem found.

    Length and alphabet problems stop the check (nothing else can be read reliably). Otherwise every
    segment problem is reported, so an import row shows all that is wrong at once. `check_segments=False`
    skips the authority/type table, for codes from authorities added after GB 32100-2015.
    """
    code = normalize(raw)
    if len(code) != 18:
        return ValidationResult(
            code,
            (
                CodeProblem(
                    "length", f"a unified social credit code has 18 characters, this one has {len(code)}"
                ),
            ),
        )
    for i, c in enumerate(code, start=1):
        if c not in _VALUE:
            hint = " (I, O, S, V and Z are never used)" if c in "IOSVZ" else ""
            return ValidationResult(
                code,
                (CodeProblem("character", f"character {i} '{c}' is not allowed{hint}", position=i),),
            )
    problems: list[CodeProblem] = []
    authority, org_type = code[0], code[1]
    if check_segments:
        if authority not in AUTHORITIES:
            problems.append(
                CodeProblem(
                    "registration_authority",
                    f"character 1 '{authority}' is not a registration authority code",
                    position=1,
                )
            )
        elif org_type not in AUTHORITIES[authority][1]:
            allowed = ", ".join(sorted(AUTHORITIES[authority][1]))
            problems.append(
                CodeProblem(
                    "organisation_type",
                    f"character 2 '{org_type}' is not an organisation type of authority '{authority}' "
                    f"(allowed: {allowed})",
                    position=2,
                )
            )
    for i in range(2, 8):
        if not code[i].isdigit():
            problems.append(
                CodeProblem(
                    "area_code",
                    f"character {i + 1} '{code[i]}' must be a digit: characters 3-8 are the area code",
                    position=i + 1,
                )
            )
            break
    org_expected = organisation_check_character(code[8:16])
    if code[16] != org_expected:
        problems.append(
            CodeProblem(
                "organisation_check_character",
                f"character 17 '{code[16]}' is not the organisation code's check character, "
                f"expected '{org_expected}'",
                position=17,
                expected=org_expected,
            )
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        problems.append(
            CodeProblem(
                "check_character",
                f"character 18 '{code[17]}' is not the check character, expected '{expected}'",
                position=18,
                expected=expected,
            )
        )
    return ValidationResult(code, tuple(problems))


def parts(code: str) -> CreditCodeParts:
    """Split a code into its segments; raises ValueError naming the problems if it is not valid."""
    result = validate(code)
    if not result.ok:
        raise ValueError(result.message)
    c = result.normalized
    return CreditCodeParts(c[0], c[1], c[2:8], c[8:17], c[17])


def generate(
    rng: random.Random, area_code: str, *, authority: str = "9", organisation_type: str = "1"
) -> str:
    """A valid code for the demo city; the default is an enterprise (9/1) with a post-2015 'MA' body."""
    if len(area_code) != 6 or not area_code.isdigit():
        raise ValueError("area_code must be 6 digits")
    # Since 2015 the market regulator issues organisation codes starting 'MA' (赋码段 MA).
    body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
    first17 = authority + organisation_type + area_code + body + organisation_check_character(body)
    return first17 + check_character(first17)

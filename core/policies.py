"""Policy eligibility rules as JSON data (送政策上门): validation naming the bad node, and explained matching.

A rule is one of
    {"all": [rule, ...]}            every clause holds (an empty list always holds)
    {"any": [rule, ...]}            at least one clause holds (must not be empty)
    {"not": rule}
    {"attr": NAME, OP: VALUE}       a comparison on one enterprise attribute
with OP one of eq, ne, lt, lte, gt, gte (numbers), in, not_in (a list of scalars), contains (one member of a
set attribute such as `reasons`), contains_any, contains_all (a list of members). A missing or None attribute
makes every comparison on it false; `not` then turns that into true, as in plain two-valued logic.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

AttrType = Literal["number", "string", "bool", "set"]
Rule = Mapping[str, Any]

# The enterprise attributes the economy app passes to `match`; a rule naming anything else is rejected.
ENTERPRISE_SCHEMA: Mapping[str, AttrType] = {
    "size_class": "string",  # micro / small / medium / large
    "industry_section": "string",  # GB/T 4754 section letter
    "district": "string",  # area code
    "above_designated_size": "bool",  # "四上"
    "employees": "number",
    "annual_revenue": "number",  # 10k yuan (万元)
    "status": "string",  # not / partly / fully
    "reasons": "set",  # labour, logistics, raw_materials, capital, protective_supplies, orders, other
}

ORDER_OPS = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}
SCALAR_OPS = {"eq", "ne"}
LIST_OPS = {"in", "not_in"}
SET_LIST_OPS = {"contains_any", "contains_all"}
OPS = set(ORDER_OPS) | SCALAR_OPS | LIST_OPS | SET_LIST_OPS | {"contains"}
MAX_DEPTH = 16


@dataclass(frozen=True, slots=True)
class RuleProblem:
    path: str  # e.g. "$.all[1].not"
    message: str


class InvalidRule(ValueError):
    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Explanation:
    path: str
    depth: int
    passed: bool
    en: str
    zh: str


def _scalar_type(value: object) -> AttrType | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        # NaN and infinities are not JSON and make every comparison meaningless.
        return "number" if math.isfinite(value) else None
    if isinstance(value, str):
        return "string"
    return None


def validate_rule(
    rule: object, schema: Mapping[str, AttrType] | None = ENTERPRISE_SCHEMA
) -> list[RuleProblem]:
    """Every problem in the rule, each with the path of its node; an empty list means the rule is valid.

    With `schema=None` any attribute name is accepted and types are checked only among the values.
    """
    problems: list[RuleProblem] = []
    _validate(rule, "$", 0, schema, problems)
    return problems


def _validate(
    node: object, path: str, depth: int, schema: Mapping[str, AttrType] | None, out: list[RuleProblem]
) -> None:
    def bad(message: str) -> None:
        out.append(RuleProblem(path, message))

    if depth > MAX_DEPTH:
        return bad(f"rules may nest at most {MAX_DEPTH} levels")
    if not isinstance(node, Mapping):
        return bad(f"a rule must be an object, got {type(node).__name__}")
    keys = set(node)
    if keys in ({"all"}, {"any"}):
        (op,) = keys
        children = node[op]
        if not isinstance(children, list):
            return bad(f'"{op}" needs a list of rules')
        if op == "any" and not children:
            return bad('"any" with no clauses can never hold')
        for i, child in enumerate(children):
            _validate(child, f"{path}.{op}[{i}]", depth + 1, schema, out)
        return None
    if keys == {"not"}:
        return _validate(node["not"], f"{path}.not", depth + 1, schema, out)
    if "attr" not in keys:
        return bad(f"unknown rule keys {sorted(keys)}; expected all, any, not or attr")
    ops = keys - {"attr"}
    if len(ops) != 1 or not ops <= OPS:
        return bad(f"a comparison needs exactly one operator of {sorted(OPS)}, got {sorted(ops)}")
    (op,) = ops
    attr, value = node["attr"], node[op]
    if not isinstance(attr, str) or not attr:
        return bad('"attr" must be a non-empty string')
    path = f"{path}.{op}"
    declared = None
    if schema is not None:
        if attr not in schema:
            return bad(f"unknown attribute '{attr}'; known: {', '.join(sorted(schema))}")
        declared = schema[attr]
    if op in ORDER_OPS:
        if _scalar_type(value) != "number":
            return bad(f'"{op}" compares with a number, got {value!r}')
        if declared not in (None, "number"):
            return bad(f"'{attr}' is a {declared}, it cannot be ordered")
    elif op in SCALAR_OPS:
        vtype = _scalar_type(value)
        if vtype is None:
            return bad(f'"{op}" compares with a string, number or boolean, got {value!r}')
        if declared is not None and declared != vtype:
            return bad(f"'{attr}' is a {declared}, the value {value!r} is a {vtype}")
    elif op == "contains":
        if not isinstance(value, str):
            return bad(f'"contains" needs one string member, got {value!r}')
        if declared not in (None, "set"):
            return bad(f"'{attr}' is a {declared}, not a set; use eq or in")
    else:
        if not isinstance(value, list) or not value:
            return bad(f'"{op}" needs a non-empty list, got {value!r}')
        types = {_scalar_type(v) for v in value}
        if op in SET_LIST_OPS:
            if types != {"string"}:
                return bad(f'"{op}" needs a list of strings, got {value!r}')
            if declared not in (None, "set"):
                return bad(f"'{attr}' is a {declared}, not a set; use in")
        else:
            if None in types or len(types) != 1:
                return bad(f'"{op}" needs a list of values of one type, got {value!r}')
            if declared == "set":
                return bad(f"'{attr}' is a set; use contains_any")
            if declared is not None and types != {declared}:
                return bad(f"'{attr}' is a {declared}, the list {value!r} is not")
    return None


def match(
    rule: Rule, attrs: Mapping[str, object], schema: Mapping[str, AttrType] | None = ENTERPRISE_SCHEMA
) -> tuple[bool, list[Explanation]]:
    """Evaluate a rule; the explanations list every node (pre-order) with whether it passed.

    Every clause is evaluated, not short-circuited, so an enterprise sees all the conditions it misses.
    """
    problems = validate_rule(rule, schema)
    if problems:
        raise InvalidRule(problems)
    out: list[Explanation] = []
    return _eval(rule, attrs, "$", 0, out), out


def _eval(node: Rule, attrs: Mapping[str, object], path: str, depth: int, out: list[Explanation]) -> bool:
    if "all" in node or "any" in node:
        op = "all" if "all" in node else "any"
        slot = len(out)
        out.append(Explanation(path, depth, False, "", ""))  # filled in once the children are known
        results = [_eval(c, attrs, f"{path}.{op}[{i}]", depth + 1, out) for i, c in enumerate(node[op])]
        passed = all(results) if op == "all" else any(results)
        n, k = len(results), sum(results)
        en = f"{'all' if op == 'all' else 'any'} of {n} conditions: {k} met"
        zh = f"{'全部满足' if op == 'all' else '满足其一'}（共{n}项，满足{k}项）"
        out[slot] = Explanation(path, depth, passed, en, zh)
        return passed
    if "not" in node:
        slot = len(out)
        out.append(Explanation(path, depth, False, "", ""))
        inner = _eval(node["not"], attrs, f"{path}.not", depth + 1, out)
        out[slot] = Explanation(
            path, depth, not inner, "the next condition must not hold", "下列条件不得成立"
        )
        return not inner
    return _compare(node, attrs, path, depth, out)


def _as_set(value: object) -> frozenset[str] | None:
    if isinstance(value, str) or not isinstance(value, Collection):
        return None
    return frozenset(str(v) for v in value)


def _compare(node: Rule, attrs: Mapping[str, object], path: str, depth: int, out: list[Explanation]) -> bool:
    attr = str(node["attr"])
    (op,) = set(node) - {"attr"}
    expected = node[op]
    actual = attrs.get(attr)
    passed = False
    if actual is None:
        en, zh = f"{attr} is not recorded", f"{attr}未登记"
    elif op in ORDER_OPS:
        ok = _scalar_type(actual) == "number"
        passed = ok and _order(op, actual, expected)
        en = (
            f"{attr} = {actual!r} {ORDER_OPS[op]} {expected!r}"
            if ok
            else f"{attr} = {actual!r} is not a number"
        )
        zh = f"{attr}为{actual!r}，要求{ORDER_OPS[op]}{expected!r}"
    elif op in SCALAR_OPS:
        same = _scalar_type(actual) == _scalar_type(expected) and actual == expected
        passed = same if op == "eq" else not same
        word = "=" if op == "eq" else "≠"
        en = f"{attr} = {actual!r}, required {word} {expected!r}"
        zh = f"{attr}为{actual!r}，要求{word}{expected!r}"
    elif op in LIST_OPS:
        member = any(_scalar_type(actual) == _scalar_type(v) and actual == v for v in expected)
        passed = member if op == "in" else not member
        en = f"{attr} = {actual!r}, required {'one of' if op == 'in' else 'none of'} {list(expected)!r}"
        zh = f"{attr}为{actual!r}，要求{'属于' if op == 'in' else '不属于'}{list(expected)!r}"
    else:
        members = _as_set(actual)
        wanted = {expected} if op == "contains" else set(expected)
        if members is None:
            en, zh = f"{attr} = {actual!r} is not a set", f"{attr}不是集合"
        else:
            found = members & wanted
            passed = bool(found) if op in ("contains", "contains_any") else found == wanted
            want = "all of" if op == "contains_all" else "any of"
            en = f"{attr} = {sorted(members)!r}, required {want} {sorted(wanted)!r}"
            zh = f"{attr}为{sorted(members)!r}，要求{'包含全部' if op == 'contains_all' else '包含'}{sorted(wanted)!r}"
    out.append(
        Explanation(
            path,
            depth,
            passed,
            f"{en}: {'met' if passed else 'not met'}",
            f"{zh}：{'满足' if passed else '不满足'}",
        )
    )
    return passed


def _order(op: str, actual: Any, expected: Any) -> bool:
    if op == "lt":
        return bool(actual < expected)
    if op == "lte":
        return bool(actual <= expected)
    if op == "gt":
        return bool(actual > expected)
    return bool(actual >= expected)


@dataclass(frozen=True, slots=True)
class PolicyMatch:
    policy_id: str
    eligible: bool
    explanations: tuple[Explanation, ...]


def match_policies(
    policies: Iterable[tuple[str, Rule]],
    attrs: Mapping[str, object],
    schema: Mapping[str, AttrType] | None = ENTERPRISE_SCHEMA,
) -> list[PolicyMatch]:
    """Every policy with the enterprise's eligibility and why, in the catalogue's order."""
    results = []
    for policy_id, rule in policies:
        eligible, why = match(rule, attrs, schema)
        results.append(PolicyMatch(policy_id, eligible, tuple(why)))
    return results

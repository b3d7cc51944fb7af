import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.policies import InvalidRule, match, match_policies, validate_rule

SMES_SHORT_OF_CAPITAL = {
    "all": [
        {"attr": "size_class", "in": ["micro", "small", "medium"]},
        {"attr": "reasons", "contains": "capital"},
    ]
}
small_firm = {"size_class": "small", "reasons": {"capital", "orders"}, "employees": 40}


def test_it_matches_a_small_firm_short_of_capital_and_says_why() -> None:
    ok, why = match(SMES_SHORT_OF_CAPITAL, small_firm)
    assert ok
    assert [(e.path, e.passed) for e in why] == [("$", True), ("$.all[0]", True), ("$.all[1]", True)]
    assert "size_class = 'small'" in why[1].en
    assert why[2].zh.endswith("满足")


def test_it_names_the_failed_clause_and_still_evaluates_the_others() -> None:
    ok, why = match(SMES_SHORT_OF_CAPITAL, {"size_class": "large", "reasons": {"labour"}})
    assert not ok
    assert [e.passed for e in why] == [False, False, False]
    assert "0 met" in why[0].en
    assert why[1].en.endswith("not met") and "'large'" in why[1].en


def test_a_missing_attribute_fails_its_comparison_and_not_inverts_it() -> None:
    ok, why = match({"attr": "employees", "lt": 300}, {})
    assert not ok and "not recorded" in why[0].en
    assert match({"not": {"attr": "employees", "lt": 300}}, {})[0]


def test_numbers_compare_across_int_and_float_but_not_with_booleans() -> None:
    assert match({"attr": "employees", "eq": 40.0}, {"employees": 40})[0]
    assert not match({"attr": "employees", "gte": 1}, {"employees": True})[0]


@pytest.mark.parametrize(
    ("rule", "path", "fragment"),
    [
        ([], "$", "must be an object"),
        ({"all": {"attr": "employees", "lt": 1}}, "$", "needs a list"),
        ({"any": []}, "$", "can never hold"),
        ({"all": [{"attr": "employees", "lt": 1}, {"atr": "x"}]}, "$.all[1]", "unknown rule keys"),
        ({"not": {"attr": "employees", "lt": 1, "gt": 0}}, "$.not", "exactly one operator"),
        ({"attr": "turnover", "gt": 5}, "$.gt", "unknown attribute 'turnover'"),
        ({"attr": "size_class", "gt": 5}, "$.gt", "cannot be ordered"),
        ({"attr": "employees", "lt": "50"}, "$.lt", "compares with a number"),
        ({"attr": "employees", "lt": float("nan")}, "$.lt", "compares with a number"),
        ({"attr": "size_class", "eq": 3}, "$.eq", "is a string"),
        ({"attr": "size_class", "contains": "s"}, "$.contains", "not a set"),
        ({"attr": "reasons", "in": ["capital"]}, "$.in", "is a set"),
        ({"attr": "size_class", "in": []}, "$.in", "non-empty list"),
        ({"attr": "size_class", "in": ["small", 2]}, "$.in", "one type"),
        ({"attr": "reasons", "contains_all": ["capital", 1]}, "$.contains_all", "list of strings"),
        ({"any": [{"all": [{"not": {"attr": "", "eq": 1}}]}]}, "$.any[0].all[0].not", "non-empty string"),
    ],
)
def test_it_rejects_bad_rules_naming_the_node(rule: Any, path: str, fragment: str) -> None:
    problems = validate_rule(rule)
    assert [p.path for p in problems] == [path]
    assert fragment in problems[0].message


def test_it_reports_every_bad_node() -> None:
    rule = {"all": [{"attr": "nope", "eq": 1}, {"attr": "employees", "lt": 1}, {"not": 5}]}
    assert [p.path for p in validate_rule(rule)] == ["$.all[0].eq", "$.all[2].not"]


def test_match_refuses_an_invalid_rule() -> None:
    with pytest.raises(InvalidRule, match=r"\$\.all\[0\]"):
        match({"all": [{"attr": "employees"}]}, small_firm)


def test_without_a_schema_any_attribute_name_is_accepted() -> None:
    assert validate_rule({"attr": "rent_area_m2", "gte": 100}, schema=None) == []
    assert match({"attr": "rent_area_m2", "gte": 100}, {"rent_area_m2": 120}, schema=None)[0]


def test_match_policies_keeps_catalogue_order() -> None:
    results = match_policies(
        [("loan", SMES_SHORT_OF_CAPITAL), ("big", {"attr": "employees", "gt": 1000})], small_firm
    )
    assert [(r.policy_id, r.eligible) for r in results] == [("loan", True), ("big", False)]


# --- property tests against a naive, short-circuiting evaluator ---

STRINGS = {"size_class": ["micro", "small", "medium", "large"], "industry_section": ["C", "E", "F"]}
REASONS = ["labour", "capital", "orders", "logistics"]

leaves = st.one_of(
    st.builds(
        lambda op, n: {"attr": "employees", op: n},
        st.sampled_from(["lt", "lte", "gt", "gte", "eq", "ne"]),
        st.integers(0, 60),
    ),
    st.builds(
        lambda attr, op, v: {"attr": attr, op: v},
        st.sampled_from(sorted(STRINGS)),
        st.sampled_from(["eq", "ne"]),
        st.sampled_from(["micro", "small", "C", "E"]),
    ),
    st.builds(
        lambda op, vs: {"attr": "size_class", op: vs},
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(STRINGS["size_class"]), min_size=1, max_size=3),
    ),
    st.builds(lambda b: {"attr": "above_designated_size", "eq": b}, st.booleans()),
    st.builds(lambda r: {"attr": "reasons", "contains": r}, st.sampled_from(REASONS)),
    st.builds(
        lambda op, rs: {"attr": "reasons", op: rs},
        st.sampled_from(["contains_any", "contains_all"]),
        st.lists(st.sampled_from(REASONS), min_size=1, max_size=3),
    ),
)
rules = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(inner, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=12,
)
attr_sets = st.fixed_dictionaries(
    {},
    optional={
        "employees": st.integers(0, 60),
        "size_class": st.sampled_from(STRINGS["size_class"]),
        "industry_section": st.sampled_from(STRINGS["industry_section"]),
        "above_designated_size": st.booleans(),
        "reasons": st.frozensets(st.sampled_from(REASONS)),
    },
)


def naive(rule: dict[str, Any], attrs: dict[str, Any]) -> bool:
    if "all" in rule:
        return all(naive(c, attrs) for c in rule["all"])
    if "any" in rule:
        return any(naive(c, attrs) for c in rule["any"])
    if "not" in rule:
        return not naive(rule["not"], attrs)
    (op,) = set(rule) - {"attr"}
    v, a = rule[op], attrs.get(rule["attr"])
    if a is None:
        return False
    return {
        "lt": lambda: a < v,
        "lte": lambda: a <= v,
        "gt": lambda: a > v,
        "gte": lambda: a >= v,
        "eq": lambda: a == v,
        "ne": lambda: a != v,
        "in": lambda: a in v,
        "not_in": lambda: a not in v,
        "contains": lambda: v in a,
        "contains_any": lambda: bool(set(v) & a),
        "contains_all": lambda: set(v) <= a,
    }[op]()


def node_at(rule: dict[str, Any], path: str) -> dict[str, Any]:
    node = rule
    for key, index in re.findall(r"\.(all|any|not)(?:\[(\d+)\])?", path):
        node = node[key][int(index)] if index else node[key]
    return node


@settings(max_examples=400, deadline=None)
@given(rule=rules, attrs=attr_sets)
def test_match_agrees_with_a_naive_evaluator_at_every_node(
    rule: dict[str, Any], attrs: dict[str, Any]
) -> None:
    assert validate_rule(rule) == []
    ok, why = match(rule, attrs)
    assert ok == naive(rule, attrs)
    for e in why:
        assert e.passed == naive(node_at(rule, e.path), attrs), e.path
    assert why[0].path == "$"


@settings(max_examples=200, deadline=None)
@given(
    rule=rules,
    garbage=st.sampled_from([5, "x", {"attr": "employees"}, {"any": []}, {"foo": 1}]),
    data=st.data(),
)
def test_a_corrupted_node_is_reported_at_its_path(
    rule: dict[str, Any], garbage: Any, data: st.DataObject
) -> None:
    _, why = match(rule, {})
    path = data.draw(st.sampled_from([e.path for e in why]))
    if path == "$":
        corrupted: Any = garbage
    else:
        corrupted = rule
        parent, last = path.rsplit(".", 1)
        holder = node_at(corrupted, parent)
        key, _, index = last.partition("[")
        if index:
            holder[key][int(index[:-1])] = garbage
        else:
            holder[key] = garbage
    problem_paths = [p.path for p in validate_rule(corrupted)]
    assert len(problem_paths) == 1
    assert problem_paths[0] == path or problem_paths[0].startswith(path + ".")

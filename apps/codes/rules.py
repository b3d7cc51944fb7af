"""The rule sets in force: stored versions (or the built-in default) as core RuleSets."""

from __future__ import annotations

from datetime import date

from core.coderules import DEFAULT_RULESET, RuleSet, ruleset_for


def all_rulesets() -> list[RuleSet]:
    from apps.codes.models import RuleSetVersion

    stored = [RuleSet.from_dict(params) for params in RuleSetVersion.objects.values_list("params", flat=True)]
    # The built-in default applies until the first stored version takes effect.
    if not any(rs.effective_from == DEFAULT_RULESET.effective_from for rs in stored):
        stored.append(DEFAULT_RULESET)
    return stored


def current_ruleset(today: date) -> RuleSet:
    try:
        return ruleset_for(today, all_rulesets())
    except LookupError:
        return DEFAULT_RULESET

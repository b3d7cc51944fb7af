"""Which scans need an officer's action (预警规则): alert on what needs action, not on every yellow code.

The seeds ask for two things at once: a checkpoint must catch what matters (测温、扫码 everywhere), and
"小区卡口对外来人员要能发现，对居民正常进出要宽松便捷" (seed 002) — residents passing their own community's
gate must not flood the officers. So:

- a red code always raises a ``red_code`` alert;
- a temperature at or above the rule set's fever threshold always raises a ``fever`` alert (the same
  ``fever_threshold_celsius`` the code rules use: one setting for both);
- a yellow code raises a ``yellow_code`` alert unless it is *quiet*: every reason for the yellow is one of
  ``quiet_yellow_reasons`` (by default: lives in a high- or medium-risk area) **and** the venue lies in the
  person's home area (the residence code cut to ``home_digits``, by default 12 = the community). A resident
  who is yellow only because of where they live is expected at their own gate; the same person at a venue
  outside their home area, or a person yellow for any other reason (fever, secondary contact, an arrival, a
  missed check-in), or whose reasons are unknown, raises the alert.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

RED_CODE = "red_code"
YELLOW_CODE = "yellow_code"
FEVER = "fever"

RESIDENCE_REASONS = frozenset({"residence_high_risk", "residence_medium_risk"})


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """The configurable part of the alert rule (settings.TONGCHOU_SCAN_ALERTS)."""

    home_digits: int = 12  # the home area: 12 = community (社区), 9 = street, 6 = district
    quiet_yellow_reasons: frozenset[str] = field(default_factory=lambda: RESIDENCE_REASONS)

    def __post_init__(self) -> None:
        if self.home_digits not in (6, 9, 12):
            raise ValueError(f"home_digits must be 6, 9 or 12, got {self.home_digits}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> AlertPolicy:
        data = data or {}
        unknown = set(data) - {"home_digits", "quiet_yellow_reasons"}
        if unknown:
            raise ValueError(f"unknown alert policy keys {sorted(unknown)}")
        return cls(
            home_digits=int(data.get("home_digits", 12)),
            quiet_yellow_reasons=frozenset(data.get("quiet_yellow_reasons", RESIDENCE_REASONS)),
        )


def in_home_area(residence_area: str, venue_area: str, home_digits: int) -> bool:
    """True when the venue lies in the person's home area; a residence coarser than the home level has none."""
    if len(residence_area) < home_digits:
        return False
    return venue_area.startswith(residence_area[:home_digits])


def scan_alert_kinds(
    *,
    colour: str,
    temperature: Decimal | float | None,
    fever_threshold: Decimal | float,
    yellow_reasons: Collection[str] | None,
    residence_area: str,
    venue_area: str,
    policy: AlertPolicy = AlertPolicy(),
) -> tuple[str, ...]:
    """The alert kinds one scan raises (none, one or two), by the rule in the module docstring.

    `yellow_reasons` are the reason codes of the person's current code that make it yellow (None or empty
    when unknown: a yellow scan of unknown cause alerts)."""
    kinds: list[str] = []
    if colour == "red":
        kinds.append(RED_CODE)
    elif colour == "yellow":
        quiet = (
            bool(yellow_reasons)
            and all(r in policy.quiet_yellow_reasons for r in yellow_reasons or ())
            and in_home_area(residence_area, venue_area, policy.home_digits)
        )
        if not quiet:
            kinds.append(YELLOW_CODE)
    if temperature is not None and Decimal(str(temperature)) >= Decimal(str(fever_threshold)):
        kinds.append(FEVER)
    return tuple(kinds)

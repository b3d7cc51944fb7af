"""core.scanalerts: which scans need an officer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.scanalerts import AlertPolicy, in_home_area, scan_alert_kinds

HOME = "990101001001"


def kinds(**kw: object) -> tuple[str, ...]:
    args: dict[str, object] = {
        "colour": "yellow",
        "temperature": Decimal("36.5"),
        "fever_threshold": Decimal("37.3"),
        "yellow_reasons": ["residence_high_risk"],
        "residence_area": HOME,
        "venue_area": HOME,
    }
    args.update(kw)
    return scan_alert_kinds(**args)  # type: ignore[arg-type]


def test_a_resident_yellow_for_the_residence_is_quiet_at_home_only() -> None:
    assert kinds() == ()
    assert kinds(venue_area="990101001002") == ("yellow_code",)
    assert kinds(venue_area="990101001") == ("yellow_code",)  # a street-level venue is not the community


def test_any_other_yellow_reason_or_none_alerts() -> None:
    assert kinds(yellow_reasons=["residence_high_risk", "arrival_medium_risk"]) == ("yellow_code",)
    assert kinds(yellow_reasons=[]) == ("yellow_code",)
    assert kinds(yellow_reasons=None) == ("yellow_code",)


def test_red_and_fever_always_alert() -> None:
    assert kinds(colour="red") == ("red_code",)
    assert kinds(temperature=Decimal("37.3")) == ("fever",)
    assert kinds(temperature=Decimal("37.2")) == ()
    assert kinds(colour="green", temperature=37.0, fever_threshold=37.0) == ("fever",)


def test_the_home_level_is_configurable() -> None:
    street = AlertPolicy.from_mapping({"home_digits": 9})
    assert kinds(venue_area="990101001002", policy=street) == ()
    assert kinds(venue_area="990101002001", policy=street) == ("yellow_code",)
    with pytest.raises(ValueError, match="home_digits"):
        AlertPolicy(home_digits=7)
    with pytest.raises(ValueError, match="unknown"):
        AlertPolicy.from_mapping({"home": 12})


def test_a_residence_coarser_than_the_home_level_has_no_home() -> None:
    assert not in_home_area("990101", "990101001001", 12)
    assert kinds(residence_area="990101") == ("yellow_code",)


temperatures = st.decimals(min_value=Decimal("34.0"), max_value=Decimal("43.0"), places=1)
areas = st.sampled_from(["990101001001", "990101001002", "990101002001", "990102001001", "990101001"])
reasons = st.lists(
    st.sampled_from(
        ["residence_high_risk", "residence_medium_risk", "arrival_medium_risk", "checkpoint_fever"]
    ),
    max_size=3,
)


@given(
    colour=st.sampled_from(["", "green", "yellow", "red"]),
    temperature=st.none() | temperatures,
    threshold=temperatures,
    why=reasons,
    residence=areas,
    venue=areas,
)
def test_fever_and_red_are_never_quiet_and_quiet_needs_residence_reasons_at_home(
    colour: str, temperature: Decimal | None, threshold: Decimal, why: list[str], residence: str, venue: str
) -> None:
    got = scan_alert_kinds(
        colour=colour,
        temperature=temperature,
        fever_threshold=threshold,
        yellow_reasons=why,
        residence_area=residence,
        venue_area=venue,
    )
    assert ("fever" in got) == (temperature is not None and temperature >= threshold)
    assert ("red_code" in got) == (colour == "red")
    quiet = (
        bool(why)
        and set(why) <= {"residence_high_risk", "residence_medium_risk"}
        and venue.startswith(residence)
    )
    assert ("yellow_code" in got) == (colour == "yellow" and not (quiet and len(residence) == 12))

"""insert_ignoring_conflicts: skips rows whose key exists, and stores datetimes the way the ORM reads them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import transaction
from django.utils import timezone

from apps.common.bulk import insert_ignoring_conflicts
from apps.people.models import Household

pytestmark = pytest.mark.django_db


def test_conflicting_rows_are_skipped_and_counted(city: object) -> None:
    now = timezone.now()
    with transaction.atomic():
        assert (
            insert_ignoring_conflicts(
                "people_household",
                ["ref", "area_id", "created_at"],
                [["H1", "990101001001", now], ["H2", "990101001001", now]],
                "ref",
            )
            == 2
        )
    with transaction.atomic():
        assert (
            insert_ignoring_conflicts(
                "people_household",
                ["ref", "area_id", "created_at"],
                [["H2", "990101001001", now], ["H3", "990102001001", now]],
                "ref",
            )
            == 1
        )
    assert sorted(Household.objects.values_list("ref", flat=True)) == ["H1", "H2", "H3"]


def test_aware_datetimes_are_found_by_orm_filters_and_sort_across_time_zones(city: object) -> None:
    utc = timezone.now().replace(microsecond=123456)
    shanghai = (utc + dt.timedelta(hours=1)).astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    with transaction.atomic():
        insert_ignoring_conflicts(
            "people_household",
            ["ref", "area_id", "created_at"],
            [["early", "990101001001", utc], ["late", "990101001001", shanghai]],
            "ref",
        )
    assert list(Household.objects.filter(created_at=utc).values_list("ref", flat=True)) == ["early"]
    assert list(Household.objects.filter(created_at=shanghai).values_list("ref", flat=True)) == ["late"]
    assert list(Household.objects.order_by("created_at").values_list("ref", flat=True)) == ["early", "late"]
    assert list(
        Household.objects.filter(created_at__gt=utc + dt.timedelta(minutes=30)).values_list("ref", flat=True)
    ) == ["late"]
    assert Household.objects.get(ref="late").created_at == shanghai

"""Browser: a list is uploaded, an ambiguous row is confirmed by a reviewer, the resulting work item is visited by a
community worker on a phone, and the reconciliation shows it closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.screening import linkage
from apps.screening.choices import VisitRule
from apps.screening.models import WorkItem
from tests.screening.conftest import csv_of

COMMUNITY_A2 = "990101001002"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_review_visit_and_reconcile(
    page: Any,
    browser_login: Any,
    make_user: Any,
    officer_a: Any,
    make_list: Any,
    registered: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.TONGCHOU_SCREENING_LINK = {"upper": 0.99999, "lower": 0.3}  # this pair must go to a reviewer
    linkage._synthetic_model()  # train the fallback model before the upload, not inside the request
    registered("张伟", dt.date(1980, 3, 7), "13912345678")
    lst = make_list(rule=VisitRule.EVERYONE, name="火车站来返人员")
    worker = make_user("community_worker", COMMUNITY_A2, username="worker_a2")
    upload = tmp_path / "arrivals.csv"
    upload.write_bytes(
        csv_of(
            [
                ["章伟", "", "男", "1980-07-03", "", COMMUNITY_A2, "演示路1号"],
                ["", "", "", "", "", "", "bad row"],
            ]
        )
    )

    page.set_default_timeout(
        90_000
    )  # the upload links rows with Splink in the request; the machine may be busy
    browser_login(officer_a)
    page.goto(f"/screening/lists/{lst.pk}/import/")
    page.set_input_files("#id_file", str(upload))
    page.click("#import-submit")
    page.wait_for_selector("#report")
    assert page.locator("#report b.created").inner_text() == "2"
    assert page.locator("#report table.errors tbody tr").count() == 1

    page.goto("/screening/candidates/")
    card = page.locator("section.candidate").first
    assert "章*" in card.inner_text() and "张*" in card.inner_text()
    assert 0.3 <= float(card.locator(".probability").inner_text()) < 0.99999
    assert "拼音相同" in card.inner_text() and "日月颠倒" in card.inner_text()
    card.locator("button[name=same][value='1']").click()
    page.wait_for_url("**/screening/candidates/")
    assert page.locator("section.candidate").count() == 0

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(worker)
    page.goto("/screening/work/")
    item = WorkItem.objects.get(list=lst)
    section = page.locator(f"#item-{item.pk}")
    section.locator("select[name=outcome]").select_option("found")
    section.locator("select[name=health]").select_option("normal")
    section.locator("input[name=temperature]").fill("36.5")
    section.locator("button[type=submit]").click()
    page.wait_for_url("**/screening/work/")
    assert page.locator(f"#item-{item.pk}").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits the phone

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login(officer_a)
    page.goto("/screening/?area=990101001")
    row = page.locator("#tallies tbody tr").filter(has_text=COMMUNITY_A2)
    assert row.locator("td.resolved").inner_text() == "1" and row.locator("td.open").inner_text() == "0"
    assert "是" in row.inner_text()

"""The daily briefing (疫情通报) on the demo city: figures at the cut-off reconcile with the case lists, the workflow
freezes them at approval, corrections go into the next one, the public page and Atom feed need no sign-in, and the
PDF printed by Chromium reads back with the figures in Chinese."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from apps.cases.models import Case
from apps.command import briefing as svc
from apps.common.errors import Conflict, Forbidden
from tests.command.test_dashboard import api_count

pytestmark = pytest.mark.django_db


def test_a_briefing_from_draft_to_published_pdf(api_of: Any) -> None:
    call_command("demo_city", persons=600, seed=7, no_progress=True, stdout=io.StringIO())
    from apps.command.models import Briefing

    assert Briefing.objects.filter(status="published").count() == 1  # the demo's morning briefing
    Briefing.objects.all().delete()  # this test walks the workflow itself, over two days
    commander = User.objects.get(username="commander")
    officer = User.objects.get(username="officer_a")
    day = svc.cutoff_day() - dt.timedelta(days=1)
    with pytest.raises(Forbidden):
        svc.briefing_draft(actor=officer, day=day)
    first = svc.briefing_draft(actor=commander, day=day)
    f = first.figures
    # Each figure is the count of the case list filtered to the cut-off (the API, as the commander).
    client = api_of(commander)
    d = day.isoformat()
    assert f["confirmed"] == api_count(client, f"/api/cases/?klass=confirmed&reported_to={d}") > 0
    assert f["new_confirmed"] == api_count(
        client, f"/api/cases/?klass=confirmed&reported_from={d}&reported_to={d}"
    )
    assert f["died"] == api_count(client, f"/api/cases/?status=died&reported_to={d}")
    assert f"截至{day.month}月{day.day}日24时，全市累计报告确诊病例{f['confirmed']}例" in first.text_zh
    assert f"the city has reported {f['confirmed']} confirmed cases in total" in first.text_en
    first = svc.briefing_edit(
        actor=commander, briefing=first, text_zh=first.text_zh + "\n（已核）", text_en=first.text_en
    )
    first = svc.briefing_approve(actor=commander, briefing=first, publish=True)
    assert first.status == "published"
    with pytest.raises(Conflict):  # frozen: never rewritten
        svc.briefing_draft(actor=commander, day=day)

    # A late change to that day's cases: the next briefing says so as a correction, the published one stands.
    case = Case.objects.filter(status="recovered", reported_at__lt=_end(day)).first()
    Case.objects.filter(pk=case.pk).update(status="died")
    second = svc.briefing_draft(actor=commander, day=day + dt.timedelta(days=1))
    assert {"figure": "died", "was": f["died"], "now": f["died"] + 1, "day": d} in second.corrections
    assert "更正" in second.text_zh and "Correction" in second.text_en
    first.refresh_from_db()
    assert first.figures["died"] == f["died"]

    anonymous = Client()
    assert str(first.day) in anonymous.get("/command/briefings/").content.decode()
    assert (
        f"/command/briefings/{second.pk}/" not in anonymous.get("/command/briefings/").content.decode()
    )  # a draft
    feed = anonymous.get("/command/briefings/feed/")
    assert (
        feed["Content-Type"].startswith("application/atom+xml")
        and f"累计报告确诊病例{f['confirmed']}例" in feed.content.decode()
    )
    assert anonymous.get(f"/command/briefings/{second.pk}/").status_code == 404
    pdf = anonymous.get(f"/command/briefings/{first.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    # NFKC: the PDF's text maps ligatures (ﬁ) and some CJK glyphs to compatibility characters (⾄ for 至).
    raw = unicodedata.normalize(
        "NFKC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    )
    assert f"累计报告确诊病例{f['confirmed']}例" in raw.replace("\n", "")  # Chinese wraps without spaces
    assert f"reported {f['confirmed']} confirmed cases" in " ".join(raw.split())


def _end(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))

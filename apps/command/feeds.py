"""The Atom feed of published briefings (public)."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from apps.command.models import Briefing


class BriefingFeed(Feed):
    feed_type = Atom1Feed
    title = _("Daily epidemic briefings")
    link = "/command/briefings/"
    subtitle = _("Published by the city's headquarters")

    def items(self) -> Any:
        return Briefing.objects.filter(status="published").order_by("-day")[:60]

    def item_title(self, item: Briefing) -> str:
        return f"疫情通报 {item.day.isoformat()}"

    def item_description(self, item: Briefing) -> str:
        return item.text_zh

    def item_link(self, item: Briefing) -> str:
        return f"/command/briefings/{item.pk}/"

    def item_pubdate(self, item: Briefing) -> Any:
        return item.published_at

    def item_updateddate(self, item: Briefing) -> Any:
        return item.published_at

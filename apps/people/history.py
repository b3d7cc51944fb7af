"""A person's history across modules (cases, health code, scans…), without the people app importing them.

Later apps register a provider in their AppConfig.ready(): `history.register(provider)`, where
`provider(user, person) -> list[HistoryItem]` returns only what `user` may see (its own selectors scope it).
The person page merges every provider's items, newest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class HistoryItem:
    at: dt.datetime | dt.date
    kind: str  # a short label, e.g. "case", "code", "scan"
    text: str
    url: str = ""
    colour: str = ""  # green/yellow/red when the item is about a code colour

    @property
    def sort_key(self) -> dt.datetime:
        if isinstance(self.at, dt.datetime):
            return self.at
        return timezone.make_aware(dt.datetime.combine(self.at, dt.time.min))


Provider = Callable[[Any, Any], list[HistoryItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def person_history(*, user: Any, person: Any, limit: int = 50) -> list[HistoryItem]:
    items: list[HistoryItem] = []
    for provider in _providers:
        items.extend(provider(user, person))
    return sorted(items, key=lambda i: i.sort_key, reverse=True)[:limit]

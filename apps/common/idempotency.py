"""Idempotency keys sent by clients: scoped to the submitter, and a reused key with another payload is a 409."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from apps.common.errors import Conflict


def payload_digest(payload: Any) -> str:
    """A stable fingerprint of a request's payload (keys sorted, dates and decimals as text)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def replay_or_conflict(stored_digest: str, digest: str, *, field: str = "client_id") -> None:
    """A retry must carry the payload of the first request; anything else is a key reused by mistake or abuse."""
    if stored_digest and stored_digest != digest:
        raise Conflict(
            "idempotency_conflict",
            "this idempotency key was already used with a different payload",
            [{"field": field, "message": "reused with a different payload"}],
        )

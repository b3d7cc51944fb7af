"""Text as people can see it: no NUL or other control characters, no direction overrides, no lone surrogates."""

from __future__ import annotations

import re

# C0/C1 controls except tab, newline and carriage return; the bidi embeddings, overrides and isolates
# (U+202A–U+202E, U+2066–U+2069) and marks (U+200E/U+200F, U+061C) that can make "evil.exe" read "exe.live";
# and lone UTF-16 surrogates, which no database encoding can store.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean_text(value: str) -> str:
    """`value` without the characters above; everything else (CJK, emoji, newlines) is kept as it is."""
    return _INVISIBLE.sub("", value)


def has_invisible(value: str) -> bool:
    return _INVISIBLE.search(value) is not None


def clean_tree(value: object) -> object:
    """`clean_text` applied to every string (keys too) in parsed JSON."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_tree(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_tree(v) for k, v in value.items()}
    return value

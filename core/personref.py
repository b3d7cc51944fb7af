"""Opaque person references for QR codes: a keyed permutation of database ids, with no table to look up.

A health code must name its holder without giving away the database id (which counts and orders the
population and links a person across systems) or the ID number. ``PersonRefs(key).encode(id)`` gives a
46-bit integer that looks random without the key, and ``decode`` turns it back::

    block = id << 14                      32-bit id, then 14 zero bits of redundancy
    ref   = Feistel(block), 10 rounds on two 23-bit halves, round function BLAKE2b(key, round, half)

A number that ``encode`` did not make (a typo, a guess) decodes to a block whose low 14 bits are not zero
and is refused, except with probability 2**-14. 46 bits stay exact as JavaScript numbers, so a checkpoint
page can carry the reference unchanged; as CBOR it costs 9 bytes in the QR payload; and a ref has at most
14 decimal digits, so it can never be mistaken for a 15- or 18-digit resident ID number.
"""

from __future__ import annotations

import hashlib
from typing import Final

ID_BITS: Final = 32
CHECK_BITS: Final = 14
HALF_BITS: Final = (ID_BITS + CHECK_BITS) // 2
MAX_ID: Final = (1 << ID_BITS) - 1
MAX_REF: Final = (1 << (ID_BITS + CHECK_BITS)) - 1
ROUNDS: Final = 10  # as FF1 (NIST SP 800-38G) uses on small domains
_HALF_MASK: Final = (1 << HALF_BITS) - 1
_CHECK_MASK: Final = (1 << CHECK_BITS) - 1


MEMO_LIMIT: Final = 262_144  # decoded refs remembered (a day's scans name the same people again and again)


class PersonRefs:
    """encode/decode with one key; build it once (the key schedule is a BLAKE2b state per round)."""

    def __init__(self, key: bytes) -> None:
        self._memo: dict[int, int | None] = {}
        if len(key) < 16:
            raise ValueError("the key must have at least 16 bytes")
        self._rounds = [
            hashlib.blake2b(bytes([r]), key=key[:64], digest_size=3, person=b"tongchou-pref")
            for r in range(ROUNDS)
        ]

    def _f(self, r: int, half: int) -> int:
        h = self._rounds[r].copy()
        h.update(half.to_bytes(3, "big"))
        return int.from_bytes(h.digest(), "big") & _HALF_MASK

    def encode(self, person_id: int) -> int:
        if isinstance(person_id, bool) or not isinstance(person_id, int) or not 0 <= person_id <= MAX_ID:
            raise ValueError(f"a person id must be an integer from 0 to {MAX_ID}")
        block = person_id << CHECK_BITS
        left, right = block >> HALF_BITS, block & _HALF_MASK
        for r in range(ROUNDS):
            left, right = right, left ^ self._f(r, right)
        return (left << HALF_BITS) | right

    def decode(self, ref: object) -> int | None:
        """The person id, or None for anything encode could not have made."""
        if isinstance(ref, bool) or not isinstance(ref, int) or not 0 <= ref <= MAX_REF:
            return None
        try:
            return self._memo[ref]
        except KeyError:
            pass
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        person_id = self._memo[ref] = self._decode(ref)
        return person_id

    def forget(self) -> None:
        """Drop the remembered decodings (benchmarks of the cold path)."""
        self._memo.clear()

    def _decode(self, ref: int) -> int | None:
        left, right = ref >> HALF_BITS, ref & _HALF_MASK
        for r in reversed(range(ROUNDS)):
            left, right = right ^ self._f(r, left), left
        block = (left << HALF_BITS) | right
        if block & _CHECK_MASK:
            return None
        return block >> CHECK_BITS


__all__ = ["MAX_ID", "MAX_REF", "PersonRefs"]

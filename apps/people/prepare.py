"""The CPU-bound half of a person import: validation, encryption and keyed hashes, on every core for big files.

Each row is independent of the others, so chunks of rows go to a pool of forked worker processes (they inherit
the settings and the field cipher; they never touch the database) while the parent keeps reading the file.
Results come back in file order and equal the in-process path's, ciphertexts aside (a fresh random nonce
each time, the same plaintext). Small imports stay in-process: starting workers costs more than it saves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from django.conf import settings

from apps.people import pii, services
from core.persons import CleanPerson, FieldError, clean_person

# (clean record and its stored columns) or (every error of the row, None)
Prepared = tuple[CleanPerson, dict[str, Any]] | tuple[list[FieldError], None]

CHUNK_ROWS = 5_000


def pool_min_rows() -> int:
    """Imports with at least this many rows use the worker pool (setting TONGCHOU_IMPORT_POOL_MIN_ROWS)."""
    return int(settings.TONGCHOU_IMPORT_POOL_MIN_ROWS)


def pool_workers() -> int:
    """Workers for a big import: TONGCHOU_IMPORT_WORKERS if set, else the cores that are idle now.

    A pool costs about half again the CPU of the work it spreads (pickling, forked heaps): it pays off only on
    cores nobody else uses. Measured on a 2-core machine under a load of 10-40, a pool of two made the
    preparation of 30,000 rows take 11-13 s instead of 5-9 s in-process; so on a busy machine we stay
    in-process (the calling process itself counts one in the load average).
    """
    configured = int(settings.TONGCHOU_IMPORT_WORKERS)
    if configured:
        return configured
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    busy_elsewhere = max(0.0, os.getloadavg()[0] - 1.0)
    return max(1, min(cores, int(cores - busy_elsewhere)))


def _prepare_records(
    records: list[Mapping[str, Any]], area_codes: Collection[str], today: dt.date, now: dt.datetime
) -> list[Prepared]:
    out: list[Prepared] = []
    for raw in records:
        result = clean_person(services._normalise_words(raw), area_codes=area_codes, today=today)
        out.append(
            (result, None) if isinstance(result, list) else (result, services.person_columns(result, now))
        )
    return out


def _store_cleans(cleans: list[CleanPerson], now: dt.datetime) -> list[dict[str, Any]]:
    return [services.person_columns(clean, now) for clean in cleans]


# What a forked worker inherits instead of receiving it with every chunk.
_WORKER_CONTEXT: dict[str, Any] = {}
CLEAN_FIELDS = tuple(f.name for f in dataclasses.fields(CleanPerson))
_SHARED = ("created_at", "updated_at")  # the import's `now`: the parent puts it back, it never travels


# Results travel back as plain tuples, not dicts and dataclasses: pickling them is most of what a pool costs
# beyond the work itself (a chunk's dicts pickle to five times the bytes, and twice the time).
def _pack_clean(clean: CleanPerson) -> tuple[Any, ...]:
    return tuple(getattr(clean, f) for f in CLEAN_FIELDS)


def _pack_columns(columns: dict[str, Any]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    keys = tuple(k for k in columns if k not in _SHARED)
    return keys, tuple(columns[k] for k in keys)


def _unpack_columns(keys: tuple[str, ...], values: tuple[Any, ...], now: dt.datetime) -> dict[str, Any]:
    columns = dict(zip(keys, values, strict=True))
    columns["created_at"] = columns["updated_at"] = now
    return columns


def _worker_prepare(records: list[Mapping[str, Any]]) -> tuple[tuple[str, ...], list[Any]]:
    ctx = _WORKER_CONTEXT
    keys: tuple[str, ...] = ()
    out: list[Any] = []
    for result, columns in _prepare_records(records, ctx["area_codes"], ctx["today"], ctx["now"]):
        if columns is None:
            out.append(result)
            continue
        keys, values = _pack_columns(columns)
        out.append((_pack_clean(result), values))  # type: ignore[arg-type]
    return keys, out


def _unpack_prepared(packed: tuple[tuple[str, ...], list[Any]], now: dt.datetime) -> list[Prepared]:
    keys, rows = packed
    out: list[Prepared] = []
    for row in rows:
        if isinstance(row, list):  # the row's errors
            out.append((row, None))
        else:
            out.append((CleanPerson(*row[0]), _unpack_columns(keys, row[1], now)))
    return out


def _worker_store(cleans: list[tuple[Any, ...]]) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    keys: tuple[str, ...] = ()
    out = []
    for columns in _store_cleans([CleanPerson(*c) for c in cleans], _WORKER_CONTEXT["now"]):
        keys, values = _pack_columns(columns)
        out.append(values)
    return keys, out


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pooled(
    work: Callable[[list[Any]], Any],
    chunks: Iterator[list[Any]],
    context: dict[str, Any],
    workers: int,
    progress: Callable[[int], None] | None,
) -> Iterator[Any]:
    """Results of `work` over the chunks, in order, computed by forked workers while the parent reads on."""
    pii.cipher()  # built once here, inherited by every worker
    _WORKER_CONTEXT.clear()
    _WORKER_CONTEXT.update(context)
    done = 0
    # fork: workers start in milliseconds with Django, the settings and the cipher already loaded. They only
    # compute; the parent's database connection is inherited but never used (and never closed) by them.
    # Objects that exist now are moved out of the collector's sight: a worker's collections would otherwise
    # touch (and so copy, page by page) the whole inherited heap.
    gc.freeze()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        pending: deque[tuple[Future[Any], int]] = deque()
        for chunk in chunks:
            pending.append((pool.submit(work, chunk), len(chunk)))
            while len(pending) > 2 * workers:  # bounded: the parent never holds the whole file twice ahead
                future, size = pending.popleft()
                result = future.result()
                done += size
                if progress:
                    progress(done)
                yield result
        while pending:
            future, size = pending.popleft()
            result = future.result()
            done += size
            if progress:
                progress(done)
            yield result
    gc.unfreeze()
    _WORKER_CONTEXT.clear()


def _big_enough(items: Iterator[Any]) -> tuple[bool, Iterator[Any]]:
    """Whether there are at least pool_min_rows() items, and the items again (those read ahead first)."""
    ahead = list(itertools.islice(items, pool_min_rows()))
    return len(ahead) >= pool_min_rows() and pool_workers() > 1, itertools.chain(ahead, items)


def persons_prepare(
    records: Iterable[Mapping[str, Any]],
    *,
    area_codes: Collection[str],
    today: dt.date,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Prepared]:
    """Validate and encrypt rows (mapped to our field names), in their order; on the pool when big enough."""
    big, items = _big_enough(iter(records))
    if not big:
        done = 0
        for chunk in _chunks(items, CHUNK_ROWS):
            yield from _prepare_records(chunk, area_codes, today, now)
            done += len(chunk)
            if progress:
                progress(done)
        return
    context = {"area_codes": frozenset(area_codes), "today": today, "now": now}
    for packed in _pooled(_worker_prepare, _chunks(items, CHUNK_ROWS), context, pool_workers(), progress):
        yield from _unpack_prepared(packed, now)


def persons_store(cleans: Iterable[CleanPerson], *, now: dt.datetime) -> Iterator[dict[str, Any]]:
    """Stored columns of records already clean (the demo generator), in their order; pooled when big enough."""
    big, items = _big_enough(iter(cleans))
    if not big:
        for clean in items:
            yield services.person_columns(clean, now)
        return
    packed_cleans = (_pack_clean(clean) for clean in items)
    for keys, rows in _pooled(
        _worker_store, _chunks(packed_cleans, CHUNK_ROWS), {"now": now}, pool_workers(), None
    ):
        for values in rows:
            yield _unpack_columns(keys, values, now)

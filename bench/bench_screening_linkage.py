"""Record-linkage quality and speed (issue 14): Splink's Fellegi–Sunter model on a dirty list with known truth.

    python bench/bench_screening_linkage.py            # registry 20,000, list 5,000 (a few minutes on a busy box)
    python bench/bench_screening_linkage.py --full     # registry 200,000, list 100,000

The registry is a generated city (core.synthetic); the list (core.dirtylists) carries homophone name typos,
phone typos, swapped birth day and month, missing and 15-digit ID numbers, duplicates and strangers, and keeps the
truth. Rows whose ID number is valid are linked exactly (as the import does) and the rest go to the model, trained
by EM on this very data. Printed: precision and recall of the automatic links at the upper threshold (targets
0.995 and 0.98) against the exact-only baseline's recall, and the probabilistic path's time per 100,000 unmatched
rows as a ratio to a DuckDB hash join of the same rows on the blocking keys (the baseline).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import dirtylists, idnum, linkage, synthetic  # noqa: E402
from core.screening import upgrade_15  # noqa: E402

UPPER = 0.995  # apps.screening.linkage.thresholds() default


def say(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--registry", type=int)
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    n_registry = args.registry or (200_000 if args.full else 20_000)
    n_rows = args.rows or (100_000 if args.full else 5_000)
    rng = random.Random(2020)
    today = dt.date(2020, 2, 1)
    communities = synthetic.community_codes()
    registry = list(synthetic.people(rng, n_registry, today, communities))
    dirty = dirtylists.dirty_list(rng, registry, n_rows, today=today, communities=communities)
    by_doc = {p.doc_number: i for i, p in enumerate(registry) if p.doc_type == "resident_id"}
    linked: dict[int, int | None] = {}
    left: list[linkage.Record] = []
    for i, row in enumerate(dirty):
        doc = row.values["doc_number"]
        if len(doc) == 15:
            doc = upgrade_15(doc)
        if len(doc) == 18 and doc in by_doc and idnum.check_digit(doc[:17]) == doc[17:]:
            linked[i] = by_doc[doc]
            continue
        v = row.values
        left.append(
            linkage.Record(
                i, v["name"], dt.date.fromisoformat(v["birth_date"]), v["phone"], v["sex"], v["area_code"]
            )
        )
    exact_precision, exact_recall = dirtylists.precision_recall(dict(linked), [r.truth for r in dirty])
    right = [
        linkage.Record(10**8 + i, p.name, p.birth_date, p.phone, p.sex, p.area_code)
        for i, p in enumerate(registry)
    ]
    say(f"FIGURE registry = {n_registry}, list = {n_rows}, unmatched after exact = {len(left)}")
    started = time.perf_counter()
    model = linkage.train(left, right)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    pairs = linkage.predict(left, right, model, threshold=0.3)
    predicted = time.perf_counter() - started
    best: dict[int, linkage.Pair] = {}
    for p in pairs:
        if p.left not in best or p.probability > best[p.left].probability:
            best[p.left] = p
    for i, p in best.items():
        second = [q for q in pairs if q.left == i and q is not p and q.probability >= UPPER]
        if p.probability >= UPPER and not second:
            linked[i] = p.right - 10**8
    precision, recall = dirtylists.precision_recall(linked, [r.truth for r in dirty])
    review = sum(1 for p in best.values() if 0.3 <= p.probability < UPPER)
    say(f"FIGURE exact-only baseline: precision {exact_precision:.4f}, recall {exact_recall:.4f}")
    say(f"FIGURE rows left for review (0.3 <= p < {UPPER}): {review}")
    say(f"RATIO linkage_precision = {precision:.4f} (target >= 0.995)")
    say(f"RATIO linkage_recall = {recall:.4f} (target >= 0.98)")
    say(f"RATIO linkage_recall_vs_exact_only = {recall / exact_recall:.2f} (no target)")
    # Baseline for speed: the same rows joined on the blocking keys by DuckDB alone (no comparisons, no model).
    con = linkage._connection()
    con.register("l", linkage._table(left))
    con.register("r", linkage._table(right))
    started = time.perf_counter()
    con.execute(
        "SELECT count(*) FROM (SELECT l.unique_id, r.unique_id FROM l JOIN r ON l.birth = r.birth "
        "UNION SELECT l.unique_id, r.unique_id FROM l JOIN r ON l.phone = r.phone)"
    ).fetchall()
    joined = time.perf_counter() - started
    per_100k = (trained + predicted) / len(left) * 100_000
    say(
        f"FIGURE train {trained:.1f} s, predict {predicted:.1f} s; {per_100k:.0f} s per 100,000 unmatched rows "
        f"(train + predict, extrapolated linearly from {len(left)} rows)"
    )
    say(
        f"RATIO linkage_time_vs_blocking_join = {(trained + predicted) / max(joined, 1e-6):.0f} (no target: lower is better)"
    )


if __name__ == "__main__":
    main()

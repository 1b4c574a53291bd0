"""Synthetic appeal corpus: genuine and forged documents with ground truth (issue 3).

``generate(out_dir, appeals, seed)`` writes ``appeals/<id>/`` (documents and appeal.yaml),
``rules/<brand>/`` (brand packs) and ``labels.jsonl``. The same seed gives the same bytes.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .appeal import AppealOut, build
from .compose import serial_forgers
from .forgeries import OPS
from .writer import write_packs

__all__ = ["OPS", "GenerateSummary", "generate"]


@dataclass(frozen=True)
class GenerateSummary:
    """What a ``generate`` run produced."""

    appeals: int
    """Number of appeals written."""
    documents: int
    """Number of document files written."""
    forged_documents: int
    """Documents labelled forged."""
    seconds: float
    """Wall time of the run."""
    out_dir: Path
    """Where the corpus is."""


def _job(args: tuple[int, int, float, tuple[str, ...]]) -> AppealOut:
    seed, i, ratio, ops = args
    return build(seed, i, ratio, serial_forgers(seed), ops)


def generate(
    out_dir: Path,
    appeals: int,
    seed: int = 7,
    forged_ratio: float = 0.4,
    rules_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    ops: tuple[str, ...] = (),
) -> GenerateSummary:
    """Generate ``appeals`` appeals into ``out_dir``; deterministic in ``seed`` whatever ``workers`` is.

    ``ops`` restricts forgeries to those operations wherever one of them applies to the document (a document
    none of them applies to is forged with any of its own), for benchmarks of a few checks.
    """
    unknown = set(ops) - set(OPS)
    if unknown:
        raise ValueError(f"unknown forgery operation(s) {sorted(unknown)}; known: {', '.join(OPS)}")
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    (out_dir / "appeals").mkdir(parents=True, exist_ok=True)
    jobs = [(seed, i, forged_ratio, tuple(ops)) for i in range(appeals)]
    docs = forged = 0
    known: dict[str, list[dict]] = {}
    pool = mp.get_context("spawn").Pool(workers) if workers > 1 else None
    results = pool.imap(_job, jobs, chunksize=2) if pool else map(_job, jobs)
    try:
        with open(out_dir / "labels.jsonl", "w", encoding="utf-8") as lf:
            for k, res in enumerate(results):
                d = out_dir / "appeals" / res.appeal_id
                d.mkdir(parents=True, exist_ok=True)
                for name, data in res.files:
                    (d / name).write_bytes(data)
                lf.write(json.dumps(res.label, ensure_ascii=False, sort_keys=True) + "\n")
                for doc in res.label["documents"]:
                    docs += 1
                    forged += doc["label"] == "forged"
                    if "serial_forger" in doc["ops"]:
                        lst = known.setdefault(res.label["brand"], [])
                        if len(lst) < 5:
                            lst.append(
                                {
                                    "sha256": doc["sha256"],
                                    "note": f"serial forger {res.label['serial_forger_id']}",
                                }
                            )
                if progress:
                    progress(k + 1, appeals)
    finally:
        if pool:
            pool.close()
            pool.join()
    write_packs(Path(rules_dir) if rules_dir else out_dir / "rules", known)
    return GenerateSummary(appeals, docs, forged, time.perf_counter() - t0, out_dir)

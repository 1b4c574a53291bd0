"""Benchmark corpus generation: appeals/second, seconds and peak memory for N appeals.

Usage: python bench/gen_speed.py N [--workers W] [--seed S]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

from appealcheck.samples import generate


def main() -> None:
    """Run the benchmark and print one line of results."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("appeals", type=int)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        s = generate(Path(tmp), a.appeals, seed=a.seed, workers=a.workers)
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"appeals={s.appeals} documents={s.documents} forged={s.forged_documents} seconds={s.seconds:.1f} "
        f"appeals_per_s={s.appeals / s.seconds:.2f} bytes={size} peak_rss_mb={peak_self:.0f} "
        f"peak_worker_rss_mb={peak_children:.0f}"
    )


if __name__ == "__main__":
    main()

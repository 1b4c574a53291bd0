"""Benchmark corpus generation: appeals/second, projected minutes per 1,000 appeals, size, memory.

Usage: python bench/gen_speed.py N [--workers W] [--seed S]

The machine is shared, so wall time depends on what else runs; CPU seconds per appeal (this
process plus its workers) do not, and ``cpu_min_per_1000_at_2_cores`` projects them onto two
otherwise idle cores. The 1-minute load average at the end says how busy the machine was.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
from pathlib import Path

from appealcheck.samples import generate


def _cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    """Run the benchmark and print one line of results."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("appeals", type=int)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    cpu0 = _cpu_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        s = generate(Path(tmp), a.appeals, seed=a.seed, workers=a.workers)
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    cpu = _cpu_seconds() - cpu0
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rate = s.appeals / s.seconds
    print(
        f"appeals={s.appeals} documents={s.documents} forged={s.forged_documents} workers={a.workers} "
        f"seconds={s.seconds:.1f} appeals_per_s={rate:.2f} min_per_1000={1000 / rate / 60:.1f} "
        f"cpu_s_per_appeal={cpu / s.appeals:.3f} cpu_min_per_1000_at_2_cores={cpu / s.appeals * 1000 / 2 / 60:.1f} "
        f"bytes={size} kb_per_appeal={size / s.appeals / 1000:.0f} peak_rss_mb={peak_self:.0f} "
        f"peak_worker_rss_mb={peak_children:.0f} load1={os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

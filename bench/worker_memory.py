"""Memory of one scanning process over a run of appeals, with and without returning freed heap to the OS.

Usage: python bench/worker_memory.py trim|notrim cache|nocache N APPEALS RULES
    Scans the first N appeals of APPEALS in one process (as a batch worker does, one OCR thread) and prints the
    resident memory after each appeal and the peak. 'trim' calls glibc's malloc_trim after each appeal, as the
    batch workers do.
"""

from __future__ import annotations

import ctypes
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.api import Scanner, ScanOptions  # noqa: E402


def _rss_mb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    trim, cache, n, appeals, rules = sys.argv[1] == "trim", sys.argv[2] == "cache", int(sys.argv[3]), \
        Path(sys.argv[4]), Path(sys.argv[5])
    libc = ctypes.CDLL("libc.so.6")
    scanner = Scanner(ScanOptions(rules_dirs=(rules,), cache=cache, ocr_threads=1))
    after = []
    t0 = time.perf_counter()
    for a in sorted(p for p in appeals.iterdir() if not p.name.startswith("."))[:n]:
        scanner.scan(a)
        if trim:
            libc.malloc_trim(0)
        after.append(_rss_mb())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{'trim' if trim else 'no trim'}, OCR cache {'on' if cache else 'off'}, {n} appeals in "
          f"{time.perf_counter() - t0:.0f} s; RSS after each (MB): {after}; peak {peak} MB")


if __name__ == "__main__":
    main()

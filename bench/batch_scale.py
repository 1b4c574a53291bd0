"""Batch at scale: throughput per worker count, worker memory over a long run, and a --resume rerun.

Runs the real `appealcheck batch` command as a user would and samples the resident memory of every process
it starts (the pool's workers) from /proc every two seconds.

Usage:
    python bench/batch_scale.py run APPEALS OUT.jsonl --workers 2 [--limit N] [--no-cache] [--rules DIR]
        one batch (OCR cache cold when --no-cache); prints appeals/min, per-worker peak RSS and RSS over time
    python bench/batch_scale.py resume APPEALS OUT.jsonl
        rerun over a finished ledger with --resume; prints its time
    python bench/batch_scale.py speedup APPEALS --limit N
        the same N appeals with 1 and then 2 workers (one OCR thread each, the default), then 1 worker given every
        core's OCR threads; OCR cache off; prints the throughput ratios
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _children(pid: int) -> list[int]:
    """Every descendant of pid (from /proc)."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    parent[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


def _subset(appeals: Path, limit: int | None) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    if not limit:
        return appeals, None
    tmp = tempfile.TemporaryDirectory(prefix="batch-subset-")
    for p in sorted(x for x in appeals.iterdir() if not x.name.startswith("."))[:limit]:
        os.symlink(p.resolve(), Path(tmp.name) / p.name)
    return Path(tmp.name), tmp


def run(appeals: Path, out: Path, workers: int, extra: list[str], quiet: bool = False,
        timeline_csv: Path | None = None) -> dict:
    """One `appealcheck batch` run; returns seconds, appeals, per-worker peak RSS and an RSS timeline (also appended
    to timeline_csv as it is sampled, so a run stopped early keeps its figures)."""
    cmd = [sys.executable, "-c", "from appealcheck.cli import main; main()", "batch", str(appeals), "-o", str(out),
           "--workers", str(workers), *extra]
    t0 = time.perf_counter()
    # From a neutral folder: `python -c` puts the working folder first on sys.path, so a run started inside a
    # checkout would import that checkout instead of the installed package being measured.
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tempfile.gettempdir())
    peak: dict[int, float] = {}
    timeline: list[tuple[float, int, float]] = []  # (seconds, records written, largest worker RSS MB)
    while proc.poll() is None:
        kids = _children(proc.pid)
        rss = {k: _rss_mb(k) for k in kids}
        for k, v in rss.items():
            peak[k] = max(peak.get(k, 0.0), v)
        timeline.append((time.perf_counter() - t0, _lines(out), max(rss.values(), default=0.0)))
        if timeline_csv is not None:
            with timeline_csv.open("a") as fh:
                fh.write(f"{timeline[-1][0]:.0f},{timeline[-1][1]},"
                         + ",".join(f"{v:.0f}" for v in sorted(rss.values(), reverse=True)) + "\n")
        time.sleep(2)
    took = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1, 4):
        print(err[-2000:], file=sys.stderr)
        raise SystemExit(f"batch failed with exit {proc.returncode}")
    n = _lines(out)
    # Ray-less local pools show their workers as the big children; the resource tracker stays tiny.
    workers_peak = sorted((v for v in peak.values() if v > 100), reverse=True)
    res = {"seconds": took, "appeals": n, "per_min": n / took * 60 if took else 0.0, "worker_peaks": workers_peak,
           "timeline": timeline, "exit": proc.returncode}
    if not quiet:
        print(f"{n} appeals, {workers} worker(s): {took:.0f} s, {res['per_min']:.1f} appeals/min, exit "
              f"{proc.returncode}")
        print("worker peak RSS MB: " + ", ".join(f"{v:.0f}" for v in workers_peak))
        if timeline:
            marks = [0.1, 0.25, 0.5, 0.75, 0.9, 1.0]
            done = [(t, c, m) for t, c, m in timeline if c > 0]
            for f in marks:
                hit = next(((t, c, m) for t, c, m in done if c >= f * n), None)
                if hit:
                    print(f"  at {hit[1]:5d} appeals ({hit[0]:6.0f} s): largest worker {hit[2]:.0f} MB")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("run", "resume", "speedup"))
    ap.add_argument("appeals", type=Path)
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--rules", type=Path, help="brand packs folder passed to batch")
    ap.add_argument("--timeline", type=Path, help="append 'seconds,records,RSS MB of each process' here as sampled")
    a = ap.parse_args()
    common = ["--rules", str(a.rules)] if a.rules else []
    appeals, tmp = _subset(a.appeals, a.limit)
    print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f} at start")
    try:
        if a.mode == "run":
            run(appeals, a.out, a.workers, common + (["--no-cache"] if a.no_cache else []), timeline_csv=a.timeline)
        elif a.mode == "resume":
            run(appeals, a.out, a.workers, [*common, "--resume"])
        else:
            work = Path(tempfile.mkdtemp(prefix="batch-speedup-"))
            try:
                # As a user runs it (each worker one OCR thread), then one worker given every core's OCR threads.
                one = run(appeals, work / "w1.jsonl", 1, [*common, "--no-cache"])
                two = run(appeals, work / "w2.jsonl", 2, [*common, "--no-cache"])
                print(f"two workers / one worker throughput, default threads: {two['per_min'] / one['per_min']:.2f}x")
                cores = str(os.cpu_count() or 2)
                one_t = run(appeals, work / "w1t.jsonl", 1, [*common, "--no-cache", "--ocr-threads", cores])
                print(f"two workers / one worker with {cores} OCR threads: {two['per_min'] / one_t['per_min']:.2f}x")
            finally:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()

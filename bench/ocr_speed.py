"""OCR speed: pages per second and latency per page, engine alone vs the whole `scan`.

Usage: python bench/ocr_speed.py [--repeat 3]

Prints, for a fixed set of pages (an A4 letter with a seal at 150 dpi, the same at 200 dpi, an
invoice with a seal over text, a receipt, a phone photo):
  - engine cold: the first page read, model load included;
  - engine warm: RapidOCR alone on each page (median of --repeat runs);
  - scan uncached: the whole pipeline (ingest, OCR incl. the de-reddened re-read, classify,
    extract, checks) with the OCR cache off; its overhead over the engine alone;
  - scan cached: the same with the OCR cache warm (what a re-scan costs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.api import Scanner, ScanOptions  # noqa: E402
from appealcheck.ocr import make_engine  # noqa: E402
from tests import pages  # noqa: E402


def make_pages(folder: Path) -> list[Path]:
    letter = pages.letter()
    out = {
        "letter_150dpi.png": letter,
        "letter_200dpi.png": letter.resize((1654, 2339)),
        "invoice_seal.png": pages.invoice_with_seal(),
        "receipt.jpg": pages.receipt(),
        "phone_photo.jpg": pages.phone_photo(letter),
    }
    paths = []
    for name, img in out.items():
        p = folder / name
        img.save(p, quality=85) if name.endswith(".jpg") else img.save(p)
        paths.append(p)
    return paths


def _timed(run, paths: list[Path], repeat: int) -> dict[str, list[float]]:
    """Seconds per call of run(i) for each page, `repeat` rounds over all pages."""
    times: dict[str, list[float]] = {p.name: [] for p in paths}
    for _ in range(repeat):
        for i, p in enumerate(paths):
            t = time.perf_counter()
            run(i)
            times[p.name].append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["APPEALCHECK_CACHE_DIR"] = str(tmp / "cache")
        paths = make_pages(tmp)
        from PIL import Image

        images = [np.asarray(Image.open(p).convert("RGB")) for p in paths]
        engine = make_engine()
        t = time.perf_counter()
        engine.read(images[0])
        cold = time.perf_counter() - t
        engine_times = _timed(lambda i: engine.read(images[i]), paths, args.repeat)
        uncached = Scanner(ScanOptions(cache=False, today=dt.date(2024, 6, 1)))
        uncached.engine = engine
        uncached.reader.engine = engine
        scan_times = _timed(lambda i: uncached.scan(paths[i]), paths, args.repeat)
        cached = Scanner(ScanOptions(cache=True, today=dt.date(2024, 6, 1)))
        for p in paths:
            cached.scan(p)
        cached_times = _timed(lambda i: cached.scan(paths[i]), paths, args.repeat)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"engine cold (first page, model load included): {cold:.2f} s")
    print(f"{'page':22} {'size':>11} {'engine s':>9} {'scan s':>8} {'overhead':>9} {'cached s':>9}")
    e_total = s_total = c_total = 0.0
    for p, img in zip(paths, images, strict=True):
        e = statistics.median(engine_times[p.name])
        s = statistics.median(scan_times[p.name])
        c = statistics.median(cached_times[p.name])
        e_total, s_total, c_total = e_total + e, s_total + s, c_total + c
        print(f"{p.name:22} {img.shape[1]:>5}x{img.shape[0]:<5} {e:9.2f} {s:8.2f} {(s / e - 1) * 100:8.0f}% {c:9.3f}")
    n = len(paths)
    print(f"{'all':22} {'':11} {e_total:9.2f} {s_total:8.2f} {(s_total / e_total - 1) * 100:8.0f}% {c_total:9.3f}")
    print(f"pages/s: engine {n / e_total:.2f}, scan uncached {n / s_total:.2f}, scan cached {n / c_total:.1f}")


if __name__ == "__main__":
    main()

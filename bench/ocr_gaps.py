"""The re-read of lines the detector missed: how often it fires and what it costs.

Usage: python bench/ocr_gaps.py CORPUS [--limit 300] [--reread 40]

For every page of a generated corpus (the page readings come from the OCR cache when it is warm):
the share of pages with a band of uncovered print, the time of the search for such bands (every page
pays it), and the time of reading a band again with the OCR cache off (only pages with a band pay it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.ingest.files import DOCUMENT_SUFFIXES, read_document  # noqa: E402
from appealcheck.ocr.cache import OcrCache  # noqa: E402
from appealcheck.ocr.rapid import RapidOcrEngine  # noqa: E402
from appealcheck.ocr.reader import PageReader, uncovered_lines  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=300, help="documents to read")
    ap.add_argument("--reread", type=int, default=40, help="bands to time a second reading of")
    a = ap.parse_args()
    engine = RapidOcrEngine()
    reader = PageReader(engine, OcrCache())
    files = sorted(p for p in (a.corpus / "appeals").rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES)[:a.limit]
    search, bands, reread = [], [], []
    pages = 0
    for p in files:
        try:
            doc = read_document(p, p.name)
        except Exception:  # noqa: BLE001 - a bench counts what it can read
            continue
        for page in doc.pages:
            pages += 1
            lines = list(reader._read(page.image, "page"))
            t0 = time.perf_counter()
            found = uncovered_lines(page.image, lines)
            search.append(time.perf_counter() - t0)
            bands.append(len(found))
            for x0, y0, x1, y1 in found:
                if len(reread) >= a.reread:
                    break
                m = max(6, (y1 - y0) // 2)
                crop = np.ascontiguousarray(page.image[max(0, y0 - m):y1 + m, max(0, x0 - 12):x1 + 12])
                t1 = time.perf_counter()
                engine.read_region(crop)
                reread.append(time.perf_counter() - t1)
    with_band = sum(1 for b in bands if b)
    print(f"{a.corpus}: {pages} pages of {len(files)} documents")
    print(f"  pages with a missed line: {with_band} ({with_band / max(pages, 1):.1%}), bands {sum(bands)}")
    print(f"  search per page: median {statistics.median(search) * 1000:.1f} ms, "
          f"max {max(search) * 1000:.1f} ms")
    if reread:
        print(f"  second reading per band (OCR cache off): median {statistics.median(reread) * 1000:.0f} ms, "
              f"max {max(reread) * 1000:.0f} ms over {len(reread)} bands")


if __name__ == "__main__":
    main()

"""Forensics bench: per-op recall, false alarms on genuine documents, and time per A4 page.

Usage: python bench/forensics.py CORPUS [--realdata DIR] [--limit N]

CORPUS is `appealcheck samples generate` output (use a seed not used in development, e.g. 17). Reports:
- per forgery op, the share of forged documents with a file.* forensic finding and with a pixel.* finding
  (the corpus edits pages *before* capture, so pixel traces are not expected there; see pixel.py);
- post-capture edits made here on the corpus's genuine pages (a block of >= 1 % of the page, holding content,
  cloned elsewhere; a block pasted from another document), saved as PNG and as JPEG q95 / q85: pixel recall;
- false alarms: genuine generated documents and real documents with any pixel finding;
- time of the pixel analysis per 200 dpi A4 page.
No OCR runs: the forensic checks read only the file and its pages.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import random
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.forensics.file import analyse_file  # noqa: E402
from appealcheck.forensics.pixel import analyse_page  # noqa: E402
from appealcheck.ingest.files import read_document  # noqa: E402
from appealcheck.models import Page  # noqa: E402

FILE_IDS = ("file.pdf_incremental_update", "file.overlay_image", "file.dates_disagree", "file.thumbnail_mismatch",
            "file.editing_history", "file.pdf_javascript", "file.pdf_modified_after_signing")


def pixel_ids(doc) -> list[str]:
    """Pixel finding ids over all pages of a document."""
    return [s.id for p in doc.pages for s in analyse_page(p, jpeg=doc.info.format == "jpeg").report.signals]


def post_capture(img: np.ndarray, rng: random.Random, donor: np.ndarray, how: str, fmt: str):
    """Clone or paste a block of ~1.5 % of the page after capture; return the edited image and the box.

    The block copied holds content (at least 3 % ink, drawn again up to 100 times): a forger clones a stamp,
    a signature or lines of text. A block of bare paper copied onto bare paper leaves the page as it was, and
    no method could find it.
    """
    h, w = img.shape[:2]
    bw, bh = int(w * 0.2), int(h * 0.075)
    out = img.copy()
    source = img if how == "clone" else cv2.resize(donor, (w, h))
    ink = cv2.cvtColor(source, cv2.COLOR_RGB2GRAY) < 160
    for _ in range(100):
        X, Y = rng.randint(w // 10, w - bw - w // 10), rng.randint(h // 2, h - bh - h // 10)
        x0, y0 = rng.randint(w // 10, w - bw - w // 10), rng.randint(h // 10, h // 2 - bh)
        if ink[y0:y0 + bh, x0:x0 + bw].mean() >= 0.03:
            break
    out[Y:Y + bh, X:X + bw] = source[y0:y0 + bh, x0:x0 + bw]
    buf = io.BytesIO()
    if fmt == "png":
        Image.fromarray(out).save(buf, "PNG")
    else:
        Image.fromarray(out).save(buf, "JPEG", quality=int(fmt[1:]))
    return np.asarray(Image.open(buf).convert("RGB")), (X, Y, X + bw, Y + bh)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--realdata", type=Path, default=Path("/work/shared/realdata"))
    ap.add_argument("--limit", type=int, default=10**9)
    a = ap.parse_args()
    per_op = collections.defaultdict(lambda: [0, 0, 0])  # n, file hit, pixel hit
    genuine = [0, 0, 0]  # n, pixel hit, file hit
    genuine_imgs: list[tuple[str, np.ndarray]] = []
    times: list[float] = []
    fa_examples = []
    for line in list(open(a.corpus / "labels.jsonl"))[: a.limit]:
        ap_ = json.loads(line)
        for d in ap_["documents"]:
            p = a.corpus / "appeals" / ap_["appeal_id"] / d["file"]
            doc = read_document(p, d["file"])
            fids = [s.id for s in analyse_file(doc).signals]
            t = time.perf_counter()
            pids = pixel_ids(doc)
            dt_ = time.perf_counter() - t
            if doc.pages[0].dpi and abs(doc.pages[0].dpi - 200) < 1 and max(doc.pages[0].image.shape) > 2200:
                times.append(dt_ / len(doc.pages))
            if d["label"] == "genuine":
                genuine[0] += 1
                genuine[1] += bool(pids)
                genuine[2] += any(f in FILE_IDS for f in fids)
                if pids:
                    fa_examples.append((d["file"], d["capture"]["style"], pids))
                if len(doc.pages) == 1:
                    genuine_imgs.append((d["capture"]["style"], doc.pages[0].image))
            for op in d["ops"]:
                per_op[op][0] += 1
                per_op[op][1] += any(f in FILE_IDS or f == "file.editing_software" for f in fids) or \
                    (op == "software_metadata" and bool(doc.info.software or doc.info.producer))
                per_op[op][2] += bool(pids)
    print("per op: forged docs, with a file.* finding, with a pixel.* finding")
    for op, (n, f, px) in sorted(per_op.items()):
        print(f"  {op:20s} {n:4d}  file {f / n:5.0%}  pixel {px / n:5.0%}")
    rate = genuine[1] / max(1, genuine[0])
    print(f"genuine generated: {genuine[0]} docs, pixel finding on {genuine[1]} ({rate:.1%}),"
          f" file forensic finding on {genuine[2]}")
    for ex in fa_examples:
        print("   false alarm:", ex)
    real = [q for q in sorted(a.realdata.glob("*/images/*")) if q.suffix.lower() in (".jpg", ".jpeg", ".png")]
    rfa = []
    for q in real:
        doc = read_document(q, q.name)
        if pixel_ids(doc):
            rfa.append(q.name)
    print(f"realdata: {len(real)} docs, pixel finding on {len(rfa)} ({len(rfa) / max(1, len(real)):.1%}) {rfa[:5]}")
    rng = random.Random(17)
    res = collections.defaultdict(lambda: [0, 0])
    for i, (style, img) in enumerate(genuine_imgs):
        donor = genuine_imgs[(i + 7) % len(genuine_imgs)][1]
        for how in ("clone", "paste"):
            for fmt in ("png", "q95", "q85"):
                edited, box = post_capture(img, rng, donor, how, fmt)
                sigs = analyse_page(Page(0, edited, None), jpeg=fmt != "png").report.signals
                hit = any(s.box and s.box[0] < box[2] and box[0] < s.box[2] and s.box[1] < box[3] and box[1] < s.box[3]
                          for s in sigs)
                for key in ((how, fmt, "all"), (how, fmt, style)):
                    res[key][0] += 1
                    res[key][1] += hit
    print("post-capture edits of ~1.5 % of the page (pixel finding overlapping the edit):")
    for k, (n, h) in sorted(res.items()):
        print(f"  {k[0]:5s} {k[1]:4s} {k[2]:10s} {h:3d}/{n:3d} = {h / max(1, n):5.0%}")
    if times:
        print(f"pixel analysis per 200 dpi A4 page: median {np.median(times):.3f} s, max {max(times):.3f} s "
              f"({len(times)} pages)")


if __name__ == "__main__":
    main()

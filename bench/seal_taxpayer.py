"""Invoice seals' taxpayer numbers (the oval's middle line): how often the number is read exactly.

Usage: python bench/seal_taxpayer.py CORPUS [CORPUS ...] [--limit N]

Every purchase invoice of the corpora whose seal is genuine (not `seal_taxpayer_wrong`) should read as the
seller's printed taxpayer number; a forged one as any other valid number. Counted per capture style, on the
first oval seal found; the seal's ring and centre are read too, as `scan` does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.ingest.files import read_document  # noqa: E402
from appealcheck.seals.find import find_seals  # noqa: E402
from appealcheck.seals.read import read_seal, taxpayer_no  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    n = Counter()
    t0 = time.perf_counter()
    for root in args.corpora:
        for line in open(root / "labels.jsonl", encoding="utf-8"):
            lab = json.loads(line)
            for d in lab["documents"]:
                if d["kind"] != "purchase_invoice" or (args.limit and n["docs"] >= args.limit):
                    continue
                n["docs"] += 1
                style = d["capture"]["style"]
                doc = read_document(root / "appeals" / lab["appeal_id"] / d["file"], d["file"])
                ovals = [s for s in find_seals(doc.pages[0].image, 0) if s.shape == "ellipse"]
                forged = "seal_taxpayer_wrong" in d["ops"]
                group = "forged" if forged else "genuine"
                n[f"{group}.{style}"] += 1
                if not ovals:
                    continue
                text = read_seal(doc.pages[0].image, ovals[0], want_center=True, want_middle=True)
                got = taxpayer_no(text.middle)
                n[f"{group}.{style}.read"] += got is not None
                if forged:
                    n[f"{group}.{style}.exact"] += got is not None and got != d["fields"]["seller_uscc"]
                else:
                    n[f"{group}.{style}.exact"] += got == d["fields"]["seller_uscc"]
    took = time.perf_counter() - t0
    print(f"{n['docs']} invoices of {', '.join(str(c) for c in args.corpora)} in {took:.0f} s")
    for group in ("genuine", "forged"):
        total = sum(v for k, v in n.items() if k.startswith(group + ".") and k.count(".") == 1)
        exact = sum(v for k, v in n.items() if k.startswith(group + ".") and k.endswith(".exact"))
        what = "read exactly" if group == "genuine" else "read as another number"
        print(f"{group}: {what} {exact}/{total}")
        for k in sorted(k for k in n if k.startswith(group + ".") and k.count(".") == 1):
            print(f"    {k.split('.', 1)[1]:12} {n[k + '.exact']}/{n[k]}  (a number read on {n[k + '.read']})")


if __name__ == "__main__":
    main()

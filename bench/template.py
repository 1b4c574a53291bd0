"""Template comparison on letters: layout forgeries found, false alarms on genuine letters, pages registered.

Usage: python bench/template.py CORPUS [--limit N] [--workers 2]

CORPUS is the output of `appealcheck samples generate`; for a held-out measurement generate a seed never used in
development with the layout forgeries, e.g. `appealcheck samples generate t311 --appeals 80 --seed 311
--forged-ratio 0.6 --ops wrong_template`. Every authorization letter is scanned alone with its brand (OCR and
the template check, which reads the seals to place them). A `wrong_template` letter (a clause dropped, blocks
moved, the retired template, or the seal stamped out of its place) counts as found when any `template.*`
finding fires on it; a genuine letter with one is a false alarm, broken down by capture style. Letters forged
otherwise are counted apart: their findings are neither recall nor false alarms here.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing as mp
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_scanners: dict = {}


def _scan(args: tuple[str, str, dict]):
    from appealcheck.api import Scanner, ScanOptions

    corpus, appeal_id, ld = args
    brand = ld["brand"]
    if brand not in _scanners:
        s = Scanner(ScanOptions(rules_dirs=(Path(corpus) / "rules",), ocr_threads=1, brand=brand))
        s.checks = [c for c in s.checks if c.id == "template"]
        _scanners[brand] = s
    t0 = time.perf_counter()
    _, _, result = _scanners[brand].scan_detailed(Path(corpus) / "appeals" / appeal_id / ld["file"])
    took = time.perf_counter() - t0
    doc = result.documents[0]
    found = [(f.id, f.message) for f in doc.findings if f.check == "template" and f.severity != "info"]
    registered = bool(doc.template and doc.template.get("registered"))
    return appeal_id, ld, found, registered, took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    labels = [json.loads(line) for line in (args.corpus / "labels.jsonl").open(encoding="utf-8")][: args.limit]
    jobs = [(str(args.corpus), lab["appeal_id"], ld) for lab in labels for ld in lab["documents"]
            if ld["kind"] == "authorization_letter"]
    forged = [0, 0]
    by_id: collections.Counter = collections.Counter()
    by_style = collections.defaultdict(lambda: [0, 0, 0, 0])  # style -> genuine flagged, genuine, registered, letters
    missed, alarms = [], []
    seconds = []
    t0 = time.perf_counter()
    with mp.get_context("spawn").Pool(args.workers) as pool:
        for appeal_id, ld, found, registered, took in pool.imap_unordered(_scan, jobs):
            seconds.append(took)
            style = (ld.get("capture") or {}).get("style", "?")
            by_style[style][2] += registered
            by_style[style][3] += 1
            name = f"{appeal_id}/{ld['file']} ({style})"
            if "wrong_template" in ld["ops"]:
                forged[1] += 1
                forged[0] += bool(found)
                by_id.update({fid for fid, _ in found})
                if not found:
                    missed.append(name)
            elif ld["label"] == "genuine":
                by_style[style][1] += 1
                if found:
                    by_style[style][0] += 1
                    alarms.append(f"{name}: {found[0][1][:140]}")
    took = time.perf_counter() - t0
    print(f"{len(jobs)} letters of {len(labels)} appeals of {args.corpus} in {took:.0f} s with {args.workers} "
          f"workers ({platform.processor() or platform.machine()}, {mp.cpu_count()} cores)")
    print(f"\nwrong_template found: {forged[0]}/{forged[1]} ({forged[0] / max(forged[1], 1):.1%})")
    print("  by finding: " + ", ".join(f"{k} {v}" for k, v in by_id.most_common()))
    for m in missed:
        print("  missed", m)
    fa = sum(v[0] for v in by_style.values())
    gen = sum(v[1] for v in by_style.values())
    print(f"\nfalse alarms on genuine letters: {fa}/{gen} ({fa / max(gen, 1):.1%})")
    print("by capture: genuine flagged / genuine, letters registered to their template / letters")
    for style, (f, g, r, n) in sorted(by_style.items()):
        print(f"  {style:12} {f}/{g}   {r}/{n}")
    for a in alarms[:15]:
        print("   ", a)
    s = sorted(seconds)
    print(f"\nscan per letter, OCR cached or not, template check and seals included: median {s[len(s) // 2]:.2f} s")


if __name__ == "__main__":
    main()

"""Text-level tampering (`text.*` findings): recall per field-edit type, false alarms, time per page.

Usage: python bench/text.py CORPUS [--limit N] [--workers 2] [--realdata ../shared/realdata]

CORPUS is the output of `appealcheck samples generate`; for a held-out measurement generate a seed never used
in development with the field edits, e.g. `appealcheck samples generate t131 --appeals 150 --seed 131
--forged-ratio 0.7 --ops field_copy_move,field_retyped,letter_reused`. Only OCR and the text check run.

A forged document counts as found when a `text.*` finding (not the info note) fires on it, and as located
when that finding's box overlaps the edit's region from the labels. Copy-moves made on the captured file
(stage 'after_capture' in the labels) are counted on their own line: `text.glyph_cloned` is what finds them.
A false alarm is a genuine document (of any appeal) with such a finding; they are broken down by capture
style, since phone photos bend lines. `--realdata` adds the real genuine German receipts: every finding there
is a false alarm.

`--all-checks` runs every check, as `scan` does, and asks what a user gets: an edit counts as found only when a finding
of any check (not an info note) has a box on the edit, and a genuine document is a false alarm when any such finding
with a box fires on it. Content findings count there (an invoice's sums, a period too long), and so do the pixel
checks' (`pixel.copy_move` on a copy made after capture); the file's notes (the editing software, boxed on the whole
page) do not. The findings that found each edit are counted by id.
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

EDITS = ("field_copy_move", "field_retyped", "letter_reused")
AFTER = "field_copy_move after capture"
"""A copy-move made on the captured file (labels' stage 'after_capture'): found by `text.glyph_cloned`."""
AFTER_PDF = "  of which in PDFs"
"""...counted again when the file is a PDF: the clone check does not judge PDFs (the reader resamples)."""
_scanner = None
_all_checks = False


def _init(corpus: str, all_checks: bool = False) -> None:
    global _scanner, _all_checks
    _all_checks = all_checks
    from appealcheck.api import Scanner, ScanOptions

    rules = Path(corpus) / "rules"
    _scanner = Scanner(ScanOptions(rules_dirs=(rules,) if rules.is_dir() else (), ocr_threads=1))
    if not all_checks:
        _scanner.checks = [c for c in _scanner.checks if c.id == "text"]


def _timed_text_check(appeal_dir: Path):
    """Scan one appeal; also time the text check alone on each document (OCR comes from the cache)."""
    from appealcheck.checks.interface import DocContext
    from appealcheck.checks.text import TextConsistency

    appeal, pack, result = _scanner.scan_detailed(appeal_dir)
    timings = []
    if appeal is not None:
        by_file = {d.file: d for d in result.documents}
        for doc in appeal.documents:
            r = by_file.get(doc.file)
            if r is None or r.error:
                continue
            ctx = DocContext(appeal=appeal, document=doc, kind=r.kind or "unknown", fields=r.fields, ocr=r.ocr,
                             brand=pack)
            t0 = time.perf_counter()
            TextConsistency().run(ctx)
            timings.append(((time.perf_counter() - t0), len(doc.pages)))
    return result, timings


def _scan(args: tuple[str, dict]):
    corpus, lab = args
    result, timings = _timed_text_check(Path(corpus) / "appeals" / lab["appeal_id"])
    by_file = {d.file: d for d in result.documents}
    rows = []
    for ld in lab["documents"]:
        d = by_file.get(ld["file"])
        # A file's notes (its editing software) are boxed on the whole page: they say nothing of where.
        found = [f for f in (d.findings if d else ()) if f.severity != "info"
                 and (f.box is not None and not f.id.startswith("file.") if _all_checks else f.id.startswith("text."))]
        rows.append((ld, [(f.id, f.page, f.box, f.message) for f in found]))
    return lab["appeal_id"], rows, timings


def _overlaps(box, regions, op: str) -> bool:
    if box is None:
        return False
    for r in regions:
        if r["op"] != op:
            continue
        x0, y0, x1, y1 = r["box"]
        if box[0] < x1 and box[2] > x0 and box[1] < y1 and box[3] > y0:
            return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--realdata", type=Path)
    ap.add_argument("--misses", type=Path, help="write every missed edit here, one JSON object a line")
    ap.add_argument("--all-checks", action="store_true",
                    help="every check runs; an edit is found by a finding of any check boxed on it")
    args = ap.parse_args()
    labels = [json.loads(line) for line in (args.corpus / "labels.jsonl").open(encoding="utf-8")][: args.limit]
    found = collections.defaultdict(lambda: [0, 0, 0])  # op -> found, located, total
    by_capture = collections.defaultdict(lambda: [0, 0, 0, 0])  # style -> genuine flagged, genuine, edits found, edits
    fa_examples, missed, elsewhere = [], collections.defaultdict(list), []
    miss_rows = []
    by_id = collections.Counter()  # finding id -> edits it was boxed on (--all-checks)
    seconds, pages = 0.0, 0
    t0 = time.perf_counter()
    init = (str(args.corpus), args.all_checks)
    with mp.get_context("spawn").Pool(args.workers, initializer=_init, initargs=init) as pool:
        for appeal_id, rows, timings in pool.imap_unordered(_scan, [(str(args.corpus), lab) for lab in labels]):
            seconds += sum(t for t, _ in timings)
            pages += sum(n for _, n in timings)
            for ld, hits in rows:
                style = (ld.get("capture") or {}).get("style", "?")
                ops = [o for o in ld["ops"] if o in EDITS]
                if ld["label"] == "genuine":
                    by_capture[style][1] += 1
                    if hits:
                        by_capture[style][0] += 1
                        fa_examples.append(f"{appeal_id}/{ld['file']} ({style}): {hits[0][3][:140]}")
                    continue
                for op in ops:
                    op_as = op
                    located = any(_overlaps(h[2], ld.get("regions", []), op) for h in hits)
                    # Every check's findings: only one boxed on the edit finds it.
                    hit = located if args.all_checks else bool(hits)
                    if op == "field_copy_move" and ld.get("stage") == "after_capture":
                        op = AFTER
                        if ld["file"].endswith(".pdf"):
                            found[AFTER_PDF][2] += 1
                            found[AFTER_PDF][0] += hit
                    found[op][2] += 1
                    by_capture[style][3] += 1
                    if hit:
                        if args.all_checks:
                            by_id.update({h[0] for h in hits if _overlaps(h[2], ld.get("regions", []), op_as)})
                        found[op][0] += 1
                        by_capture[style][2] += 1
                        found[op][1] += located
                        if not located:
                            elsewhere.append(f"{appeal_id}/{ld['file']} ({style}, {op}): {hits[0][3][:140]}")
                    else:
                        missed[op].append(f"{appeal_id}/{ld['file']} ({style})")
                        miss_rows.append({"appeal_id": appeal_id, "file": ld["file"], "kind": ld["kind"], "op": op,
                                          "style": style, "regions": ld.get("regions", [])})
    took = time.perf_counter() - t0
    if args.misses:
        args.misses.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in miss_rows), encoding="utf-8")
    print(f"{len(labels)} appeals of {args.corpus} in {took:.0f} s with {args.workers} workers "
          f"({platform.processor() or platform.machine()}, {mp.cpu_count()} cores)"
          + ("; every check, an edit found by a finding boxed on it" if args.all_checks else ""))
    print("\nedit type            found   located on the edit")
    for op in (*EDITS, AFTER, AFTER_PDF):
        f, loc, tot = found[op]
        print(f"  {op:18} {f:4}/{tot:<4} {f / max(tot, 1):6.1%}   {loc}/{f}")
    if args.all_checks:
        print("  found by: " + ", ".join(f"{k} {v}" for k, v in by_id.most_common()))
    gen_fa = sum(v[0] for v in by_capture.values())
    gen = sum(v[1] for v in by_capture.values())
    print(f"\nfalse alarms on genuine documents: {gen_fa}/{gen} ({gen_fa / max(gen, 1):.1%})")
    print("by capture: genuine flagged / genuine, edits found / edits")
    for style, (fa, g, ef, e) in sorted(by_capture.items()):
        print(f"  {style:12} {fa}/{g}   {ef}/{e}")
    for e in fa_examples[:15]:
        print("   ", e)
    print(f"\nedits found by a finding off the edit (a false alarm on a forged document): {len(elsewhere)}")
    for e in elsewhere[:15]:
        print("   ", e)
    print(f"\ntext check alone: {seconds / max(pages, 1) * 1000:.0f} ms per page over {pages} pages")
    for op, rows in missed.items():
        print(f"missed {op}: {', '.join(rows[:6])}")
    if args.realdata:
        _realdata(args.realdata)


def _realdata(root: Path) -> None:
    import csv

    from appealcheck.api import Scanner, ScanOptions

    folder = root / "receipts_de"
    scanner = Scanner(ScanOptions())
    scanner.checks = [c for c in scanner.checks if c.id == "text"]
    rows = list(csv.DictReader((folder / "labels.csv").open(encoding="utf-8")))
    flagged = []
    for row in rows:
        r = scanner.scan(folder / row["path"])
        hits = [f for d in r.documents for f in d.findings if f.id.startswith("text.") and f.severity != "info"]
        if hits:
            flagged.append(f"{row['path']}: {hits[0].message[:140]}")
    print(f"\nreal genuine receipts (receipts_de) with a text finding: {len(flagged)}/{len(rows)}")
    for f in flagged:
        print("   ", f)


if __name__ == "__main__":
    main()

"""Recall of the content checks per content forgery type, and their false alarms on genuine documents.

Usage: python bench/content_recall.py CORPUS [--limit N] [--workers 2] [--checks content.,seal]

CORPUS is the output of `appealcheck samples generate` (for a held-out measurement use a seed never used in
development, e.g. `--seed 53 --forged-ratio 0.6 --ops period_invalid,uscc_bad_check,...`). A forged document
counts as detected only when one of the findings its operation should cause fires (the map below), not any
finding. A false alarm is a document of a genuine appeal with any `content.*` finding (or
`seal.taxpayer_mismatch`); genuine documents beside a forged one in the same appeal are counted apart, since a
finding across documents (an invoice dated before a forged letter) is the forgery showing there. By
default only the content checks run (OCR, fields, content); `--checks content.,seal` adds the seal check (for
`seal_taxpayer_wrong`), `--checks all` runs every check.
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

EXPECTED = {
    "period_invalid": {"content.period_reversed", "content.period_outside", "content.period_too_long",
                       "content.date_impossible"},
    "uscc_bad_check": {"content.uscc_check_digit"},
    "invoice_math": {"content.invoice_sum_mismatch", "content.total_words_mismatch", "content.invoice_tax_mismatch",
                     "content.invoice_lines_mismatch", "content.invoice_line_tax_mismatch"},
    "qr_mismatch": {"content.qr_mismatch"},
    "licensor_unknown": {"content.licensor_unknown", "content.licensor_lookalike"},
    "trademark_unknown": {"content.trademark_unknown"},
    "receipt_locale": {"content.currency_country_mismatch", "content.date_format_country",
                       "content.time_format_country", "content.date_impossible"},
    "store_unknown": {"content.store_unknown"},
    "invoice_before_letter": {"content.invoice_before_letter"},
    "seal_taxpayer_wrong": {"seal.taxpayer_mismatch"},
    "chain_broken": {"content.chain_serial_mismatch", "content.chain_period_exceeds"},
}
"""Content forgery operations of the generator and the findings that catch each."""

ACROSS = {"content.invoice_before_letter", "content.chain_serial_mismatch", "content.chain_period_exceeds"}
"""Findings that compare two documents: on a genuine one beside a forged one, they are the forgery showing."""

_scanner = None


def _init(corpus: str, checks: str) -> None:
    global _scanner
    from appealcheck.api import Scanner, ScanOptions

    _scanner = Scanner(ScanOptions(rules_dirs=(Path(corpus) / "rules",), ocr_threads=1))
    if checks != "all":
        keep = tuple(c.strip() for c in checks.split(","))
        _scanner.checks = [c for c in _scanner.checks if c.id.startswith(keep)]


def _scan(args: tuple[str, dict]) -> list[tuple[dict, list[str], float]]:
    corpus, lab = args
    t0 = time.perf_counter()
    result = _scanner.scan(Path(corpus) / "appeals" / lab["appeal_id"])
    took = time.perf_counter() - t0
    by_file = {d.file: d for d in result.documents}
    return [(dict(ld, appeal_id=lab["appeal_id"], appeal_label=lab["label"]),
             sorted({f.id for f in by_file[ld["file"]].findings}), took)
            for ld in lab["documents"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--checks", default="content.",
                    help="check id prefixes to run, comma-separated (content.,seal), or 'all'")
    args = ap.parse_args()
    labels = [json.loads(line) for line in (args.corpus / "labels.jsonl").open(encoding="utf-8")][: args.limit]
    per_op: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    missed: dict[str, list[str]] = collections.defaultdict(list)
    per_style: dict[tuple[str, bool], list[int]] = collections.defaultdict(lambda: [0, 0])
    fa_docs, fa_ids = 0, collections.Counter()
    genuine_by_kind = collections.Counter()
    fa_examples = []
    beside, beside_ids = {"docs": 0, "flagged": 0, "own": 0}, collections.Counter()
    beside_examples: list[str] = []
    t0 = time.perf_counter()
    ctx = mp.get_context("spawn")
    with ctx.Pool(args.workers, initializer=_init, initargs=(str(args.corpus), args.checks)) as pool:
        for rows in pool.imap_unordered(_scan, [(str(args.corpus), lab) for lab in labels]):
            for ld, ids, _ in rows:
                content = [i for i in ids if i.startswith("content.") or i == "seal.taxpayer_mismatch"]
                if ld["label"] == "genuine":
                    if ld["appeal_label"] != "genuine":
                        # A genuine document beside a forged one: a finding across the two (an invoice before a
                        # forged letter's date) is the forgery showing, counted apart from false alarms.
                        beside["docs"] += 1
                        beside["flagged"] += bool(content)
                        beside_ids.update(content)
                        # A finding about this document alone is a false alarm wherever the document sits.
                        own = [i for i in content if i not in ACROSS]
                        if own:
                            beside["own"] += 1
                            beside_examples.append(f"{ld['appeal_id']} {ld['file']} {own}")
                        continue
                    genuine_by_kind[ld["kind"]] += 1
                    if content:
                        fa_docs += 1
                        fa_ids.update(content)
                        fa_examples.append(f"{ld['appeal_id']} {ld['file']} {ld.get('sha256', '')[:8]} {content}")
                    continue
                for op in ld["ops"]:
                    if op in EXPECTED:
                        hit = bool(EXPECTED[op] & set(ids))
                        per_op[op][0] += hit
                        per_op[op][1] += 1
                        fault = (ld.get("fields") or {}).get("math_fault")
                        if op == "invoice_math" and fault:
                            # Each way the generator breaks an invoice's sums, apart: the lines alone betray 'lines'.
                            per_op[f"{op}:{fault}"][0] += hit
                            per_op[f"{op}:{fault}"][1] += 1
                        style = (ld.get("capture") or {}).get("style", "?")
                        per_style[(op, style == "fax")][0] += hit
                        per_style[(op, style == "fax")][1] += 1
                        if not hit:
                            missed[op].append(f"{ld['file']} in {ld.get('appeal_id', '?')} ({style}): {ids}")
    took = time.perf_counter() - t0
    genuine = sum(genuine_by_kind.values())
    docs = genuine + sum(t for _, t in per_op.values())
    print(f"{len(labels)} appeals of {args.corpus} in {took:.0f} s with {args.workers} workers "
          f"({platform.processor() or platform.machine()}, {mp.cpu_count()} cores)")
    print("\ncontent forgery type    detected by its own finding")
    for op in [*EXPECTED, *sorted(k for k in per_op if ":" in k)]:
        hit, tot = per_op.get(op, (0, 0))
        print(f"  {op:22} {hit:4}/{tot:<4} {hit / tot:7.1%}" if tot else f"  {op:22}    -")
    faxed = {op for (op, fax), (_, tot) in per_style.items() if fax and tot}
    if faxed:
        print("\non black-and-white faxes, and on every other capture (a fax can erase a seal's or a label's ink):")
        for op in [o for o in EXPECTED if o in faxed]:
            (fh, ft), (oh, ot) = per_style[(op, True)], per_style[(op, False)]
            other = f"  other {oh:4}/{ot:<4} {oh / ot:7.1%}" if ot else ""
            print(f"  {op:22} fax {fh:3}/{ft:<3}{other}")
    print(f"\nfalse alarms: documents of genuine appeals with any content finding: {fa_docs}/{genuine} "
          f"({fa_docs / max(genuine, 1):.1%}); by kind {dict(genuine_by_kind)}")
    for k, n in fa_ids.most_common():
        print(f"  {k:40} {n}")
    for e in fa_examples[:20]:
        print("   ", e)
    print(f"genuine documents in forged appeals with a content finding: {beside['flagged']}/{beside['docs']} "
          f"{dict(beside_ids.most_common())}")
    print(f"  of which with a finding about the document alone (false alarms too): {beside['own']}")
    for e in beside_examples[:12]:
        print("   ", e)
    every = genuine + beside["docs"]
    print(f"false alarms over every genuine document (the appeal's label aside, cross-document findings aside): "
          f"{fa_docs + beside['own']}/{every} ({(fa_docs + beside['own']) / max(every, 1):.1%})")
    if missed:
        print("\nmissed (file: findings that did fire):")
        for op, rows in missed.items():
            for r in rows[:8]:
                print(f"  {op:22} {r}")
    print(f"\n({docs} documents counted)")


if __name__ == "__main__":
    main()

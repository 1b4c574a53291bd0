"""Fields read and findings per forgery op on a generated corpus: the checks' recall and false alarms.

Usage: python bench/corpus_checks.py CORPUS [--limit N] [--start K]

CORPUS is the output of `appealcheck samples generate`. Prints, per document kind and field, how often the
field read equals the ground truth printed on the page (fields the generator records but does not print
are skipped), then per forgery op the share of forged documents with at least one finding, and the share of
genuine documents with any finding (false alarms), with the findings that fired on them.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.api import Scanner, ScanOptions  # noqa: E402
from appealcheck.extract import parse  # noqa: E402

RENAME = {"business_license": {"name": "company_name", "legal_rep": "legal_representative",
                               "capital": "registered_capital", "founded": "established_on"}}
# Recorded by the generator but not printed, or not extracted as a field.
SKIP = {"items", "lang", "payment", "store_addr", "tax_free", "buyer_addr", "buyer_bank", "seller_addr", "seller_bank",
        "drawer", "payee", "reviewer", "region", "scope", "type", "term", "shop", "parent_serial", "math_fault",
        "period_fault", "chain_fault", "locale_fault", "trademark", "qr_payload", "qr_crc", "licensor_uscc"}
DATES = {"date", "issued_on", "valid_from", "valid_to", "established_on"}
MONEY = {"amount", "tax", "total", "subtotal"}


def norm(key: str, v: object) -> str | None:
    """Ground truth and extracted values in one comparable form."""
    if v is None:
        return None
    if isinstance(v, float):
        return f"{v:.2f}"
    s = str(v)
    if key == "total_in_words":
        x = parse.parse_capital_amount(s)
        return f"{float(x):.2f}" if x is not None else s
    if key == "check_code":
        return re.sub(r"\s", "", s)
    if key in DATES:
        ds = parse.find_dates(s)
        if ds and ds[0].value:
            return ds[0].value.isoformat()
    if key in MONEY:
        a = parse.find_amounts(s) or parse.find_amounts(s + " EUR")
        if a:
            return f"{float(a[0].value):.2f}"
    return s.replace("（", "(").replace("）", ")").strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--start", type=int, default=0)
    args = ap.parse_args()
    labels = [json.loads(line) for line in (args.corpus / "labels.jsonl").open(encoding="utf-8")]
    labels = labels[args.start:args.start + args.limit]
    scanner = Scanner(ScanOptions(rules_dirs=(args.corpus / "rules",)))
    fields: dict[tuple[str, str], list[int]] = collections.defaultdict(lambda: [0, 0])
    per_op: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    false_alarms: collections.Counter = collections.Counter()
    genuine = flagged = docs = 0
    t0 = time.perf_counter()
    for lab in labels:
        result = scanner.scan(args.corpus / "appeals" / lab["appeal_id"])
        by_file = {d.file: d for d in result.documents}
        for ld in lab["documents"]:
            d = by_file[ld["file"]]
            docs += 1
            got = {k: norm(k, f.value) for k, f in d.fields.items()}
            for k, v in ld["fields"].items():
                if k in SKIP or isinstance(v, (list, dict)):
                    continue
                k2 = RENAME.get(ld["kind"], {}).get(k, k)
                st = fields[(ld["kind"], k2)]
                st[0] += got.get(k2) == norm(k2, v)
                st[1] += 1
            ids = sorted({f.id for f in d.findings} | {h["rule_id"] for h in result.rule_hits if h["file"] == d.file})
            if ld["label"] == "genuine":
                genuine += 1
                flagged += bool(ids)
                false_alarms.update(ids)
            else:
                for op in ld["ops"]:
                    per_op[op][0] += bool(ids)
                    per_op[op][1] += 1
    took = time.perf_counter() - t0
    print(f"{len(labels)} appeals, {docs} documents in {took:.0f} s ({took / max(docs, 1):.1f} s per document)")
    print("\nfields read exactly (genuine and forged documents):")
    for (kind, k), (ok, tot) in sorted(fields.items()):
        print(f"  {kind:22} {k:22} {ok:4}/{tot:<4} {ok / tot:6.0%}")
    print("\nforged documents with at least one finding or rule hit, per op:")
    for op, (hit, tot) in sorted(per_op.items()):
        print(f"  {op:20} {hit:4}/{tot:<4} {hit / tot:6.0%}")
    print(f"\ngenuine documents with any finding or rule hit: {flagged}/{genuine} ({flagged / max(genuine, 1):.1%})")
    for k, n in false_alarms.most_common():
        print(f"  {k:40} {n}")


if __name__ == "__main__":
    main()

"""Brand-pack rules speed: load and compile a pack of 500 rules, then evaluate them on one document.

Floors (issue 8): load + compile under 1 s; 500 rules on a document under 50 ms.
Run: python bench/rules_speed.py [--rules 500] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml

# A realistic mix: text phrases, field comparisons, regexes, dates, fuzzy names, a comprehension.
_WHENS = [
    'doc.text.contains("独家{i}")',
    'has(doc.fields.total) && doc.fields.total > {i}.5',
    're2_match(doc.fields.serial, "^AC-\\\\d{{4}}-{i:05d}$")',
    'has(doc.fields.valid_to) && days_between(appeal.submitted_at, doc.fields.valid_to) < -{i}',
    'fuzzy(get(doc.fields, "licensor", ""), brand.entities[0].name) < {i}.0 / 10.0',
    'doc.seals.exists(s, s.text == "印章{i}")',
    '!(get(doc.fields, "seller_name", "") in ["甲{i}", "乙{i}"])',
    'doc.file.software != null && lower(doc.file.software).contains("ps{i}")',
]

FACTS = {
    "doc": {
        "kind": "authorization_letter",
        "text": "授权书\n兹授权深圳市启航贸易有限公司在天猫平台销售艾克米品牌产品。\n特此授权\n" * 20,
        "file": {"name": "letter.jpg", "sha256": "0" * 64, "format": "jpeg", "size_bytes": 123456, "pages": 1,
                 "producer": None, "creator": None, "software": "Adobe Photoshop", "created": None,
                 "modified": None, "camera": None},
        "fields": {"licensor": "艾克米(中国)有限公司", "licensee": "深圳市启航贸易有限公司",
                   "valid_from": "2025-01-01", "valid_to": "2025-12-31", "serial": "AC-2025-00042",
                   "total": 1234.5, "seller_name": "上海锦程贸易有限公司"},
        "seals": [{"text": "艾克米(中国)有限公司", "center_text": "", "code": None, "shape": "circle",
                   "size_mm": [42, 42], "matched_seal": "acme-official", "match_score": 0.93}],
        "template": None, "forensics": {}, "error": None,
    },
    "appeal": {"id": "A-1", "submitted_at": "2025-06-01",
               "seller": {"name": "深圳市启航贸易有限公司", "shop": None, "uscc": None, "account": {}}},
    "brand": {"id": "acme", "name": "ACME", "names": ["艾克米"],
              "entities": [{"name": "艾克米(中国)有限公司", "uscc": None, "role": "owner"}],
              "distributors": [], "policy": {"individuals_allowed": False, "max_validity_days": 730}},
}


def write_pack(root: Path, n: int) -> Path:
    """A pack of n rules under root/acme."""
    d = root / "acme"
    d.mkdir(parents=True)
    (d / "brand.yaml").write_text("schema_version: 1\nid: acme\nname: ACME\nversion: 1.0.0\n", encoding="utf-8")
    rules = [{"id": f"acme.bench.r{i}", "title": f"rule {i}", "severity": "medium",
              "applies_to": ["authorization_letter"], "when": _WHENS[i % len(_WHENS)].format(i=i),
              "message": f"rule {i} fired"} for i in range(n)]
    (d / "rules.yaml").write_text(yaml.safe_dump({"schema_version": 1, "rules": rules}, allow_unicode=True),
                                  encoding="utf-8")
    return d


def main() -> None:
    """Print load and evaluation figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args()
    from appealcheck.rules.engine import load_rules

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_pack(Path(tmp), a.rules)
        t0 = time.perf_counter()
        rs = load_rules(folder)
        load_s = time.perf_counter() - t0
        times, hits = [], []
        for _ in range(a.repeat):
            t = time.perf_counter()
            hits = rs.evaluate(FACTS, "authorization_letter")
            times.append(time.perf_counter() - t)
    print(f"load+compile {a.rules} rules: {load_s:.3f} s  (floor 1 s)")
    print(f"evaluate {a.rules} rules on one document: median {statistics.median(times) * 1000:.1f} ms, "
          f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {a.repeat} runs  (floor 50 ms)")
    print(f"hits {len(hits)}, rules that failed on the document {len(rs.errors_for_last_eval)}")


if __name__ == "__main__":
    main()

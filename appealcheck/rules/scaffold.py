"""`appealcheck rules new ID`: a pack that validates, lints clean and passes its own tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

from appealcheck.errors import PackError, UsageError

_BRAND = """\
schema_version: 1
id: {id}
name: {name}
version: 0.1.0                      # semver; bump on every change
owner: brand-protection@{id}.example
names: [{name}]                     # brand names and trademarks as printed
entities:                           # legal entities that may issue documents
  - {{name: {name}（中国）有限公司, uscc: 91310000MA1FL0XXXX, role: owner}}
distributors: []                    # authorized resellers: {{name, uscc, valid_from, valid_to}}
seals: []                           # registered seals (images under seals/)
templates: []                       # genuine specimens (images under templates/)
policy:
  individuals_allowed: false
  max_validity_days: 730
"""

_RULES = """\
schema_version: 1
rules:
  - id: {id}.letter.no-exclusive
    title: Genuine {name} letters never grant exclusivity
    severity: high
    applies_to: [authorization_letter]
    when: doc.text.contains("独家")
    message: "Letter grants exclusivity; {name} never does"
    status: stable

  - id: {id}.letter.too-long
    title: Authorizations last at most the policy's maximum
    severity: medium
    applies_to: [authorization_letter]
    # has() guards the fields: a letter without a period is another rule's business.
    when: >-
      has(doc.fields.valid_from) && has(doc.fields.valid_to) &&
      days_between(doc.fields.valid_from, doc.fields.valid_to) > brand.policy.max_validity_days
    message: "The authorized period is longer than {name} ever grants"
    field: valid_to
    status: stable
"""

_EXPECTED = """\
schema_version: 1
cases:
  fires-1:
    description: an exclusive letter valid for five years
    fires: [{id}.letter.no-exclusive, {id}.letter.too-long]
  clean-1:
    description: a genuine-looking letter
    not_fires: [{id}.letter.no-exclusive, {id}.letter.too-long]
"""


def _facts(text: str, valid_from: str, valid_to: str) -> str:
    doc = {"kind": "authorization_letter",
           "file": {"name": "letter.jpg", "sha256": "0" * 64, "format": "jpeg", "size_bytes": 1000, "pages": 1,
                    "producer": None, "creator": None, "software": None, "created": None, "modified": None,
                    "camera": None},
           "text": text, "fields": {"licensee": "示例商贸有限公司", "valid_from": valid_from, "valid_to": valid_to},
           "seals": [], "template": None, "forensics": {}, "error": None}
    facts = {"appeal": {"id": "example", "submitted_at": "2025-06-01",
                        "seller": {"name": "示例商贸有限公司", "shop": None, "uscc": None, "account": {}}},
             "brand": None, "documents": [{"doc": doc}]}
    return json.dumps(facts, ensure_ascii=False, indent=2) + "\n"


def new_pack(root: Path, brand_id: str, name: str | None = None) -> Path:
    """Write root/<brand_id>/ with brand.yaml, rules.yaml, seals/, templates/ and two test cases."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", brand_id):
        raise UsageError(f"'{brand_id}' is not a pack id: use lowercase letters, digits, '-' and '_'")
    folder = Path(root) / brand_id
    if folder.exists():
        raise PackError(f"{folder}: exists; pick another id or remove the folder")
    name = name or brand_id.upper()
    if not re.fullmatch(r"[^\s:#{}\[\],&*!|>'\"%@`]{1,60}", name):
        raise UsageError("--name must be a plain word (no spaces or YAML punctuation)")
    for sub in ("seals", "templates", "tests"):
        (folder / sub).mkdir(parents=True)
    (folder / "brand.yaml").write_text(_BRAND.format(id=brand_id, name=name), encoding="utf-8")
    (folder / "rules.yaml").write_text(_RULES.format(id=brand_id, name=name), encoding="utf-8")
    (folder / "tests" / "expected.yaml").write_text(_EXPECTED.format(id=brand_id), encoding="utf-8")
    (folder / "tests" / "fires-1.facts.json").write_text(
        _facts("授权书\n兹授权示例商贸有限公司为独家经销商。\n特此授权", "2025-01-01", "2029-12-31"), encoding="utf-8")
    (folder / "tests" / "clean-1.facts.json").write_text(
        _facts("授权书\n兹授权示例商贸有限公司销售本品牌产品。\n特此授权", "2025-01-01", "2025-12-31"),
        encoding="utf-8")
    return folder

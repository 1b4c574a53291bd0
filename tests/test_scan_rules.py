"""`scan --brand` evaluates the pack's CEL rules: hits in rule_hits with the box of the field they name."""

from __future__ import annotations

import json
import subprocess
import sys

from tests import pages

BRAND = """schema_version: 1
id: acme
name: ACME
version: 1.0.0
names: [艾克米]
entities:
  - {name: 艾克米(中国)有限公司, uscc: 91310000MA1FL0XD32, role: owner}
policy: {individuals_allowed: false, max_validity_days: 730}
"""
RULES = """schema_version: 1
rules:
  - id: acme.letter.exclusive
    title: Genuine ACME letters never grant exclusivity
    severity: critical
    applies_to: [authorization_letter]
    when: doc.text.contains("独家") && !doc.text.contains("非独家")
    message: Letter grants exclusivity; ACME never does
  - id: acme.letter.shenzhen-licensee
    title: Licensees in Shenzhen need a second review
    severity: low
    applies_to: [authorization_letter]
    when: has(doc.fields.licensee) && doc.fields.licensee.startsWith("深圳")
    field: licensee
    message: Licensee is in Shenzhen
"""


def _pack(tmp_path):
    pack = tmp_path / "packs" / "acme"
    pack.mkdir(parents=True)
    (pack / "brand.yaml").write_text(BRAND, encoding="utf-8")
    (pack / "rules.yaml").write_text(RULES, encoding="utf-8")
    return tmp_path / "packs"


def test_rule_hits_reach_the_json(tmp_path):
    packs = _pack(tmp_path)
    page = pages.text_page([(520, 140, "授 权 书", 56), (120, 370, "授权方：艾克米(中国)有限公司", 30),
                            (120, 480, "被授权方：深圳市启航贸易有限公司", 30),
                            (120, 580, "兹授权被授权方为艾克米品牌在天猫平台的独家经销商。", 30),
                            (120, 700, "授权期限：2024年1月1日至2025年12月31日", 30)])
    folder = tmp_path / "A-1"
    folder.mkdir()
    page.save(folder / "letter.png")
    manifest = "brand: acme\nsubmitted_at: 2024-06-01\nseller: {name: 深圳市启航贸易有限公司}\n"
    (folder / "appeal.yaml").write_text(manifest, encoding="utf-8")
    cmd = [sys.executable, "-m", "appealcheck.cli", "scan", "--json", "--rules", str(packs), str(folder)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    obj = json.loads(proc.stdout)
    hits = {h["rule_id"]: h for h in obj["rule_hits"]}
    assert set(hits) == {"acme.letter.exclusive", "acme.letter.shenzhen-licensee"}
    assert hits["acme.letter.exclusive"]["severity"] == "critical" and hits["acme.letter.exclusive"]["box"] is None
    licensee_box = obj["documents"][0]["fields"]["licensee"]["box"]
    assert hits["acme.letter.shenzhen-licensee"]["box"] == licensee_box
    # A critical rule hit makes the appeal at least suspicious.
    assert obj["verdict"] in ("suspicious", "forged") and proc.returncode == 1
    assert obj["versions"]["packs"] == {"acme": "1.0.0"}


def test_unsigned_pack_refused_when_signatures_required(tmp_path):
    packs = _pack(tmp_path)
    (tmp_path / "keys").mkdir()
    pages.receipt().save(tmp_path / "r.png")
    proc = subprocess.run([sys.executable, "-m", "appealcheck.cli", "scan", "--ocr", "none", "--brand", "acme",
                           "--rules", str(packs), "--require-signed", "--keyring", str(tmp_path / "keys"),
                           str(tmp_path / "r.png")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "SIGNATURE" in proc.stderr or "signed" in proc.stderr

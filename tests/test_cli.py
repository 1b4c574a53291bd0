"""The command line as a user runs it: JSON shape, quiet output, facts, checks list."""

from __future__ import annotations

import json
import subprocess
import sys

from tests import pages


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appealcheck.cli", *args], capture_output=True, text=True, timeout=300)


def test_scan_json_and_facts_on_a_real_page(tmp_path):
    folder = tmp_path / "A-2024-7"
    folder.mkdir()
    pages.invoice_with_seal().save(folder / "invoice.png")
    (folder / "appeal.yaml").write_text("appeal_id: A-2024-7\nsubmitted_at: 2024-06-01\n"
                                        "seller: {name: 深圳市启航贸易有限公司, account: {age_days: 41}}\n",
                                        encoding="utf-8")
    proc = run("scan", "--json", str(folder))
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert set(obj) >= {"schema_version", "appeal_id", "brand", "score", "verdict", "documents", "rule_hits",
                        "links", "explanation", "versions", "error"}
    assert obj["appeal_id"] == "A-2024-7" and obj["verdict"] == "clean" and obj["error"] is None
    # The shipped model scores by default; the placeholder only when asked for.
    assert obj["versions"]["model"].startswith("lgbm-fv") and obj["versions"]["ocr"].startswith("rapidocr-")
    assert obj["score"] < 0.2 and obj["explanation"]
    plain = json.loads(run("scan", "--json", "--model", "placeholder", str(folder)).stdout)
    assert "placeholder" in plain["versions"]["model"] and plain["verdict"] == "clean" and not plain["explanation"]
    doc = obj["documents"][0]
    assert doc["kind"] == "purchase_invoice" and len(doc["sha256"]) == 64
    assert doc["fields"]["total"]["value"] == 10000.5 and len(doc["fields"]["total"]["box"]) == 4

    quiet = run("scan", "-q", str(folder))
    assert quiet.stdout.strip().split("\t")[:2] == ["A-2024-7", "clean"]

    facts = run("facts", str(folder))
    assert facts.returncode == 0, facts.stderr
    f = json.loads(facts.stdout)
    assert f["appeal"]["seller"]["account"] == {"age_days": 41.0}
    d = f["documents"][0]["doc"]
    assert d["kind"] == "purchase_invoice" and d["fields"]["seller_uscc"] == "91310115MA1H7XWJ5N"
    assert d["file"]["format"] == "png" and "价税合计" in d["text"]


def test_human_summary_names_the_finding(tmp_path):
    pages.letter(licensor_uscc="91310000MA1FL0XD33").save(tmp_path / "letter.png")
    proc = run("scan", str(tmp_path / "letter.png"))
    assert proc.returncode == 1
    assert "content.uscc_check_digit" in proc.stdout and "91310000MA1FL0XD33" in proc.stdout
    assert "authorization_letter" in proc.stdout


def test_checks_lists_ids():
    proc = run("checks")
    assert proc.returncode == 0
    for cid in ("content.uscc", "content.dates", "content.period", "content.invoice_words", "content.receipt_locale",
                "content.trademark", "content.store", "content.appeal_dates", "content.appeal_chain"):
        assert cid in proc.stdout


def test_help_has_examples():
    for cmd in (["scan"], ["facts"], ["samples", "generate"]):
        proc = run(*cmd, "--help")
        assert proc.returncode == 0 and "Example" in proc.stdout


def test_readme_sample_scans_and_is_flagged():
    """The README's first command: a bundled forged appeal (period forged to 3 years) is flagged."""
    from pathlib import Path

    appeal = Path(__file__).parents[1] / "samples" / "appeals" / "A-001-000003"
    proc = run("scan", "--json", str(appeal))
    obj = json.loads(proc.stdout)
    assert proc.returncode == 1 and obj["verdict"] in ("suspicious", "forged")
    assert obj["brand"] == "lantu" and obj["versions"]["packs"] == {"lantu": "1.1.0"}
    letter = obj["documents"][0]
    assert "content.period_too_long" in [f["id"] for f in letter["findings"]]


def test_scan_with_the_shipped_model_gives_a_calibrated_score_and_reasons():
    from pathlib import Path

    appeal = Path(__file__).parents[1] / "samples" / "appeals" / "A-001-000003"
    obj = json.loads(run("scan", "--json", "--model", "shipped", str(appeal)).stdout)
    assert obj["versions"]["model"].startswith("lgbm-fv")
    assert 0.0 <= obj["score"] <= 1.0 and obj["explanation"]
    first = obj["explanation"][0]
    assert {"feature", "contribution", "description", "document"} <= set(first)
    # The reasons point at their evidence: the sample's letter runs longer than the brand grants.
    assert "content.period_too_long" in [(e.get("finding") or {}).get("id") for e in obj["explanation"][:3]]


def test_a_missing_model_folder_is_exit_5(tmp_path):
    proc = run("scan", "--ocr", "none", "--model", str(tmp_path / "nope"), str(tmp_path))
    assert proc.returncode == 5, proc.stderr

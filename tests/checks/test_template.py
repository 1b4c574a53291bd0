"""Template comparison on generated letters with the real OCR: which template a letter follows, a dropped clause
or moved blocks or a retired template found, and a field that breaks its template's pattern."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from appealcheck.api import Scanner, ScanOptions


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("tpl") / "c"
    subprocess.run([sys.executable, "-m", "appealcheck.cli", "samples", "generate", str(root), "--appeals", "8",
                    "--seed", "3", "--forged-ratio", "0.5", "--ops", "wrong_template"],
                   check=True, capture_output=True, timeout=300)
    labels = [json.loads(x) for x in (root / "labels.jsonl").open(encoding="utf-8")]
    letters = [(lab["appeal_id"], d) for lab in labels for d in lab["documents"]
               if d["kind"] == "authorization_letter" and d.get("capture", {}).get("style") != "fax"]
    return root, letters


def _letter_result(scanner: Scanner, root: Path, appeal_id: str, file: str):
    r = scanner.scan(root / "appeals" / appeal_id)
    return next(d for d in r.documents if d.file == file)


def test_genuine_letters_follow_their_template_and_forged_layouts_are_found(corpus):
    root, letters = corpus
    scanner = Scanner(ScanOptions(rules_dirs=(root / "rules",)))
    genuine = [x for x in letters if x[1]["label"] == "genuine"]
    forged = [x for x in letters if "wrong_template" in x[1]["ops"]]
    assert genuine and forged
    for appeal_id, d in genuine:
        doc = _letter_result(scanner, root, appeal_id, d["file"])
        assert doc.template is not None and doc.template["status"] == "current", (appeal_id, doc.template)
        assert [f.id for f in doc.findings if f.check == "template"] == [], (appeal_id, d["file"])
    for appeal_id, d in forged:
        doc = _letter_result(scanner, root, appeal_id, d["file"])
        ids = {f.id for f in doc.findings if f.check == "template"}
        assert ids & {"template.fixed_text_missing", "template.layout_shift", "template.retired"}, (appeal_id, ids)


def test_a_field_that_breaks_its_templates_pattern(corpus, tmp_path):
    """The brand says its serials look one way; a letter whose serial looks another is reported with the box."""
    root, letters = corpus
    appeal_id, d = next(x for x in letters if x[1]["label"] == "genuine")
    rules = tmp_path / "rules"
    shutil.copytree(root / "rules", rules)
    brand = d["brand"]
    path = rules / brand / "brand.yaml"
    pack = yaml.safe_load(path.read_text(encoding="utf-8"))
    for t in pack["templates"]:
        if t.get("patterns", {}).get("serial"):
            t["patterns"]["serial"] = r"^ZZ-\d{4}$"
    path.write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False), encoding="utf-8")
    doc = _letter_result(Scanner(ScanOptions(rules_dirs=(rules,))), root, appeal_id, d["file"])
    found = [f for f in doc.findings if f.id == "template.field_pattern"]
    assert len(found) == 1 and found[0].expected == r"^ZZ-\d{4}$"
    assert found[0].measured.replace(" ", "") == d["fields"]["serial"]
    assert found[0].box == doc.fields["serial"].box


def test_a_look_alike_read_is_not_a_broken_pattern():
    from appealcheck.checks.template import _fits
    from appealcheck.rules.celfuncs import PATTERNS

    rx = PATTERNS.get(r"^XI-SQ-\d{4}-\d{5}$")
    assert _fits(rx, "X1-SQ-2024-94700")  # a fax's I read as 1
    assert not _fits(rx, "XI-2024-94700")  # the retired form: not one misread away

"""The feature vector: fixed order, None for what was not measured (never zero-filled)."""

from __future__ import annotations

import math
import re

from appealcheck.models import DocumentResult, FieldValue, FileInfo, Finding, OcrLine, PageText
from appealcheck.scoring.features import (
    FEATURE_NAMES,
    FEATURES,
    KNOWN_FINDINGS,
    document_features,
    vector,
)


def _doc(**kw) -> DocumentResult:
    base = dict(file="letter.jpg", sha256="x", kind="authorization_letter", kind_source="manifest", pages=1,
                fields={}, findings=(), text="")
    base.update(kw)
    return DocumentResult(**base)


def test_names_are_unique_and_described():
    assert len(FEATURE_NAMES) == len(set(FEATURE_NAMES))
    assert all(f.description and f.description[0].islower() for f in FEATURES)


def test_keys_and_order_are_fixed():
    row = document_features(_doc(), {})
    assert list(row) == list(FEATURE_NAMES)


def test_missing_stays_none_never_zero():
    row = document_features(_doc(), {"seller": {"account": {}}})
    for name in ("content.licensor.similarity", "ocr.mean_confidence", "seller.age_days", "rules.critical",
                 "file.size_kb", "field.total.present"):
        assert row[name] is None, name
    assert math.isnan(vector(row)[FEATURE_NAMES.index("content.licensor.similarity")])
    # A letter that lacks its licensor is measured: 0, not None.
    assert row["field.licensor.present"] == 0.0


def test_unreadable_document_measures_nothing():
    row = document_features(_doc(error="broken file"), {"seller": {"account": {"age_days": 3}}})
    assert all(v is None for v in row.values())


def test_findings_measurements_file_and_account():
    info = FileInfo(format="jpeg", size_bytes=2048, sha256="x", software="Adobe Photoshop 24.1")
    line = OcrLine(text="授权书", box=(0, 0, 10, 10), polygon=((0, 0), (10, 0), (10, 10), (0, 10)), confidence=0.8)
    findings = (Finding(id="content.uscc_check_digit", severity="high", message="m", check="content.uscc"),
                Finding(id="content.uscc_check_digit", severity="high", message="m", check="content.uscc"),
                Finding(id="brand.new_thing", severity="low", message="m", check="x"))
    doc = _doc(findings=findings, info=info, ocr=(PageText(page=0, lines=(line,), engine="e"),),
               fields={"licensor": FieldValue("licensor", "某公司", "某公司")},
               features={"content.licensor.similarity": 71.0, "not.in.list": 3.0})
    hits = [{"rule_id": "b.x", "severity": "critical", "file": "letter.jpg"},
            {"rule_id": "b.y", "severity": "high", "file": "other.jpg"}]
    row = document_features(doc, {"seller": {"account": {"age_days": 41, "prior_violations": 3}}}, hits)
    assert row["finding.content.uscc_check_digit"] == 2.0
    assert row["finding.other.low"] == 1.0
    assert row["finding.max_severity"] == 4.0
    assert row["content.licensor.similarity"] == 71.0
    assert "not.in.list" not in row
    assert row["kind.authorization_letter"] == 1.0 and row["kind.receipt"] == 0.0
    assert row["ocr.lines"] == 1.0 and row["ocr.min_confidence"] == 0.8
    assert row["file.editor_in_metadata"] == 1.0 and row["file.format.jpeg"] == 1.0 and row["file.size_kb"] == 2.0
    assert row["field.licensor.present"] == 1.0 and row["field.read_fraction"] == 1 / 6
    assert row["seller.age_days"] == 41.0 and row["seller.appeals_90d"] is None
    assert row["rules.critical"] == 1.0 and row["rules.high"] == 0.0
    # Families: both content findings together; an id of no known family is in none of them.
    assert row["finding.family.content"] == 2.0
    assert row["finding.family.seal"] == 0.0 and row["finding.family.pixel"] == 0.0
    assert sum(row[f"finding.family.{f}"] for f in ("content", "seal", "template", "file", "pixel")) == 2.0


def test_a_note_is_no_finding_for_the_worst_severity():
    # A genuine fax letter of fresh seed 829 carried one note ('one-bit print, text not checked') and nothing else;
    # counted as severity 1 it scored 0.92. A note is counted as a note, free of the findings' monotone rule.
    from appealcheck.scoring.features import MONOTONE

    note = Finding(id="text.unchecked", severity="info", message="one-bit print", check="text")
    row = document_features(_doc(findings=(note,)), None)
    assert row["finding.max_severity"] == 0.0 and row["finding.other.info"] == 1.0
    assert row["finding.family.text"] == 0.0
    low = Finding(id="brand.new_thing", severity="low", message="m", check="x")
    assert document_features(_doc(findings=(note, low)), None)["finding.max_severity"] == 2.0
    assert MONOTONE[FEATURE_NAMES.index("finding.other.info")] == 0
    assert MONOTONE[FEATURE_NAMES.index("finding.other.low")] == 1


def test_every_known_finding_has_a_feature():
    for fid, _ in KNOWN_FINDINGS:
        assert f"finding.{fid}" in FEATURE_NAMES


def _id_literals() -> set[str]:
    """Every string literal under appealcheck/ shaped like a finding id (content.x, seal.x, file.x, ...)."""
    import ast
    from pathlib import Path

    import appealcheck

    shape = re.compile(r"^(content|seal|file|pixel|template)\.[a-z_]+$")
    out: set[str] = set()
    for path in Path(appealcheck.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and shape.match(node.value):
                out.add(node.value)
    return out


def test_every_finding_id_the_checks_raise_has_its_own_feature():
    # A finding id missing from KNOWN_FINDINGS reaches the model only as an 'other' count by severity, so a
    # new check would be invisible to it as itself. Any literal of a finding id's shape must be a registered
    # finding, a check id, or a measurement/feature name.
    from appealcheck.checks import default_checks
    from appealcheck.checks.parties import APPEAL_CHECKS

    check_ids = {c.id for c in default_checks()} | {cid for cid, _ in APPEAL_CHECKS}
    known = {fid for fid, _ in KNOWN_FINDINGS}
    names = set(FEATURE_NAMES) | {n.rsplit(".", 1)[0] for n in FEATURE_NAMES}
    unregistered = sorted(i for i in _id_literals() if i not in known | check_ids | names)
    assert unregistered == []
    assert "content.trademark_unknown" in _id_literals()  # the scan itself sees the checks' literals


ALIASES = {"file.forensics.camera": "file.has_camera"}
"""Measurements a check emits that are already a feature under another name."""


def test_every_measurement_of_a_real_scan_is_a_feature(scanner):
    # #6: every forensic measurement is a model input. A real scan of a sample appeal (JPEG letters and invoice, a
    # PNG licence) measures through every check; a name the checks emit but FEATURES lacks never reaches the model.
    from pathlib import Path

    result = scanner.scan(Path(__file__).parents[2] / "samples" / "appeals" / "A-001-000000")
    emitted = {k for d in result.documents for k in d.features}
    assert {k for k in emitted if k not in FEATURE_NAMES} <= set(ALIASES)
    assert all(v in FEATURE_NAMES for v in ALIASES.values())
    for prefix in ("pixel.forensics.", "file.forensics."):
        assert sum(k.startswith(prefix) for k in emitted) >= 5
    rows = [document_features(d, None) for d in result.documents]
    for name in ("pixel.forensics.noise_level", "pixel.forensics.copy_move_gap", "file.forensics.jpeg_q0_mean"):
        assert any(r[name] is not None for r in rows), name

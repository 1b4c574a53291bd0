"""Weak evidence alone (a note, or a low finding such as an editor in a photo's metadata) never flags an appeal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from appealcheck.scoring.model import apply_evidence_ceiling, only_weak_evidence, weak_appeals

SAMPLES = Path(__file__).parents[2] / "samples" / "appeals"


@pytest.mark.parametrize("verdict, findings, rules, expected", [
    ("suspicious", ["low"], [], "clean"),
    ("forged", ["low", "info"], ["low"], "clean"),
    ("suspicious", [], [], "clean"),
    ("suspicious", ["low", "medium"], [], "suspicious"),
    ("forged", ["low"], ["high"], "forged"),
    ("suspicious", ["info"], ["medium"], "suspicious"),
    ("clean", ["high"], [], "clean"),  # the ceiling never raises a verdict
    ("error", [], [], "error"),
])
def test_evidence_ceiling(verdict, findings, rules, expected):
    assert apply_evidence_ceiling(verdict, findings, rules) == expected


def test_weak_appeals_read_from_feature_rows():
    from appealcheck.scoring.dataset import DocRow

    def row(appeal, **f):
        return DocRow(appeal, "x.jpg", None, "receipt", f, 0, 0, "b")

    rows = [row("A", **{"finding.max_severity": 2.0, "rules.low": 1.0}), row("A", **{"finding.max_severity": 0.0}),
            row("B", **{"finding.max_severity": 2.0}), row("B", **{"finding.max_severity": 3.0}),
            row("C", **{"finding.max_severity": 0.0, "rules.medium": 1.0})]
    assert weak_appeals(rows) == {"A": True, "B": False, "C": False}
    assert only_weak_evidence(["info", "low"], []) and not only_weak_evidence(["low"], ["critical"])


@pytest.fixture(scope="module")
def eager_scanner():
    """The shipped model with its suspicious threshold at the floor, so every appeal's score passes it: what stands
    between a weak appeal and `suspicious` is the ceiling alone."""
    from appealcheck.api import Scanner, ScanOptions

    scanner = Scanner(ScanOptions(model="shipped"))
    scanner.model.thresholds_ = {"suspicious": 1e-9, "forged": 0.999999}
    return scanner


def test_a_genuine_receipt_saved_by_photoshop_is_clean(eager_scanner, tmp_path):
    appeal = tmp_path / "A-001-000008"
    shutil.copytree(SAMPLES / "A-001-000008", appeal)
    photo = appeal / "01_receipt.jpg"
    im = Image.open(photo)
    exif = im.getexif()
    exif[0x0131] = "Adobe Photoshop CC 2019 (Windows)"
    im.save(photo, "JPEG", quality=95, exif=exif.tobytes())
    result = eager_scanner.scan(appeal)
    findings = [(f.id, f.severity) for d in result.documents for f in d.findings if f.severity != "info"]
    assert ("file.editing_software", "low") in findings
    assert {s for _, s in findings} == {"low"} and not result.rule_hits
    assert result.score > eager_scanner.model.thresholds_["suspicious"]
    assert result.verdict == "clean" and result.exit_code == 0


def test_stronger_evidence_still_flags(eager_scanner):
    # The bundled forged sample's letter runs longer than the brand grants (a medium finding, or more).
    result = eager_scanner.scan(SAMPLES / "A-001-000003")
    assert result.verdict in ("suspicious", "forged")

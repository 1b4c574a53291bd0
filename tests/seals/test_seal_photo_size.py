"""A photographed seal sized through its letter's template: a phone photo has no scale of its own, but the letter's
printed lines place the page on its template's A4 paper, and the seal is measured there in millimetres."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from appealcheck.api import Scanner, ScanOptions
from appealcheck.checks.template import A4_MM, on_paper, paper_mm
from appealcheck.ingest.files import read_document
from appealcheck.samples.appeal import build
from appealcheck.samples.compose import serial_forgers
from appealcheck.samples.writer import write_packs
from appealcheck.seals.find import find_seals

OPS = ("seal_geometry",)


def _dpi(path):
    with Image.open(path) as im:
        return im.info.get("dpi")


def test_a_specimens_paper_comes_from_its_resolution_else_from_an_a4_shape(tmp_path):
    Image.new("RGB", (827, 1169), "white").save(tmp_path / "a4.png")  # the packs' specimens: A4 at 100 dpi
    assert paper_mm(_dpi(tmp_path / "a4.png"), 827, 1169) == A4_MM
    Image.new("RGB", (1700, 2200), "white").save(tmp_path / "letter.png", dpi=(200, 200))  # US letter, 200 dpi
    assert paper_mm(_dpi(tmp_path / "letter.png"), 1700, 2200) == pytest.approx((215.9, 279.4), rel=1e-3)
    Image.new("RGB", (1000, 1000), "white").save(tmp_path / "square.png")
    assert paper_mm(_dpi(tmp_path / "square.png"), 1000, 1000) is None


def test_a_circle_seen_in_perspective_measures_its_size_on_the_paper():
    # 6 px per mm, the sheet's foot nearer the camera than its head: a 42 mm circle at (105, 250) mm.
    h = np.array([[6.0, 0.4, 30.0], [0.0, 6.3, 40.0], [0.0, 0.0004, 1.0]])
    t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    circle = np.stack([105 + 21 * np.cos(t), 250 + 21 * np.sin(t)], axis=1)
    q = (h @ np.vstack([circle.T, np.ones(len(t))])).T
    page = q[:, :2] / q[:, 2:]
    import cv2

    (cx, cy), (w, hh), angle = cv2.fitEllipse(page.astype(np.float32))
    axes = (max(w, hh), min(w, hh))
    if hh > w:
        angle += 90
    assert abs(axes[0] / 42 - 6) > 0.3 and axes[0] / axes[1] > 1.02  # on the page: another scale, and not round
    size = on_paper(h, (cx, cy), axes, angle)
    assert size == pytest.approx((42.0, 42.0), abs=0.3)


_built: dict[int, tuple] = {}


def _appeal(tmp_path_factory, index: int):
    """Dev seed 1175's appeal `index` (`--ops seal_geometry --forged-ratio 0.7`), written out with its packs."""
    if index not in _built:
        root = tmp_path_factory.mktemp(f"a1175_{index}")
        write_packs(root / "rules", {})
        out = build(1175, index, 0.7, serial_forgers(1175), OPS)
        for name, data in out.files:
            (root / name).write_bytes(data)
        labels = {d["file"]: d for d in out.label["documents"]}
        _built[index] = (Scanner(ScanOptions(rules_dirs=(root / "rules",), brand=out.label["brand"])), root, labels)
    return _built[index]


def _seal_findings(scanner, path):
    (doc,) = scanner.scan(path).documents
    return [f for f in doc.findings if f.id.startswith("seal.")], doc


@pytest.mark.parametrize(("index", "cut", "low", "high"), [(4, 0.82, 30.0, 38.0), (14, 1.2, 47.0, 55.0)])
def test_a_photographed_seal_cut_to_another_size_is_found_through_the_letters_template(tmp_path_factory, index, cut,
                                                                                        low, high):
    """The registered seal is 42 mm; these were cut to 34.4 and 50.4 mm and photographed with the letter."""
    scanner, root, labels = _appeal(tmp_path_factory, index)
    label = labels["01_authorization_letter.jpg"]
    assert label["ops"] == ["seal_geometry"] and label["capture"]["style"] == "photo"
    found, _ = _seal_findings(scanner, root / "01_authorization_letter.jpg")
    size = [f for f in found if f.id == "seal.size_mismatch"]
    assert size, [f.message for f in found]
    assert "scaled by the letter's template" in size[0].message
    assert all(low < v < high for v in size[0].measured), (cut, size[0].measured)
    assert size[0].expected == [42.0, 42.0]


@pytest.mark.parametrize(("index", "name", "registered"), [(12, "01_authorization_letter.jpg", 42.0),
                                                           (21, "02_authorization_letter.jpg", 42.0),
                                                           (25, "01_authorization_letter.jpg", 40.0)])
def test_a_genuine_photographed_seal_measures_its_registered_size_through_the_template(tmp_path_factory, index, name,
                                                                                        registered):
    """Genuine photographed letters of the same seed: a rocked stamp, an evenly inked one, a 40 mm contract seal."""
    scanner, root, labels = _appeal(tmp_path_factory, index)
    label = labels[name]
    assert label["ops"] == [] and label["capture"]["style"] == "photo"
    found, doc = _seal_findings(scanner, root / name)
    assert found == [], [f.message for f in found]
    assert doc.seals and doc.seals[0]["size_mm"] is not None
    assert all(abs(v / registered - 1) < 0.06 for v in doc.seals[0]["size_mm"]), doc.seals[0]["size_mm"]


def test_a_photographed_seal_oval_on_the_page_is_judged_round_on_the_paper(tmp_path_factory):
    """Fresh seed 1207's A-1207-000095, a photographed letter whose seal's border ring was cut 2.2 times as wide. The
    photo's slant made the round seal a 1.10 oval on the page, which is not plainly round, so nothing of its engraving
    was judged; on the template's paper it is round."""
    root = tmp_path_factory.mktemp("a1207_95")
    write_packs(root / "rules", {})
    out = build(1207, 95, 0.7, serial_forgers(1207), OPS)
    name = "02_authorization_letter.jpg"
    (root / name).write_bytes(dict(out.files)[name])
    label = next(d for d in out.label["documents"] if d["file"] == name)
    assert label["ops"] == ["seal_geometry"] and label["capture"]["style"] == "photo"
    scanner = Scanner(ScanOptions(rules_dirs=(root / "rules",), brand=out.label["brand"]))
    found, doc = _seal_findings(scanner, root / name)
    page = read_document(root / name, name).pages[0]
    outline = find_seals(page.image, 0, dpi=page.dpi)[0]
    assert outline.axes[0] / outline.axes[1] > 1.08  # an oval on the page
    seal = doc.seals[0]
    assert max(seal["size_mm"]) / min(seal["size_mm"]) < 1.05  # round on the paper
    assert "seal.ring_width_mismatch" in [f.id for f in found], [f.message for f in found]

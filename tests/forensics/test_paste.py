"""Blocks pasted from another capture (`pixel.pasted_region`), on generated pages and real seal images."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from appealcheck.forensics import paste
from appealcheck.forensics.paste import PasteParams, pasted_blocks
from appealcheck.forensics.pixel import analyse_page
from appealcheck.models import Page

REAL_SEALS = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "seals" / "images"


def _files(seed: int, index: int, ops: tuple[str, ...] = (), ratio: float = 0.4
           ) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    out = build(seed, index, ratio, serial_forgers(seed), ops)
    labels = {d["file"]: d for d in out.label["documents"]}
    images = {n: np.asarray(Image.open(io.BytesIO(b)).convert("RGB"))
              for n, b in dict(out.files).items() if n.endswith((".jpg", ".png"))}
    return images, labels


def _paste(dst: np.ndarray, src: np.ndarray, at: tuple[float, float], sy: float) -> tuple[np.ndarray, tuple]:
    """A block of a fifth of the page's width and 7.5 % of its height, cut from `src` (scaled to the page) at
    (0.15, sy) and pasted at `at`, as a forger does in an image editor."""
    h, w = dst.shape[:2]
    src = cv2.resize(src, (w, h))
    bw, bh = int(w * 0.2), int(h * 0.075)
    x, y, sx, sy_ = int(w * at[0]), int(h * at[1]), int(w * 0.15), int(h * sy)
    out = dst.copy()
    out[y:y + bh, x:x + bw] = src[sy_:sy_ + bh, sx:sx + bw]
    return out, (x, y, x + bw, y + bh)


def _jpeg(img: np.ndarray, quality: int | None) -> np.ndarray:
    if quality is None:
        return img
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


@pytest.fixture(scope="module")
def a941_1():
    images, labels = _files(941, 1)
    assert {n: (labels[n]["label"], labels[n]["capture"]["style"]) for n in images} == {
        "01_authorization_letter.jpg": ("genuine", "photo"), "02_authorization_letter.jpg": ("genuine", "photo"),
        "03_purchase_invoice.jpg": ("genuine", "scan"), "04_business_license.jpg": ("genuine", "scan")}
    return images


@pytest.mark.parametrize("quality", [None, 85])
@pytest.mark.parametrize(("dst", "src"), [("03_purchase_invoice.jpg", "01_authorization_letter.jpg"),
                                          ("01_authorization_letter.jpg", "03_purchase_invoice.jpg")])
def test_a_block_of_another_captures_paper_is_found_and_boxed(a941_1, dst, src, quality):
    """A block of a photographed letter pasted onto a scanned invoice, and a block of the scan onto the photo,
    saved losslessly and at 85: one `pixel.pasted_region` finding, boxed on the block to within two pixels."""
    page, box = _paste(a941_1[dst], a941_1[src], (0.4, 0.6), 0.2)
    signals = analyse_page(Page(0, _jpeg(page, quality), 200.0), jpeg=quality is not None).report.signals
    found = [s for s in signals if s.id == "pixel.pasted_region"]
    assert len(found) == 1 and found[0].severity == "high"
    assert np.abs(np.array(found[0].box) - np.array(box)).max() <= 2


def test_the_same_genuine_pages_are_quiet(a941_1):
    for name, img in a941_1.items():
        rep = analyse_page(Page(0, img, 200.0), jpeg=True).report
        assert [s.id for s in rep.signals] == [], name
        assert rep.features["pixel.forensics.pasted_regions"] == 0.0


def test_a_qr_code_on_its_white_tile_is_a_printed_box_not_a_paste(monkeypatch):
    """A-941-000020's screenshot of a business licence prints its QR code on a white tile over tinted paper: a
    white rectangle with hard sides. zxing-cpp reads the code in it, and that keeps it quiet."""
    images, labels = _files(941, 20)
    name = "04_business_license.png"
    assert (labels[name]["label"], labels[name]["capture"]["style"]) == ("genuine", "screenshot")
    page = Page(0, images[name], 200.0)
    assert pasted_blocks(page, 1.0) == []
    monkeypatch.setattr(paste, "holds_code", lambda img, box, margin=None: False)
    monkeypatch.setattr(paste, "code_boxes", lambda img, box, margin=None: [])
    assert [s.id for s in pasted_blocks(page, 1.0)] == ["pixel.pasted_region"]


def test_paper_between_a_wide_barcodes_bars_is_not_a_paste(monkeypatch):
    """A-1087-000006 (fresh seed 1087), a genuine scanned receipt: between four bars of its Code 128 is a rectangle
    of paper with hard sides, 38 x 50 px. zxing-cpp cannot read the code round so small a rectangle, only on the
    whole page, and that keeps it quiet."""
    images, labels = _files(1087, 6)
    name = "01_receipt.jpg"
    assert (labels[name]["label"], labels[name]["capture"]["style"]) == ("genuine", "scan")
    page = Page(0, images[name], 200.0)
    assert pasted_blocks(page, 1.0) == []
    whole_page = paste.code_boxes
    monkeypatch.setattr(paste, "code_boxes", lambda img, box, margin=None: [] if margin == 0 else
                        whole_page(img, box, margin))
    assert [s.box for s in pasted_blocks(page, 1.0)] == [(124.0, 554.0, 162.0, 604.0)]


@pytest.mark.skipif(not REAL_SEALS.is_dir(), reason="../shared/realdata not beside the repo")
def test_the_counter_of_a_bold_digit_on_a_real_seal_image_is_not_a_paste():
    """A real seal image (shared/realdata, stamp_129.jpg) prints an amount in bold digits: the paper inside a '0'
    is a rectangle bounded by strokes too thick to close away. Its inner sides are not one paper."""
    img = np.asarray(Image.open(REAL_SEALS / "stamp_129.jpg").convert("RGB"))
    page = Page(0, img, None)
    assert pasted_blocks(page, 1.0) == []
    assert [s.id for s in pasted_blocks(page, 1.0, PasteParams(one_paper=0.0))] == ["pixel.pasted_region"]


@pytest.mark.parametrize("shape", [(1, 1, 3), (40, 3000, 3), (3000, 3000), (100, 100, 4)])
def test_odd_pages_are_bounded(shape):
    img = np.full(shape, 255, np.uint8)
    assert pasted_blocks(Page(0, img, None), 1.0) == []


@pytest.mark.parametrize(("index", "name"), [(136, "03_purchase_invoice.jpg"), (165, "02_purchase_invoice.jpg")])
def test_a_seal_block_at_an_invoices_foot_is_found_though_it_meets_the_frame(index, name):
    """Seed 907's invoices: a seal cut with its paper from another picture, laid at the foot of a scanned invoice.
    One block runs off the page (its bottom is the frame), the other stops 18 px short of it; a margin of 2% of
    the page round the frame, meant for a photo's desk, left both out."""
    images, labels = _files(907, index)
    d = labels[name]
    assert (d["ops"], d["stage"], d["capture"]["style"]) == (["seal_pasted"], "after_capture", "scan")
    x0, y0, x1, y1 = d["regions"][0]["box"]
    found = pasted_blocks(Page(0, images[name], 200.0), 1.0)
    assert len(found) == 1 and abs(found[0].box[0] - x0) <= 4 and abs(found[0].box[1] - y0) <= 4


def _page(seed: int, index: int, name: str, tmp_path: Path) -> np.ndarray:
    """The first page of one generated file, read as `scan` reads it (a PDF rendered)."""
    from appealcheck.ingest.files import read_document
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    out = build(seed, index, 0.4, serial_forgers(seed))
    label = next(d for d in out.label["documents"] if d["file"] == name)
    assert label["label"] == "genuine"
    path = tmp_path / f"{index}-{name}"
    path.write_bytes(dict(out.files)[name])
    return read_document(path, name).pages[0].image


@pytest.mark.parametrize(("dst", "src", "at", "cut", "why"), [
    # Dev seed 1111, as bench/forensics.py pastes (a block of 20% x 7.5% of the page, the donor scaled to the page):
    ((12, "02_purchase_invoice.pdf"), (18, "01_authorization_letter.jpg"), (1311, 589), (897, 416), "pairs"),
    ((22, "01_authorization_letter.jpg"), (25, "03_purchase_invoice.jpg"), (542, 1409), (678, 294), "coloured"),
    ((28, "01_authorization_letter.jpg"), (31, "02_authorization_letter.jpg"), (644, 885), (664, 622), "gradient"),
])
def test_a_block_whose_sides_are_broken_lit_unevenly_or_cut_through_a_rule_is_found(tmp_path, dst, src, at, cut,
                                                                                      why):
    """Three pastes of dev seed 1111 that were missed:
    - pairs: an exported invoice; the block's top side is broken by print near its corners, so no corner of two
      sides proposed it. Its two whole sides across it do.
    - coloured: a scanned letter; the block was cut through a fapiao photo's brown rule, which runs along its top:
      that inner side is print, not paper.
    - gradient: a photographed letter; the block, cut from another photo, darkens 40 levels towards one end, so
      its inner sides are no single tone, though each follows a straight trend."""
    page = _page(1111, dst[0], dst[1], tmp_path).copy()
    donor = cv2.resize(_page(1111, src[0], src[1], tmp_path), (page.shape[1], page.shape[0]))
    h, w = page.shape[:2]
    bw, bh = int(w * 0.2), int(h * 0.075)
    (X, Y), (x0, y0) = at, cut
    page[Y:Y + bh, X:X + bw] = donor[y0:y0 + bh, x0:x0 + bw]
    found = pasted_blocks(Page(0, page, None), min(1.0, 2400 / max(h, w)))
    assert len(found) == 1, why
    assert np.abs(np.array(found[0].box) - np.array((X, Y, X + bw, Y + bh))).max() <= 4, (why, found[0].box)


def test_a_paper_line_under_a_gradient_is_one_paper_and_strokes_are_not():
    ramp = np.linspace(180, 220, 120, dtype=np.float32)
    line = np.stack([ramp, ramp - 5, ramp - 12], axis=1)
    assert paste._even(line) == 1.0
    assert paste._even(np.full((120, 3), 200, np.float32)) == 1.0
    strokes = line.copy()
    strokes[::3] -= 120  # a stroke every third pixel: a bold digit's counter
    assert paste._even(strokes) < 0.7


def test_a_header_band_on_the_edge_of_a_photographed_sheet_is_not_a_paste(monkeypatch):
    """A-1137-000040 (seed 1137), a genuine photographed letter: its blue header band along the sheet's top, on a
    green desk, is a rectangle with a step on every side. Two of its sides are the sheet's own edges and run on
    past its corners; a pasted block's sides stop there."""
    images, labels = _files(1137, 40)
    name = "01_authorization_letter.jpg"
    assert (labels[name]["label"], labels[name]["capture"]["style"]) == ("genuine", "photo")
    page = Page(0, images[name], 150.0)
    assert pasted_blocks(page, 1.0) == []
    monkeypatch.setattr(paste, "_runs_on", lambda *a, **k: (False,) * 4)
    assert [s.box for s in pasted_blocks(page, 1.0)] == [(146.0, 96.0, 974.0, 152.0)]


def test_a_band_from_the_pictures_edge_to_the_sheets_edge_is_not_a_paste(monkeypatch):
    """A-1205-000128 (fresh seed 1205), a genuine greyscale scan of a letter: its dark header band runs from the
    picture's left edge to the sheet's right edge. Its left side is off the page, and its right side is the sheet's
    edge, which runs on down the page: a band printed across the sheet, not a block pasted on it."""
    images, labels = _files(1205, 128, ("field_copy_move", "field_retyped", "letter_reused"), 0.7)
    name = "01_authorization_letter.jpg"
    assert (labels[name]["label"], labels[name]["capture"]["style"]) == ("genuine", "scan")
    page = Page(0, images[name], 200.0)
    assert pasted_blocks(page, 1.0) == []
    monkeypatch.setattr(paste, "_spans_sheet", lambda *a: False)
    assert [s.box[1] for s in pasted_blocks(page, 1.0)] == [16.0]


def test_a_side_off_the_page_alone_or_its_neighbour_running_on_still_judges_the_block():
    assert paste._spans_sheet((False, False, True, False), (False, False, False, True))
    assert paste._spans_sheet((False, True, False, False), (True, False, False, False))
    assert not paste._spans_sheet((False, False, True, False), (True, False, False, False))
    assert not paste._spans_sheet((False, True, False, False), (False, False, False, False))
    assert not paste._spans_sheet((False,) * 4, (True, False, False, True))

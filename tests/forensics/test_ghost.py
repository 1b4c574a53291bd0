"""Regions without the page's JPEG history (`pixel.compression_mismatch`), on generated captures."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from appealcheck.forensics.ghost import GhostParams, ghost_regions, page_qualities
from appealcheck.forensics.paste import pasted_blocks
from appealcheck.forensics.pixel import analyse_page
from appealcheck.models import Page
from tests.forensics.test_paste import _files, _jpeg, _paste
from tests.pages import letter


@pytest.fixture(scope="module")
def a941_1():
    images, labels = _files(941, 1)
    return images, {n: labels[n]["capture"]["jpeg_quality"] for n in images}


def _grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_quality_of_each_capture_is_found(a941_1):
    """Two photos and two scans (one greyscale, its paper pushed to white), each saved once by the generator: the
    lowest quality found is the one it was saved at, to within one step."""
    images, quality = a941_1
    for name, img in images.items():
        found = page_qualities(_grey(img))
        assert found and abs(found[0][0] - quality[name]) <= 1, (name, quality[name], found)


@pytest.mark.parametrize("resave", [None, 95])
def test_a_same_tone_block_on_a_scan_is_found_by_its_jpeg_history(a941_1, resave):
    """A block of one white scan pasted on another white scan (A-941-000001's invoice onto its licence), kept
    lossless or saved again at 95: its paper is the page's, so the pasted-block test sees nothing, but the block
    was never saved at the licence's quality. One `pixel.compression_mismatch`, boxed on the block."""
    images, _ = a941_1
    page, box = _paste(images["04_business_license.jpg"], images["03_purchase_invoice.jpg"], (0.4, 0.6), 0.2)
    pg = Page(0, _jpeg(page, resave), 200.0)
    assert pasted_blocks(pg, 1.0) == []
    signals = analyse_page(pg, jpeg=resave is not None).report.signals
    assert [s.id for s in signals] == ["pixel.compression_mismatch"]
    assert signals[0].severity == "high" and all(type(v) is int for v in signals[0].box)  # plain ints, for JSON
    assert np.abs(np.array(signals[0].box) - np.array(box)).max() <= 24  # the textured blocks, on the 8-pixel grid


def test_a_block_of_another_photo_is_found(a941_1):
    """A block of one photographed letter pasted on another photo, lit alike: only its JPEG history tells."""
    images, _ = a941_1
    page, box = _paste(images["01_authorization_letter.jpg"], images["02_authorization_letter.jpg"], (0.3, 0.5), 0.3)
    pg = Page(0, page, 150.0)
    assert pasted_blocks(pg, 1.0) == []
    signals, feats = ghost_regions(pg)
    assert len(signals) == 1 and _overlaps(signals[0].box, box)
    assert feats["compression_mismatches"] == 1.0 and abs(feats["jpeg_history_quality"] - 66) <= 1  # saved at 66


def test_a_block_both_tests_find_is_one_finding(a941_1):
    """Paper of another tone, cut sharp, and without the page's history: the pasted block says more, and is the
    only finding."""
    images, _ = a941_1
    page, _ = _paste(images["01_authorization_letter.jpg"], images["02_authorization_letter.jpg"], (0.4, 0.6), 0.2)
    pg = Page(0, page, 150.0)
    assert len(ghost_regions(pg)[0]) == 1
    rep = analyse_page(pg).report
    assert [s.id for s in rep.signals] == ["pixel.pasted_region"]
    assert rep.features["pixel.forensics.compression_mismatches"] == 1.0


def test_genuine_captures_are_quiet(a941_1):
    images, _ = a941_1
    for name, img in images.items():
        assert ghost_regions(Page(0, img, 150.0))[0] == [], name


def test_a_cropped_capture_is_quiet(a941_1):
    """Cropped by 3 pixels after its save, a scan's blocks sit off the grid they were saved on: no quality gives
    them back, and nothing is claimed."""
    images, _ = a941_1
    img = np.ascontiguousarray(images["04_business_license.jpg"][3:, 3:])
    assert page_qualities(_grey(img)) == []
    assert ghost_regions(Page(0, img, 200.0)) == ([], {"jpeg_history_quality": None, "compression_mismatches": 0.0})


def test_a_page_never_saved_as_jpeg_is_quiet():
    """A rendered letter kept lossless (a PNG screenshot) has no JPEG history to lack: nothing found."""
    img = np.asarray(letter().convert("RGB"))
    pg = Page(0, img, 150.0)
    assert page_qualities(_grey(img)) == []
    assert ghost_regions(pg)[0] == []


def test_without_texture_nothing_is_judged():
    """A blank page, and a tiny one: too few textured blocks to find a quality."""
    assert page_qualities(np.full((800, 600), 250, np.uint8)) == []
    assert ghost_regions(Page(0, np.full((40, 40, 3), 128, np.uint8), None), p=GhostParams())[0] == []


def test_a_qr_code_is_its_print_not_a_region_without_history(monkeypatch):
    """A-007-000035's genuine licence screenshot: saved at 86 and again at 93, its QR code's hard modules fall off
    the lattice on their own. zxing-cpp reads the code, and that keeps it quiet."""
    from appealcheck.forensics import ghost

    images, labels = _files(7, 35)
    name = "02_business_license.jpg"
    assert (labels[name]["label"], labels[name]["capture"]["style"]) == ("genuine", "screenshot")
    page = Page(0, images[name], 200.0)
    assert ghost_regions(page)[0] == []
    monkeypatch.setattr(ghost, "holds_code", lambda img, box, margin=None: False)
    (found,) = ghost_regions(page)[0]
    assert found.box == (1448, 232, 1616, 400)

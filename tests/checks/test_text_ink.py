"""A value typed in with another near-black ink than the page's print (`text.ink_colour`), found with the real OCR."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from appealcheck.forensics.glyphs import Glyph
from appealcheck.forensics.ink import Ink, box_glyphs, departure, glyph_inks, is_grey
from tests import pages

PRINT = (25, 25, 30)
RETYPED = (13, 35, 48)
"""The print's ink with its channels moved by -12, +10 and +18 levels: as near-black to the eye."""
TOTAL_Y = 430


def _receipt(total_ink=PRINT) -> Image.Image:
    """The test receipt (`tests.pages.receipt`) with its total drawn again in ``total_ink``."""
    img = pages.receipt()
    d = ImageDraw.Draw(img)
    d.rectangle((355, TOTAL_Y - 2, 519, TOTAL_Y + 44), fill=(252, 252, 250))
    d.text((360, TOTAL_Y), "USD 49.03", font=pages.font(30), fill=total_ink)
    return img.filter(ImageFilter.GaussianBlur(0.5))


def _ink(result):
    return [f for d in result.documents for f in d.findings if f.id == "text.ink_colour"]


def test_a_total_typed_in_another_near_black_is_found_with_its_box(scanner, tmp_path):
    _receipt(RETYPED).save(tmp_path / "receipt.jpg", quality=90)
    r = scanner.scan(tmp_path / "receipt.jpg")
    found = _ink(r)
    assert len(found) == 1
    f = found[0]
    assert "total" in f.message and "49.03" in f.message
    # On the total's line, right of its label.
    assert f.box[0] >= 350 and TOTAL_Y - 5 <= f.box[1] < f.box[3] <= TOTAL_Y + 45
    # The red share rises (the red channel went 12 levels darker, green 10 lighter), the page's stays neutral.
    assert f.measured["red"] - f.expected["red"] > 0.018
    assert abs(f.expected["red"]) < 0.01 and abs(f.expected["blue"]) < 0.01
    assert r.documents[0].features["text.ink_score"] >= 4


def test_a_receipt_printed_in_one_ink_has_no_ink_finding(scanner, tmp_path):
    _receipt().save(tmp_path / "receipt.jpg", quality=90)
    r = scanner.scan(tmp_path / "receipt.jpg")
    assert _ink(r) == []
    assert r.documents[0].features["text.ink_score"] == 0.0


def test_a_greyscale_scan_has_no_hue_to_judge(scanner, tmp_path):
    _receipt(RETYPED).convert("L").save(tmp_path / "receipt.jpg", quality=90)
    r = scanner.scan(tmp_path / "receipt.jpg")
    assert _ink(r) == []
    assert r.documents[0].features["text.ink_score"] is None


# ---------------------------------------------------------------- units


def _page_with(strokes: list[tuple[int, tuple[int, int, int]]], seal_at: int | None = None) -> np.ndarray:
    """A white strip with a 3 px wide, 20 px tall stroke at each x in the given colour; optionally a seal-red blot."""
    img = np.full((60, 400, 3), 250, np.uint8)
    for x, rgb in strokes:
        img[20:40, x:x + 3] = rgb
    if seal_at is not None:
        img[5:15, seal_at:seal_at + 6] = (220, 40, 50)
    return img


def _glyph(x: int) -> Glyph:
    return Glyph("1", x, x + 2, 20, 39)


def test_glyph_hue_is_the_same_however_pale_the_stroke():
    """A pale stroke of the same ink (a thin line blurred into the paper) points the same way from the paper."""
    dark, pale = (20, 40, 60), (135, 145, 155)  # pale: half-way from the paper (250) to the dark ink
    inks = glyph_inks(_page_with([(50, dark), (100, pale)]), [_glyph(50), _glyph(100)])
    assert len(inks) == 2
    assert inks[0].red == pytest.approx(inks[1].red, abs=0.01)
    assert inks[0].blue == pytest.approx(inks[1].blue, abs=0.01)


def test_a_page_under_warm_light_is_measured_and_a_shaded_cell_is_not():
    """A phone photo under warm light tints white paper by 30 levels; a banner or shaded cell is no paper at all."""
    warm = _page_with([(50, (20, 20, 24))])
    warm[warm[..., 0] == 250] = (237, 227, 207)
    assert len(glyph_inks(warm, [_glyph(50)])) == 1
    banner = _page_with([(50, (20, 20, 24))])
    banner[banner[..., 0] == 250] = (230, 170, 120)
    assert glyph_inks(banner, [_glyph(50)]) == []


def test_a_character_beside_a_seal_is_not_measured():
    inks = glyph_inks(_page_with([(50, PRINT), (200, PRINT)], seal_at=205), [_glyph(50), _glyph(200)])
    assert [i.glyph.x0 for i in inks] == [50]


def _inks(hues: list[tuple[float, float]]) -> list[Ink]:
    return [Ink(_glyph(10 * k), r, b, 40) for k, (r, b) in enumerate(hues)]


def test_a_run_of_one_other_hue_departs_and_a_run_mixed_with_its_label_does_not():
    others = _inks([(0.0, 0.001), (0.001, 0.0), (0.0, -0.001)] * 4)
    run = _inks([(0.03, -0.01)] * 5)
    d = departure(run, others)
    assert d is not None and d.shift == pytest.approx(0.03) and d.scatter < 0.002
    # A value read together with its label in a form's colour: two inks, not one retype.
    mixed = _inks([(0.03, -0.01)] * 3 + [(0.0, 0.0)] * 2)
    assert departure(mixed, others) is None
    # Its label on its line printed in the same hue: the printer printed the line darker (a receipt's bold total).
    assert departure(run, others, row=_inks([(0.028, -0.01)] * 4)) is None
    assert departure(run, others, row=_inks([(0.0, 0.0)] * 4)) is not None
    # Printed over a tint (a receipt's pink advertisement behind its total): those characters are not compared.
    pink = [Ink(i.glyph, i.red, i.blue, i.pixels, (9.0, -6.0, -3.0)) for i in run]
    assert departure(pink, others) is None
    # Too few characters to know the value's hue, or the page's.
    assert departure(run[:2], others) is None
    assert departure(run, others[:5]) is None


def test_box_glyphs_cut_columns_and_leave_a_forms_rule_out():
    grey = np.full((40, 200), 250, np.uint8)
    for x in (20, 50, 80):
        grey[10:30, x:x + 8] = 30
    grey[33, :] = 60  # a ruled line through the value's box
    cut = box_glyphs(grey, (0, 0, 200, 40))
    assert [(g.x0, g.x1, g.top, g.bottom) for g in cut] == [(20, 27, 10, 29), (50, 57, 10, 29), (80, 87, 10, 29)]


def test_a_greyscale_page_stored_as_rgb_is_grey_and_a_colour_scan_of_black_print_is_not():
    grey = np.repeat(np.full((50, 50, 1), 200, np.uint8), 3, axis=2)
    assert is_grey(grey)
    colour = grey.copy()
    colour[10, 10] = (200, 196, 205)
    assert not is_grey(colour)


def test_a_value_in_a_plainly_other_colour_is_the_forms_print_not_a_retype():
    """An invoice prints its title in its brown (10-16% off its values' black): not ink picked to pass for print."""
    from appealcheck.checks.text import _ink_reported
    from appealcheck.forensics.ink import InkDeparture

    def dep(shift: float, scatter: float = 0.0) -> InkDeparture:
        return InkDeparture((), shift, scatter, (0.0, 0.0), (shift, 0.0))

    assert _ink_reported(dep(0.03))
    assert not _ink_reported(dep(0.13))
    # A photo's light tints characters unevenly: a small shift, or one within four times the page's spread, is not
    # judged on a page that may be a photo; on a known scan a smaller shift is.
    assert not _ink_reported(dep(0.014))
    assert _ink_reported(dep(0.014), "scan")
    assert not _ink_reported(dep(0.03, scatter=0.01))

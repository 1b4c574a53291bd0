"""A date whose digits were set in apart from its 年/月/日: found against the page's other dates, with the real OCR."""

from __future__ import annotations

import pytest
from PIL import ImageDraw, ImageFilter

from appealcheck.forensics.glyphs import Glyph, date_departures, date_marks
from appealcheck.samples.appeal import build
from appealcheck.samples.compose import serial_forgers
from tests import pages

ISSUED_Y = 1160


def _letter(digits_dy: int, sealed: bool = False):
    """A letter with two dates on its validity line and an issue date drawn piece by piece, its digits `digits_dy`
    px lower than its 年/月/日 (0: printed in one go); `sealed`: the licensor's seal stamped over the issue date."""
    page = pages.letter(issued="", with_seal=False)
    d = ImageDraw.Draw(page)
    font = pages.font(30)
    x = 700 + font.getlength("日期：")
    for piece in ("2024", "年", "1", "月", "1", "日"):
        dy = digits_dy if piece.isdigit() else 0
        d.text((x, ISSUED_Y + dy), piece, font=font, fill=(25, 25, 30))
        x += font.getlength(piece)
    if sealed:
        page = pages.stamp(page, pages.seal(300, "艾克米(中国)有限公司", "合同专用章"), (760, 1000))
    return page.filter(ImageFilter.GaussianBlur(0.6))


def _text_findings(result):
    return [f for d in result.documents for f in d.findings if f.check == "text"]


@pytest.mark.parametrize("sealed", [False, True])
def test_an_issue_date_whose_digits_sit_low_against_its_marks_is_found(scanner, tmp_path, sealed):
    _letter(digits_dy=4, sealed=sealed).save(tmp_path / "letter.jpg", quality=88)
    found = _text_findings(scanner.scan(tmp_path / "letter.jpg"))
    assert [f.id for f in found] == ["text.baseline_shift"]
    f = found[0]
    assert "'202411'" in f.message and "年/月/日" in f.message and f.measured >= 0.09
    # Boxed on the issue date alone (the validity line's dates are its peers, not suspects).
    assert 700 < f.box[0] and ISSUED_Y - 5 < f.box[1] < f.box[3] < ISSUED_Y + 50


@pytest.mark.parametrize("sealed", [False, True])
def test_the_same_letter_printed_in_one_go_has_no_finding(scanner, tmp_path, sealed):
    _letter(digits_dy=0, sealed=sealed).save(tmp_path / "letter.jpg", quality=88)
    assert _text_findings(scanner.scan(tmp_path / "letter.jpg")) == []


@pytest.mark.parametrize("index", [18, 86])
def test_a_date_cloned_in_before_capture_is_found_on_the_edit(scanner, tmp_path, index):
    """Generated seed 1151: a letter's end date (scan) and a licence's founding date (scan), each rebuilt from the
    page's own characters and set on the old date's lowest ink, before the page was printed and scanned."""
    out = build(1151, index, 0.7, serial_forgers(1151), ("field_copy_move", "field_retyped", "letter_reused"))
    doc = next(d for d in out.label["documents"] if "field_copy_move" in d["ops"] and d["kind"] != "receipt")
    assert doc["stage"] == "before_capture"
    (tmp_path / doc["file"]).write_bytes(dict(out.files)[doc["file"]])
    found = [f for f in _text_findings(scanner.scan(tmp_path / doc["file"])) if "年/月/日" in f.message]
    assert found, doc["file"]
    (ex0, ey0, ex1, ey1) = doc["regions"][0]["box"]
    assert any(f.box[0] < ex1 and ex0 < f.box[2] and f.box[1] < ey1 and ey0 < f.box[3] for f in found)


def _glyphs(text: str, x: int, bottom: int, digit_dy: int = 0) -> list[Glyph]:
    out = []
    for ch in text:
        wide = not ch.isdigit()
        b = bottom + (digit_dy if ch.isdigit() else 2)  # the marks reach 2 px below the digits
        h = 22 if wide else 18
        out.append(Glyph(ch, x, x + (20 if wide else 10), b - h + 1, b))
        x += 24 if wide else 12
    return out


def test_marks_are_measured_against_the_digits_whatever_the_tilt():
    flat = date_marks(_glyphs("2024年01月01日", 100, 300))
    assert len(flat) == 1 and flat[0].bottom == 2.0 and flat[0].digit_height == 18.0
    tilted = [Glyph(g.ch, g.x0, g.x1, g.top + g.x0 // 20, g.bottom + g.x0 // 20)
              for g in _glyphs("2024年01月01日", 100, 300)]
    assert abs(date_marks(tilted)[0].bottom - 2.0) <= 0.6


def test_the_odd_date_out_is_named_and_a_pair_names_both():
    a = date_marks(_glyphs("2024年01月01日", 100, 300))[0]
    b = date_marks(_glyphs("2025年12月31日", 500, 300))[0]
    moved = date_marks(_glyphs("2027年12月31日", 100, 600, digit_dy=3))[0]
    deps = date_departures([a, b, moved])
    assert len(deps) == 1 and "".join(g.ch for g in deps[0].glyphs) == "20271231" and deps[0].other == ()
    assert deps[0].shift > 0.09
    pair = date_departures([a, moved])
    assert len(pair) == 1 and {"".join(g.ch for g in pair[0].glyphs), "".join(g.ch for g in pair[0].other)} == {
        "20240101", "20271231"}
    # Printed in one go, or a size apart (another face of the form): nothing.
    assert date_departures([a, b]) == []
    big = date_marks([Glyph(g.ch, g.x0, g.x1, g.top - 8, g.bottom) for g in _glyphs("2027年12月31日", 100, 600, 3)])
    assert date_departures([a, b] + big) == []


def test_a_mark_measured_a_pixel_low_alone_is_not_a_move():
    # Marks whose ink reads low move their bottoms, not their tops: no block of digits moved.
    g = _glyphs("2024年01月01日", 100, 300)
    g = [Glyph(x.ch, x.x0, x.x1, x.top, x.bottom + (3 if x.ch in "年月" else 0)) for x in g]
    odd = date_marks(g)[0]
    others = [date_marks(_glyphs("2025年12月31日", 500, 300))[0], date_marks(_glyphs("2026年02月28日", 100, 700))[0]]
    assert date_departures(others + [odd]) == []

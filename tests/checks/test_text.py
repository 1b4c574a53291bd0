"""Text-level tampering: digits printed apart from the rest of their line, found with the real OCR."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter

from appealcheck.forensics.glyphs import Glyph, departures
from tests import pages

REAL = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "receipts_de"
PERIOD_Y = 700


def _letter(second_date_dy: int = 0, second_date_size: int = 30, tilt: float = 0.0) -> Image.Image:
    """A letter whose validity line is drawn in two strokes: the second date can sit lower or be bigger,
    as when a forger retypes the end date into a genuine letter."""
    page = pages.letter(period="", with_seal=False)
    d = ImageDraw.Draw(page)
    head = "2024年01月01日至"
    x = 120 + int(pages.font(30).getlength("授权期限："))
    d.text((x, PERIOD_Y), head, font=pages.font(30), fill=(25, 25, 30))
    x2 = x + int(pages.font(30).getlength(head))
    d.text((x2, PERIOD_Y + second_date_dy), "2026年12月31日", font=pages.font(second_date_size), fill=(25, 25, 30))
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    if tilt:
        page = page.rotate(tilt, resample=Image.BICUBIC, fillcolor=(252, 252, 250))
    return page


def _text_findings(result):
    return [f for d in result.documents for f in d.findings if f.check == "text"]


def test_retyped_end_date_sitting_low_is_found_with_its_box(scanner, tmp_path):
    _letter(second_date_dy=5).save(tmp_path / "letter.jpg", quality=85)
    r = scanner.scan(tmp_path / "letter.jpg")
    found = _text_findings(r)
    assert [f.id for f in found] == ["text.baseline_shift"]
    f = found[0]
    assert f.measured >= 3.5 and f.expected == "0 px"
    assert "20261231" in f.message and "2024年01月01日至2026年12月31日" in f.message.replace(" ", "")
    # The box covers the end date's digits, not the start date's.
    x2 = 120 + int(pages.font(30).getlength("授权期限：2024年01月01日至"))
    assert x2 - 5 <= f.box[0] and PERIOD_Y < f.box[1] < f.box[3] < PERIOD_Y + 60
    assert r.documents[0].features["text.baseline_score"] >= 5


def test_retyped_end_date_in_a_bigger_size_is_found(scanner, tmp_path):
    _letter(second_date_size=36).save(tmp_path / "letter.png")
    ids = {f.id for f in _text_findings(scanner.scan(tmp_path / "letter.png"))}
    assert "text.font_inconsistent" in ids


@pytest.mark.parametrize("tilt", [0.0, 1.2])
def test_line_printed_in_one_go_has_no_finding_even_tilted(scanner, tmp_path, tilt):
    _letter(tilt=tilt).save(tmp_path / "letter.jpg", quality=85)
    r = scanner.scan(tmp_path / "letter.jpg")
    assert _text_findings(r) == []
    assert r.documents[0].features["text.baseline_score"] is not None


def test_licensee_retyped_into_a_genuine_letter_is_found(scanner, tmp_path):
    """A genuine letter reused: the licensee's name typed in over the old one, a few pixels off the label's line."""
    page = pages.letter(licensee="", with_seal=False)
    x = 120 + int(pages.font(30).getlength("被授权方："))
    ImageDraw.Draw(page).text((x, 480 + 5), "深圳市启航贸易有限公司", font=pages.font(30), fill=(25, 25, 30))
    page.filter(ImageFilter.GaussianBlur(0.6)).save(tmp_path / "reused.jpg", quality=85)
    r = scanner.scan(tmp_path / "reused.jpg")
    found = _text_findings(r)
    assert [f.id for f in found] == ["text.baseline_shift"]
    assert "licensee" in found[0].message and found[0].measured >= 3.5
    assert x - 5 <= found[0].box[0] and 480 < found[0].box[1] < found[0].box[3] < 540
    assert r.documents[0].fields["licensee"].value == "深圳市启航贸易有限公司"


@pytest.mark.parametrize("scanner_named", [True, False])
def test_a_name_against_a_three_character_label_is_judged_on_a_scan_only(scanner, tmp_path, scanner_named):
    """A-463-000022 (a genuine photographed letter): its licensor measured 3.6 px above the bold label 授权方, the
    only other characters of its line, and the appeal scored 0.98. On a photograph a name is held only to as many
    characters as it has; on a scan three still do (a name retyped 5 px low beside 授权方 is found)."""
    page = pages.letter(licensor="", with_seal=False)
    x = 120 + int(pages.font(30).getlength("授权方："))
    ImageDraw.Draw(page).text((x, 370 + 5), "上海锦程贸易有限公司", font=pages.font(30), fill=(25, 25, 30))
    exif = Image.Exif()
    if scanner_named:
        exif[0x0131] = "EPSON Scan 2"
    page.filter(ImageFilter.GaussianBlur(0.6)).save(tmp_path / "letter.jpg", quality=90, exif=exif)
    found = [f for f in _text_findings(scanner.scan(tmp_path / "letter.jpg")) if "licensor" in f.message]
    assert [f.id for f in found] == (["text.baseline_shift"] if scanner_named else [])


def _reused(tmp_path, size: int, scanner_named: bool = True) -> Path:
    """A genuine letter reused: the licensee typed in on the label's own baseline, at `size` px where the letter
    prints 30, saved as a scanner driver saves it (or with nothing in its metadata, as a chat app forwards it)."""
    page = pages.letter(licensee="", with_seal=False)
    f = pages.font(30)
    x = 120 + int(f.getlength("被授权方："))
    base = 480 + f.getbbox("被")[3]
    g = pages.font(size)
    ImageDraw.Draw(page).text((x, base - g.getbbox("被")[3]), "深圳市启航贸易有限公司", font=g, fill=(25, 25, 30))
    exif = Image.Exif()
    if scanner_named:
        exif[0x0131] = "EPSON Scan 2"
    out = tmp_path / "reused.jpg"
    page.filter(ImageFilter.GaussianBlur(0.6)).save(out, quality=90, exif=exif)
    return out


def test_licensee_retyped_a_size_smaller_on_its_own_baseline_is_found_against_the_licensor(scanner, tmp_path):
    r = scanner.scan(_reused(tmp_path, 28))
    found = _text_findings(r)
    assert [f.id for f in found] == ["text.field_size"]
    f = found[0]
    assert 0.9 <= f.measured["height"] <= 0.97 and 0.9 <= f.measured["width"] <= 0.97  # 28 px for 30: 0.933
    assert "有限公司" in f.message and "smaller" in f.message
    assert 120 < f.box[0] and 470 < f.box[1] < f.box[3] < 530  # on the licensee's line, not the licensor's
    assert r.documents[0].features["text.field_size_gap"] >= 0.03


def test_licensee_printed_with_the_letter_is_no_size_finding(scanner, tmp_path):
    r = scanner.scan(_reused(tmp_path, 30))
    assert _text_findings(r) == []
    assert r.documents[0].features["text.field_size_gap"] < 0.03


def test_a_letter_that_may_be_a_photo_is_sized_by_its_names_ink(scanner, tmp_path):
    """Nothing says scanner: the cut boxes are not trusted (a phone's small print), but the two names' shared
    ending 有限公司, fitted onto each other, shows the licensee 28 px for 30. The cut-box measure stays unset."""
    r = scanner.scan(_reused(tmp_path, 28, scanner_named=False))
    (f,) = _text_findings(r)
    assert f.id == "text.field_size" and "slant" in f.message and "'有限公司'" in f.message
    assert 0.92 <= f.measured["size"] <= 0.95  # 28/30 = 0.933
    assert 120 < f.box[0] and 470 < f.box[1] < f.box[3] < 530
    assert r.documents[0].features["text.field_size_gap"] is None


def test_a_letter_that_may_be_a_photo_printed_in_one_go_is_not_sized(scanner, tmp_path):
    assert _text_findings(scanner.scan(_reused(tmp_path, 30, scanner_named=False))) == []


def test_fax_page_is_said_to_be_unchecked(scanner, tmp_path):
    fax = _letter(second_date_dy=5).convert("L").point(lambda v: 255 if v > 128 else 0).convert("1")
    fax.save(tmp_path / "fax.png")
    found = _text_findings(scanner.scan(tmp_path / "fax.png"))
    assert [(f.id, f.severity) for f in found] == [("text.unchecked", "info")]


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata not beside the repo")
def test_real_receipts_have_no_text_finding(scanner):
    """Thermal receipts whose lines touch the next line's ink, slashes and colons among digits, dot-matrix
    nines: each of these once gave a false finding."""
    rows = {r["path"] for r in csv.DictReader((REAL / "labels.csv").open(encoding="utf-8"))}
    for name in ("toom_04042020_03_04877.jpg", "hornbach_23092016_03_15200.jpg", "lidl_11042020_08_01977.jpg",
                 "real_29042020_08_02978.jpg", "marktkauf_03042020_12_02881.jpg"):
        assert f"images/{name}" in rows
        r = scanner.scan(REAL / "images" / name)
        assert [f.message for f in _text_findings(r)] == [], name


def _g(ch, x, bottom, height=20):
    return Glyph(ch, x, x + 10, bottom - height + 1, bottom)


def test_departures_pick_the_shifted_run_and_leave_single_digits_alone():
    # Two dates of eight digits each: the label printed with the first one tells which of them moved.
    line = [_g(c, 14 * i, 100) for i, c in enumerate("授权期限2024年01月01日")]
    moved = [_g(c, 14 * (i + 16), 104) for i, c in enumerate("2026年12月31日")]
    base = {d.what: d for d in departures(line + moved)}["baseline"]
    assert "".join(g.ch for g in base.glyphs) == "20261231" and base.shift == 4.0 and base.score >= 5
    one = line + [_g("9", 14 * 16, 106), _g("9", 14 * 17, 100)]
    assert all(len(d.glyphs) >= 2 for d in departures(one))


def test_departures_do_not_compare_far_apart_digits_without_a_tilt_to_go_by():
    # A house number and a postcode at the two ends of a photographed line: the bend, not an edit.
    glyphs = [_g(c, 10 * i, 100) for i, c in enumerate("611")]
    glyphs += [_g(c, 400 + 10 * i, 108) for i, c in enumerate("10022")]
    assert [d for d in departures(glyphs) if d.what == "baseline"] == []


def test_a_tilt_read_off_one_pixel_steps_of_small_digits_is_not_the_lines():
    # A-437-000039, a photographed licence: '254' and '9…16' of an address, 11 px tall, each a pixel lower at its
    # right end. Their own tilt (-0.11) put '916' 6 px below '254'; the page's tilt is -0.0096 and they line up.
    glyphs = [Glyph(c, x, x + (7 if c.isdigit() else 12), top, bottom) for c, x, top, bottom in (
        ("路", 1005, 479, 492), ("2", 1020, 480, 491), ("5", 1029, 480, 490), ("4", 1037, 480, 489),
        ("号", 1047, 479, 491), ("9", 1061, 480, 490), ("层", 1069, 479, 491), ("1", 1086, 479, 490),
        ("6", 1094, 479, 489), ("室", 1103, 478, 490))]
    shifts = [abs(d.shift) for d in departures(glyphs, -0.0096) if d.what == "baseline"]
    assert max(shifts, default=0.0) < 1.5


def test_a_line_a_seal_crosses_on_a_page_without_colour_is_not_measured(scanner, tmp_path, monkeypatch):
    """A-1217-000002 (fresh seed 1217), a genuine greyscale scan of a business licence: the registry seal's ring runs
    through the issue date's '29日', as dark as the print, and the '29' measured 12% taller and 3 px lower than its
    line. On a page without colour the lines a seal crosses are not measured."""
    from appealcheck.checks import text as text_check
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    name = "03_business_license.jpg"
    out = build(1217, 2, 0.7, serial_forgers(1217))
    label = next(d for d in out.label["documents"] if d["file"] == name)
    assert (label["label"], label["capture"]["mode"]) == ("genuine", "grey")
    (tmp_path / name).write_bytes(dict(out.files)[name])

    def text_findings(result):
        return [f.id for d in result.documents for f in d.findings if f.id.startswith("text.")]

    assert text_findings(scanner.scan(tmp_path / name)) == []
    monkeypatch.setattr(text_check, "_seal_discs", lambda *a: None)
    monkeypatch.setattr(text_check.TextConsistency, "version", "seals-measured")
    assert set(text_findings(scanner.scan(tmp_path / name))) == {"text.baseline_shift", "text.font_inconsistent"}

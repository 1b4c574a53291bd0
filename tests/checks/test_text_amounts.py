"""An amount typed in another face: its separator steps its digits unlike the page's other amounts, with the real
OCR on generated invoices and receipts, and on hand-made amounts."""

from __future__ import annotations

import pytest

from appealcheck.forensics.glyphs import AMOUNT_FACE, Glyph, amount_faces, amounts
from appealcheck.samples.appeal import build
from appealcheck.samples.compose import serial_forgers

OPS = ("field_copy_move", "field_retyped", "letter_reused")


def _write(tmp_path, index: int, file: str):
    out = build(1203, index, 0.7, serial_forgers(1203), OPS)
    doc = next(d for d in out.label["documents"] if d["file"] == file)
    (tmp_path / file).write_bytes(dict(out.files)[file])
    return doc, tmp_path / file


def _faces(result):
    return [f for d in result.documents for f in d.findings
            if f.id == "text.font_inconsistent" and "another face" in f.message]


@pytest.mark.parametrize(("index", "file", "style"), [(7, "02_purchase_invoice.jpg", "scan"),
                                                      (71, "02_purchase_invoice.jpg", "scan"),
                                                      (136, "02_receipt.jpg", "scan"),
                                                      (41, "02_purchase_invoice.png", "screenshot")])
def test_an_amount_retyped_in_a_proportional_face_among_monospaced_ones_is_found_on_it(scanner, tmp_path, index,
                                                                                        file, style):
    """Seed 1203 (development): paper invoices' totals and a receipt's total retyped in a face whose point takes
    half a digit, where the page's other amounts give it a whole one. The screenshot's total touches the seal's
    red, which is taken for paper to measure it."""
    doc, path = _write(tmp_path, index, file)
    assert doc["ops"][0] == "field_retyped" and doc["capture"]["style"] == style
    found = _faces(scanner.scan(path))
    assert found, file
    assert all(f.measured <= -AMOUNT_FACE for f in found)
    (ex0, ey0, ex1, ey1) = doc["regions"][0]["box"]
    assert all(f.box[0] < ex1 and ex0 < f.box[2] and f.box[1] < ey1 and ey0 < f.box[3] for f in found)


@pytest.mark.parametrize(("index", "file"), [(30, "02_purchase_invoice.jpg"), (89, "03_purchase_invoice.jpg"),
                                             (58, "02_receipt.jpg")])
def test_genuine_invoices_and_a_receipt_with_its_total_in_a_bold_face_are_not_flagged(scanner, tmp_path, index,
                                                                                      file):
    """A paper invoice photographed and one scanned, and a receipt whose total is printed larger in a proportional
    bold face over monospaced amounts."""
    doc, path = _write(tmp_path, index, file)
    assert doc["label"] == "genuine"
    assert _faces(scanner.scan(path)) == []


def _amount(x: int, text: str, separator: float, pitch: float = 12.0, height: int = 17) -> list[Glyph]:
    glyphs, pos = [], float(x)
    for ch in text:
        if ch.isdigit():
            glyphs.append(Glyph(ch, round(pos + 2), round(pos + pitch - 2), 100 - height, 100))
            pos += pitch
        else:
            glyphs.append(Glyph(ch, round(pos + separator * pitch / 2 - 1), round(pos + separator * pitch / 2 + 1),
                                97, 100))
            pos += separator * pitch
    return glyphs


def test_an_amounts_separator_step_is_measured_in_digits():
    (mono,) = amounts(_amount(0, "1,798.00", 1.0))
    (prop,) = amounts(_amount(0, "79601.72", 0.5))
    assert mono.pitch == pytest.approx(12.0, abs=0.3) and mono.separator == pytest.approx(1.0, abs=0.1)
    assert prop.separator == pytest.approx(0.5, abs=0.1)
    # Not amounts: no two decimals, too few digits, a date.
    assert amounts(_amount(0, "1798", 1.0)) == amounts(_amount(0, "9.00", 1.0)) == []
    assert amounts(_amount(0, "2024.1", 1.0)) == []


def test_one_amount_spaced_by_another_face_is_named_and_a_larger_total_is_not_compared():
    page = [amounts(_amount(0, t, 1.0))[0] for t in ("176.11", "35222.00", "4578.86")]
    retyped = amounts(_amount(0, "79601.72", 0.5))[0]
    (dep,) = amount_faces([*page, retyped])
    assert dep.what == "face" and dep.glyphs == retyped.glyphs and dep.shift == pytest.approx(-0.5, abs=0.1)
    # A receipt's total in a proportional face 40% larger than its monospaced amounts is a face of its own.
    total = amounts(_amount(0, "1,620.00", 0.5, pitch=17.0, height=24))[0]
    assert amount_faces([*page, total]) == []
    # With one other amount, or others that disagree, nothing shows which face is the page's.
    assert amount_faces([page[0], retyped]) == []
    assert amount_faces([page[0], amounts(_amount(0, "4578.86", 0.75))[0], retyped]) == []


def _ruled_line(rule: tuple[int, int, int, int]):
    """A printed line '2024年04月10日' (ink from x 20 to about 250) in an OCR box reaching x 400, and a ruled line."""
    import numpy as np
    from PIL import Image, ImageDraw

    from appealcheck.models import OcrLine
    from appealcheck.samples.fonts import get_font

    im = Image.new("L", (420, 90), 250)
    d = ImageDraw.Draw(im)
    d.text((20, 60), "2024年04月10日", font=get_font("sans", 32), fill=30, anchor="ls")
    d.line(rule, fill=60, width=2)
    corners = ((15, 28), (400, 28), (400, 68), (15, 68))
    return np.asarray(im), OcrLine("2024年04月10日", (15, 28, 400, 68), corners, 0.99)


def test_a_line_with_a_rule_across_its_box_clear_of_its_characters_is_cut_and_one_through_them_is_not():
    from appealcheck.forensics.glyphs import line_glyphs

    # Slanting through the box right of the last character, at the characters' height: a stray column of ink before.
    grey, line = _ruled_line((300, 34, 420, 37))
    glyphs = line_glyphs(grey, line)
    assert glyphs is not None and "".join(g.ch for g in glyphs) == "2024年04月10日"
    assert max(g.x1 for g in glyphs) < 262
    grey, line = _ruled_line((0, 50, 420, 50))  # straight through the characters
    assert line_glyphs(grey, line) is None


def test_a_letters_end_date_under_a_slanted_rule_retyped_larger_is_found(scanner, tmp_path):
    """Seed 1203 (development): a scanned letter whose validity line has the rule above it slanting into its box;
    its end date was retyped larger and lower."""
    doc, path = _write(tmp_path, 68, "02_authorization_letter.jpg")
    assert doc["ops"][0] == "field_retyped" and doc["capture"]["style"] == "scan"
    found = [f for d in scanner.scan(path).documents for f in d.findings
             if f.id in ("text.font_inconsistent", "text.baseline_shift")]
    (ex0, ey0, ex1, ey1) = doc["regions"][0]["box"]
    assert any(f.box[0] < ex1 and ex0 < f.box[2] and f.box[1] < ey1 and ey0 < f.box[3] for f in found)

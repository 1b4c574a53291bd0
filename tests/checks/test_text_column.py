"""A receipt's total that ends short of the column its amounts are right-aligned on, found with the real OCR."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

from appealcheck.checks.text import COLUMN_SHORT, column_of
from appealcheck.models import OcrLine
from appealcheck.samples.appeal import build
from appealcheck.samples.compose import serial_forgers
from tests import pages

RIGHT = 470
TOTAL_Y = 430


def _receipt(total_size: int) -> Image.Image:
    """A receipt whose amounts end on x = RIGHT; the total '49.03' is printed there at 30 px, or (a forger's
    edit) from the same left edge at `total_size` px, as a value rebuilt from the page's smaller digits is."""
    page = Image.new("RGB", (520, 700), (252, 252, 250))
    d = ImageDraw.Draw(page)
    rows = [("ACME Travel Mug", "29.90", 220), ("ACME Bottle 500ml", "15.50", 265), ("Subtotal", "45.40", 330),
            ("Tax", "3.63", 375)]
    for label, amount, y in rows:
        d.text((40, y), label, font=pages.font(24), fill=(25, 25, 30))
        d.text((RIGHT - pages.font(24).getlength(amount), y), amount, font=pages.font(24), fill=(25, 25, 30))
    d.text((40, TOTAL_Y), "TOTAL USD", font=pages.font(30), fill=(25, 25, 30))
    left = RIGHT - pages.font(30).getlength("49.03")
    d.text((left, TOTAL_Y + 30 - total_size), "49.03", font=pages.font(total_size), fill=(25, 25, 30))
    d.text((70, 520), "Thank you for shopping!", font=pages.font(22), fill=(25, 25, 30))
    return page.filter(ImageFilter.GaussianBlur(0.5))


def _column_findings(result):
    return [f for d in result.documents for f in d.findings if f.id == "text.column_misaligned"]


def test_a_total_set_in_smaller_from_its_left_edge_is_found(scanner, tmp_path):
    _receipt(total_size=22).save(tmp_path / "receipt.jpg", quality=90)
    r = scanner.scan(tmp_path / "receipt.jpg")
    found = _column_findings(r)
    assert len(found) == 1, [f.message for d in r.documents for f in d.findings]
    f = found[0]
    assert f.measured <= -COLUMN_SHORT and "49.03" in f.message and "4 amounts" in f.message
    assert f.box[1] < TOTAL_Y + 30 < f.box[3] + 5 and f.box[2] < RIGHT - 5
    assert r.documents[0].features["text.column_short"] >= COLUMN_SHORT


def test_the_same_receipt_printed_in_one_go_has_no_finding(scanner, tmp_path):
    _receipt(total_size=30).save(tmp_path / "receipt.jpg", quality=90)
    r = scanner.scan(tmp_path / "receipt.jpg")
    assert _column_findings(r) == []
    assert r.documents[0].features["text.column_short"] < 0.1


def test_generated_receipts_rebuilt_total_found_and_genuine_total_not(scanner, tmp_path):
    """Seed 1151: a scanned receipt whose total was rebuilt from the page's smaller digits (A-1151-000026), and a
    genuine scanned receipt (A-1151-000013)."""
    for index, forged in ((26, True), (13, False)):
        out = build(1151, index, 0.7, serial_forgers(1151), ("field_copy_move", "field_retyped", "letter_reused"))
        doc = next(d for d in out.label["documents"] if d["kind"] == "receipt"
                   and d["label"] == ("forged" if forged else "genuine"))
        (tmp_path / doc["file"]).write_bytes(dict(out.files)[doc["file"]])
        found = _column_findings(scanner.scan(tmp_path / doc["file"]))
        if forged:
            assert "field_copy_move" in doc["ops"] and len(found) == 1
            (ex0, ey0, ex1, ey1) = doc["regions"][0]["box"]
            f = found[0]
            assert f.box[0] < ex1 and ex0 < f.box[2] and f.box[1] < ey1 and ey0 < f.box[3]
        else:
            assert found == [], doc["file"]


def _line(text: str, x1: int, y: int, h: int = 24) -> OcrLine:
    x0 = x1 - 12 * len(text)
    return OcrLine(text, (x0, y, x1, y + h), ((x0, y), (x1, y), (x1, y + h), (x0, y + h)), 0.99)


def test_column_is_read_at_the_totals_height_on_a_leaning_photo():
    # Right ends drifting 3 px per row (a photo's perspective); the total on the column's line is not short.
    lines = [_line(f"{10 + i}.50", 400 + 3 * i, 100 + 40 * i) for i in range(5)]
    total = _line("99.90", 400 + 3 * 5, 100 + 40 * 5)
    c = column_of(lines + [total], total.box, 0)
    assert c is not None and abs(c.offset) < 0.1 and c.neighbours == 5
    short = _line("99.90", 400 + 3 * 5 - 20, 100 + 40 * 5)
    assert column_of(lines + [short], short.box, 0).offset < -COLUMN_SHORT


def test_no_column_no_judgement():
    # Amounts followed by a tax letter end on the letter's column, not the amount's: they are not neighbours.
    taxed = [_line(f"{i}.99 A", 400, 100 + 40 * i) for i in range(4)]
    total = _line("12.34", 370, 300)
    assert column_of(taxed + [total], total.box, 0) is None
    # Right ends that do not agree are no column.
    ragged = [_line("1.50", 400 + 30 * (i % 2), 100 + 40 * i) for i in range(4)]
    assert column_of(ragged + [total], total.box, 0) is None

"""Scan realistic pages end to end with the real OCR engine and check the exact fields read."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests import pages


def _fields(result, i=0):
    return {k: f.value for k, f in result.documents[i].fields.items()}


def test_letter_fields(scanner, tmp_path):
    pages.letter().save(tmp_path / "letter.png")
    r = scanner.scan(tmp_path / "letter.png")
    doc = r.documents[0]
    assert doc.kind == "authorization_letter" and doc.kind_source == "classifier"
    f = _fields(r)
    assert f["licensor"] == "艾克米(中国)有限公司"
    assert f["licensee"] == "深圳市启航贸易有限公司"
    assert f["licensor_uscc"] == "91310000MA1FL0XD32"
    assert (f["valid_from"], f["valid_to"], f["issued_on"]) == ("2024-01-01", "2025-12-31", "2024-01-01")
    assert f["serial"] == "AC-2024-00017"
    assert r.verdict == "clean" and r.exit_code == 0 and doc.findings == ()
    # Evidence boxes point at the value, inside the page.
    box = doc.fields["licensee"].box
    assert 200 < box[0] < box[2] <= 1240 and 470 < box[1] < box[3] < 540


def test_letter_with_impossible_period_is_flagged(scanner, tmp_path):
    pages.letter(period="2024年2月30日至2025年12月31日").save(tmp_path / "bad.png")
    r = scanner.scan(tmp_path / "bad.png")
    ids = [f.id for f in r.documents[0].findings]
    assert ids == ["content.date_impossible"]
    finding = r.documents[0].findings[0]
    assert finding.measured == "2024年2月30日" and finding.box is not None
    assert r.verdict in ("suspicious", "forged") and r.exit_code == 1


def test_invoice_with_seal_over_text(scanner, tmp_path):
    pages.invoice_with_seal().save(tmp_path / "invoice.png")
    r = scanner.scan(tmp_path / "invoice.png")
    assert r.documents[0].kind == "purchase_invoice"
    f = _fields(r)
    assert (f["invoice_code"], f["invoice_no"], f["issued_on"]) == ("031001900111", "12345678", "2024-03-15")
    assert (f["buyer_name"], f["buyer_uscc"]) == ("深圳市启航贸易有限公司", "91440300MA5G9BKX58")
    # Under the seal:
    assert (f["seller_name"], f["seller_uscc"]) == ("上海锦程贸易有限公司", "91310115MA1H7XWJ5N")
    assert (f["amount"], f["tax"], f["total"], f["total_in_words"]) == (8850.0, 1150.5, 10000.5, 10000.5)
    assert f["currency"] == "CNY"


def test_dereddened_read_recovers_text_under_heavy_seal(scanner):
    """A dense seal over a line: the plain read loses it, the de-reddened read gets it back."""
    from appealcheck.models import Page
    from appealcheck.ocr.reader import PageReader

    page = pages.text_page([(100, 100, "纳税人识别号：91310115MA1H7XWJ5N", 30)], size=(900, 260))
    # Seal characters engraved large and inked hard, right across the digits.
    ink = Image.new("RGBA", (420, 140), (0, 0, 0, 0))
    ImageDraw.Draw(ink).text((0, 10), "上海锦程贸易", font=pages.font(110), fill=(215, 40, 45, 255))
    page = pages.stamp(page, ink, (280, 60))
    img = np.asarray(page)
    plain = scanner.engine.read(img)
    assert not any("91310115MA1H7XWJ5N" in ln.text for ln in plain), "seal too light to prove anything"
    read = PageReader(scanner.engine, None).read_page(Page(0, img, None))
    hits = [ln for ln in read.lines if "91310115MA1H7XWJ5N" in ln.text]
    assert hits and hits[0].source == "dereddened"


def test_receipt_fields(scanner, tmp_path):
    pages.receipt().save(tmp_path / "receipt.jpg", quality=88)
    r = scanner.scan(tmp_path / "receipt.jpg")
    assert r.documents[0].kind == "receipt"
    f = _fields(r)
    assert f["store"] == "HARBOUR CITY STORE"
    assert (f["date"], f["time"]) == ("2024-03-15", "14:32")
    assert (f["subtotal"], f["tax"], f["total"], f["currency"]) == (45.4, 3.63, 49.03, "USD")
    assert f["receipt_no"] == "20240315-0042"


def test_multipage_pdf(scanner, tmp_path):
    first = pages.text_page([(520, 140, "授 权 书", 56), (120, 370, "授权方：艾克米(中国)有限公司", 30),
                             (120, 480, "被授权方：杭州云帆电子商务有限公司", 30),
                             (120, 700, "授权期限：2024年3月1日至2025年2月28日", 30)])
    second = pages.text_page([(120, 200, "本授权书不得转让，复印无效。特此授权。", 30),
                              (700, 500, "日期：2024年3月1日", 28)])
    first.save(tmp_path / "letter.pdf", save_all=True, append_images=[second], resolution=150)
    r = scanner.scan(tmp_path / "letter.pdf")
    doc = r.documents[0]
    assert doc.pages == 2 and doc.kind == "authorization_letter" and doc.info.format == "pdf"
    f = _fields(r)
    assert f["licensee"] == "杭州云帆电子商务有限公司"
    assert (f["valid_from"], f["valid_to"]) == ("2024-03-01", "2025-02-28")
    assert f["issued_on"] == "2024-03-01" and doc.fields["issued_on"].page == 1


def test_rotated_phone_photo_with_exif_orientation(scanner, tmp_path):
    """A phone photo stored sideways with EXIF Orientation=6, as phones do."""
    photo = pages.phone_photo(pages.letter(), angle=4).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    exif[0x0110] = "Pixel 7"
    photo.save(tmp_path / "photo.jpg", quality=82, exif=exif)
    r = scanner.scan(tmp_path / "photo.jpg")
    doc = r.documents[0]
    assert doc.kind == "authorization_letter"
    assert doc.info.camera == "Pixel 7"
    f = _fields(r)
    assert f["licensee"] == "深圳市启航贸易有限公司"
    assert (f["valid_from"], f["valid_to"]) == ("2024-01-01", "2025-12-31")


def test_appeal_folder_with_manifest_kinds(scanner, tmp_path):
    (tmp_path / "a").mkdir()
    pages.letter().save(tmp_path / "a" / "letter.png")
    pages.receipt().save(tmp_path / "a" / "r.png")
    (tmp_path / "a" / "appeal.yaml").write_text(
        "appeal_id: A-2024-000001\nsubmitted_at: 2026-03-01\nseller: {name: 深圳市启航贸易有限公司}\n"
        "documents:\n  - {file: letter.png, kind: authorization_letter}\n  - {file: r.png, kind: receipt}\n",
        encoding="utf-8")
    r = scanner.scan(tmp_path / "a")
    assert r.appeal_id == "A-2024-000001"
    assert [(d.file, d.kind, d.kind_source) for d in r.documents] == [
        ("letter.png", "authorization_letter", "manifest"), ("r.png", "receipt", "manifest")]
    # Judged on 2026-03-01 the letter has expired.
    assert [f.id for f in r.documents[0].findings] == ["content.period_outside"]


@pytest.mark.parametrize("mode", ["I;16", "CMYK", "P"])
def test_unusual_colour_modes_read(scanner, tmp_path, mode):
    page = pages.receipt()
    img = page.convert("L").convert("I;16") if mode == "I;16" else page.convert(mode)
    buf = io.BytesIO()
    img.save(buf, "TIFF" if mode != "P" else "PNG")
    path = tmp_path / ("r.tif" if mode != "P" else "r.png")
    path.write_bytes(buf.getvalue())
    r = scanner.scan(path)
    assert r.verdict != "error", r.error
    assert _fields(r)["total"] == 49.03

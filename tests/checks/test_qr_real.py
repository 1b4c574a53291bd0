"""The invoice QR check end to end: real OCR of the printed text, real QR decoding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from PIL import Image

from appealcheck.checks import DocContext
from appealcheck.checks.qr import InvoiceQr, read_qr_codes
from appealcheck.models import Appeal, Document, FieldValue, FileInfo, Page, Seller
from tests import pages

PAYLOAD = "01,04,031001900111,{no},8850.00,20240315,12345678901234567890,ABCD"


def test_qr_agreeing_with_the_print_is_silent(scanner, tmp_path):
    pages.with_qr(pages.invoice_with_seal(), PAYLOAD.format(no="12345678")).save(tmp_path / "inv.png")
    r = scanner.scan(tmp_path / "inv.png")
    doc = r.documents[0]
    assert [f.id for f in doc.findings] == []
    assert doc.features["content.invoice_qr.mismatches"] == 0.0


def test_qr_carrying_another_number_is_flagged(scanner, tmp_path):
    pages.with_qr(pages.invoice_with_seal(), PAYLOAD.format(no="12349999")).save(tmp_path / "inv.png")
    r = scanner.scan(tmp_path / "inv.png")
    doc = r.documents[0]
    qr = [f for f in doc.findings if f.id == "content.qr_mismatch"]
    assert len(qr) == 1
    assert (qr[0].measured, qr[0].expected) == ("12345678", "12349999")
    assert qr[0].box == doc.fields["invoice_no"].box


def test_no_qr_means_not_measured(scanner, tmp_path):
    pages.invoice_with_seal().save(tmp_path / "inv.png")
    doc = scanner.scan(tmp_path / "inv.png").documents[0]
    assert doc.features["content.invoice_qr.mismatches"] is None


def test_qr_of_a_phone_photo_read_at_another_scale():
    # Cut from a generated phone photo of an invoice (A-103-000122, JPEG q69): zxing-cpp reads it at 0.75x-2x
    # but not as captured; the forged amount it carries was missed until the page was also read resampled.
    img = np.asarray(Image.open(Path(__file__).parents[1] / "fixtures" / "qr_phone_photo.png").convert("RGB"))
    doc = Document("inv.jpg", FileInfo("jpeg", 1, "0" * 64), (Page(0, img, 150.0),))
    appeal = Appeal("A", "A", "acme", "2025-06-01", Seller(), (doc,))
    printed = {"invoice_code": "031012450187", "invoice_no": "89141741", "amount": 166930.20,
               "issued_on": dt.date(2024, 9, 20)}
    fields = {k: FieldValue(k, v, str(v), 0, (1, 1, 20, 10), 0.99) for k, v in printed.items()}
    c = DocContext(appeal, doc, "purchase_invoice", fields, (), None)
    assert [q.text.split(",")[4] for q in read_qr_codes(c)] == ["167130.20"]
    found = InvoiceQr().run(c)
    assert [(f.id, f.measured, f.expected) for f in found] == [("content.qr_mismatch", "166930.2", "167130.20")]

"""The invoice QR check end to end: real OCR of the printed text, real QR decoding."""

from __future__ import annotations

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

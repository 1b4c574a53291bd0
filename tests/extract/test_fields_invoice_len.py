"""An invoice number of a length no invoice type has is kept as read, so the number-format check can judge it."""

from __future__ import annotations

from appealcheck.checks.money import InvoiceNumbers
from appealcheck.extract.fields import extract_fields
from appealcheck.models import OcrLine, PageText
from tests.checks.test_content_tables import ctx


def _page(rows, conf=0.99):
    lines = tuple(OcrLine(t, (x, y, x + 20 * len(t), y + 30), ((x, y), (x + 20 * len(t), y), (x + 20 * len(t), y + 30),
                                                              (x, y + 30)), conf) for x, y, t in rows)
    return [PageText(0, lines, "test")]


def test_nine_digit_number_is_kept_and_flagged():
    f = extract_fields("purchase_invoice", _page([(50, 40, "发票代码：4403181130"), (50, 80, "发票号码：123456789")]))
    assert f["invoice_no"].value == "123456789"
    c = ctx("purchase_invoice", {"invoice_no": f["invoice_no"].value})
    assert [x.id for x in InvoiceNumbers().run(c)] == ["content.invoice_number_format"]


def test_eight_and_twenty_digit_numbers_still_read():
    assert extract_fields("purchase_invoice", _page([(50, 80, "发票号码：12345678")]))["invoice_no"].value == "12345678"
    f = extract_fields("purchase_invoice", _page([(50, 80, "发票号码：24312000000012345678")]))
    assert f["invoice_no"].value == "24312000000012345678"


def test_a_doubtful_read_of_another_length_is_left_unread():
    f = extract_fields("purchase_invoice", _page([(50, 80, "发票号码：123456789")], conf=0.8))
    assert "invoice_no" not in f

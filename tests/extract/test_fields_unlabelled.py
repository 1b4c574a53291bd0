"""Fields printed without their labels or broken across lines, and numbers of lengths no invoice type has."""

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


def test_a_fax_without_labels_still_gives_its_figures_date_and_number():
    # What OCR kept of a faxed invoice: the small labels are gone, the values are there.
    rows = [(900, 20, "031012488416"), (900, 60, "12286791"), (900, 100, "2024年04月04日"),
            (60, 200, "宁波恒达博远数码科技有限公司"), (500, 700, "¥249275.80"), (900, 700, "¥32405.85"),
            (900, 760, "¥281681.65"), (200, 760, "贰拾捌万壹仟陆佰捌拾壹圆陆角伍分"), (60, 900, "收款人：胡杰")]
    f = extract_fields("purchase_invoice", _page(rows))
    got = {k: f[k].value for k in ("amount", "tax", "total", "issued_on", "invoice_no")}
    assert got == {"amount": 249275.8, "tax": 32405.85, "total": 281681.65, "issued_on": "2024-04-04",
                   "invoice_no": "12286791"}


def test_unlabelled_figures_that_do_not_add_up_stay_unread():
    rows = [(500, 700, "¥249275.80"), (900, 700, "¥32405.85"), (900, 760, "¥291681.65"), (60, 900, "收款人：胡杰")]
    f = extract_fields("purchase_invoice", _page(rows))
    assert not {"amount", "tax", "total"} & f.keys()


def test_distributor_letter_parent_serial_read_across_a_line_break():
    rows = [(60, 300, "1. 广州嘉禾永兴贸易有限公司为澜图品牌在中国大陆地区的授权经销商(授权编号：L"),
            (60, 340, "A-SQ-2023-62367)。"), (60, 400, "2. 现授权东莞荣昌盛世商贸有限公司在抖音平台销售")]
    assert extract_fields("authorization_letter", _page(rows))["parent_serial"].value == "LA-SQ-2023-62367"
    one = [(60, 300, "为澜图品牌的授权经销商（授权编号：LA-SQ-2023-62367）。")]
    assert extract_fields("authorization_letter", _page(one))["parent_serial"].value == "LA-SQ-2023-62367"

"""Fields printed without their labels or broken across lines, and numbers of lengths no invoice type has."""

from __future__ import annotations

import pytest

from appealcheck.checks.money import InvoiceArithmetic, InvoiceNumbers, ReceiptArithmetic
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


def test_a_fax_that_lost_every_totals_label_is_read_from_the_row_of_its_amount_in_words():
    # A-089-000067 (a fax, forged): 合计, 价税合计 and (小写) all lost; the total is 1.00 short of amount plus tax.
    # Three figures that do not add up are no guess to judge, but the amount in words places the totals row.
    rows = [(60, 300, "*鞋*铂骏跑步鞋"), (1100, 300, "159027.00"), (1100, 340, "52833.00"),
            (1100, 700, "¥211860.00"), (1700, 700, "V27541.80"), (100, 760, "×贰拾叁万玖仟肆佰圆捌角"),
            (1650, 760, "¥239400.80"), (60, 900, "收款人：徐勇华")]
    f = extract_fields("purchase_invoice", _page(rows))
    got = {k: f[k].value for k in ("amount", "tax", "total", "total_in_words")}
    assert got == {"amount": 211860.0, "tax": 27541.8, "total": 239400.8, "total_in_words": 239400.8}
    c = ctx("purchase_invoice", {k: f[k].value for k in ("amount", "tax", "total")})
    assert [x.id for x in InvoiceArithmetic().run(c)] == ["content.invoice_sum_mismatch"]
    # The figure on the words' own OCR line.
    joined = [r for k, r in enumerate(rows) if k not in (5, 6)] + [(100, 760, "×贰拾叁万玖仟肆佰圆捌角 ¥239400.80")]
    assert extract_fields("purchase_invoice", _page(joined))["total"].value == 239400.8
    # The same page adding up raises nothing.
    rows[6] = (1650, 760, "¥239401.80")
    rows[5] = (100, 760, "×贰拾叁万玖仟肆佰零壹圆捌角")
    f = extract_fields("purchase_invoice", _page(rows))
    c = ctx("purchase_invoice", {k: f[k].value for k in ("amount", "tax", "total", "total_in_words")})
    assert f["total"].value == 239401.8 and InvoiceArithmetic().run(c) == []


def test_a_seller_code_read_one_character_long_is_kept_for_the_seal_not_as_a_code():
    # A-097-000048, a photo: '9151010774XKMY3DP1' read as '915101077K4XKMY3DP1'.
    rows = [(60, 200, "购买方"), (120, 200, "名称：宁波聚源天成进出口有限公司"),
            (120, 240, "纳税人识别号：9133021272X4M32PF6"), (60, 800, "销售方"),
            (120, 800, "名称：成都天成晨光贸易有限公司"), (120, 840, "纳税人识别号：915101077K4XKMY3DP1"),
            (60, 1000, "收款人：徐娜")]
    f = extract_fields("purchase_invoice", _page(rows))
    assert f["seller_taxpayer_read"].value == "915101077K4XKMY3DP1" and "seller_uscc" not in f
    assert f["buyer_uscc"].value == "9133021272X4M32PF6"
    # The buyer's side keeps no such reading; a word is no code.
    rows[2] = (120, 240, "纳税人识别号：9133021272X4M32PF6X")
    rows[5] = (120, 840, "纳税人识别号：成都天成晨光贸易有限公司")
    f = extract_fields("purchase_invoice", _page(rows))
    assert not {"seller_taxpayer_read", "buyer_uscc", "seller_uscc"} & f.keys()


def test_a_misread_items_header_is_no_party_name():
    # A-101-000221, a fax: '货物或应税劳务、服务名称' read as '信物或户模劳务、服名名称'; the cell right of it,
    # '规格型号', was once taken for the buyer.
    rows = [(60, 200, "名"), (100, 200, "你：苏州盛世永兴实业有限公司"), (60, 400, "信物或户模劳务、服名名称"),
            (560, 400, "规格型号"), (60, 800, "名称：铂骏（广州）体育用品有限公司"), (20, 840, "销售方"),
            (60, 1000, "收款人：李秀")]
    f = extract_fields("purchase_invoice", _page(rows))
    assert f.get("buyer_name") is None or f["buyer_name"].value != "规格型号"
    assert f["seller_name"].value == "铂骏（广州）体育用品有限公司"


def test_distributor_letter_parent_serial_read_across_a_line_break():
    rows = [(60, 300, "1. 广州嘉禾永兴贸易有限公司为澜图品牌在中国大陆地区的授权经销商(授权编号：L"),
            (60, 340, "A-SQ-2023-62367)。"), (60, 400, "2. 现授权东莞荣昌盛世商贸有限公司在抖音平台销售")]
    assert extract_fields("authorization_letter", _page(rows))["parent_serial"].value == "LA-SQ-2023-62367"
    one = [(60, 300, "为澜图品牌的授权经销商（授权编号：LA-SQ-2023-62367）。")]
    assert extract_fields("authorization_letter", _page(one))["parent_serial"].value == "LA-SQ-2023-62367"
    # Full-width dashes, and words after the serial on its line: nothing is joined from the next line.
    more = [(60, 300, "授权经销商（授权编号：LA－SQ－2023－62367，有效期至2025年）"), (60, 340, "2024年5月5日起")]
    assert extract_fields("authorization_letter", _page(more))["parent_serial"].value == "LA-SQ-2023-62367"
    # The rest of the serial lost: the next line is the next clause, so the serial is unread, not 'X2'.
    cut = [(60, 300, "为星岚品牌在中国大陆地区的授权经销商（授权编号：X"),
           (60, 340, "2. 现授权宁波海川鸿运供应链有限公司")]
    assert "parent_serial" not in extract_fields("authorization_letter", _page(cut))
    # A photo's tilt sorted the next clause's long line before the wrapped rest (A-103-000080).
    tilted = [(60, 300, "1.北京安泰明辉贸易有限公司为星岚品牌在中国大陆地区的授权经销商（授权编号：X"),
              (60, 338, "2.现授权深圳安泰星辰商贸有限公司（统一社会信用代码：9144030042830PD10A）"),
              (60, 342, "I-SQ-2023-89103)。"), (60, 400, "在淘宝平台销售由我司供应的星岚品牌小家电产品。")]
    f = extract_fields("authorization_letter", _page(tilted))["parent_serial"]
    assert f.value == "XI-SQ-2023-89103" and f.box[1] == 300
    # Tilted the other way, the wrapped rest is sorted just before the label's line (A-107-000137).
    before = [(60, 296, "O-SQ-2024-67013)。"),
              (60, 300, "1.深圳宏图鸿运贸易有限公司为铂骏品牌的授权经销商（授权编号：B"),
              (60, 340, "2.现授权广州华悦天成科技有限公司")]
    f = extract_fields("authorization_letter", _page(before))["parent_serial"]
    assert f.value == "BO-SQ-2024-67013" and f.box[1] == 300
    # The line after next is no continuation when the next line is not a clause of its own: its bracket lost,
    # the serial stays unread rather than being built from the next clause's '2)'.
    lost = [(60, 300, "为澜图品牌的授权经销商（授权编号：LA-SQ-2024-0"), (60, 340, "9084。"),
            (60, 380, "2)现授权义乌瑞丰永兴科技有限公司")]
    assert "parent_serial" not in extract_fields("authorization_letter", _page(lost))
    # Wrapped between the label and its colon (A-073-000089, a PDF export): the serial is on the next line.
    label_only = [(60, 300, "1. 上海锦程新纪元贸易有限公司为澜图品牌在中国大陆地区的授权经销商(授权编号"),
                  (60, 340, ": LA-SQ-2024-09084)。"), (60, 400, "2. 现授权义乌瑞丰永兴科技有限公司")]
    f = extract_fields("authorization_letter", _page(label_only))["parent_serial"]
    assert f.value == "LA-SQ-2024-09084" and f.box[1] == 340


def _line(text, box, slope):
    x0, y0, x1, y1 = box
    drop = int(round(slope * (x1 - x0)))
    top = (y0 - drop, y0) if drop < 0 else (y0, y0 + drop)  # left and right ends of the top edge
    return OcrLine(text, box, ((x0, top[0]), (x1, top[1]), (x1, y1), (x0, y1)), 0.99)


def test_tilted_receipt_rows_pair_each_label_with_its_own_value():
    # Boxes as OCR gave them on a photographed receipt whose rows rise to the right (slope -0.04): each value
    # sits 25 px above its label's centre, and the next row's value only 14 px below it.
    slope = -0.04
    boxes = [("40 Boulevard Haussmann, 75009 Paris", (130, 140, 760, 180)), ("194,78", (711, 588, 795, 627)),
             ("Total HT", (223, 612, 337, 652)), ("38,96", (722, 625, 796, 667)), ("TVA 20%", (222, 653, 326, 693)),
             ("233,74", (690, 668, 795, 718)), ("Total TTC EUR", (222, 691, 445, 743))]
    page = [PageText(0, tuple(_line(t, b, slope) for t, b in boxes), "test")]
    f = extract_fields("receipt", page)
    assert (f["subtotal"].value, f["tax"].value, f["total"].value) == (194.78, 38.96, 233.74)


def test_tilted_invoice_tax_found_beside_its_amount():
    # A-105-000210, a photo sloping down to the right (1 in 40): the tax figure's centre sat 20 px below the top
    # of the 价税合计 line, 900 px to its right, and 17 px below the 合计 row: left unread, the forged total went
    # unchecked.
    slope = 0.024
    boxes = [("金额", (714, 409, 751, 431)), ("税额", (975, 413, 1014, 435)), ("106018.00", (715, 436, 800, 458)),
             ("13782.34", (1070, 450, 1140, 472)), ("39779.00", (716, 476, 800, 498)),
             ("5171.27", (1075, 490, 1140, 512)), ("合计", (201, 563, 261, 591)),
             ("价税合计（大写）", (157, 595, 261, 622)), ("¥159080.40", (713, 587, 798, 614)),
             ("¥20680.45", (1065, 602, 1149, 628)), ("壹拾柒万玖仟柒佰陆拾壹圆柒角伍分", (300, 600, 700, 628)),
             ("(小写)", (923, 628, 979, 655)), ("¥179761.75", (977, 632, 1072, 661)),
             ("名称：深圳宏图鸿运贸易有限公司", (160, 660, 700, 690)),
             ("开户行及账号：招商银行深圳分行", (160, 720, 700, 750))]
    page = [PageText(0, tuple(_line(t, b, slope) for t, b in boxes), "test")]
    f = extract_fields("purchase_invoice", page)
    assert (f["amount"].value, f["tax"].value, f["total"].value) == (159080.40, 20680.45, 179761.75)


def test_invoice_parties_when_a_photo_loses_one_side_label():
    # Only the buyer's vertical side label was read; the second 名称 row lies far below it: the seller's.
    rows = [(130, 330, "购"), (60, 300, "名称：成都新纪元华悦进出口有限公司"),
            (60, 690, "名称：澜图（上海）化妆品有限公司"), (900, 835, "销售方：")]
    lines = [OcrLine(t, (x, y, x + 20 * len(t), y + 30), ((x, y), (x + 20 * len(t), y), (x + 20 * len(t), y + 30),
                                                          (x, y + 30)), 0.99) for x, y, t in rows]
    # The side label is printed top to bottom.
    lines[0] = OcrLine("购买方", (130, 329, 162, 421), ((130, 329), (162, 329), (162, 421), (130, 421)), 0.99)
    f = extract_fields("purchase_invoice", [PageText(0, tuple(lines), "test")])
    assert f["buyer_name"].value == "成都新纪元华悦进出口有限公司"
    assert f["seller_name"].value == "澜图（上海）化妆品有限公司"


def test_an_items_header_word_beside_a_name_label_is_no_name():
    # A-105-000219, a fax that lost the buyer's name: the items table's '规格型号' was read as it, and
    # buyer_not_seller fired on a genuine invoice.
    for word in ("规格型号", "单价", "税率", "金额"):
        rows = [(130, 330, "购"), (60, 300, "名称："), (420, 302, word), (60, 690, "名称：上海锦程新纪元贸易有限公司"),
                (900, 835, "销售方：")]
        lines = [OcrLine(t, (x, y, x + 20 * len(t), y + 30),
                         ((x, y), (x + 20 * len(t), y), (x + 20 * len(t), y + 30), (x, y + 30)), 0.99)
                 for x, y, t in rows]
        lines[0] = OcrLine("购买方", (130, 329, 162, 421), ((130, 329), (162, 329), (162, 421), (130, 421)), 0.99)
        f = extract_fields("purchase_invoice", [PageText(0, tuple(lines), "test")])
        assert "buyer_name" not in f, word
        assert f["seller_name"].value == "上海锦程新纪元贸易有限公司"


def test_a_serial_printed_under_its_label_on_a_photo_with_overlapping_boxes():
    # A photographed letter (A-071-000172): '编号：' right-aligned with its serial on the next line; the padded
    # boxes overlap by a third of a line, which once read as 'same row', so the serial was lost.
    lines = (OcrLine("编号：", (812, 279, 864, 312), ((812, 279), (864, 279), (864, 312), (812, 312)), 0.93),
             OcrLine("BO-SQ-2024-66686", (734, 302, 872, 334), ((734, 302), (872, 302), (872, 334), (734, 334)), 1.0))
    f = extract_fields("authorization_letter", [PageText(0, lines, "test")])
    assert f["serial"].value == "BO-SQ-2024-66686"


def test_a_value_on_the_labels_own_row_is_not_taken_for_the_line_below():
    lines = (OcrLine("编号：", (812, 279, 864, 312), ((812, 279), (864, 279), (864, 312), (812, 312)), 0.93),
             OcrLine("LA-SQ-2024-00001", (700, 281, 800, 311), ((700, 281), (800, 281), (800, 311), (700, 311)), 1.0))
    assert "serial" not in extract_fields("authorization_letter", [PageText(0, lines, "test")])


def test_a_total_right_of_its_label_on_a_photo_with_overlapping_boxes():
    # A-071-000208: '(小写)' and its figure overlap by 10 px; the figure was once lost, and with it the check of
    # the amount in words.
    def line(t, box, conf):
        x0, y0, x1, y1 = box
        return OcrLine(t, box, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), conf)

    lines = (line("价税合计（大写）", (175, 587, 284, 610), 0.99),
             line("玖万玖仟捌佰零玖圆叁角肆分", (300, 587, 560, 610), 0.98),
             line("(小写)", (919, 579, 977, 600), 0.96), line("¥99799.34", (967, 580, 1045, 600), 0.97))
    f = extract_fields("purchase_invoice", [PageText(0, lines, "test")])
    assert f["total"].value == 99799.34 and f["total_in_words"].value == 99809.34


def test_a_yen_sign_read_as_v_in_the_totals_row_is_still_the_amount():
    # A-083-000253 and 254: photos read '¥111151.80' as 'V111151.80'. Dropped, the amount was once taken from
    # the tax's own cell, and one figure filled both fields.
    rows = [(600, 400, "金额"), (1000, 400, "税额"), (60, 700, "合计"), (560, 700, "V111151.80"),
            (980, 700, "¥14449.73"), (60, 760, "价税合计（大写）"), (900, 760, "（小写）¥125601.53")]
    f = extract_fields("purchase_invoice", _page(rows))
    assert (f["amount"].value, f["tax"].value, f["total"].value) == (111151.8, 14449.73, 125601.53)
    assert f["amount"].box != f["tax"].box
    # A model number such as 'Y2024' is no figure.
    assert "amount" not in extract_fields("purchase_invoice", _page([(60, 700, "合计"), (560, 700, "Y2024型")]))


def test_amount_in_words_split_by_a_misread_character_stays_unread():
    # A-083-000082 and 109 (faxes): '壹' read as '杏', '壹' as '密'. The words before the break once stood for the
    # whole amount and disagreed with the figure.
    for words in ("壹拾陆万叁仟贰佰零壹圆杏角伍分", "叁拾贰万玖仟肆佰零贰圆玖角密分"):
        f = extract_fields("purchase_invoice", _page([(60, 760, "价税合计（大写）"), (300, 760, words)]))
        assert "total_in_words" not in f, words
    whole = "⊗壹拾陆万叁仟贰佰零壹圆壹角伍分"
    f = extract_fields("purchase_invoice", _page([(60, 760, "价税合计（大写）"), (300, 760, whole)]))
    assert f["total_in_words"].value == 163201.15


def test_photographed_rows_that_overlap_keep_their_own_figures():
    # A-083-000196, a Japanese receipt photographed: the tax label's padded box sits as near the subtotal's figure
    # as its own, and the subtotal's was once taken as the tax.
    def line(t, box):
        x0, y0, x1, y1 = box
        return OcrLine(t, box, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), 0.98)

    lines = (line("小計", (40, 634, 110, 672)), line("¥30,545", (441, 648, 560, 686)),
             line("消費税 10%", (40, 668, 190, 709)), line("¥3,055", (537, 689, 640, 722)),
             line("合計", (40, 720, 110, 760)), line("¥33,600", (520, 724, 640, 762)))
    f = extract_fields("receipt", [PageText(0, lines, "test")])
    assert (f["subtotal"].value, f["tax"].value, f["total"].value) == (30545, 3055, 33600)


def test_a_fax_that_lost_both_side_labels_places_parties_by_the_totals_row():
    # A-083-000137: 购买方 and 销售方 and the buyer's 名称 label were lost; the one labelled name, the seller's, was
    # once taken as the buyer's (the first seen) and the appeal's seller called a stranger.
    rows = [(100, 200, "：东莞卓越明辉贸易有限公司"), (60, 600, "价税合计（大写）"), (900, 600, "（小写）¥35999.54"),
            (100, 650, "称：上海锦程新纪元贸易有限公司"), (100, 690, "纳税人识别号：9131011544WHCXGCX7")]
    f = extract_fields("purchase_invoice", _page(rows))
    assert f["seller_name"].value == "上海锦程新纪元贸易有限公司" and f["seller_uscc"].value == "9131011544WHCXGCX7"
    assert "buyer_name" not in f and "buyer_uscc" not in f


def test_a_date_whose_first_digit_the_label_line_swallowed_is_still_read():
    # A-083-000116, a photo: '开票日期：2' ends at x=1043 and '2024年04月20日' starts at x=1030. The '2' was taken
    # as the value, no date parsed, and the invoice-before-letter check had no date to judge.
    def line(t, box):
        x0, y0, x1, y1 = box
        return OcrLine(t, box, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), 0.97)

    lines = (line("开票日期：2", (900, 309, 1043, 339)), line("2024年04月20日", (1030, 309, 1230, 339)),
             line("上海增值税普通发票", (400, 280, 800, 320)))
    assert extract_fields("purchase_invoice", [PageText(0, lines, "test")])["issued_on"].value == "2024-04-20"


def test_the_top_third_of_a_photo_starts_at_its_first_printed_line():
    # The desk above a photographed invoice pushed its date out of the image's top third.
    rows = [(900, 330, "2024年04月20日"), (400, 300, "上海增值税普通发票"), (60, 500, "名称：某某公司"),
            (60, 700, "合计"), (60, 900, "收款人：胡杰"), (60, 1000, "销售方：（章）")]
    assert extract_fields("purchase_invoice", _page(rows))["issued_on"].value == "2024-04-20"


def _boxed(rows):
    return [PageText(0, tuple(OcrLine(t, b, ((b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3])), 0.98)
                              for t, b in rows), "test")]


def test_a_till_rolls_figures_at_the_far_edge_are_still_its_subtotal_and_tax():
    # A-007-000084, a US receipt scanned at 200 dpi: 'Subtotal' and its figure 375 px apart at 30 px high (12.5
    # line heights), beyond the reach a form's value has; the total was read, the subtotal and tax were not, and
    # a total raised by ten dollars went unchecked.
    page = _boxed([("Subtotal", (29, 461, 133, 491)), ("$75.60", (508, 461, 589, 494)),
                   ("VAT 20%", (28, 499, 122, 529)), ("$6.71", (520, 498, 589, 532)),
                   ("TOTAL USD", (27, 539, 177, 577)), ("$92.31", (486, 547, 573, 584)),
                   ("Payment: CASH", (28, 592, 181, 624))])
    f = extract_fields("receipt", page)
    assert (f["subtotal"].value, f["tax"].value, f["total"].value) == (75.60, 6.71, 92.31)
    found = ReceiptArithmetic().run(ctx("receipt", {k: v.value for k, v in f.items()}))
    assert [x.id for x in found] == ["content.receipt_sum_mismatch"]
    assert found[0].expected == 82.31


def test_a_japanese_consumption_tax_read_with_the_simplified_character_is_the_tax():
    # A-007-000239: OCR read 消費税 as 消费税, and the tax of a total raised from ¥26,200 to ¥76,200 was unread.
    page = _boxed([("小計", (22, 394, 66, 421)), ("¥23,818", (373, 399, 442, 423)),
                   ("消费税 10%", (22, 421, 120, 449)), ("¥2,382", (381, 427, 442, 451)),
                   ("合計JPY", (22, 452, 123, 487)), ("¥76,200", (345, 463, 424, 492)),
                   ("免税 Tax-Free", (23, 521, 139, 545))])
    f = extract_fields("receipt", page)
    assert (f["subtotal"].value, f["tax"].value, f["total"].value) == (23818, 2382, 76200)
    found = ReceiptArithmetic().run(ctx("receipt", {k: v.value for k, v in f.items()}))
    assert [x.id for x in found] == ["content.receipt_sum_mismatch"]


def test_an_open_ended_business_term_starts_on_its_date():
    page = _boxed([("成立日期", (752, 393, 836, 423)), ("2015年08月05日", (880, 395, 1040, 423)),
                   ("营业期限", (753, 433, 835, 460)), ("2023年08月05日至无固定期限", (880, 435, 1087, 460))])
    f = extract_fields("business_license", page)
    assert (f["established_on"].value, f["valid_from"].value) == ("2015-08-05", "2023-08-05")
    assert "valid_to" not in f


def test_a_total_read_with_stray_dots_among_its_digits_is_still_the_total():
    # A-431-000068: a total copy-moved to ¥107998.62 read '¥10.7998.62' (the seam between moved digits read as a
    # dot); unread, neither the sum nor the words were checked against it.
    page = _boxed([("合计", (137, 519, 210, 548)), ("¥31858.00", (763, 523, 846, 544)),
                   ("¥4141.54", (987, 522, 1062, 543)), ("价税合计（大写）", (80, 560, 207, 584)),
                   ("叁万伍仟玖佰玖拾玖圆伍角肆分", (226, 561, 487, 584)),
                   ("(小写) ¥10.7998.62", (828, 560, 986, 584))])
    f = extract_fields("purchase_invoice", page)
    assert (f["amount"].value, f["tax"].value, f["total"].value) == (31858.0, 4141.54, 107998.62)
    found = {x.id for x in InvoiceArithmetic().run(ctx("purchase_invoice", {k: v.value for k, v in f.items()}))}
    assert "content.invoice_sum_mismatch" in found


def test_a_total_with_one_decimal_point_is_read_as_printed():
    page = _boxed([("价税合计（大写）", (80, 560, 207, 584)), ("(小写) ¥35999.54", (828, 560, 986, 584))])
    assert extract_fields("purchase_invoice", page)["total"].value == 35999.54


_COUNTER_RECEIPT = [("商品", (213, 413, 259, 444)), ("数量", (474, 425, 521, 457)), ("金额", (617, 432, 664, 463)),
                    ("铂骏跑步鞋", (211, 445, 314, 481)), ("铂骏运动T恤", (206, 506, 321, 544)),
                    ("2", (501, 493, 519, 517)), ("¥1,198.00", (570, 493, 662, 523)), ("3", (498, 551, 517, 577)),
                    ("¥597.00", (585, 553, 661, 584)), ("铂骏篮球鞋", (204, 567, 310, 606)),
                    ("2", (496, 613, 516, 639)), ("¥1,798.00", (567, 613, 659, 644)), ("合计CNY", (200, 663, 320, 708))]


@pytest.mark.parametrize(("total", "found"), [("¥6,593.00", ["content.receipt_sum_mismatch"]), ("¥3,593.00", [])])
def test_a_counter_receipts_item_lines_are_held_to_its_total(total, found):
    # A-431-000008, a photographed counter receipt with no subtotal or tax line: its total retyped from ¥3,593.00
    # to ¥6,593.00 had no finding while the three item lines were read.
    page = _boxed([*_COUNTER_RECEIPT, (total, (528, 680, 655, 721)), ("支付方式：银联卡", (198, 711, 360, 749))])
    f = extract_fields("receipt", page)
    assert (f["items_total"].value, f["items_count"].value) == (3593.0, 3)
    assert [x.id for x in ReceiptArithmetic().run(ctx("receipt", {k: v.value for k, v in f.items()}))] == found


def test_item_lines_of_a_tilted_photo_stop_at_the_totals_block_of_their_own_column():
    # A-007-000080, the lines OCR read between header and footer, as tilted as the photo: rows fall to the right, so
    # the subtotal's figure sits 50 px under its label; the second item's figure, lower than the label's top, is
    # still an item, the subtotal's is not.
    lines = [
        ("品名", ((205, 409), (261, 415), (257, 452), (201, 445))),
        ("BOJUN 运动T恤", ((204, 449), (362, 465), (359, 497), (201, 481))),
        ("数量", ((523, 446), (580, 450), (577, 486), (520, 481))),
        ("金額", ((697, 465), (754, 470), (751, 506), (694, 502))),
        ("BOJUN 跑步鞋", ((205, 515), (352, 530), (349, 563), (202, 547))),
        ("1", ((557, 524), (578, 524), (578, 550), (557, 550))),
        ("¥4,200", ((676, 533), (754, 541), (750, 573), (673, 565))),
        ("1", ((558, 589), (579, 589), (579, 616), (558, 616))),
        ("¥12,600", ((666, 597), (755, 606), (751, 638), (663, 629))),
        ("小計", ((206, 614), (269, 620), (265, 659), (202, 653))),
        ("消費税 10%", ((206, 652), (340, 664), (337, 699), (203, 687))),
        ("¥15,273", ((664, 665), (756, 673), (753, 706), (661, 698))),
        ("合計JPY", ((208, 691), (344, 704), (339, 747), (204, 734))),
        ("¥1,527", ((675, 700), (757, 708), (754, 742), (672, 734))),
        ("お支払:クレジット", ((209, 743), (418, 762), (415, 794), (206, 775))),
        ("¥16,800", ((631, 734), (757, 747), (753, 787), (627, 775))),
        ("免税 Tax-Free", ((209, 777), (367, 792), (364, 824), (206, 808))),
    ]
    page = [PageText(0, tuple(OcrLine(t, (min(x for x, _ in q), min(y for _, y in q), max(x for x, _ in q),
                                          max(y for _, y in q)), q, 0.98) for t, q in lines), "test")]
    f = extract_fields("receipt", page)
    assert f["items_total"].value == 16800
    assert ReceiptArithmetic().run(ctx("receipt", {k: v.value for k, v in f.items()})) == []


def _till(*rows):
    """A receipt: header row, then (name, figure) rows at 40 px each, then TOTAL 60.00."""
    out = [("Item", (20, 100, 80, 130)), ("Amount", (500, 100, 590, 130))]
    y = 150
    for name, fig in rows:
        out.append((name, (20, y, 20 + 18 * len(name), y + 30)))
        if fig:
            out.append((fig, (510, y, 590, y + 30)))
        y += 40
    return _boxed([*out, ("TOTAL", (20, y + 20, 100, y + 50)), ("60.00", (510, y + 20, 590, y + 50))])


@pytest.mark.parametrize(("rows", "items"), [
    ([("SOAP", "50.00"), ("BAG", "10.00")], 60.0),
    # An item named like a totals label ends the items there: nothing above it is summed, nothing judged.
    ([("TOTAL CARE PASTE", "50.00"), ("BAG", "10.00")], None),
    ([("SOAP", "50.00"), ("TOTAL CARE PASTE", "10.00")], None),
    # A unit price reaching into the column, or a discount among the items: the sum would be a guess.
    ([("SOAP", "50.00"), ("COKE 2 x 1.50 . . . . . . . . .", "10.00")], None),
    ([("SOAP", "70.00"), ("DISCOUNT", "10.00")], None),
])
def test_receipt_item_lines_sum_only_what_is_one_item_each(rows, items):
    f = extract_fields("receipt", _till(*rows))
    assert (f["items_total"].value if "items_total" in f else None) == items
    assert ReceiptArithmetic().run(ctx("receipt", {k: v.value for k, v in f.items()})) == []


@pytest.mark.parametrize("label", ["Total HT", "TotalHT"])
def test_a_french_subtotal_whose_space_ocr_swallowed_is_still_the_subtotal(label):
    # A-471-000006, a genuine scanned ticket de caisse: OCR read 'Total HT' as 'TotalHT', its figure was summed as a
    # second item line and the receipt scored 0.98 for items that did not make the total.
    rows = [("Article", (39, 316, 126, 345)), ("Qté", (373, 313, 419, 348)), ("Montant", (514, 315, 603, 344)),
            ("XINGLAN 空气炸锅", (40, 354, 224, 386)), ("2", (399, 390, 419, 417)), ("129,74", (526, 388, 602, 419)),
            (label, (41, 463, 145, 493)), ("108,12", (520, 462, 603, 494)), ("TVA 20%", (41, 500, 134, 530)),
            ("21,62", (532, 499, 603, 533)), ("Total TTC EUR", (42, 542, 250, 577)), ("129,74", (499, 541, 602, 581))]
    f = extract_fields("receipt", _boxed(rows))
    assert (f["subtotal"].value, f["tax"].value, f["total"].value, f["items_total"].value) == (108.12, 21.62, 129.74,
                                                                                               129.74)
    assert ReceiptArithmetic().run(ctx("receipt", {k: v.value for k, v in f.items()})) == []


def test_a_photographed_receipts_shop_is_its_largest_letters_not_its_tallest_box():
    # A-601-000128, a photographed US receipt: the tilted address line's box (83 px) was taller than the shop's name
    # (79 px), though its letters are smaller (38 px against 43). The address was taken for the store, the store
    # list could not place the shop in the US, and a receipt in euros went unquestioned.
    quads = [("MADISON GRAND", ((328, 187), (704, 223), (699, 266), (324, 230))),
             ("611 Fifth Avenue, New York NY 10022", ((287, 240), (752, 286), (748, 323), (283, 278))),
             ("SALES RECEIPT", ((391, 299), (651, 323), (648, 359), (387, 335)))]
    lines = tuple(OcrLine(t, (min(x for x, _ in q), min(y for _, y in q), max(x for x, _ in q), max(y for _, y in q)),
                          q, 0.99) for t, q in quads)
    assert lines[1].height > lines[0].height and lines[1].text_height < lines[0].text_height
    assert extract_fields("receipt", [PageText(0, lines, "test")])["store"].value == "MADISON GRAND"


@pytest.mark.parametrize(("raw", "currency", "value"), [
    ("4,2.6,2.0", "EUR", "426.20"),  # A-467-000025: copy-moved digits, each seam read as a separator
    ("¥6,3.80.00", "CNY", "6380.00"),  # A-463-000041
    ("€1.2.3,4.5", "EUR", "123.45"),
    ("$4.5.6.7", "USD", "45.67"),
    ("¥3,9.8.0", "JPY", "3980"),  # a till in yen prints no decimals
    ("1,2.3", "GBP", "1.23"),
    ("¥6,380.00", "CNY", None),  # parses as written: not split
    ("426,20", "EUR", None),
    ("1.234,56", "EUR", None),  # a German grouping
    ("12.50", "EUR", None),  # one separator
    ("4,2.6", None, None),  # no currency: the decimals are unknown
    ("1.2", "JPY", None),
    (".,", "EUR", None),
    ("12.03.2024", "EUR", None),  # a date on the total's row, when the total itself was lost
    ("1.2.2024", "EUR", None),  # a date with a one-digit month: a seam's shape, but a date
    ("0171.234.5678", "EUR", None),  # a phone number: no single digit between separators
])
def test_a_figure_split_by_stray_separators_is_read_by_its_digits(raw, currency, value):
    from decimal import Decimal

    from appealcheck.extract.fields import split_figure

    got = split_figure(raw, currency)
    assert got == (Decimal(value) if value is not None else None)


@pytest.mark.parametrize(("seed", "index", "total", "expected"), [
    (467, 25, 426.20, 226.20),  # 'Total TTC EUR' then '4,2.6,2.0': subtotal and tax add up to 226,20
    (463, 41, 6380.00, 1380.00),  # '合计 CNY' then '¥6,3.80.00': the items add up to ¥1,380.00
])
def test_a_copy_moved_receipt_total_read_with_seams_as_separators_is_added_up(tmp_path, seed, index, total, expected):
    """Photographed receipts of fresh seeds 467 and 463 whose total was copy-moved: the seams between the moved
    digits read as dots and commas, the total went unread, and nothing was added up (both appeals scored under
    0.3). The files as the seller sent them, through real OCR."""
    from appealcheck.api import Scanner
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    out = build(seed, index, 0.4, serial_forgers(seed), ())
    name = next(d["file"] for d in out.label["documents"] if d["kind"] == "receipt")
    assert next(d for d in out.label["documents"] if d["file"] == name)["ops"] == ["field_copy_move"]
    (tmp_path / name).write_bytes(dict(out.files)[name])
    result = Scanner().scan(tmp_path / name)
    (doc,) = result.documents
    assert doc.fields["total"].value == total
    hit = [f for f in doc.findings if f.id == "content.receipt_sum_mismatch"]
    assert len(hit) == 1 and hit[0].measured == total and hit[0].expected == expected, doc.findings


HEADS = [(300, 200, "单价"), (400, 200, "金额"), (520, 200, "税率"), (620, 200, "税额")]
TOTALS = [(150, 420, "合计"), (380, 420, "¥1300.00"), (600, 420, "¥169.00"), (60, 460, "价税合计（大写）")]


@pytest.mark.parametrize(("rows", "expected"), [
    # Two lines, each with its amount, rate and tax on its row.
    ([(400, 260, "1000.00"), (520, 260, "13%"), (620, 260, "130.00"),
      (400, 300, "300.00"), (520, 300, "13%"), (620, 300, "39.00")], [(1000.0, 0.13, 130.0), (300.0, 0.13, 39.0)]),
    # An exempt line: 免税 for the rate, stars for the tax.
    ([(400, 260, "1000.00"), (520, 260, "13%"), (620, 260, "130.00"),
      (400, 300, "300.00"), (520, 300, "免税"), (620, 300, "***")], [(1000.0, 0.13, 130.0), (300.0, None, None)]),
    # A line's tax lost by the OCR: the table is not read whole, so not at all.
    ([(400, 260, "1000.00"), (520, 260, "13%"), (620, 260, "130.00"),
      (400, 300, "300.00"), (520, 300, "13%")], None),
    # An amount merged with its rate into one OCR line: the row cannot be split safely.
    ([(400, 260, "1000.00 13%"), (620, 260, "130.00")], None),
    # A figure misread with a letter: not one figure, nothing read.
    ([(400, 260, "1O00.00"), (520, 260, "13%"), (620, 260, "130.00")], None),
])
def test_the_items_table_is_read_whole_or_not_at_all(rows, expected):
    f = extract_fields("purchase_invoice", _page(HEADS + rows + TOTALS))
    assert f["amount"].value == 1300.0
    got = f.get("item_lines")
    assert (None if got is None else [(r["amount"], r["rate"], r["tax"]) for r in got.value]) == expected

"""Document kind from text and page shape."""

from __future__ import annotations

import pytest

from appealcheck.extract.classify import classify

CASES = [
    ("授权书\n授权方：艾克米(中国)有限公司\n被授权方：深圳市启航贸易有限公司\n特此授权", None, "authorization_letter"),
    ("授权委托书\n兹授权 张三 办理", None, "authorization_letter"),
    ("LETTER OF AUTHORIZATION\nWe hereby authorize Qihang Trading Co., Ltd.", None, "authorization_letter"),
    ("增值税专用发票\n发票代码：031001900111\n发票号码：12345678\n价税合计（大写）", None, "purchase_invoice"),
    ("电子发票（普通发票）\n发票号码：24312000000012345678\n购买方信息\n销售方信息", None, "purchase_invoice"),
    ("INVOICE\nInvoice No: INV-2024-001\nBill To: Qihang\nVAT 20%", None, "purchase_invoice"),
    ("HARBOUR CITY STORE\nReceipt No: 42\nSubtotal 45.40\nTOTAL USD 49.03", None, "receipt"),
    ("ALDI SÜD\nSUMME EUR 12,34\nBAR 20,00\nRückgeld 7,66", None, "receipt"),
    ("GALERIES LAFAYETTE\nTICKET\nTotal TTC 129,00\nTVA 20%", None, "receipt"),
    ("伊勢丹\n領収書\n小計 ¥12,000\n合計 ¥13,200", None, "receipt"),
    ("收银小票\n收银员：03\n合计：128.00\n找零：2.00", None, "receipt"),
    ("MILK 1.99\nBREAD 2.49", (400, 1200), "receipt"),
    ("营业执照\n统一社会信用代码 91310000MA1FL0XD32\n法定代表人 王伟\n注册资本 壹仟万元整\n经营范围", None,
     "business_license"),
    ("a photo of a cat", None, "other"),
    ("", None, "other"),
]


@pytest.mark.parametrize(("text", "shape", "kind"), CASES)
def test_classify(text, shape, kind):
    w, h = shape or (1240, 1754)
    assert classify(text, w, h).kind == kind

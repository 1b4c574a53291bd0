"""Every registered check: deterministic, boxes inside the page, silent on a blank page and on missing data."""

from __future__ import annotations

import numpy as np
import pytest

from appealcheck.checks import DocContext, default_checks
from appealcheck.extract.fields import extract_fields
from appealcheck.models import Appeal, Document, FileInfo, OcrLine, Page, PageText, Seller

W, H = 1240, 1754


def _line(text, y):
    return OcrLine(text, (100, y, 100 + 30 * len(text), y + 32), ((100, y), (1000, y), (1000, y + 32), (100, y + 32)),
                   0.99)


def _ctx(kind, lines, submitted="2024-06-01"):
    page = Page(0, np.full((H, W, 3), 255, np.uint8), 150)
    doc = Document("d.png", FileInfo("png", 1, "0" * 64), (page,))
    appeal = Appeal("A", "A", None, submitted, Seller(), (doc,))
    ocr = (PageText(0, tuple(lines), "test"),)
    return DocContext(appeal, doc, kind, extract_fields(kind, ocr), ocr, None)


FORGED_TEXT = {
    "authorization_letter": ["授权书", "授权方：艾克米(中国)有限公司", "统一社会信用代码：91310000MA1FL0XD33",
                             "授权期限：2025年2月30日至2024年12月31日", "授权期限：2025年1月1日至2024年12月31日"],
    "purchase_invoice": ["增值税普通发票", "价税合计（大写）壹万元整", "（小写）¥10000.50"],
}


@pytest.mark.parametrize("check", default_checks(), ids=lambda c: c.id)
def test_blank_page_gives_nothing(check):
    for kind in ("authorization_letter", "purchase_invoice", "receipt", "business_license", "other"):
        assert check.run(_ctx(kind, [])) == []


@pytest.mark.parametrize("check", default_checks(), ids=lambda c: c.id)
def test_deterministic_and_boxes_inside_page(check):
    for kind, texts in FORGED_TEXT.items():
        ctx = _ctx(kind, [_line(t, 100 + 60 * i) for i, t in enumerate(texts)])
        first, second = check.run(ctx), check.run(ctx)
        assert first == second
        for f in first:
            assert f.id.startswith(check.id.split(".")[0] + ".")
            assert f.box is not None and 0 <= f.box[0] <= f.box[2] <= W and 0 <= f.box[1] <= f.box[3] <= H


def test_forged_text_fires_each_content_check():
    fired = set()
    for kind, texts in FORGED_TEXT.items():
        ctx = _ctx(kind, [_line(t, 100 + 60 * i) for i, t in enumerate(texts)])
        for check in default_checks():
            if not check.applies_to or kind in check.applies_to:
                fired |= {f.id for f in check.run(ctx)}
    assert fired == {"content.uscc_check_digit", "content.date_impossible", "content.total_words_mismatch",
                     "content.issued_after_appeal"}

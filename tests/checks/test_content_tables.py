"""Table-driven cases for the content checks: fields in, exact finding ids out.

Fields are given directly (the extraction has its own tests); the brand pack is a small in-memory one.
"""

from __future__ import annotations

import numpy as np
import pytest

from appealcheck.checks import DocContext, default_checks
from appealcheck.checks.names import best_match, canonical, looks_like_person
from appealcheck.models import Appeal, Document, FieldValue, FileInfo, Page, Seller
from appealcheck.rules.pack import BrandPack

BRAND = BrandPack.model_validate({
    "schema_version": 1, "id": "acme", "name": "ACME", "version": "1.0.0", "names": ["艾克米", "ACME"],
    "entities": [{"name": "艾克米(中国)有限公司", "uscc": "91310000MA1FL0XD32", "role": "owner"}],
    "distributors": [{"name": "上海锦程贸易有限公司", "uscc": "91310115MA1H7XWJ5N",
                      "valid_from": "2024-01-01", "valid_to": "2025-12-31"}],
    "known_forgeries": [{"sha256": "f" * 64, "note": "sold in 2024"}],
    "policy": {"individuals_allowed": False, "max_validity_days": 730},
})
SELLER = "深圳市启航贸易有限公司"


def ctx(kind, fields, seller=SELLER, submitted="2025-06-01", sha="0" * 64, software=None, seller_uscc=None):
    page = Page(0, np.full((100, 100, 3), 255, np.uint8), 150)
    doc = Document("d.png", FileInfo("png", 1, sha, software=software), (page,))
    appeal = Appeal("A", "A", "acme", submitted, Seller(name=seller, uscc=seller_uscc), (doc,))
    fv = {k: FieldValue(k, v, getattr(v, "raw", str(v)), 0, (1, 1, 20, 10), 0.99) for k, v in fields.items()}
    return DocContext(appeal, doc, kind, fv, (), BRAND)


def ids(c):
    out = set()
    for check in default_checks():
        if not check.applies_to or c.kind in check.applies_to:
            out |= {f.id for f in check.run(c)}
    return out


L = "authorization_letter"
INV = "purchase_invoice"
R = "receipt"
GOOD_LETTER = {"licensor": "艾克米(中国)有限公司", "licensee": SELLER, "valid_from": "2025-01-01",
               "valid_to": "2025-12-31", "issued_on": "2025-01-01"}
GOOD_INVOICE = {"buyer_name": SELLER, "seller_name": "上海锦程贸易有限公司", "amount": 8850.0, "tax": 1150.5,
                "total": 10000.5, "total_in_words": 10000.5, "invoice_no": "12345678", "issued_on": "2025-03-15"}

CASES = [
    # (name, kind, fields, extra ctx kwargs, expected ids)
    ("genuine letter", L, GOOD_LETTER, {}, set()),
    ("full-width brackets are the same name", L, {**GOOD_LETTER, "licensor": "艾克米（中国）有限公司"}, {}, set()),
    ("traditional script is the same name", L, {**GOOD_LETTER, "licensee": "深圳市啟航貿易有限公司"}, {}, set()),
    ("spaces from OCR are the same name", L, {**GOOD_LETTER, "licensee": "深圳市 启航贸易 有限公司"}, {}, set()),
    ("look-alike brand 艾克美", L, {**GOOD_LETTER, "licensor": "艾克美(中国)有限公司"}, {},
     {"content.licensor_lookalike"}),
    ("unknown licensor", L, {**GOOD_LETTER, "licensor": "广州市白云区宏发商行"}, {}, {"content.licensor_unknown"}),
    ("Cyrillic letters in a Latin name", L, {**GOOD_LETTER, "licensor": "АCME Trading"}, {},
     {"content.licensor_lookalike"}),
    ("distributor inside its period", L, {**GOOD_LETTER, "licensor": "上海锦程贸易有限公司"}, {}, set()),
    ("distributor letter after its period", L,
     {**GOOD_LETTER, "licensor": "上海锦程贸易有限公司", "issued_on": "2026-02-01", "valid_from": "2026-02-01",
      "valid_to": "2026-12-31"}, {"submitted": "2026-06-01"},
     {"content.distributor_not_authorized"}),
    ("licensor code differs from the registry", L, {**GOOD_LETTER, "licensor_uscc": "91440300MA5G9BKX58"}, {},
     {"content.licensor_uscc_mismatch"}),
    ("licensee is someone else", L, {**GOOD_LETTER, "licensee": "杭州云帆电子商务有限公司"}, {},
     {"content.licensee_not_seller"}),
    ("brand authorises its distributor (chain start)", L, {**GOOD_LETTER, "licensee": "上海锦程贸易有限公司"}, {},
     set()),
    ("individual licensee", L, {**GOOD_LETTER, "licensee": "王小明"}, {"seller": "王小明"},
     {"content.individual_licensee"}),
    ("expired on the appeal date", L, GOOD_LETTER, {"submitted": "2026-03-01"}, {"content.period_outside"}),
    ("period reversed", L, {**GOOD_LETTER, "valid_to": "2024-06-30"}, {},
     {"content.period_reversed"}),
    ("period too long for policy", L, {**GOOD_LETTER, "valid_to": "2029-12-31"}, {}, {"content.period_too_long"}),
    ("letter dated after the appeal", L, {**GOOD_LETTER, "issued_on": "2025-07-01"}, {},
     {"content.issued_after_appeal"}),
    ("unread licensee is unknown, not a mismatch", L, {k: v for k, v in GOOD_LETTER.items() if k != "licensee"}, {},
     set()),
    ("known forged file", L, GOOD_LETTER, {"sha": "f" * 64}, {"content.known_forgery"}),
    ("edited in Photoshop", L, GOOD_LETTER, {"software": "Adobe Photoshop 25.0 (Windows)"},
     {"file.editing_software"}),
    ("camera firmware is not an editor", L, GOOD_LETTER, {"software": "HDR+ 1.0.612730843zd"}, set()),
    ("genuine invoice", INV, GOOD_INVOICE, {}, set()),
    ("sum off by 1000", INV, {**GOOD_INVOICE, "total": 11000.5, "total_in_words": 11000.5}, {},
     {"content.invoice_sum_mismatch"}),
    ("words disagree with figure", INV, {**GOOD_INVOICE, "total_in_words": 100000.5}, {},
     {"content.total_words_mismatch"}),
    ("buyer is not the seller", INV, {**GOOD_INVOICE, "buyer_name": "杭州云帆电子商务有限公司"}, {},
     {"content.buyer_not_seller"}),
    ("issuer look-alike", INV, {**GOOD_INVOICE, "seller_name": "上海锦呈贸易有限公司"}, {},
     {"content.invoice_issuer_lookalike"}),
    ("issuer unknown", INV, {**GOOD_INVOICE, "seller_name": "义乌市小商品批发部"}, {},
     {"content.invoice_issuer_unknown"}),
    ("invoice number of 9 digits", INV, {**GOOD_INVOICE, "invoice_no": "123456789"}, {},
     {"content.invoice_number_format"}),
    ("20-digit e-invoice number", INV, {**GOOD_INVOICE, "invoice_no": "25312000000012345678"}, {}, set()),
    ("invoice with nothing read", INV, {}, {}, set()),
    ("receipt adds up", R, {"subtotal": 45.4, "tax": 3.63, "total": 49.03, "date": "2025-03-15"}, {}, set()),
    ("receipt with tax included", R, {"subtotal": 49.03, "tax": 4.46, "total": 49.03}, {}, set()),
    ("receipt does not add up", R, {"subtotal": 45.4, "tax": 3.63, "total": 59.03}, {},
     {"content.receipt_sum_mismatch"}),
    ("receipt dated after the appeal", R, {"total": 10.0, "date": "2025-09-03"}, {}, {"content.issued_after_appeal"}),
    ("licence term from its founding", "business_license",
     {"established_on": "2015-08-05", "valid_from": "2015-08-05"}, {}, set()),
    ("licence founded years before its term", "business_license",
     {"established_on": "2010-08-05", "valid_from": "2015-08-05"}, {}, {"content.license_term_start"}),
    ("licence term unread", "business_license", {"established_on": "2010-08-05"}, {}, set()),
]


@pytest.mark.parametrize(("name", "kind", "fields", "kw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_content_case(name, kind, fields, kw, expected):
    assert ids(ctx(kind, fields, **kw)) == expected


@pytest.mark.parametrize(("a", "b", "same"), [
    ("艾克米（中国）有限公司", "艾克米(中国)有限公司", True),
    ("ＡＣＭＥ Co., Ltd.", "ACME CO LTD", True),
    ("深圳市啟航貿易有限公司", "深圳市启航贸易有限公司", True),
    ("艾克美(中国)有限公司", "艾克米(中国)有限公司", False),
])
def test_canonical_names(a, b, same):
    assert (canonical(a) == canonical(b)) is same


def test_best_match_reports_confusables_and_similarity():
    m = best_match("АСМЕ", ["ACME"])
    assert m.confusables and not m.exact and m.closest == "ACME"
    assert best_match("艾克美(中国)有限公司", ["艾克米(中国)有限公司"]).similarity == pytest.approx(88.9, abs=0.1)


@pytest.mark.parametrize(("name", "person"), [("王小明", True), ("王伟.", True), ("欧阳娜娜", True),
                                              ("启航商行", False), ("深圳市启航贸易有限公司", False),
                                              ("ACME Ltd", False)])
def test_looks_like_person(name, person):
    assert looks_like_person(name) is person


# ------------------------------------------------------------------ weekdays and resident IDs (OCR lines in)


def ctx_lines(*texts, kind="receipt"):
    from appealcheck.models import OcrLine, PageText

    lines = tuple(OcrLine(t, (10, 10 + 30 * i, 400, 36 + 30 * i),
                          ((10, 10 + 30 * i), (400, 10 + 30 * i), (400, 36 + 30 * i), (10, 36 + 30 * i)), 0.98)
                  for i, t in enumerate(texts))
    c = ctx(kind, {})
    return DocContext(c.appeal, c.document, kind, c.fields, (PageText(0, lines, "test"),), BRAND)


WEEKDAY_CASES = [
    ("2024年6月3日 星期一", set()),
    ("2024年6月3日 星期二", {"content.weekday_mismatch"}),
    ("开票日期：2024-06-09 周日", set()),
    ("2024-06-03 周日", {"content.weekday_mismatch"}),
    ("二〇二四年六月三日 礼拜一", set()),
    ("2024年6月3日(月)", set()),
    ("2024年6月4日（月）", {"content.weekday_mismatch"}),
    ("2024年6月9日 日曜日 10:31", set()),
    ("Tue, 4 Jun 2024 14:02", set()),
    ("Wed, 4 Jun 2024 14:02", {"content.weekday_mismatch"}),
    ("Mon 06/03/2024 11:20", set()),  # June 3 read as March 6 or as June 3: Monday fits one reading
    ("Sat 06/03/2024 11:20", {"content.weekday_mismatch"}),  # fits neither
    ("Mo. 03.06.2024 12:01", set()),
    ("Di. 03.06.2024 12:01", {"content.weekday_mismatch"}),
    ("Montag, 3. Juni 2024", set()),
    ("mardi 3 juin 2024", {"content.weekday_mismatch"}),
    ("每周一至周五 2024年6月4日", set()),  # two weekdays: a clause, not a dated line
    ("Datum 03.06.2024 So far so good", set()),  # 'So' is only a weekday right before a date
    ("2024年2月30日 星期五", set()),  # impossible dates are content.date_impossible's, not this check's
    ("星期二", set()),
    ("周六福珠宝有限公司 授权日期：2024年6月5日", set()),  # 周 in a company name
    ("法定代表人：周天明 2024年6月5日", set()),  # 周 as a surname
    ("每周一次巡检 有效期至2024年6月5日", set()),
    ("Licensee: Sun Wei, signed 2024-06-05", set()),  # a surname, far from the date
    ("Politique monétaire, Paris, le 5 juin 2024", set()),
    ("Total Fr. 120.50, Zürich, 05.06.2024", set()),  # Swiss francs, not Friday
]


@pytest.mark.parametrize("text,expected", WEEKDAY_CASES)
def test_weekday_table(text, expected):
    assert {i for i in ids(ctx_lines(text)) if i == "content.weekday_mismatch"} == expected


def test_weekday_finding_has_the_line_box_and_both_days():
    from appealcheck.checks.content import Weekday

    (f,) = Weekday().run(ctx_lines("总计 120.00", "2024-06-03 周日"))
    assert f.box == (10, 40, 400, 66) and f.measured == "周日" and f.expected == "Monday"


RESIDENT_ID_CASES = [
    ("身份证号码：11010519491231002X", set()),
    ("身份证号码：110105194912310021", {"content.resident_id_invalid"}),  # check digit
    ("身份证号：11010519491231002x", set()),  # lower-case x is written too
    ("公民身份号码 110105 19491231 002X", set()),  # OCR spaces inside
    ("身份证号码：110105194902301234", {"content.resident_id_invalid"}),  # February 30th
    ("身份证：440301199001011234", set()),
    ("身份证：44030119900101123X", {"content.resident_id_invalid"}),
    ("证件类型：营业执照 证件号码：914403001922038216", set()),  # 证件号码 alone labels company codes too
    ("身份证号码/统一社会信用代码：914403001922038216", set()),  # an all-digit company code is not an ID
    ("统一社会信用代码：913100001332972793", set()),  # no ID label: a company code, not this check's
    ("身份证号码：1101051949123100", set()),  # 16 digits: not an 18-digit ID, nothing to judge
    ("身份證號碼：11010519491231002X", set()),  # traditional characters
    ("身份证号码：未提供", set()),
]


@pytest.mark.parametrize("text,expected", RESIDENT_ID_CASES)
def test_resident_id_table(text, expected):
    assert {i for i in ids(ctx_lines(text, kind="authorization_letter"))
            if i == "content.resident_id_invalid"} == expected


def _codes_page(red_code_ink, seal_read="91310115MA1H7XWJ5P"):
    """A 400 x 200 page: the seller's code printed in black, its invoice seal's line below in `red_code_ink`,
    read as `seal_read`."""
    from PIL import Image, ImageDraw

    from tests import pages

    img = Image.new("RGB", (400, 200), (250, 250, 248))
    d = ImageDraw.Draw(img)
    d.text((10, 10), "91310115MA1H7XWJ5N", font=pages.font(20), fill=(20, 20, 20))
    d.text((10, 120), seal_read, font=pages.font(20), fill=red_code_ink)
    page = Page(0, np.asarray(img), 150)
    doc = Document("inv.jpg", FileInfo("jpeg", 1, "0" * 64), (page,))
    appeal = Appeal("A", "A", "acme", "2025-06-01", Seller(name=SELLER), (doc,))
    usccs = [{"code": "91310115MA1H7XWJ5N", "valid": True, "kind": "uscc", "page": 0, "box": [8, 8, 250, 34],
              "confidence": 0.99},
             {"code": seal_read, "valid": False, "kind": "uscc", "page": 0, "box": [8, 118, 250, 144],
              "confidence": 0.996}]
    fv = {"usccs": FieldValue("usccs", usccs, "", 0, (8, 8, 250, 34), 0.99)}
    return DocContext(appeal, doc, "purchase_invoice", fv, (), BRAND)


def test_a_seal_line_read_one_character_off_the_printed_code_is_the_ocrs_slip():
    # A-431-000064: the invoice seal's red line read ...XXF for the seller's ...XXE printed in black above it.
    assert "content.uscc_check_digit" not in ids(_codes_page((215, 40, 45)))


def test_a_seal_line_read_a_few_characters_off_the_printed_code_is_the_ocrs_slip():
    # A-1019-000047: 9144010679E37W0XNX printed, the seal's red line read 3144010579E37W0XNX (two off, check
    # character intact).
    assert "content.uscc_check_digit" not in ids(_codes_page((215, 40, 45), "31310116MA1H7XWJ5N"))
    # The same misreading printed in black is a code typed wrong.
    assert "content.uscc_check_digit" in ids(_codes_page((20, 20, 20), "31310116MA1H7XWJ5N"))


def test_a_seal_line_far_from_the_printed_code_is_still_judged():
    # Twelve characters from the seller's: not a misreading of it, so its bad check digit stands.
    assert "content.uscc_check_digit" in ids(_codes_page((215, 40, 45), "91440300MA5K2QXC5P"))


def test_the_same_code_printed_in_black_is_a_wrong_check_character():
    # Typed into the print, a wrong check character is the forger's: only a seal's ink is excused.
    assert "content.uscc_check_digit" in ids(_codes_page((20, 20, 20)))

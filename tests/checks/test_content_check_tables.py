"""One table per content check (issue #7): fields in, the exact finding ids of that one check out.

A row is (name, fields, ctx kwargs, expected ids). Only the check under test runs, and only on kinds it applies
to, as the scanner runs it. Expected ids are compared as a sorted list, so a finding raised twice is caught too.
Every table holds genuine documents, near-misses that must stay silent, real-world formats, and unread fields:
an unread field is unknown, never a mismatch.

A row marked `bug(...)` is a realistic input the check gets wrong today (strict xfail: fixing the check turns it
into a failure that asks for the mark to be removed).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from stdnum.cn import uscc

from appealcheck.checks import DocContext
from appealcheck.checks.content import CapitalAmount, ImpossibleDate, LicenceTerm, UsccCheckDigit, ValidityPeriod
from appealcheck.checks.filemeta import EditingSoftware
from appealcheck.checks.money import InvoiceArithmetic, InvoiceNumbers, ReceiptArithmetic
from appealcheck.checks.parties import DocumentDates, InvoiceParties, KnownForgery, Licensee, Licensor
from appealcheck.checks.qr import InvoiceQr
from appealcheck.extract import parse
from appealcheck.models import OcrLine, Page, PageText
from appealcheck.rules.pack import BrandPack
from tests.checks.test_content_tables import BRAND, GOOD_INVOICE, GOOD_LETTER, SELLER, ctx

L, INV, R, BL = "authorization_letter", "purchase_invoice", "receipt", "business_license"


def make(kind, fields, *, brand=BRAND, text="", low_confidence=(), info=None, pages=None, **kw) -> DocContext:
    """The shared ctx() builder, plus what some checks also read: OCR text, another pack (or none), OCR
    confidence of printed fields, file metadata and page images."""
    c = ctx(kind, fields, **kw)
    doc = c.document
    if info is not None or pages is not None:
        doc = replace(doc, info=replace(doc.info, **(info or {})), pages=pages or doc.pages)
    fv = {k: replace(f, confidence=0.6) if k in low_confidence else f for k, f in c.fields.items()}
    lines = tuple(
        OcrLine(
            t,
            (10, 10 + 30 * i, 400, 36 + 30 * i),
            ((10, 10 + 30 * i), (400, 10 + 30 * i), (400, 36 + 30 * i), (10, 36 + 30 * i)),
            0.98,
        )
        for i, t in enumerate(text.splitlines())
    )
    ocr = (PageText(0, lines, "test"),) if lines else ()
    return DocContext(replace(c.appeal, documents=(doc,)), doc, kind, fv, ocr, brand)


def found(check, kind, fields, kw) -> list[str]:
    """Ids of the findings of one check on one document, sorted; none when the check skips this kind."""
    kw = dict(kw)
    kind = kw.pop("kind", kind)
    if check.applies_to and kind not in check.applies_to:
        return []
    return sorted(f.id for f in check.run(make(kind, fields, **kw)))


def bug(reason: str, *row):
    """A row the check gets wrong today; the reason names the input, the wrong outcome and where."""
    return pytest.param(*row, marks=pytest.mark.xfail(strict=True, reason=reason))


def pack(**changes) -> BrandPack:
    """The shared test pack with some of its lists or its policy replaced."""
    return BrandPack.model_validate({**BRAND.model_dump(), **changes})


# A brand whose legal names are written in Cyrillic (a Russian brand, or its Russian importer).
RU_PACK = pack(id="vektor", names=["Вектор"], entities=[{"name": "ООО Вектор", "role": "owner"}], distributors=[])

# ------------------------------------------------------------------ content.uscc


def usccs(*codes, confidence: float = 1.0) -> dict:
    """The `usccs` field as extraction writes it: each code with its kind, check-digit verdict (stdnum) and the
    OCR confidence of its line."""
    rows = []
    for i, c in enumerate(codes):
        code, kind = c if isinstance(c, tuple) else (c, "uscc")
        assert len(code) in ((18,) if kind == "uscc" else (15, 20)), code  # a typo must not pass as 'silent'
        valid = uscc.is_valid(code) if kind == "uscc" else True  # legacy numbers have no check digit
        rows.append({"code": code, "valid": valid, "kind": kind, "page": 0, "box": [10, 10 + 30 * i, 300, 36 + 30 * i],
                     "confidence": confidence})
    return {"usccs": rows}


OK_BRAND_CODE = "91310000MA1FL0XD32"
BAD_BRAND_CODE = "91310000MA1FL0XD33"  # last character changed
U = "content.uscc_check_digit"

USCC_CASES = [
    ("brand's own registered code", usccs(OK_BRAND_CODE), {}, []),
    ("check character changed", usccs(BAD_BRAND_CODE), {}, [U]),
    ("all-digit code of a Shenzhen company", usccs("914403001922038216"), {}, []),
    ("all-digit code with its check digit changed", usccs("914403001922038217"), {}, [U]),
    ("sole proprietor (class 92)", usccs("92440300MA5FXK2L11"), {}, []),
    ("farmers' cooperative (class 93)", usccs("93330782MA28D4PX14"), {}, []),
    ("social organisation with a letter check character", usccs("52100000500021898A"), {}, []),
    ("social organisation with a digit for its letter check character", usccs("521000005000218980"), {}, [U]),
    ("government body (authority 1)", usccs("11100000000013127D"), {}, []),
    ("authority Y with a wrong check character", usccs("Y1440300MA5G12345X"), {}, [U]),
    ("buyer's code fine, seller's forged", usccs("914403001922038216", BAD_BRAND_CODE), {"kind": INV}, [U]),
    ("both codes forged", usccs(BAD_BRAND_CODE, "914403001922038217"), {"kind": INV}, [U, U]),
    ("15-digit legacy taxpayer number has no check digit", usccs(("440301123456789", "legacy_tax_id")), {}, []),
    ("20-digit legacy taxpayer number", usccs(("44030119800101123400", "legacy_tax_id")), {"kind": INV}, []),
    ("SEPA creditor id on a European receipt is not a USCC", usccs("DE67ZZZ00000169386"), {"kind": R}, []),
    ("O the OCR could not repair is noise, not a forged code", usccs("9131000OMA1FL0XD32"), {}, []),
    ("no code printed", {}, {}, []),
    ("field present with no codes", {"usccs": []}, {}, []),
    # A look-alike misread (B for 8, D for 0, T for 7) of a code the page or the pack also has, valid, is an OCR
    # slip; the same slip of a code known nowhere, or a digit changed to another digit, is not.
    ("B read for 8 in a code the page also reads validly (the invoice seal repeats it)",
     usccs("914403001922038216", "91440300192203B216"), {"kind": INV}, []),
    ("the same slip with no valid reading of that code anywhere", usccs("91440300192203B216"), {}, [U]),
    ("D read for 0 in the brand's registered code", usccs("91310000MA1FLDXD32"), {}, []),
    ("L read for 1 in a distributor's registered code", usccs("91310115MALH7XWJ5N"), {}, []),
    ("1 for J in a distributor's code, its check character intact: a misread", usccs("91310115MA1H7XW15N"), {}, []),
    ("6 read for 8 in the body of a code the page also reads validly",
     usccs("914403001922038216", "914403001922036216"), {"kind": INV}, []),
    ("two characters of a known code's body changed", usccs("914403001922038216", "914403001922036316"),
     {"kind": INV}, [U]),
    ("check digit changed beside a valid reading of the same code",
     usccs("914403001922038216", "914403001922038217"), {"kind": INV}, [U]),
    ("the brand's code slipped, but under another brand's pack", usccs("91310000MA1FLDXD32"), {"brand": None},
     [U]),
    # A check character that is a look-alike of the right one (B for 8) is what a forger's random pick often is:
    # read with full confidence it is taken as printed; read with doubt, as a slip.
    ("look-alike check character read with full confidence beside the valid code",
     usccs("91440300MA5G000248", "91440300MA5G00024B"), {"kind": INV}, [U]),
    ("the same look-alike check character read with doubt",
     usccs("91440300MA5G000248", "91440300MA5G00024B", confidence=0.9), {"kind": INV}, []),
]

# ------------------------------------------------------------------ content.dates


def read_date(name: str, text: str) -> dict:
    """Fields as extraction writes a labelled date: the ISO date, or None plus '<name>_problem' when the date
    printed does not exist; nothing when the text is no date at all."""
    dates = parse.find_dates(text)
    if not dates:
        return {}
    d = dates[0]
    if d.value is not None:
        return {name: d.value.isoformat()}
    return {name: None, f"{name}_problem": d.problem}


D = "content.date_impossible"

DATE_CASES = [
    ("29 February in a common year", read_date("issued_on", "2025年2月29日"), {}, [D]),
    ("29 February in a leap year", read_date("issued_on", "2024年2月29日"), {}, []),
    ("31 April", read_date("issued_on", "2025年4月31日"), {}, [D]),
    ("30 June with leading zeros", read_date("issued_on", "2025年06月30日"), {}, []),
    ("Chinese numerals: 二月三十日", read_date("issued_on", "二〇二五年二月三十日"), {}, [D]),
    ("month 13 written with 年月日", read_date("issued_on", "2025年13月1日"), {}, [D]),
    ("month 13 in a numeric form is not a date at all", read_date("issued_on", "2025-13-01"), {}, []),
    ("Japanese era date 令和7年2月29日 on a receipt", read_date("date", "令和7年2月29日"), {"kind": R}, [D]),
    ("European 31.04.2025 on a receipt", read_date("date", "31.04.2025"), {"kind": R}, [D]),
    ("ISO 2025-02-30 on an invoice", read_date("issued_on", "2025-02-30"), {"kind": INV}, [D]),
    (
        "both ends of a period impossible",
        {**read_date("valid_from", "2025年2月30日"), **read_date("valid_to", "2025年9月31日")},
        {},
        [D, D],
    ),
    ("licence founded on 31 June", read_date("established_on", "2015年6月31日"), {"kind": BL}, [D]),
    ("problem field with no problem recorded", {"issued_on": None, "issued_on_problem": ""}, {}, []),
    ("date unread", {}, {}, []),
]

# ------------------------------------------------------------------ content.period

OUT, REV = "content.period_outside", "content.period_reversed"
NO_PERIOD = {k: v for k, v in GOOD_LETTER.items() if k not in ("valid_from", "valid_to")}


def period(start, end) -> dict:
    """The good letter with another validity period."""
    return {**NO_PERIOD, "valid_from": start, "valid_to": end}


PERIOD_CASES = [
    ("appeal inside the period", GOOD_LETTER, {}, []),
    ("appeal on the first day", GOOD_LETTER, {"submitted": "2025-01-01"}, []),
    ("appeal on the last day", GOOD_LETTER, {"submitted": "2025-12-31"}, []),
    ("appeal the day after it expired", GOOD_LETTER, {"submitted": "2026-01-01"}, [OUT]),
    ("appeal the day before it starts", GOOD_LETTER, {"submitted": "2024-12-31"}, [OUT]),
    ("end before start is reversed, not also outside", period("2025-01-01", "2024-06-30"), {}, [REV]),
    ("one-day period on the appeal day", period("2025-06-01", "2025-06-01"), {}, []),
    ("ends on a leap day, appeal that day", period("2023-03-01", "2024-02-29"), {"submitted": "2024-02-29"}, []),
    ("ends on a leap day, appeal the next day", period("2023-03-01", "2024-02-29"), {"submitted": "2024-03-01"}, [OUT]),
    ("reversed period with no appeal date", period("2025-01-01", "2024-06-30"), {"submitted": None}, [REV]),
    ("end a day before the start", period("2025-06-02", "2025-06-01"), {}, [REV]),
    ("years swapped in the end date (2025 -> 2015)", period("2025-01-01", "2015-12-31"), {}, [REV]),
    ("no appeal date: nothing to be outside of", GOOD_LETTER, {"submitted": None}, []),
    (
        "end unread (impossible date printed)",
        {**GOOD_LETTER, "valid_to": None, "valid_to_problem": "day 31"},
        {"submitted": "2026-03-01"},
        [],
    ),
    ("no period read", NO_PERIOD, {"submitted": "2026-03-01"}, []),
    ("an invoice has no validity period", period("2025-01-01", "2024-06-30"), {"kind": INV}, []),
    ("a day apart in the right order", period("2025-05-31", "2025-06-01"), {"submitted": None}, []),
    ("December to January of the next year", period("2024-12-01", "2025-01-31"), {"submitted": "2025-01-15"}, []),
    ("start unread: nothing to reverse", {**NO_PERIOD, "valid_to": "2024-06-30"}, {"submitted": None}, []),
    ("end unread: nothing to reverse", {**NO_PERIOD, "valid_from": "2025-01-01"}, {"submitted": None}, []),
]

# ------------------------------------------------------------------ content.invoice_words

W = "content.total_words_mismatch"

WORDS_CASES = [
    ("capitals equal the figure", GOOD_INVOICE, {}, []),
    ("round sum written with 整", {**GOOD_INVOICE, "total": 10000.0, "total_in_words": 10000.0}, {}, []),
    ("one cent apart (玖分 for 捌分)", {**GOOD_INVOICE, "total_in_words": 10000.51}, {}, [W]),
    ("figure edited, capitals left", {**GOOD_INVOICE, "total": 100000.5}, {}, [W]),
    ("capitals carry the amount before tax", {**GOOD_INVOICE, "total_in_words": 8850.0}, {}, [W]),
    ("float noise below half a cent", {"total": 0.1 + 0.2, "total_in_words": 0.3}, {}, []),
    ("red-letter (negative) invoice", {"total": -10000.5, "total_in_words": -10000.5}, {}, []),
    ("seven-figure total", {"total": 1234567.89, "total_in_words": 1234567.89}, {}, []),
    ("capitals unread", {k: v for k, v in GOOD_INVOICE.items() if k != "total_in_words"}, {}, []),
    ("figure unread", {"total_in_words": 10000.5}, {}, []),
    ("a fax lost the leading 叁万 (A-107-000093): unread", {"total": 39800.86, "total_in_words": 9800.86}, {}, []),
    ("a fax lost 壹拾 of 壹拾贰万…", {"total": 126400.44, "total_in_words": 26400.44}, {}, []),
    ("capitals a round ten thousand short", {"total": 39800.86, "total_in_words": 29800.86}, {}, [W]),
    ("a receipt prints no capitals check", {"total": 10.0, "total_in_words": 12.0}, {"kind": R}, []),
]

# ------------------------------------------------------------------ content.licensor

LA, LU = "content.licensor_lookalike", "content.licensor_unknown"
CPE = "content.chain_period_exceeds"
DNA, LUM = "content.distributor_not_authorized", "content.licensor_uscc_mismatch"
DIST = "上海锦程贸易有限公司"


def dist_letter(issued, valid_from=None) -> dict:
    """A letter from the distributor (authorised 2024-01-01..2025-12-31); None leaves a date unread."""
    out = {**GOOD_LETTER, "licensor": DIST, "issued_on": issued, "valid_from": valid_from or issued}
    return {k: v for k, v in out.items() if v is not None}


LICENSOR_CASES = [
    ("brand entity", GOOD_LETTER, {}, []),
    ("full-width brackets and traditional 中國", {**GOOD_LETTER, "licensor": "艾克米（中國）有限公司"}, {}, []),
    ("brackets dropped by OCR", {**GOOD_LETTER, "licensor": "艾克米中国有限公司"}, {}, []),
    ("one character swapped (89% alike)", {**GOOD_LETTER, "licensor": "艾克美(中国)有限公司"}, {}, [LA]),
    (
        "two characters swapped (78% alike, still a look-alike)",
        {**GOOD_LETTER, "licensor": "艾可美(中国)有限公司"},
        {},
        [LA],
    ),
    ("three characters swapped (67%: a stranger)", {**GOOD_LETTER, "licensor": "爱可美(中国)有限公司"}, {}, [LU]),
    # The entity's own registered code read exactly beside the name: the OCR slipped on one character (星岚 read
    # as 星岗, A-083-000008), no forger's look-alike company, whose code would be its own.
    ("one character off, beside the entity's registered code",
     {**GOOD_LETTER, "licensor": "艾克美(中国)有限公司", "licensor_uscc": "91310000MA1FL0XD32"}, {}, []),
    ("one character off, beside another company's code",
     {**GOOD_LETTER, "licensor": "艾克美(中国)有限公司", "licensor_uscc": "91440300MA5G9BKX58"}, {}, [LA]),
    ("Cyrillic letters in a Latin name", {**GOOD_LETTER, "licensor": "АСМЕ (China) Co., Ltd."}, {}, [LA]),
    ("the seller authorising itself", {**GOOD_LETTER, "licensor": SELLER}, {}, [LU]),
    ("a made-up licensor with the brand's name in it", {**GOOD_LETTER, "licensor": "艾克米国际贸易(深圳)有限公司"}, {},
     [LU]),
    ("an unrelated company", {**GOOD_LETTER, "licensor": "深圳市启航贸易有限公司"}, {}, [LU]),
    # The brand's name with a look-alike swapped in, on a company of another name: named to pass for the brand.
    ("a made-up licensor wearing 艾克美 for the brand's 艾克米",
     {**GOOD_LETTER, "licensor": "艾克美国际贸易(深圳)有限公司"}, {}, [LA]),
    ("a made-up licensor with two of the brand's characters swapped (爱可米)",
     {**GOOD_LETTER, "licensor": "爱可米国际贸易(深圳)有限公司"}, {}, [LU]),
    ("distributor inside its period", dist_letter("2025-01-01"), {}, []),
    # A-101-000072: the brand's letter in the appeal was extended by a forger; the pack's record still holds.
    ("distributor granting beyond its registered period",
     {**dist_letter("2025-01-01"), "valid_to": "2026-06-30"}, {"submitted": "2025-06-01"}, [CPE]),
    ("distributor granting to the last day of its registered period",
     {**dist_letter("2025-01-01"), "valid_to": "2025-12-31"}, {}, []),
    ("distributor on the last day of its period", dist_letter("2025-12-31"), {"submitted": "2026-01-05"}, []),
    ("distributor the day after its period", dist_letter("2026-01-01"), {"submitted": "2026-01-05"}, [DNA]),
    ("distributor before its period began", dist_letter("2023-12-31"), {}, [DNA]),
    (
        "undated distributor letter judged by its start date",
        dist_letter(None, "2026-02-01"),
        {"submitted": "2026-03-01"},
        [DNA],
    ),
    ("distributor letter with no date read", {"licensor": DIST, "licensee": SELLER}, {}, []),
    ("distributor on the first day of its period", dist_letter("2024-01-01"), {}, []),
    ("distributor a day before its period ends", dist_letter("2025-12-30"), {"submitted": "2026-01-05"}, []),
    ("distributor granting one day beyond its registered period",
     {**dist_letter("2025-01-01"), "valid_to": "2026-01-01"}, {"submitted": "2025-06-01"}, [CPE]),
    ("distributor's grant with its end unread", {**dist_letter("2025-01-01"), "valid_to": None}, {}, []),
    ("a letter outside the period and granting beyond it: one finding, the date",
     {**dist_letter("2026-01-01"), "valid_to": "2027-01-01"}, {"submitted": "2026-02-01"}, [DNA]),
    ("the brand's own letter granting beyond a distributor's period", {**GOOD_LETTER, "valid_to": "2026-12-31"},
     {"submitted": "2025-06-01"}, []),
    ("licensor code differs from the registry", {**GOOD_LETTER, "licensor_uscc": "91440300MA5G9BKX58"}, {}, [LUM]),
    ("licensor code read with spaces and lower case", {**GOOD_LETTER, "licensor_uscc": "91310000ma1fl0xd 32"}, {}, []),
    ("licensor code of another region, valid", {**GOOD_LETTER, "licensor_uscc": "91330106MA2H3K9L0X"}, {}, [LUM]),
    ("licensor code in full-width characters", {**GOOD_LETTER, "licensor_uscc": "９１３１００００ＭＡ１ＦＬ０ＸＤ３２"},
     {}, []),
    ("distributor's own registered code", {**dist_letter("2025-01-01"), "licensor_uscc": "91310115MA1H7XWJ5N"}, {},
     []),
    ("licensor code unread", {**GOOD_LETTER, "licensor_uscc": None}, {}, []),
    ("a stranger's code beside a stranger: unknown, no registry to hold it to",
     {**GOOD_LETTER, "licensor": "深圳市启航贸易有限公司", "licensor_uscc": "91440300MA5G9BKX58"}, {}, [LU]),
    (
        "distributor code differs from the registry",
        {**dist_letter("2025-01-01"), "licensor_uscc": OK_BRAND_CODE},
        {},
        [LUM],
    ),
    ("licensor unread", {k: v for k, v in GOOD_LETTER.items() if k != "licensor"}, {}, []),
    ("licensor read empty", {**GOOD_LETTER, "licensor": ""}, {}, []),
    ("no brand pack to compare with", {**GOOD_LETTER, "licensor": "广州市白云区宏发商行"}, {"brand": None}, []),
    ("Cyrillic-script entity read exactly",
        {**GOOD_LETTER, "licensor": "ООО Вектор"},
        {"brand": RU_PACK},
        []),
]

# ------------------------------------------------------------------ content.licensee

NS, IND = "content.licensee_not_seller", "content.individual_licensee"
ALLOW_PEOPLE = pack(policy={"individuals_allowed": True, "max_validity_days": 730})

LICENSEE_CASES = [
    ("licensee is the seller", GOOD_LETTER, {}, []),
    ("traditional script", {**GOOD_LETTER, "licensee": "深圳市啟航貿易有限公司"}, {}, []),
    (
        "full-width brackets in the seller's name",
        {**GOOD_LETTER, "licensee": "启航（深圳）贸易有限公司"},
        {"seller": "启航(深圳)贸易有限公司"},
        [],
    ),
    (
        "English name, other case and punctuation",
        {**GOOD_LETTER, "licensee": "QIHANG TRADING CO LTD"},
        {"seller": "Qihang Trading Co., Ltd."},
        [],
    ),
    ("another company", {**GOOD_LETTER, "licensee": "杭州云帆电子商务有限公司"}, {}, [NS]),
    # One character of a long name misread (a fax read 農 for 晨, A-751-000292): unknown, not another company.
    ("one character off, no code read: an OCR slip", {**GOOD_LETTER, "licensee": "深圳市启行贸易有限公司"}, {}, []),
    ("one character off, beside the seller's own code",
     {**GOOD_LETTER, "licensee": "深圳市启行贸易有限公司", "licensee_uscc": "914403001922038216"},
     {"seller_uscc": "914403001922038216"}, []),
    ("one character off, beside another company's code",
     {**GOOD_LETTER, "licensee": "深圳市启行贸易有限公司", "licensee_uscc": "91440300MA5G9BKX58"},
     {"seller_uscc": "914403001922038216"}, [NS]),
    ("one character off, beside a code that fails its check digit (misread too)",
     {**GOOD_LETTER, "licensee": "深圳市启行贸易有限公司", "licensee_uscc": "91440300MA5G9BKX59"},
     {"seller_uscc": "914403001922038216"}, []),
    ("two characters off is another company", {**GOOD_LETTER, "licensee": "深圳市启行商贸有限公司"}, {}, [NS]),
    ("one character off a short name is another company", {**GOOD_LETTER, "licensee": "启行商行"},
     {"seller": "启航商行"}, [NS]),
    ("brand authorises its registered distributor", {**GOOD_LETTER, "licensee": DIST}, {}, []),
    ("private person who is the seller", {**GOOD_LETTER, "licensee": "王小明"}, {"seller": "王小明"}, [IND]),
    ("private person who is not the seller", {**GOOD_LETTER, "licensee": "王小明"}, {}, [IND, NS]),
    ("compound surname", {**GOOD_LETTER, "licensee": "欧阳娜娜"}, {"seller": "欧阳娜娜"}, [IND]),
    (
        "sole proprietor's shop is a business",
        {**GOOD_LETTER, "licensee": "深圳市福田区小明服装店"},
        {"seller": "深圳市福田区小明服装店"},
        [],
    ),
    (
        "brand that authorises people",
        {**GOOD_LETTER, "licensee": "王小明"},
        {"seller": "王小明", "brand": ALLOW_PEOPLE},
        [],
    ),
    ("seller unknown: nothing to compare", GOOD_LETTER, {"seller": None}, []),
    ("licensee unread", {k: v for k, v in GOOD_LETTER.items() if k != "licensee"}, {}, []),
    ("licensee read empty", {**GOOD_LETTER, "licensee": ""}, {}, []),
    ("a shop named for its owner is a business", {**GOOD_LETTER, "licensee": "王小明商行"},
     {"seller": "王小明商行"}, []),
    ("a five-character company name without its legal form", {**GOOD_LETTER, "licensee": "启航贸易行"},
     {"seller": "启航贸易行"}, []),
    ("an English company name", {**GOOD_LETTER, "licensee": "QIHANG TRADING CO LTD"},
     {"seller": "QIHANG TRADING CO LTD"}, []),
    ("a two-character person's name", {**GOOD_LETTER, "licensee": "王伟"}, {"seller": "王伟"}, [IND]),
    ("person with a middle-dot name",
        {**GOOD_LETTER, "licensee": "买买提·艾力"},
        {"seller": "买买提·艾力"},
        [IND]),
]

# ------------------------------------------------------------------ content.invoice_parties

BNS, IL, IU = "content.buyer_not_seller", "content.invoice_issuer_lookalike", "content.invoice_issuer_unknown"

def under(code: str, y: int = 12) -> dict:
    """A code read on its own line at y, below a field read at the table's usual box (1, 1, 20, 10)."""
    return {"code": code, "valid": uscc.is_valid(code), "kind": "uscc", "page": 0, "box": [2, y, 20, y + 9],
            "confidence": 0.97}


PARTIES_CASES = [
    ("buyer is the seller, issuer the distributor", GOOD_INVOICE, {}, []),
    ("issuer is the brand entity", {**GOOD_INVOICE, "seller_name": "艾克米(中国)有限公司"}, {}, []),
    ("buyer in traditional script", {**GOOD_INVOICE, "buyer_name": "深圳市啟航貿易有限公司"}, {}, []),
    (
        "buyer with OCR spaces and a full-width colon",
        {**GOOD_INVOICE, "buyer_name": "：深圳市 启航贸易有限公司"},
        {},
        [],
    ),
    ("buyer is someone else", {**GOOD_INVOICE, "buyer_name": "杭州云帆电子商务有限公司"}, {}, [BNS]),
    ("issuer one character off", {**GOOD_INVOICE, "seller_name": "上海锦呈贸易有限公司"}, {}, [IL]),
    ("issuer one character off, its registered taxpayer number read exactly",
     {**GOOD_INVOICE, "seller_name": "上海锦呈贸易有限公司", "seller_uscc": "91310115MA1H7XWJ5N"}, {}, []),
    ("issuer one character off, with a taxpayer number of its own",
     {**GOOD_INVOICE, "seller_name": "上海锦呈贸易有限公司", "seller_uscc": "91440300MA5G9BKX58"}, {}, [IL]),
    ("issuer a stranger", {**GOOD_INVOICE, "seller_name": "义乌市小商品批发部"}, {}, [IU]),
    ("issuer an unrelated trading company", {**GOOD_INVOICE, "seller_name": "广州市白云区宏发商行"}, {}, [IU]),
    ("issuer a stranger named in English", {**GOOD_INVOICE, "seller_name": "Harlow & Finch Trading Ltd."}, {}, [IU]),
    ("issuer the registered distributor in traditional script", {**GOOD_INVOICE, "seller_name": "上海錦程貿易有限公司"},
     {}, []),
    ("buyer one character off, no code read: an OCR slip", {**GOOD_INVOICE, "buyer_name": "深圳市启帆贸易有限公司"},
     {}, []),
    # A fax lost the 购买方/销售方 labels and the issuer's name was taken for the buyer's (A-751-000301).
    ("the distributor read as the buyer, no issuer read",
     {**{k: v for k, v in GOOD_INVOICE.items() if k != "seller_name"}, "buyer_name": "上海锦程贸易有限公司"}, {}, []),
    ("the distributor as the buyer, the brand as the issuer (an upstream invoice)",
     {**GOOD_INVOICE, "buyer_name": "上海锦程贸易有限公司", "seller_name": "艾克米(中国)有限公司"}, {}, [BNS]),
    ("issuer named for the brand with a look-alike (艾克美商贸)",
     {**GOOD_INVOICE, "seller_name": "艾克美商贸(上海)有限公司"}, {}, [IL]),
    ("issuer with the brand's name in Cyrillic letters",
     {**GOOD_INVOICE, "seller_name": "АСМЕ Trading (Shanghai) Co., Ltd."}, {}, [IL]),
    # A fax loses the small 购买方/销售方 labels: the seller's own name read where the issuer goes is unknown.
    ("the seller's own name where the issuer goes", {**GOOD_INVOICE, "seller_name": "深圳市启航贸易有限公司"}, {}, []),
    # A-101-000257, a photo: one character of the buyer's name slipped, the seller's own code read beside it.
    ("buyer one character off, beside the seller's own code",
     {**GOOD_INVOICE, "buyer_name": "深圳市启帆贸易有限公司", "buyer_uscc": "914403001922038216"},
     {"seller_uscc": "914403001922038216"}, []),
    ("buyer one character off, beside another code",
     {**GOOD_INVOICE, "buyer_name": "深圳市启帆贸易有限公司", "buyer_uscc": "91440300MA5G9BKX58"},
     {"seller_uscc": "914403001922038216"}, [BNS]),
    ("another buyer altogether, beside the seller's own code",
     {**GOOD_INVOICE, "buyer_name": "杭州云帆电子商务有限公司", "buyer_uscc": "914403001922038216"},
     {"seller_uscc": "914403001922038216"}, [BNS]),
    # A-089-000157, a fax: the 纳税人识别号 label lost, the registered code kept on the line under the name.
    ("issuer one character off, its registered code on the line under it, unlabelled",
     {**GOOD_INVOICE, "seller_name": "上海锦呈贸易有限公司", "usccs": [under("91310115MA1H7XWJ5N")]}, {}, []),
    ("issuer one character off, the registered code far down the page",
     {**GOOD_INVOICE, "seller_name": "上海锦呈贸易有限公司", "usccs": [under("91310115MA1H7XWJ5N", 300)]}, {}, [IL]),
    ("issuer one character off, another valid code under it",
     {**GOOD_INVOICE, "seller_name": "上海锦呈贸易有限公司", "usccs": [under("91440300MA5G9BKX58")]}, {}, [IL]),
    ("the appealing seller read in the issuer's place (a fax lost the side labels): sides unknown",
     {**GOOD_INVOICE, "seller_name": SELLER}, {}, []),
    (
        "both parties wrong",
        {**GOOD_INVOICE, "buyer_name": "杭州云帆电子商务有限公司", "seller_name": "义乌市小商品批发部"},
        {},
        [BNS, IU],
    ),
    (
        "seller unknown: buyer not judged",
        {**GOOD_INVOICE, "buyer_name": "杭州云帆电子商务有限公司"},
        {"seller": None},
        [],
    ),
    (
        "no brand pack: issuer not judged, buyer still is",
        {**GOOD_INVOICE, "buyer_name": "杭州云帆电子商务有限公司", "seller_name": "义乌市小商品批发部"},
        {"brand": None},
        [BNS],
    ),
    ("parties unread", {k: v for k, v in GOOD_INVOICE.items() if k not in ("buyer_name", "seller_name")}, {}, []),
    ("parties read empty", {**GOOD_INVOICE, "buyer_name": "", "seller_name": ""}, {}, []),
    ("a receipt has no invoice parties", {"buyer_name": "杭州云帆电子商务有限公司"}, {"kind": R}, []),
    ("Cyrillic-script issuer read exactly",
        {**GOOD_INVOICE, "seller_name": "ООО Вектор"},
        {"brand": RU_PACK},
        []),
]

# ------------------------------------------------------------------ content.document_dates

AFTER, LONG = "content.issued_after_appeal", "content.period_too_long"

DOC_DATE_CASES = [
    ("letter dated before the appeal", GOOD_LETTER, {}, []),
    ("letter dated on the appeal day", {**GOOD_LETTER, "issued_on": "2025-06-01"}, {}, []),
    ("letter dated the day after", {**GOOD_LETTER, "issued_on": "2025-06-02"}, {}, [AFTER]),
    ("invoice issued after the appeal", {**GOOD_INVOICE, "issued_on": "2025-07-01"}, {"kind": INV}, [AFTER]),
    ("receipt dated after the appeal", {"date": "2025-06-30", "total": 10.0}, {"kind": R}, [AFTER]),
    ("company founded after the appeal", {"established_on": "2025-08-01"}, {"kind": BL}, [AFTER]),
    ("two dates after the appeal", {"issued_on": "2025-07-01", "date": "2025-07-02"}, {"kind": R}, [AFTER, AFTER]),
    ("impossible date is unread, not late", {**GOOD_LETTER, "issued_on": None, "issued_on_problem": "day 30"}, {}, []),
    ("no appeal date", {**GOOD_LETTER, "issued_on": "2030-01-01"}, {"submitted": None}, []),
    ("period of exactly 730 days", period("2025-01-01", "2027-01-01"), {}, []),
    ("period of 731 days", period("2025-01-01", "2027-01-02"), {}, [LONG]),
    ("two calendar years across a leap day are 730 days", period("2024-01-01", "2025-12-31"), {}, []),
    ("valid 'until 2099' (long-term written as a date)", period("2025-01-01", "2099-12-31"), {}, [LONG]),
    ("a two-year grant extended by a third year (a forger's edit)", period("2025-01-01", "2027-12-31"), {}, [LONG]),
    ("a policy of one year and a letter of 366 days",
     period("2025-01-01", "2026-01-02"), {"brand": pack(policy={"max_validity_days": 365})}, [LONG]),
    ("long period on an invoice is not a letter's", period("2025-01-01", "2099-12-31"), {"kind": INV}, []),
    (
        "pack without a limit",
        period("2025-01-01", "2099-12-31"),
        {"brand": pack(policy={"individuals_allowed": False})},
        [],
    ),
    ("reversed period is not too long", period("2027-01-02", "2025-01-01"), {}, []),
]

# ------------------------------------------------------------------ content.known_forgery (sha256 only)

KF = "content.known_forgery"
LISTED = "f" * 64

KNOWN_CASES = [
    ("file on the list", {}, {"sha": LISTED}, [KF]),
    ("file not on the list", {}, {}, []),
    ("one hex digit apart is another file", {}, {"sha": "f" * 63 + "e"}, []),
    (
        "pack lists the digest in upper case",
        {},
        {"sha": "ab" * 32, "brand": pack(known_forgeries=[{"sha256": "AB" * 32}])},
        [KF],
    ),
    (
        "listed second of three",
        {},
        {
            "sha": "12" * 32,
            "brand": pack(
                known_forgeries=[
                    {"sha256": "ab" * 32},
                    {"sha256": "12" * 32, "note": "2024 batch"},
                    {"sha256": "cd" * 32},
                ]
            ),
        },
        [KF],
    ),
    (
        "listed twice is still one finding",
        {},
        {"sha": LISTED, "brand": pack(known_forgeries=[{"sha256": LISTED}, {"sha256": LISTED.upper()}])},
        [KF],
    ),
    ("listed invoice", GOOD_INVOICE, {"kind": INV, "sha": LISTED}, [KF]),
    ("listed receipt", {"total": 10.0}, {"kind": R, "sha": LISTED}, [KF]),
    ("entry with only a note", {}, {"sha": LISTED, "brand": pack(known_forgeries=[{"note": "reported"}])}, []),
    ("pack with no known forgeries", {}, {"sha": LISTED, "brand": pack(known_forgeries=[])}, []),
    ("no brand pack", {}, {"sha": LISTED, "brand": None}, []),
]

# ------------------------------------------------------------------ content.invoice_math

SUM, TAX = "content.invoice_sum_mismatch", "content.invoice_tax_mismatch"
RATE = "税率/征收率 13%"

MATH_CASES = [
    ("amount + tax = total, 13% printed", GOOD_INVOICE, {"text": RATE}, []),
    ("tax read cut short ('￥3559' of ¥35594.91): unknown",
     {"amount": 273807.0, "tax": 3559.0, "total": 309401.91}, {"text": RATE}, []),
    ("total raised, tax as printed: still a mismatch",
     {"amount": 273807.0, "tax": 35594.91, "total": 319401.91}, {"text": RATE}, [SUM]),
    ("total off by 1000", {**GOOD_INVOICE, "total": 11000.5}, {}, [SUM]),
    ("total off by one cent", {**GOOD_INVOICE, "total": 10000.51}, {}, []),
    ("total off by two cents", {**GOOD_INVOICE, "total": 10000.52}, {}, [SUM]),
    ("tax 8 cents from 13% (line rounding)", {**GOOD_INVOICE, "tax": 1150.58, "total": 10000.58}, {"text": RATE}, []),
    ("tax 9 cents from 13%", {**GOOD_INVOICE, "tax": 1150.59, "total": 10000.59}, {"text": RATE}, [TAX]),
    ("tax at 9% where 13% is printed", {**GOOD_INVOICE, "tax": 796.5, "total": 9646.5}, {"text": RATE}, [TAX]),
    ("full-width １３％", {**GOOD_INVOICE, "tax": 796.5, "total": 9646.5}, {"text": "税率 １３％"}, [TAX]),
    ("tax and total both wrong", {**GOOD_INVOICE, "tax": 796.5}, {"text": RATE}, [SUM, TAX]),
    (
        "two rates printed: tax not judged",
        {**GOOD_INVOICE, "tax": 796.5, "total": 9646.5},
        {"text": "*服装*外套 13%\n*运输服务*运费 9%"},
        [],
    ),
    ("'100%纯棉' in an item name beside the 13% rate", GOOD_INVOICE, {"text": "*纺织品*毛巾 100%纯棉 13%"}, []),
    (
        "small-scale taxpayer at 1% (减按1%征收)",
        {"amount": 990.1, "tax": 9.9, "total": 1000.0},
        {"text": "1%\n减按1%征收"},
        [],
    ),
    ("tax-exempt: tax printed as ***", {"amount": 500.0, "tax": "***", "total": 500.0}, {"text": "免税"}, []),
    ("red-letter invoice: all negative", {"amount": -8850.0, "tax": -1150.5, "total": -10000.5}, {"text": RATE}, []),
    ("no rate printed: tax not judged", {**GOOD_INVOICE, "tax": 796.5, "total": 9646.5}, {}, []),
    ("a fax's 13% read as '1.3%', no fapiao's rate: unread (A-105-000092)", GOOD_INVOICE, {"text": "1.3%"}, []),
    ("an invoice of 2018 at 16%", {"amount": 10000.0, "tax": 1600.0, "total": 11600.0}, {"text": "16%"}, []),
    ("17% printed, tax at 13%", {"amount": 10000.0, "tax": 1300.0, "total": 11300.0}, {"text": "17%"}, [TAX]),
    ("amount unread", {"tax": 1150.5, "total": 99999.0}, {"text": RATE}, []),
]

# ------------------------------------------------------------------ content.invoice_math: the items table

LINES, LTAX = "content.invoice_lines_mismatch", "content.invoice_line_tax_mismatch"


def items(*rows, amount=None, tax=None):
    """An invoice whose items table reads `rows` of (amount, rate, tax); its 合计 row prints `amount` and `tax`
    (by default the lines' sums) and a total that adds up."""
    lines = [{"amount": a, "rate": r, "tax": t, "page": 0, "box": [1, 1, 20, 10], "confidence": 0.99}
             for a, r, t in rows]
    amount = round(sum(a for a, _, _ in rows), 2) if amount is None else amount
    summed = [t for _, _, t in rows]
    tax = round(sum(summed), 2) if tax is None else tax
    out = {**GOOD_INVOICE, "item_lines": lines, "items_amount": round(sum(a for a, _, _ in rows), 2),
           "amount": amount, "tax": tax, "total": round(amount + tax, 2), "total_in_words": round(amount + tax, 2)}
    if all(t is not None for t in summed):
        out["items_tax"] = round(sum(summed), 2)
    return out


LINE_CASES = [
    ("one line at 13%", items((8850.0, 0.13, 1150.5)), {"text": RATE}, []),
    ("two lines at 13% (A-739-000026 as issued)", items((27610.8, 0.13, 3589.4), (56638.0, 0.13, 7362.94)),
     {"text": RATE}, []),
    ("goods at 13% and freight at 9%: each line judged at its own rate",
     items((10000.0, 0.13, 1300.0), (500.0, 0.09, 45.0)), {"text": "13%\n9%"}, []),
    ("a line's tax 6 fen from its rate (the tax system's allowance)", items((1234.56, 0.13, 160.55)), {}, []),
    ("a line's tax 7 fen from its rate", items((1234.56, 0.13, 160.56)), {}, [LTAX]),
    ("a discount line (negative) in the sum", items((10000.0, 0.13, 1300.0), (-1000.0, 0.13, -130.0)), {}, []),
    ("a tax-exempt line (免税: no rate, no tax)", items((3000.0, None, None), (1000.0, 0.13, 130.0), tax=130.0),
     {}, []),
    ("合计 raised by 1000 with its tax and total (A-739-000026 forged)",
     items((27610.8, 0.13, 3589.4), (56638.0, 0.13, 7362.94), amount=85248.8, tax=11082.34),
     {"text": RATE}, [LINES, LINES]),
    ("合计 amount raised, tax left", items((8850.0, 0.13, 1150.5), amount=9850.0, tax=1150.5), {"text": RATE},
     [LINES, "content.invoice_tax_mismatch"]),
    ("one line's amount raised, its tax left", items((9850.0, 0.13, 1150.5), amount=8850.0), {}, [LINES, LTAX]),
    ("a line's tax at 9% while the line says 13%", items((10000.0, 0.13, 900.0)), {}, [LTAX]),
    ("lines one cent short of the 合计 (no rounding between them)", items((8850.0, 0.13, 1150.5), amount=8850.01),
     {}, [LINES]),
    ("lines unread: nothing judged beyond the 合计 row", GOOD_INVOICE, {"text": RATE}, []),
    ("a line at 9% with its tax at 9%", items((1000.0, 0.09, 90.0)), {}, []),
    ("a small-scale line at 1%", items((990.1, 0.01, 9.9)), {}, []),
    ("a line's tax 6 fen under its rate", items((1234.56, 0.13, 160.43)), {}, []),
    ("a line at 3% whose tax is at 1%", items((1000.0, 0.03, 10.0)), {}, [LTAX]),
    ("two lines whose sum carries float noise", items((1000.1, 0.13, 130.01), (2000.2, 0.13, 260.03)), {}, []),
    # A-1109-000223, a photo: the 合计 tax unread, the three lines read whole, the total raised by 90.
    ("合计 tax unread, total raised: the lines' taxes give the sum",
     {**{k: v for k, v in items((19114.8, 0.13, 2484.92), (5663.8, 0.13, 736.29), (27610.8, 0.13, 3589.4)).items()
         if k != "tax"}, "total": 59110.01}, {}, ["content.invoice_sum_mismatch"]),
    ("合计 tax unread, the total as issued", {k: v for k, v in items((19114.8, 0.13, 2484.92), (5663.8, 0.13, 736.29),
                                                                     (27610.8, 0.13, 3589.4)).items() if k != "tax"},
     {}, []),
    ("合计 tax unread, the lines short of the 合计 amount: they disagree, and do not give the sum",
     {**{k: v for k, v in items((19114.8, 0.13, 2484.92), (5663.8, 0.13, 736.29)).items() if k != "tax"},
      "amount": 52389.4, "total": 59110.01}, {}, [LINES]),
]

# ------------------------------------------------------------------ content.invoice_numbers

NF = "content.invoice_number_format"

NUMBER_CASES = [
    ("8-digit paper invoice number", GOOD_INVOICE, {}, []),
    ("8 digits with leading zeros", {"invoice_no": "00061234"}, {}, []),
    ("20-digit fully digital number", {"invoice_no": "24312000000012345678"}, {}, []),
    ("7 digits (one dropped)", {"invoice_no": "1234567"}, {}, [NF]),
    ("9 digits (one added)", {"invoice_no": "123456789"}, {}, [NF]),
    ("10-digit invoice code given as the number", {"invoice_no": "4403193130"}, {}, [NF]),
    ("12-digit invoice code given as the number", {"invoice_no": "044031900111"}, {}, [NF]),
    ("19 digits (e-invoice number cut short)", {"invoice_no": "2431200000001234567"}, {}, [NF]),
    ("21 digits", {"invoice_no": "243120000000123456789"}, {}, [NF]),
    ("letters in the number", {"invoice_no": "NO12345678"}, {}, [NF]),
    ("number unread", {k: v for k, v in GOOD_INVOICE.items() if k != "invoice_no"}, {}, []),
    ("number read as no text", {"invoice_no": None}, {}, []),
    ("a receipt number is not an invoice number", {"invoice_no": "123456789"}, {"kind": R}, []),
]

# ------------------------------------------------------------------ content.invoice_numbers: code by printed type

CD = "content.invoice_code_date"
SPECIAL, NORMAL, E_NORMAL = "增值税专用发票", "增值税普通发票", "增值税电子普通发票"
DIGITAL = "电子发票（增值税专用发票）"


def code(c, kind=None, **kw):
    return {**GOOD_INVOICE, "invoice_code": c, **({"invoice_type": kind} if kind else {}), **kw}


CODE_CASES = [
    ("paper 专票 of Shenzhen, 10 digits", code("4403181130", SPECIAL), {}, []),
    ("paper 普票 of Shanghai, 12 digits", code("031001800104", NORMAL), {}, []),
    ("electronic 普票 of Zhejiang, 12 digits", code("033002400111", E_NORMAL), {}, []),
    ("electronic 普票 of Ningbo (a city with its own bureau)", code("033022400111", E_NORMAL), {}, []),
    ("a 10-digit 普票 issued before 2018", code("3100161320", NORMAL, issued_on="2017-06-01"), {}, []),
    ("code of the invoice's own year", code("031002500104", NORMAL), {}, []),
    ("type not read: the code's form alone", code("031001800104"), {}, []),
    ("fully digital: 20-digit number of its year and province, no code",
     {**GOOD_INVOICE, "invoice_no": "25312000000012345678", "invoice_type": DIGITAL}, {}, []),
    ("paper 专票 with a 12-digit code", code("031001800104", SPECIAL), {}, [NF]),
    ("electronic 普票 with a 10-digit code", code("3100181130", E_NORMAL), {}, [NF]),
    ("a 10-digit 普票 issued in 2025", code("3100161320", NORMAL), {}, [NF]),
    ("a city's district code where the province's goes (3101)", code("031012446091", NORMAL), {}, [NF]),
    ("no such province (region 9900)", code("099001800104", NORMAL), {}, [NF]),
    ("a 12-digit VAT code not beginning with 0", code("531001800104", NORMAL), {}, [NF]),
    ("code for 2026 on an invoice of 2025-03-15", code("031002600104", NORMAL), {}, [CD]),
    ("10-digit code for 2026 on an invoice of 2025", code("4403261130", SPECIAL), {}, [CD]),
    ("fully digital with an 8-digit number", {**GOOD_INVOICE, "invoice_type": DIGITAL}, {}, [NF]),
    ("fully digital with a code printed", code("031002500104", DIGITAL, invoice_no="25312000000012345678"), {},
     [NF]),
    ("fully digital number of 2024 on an invoice of 2025",
     {**GOOD_INVOICE, "invoice_no": "24312000000012345678", "invoice_type": DIGITAL}, {}, [CD]),
    ("fully digital number naming no province (99)",
     {**GOOD_INVOICE, "invoice_no": "25992000000012345678", "invoice_type": DIGITAL}, {}, [NF]),
    ("a 20-digit number on a paper 普票", {**GOOD_INVOICE, "invoice_no": "25312000000012345678",
                                          "invoice_type": NORMAL}, {}, [NF]),
    ("code unread", {**GOOD_INVOICE, "invoice_type": SPECIAL}, {}, []),
    ("issue date unread: the year not judged", code("031002600104", NORMAL, issued_on=None), {}, []),
    ("code of the year before the invoice", code("031002400104", NORMAL), {}, []),
    ("code for 2026 on an invoice of 2026", code("031002600104", NORMAL, issued_on="2026-01-05"), {}, []),
    ("code for 2027 on an invoice of 2026", code("031002700104", NORMAL, issued_on="2026-05-01"), {}, [CD]),
    ("fully digital number of 2026 on an invoice of 2025-12-31",
     {**GOOD_INVOICE, "invoice_no": "26312000000012345678", "invoice_type": DIGITAL, "issued_on": "2025-12-31"},
     {}, [CD]),
]

# ------------------------------------------------------------------ content.receipt_math

RS = "content.receipt_sum_mismatch"

RECEIPT_CASES = [
    ("US: subtotal + tax = total", {"subtotal": 45.4, "tax": 3.63, "total": 49.03}, {}, []),
    ("tax included: subtotal = total", {"subtotal": 49.03, "tax": 4.46, "total": 49.03}, {}, []),
    ("Japan 外税: 小計 1,000 + 消費税 100", {"subtotal": 1000.0, "tax": 100.0, "total": 1100.0}, {}, []),
    ("Japan 内税: 小計 1,080 (内消費税 80)", {"subtotal": 1080.0, "tax": 80.0, "total": 1080.0}, {}, []),
    ("France: total HT + TVA = TTC", {"subtotal": 40.86, "tax": 8.17, "total": 49.03}, {}, []),
    ("Germany: netto + MwSt = Summe", {"subtotal": 41.2, "tax": 7.83, "total": 49.03}, {}, []),
    ("one cent off", {"subtotal": 45.4, "tax": 3.63, "total": 49.04}, {}, []),
    ("two cents off", {"subtotal": 45.4, "tax": 3.63, "total": 49.05}, {}, [RS]),
    ("total edited by ten", {"subtotal": 45.4, "tax": 3.63, "total": 59.03}, {}, [RS]),
    ("no tax line: a difference is not judged", {"subtotal": 45.4, "total": 59.03}, {}, []),
    ("tax read as text ('incl.')", {"subtotal": 45.4, "tax": "incl.", "total": 59.03}, {}, []),
    ("subtotal unread", {"tax": 3.63, "total": 59.03}, {}, []),
    ("total unread", {"subtotal": 45.4, "tax": 3.63}, {}, []),
    ("an invoice is not a receipt", {"subtotal": 45.4, "tax": 3.63, "total": 59.03}, {"kind": INV}, []),
    ("Switzerland: total rounded to 0.05 on a 'Rundung' line",
     {"subtotal": 49.03, "tax": 3.67, "total": 49.05}, {"text": "Zwischensumme 49.03\nRundung 0.02\nTotal CHF 49.05"},
     []),
    ("two cents off a nickel total without a rounding line", {"subtotal": 49.03, "tax": 3.67, "total": 49.05}, {},
     [RS]),
    # The item lines (items_total: their prices summed) when the subtotal is not printed.
    ("items make the total, tax included", {"items_total": 49.03, "tax": 7.83, "total": 49.03}, {}, []),
    ("items plus the tax make the total (US)", {"items_total": 45.4, "tax": 3.63, "total": 49.03}, {}, []),
    ("items make the subtotal", {"items_total": 45.4, "subtotal": 45.4, "total": 45.4}, {}, []),
    ("items and no tax line", {"items_total": 49.03, "total": 49.03}, {}, []),
    ("total edited up, items unchanged", {"items_total": 49.03, "tax": 7.83, "total": 59.03}, {}, [RS]),
    ("total edited, no tax printed", {"items_total": 49.03, "total": 51.03}, {}, [RS]),
    ("items short of the total, a tax line printed but unread", {"items_total": 45.4, "total": 49.03},
     {"text": "SUMME 49,03\nMwSt 19% 7,83"}, []),
]

# ------------------------------------------------------------------ file.software

ES = "file.editing_software"


def sw(**info) -> dict:
    """ctx kwargs giving the file this metadata."""
    return {"info": info}


SOFTWARE_CASES = [
    ("Photoshop in EXIF Software", {}, sw(software="Adobe Photoshop 25.0 (Windows)"), [ES]),
    ("GIMP", {}, sw(software="GIMP 2.10.34"), [ES]),
    ("美图秀秀", {}, sw(software="美图秀秀 7.1"), [ES]),
    ("醒图", {}, sw(software="醒图"), [ES]),
    ("Canva as PDF producer", {}, sw(producer="Canva"), [ES]),
    (
        "PDF made and saved in Photoshop: two fields",
        {},
        sw(producer="Adobe Photoshop 25.0", creator="Adobe Photoshop"),
        [ES, ES],
    ),
    ("EXIF ProcessingSoftware", {}, sw(metadata={"ProcessingSoftware": "Snapseed 2.0"}), [ES]),
    ("phone camera firmware", {}, sw(software="HDR+ 1.0.612730843zd"), []),
    ("iPhone: iOS version", {}, sw(software="17.2.1", metadata={"HostComputer": "iPhone 14 Pro"}), []),
    ("scanner driver", {}, sw(software="EPSON Scan 2"), []),
    ("Word export", {}, sw(producer="Microsoft® Word for Microsoft 365", creator="Microsoft® Word"), []),
    ("printed to PDF", {}, sw(producer="Microsoft: Print To PDF"), []),
    ("Acrobat Distiller is not Acrobat Pro", {}, sw(producer="Acrobat Distiller 23.0 (Windows)"), []),
    ("WPS Office export is not WPS图片", {}, sw(producer="WPS Office", creator="WPS 文字"), []),
    ("editor named in a key the check does not read", {}, sw(metadata={"ImageDescription": "Photoshop tutorial"}), []),
    ("no metadata", {}, {}, []),
]

# ------------------------------------------------------------------ content.invoice_qr


def qr_page(*payloads: str, index: int = 0) -> Page:
    """A white page with each payload printed as a QR code, left to right."""
    import zxingcpp

    img = np.full((500, 260 * max(len(payloads), 1) + 40, 3), 255, np.uint8)
    for i, text in enumerate(payloads):
        q = np.asarray(
            zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=4, add_quiet_zones=True)
        )
        h, w = q.shape
        img[20 : 20 + h, 20 + 260 * i : 20 + 260 * i + w] = q[..., None]
    return Page(index, img, 150)


def qr(*payloads: str, **kw) -> dict:
    """ctx kwargs giving the document one page with these QR codes."""
    return {"pages": (qr_page(*payloads),), **kw}


# A licence's QR code carries its uniscid exactly: a look-alike check character it confirms is printed, not misread.
USCC_CASES += [
    # A-097-000195: a fax's faint footer read as 18 digits at 0.66 confidence is no code to judge.
    ("eighteen digits read in doubt", usccs("216447544006201035", confidence=0.66), {}, []),
    ("an invalid code read just confidently enough", usccs("216447544006201035", confidence=0.86), {}, [U]),
    ("look-alike check character read with doubt, and the licence's QR carries it",
     usccs("91440300MA5G000248", "91440300MA5G00024B", confidence=0.9),
     qr("http://www.gsxt.gov.cn/index.html?uniscid=91440300MA5G00024B", kind=BL), [U]),
    ("look-alike check character read with doubt, the licence's QR carries the valid code",
     usccs("91440300MA5G000248", "91440300MA5G00024B", confidence=0.9),
     qr("http://www.gsxt.gov.cn/index.html?uniscid=91440300MA5G000248", kind=BL), []),
    # A-971-000068: a fax's 0s read as O, which no USCC carries; the code is judged as printed, with digits.
    ("a forged check character on a code whose 0s were read as O", usccs("91440300MA5GOOO249"), {}, [U]),
    ("a valid code whose 0s were read as O", usccs("91440300MA5GOOO248"), {}, []),
]

Q = "content.qr_mismatch"
PAPER = {
    "invoice_code": "044031900111",
    "invoice_no": "12345678",
    "amount": 8850.0,
    "tax": 1150.5,
    "total": 10000.5,
    "issued_on": "2024-03-15",
}
E_NORMAL = "01,10,044031900111,12345678,{amount},{date},12345678901234567890,A1B2"
# A fully digital 数电普通发票: no invoice code, 20-digit number, and a QR amount of 458.89 = 406.10 + 52.79.
DIGITAL = {
    "invoice_no": "26332000004021728676",
    "amount": 406.1,
    "tax": 52.79,
    "total": 458.89,
    "issued_on": "2026-05-15",
}

QR_CASES = [
    ("电子普通发票 (type 10) agrees", PAPER, qr(E_NORMAL.format(amount="8850.00", date="20240315")), []),
    (
        "专用发票 (type 01) with an empty check code",
        PAPER,
        qr("01,01,044031900111,12345678,8850.00,20240315,,C3D4"),
        [],
    ),
    ("QR amount without decimals", PAPER, qr(E_NORMAL.format(amount="8850", date="20240315")), []),
    ("QR carries another number", PAPER, qr("01,10,044031900111,12349999,8850.00,20240315,1234,A1B2"), [Q]),
    ("QR carries another invoice code", PAPER, qr("01,10,044031900112,12345678,8850.00,20240315,1234,A1B2"), [Q]),
    ("QR dated a day later", PAPER, qr(E_NORMAL.format(amount="8850.00", date="20240316")), [Q]),
    ("printed amount edited (8850 -> 8580)", PAPER, qr(E_NORMAL.format(amount="8580.00", date="20240315")), [Q]),
    ("number and amount both edited", PAPER, qr("01,10,044031900111,12349999,8580.00,20240315,1234,A1B2"), [Q, Q]),
    (
        "mismatch on a printed number read with low confidence",
        PAPER,
        qr("01,10,044031900111,12349999,8850.00,20240315,1234,A1B2", low_confidence=("invoice_no",)),
        [],
    ),
    (
        "QR on the second page",
        PAPER,
        {
            "pages": (
                Page(0, np.full((300, 300, 3), 255, np.uint8), 150),
                qr_page("01,10,044031900111,12349999,8850.00,20240315,1234,A1B2", index=1),
            )
        },
        [Q],
    ),
    (
        "数电票 QR carries another 20-digit number",
        {k: v for k, v in DIGITAL.items() if k != "amount"},
        qr("01,32,,26332000004021728677,458.89,20260515,,3050"),
        [Q],
    ),
    ("verification URL, not a fapiao payload", PAPER, qr("https://inv-veri.chinatax.gov.cn/index.html?fpdm=1"), []),
    ("'01' payload with too few fields", PAPER, qr("01,10,044031900111,12349999"), []),
    ("nothing printed was read", {}, qr("01,10,044031900111,12349999,8580.00,20240316,1234,A1B2"), []),
    ("no QR on the page", PAPER, {}, []),
    (
        "a receipt's QR is not an invoice's",
        PAPER,
        qr("01,10,044031900111,12349999,8850.00,20240315,1234,A1B2", kind=R),
        [],
    ),
    ("数电普通发票 (type 32) agrees",
        DIGITAL,
        qr("01,32,,26332000004021728676,458.89,20260515,,3050"),
        []),
]

# ------------------------------------------------------------------ content.license_term

TS = "content.license_term_start"

TERM_CASES = [
    ("term from the founding day, to a fixed end", {"established_on": "2015-08-05", "valid_from": "2015-08-05",
                                                   "valid_to": "2035-08-04"}, {}, []),
    ("term from the founding day, open-ended (长期)", {"established_on": "2019-03-12", "valid_from": "2019-03-12"},
     {}, []),
    ("founding moved five years earlier, term as printed", {"established_on": "2010-08-05",
                                                            "valid_from": "2015-08-05"}, {}, [TS]),
    ("founding moved one day", {"established_on": "2015-08-04", "valid_from": "2015-08-05"}, {}, [TS]),
    ("founding moved later than the term's start", {"established_on": "2016-01-01", "valid_from": "2015-08-05"},
     {}, [TS]),
    ("the year alone changed (2018 for 2021)", {"established_on": "2018-06-30", "valid_from": "2021-06-30"}, {},
     [TS]),
    ("founding date unread", {"valid_from": "2015-08-05"}, {}, []),
    ("term unread", {"established_on": "2010-08-05"}, {}, []),
    ("founding date read as no date (a misread '2015年13月')", {"established_on": None, "valid_from": "2015-08-05"},
     {}, []),
    ("founding date not ISO (raw text kept)", {"established_on": "2015年8月5日", "valid_from": "2015-08-05"}, {},
     []),
    ("a letter's dates are not a licence's", {"established_on": "2010-08-05", "valid_from": "2015-08-05"},
     {"kind": L}, []),
]

# ------------------------------------------------------------------ the tables

TABLES = [
    (UsccCheckDigit, L, USCC_CASES),
    (ImpossibleDate, L, DATE_CASES),
    (ValidityPeriod, L, PERIOD_CASES),
    (LicenceTerm, BL, TERM_CASES),
    (CapitalAmount, INV, WORDS_CASES),
    (Licensor, L, LICENSOR_CASES),
    (Licensee, L, LICENSEE_CASES),
    (InvoiceParties, INV, PARTIES_CASES),
    (DocumentDates, L, DOC_DATE_CASES),
    (KnownForgery, L, KNOWN_CASES),
    (InvoiceArithmetic, INV, MATH_CASES),
    (InvoiceArithmetic, INV, LINE_CASES),
    (InvoiceNumbers, INV, NUMBER_CASES),
    (InvoiceNumbers, INV, CODE_CASES),
    (ReceiptArithmetic, R, RECEIPT_CASES),
    (EditingSoftware, L, SOFTWARE_CASES),
    (InvoiceQr, INV, QR_CASES),
]


def _params():
    for check, kind, rows in TABLES:
        for row in rows:
            values, marks = (row.values, row.marks) if hasattr(row, "marks") else (row, ())
            name, fields, kw, expected = values
            yield pytest.param(check, kind, fields, kw, expected, marks=marks, id=f"{check.id}: {name}")


@pytest.mark.parametrize(("check", "kind", "fields", "kw", "expected"), list(_params()))
def test_check_table(check, kind, fields, kw, expected):
    assert found(check(), kind, fields, kw) == sorted(expected)


@pytest.mark.parametrize(("check", "rows"), [(c, r) for c, _, r in TABLES], ids=[c.id for c, _, _ in TABLES])
def test_each_table_has_ten_cases_that_fire_and_stay_silent(check, rows):
    expected = [(r.values if hasattr(r, "marks") else r)[3] for r in rows]
    assert len(rows) >= 10
    assert any(expected) and not all(expected)


def _seal(ring: str, similarity: float, image: float, score: float = 0.95):
    from types import SimpleNamespace

    from appealcheck.seals import SealMatch

    return SimpleNamespace(match=SealMatch("acme-official", similarity, image, 0.5, 0.0),
                           text=SimpleNamespace(ring=ring, ring_score=score))


@pytest.mark.parametrize(("seal", "expected"), [
    # The registered seal's impression beside a one-character slip of the name: the OCR slipped (A-083-000008).
    (_seal("艾克米(中国)有限公司", 100.0, 0.93), []),
    # A ring too faint to read: the image alone confirms.
    (_seal("", 0.0, 0.93, score=0.0), []),
    # A forger's own seal, cut to the brand seal's layout: it scores 0.88 as an image (A-089-000141), but its ring
    # reads another name, so it confirms nothing.
    (_seal("艾克美(中国)有限公司股份", 75.0, 0.88), [LA]),
    # A photographed impression whose ring reads exactly as registered: the text proves it (A-097-000247).
    (_seal("艾克米(中国)有限公司", 100.0, 0.84), []),
    # A counterfeit engraved with the registered text but nothing like the seal: the text alone proves nothing.
    (_seal("艾克米(中国)有限公司", 100.0, 0.3), [LA]),
    # An impression that neither reads exactly nor looks like the registered seal confirms nothing.
    (_seal("艾克米(中国)有限公", 95.0, 0.6), [LA]),
])
def test_a_licensor_near_miss_is_excused_only_by_the_registered_seal_itself(monkeypatch, seal, expected):
    import appealcheck.seals

    brand = pack(seals=[{"id": "acme-official", "file": "seals/official.png", "entity": "艾克米(中国)有限公司",
                         "text": "艾克米(中国)有限公司"}])
    monkeypatch.setattr(appealcheck.seals, "analyse_seals", lambda ctx: [seal])
    c = replace(ctx(L, {**GOOD_LETTER, "licensor": "艾克美(中国)有限公司"}), brand=brand)
    assert sorted(f.id for f in Licensor().run(c)) == expected

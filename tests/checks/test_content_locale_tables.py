"""Tables for the checks added with issue #7's second part: trademark numbers, a receipt's country (currency, date
order, clock), the brand's store list, and an invoice dated before the seller's own authorization.

Same shape as test_content_check_tables.py: fields (and OCR text) in, the exact finding ids of one check out.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from appealcheck.checks.locale import ReceiptLocale, StoreList, receipt_country
from appealcheck.checks.parties import TrademarkNumbers, invoice_before_letter
from appealcheck.models import DocumentResult, FieldValue
from tests.checks.test_content_check_tables import GOOD_LETTER, INV, SELLER, L, R, found, pack

TM_PACK = pack(trademarks=[{"number": "12345678", "name": "艾克米", "classes": [3]}, {"number": "23456789"}])
STORES = [{"name": "GALERIES LUMIÈRE", "country": "FR"}, {"name": "WESTBROOK & HALE", "country": "GB"},
          {"name": "MADISON GRAND", "country": "US"}, {"name": "銀座みつば百貨店", "country": "JP"},
          {"name": "艾克米品牌专柜（上海店）", "country": "CN"}]
STORE_PACK = pack(stores=STORES)


def tm(*numbers):
    return {**GOOD_LETTER, "trademark_numbers": [{"number": n, "page": 0, "box": [1, 1, 20, 10]} for n in numbers]}


TU = "content.trademark_unknown"
TRADEMARK_CASES = [
    ("the registered number", tm("12345678"), {"brand": TM_PACK}, []),
    ("the second registration", tm("23456789"), {"brand": TM_PACK}, []),
    ("both registrations cited", tm("12345678", "23456789"), {"brand": TM_PACK}, []),
    ("a leading zero printed", tm("012345678"), {"brand": TM_PACK}, []),
    ("one digit off", tm("12345679"), {"brand": TM_PACK}, [TU]),
    ("two digits swapped", tm("12345687"), {"brand": TM_PACK}, [TU]),
    ("a made-up number", tm("40211873"), {"brand": TM_PACK}, [TU]),
    ("one real, one made up: one finding", tm("12345678", "55555555"), {"brand": TM_PACK}, [TU]),
    ("two made up: two findings", tm("55555555", "66666666"), {"brand": TM_PACK}, [TU, TU]),
    ("a seven-digit older registration not listed", tm("1234567"), {"brand": TM_PACK}, [TU]),
    ("no number read: unknown", GOOD_LETTER, {"brand": TM_PACK}, []),
    ("a number read with doubt is not judged",
     {**GOOD_LETTER,
      "trademark_numbers": [{"number": "12345679", "page": 0, "box": [1, 1, 20, 10], "confidence": 0.8}]},
     {"brand": TM_PACK}, []),
    ("the pack lists no trademarks: not judged", tm("40211873"), {}, []),
    ("no brand pack: not judged", tm("40211873"), {"brand": None}, []),
]

CM, DF, TF = "content.currency_country_mismatch", "content.date_format_country", "content.time_format_country"
PARIS = "GALERIES LUMIÈRE\n40 Boulevard Haussmann, 75009 Paris\nTVA 20%"
LONDON = "WESTBROOK & HALE\n87 Brompton Road, London SW1X 7XL"
NEW_YORK = "MADISON GRAND\n611 Fifth Avenue, New York NY 10022\nSales Tax"
TOKYO = "銀座みつば百貨店\n東京都中央区銀座4-6-16\n消費税"
PADERBORN = "LIDL\nWarburger Straße 130\n33100 Paderborn\nSumme\nMwSt"
SHANGHAI = "艾克米品牌专柜（上海店）\n上海市中心商场二层\n合计"


def rc(text, currency=None, date=None, raw_currency=None, **kw):
    f = {"total": 10.0}
    if currency:
        f["currency"] = currency if raw_currency is None else _Raw(currency, raw_currency)
    if date:
        f["date"] = date
    return (f, {"text": text, **kw})


class _Raw(str):
    """A currency code read from an amount printed as `raw` (the table's fields give raw = value otherwise)."""

    def __new__(cls, code, raw):
        s = super().__new__(cls, code)
        s.raw = raw
        return s


def locale_row(name, text, currency, date, expected, **kw):
    fields, ctx_kw = rc(text, currency, date, **kw)
    return (name, fields, ctx_kw, expected)


LOCALE_CASES = [
    locale_row("Paris in euros, day first", PARIS, "EUR", "25/03/2025 14:32", []),
    locale_row("Paris in pounds", PARIS, "GBP", "25/03/2025 14:32", [CM]),
    locale_row("Paris dated month first (03/25)", PARIS, "EUR", "03/25/2025 14:32", [DF]),
    locale_row("Paris with an ambiguous date: not judged", PARIS, "EUR", "03/04/2025", []),
    locale_row("London in pounds", LONDON, "GBP", "25/03/2025", []),
    locale_row("London in dollars", LONDON, "USD", "25/03/2025", [CM]),
    locale_row("New York in dollars, month first", NEW_YORK, "USD", "03/25/2025 2:45 PM", []),
    locale_row("New York dated day first", NEW_YORK, "USD", "25/03/2025", [DF]),
    locale_row("New York in euros", NEW_YORK, "EUR", "03/25/2025", [CM]),
    locale_row("Tokyo in yen, year first", TOKYO, "JPY", "2025年3月25日 14:32", []),
    locale_row("Tokyo in dollars", TOKYO, "USD", "2025/03/25", [CM]),
    locale_row("Tokyo dated day/month/year", TOKYO, "JPY", "25/03/2025", [DF]),
    locale_row("Paderborn in euros, 21.04.20", PADERBORN, "EUR", "21.04.20 09:59", []),
    locale_row("Paderborn with a 12-hour time", PADERBORN + "\n21.04.20 09:59 PM", "EUR", "21.04.20", [TF]),
    locale_row("an impossible 12-hour time anywhere", NEW_YORK + "\n14:05 PM", "USD", "03/25/2025", [TF]),
    locale_row("Paris with 'p.m.' on its clock", PARIS + "\n25/03/2025 2.45 p.m.", "EUR", "25/03/2025", [TF]),
    locale_row("Tokyo with a 0 o'clock AM time", TOKYO + "\n0:15 AM", "JPY", "2025/03/25", [TF]),
    locale_row("Paderborn dated month first (04/21/20)", PADERBORN, "EUR", "04/21/20", [DF]),
    locale_row("Shanghai counter in yuan, ISO date", SHANGHAI, "CNY", "2025-03-25 14:32", []),
    locale_row("Shanghai counter in dollars", SHANGHAI, "USD", "2025-03-25", [CM]),
    locale_row("German 'Am' on the next line is no AM", PADERBORN + "\nBeleg 10:15\nAm Markt 3", "EUR", "21.04.20", []),
    locale_row("New York with a 2:45 PM clock", NEW_YORK + "\n03/25/2025 2:45 PM", "USD", "03/25/2025", []),
    locale_row("London with a 12:05 am clock", LONDON + "\n25/03/2025 12:05 am", "GBP", "25/03/2025", []),
    locale_row("Paris with a 24-hour clock", PARIS + "\n25/03/2025 14:32", "EUR", "25/03/2025", []),
    locale_row("Paderborn with '09.59 Uhr'", PADERBORN + "\n21.04.20 09.59 Uhr", "EUR", "21.04.20", []),
    locale_row("Tokyo with 午後2:45 (no AM or PM letters)", TOKYO + "\n2025/03/25 午後2:45", "JPY", "2025/03/25", []),
    locale_row("London with a 13:15 PM clock", LONDON + "\n25/03/2025 13:15 PM", "GBP", "25/03/2025", [TF]),
    locale_row("Paderborn dated 21.04.2020", PADERBORN, "EUR", "21.04.2020", []),
    locale_row("London dated month first (03/25/2025)", LONDON, "GBP", "03/25/2025", [DF]),
    locale_row("a bare ¥ on a Japanese receipt without kana may be yen",
               "〒104-0061 東京都中央区銀座4-6-16\n領収書\n消費税", "CNY", "2025/03/25", [],
               raw_currency="¥12,800"),
    locale_row("no country cue: nothing judged", "RECEIPT\nTOTAL 12.00", "GBP", "03/25/2025", []),
    locale_row("one cue is not enough (postcode only)", "SHOP\n75009 Paris", "GBP", "03/25/2025", []),
    locale_row("currency unread: unknown", PARIS, None, "25/03/2025", []),
    locale_row("the brand's listed store sets the country", "GALERIES LUMIÈRE\nTOTAL", "USD", None, [CM],
               brand=STORE_PACK),
]
# The store line is the `store` field: give it where the brand's list decides the country.
LOCALE_CASES[-1][1]["store"] = "GALERIES LUMIÈRE"

SU = "content.store_unknown"
STORE_CASES = [
    ("a listed store", {"store": "GALERIES LUMIÈRE"}, {"brand": STORE_PACK}, []),
    ("a listed store without its accent (OCR)", {"store": "GALERIES LUMIERE"}, {"brand": STORE_PACK}, []),
    ("a listed store with its branch after the name", {"store": "WESTBROOK & HALE KNIGHTSBRIDGE"},
     {"brand": STORE_PACK}, []),
    ("a listed Japanese store", {"store": "銀座みつば百貨店"}, {"brand": STORE_PACK}, []),
    ("a listed counter in full-width brackets", {"store": "艾克米品牌专柜(上海店)"}, {"brand": STORE_PACK}, []),
    ("one character misread", {"store": "MADISON GRAN0"}, {"brand": STORE_PACK}, []),
    ("an outlet the brand does not list", {"store": "HARLOW & FINCH OUTLET"}, {"brand": STORE_PACK}, [SU]),
    ("a discount warehouse", {"store": "上海名品折扣仓"}, {"brand": STORE_PACK}, [SU]),
    ("another Japanese shop", {"store": "新宿ことぶき商店"}, {"brand": STORE_PACK}, [SU]),
    ("a Paris boutique not listed", {"store": "BOUTIQUE DU MARAIS"}, {"brand": STORE_PACK}, [SU]),
    ("a longer name that starts like a listed one", {"store": "MADISON GRANDE OUTLET"}, {"brand": STORE_PACK}, [SU]),
    ("a logo shop: 'RECEIPT' is the big line, the name is below",
     {"store": "RECEIPT"}, {"brand": STORE_PACK, "text": "RECEIPT\nWESTBROOK & HALE\n87 Brompton Road"}, []),
    ("store unread: unknown", {"total": 10.0}, {"brand": STORE_PACK}, []),
    ("the brand lists no stores", {"store": "HARLOW & FINCH OUTLET"}, {}, []),
]


def _tables():
    for check, kind, rows in ((TrademarkNumbers, L, TRADEMARK_CASES), (ReceiptLocale, R, LOCALE_CASES),
                              (StoreList, R, STORE_CASES)):
        for name, fields, kw, expected in rows:
            yield pytest.param(check, kind, fields, kw, expected, id=f"{check.id}: {name}")


@pytest.mark.parametrize(("check", "kind", "fields", "kw", "expected"), list(_tables()))
def test_check_table(check, kind, fields, kw, expected):
    assert found(check(), kind, fields, kw) == sorted(expected)


@pytest.mark.parametrize("rows", [TRADEMARK_CASES, LOCALE_CASES, STORE_CASES], ids=["trademark", "locale", "store"])
def test_each_table_has_ten_cases_that_fire_and_stay_silent(rows):
    assert len(rows) >= 10
    assert any(r[3] for r in rows) and not all(r[3] for r in rows)


def test_country_needs_two_cues_and_kana_is_japanese():
    assert receipt_country(PARIS).code == "FR"
    assert receipt_country(TOKYO).code == "JP"
    assert receipt_country(SHANGHAI).code == "CN"
    assert receipt_country("SHOP\n75009 Paris") is None
    # Chinese characters on a page with kana are Japanese kanji, not a Chinese receipt.
    assert receipt_country("銀座みつば百貨店\n東京都中央区銀座 合計 商场").code == "JP"


# ------------------------------------------------------------------ across documents: invoice before letter


def doc(file, kind, **fields) -> DocumentResult:
    fv = {k: FieldValue(k, v, str(v), 0, (1, 1, 20, 10), 0.99) for k, v in fields.items()}
    return DocumentResult(file=file, sha256=None, kind=kind, kind_source="test", pages=1, fields=fv, findings=(),
                          text="")


def inv(file, **fields) -> DocumentResult:
    """An invoice the appealing seller bought (buyer_name given unless the case says otherwise)."""
    return doc(file, INV, **{"buyer_name": SELLER, **fields})


LETTER = doc("l.png", L, licensee=SELLER, valid_from="2025-03-01", issued_on="2025-02-20")
SELLER_USCC, DIST_USCC = "914403001922038216", "91310115MA1H7XWJ5N"


def _code(code: str) -> dict:
    return {"code": code, "valid": True, "kind": "uscc", "page": 0, "box": [1, 1, 20, 10]}


IB = "content.invoice_before_letter"
APPEAL_CASES = [
    ("invoice after the letter", [LETTER, inv("i.png", issued_on="2025-04-01")], []),
    ("invoice on the issue day", [LETTER, inv("i.png", issued_on="2025-02-20")], []),
    ("invoice between issue and start: the earlier date counts", [LETTER, inv("i.png", issued_on="2025-02-25")],
     []),
    ("invoice a day before the letter was issued", [LETTER, inv("i.png", issued_on="2025-02-19")], [IB]),
    ("invoice a year before", [LETTER, inv("i.png", issued_on="2024-02-19")], [IB]),
    ("two invoices, one early", [LETTER, inv("a.png", issued_on="2025-05-01"),
                                 inv("b.png", issued_on="2024-12-01")], [IB]),
    ("invoice date unread", [LETTER, inv("i.png")], []),
    ("no letter in the appeal", [inv("i.png", issued_on="2024-02-19")], []),
    ("the letter's licensee unread: not the seller's letter", [
        doc("l.png", L, valid_from="2025-03-01"), inv("i.png", issued_on="2024-02-19")], []),
    ("only the distributor's own letter (licensee is the distributor)", [
        doc("l.png", L, licensee="上海锦程贸易有限公司", valid_from="2025-03-01"),
        inv("i.png", issued_on="2024-02-19")], []),
    ("the seller's letter in traditional script still counts", [
        doc("l.png", L, licensee="深圳市啟航貿易有限公司", valid_from="2025-03-01"),
        inv("i.png", issued_on="2024-02-19")], [IB]),
    ("a receipt is not an invoice", [LETTER, doc("r.png", R, issued_on="2024-02-19")], []),
    ("the distributor's own purchase from the brand comes first", [
        LETTER, inv("i.png", issued_on="2024-02-19", buyer_name="上海锦程贸易有限公司")], []),
    ("buyer unread: not judged", [LETTER, doc("i.png", INV, issued_on="2024-02-19")], []),
    ("buyer's name unread, the seller's taxpayer number printed on the invoice", [
        LETTER, doc("i.png", INV, issued_on="2024-02-19", usccs=[_code(SELLER_USCC), _code(DIST_USCC)])], [IB]),
    ("buyer's name unread, only another company's number", [
        LETTER, doc("i.png", INV, issued_on="2024-02-19", usccs=[_code(DIST_USCC)])], []),
    # A-757-000126, a fax: the 购买方 labels lost, the buyer's name read only as a line of the page.
    ("buyer's name unread, the seller's full name printed on the invoice", [
        LETTER, replace(doc("i.png", INV, issued_on="2024-02-19"), text="名 称：深圳市启航贸易有限公司\n合计")], [IB]),
    ("buyer's name unread, only the distributor's name printed", [
        LETTER, replace(doc("i.png", INV, issued_on="2024-02-19"), text="名称：上海锦程贸易有限公司")], []),
    ("buyer's name unread, another company named like the seller", [
        LETTER, replace(doc("i.png", INV, issued_on="2024-02-19"), text="深圳市启航电子有限公司")], []),
    ("buyer's name unread, the seller's branch printed (another buyer)", [
        LETTER, replace(doc("i.png", INV, issued_on="2024-02-19"), text="名称：深圳市启航贸易有限公司东莞分公司")], []),
    ("buyer's name unread, the seller's name printed where the issuer was read too (sides unknown)", [
        LETTER, replace(doc("i.png", INV, issued_on="2024-02-19", seller_name=SELLER), text=f"名称：{SELLER}")], []),
    ("buyer's name unread, the seller's name printed after the 购买方 label, the issuer another", [
        LETTER, replace(doc("i.png", INV, issued_on="2024-02-19", seller_name="上海锦程贸易有限公司"),
                        text=f"购买方 {SELLER}\n销售方 上海锦程贸易有限公司")], [IB]),
    # A-101-000257, a photo: 星辰 read as 星展 in the buyer's name, the buyer's code beside it the seller's own.
    ("the buyer's name a slip of the seller's, beside the seller's own code", [
        LETTER, inv("i.png", issued_on="2024-02-19", buyer_name="深圳市启帆贸易有限公司", buyer_uscc=SELLER_USCC)],
     [IB]),
    ("the buyer's name a slip of the seller's, another company's code beside it", [
        LETTER, inv("i.png", issued_on="2024-02-19", buyer_name="深圳市启帆贸易有限公司", buyer_uscc=DIST_USCC)], []),
    ("the buyer's name read as the distributor: the name decides", [
        LETTER, inv("i.png", issued_on="2024-02-19", buyer_name="上海锦程贸易有限公司",
                    usccs=[_code(SELLER_USCC)])], []),
]


@pytest.mark.parametrize(("name", "docs", "expected"), APPEAL_CASES, ids=[c[0] for c in APPEAL_CASES])
def test_invoice_before_letter_table(name, docs, expected):
    got = invoice_before_letter(SELLER, docs, SELLER_USCC)
    assert sorted(f.id for fs in got.values() for f in fs) == expected
    for fs in got.values():
        assert all(f.box == (1, 1, 20, 10) and f.expected.startswith("on or after") for f in fs)


# ------------------------------------------------------------------ across documents: brand -> distributor -> seller

DIST = "上海锦程贸易有限公司"
OWN = doc("own.png", L, licensor="艾克米(中国)有限公司", licensee=DIST, serial="AC-SQ-2024-00001",
          valid_from="2024-01-01", valid_to="2025-12-31")


def seller_letter(**kw):
    fields = {"licensor": DIST, "licensee": SELLER, "parent_serial": "AC-SQ-2024-00001", "valid_from": "2025-01-01",
              "valid_to": "2025-12-31", **kw}
    return doc("seller.png", L, **{k: v for k, v in fields.items() if v is not None})


CS, CP = "content.chain_serial_mismatch", "content.chain_period_exceeds"
CHAIN_CASES = [
    ("the chain holds", [OWN, seller_letter()], []),
    ("serial cited with full-width dashes", [OWN, seller_letter(parent_serial="AC－SQ－2024－00001")], []),
    ("grant ends the day the distributor's does", [OWN, seller_letter(valid_to="2025-12-31")], []),
    ("grant ends earlier", [OWN, seller_letter(valid_to="2025-06-30")], []),
    ("another serial cited", [OWN, seller_letter(parent_serial="AC-SQ-2024-00417")], [CS]),
    ("I read as 1 and a dot for a dash (OCR)", [OWN, seller_letter(parent_serial="AC-SQ·2024-0000I")], []),
    ("another year in the serial", [OWN, seller_letter(parent_serial="AC-SQ-2023-00001")], [CS]),
    # A-089-000191, a fax: one letter of the prefix dropped, every digit the same.
    ("a prefix letter lost by the OCR", [OWN, seller_letter(parent_serial="A-SQ-2024-00001")], []),
    ("a prefix letter lost and the number changed", [OWN, seller_letter(parent_serial="A-SQ-2024-00002")], [CS]),
    ("a prefix letter lost and a short number changed", [
        doc("own.png", L, licensee=DIST, serial="AC-SQ-2024-017", valid_to="2025-12-31"),
        seller_letter(parent_serial="A-SQ-2024-018")], [CS]),
    ("another brand's prefix, same number", [OWN, seller_letter(parent_serial="LA-JX-2024-00001")], [CS]),
    ("grant beyond the distributor's own period", [OWN, seller_letter(valid_to="2026-06-30")], [CP]),
    ("both broken", [OWN, seller_letter(parent_serial="AC-SQ-2024-00417", valid_to="2026-06-30")], [CP, CS]),
    ("the brand's letter to the distributor is not in the appeal", [seller_letter(parent_serial="X-1-2-3")], []),
    ("cited serial unread", [OWN, seller_letter(parent_serial=None)], []),
    # A-829-000175, a photo: the citation read as 'X4Y' from a sliver of the line.
    ("cited serial read without its number", [OWN, seller_letter(parent_serial="X4Y")], []),
    ("cited serial read with a short number", [OWN, seller_letter(parent_serial="AC-SQ-20")], []),
    ("distributor's own serial unread", [doc("own.png", L, licensee=DIST, valid_to="2025-12-31"),
                                         seller_letter(parent_serial="AC-SQ-2024-00417")], []),
    # A-437-000052: a fax of the brand's letter read its serial as 'BO' alone.
    ("distributor's own serial read without its number", [
        doc("own.png", L, licensee=DIST, serial="AC", valid_to="2025-12-31"), seller_letter()], []),
    ("a direct letter from the brand has no chain", [doc("l.png", L, licensor="艾克米(中国)有限公司",
                                                         licensee=SELLER, valid_to="2029-01-01")], []),
    ("an expired parent letter and its renewal: the cited renewal decides", [
        doc("old.png", L, licensee=DIST, serial="AC-SQ-2022-00009", valid_to="2023-12-31"), OWN,
        seller_letter()], []),
    ("expired parent and renewal, neither cited", [
        doc("old.png", L, licensee=DIST, serial="AC-SQ-2022-00009", valid_to="2023-12-31"), OWN,
        seller_letter(parent_serial="AC-SQ-2024-00417")], [CS]),
]


@pytest.mark.parametrize(("name", "docs", "expected"), CHAIN_CASES, ids=[c[0] for c in CHAIN_CASES])
def test_chain_table(name, docs, expected):
    from appealcheck.checks.parties import broken_chain

    got = broken_chain(SELLER, docs)
    assert sorted(f.id for fs in got.values() for f in fs) == expected
    assert set(got) <= {"seller.png"}


def test_a_grant_beyond_the_distributor_is_reported_once():
    # The letter's own check already compared it with the brand's record of the distributor: the appeal-level
    # comparison with the brand's letter does not say it again.
    from dataclasses import replace as _replace

    from appealcheck.api import with_appeal_findings
    from appealcheck.models import Appeal, Finding, Seller

    letter = seller_letter(valid_to="2026-06-30")
    appeal = Appeal("A", "A", "acme", "2025-06-01", Seller(name=SELLER), ())
    said = Finding(id=CP, severity="medium", check="content.licensor", message="beyond the registry")
    got = {d.file: [f.id for f in d.findings] for d in with_appeal_findings(appeal, [OWN, letter])}
    assert got == {"own.png": [], "seller.png": [CP]}
    got = {d.file: [f.id for f in d.findings]
           for d in with_appeal_findings(appeal, [OWN, _replace(letter, findings=(said,))])}
    assert got == {"own.png": [], "seller.png": [CP]}

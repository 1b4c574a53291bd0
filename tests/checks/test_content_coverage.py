"""Issue #7 asks for a table-driven test per check of at least ten cases, with real-world formats and near-misses.

The tables are kept per check class (one class may raise several findings); this counts them per finding id, for
every `content.*` id the model knows (KNOWN_FINDINGS) and `seal.taxpayer_mismatch`: at least three rows that raise
the id, at least three near-misses that must not, and ten rows in all. A near-miss is a row that does not raise
the id in a table where nothing else fires, or a row named for it in NEAR_MISSES (tables of several ids). A new
content finding without its table fails here.
"""

from __future__ import annotations

import collections

import pytest

from appealcheck.scoring.features import KNOWN_FINDINGS
from tests.checks import test_content_check_tables as CHECKS
from tests.checks import test_content_locale_tables as LOCALE
from tests.checks import test_content_tables as CONTENT
from tests.checks import test_phash as PHASH
from tests.seals import test_taxpayer_table as TAXPAYER


def _values(row):
    return row.values if hasattr(row, "marks") else row


def _tables() -> dict[str, list[tuple[str, list[str]]]]:
    """Each table as (row name, ids the row expects)."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for _check, _kind, rows in CHECKS.TABLES:
        name = next(k for k, v in vars(CHECKS).items() if v is rows)
        out[f"check_tables.{name}"] = [(_values(r)[0], list(_values(r)[3])) for r in rows]
    for name in ("TRADEMARK_CASES", "LOCALE_CASES", "STORE_CASES"):
        out[f"locale_tables.{name}"] = [(r[0], list(r[3])) for r in getattr(LOCALE, name)]
    for name in ("APPEAL_CASES", "CHAIN_CASES"):
        out[f"locale_tables.{name}"] = [(r[0], list(r[2])) for r in getattr(LOCALE, name)]
    out["content_tables.CASES"] = [(r[0], list(r[4])) for r in CONTENT.CASES]
    out["content_tables.WEEKDAY_CASES"] = [(r[0], sorted(r[1])) for r in CONTENT.WEEKDAY_CASES]
    out["content_tables.RESIDENT_ID_CASES"] = [(r[0], sorted(r[1])) for r in CONTENT.RESIDENT_ID_CASES]
    out["phash.PHASH_CASES"] = [(r[0], ["content.known_forgery_similar"] if r[2] else []) for r in PHASH.PHASH_CASES]
    out["taxpayer_table.TAXPAYER_CASES"] = [(r[0], list(r[4])) for r in TAXPAYER.TAXPAYER_CASES]
    return out


NEAR_MISSES: dict[str, tuple[str, ...]] = {
    "content.period_outside": (
        "appeal on the first day", "appeal on the last day", "ends on a leap day, appeal that day",
        "no appeal date: nothing to be outside of", "end unread (impossible date printed)", "no period read"),
    "content.period_reversed": (
        "one-day period on the appeal day", "a day apart in the right order", "December to January of the next year",
        "start unread: nothing to reverse", "end unread: nothing to reverse"),
    "content.period_too_long": (
        "period of exactly 730 days", "two calendar years across a leap day are 730 days",
        "long period on an invoice is not a letter's", "pack without a limit", "reversed period is not too long"),
    "content.issued_after_appeal": (
        "letter dated before the appeal", "letter dated on the appeal day", "impossible date is unread, not late",
        "no appeal date"),
    "content.licensor_lookalike": (
        "full-width brackets and traditional 中國", "brackets dropped by OCR",
        "one character off, beside the entity's registered code", "Cyrillic-script entity read exactly"),
    "content.licensor_unknown": (
        "licensor unread", "licensor read empty", "no brand pack to compare with",
        "distributor inside its period", "two characters swapped (78% alike, still a look-alike)"),
    "content.distributor_not_authorized": (
        "distributor inside its period", "distributor on the last day of its period",
        "distributor on the first day of its period", "distributor letter with no date read",
        "distributor a day before its period ends"),
    "content.chain_period_exceeds": (
        "distributor granting to the last day of its registered period", "distributor's grant with its end unread",
        "a letter outside the period and granting beyond it: one finding, the date",
        "the brand's own letter granting beyond a distributor's period", "grant ends the day the distributor's does",
        "grant ends earlier"),
    "content.licensor_uscc_mismatch": (
        "licensor code read with spaces and lower case", "licensor code in full-width characters",
        "distributor's own registered code", "licensor code unread",
        "a stranger's code beside a stranger: unknown, no registry to hold it to",
        "one character off, beside the entity's registered code"),
    "content.licensee_not_seller": (
        "traditional script", "full-width brackets in the seller's name", "English name, other case and punctuation",
        "one character off, no code read: an OCR slip", "one character off, beside the seller's own code",
        "brand authorises its registered distributor", "seller unknown: nothing to compare"),
    "content.individual_licensee": (
        "sole proprietor's shop is a business", "brand that authorises people",
        "a shop named for its owner is a business", "a five-character company name without its legal form",
        "an English company name"),
    "content.buyer_not_seller": (
        "buyer in traditional script", "buyer with OCR spaces and a full-width colon",
        "buyer one character off, no code read: an OCR slip", "buyer one character off, beside the seller's own code",
        "seller unknown: buyer not judged"),
    "content.invoice_issuer_lookalike": (
        "issuer one character off, its registered taxpayer number read exactly",
        "issuer one character off, its registered code on the line under it, unlabelled",
        "Cyrillic-script issuer read exactly"),
    "content.invoice_issuer_unknown": (
        "the seller's own name where the issuer goes",
        "the appealing seller read in the issuer's place (a fax lost the side labels): sides unknown",
        "parties unread", "Cyrillic-script issuer read exactly",
        "issuer the registered distributor in traditional script"),
    "content.invoice_code_date": (
        "code of the invoice's own year", "issue date unread: the year not judged",
        "code of the year before the invoice",
        "code for 2026 on an invoice of 2026", "fully digital: 20-digit number of its year and province, no code"),
    "content.invoice_sum_mismatch": (
        "tax read cut short ('￥3559' of ¥35594.91): unknown", "total off by one cent",
        "red-letter invoice: all negative", "amount unread",
        "合计 tax unread, the total as issued",
        "合计 tax unread, the lines short of the 合计 amount: they disagree, and do not give the sum",
        "tax 8 cents from 13% (line rounding)"),
    "content.invoice_tax_mismatch": (
        "tax 8 cents from 13% (line rounding)", "two rates printed: tax not judged",
        "'100%纯棉' in an item name beside the 13% rate", "small-scale taxpayer at 1% (减按1%征收)",
        "tax-exempt: tax printed as ***", "no rate printed: tax not judged"),
    "content.invoice_lines_mismatch": (
        "two lines at 13% (A-739-000026 as issued)", "a discount line (negative) in the sum",
        "a tax-exempt line (免税: no rate, no tax)", "lines unread: nothing judged beyond the 合计 row",
        "goods at 13% and freight at 9%: each line judged at its own rate", "two lines whose sum carries float noise"),
    "content.invoice_line_tax_mismatch": (
        "a line's tax 6 fen from its rate (the tax system's allowance)",
        "goods at 13% and freight at 9%: each line judged at its own rate", "a line at 9% with its tax at 9%",
        "a small-scale line at 1%", "a line's tax 6 fen under its rate", "a discount line (negative) in the sum"),
    "content.currency_country_mismatch": (
        "Paris in euros, day first", "London in pounds", "a bare ¥ on a Japanese receipt without kana may be yen",
        "one cue is not enough (postcode only)", "currency unread: unknown"),
    "content.date_format_country": (
        "Paris with an ambiguous date: not judged", "Paderborn in euros, 21.04.20", "Tokyo in yen, year first",
        "New York in dollars, month first", "Paderborn dated 21.04.2020"),
    "content.time_format_country": (
        "German 'Am' on the next line is no AM", "New York with a 2:45 PM clock", "London with a 12:05 am clock",
        "Paderborn with '09.59 Uhr'",
        "Tokyo with 午後2:45 (no AM or PM letters)"),
    "content.chain_serial_mismatch": (
        "serial cited with full-width dashes", "I read as 1 and a dot for a dash (OCR)",
        "a prefix letter lost by the OCR", "cited serial read without its number",
        "cited serial read with a short number"),
}
"""Rows of a table of several ids that test one id's near-miss (each must exist and not raise that id)."""

IDS = sorted({fid for fid, _ in KNOWN_FINDINGS if fid.startswith("content.")} | {"seal.taxpayer_mismatch"})


def _count(fid: str) -> tuple[int, int]:
    """Rows raising `fid`, and near-misses of it (by name: a case kept in two tables counts once)."""
    raising, near = 0, set()
    for _table, rows in _tables().items():
        fired = {i for _, expected in rows for i in expected}
        raising += sum(fid in expected for _, expected in rows)
        for name, expected in rows:
            if fid in expected or fid not in fired:
                continue
            if fired == {fid} or name in NEAR_MISSES.get(fid, ()):
                near.add(name)
    return raising, len(near)


@pytest.mark.parametrize("fid", IDS)
def test_each_content_finding_has_ten_table_cases_with_near_misses(fid):
    raising, near = _count(fid)
    assert raising >= 3, f"{fid}: {raising} table rows raise it"
    assert near >= 3, f"{fid}: {near} near-misses"
    assert raising + near >= 10, f"{fid}: {raising} rows raise it, {near} near-misses"


def test_named_near_misses_exist_and_stay_silent_in_a_table_that_raises_the_id():
    rows = collections.defaultdict(list)
    for _table, table_rows in _tables().items():
        fired = {i for _, expected in table_rows for i in expected}
        for name, expected in table_rows:
            rows[name].append((expected, fired))
    for fid, names in NEAR_MISSES.items():
        assert fid in IDS, fid
        for name in names:
            assert name in rows, f"{fid}: no row named {name!r}"
            assert all(fid not in e for e, _ in rows[name]), f"{name!r} raises {fid}"
            assert any(fid in fired for _, fired in rows[name]), f"{name!r} is in no table that raises {fid}"

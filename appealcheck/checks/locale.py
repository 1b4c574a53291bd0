"""Receipts against the country of the shop that printed them: its currency, its date order, its clock, and the
brand's list of shops.

A till prints the local currency and the local date order. A forger who fills a template from one country with
another's habits (a Paris receipt in pounds, a London one dated 03/25/2025) leaves a mismatch no pixel check sees.
The country comes from the shop when the brand lists it with its country, otherwise from the address and words on
the receipt, never from the currency itself; when the page does not say clearly, nothing is judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appealcheck.checks.interface import Check, DocContext
from appealcheck.checks.names import best_match, is_same
from appealcheck.models import Finding

CURRENCY = {"CN": "CNY", "JP": "JPY", "US": "USD", "GB": "GBP", "FR": "EUR", "DE": "EUR", "IT": "EUR", "ES": "EUR",
            "KR": "KRW", "HK": "HKD"}
"""The currency a shop's till prints in each country the checks know."""
DATE_ORDER = {"US": "MDY", "CN": "YMD", "JP": "YMD", "KR": "YMD"}
"""Order of a numeric date with the year last or first; every other known country writes day before month."""
CLOCK_24H = ("DE", "FR", "IT", "ES")
"""Countries whose tills print a 24-hour clock: an AM/PM time there is another country's template."""
STORE_MATCH = 85.0
"""Similarity at or above which a store name read through OCR noise is taken as a listed store."""

_US_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|"
              "ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")
# Each country's cues: independent groups, each counted once. None of them is a currency sign or code.
_CUES: dict[str, tuple[re.Pattern[str], ...]] = {
    "US": (re.compile(rf"\b({_US_STATES})\s+\d{{5}}(-\d{{4}})?\b"), re.compile(r"(?i)\bsales\s*tax\b"),
           re.compile(r"\bUSA\b|(?i:united states)")),
    "GB": (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[ABD-HJLNP-UW-Z]{2}\b"),
           re.compile(r"(?i)\b(London|Manchester|Birmingham|Edinburgh|Glasgow|Liverpool|United Kingdom)\b"),
           re.compile(r"(?i)\bVAT\s*(reg|no|number|\d{1,2}(\.\d+)?\s*%)")),
    "FR": (re.compile(r"\b(0[1-9]|[1-8]\d|9[0-5])\d{3}\s+(Paris|Lyon|Marseille|Nice|Bordeaux|Lille|Toulouse|Cannes|"
                      r"Strasbourg|Nantes)\b", re.I),
           re.compile(r"(?i)\bT\.?V\.?A\b|\bTTC\b"),
           re.compile(r"(?i)\b(boulevard|rue|avenue|merci|esp[eè]ces|d[ée]taxe|sous[- ]total)\b")),
    "DE": (re.compile(r"\b\d{5}\s+[A-ZÄÖÜ][a-zäöüß]{2,}"),
           re.compile(r"(?i)\b(mwst|mehrwertst\w*|ust[- ]?id\w*|steuer[- ]?n\w*)"),
           re.compile(r"(?i)\b(summe|gesamt\w*|r[uü]ckgeld|gegeben|zu zahlen|kartenzahlung|filiale|bonn?r|"
                      r"stra(ß|ss|b)e|str\.)")),
    "JP": (re.compile(r"[\u3040-\u309f\u30a0-\u30ff]{2,}"),
           re.compile(r"〒\s*\d{3}-?\d{4}|[都道府県][^\s]{1,6}[区市町村]"),
           re.compile(r"消費税|税込|領収|お買上|合計")),
    "CN": (re.compile(r"(省|市)[^\s]{0,8}(区|县|路|街|商场|广场)"),
           re.compile(r"合\s*计|实\s*收|收\s*银|小\s*票|单\s*号|找\s*零"),
           re.compile(r"专柜|商场|有限公司")),
}
_KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff]")

_YEAR_LAST = re.compile(r"(?<!\d)(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4}|\d{2})(?!\d)")
_AMPM = re.compile(r"(?<!\d)(\d{1,2})[ \t]*[:.][ \t]*([0-5]\d)(?:[ \t]*[:.][ \t]*[0-5]\d)?[ \t]*"
                   r"([AaPp])\.?[ \t]?[Mm]\.?(?![A-Za-z])")


_SHARED_SIGNS = {"¥": {"CNY", "JPY"}, "￥": {"CNY", "JPY"}, "$": {"USD", "HKD", "CAD", "AUD", "SGD", "TWD", "MXN"}}
"""Signs several currencies print: a bare '¥' is yuan or yen, a bare '$' any dollar."""


def _could_be(code: str, raw: str | None) -> set[str]:
    """Every currency a read amount may be in: its code, or all that share its bare sign."""
    text = raw or ""
    if re.search(r"[A-Z]{3}|US\$|HK\$|円|元|RMB", text):
        return {code}
    for sign, codes in _SHARED_SIGNS.items():
        if sign in text:
            return codes | {code}
    return {code}


@dataclass(frozen=True)
class Country:
    """Where a receipt was printed and why we think so."""

    code: str
    why: str


def receipt_country(text: str, store: str | None = None, ctx: DocContext | None = None) -> Country | None:
    """The country of a receipt: from the brand's store list, else from at least two independent cues of one
    country and fewer for every other. None when the page does not say clearly."""
    if store and ctx is not None and ctx.brand is not None:
        listed = _listed_store(store, ctx)
        if listed is not None and listed.country:
            return Country(listed.country, f"the brand lists {listed.name} in {listed.country}")
    scores = {}
    for code, cues in _CUES.items():
        hits = [c.search(text) for c in cues]
        scores[code] = [h.group(0) for h in hits if h]
    if len(_KANA.findall(text)) >= 3:
        scores["CN"] = []  # Chinese cues on a page with kana are Japanese kanji
    ranked = sorted(scores.items(), key=lambda kv: -len(kv[1]))
    (best, cues), (_, second) = ranked[0], ranked[1]
    if len(cues) >= 2 and len(cues) > len(second):
        return Country(best, "the receipt reads " + ", ".join(repr(c.strip()) for c in cues))
    return None


def _listed_store(store: str, ctx: DocContext):
    names = [s.name for s in ctx.brand.stores]
    m = best_match(store, names)
    if m.closest is None or not (m.exact or m.similarity >= STORE_MATCH or _contains(store, m.closest)):
        return None
    return next(s for s in ctx.brand.stores if s.name == m.closest)


def _contains(read: str, listed: str) -> bool:
    """A store line often carries more than the name ('GALERIES LUMIÈRE HAUSSMANN'), but 'MADISON GRANDE' is not
    'MADISON GRAND'."""
    rest = read[len(listed):len(listed) + 1]
    return is_same(read[: len(listed)], listed) is True and not (rest.isalnum() and rest.isascii())


def date_order_problem(raw: str, country: str) -> str | None:
    """Why a numeric date with the year last cannot be in the country's order (None when it can, or when the
    date reads either way)."""
    m = _YEAR_LAST.search(raw)
    if m is None:
        return None
    a, b = int(m[1]), int(m[2])
    order = DATE_ORDER.get(country, "DMY")
    if order == "MDY" and a > 12 and 1 <= b <= 12:
        return f"'{m[0]}' puts the day first; {country} tills print month/day/year"
    if order == "DMY" and b > 12 and 1 <= a <= 12:
        return f"'{m[0]}' puts the month first; {country} tills print day/month/year"
    if order == "YMD" and (a > 12 or b > 12) and len(m[3]) == 4:
        return f"'{m[0]}' puts the year last; {country} tills print year/month/day"
    return None


def clock_problem(text: str, country: str) -> tuple[str, str] | None:
    """(the time as printed, why) for an impossible 12-hour time, or a 12-hour time where tills print 24 hours."""
    for m in _AMPM.finditer(text):
        h = int(m[1])
        if h == 0 or h > 12:
            return m[0], f"'{m[0].strip()}' is not a 12-hour time"
        if country in CLOCK_24H:
            return m[0], f"'{m[0].strip()}' is a 12-hour time; {country} tills print a 24-hour clock"
    return None


def _line_box(ctx: DocContext, needle: str):
    for p, page in enumerate(ctx.ocr):
        for ln in page.lines:
            if needle in ln.text:
                return p, ln.box
    return None, None


class ReceiptLocale(Check):
    """A receipt's currency, date order and clock must be those of the country its shop is in."""

    id = "content.receipt_locale"
    applies_to = ("receipt",)

    def run(self, ctx: DocContext) -> list[Finding]:
        store = ctx.fields.get("store")
        country = receipt_country(ctx.text, store.value if store else None, ctx)
        if country is None:
            return []
        out = []
        cur = ctx.fields.get("currency")
        want = CURRENCY.get(country.code)
        if cur is not None and cur.value and want and want not in _could_be(cur.value, cur.raw) and cur.box is not None:
            out.append(Finding(
                id="content.currency_country_mismatch", severity="medium", check=self.id,
                message=f"Amounts are in {cur.value}, but the shop is in {country.code} ({country.why}), whose tills "
                        f"print {want}", page=cur.page, box=cur.box, measured=cur.value, expected=want))
        date = ctx.fields.get("date")
        if date is not None and date.raw:
            why = date_order_problem(date.raw, country.code)
            if why:
                out.append(Finding(id="content.date_format_country", severity="medium", check=self.id,
                                   message=why + f" ({country.why})", page=date.page, box=date.box,
                                   measured=date.raw, expected=DATE_ORDER.get(country.code, "DMY")))
        clock = clock_problem(ctx.text, country.code)
        if clock:
            page, box = _line_box(ctx, clock[0].strip())
            out.append(Finding(id="content.time_format_country", severity="medium", check=self.id,
                               message=clock[1], page=page, box=box, measured=clock[0].strip(),
                               expected="24-hour time" if country.code in CLOCK_24H else "a 12-hour time"))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        store = ctx.fields.get("store")
        known = receipt_country(ctx.text, store.value if store else None, ctx) is not None
        return {"content.receipt_locale.country_known": float(known)}


class StoreList(Check):
    """When the brand lists the shops that sell its goods, a receipt must come from one of them."""

    id = "content.store"
    applies_to = ("receipt",)

    def run(self, ctx: DocContext) -> list[Finding]:
        store = ctx.fields.get("store")
        if store is None or not store.value or ctx.brand is None or not ctx.brand.stores:
            return []
        if _listed_store(store.value, ctx) is not None:
            return []
        # The store field is the top line printed largest; a logo shop prints 'RECEIPT' or 領収書 there instead.
        if any(_listed_store(ln.text, ctx) is not None for p in ctx.ocr for ln in p.lines):
            return []
        m = best_match(store.value, [s.name for s in ctx.brand.stores])
        return [Finding(id="content.store_unknown", severity="medium", check=self.id,
                        message=f"Receipt from '{store.value}', which is not among {ctx.brand.id}'s "
                                f"{len(ctx.brand.stores)} listed shops (closest: {m.closest}, "
                                f"{m.similarity:.0f}% alike)",
                        page=store.page, box=store.box, measured=store.value,
                        expected=[s.name for s in ctx.brand.stores])]

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        store = ctx.fields.get("store")
        if store is None or not store.value or ctx.brand is None or not ctx.brand.stores:
            return {"content.store.similarity": None}
        return {"content.store.similarity": best_match(store.value, [s.name for s in ctx.brand.stores]).similarity}

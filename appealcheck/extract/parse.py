"""Text parsers for field extraction: dates, periods, amounts, capital amounts, USCCs, invoice numbers.

Every function is pure and total: it takes any string (one OCR line or a whole page) and never raises.
Matching runs on a normalised *view* of the text (NFKC, whitespace runs collapsed, ``O`` read as ``0``
inside digit runs), but every returned ``start``/``end`` is an offset into the ORIGINAL string, so that
``text[m.start:m.end] == m.raw`` and the caller can map a value back to its OCR line.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an
from stdnum.cn import ric, uscc

__all__ = [
    "AmountMatch", "DateMatch", "InvoiceNumbers", "PeriodMatch", "UsccMatch", "find_amounts",
    "find_capital_amounts", "find_dates", "find_invoice_numbers", "find_periods", "find_tax_rates",
    "find_usccs", "normalize", "parse_capital_amount", "to_simplified",
]  # fmt: skip

# ---------------------------------------------------------------------------------------------------------
# Normalised view with a map back to the original string
# ---------------------------------------------------------------------------------------------------------

_ALNUM_RUN_RE = re.compile(r"[0-9A-Za-z]+", re.ASCII)
_O_DIGITS_RE = re.compile(r"[0-9Oo]*[0-9][0-9Oo]*", re.ASCII)
_WS_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class _View:
    """NFKC text plus, for each of its characters, the index of the original character it came from."""

    text: str
    origin: tuple[int, ...]
    source: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the view slice [start, end); end covers the whole source character."""
        return self.origin[start], self.origin[end - 1] + 1


def _view(text: str, fix_digits: bool = True) -> _View:
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        nf = unicodedata.normalize("NFKC", ch)
        if not nf or nf.isspace():
            # A run of whitespace becomes one character. A newline wins so that patterns allowing ' '
            # never join two OCR lines (callers map matches back to lines).
            if out and out[-1] in " \n":
                if "\n" in ch and out[-1] == " ":
                    out[-1] = "\n"
                continue
            out.append("\n" if "\n" in ch else " ")
            origin.append(i)
            continue
        for c in nf:
            out.append(c)
            origin.append(i)
    s = "".join(out)
    if fix_digits:
        # OCR reads 0 as O; only fix it inside a run made of digits and O's alone, so codes like
        # 'ZO1' or words like 'NO' are left as they are. Same length, so the offsets stay valid.
        chars = list(s)
        for run in _ALNUM_RUN_RE.finditer(s):
            if _O_DIGITS_RE.fullmatch(run.group()):
                for j in range(run.start(), run.end()):
                    if chars[j] in "Oo":
                        chars[j] = "0"
        s = "".join(chars)
    return _View(s, tuple(origin), text)


def normalize(text: str) -> str:
    """NFKC-normalise (full-width to half-width, '：' to ':') and collapse whitespace runs to one space.

    CJK characters are kept. Leading and trailing whitespace is removed. Use this for display and
    comparison; the ``find_*`` functions do their own normalisation and return original offsets.
    """
    return _WS_RE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


# ---------------------------------------------------------------------------------------------------------
# Dates and periods
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateMatch:
    """A date found in text; ``value`` is None and ``problem`` says why when the date cannot exist."""

    value: datetime.date | None
    raw: str
    start: int
    end: int
    problem: str | None


@dataclass(frozen=True)
class PeriodMatch:
    """Two dates joined by 至/到/~/-/to/until..., e.g. a validity period of an authorization letter."""

    start_date: DateMatch
    end_date: DateMatch
    raw: str
    start: int
    end: int


_MONTHS = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7, "oktober": 10,
    "okt": 10, "dezember": 12, "dez": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0, "o": 0, "0": 0}

_D_CJK_RE = re.compile(
    r"(?<![0-9])(?P<y>[0-9](?: ?[0-9]){3}) ?年 ?(?P<m>[0-9]{1,2}) ?月 ?(?P<d>[0-9]{1,2})(?![0-9])"
    r"(?: ?[日号])?"
)
_D_CNNUM_RE = re.compile(
    r"(?P<y>[〇零○Oo0一二三四五六七八九]{4}) ?年 ?(?P<m>[一二三四五六七八九十元]{1,3}|[0-9]{1,2}) ?月 ?"
    r"(?P<d>[一二三四五六七八九十]{1,3}|[0-9]{1,2}) ?[日号]"
)
_D_ERA_RE = re.compile(
    r"(?P<era>令和|平成) ?(?P<y>[0-9]{1,2}|元) ?年 ?(?P<m>[0-9]{1,2}) ?月 ?(?P<d>[0-9]{1,2}) ?日"
)
_D_YMD_RE = re.compile(
    r"(?<![0-9.])(?P<y>[0-9]{4}) ?(?P<s>[-/.]) ?(?P<m>[0-9]{1,2}) ?(?P=s) ?(?P<d>[0-9]{1,2})(?!\.?[0-9])"
)
_D_DMY_RE = re.compile(
    r"(?<![0-9.,/-])(?P<d>[0-9]{1,2})(?P<s>[./-])(?P<m>[0-9]{1,2})(?P=s)(?P<y>[0-9]{4}|[0-9]{2})"
    r"(?!\.?[0-9])"
)
_D_MDY_NAME_RE = re.compile(
    rf"(?<![A-Za-z])(?P<mon>{_MONTH_ALT})\.? ?(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?(?![0-9]),? ?"
    r"(?P<y>[0-9]{4})(?![0-9])",
    re.IGNORECASE,
)
_D_DMY_NAME_RE = re.compile(
    rf"(?<![0-9])(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th|er)?\.?[ -]?(?P<mon>{_MONTH_ALT})(?![a-zà-ÿ])\.?,?[ -]?"
    r"(?P<y>[0-9]{4})(?![0-9])",
    re.IGNORECASE,
)
_D_LABELLED8_RE = re.compile(r"(?:日期|date|datum) ?:? ?(?P<v>[0-9]{8})(?![0-9])", re.IGNORECASE)
_PERIOD_JOIN_RE = re.compile(
    r" ?(?:起 ?)?(?:至|到|~|〜|-|—|–|−|―|to|until|through|thru|till|bis|au|à) ?", re.IGNORECASE
)
_PERIOD_BEFORE_RE = re.compile(r"(?:自|从|from|du|vom|von) ?$", re.IGNORECASE)
_PERIOD_AFTER_RE = re.compile(r" ?(?:为止|止)")


def _cn_small_int(s: str) -> int | None:
    """'十二' -> 12, '三十一' -> 31, '元' -> 1 (元月), '05' -> 5; None for anything else."""
    if s.isascii() and s.isdigit():
        return int(s)
    if s == "元":
        return 1
    if "十" in s:
        tens, _, units = s.partition("十")
        if (
            len(tens) > 1
            or len(units) > 1
            or (tens and tens not in _CN_DIGIT)
            or (units and units not in _CN_DIGIT)
        ):
            return None
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)
    return _CN_DIGIT.get(s) if len(s) == 1 else None


def _date_or_problem(y: int, m: int, d: int, lenient: bool) -> tuple[datetime.date | None, str | None] | None:
    """Check a date. None means 'not a date at all' (year out of 1990..2100, or an impossible month/day
    in a purely numeric form, where it is more likely a version number or a code than a forged date).
    ``lenient`` forms (年月日, month names) report impossible dates as a problem instead. A month or day of
    0 is no one's forgery but the OCR's reading of 06, 08 or 09 under a seal or on a fax (A-089-000103): it is
    not read, rather than impossible. So is a day of 40 or more: a forger's impossible day is the 30th or 31st of
    a short month, while the OCR reads 07 as 67 and 13 as 43 under a seal's ink (A-109-000225, -000277)."""
    if not 1990 <= y <= 2100 or m == 0 or d == 0 or d >= 40:
        return None
    if not 1 <= m <= 12:
        return (None, f"month {m} does not exist") if lenient else None
    if not 1 <= d <= 31:
        return (None, f"day {d} does not exist") if lenient else None
    last = calendar.monthrange(y, m)[1]
    if d > last:
        return None, f"day {d} does not exist in {calendar.month_name[m]} {y}"
    return datetime.date(y, m, d), None


def _date_candidates(v: _View) -> list[tuple[int, int, tuple[datetime.date | None, str | None]]]:
    """All date candidates as (view start, view end, (value, problem)), possibly overlapping."""
    found = []

    def add(m: re.Match[str], ymd: tuple[int | None, int | None, int | None], lenient: bool, grp: int = 0):
        y, mo, d = ymd
        if y is None or mo is None or d is None:
            return
        checked = _date_or_problem(y, mo, d, lenient)
        if checked is not None:
            found.append((m.start(grp), m.end(grp), checked))

    t = v.text
    for m in _D_CJK_RE.finditer(t):
        add(m, (int(m["y"].replace(" ", "")), int(m["m"]), int(m["d"])), True)
    for m in _D_CNNUM_RE.finditer(t):
        y = (
            int("".join(str(_CN_DIGIT.get(c, 0)) for c in m["y"]))
            if all(c in _CN_DIGIT for c in m["y"])
            else None
        )
        add(m, (y, _cn_small_int(m["m"]), _cn_small_int(m["d"])), True)
    for m in _D_ERA_RE.finditer(t):
        n = 1 if m["y"] == "元" else int(m["y"])
        add(m, (n + (2018 if m["era"] == "令和" else 1988), int(m["m"]), int(m["d"])), True)
    for m in _D_YMD_RE.finditer(t):
        add(m, (int(m["y"]), int(m["m"]), int(m["d"])), False)
    for m in _D_DMY_RE.finditer(t):
        a, b, y = int(m["d"]), int(m["m"]), int(m["y"])
        if len(m["y"]) == 2:
            if m["s"] == "-":  # 12-05-24 is too often part of a phone or order number
                continue
            y += 1900 if y >= 90 else 2000
        # Day first (European), unless the second field cannot be a month and the first can (US order).
        day, month = (b, a) if b > 12 >= a else (a, b)
        add(m, (y, month, day), False)
    for rx in (_D_MDY_NAME_RE, _D_DMY_NAME_RE):
        for m in rx.finditer(t):
            add(m, (int(m["y"]), _MONTHS.get(m["mon"].lower()), int(m["d"])), True)
    for m in _D_LABELLED8_RE.finditer(t):
        s = m["v"]
        add(m, (int(s[:4]), int(s[4:6]), int(s[6:])), False, "v")
    return found


def _pick(cands: list, key=None) -> list:
    """Greedy non-overlapping selection in text order; earlier start wins, then the given key."""
    chosen, last_end = [], -1
    for c in sorted(cands, key=key or (lambda c: (c[0], c[0] - c[1]))):
        if c[0] >= last_end:
            chosen.append(c)
            last_end = c[1]
    return chosen


def _dates_in_view(v: _View) -> list[tuple[int, int, DateMatch]]:
    out = []
    for s, e, (value, problem) in _pick(_date_candidates(v)):
        os_, oe = v.span(s, e)
        out.append((s, e, DateMatch(value, v.source[os_:oe], os_, oe, problem)))
    return out


def find_dates(text: str) -> list[DateMatch]:
    """Find dates: 2024年1月1日, 二〇二四年一月一日, 令和6年1月5日, 2024-01-01, 2024/1/1, 05.01.2024,
    05.01.24, January 5, 2024, 5 Jan. 2024, 5 janvier 2024, 5. Januar 2024, and labelled 8-digit dates
    (日期:20240101).

    Years outside 1990..2100 are not dates. An impossible date written with 年月日 or a month name
    (2024年2月30日) is returned with ``value=None`` and a ``problem``. Bare 8-digit runs and times are
    ignored. Results do not overlap and are in text order.
    """
    return [d for _, _, d in _dates_in_view(_view(text))]


def find_periods(text: str) -> list[PeriodMatch]:
    """Find periods: two dates joined by 至/到/起至/~/-/—/to/until/through (自...起至...止 kept in raw)."""
    v = _view(text)
    dates = _dates_in_view(v)
    out: list[PeriodMatch] = []
    i = 0
    while i + 1 < len(dates):
        (s1, e1, d1), (s2, e2, d2) = dates[i], dates[i + 1]
        if not _PERIOD_JOIN_RE.fullmatch(v.text, e1, s2):
            i += 1
            continue
        before = _PERIOD_BEFORE_RE.search(v.text, max(0, s1 - 6), s1)
        after = _PERIOD_AFTER_RE.match(v.text, e2)
        vs = before.start() if before else s1
        ve = after.end() if after else e2
        os_, oe = v.span(vs, ve)
        out.append(PeriodMatch(d1, d2, text[os_:oe], os_, oe))
        i += 2
    return out


# ---------------------------------------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmountMatch:
    """A money amount; ``currency`` is an ISO code (CNY, USD, EUR, JPY, GBP, HKD) or None when unmarked."""

    value: Decimal
    currency: str | None
    raw: str
    start: int
    end: int


_NUM = r"[0-9]+(?:[.,][0-9]+)*"
_PREFIX_CUR = {
    "CN¥": "CNY", "JP¥": "JPY", "HK$": "HKD", "US$": "USD", "RMB": "CNY", "CNY": "CNY", "USD": "USD",
    "EUR": "EUR", "JPY": "JPY", "GBP": "GBP", "HKD": "HKD", "人民币": "CNY", "¥": "CNY", "$": "USD",
    "€": "EUR", "£": "GBP",
}  # fmt: skip
_SUFFIX_CUR = {
    "美元": "USD", "欧元": "EUR", "日元": "JPY", "港元": "HKD", "港币": "HKD", "英镑": "GBP", "人民币": "CNY",
    "元": "CNY", "圆": "CNY", "円": "JPY", "€": "EUR", "EUR": "EUR", "USD": "USD", "CNY": "CNY", "RMB": "CNY",
    "JPY": "JPY", "GBP": "GBP", "HKD": "HKD", "yuan": "CNY",
}  # fmt: skip


def _alt(keys) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


# Letter codes must not be the tail of a word; symbols may follow one ('RMB¥100', 'Total$5').
_PREFIX_LETTERS = _alt(k for k in _PREFIX_CUR if re.search("[A-Z]", k))
_PREFIX_SYMBOLS = _alt(k for k in _PREFIX_CUR if not re.search("[A-Z]", k))
_AMT_PREFIX_RE = re.compile(
    rf"(?P<neg>-)?(?P<cur>(?<![A-Za-z])(?:{_PREFIX_LETTERS})|{_PREFIX_SYMBOLS}) ?:? ?(?P<neg2>-)?"
    rf"(?P<num>{_NUM})(?![0-9])(?: ?(?P<suf>円|元))?"
)
_AMT_SUFFIX_RE = re.compile(
    rf"(?<![0-9.,A-Za-z])(?P<neg>-)?(?P<num>{_NUM}) ?(?P<mult>万|亿)?(?P<suf>{_alt(_SUFFIX_CUR)})(?![A-Za-z])"
)
_AMT_BARE_RE = re.compile(r"(?<![0-9.,A-Za-z])(?P<num>[0-9]+(?:[.,][0-9]+)+)(?![0-9%A-Za-z])")
# A decimal followed by a unit is a quantity, not money.
_UNIT_AFTER_RE = re.compile(
    r" ?(?:%|公斤|千克|克|斤|吨|毫升|升|厘米|毫米|米|件|个|只|台|套|箱|瓶|包|袋|盒|倍)"
)
_KANA_RE = re.compile(r"[\u3040-\u30ff円]")


def _parse_number(tok: str, currency: str | None) -> tuple[Decimal, bool] | None:
    """Read '12,345.67', '1.234,56', '49,90', '12,800' -> (value, has_decimal_part); None if malformed."""
    comma, dot = "," in tok, "." in tok
    try:
        if comma and dot:
            dec = "," if tok.rfind(",") > tok.rfind(".") else "."
            whole, frac = tok.rsplit(dec, 1)
            groups = whole.split("." if dec == "," else ",")
            if dec in whole or not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
                return None
            return Decimal("".join(groups) + "." + frac), True
        sep = "," if comma else "." if dot else None
        if sep is None:
            return Decimal(tok), False
        parts = tok.split(sep)
        thousands = 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])
        if len(parts) == 2:
            # One separator: ',' + exactly two digits is a European decimal; '.' is a decimal point,
            # except '1.234' in EUR/JPY, which are written with dot thousands and (JPY) no decimals.
            if sep == "," and len(parts[1]) == 2:
                return Decimal(parts[0] + "." + parts[1]), True
            if sep == "." and not (thousands and currency in ("EUR", "JPY")):
                return Decimal(tok), True
        return (Decimal("".join(parts)), False) if thousands else None
    except InvalidOperation:
        return None


_PHONE_RE = re.compile(
    r"(?<![0-9])(?:\+?86[ -]?)?(?:1[3-9][0-9](?:[ -]?[0-9]{4}){2}|0[0-9]{2,3}-[0-9]{7,8})(?![0-9])"
)


def _excluded_mask(v: _View) -> bytearray:
    """Marks view positions inside dates, USCCs and phone numbers: digits there are never money."""
    mask = bytearray(len(v.text))
    spans = [(s, e) for s, e, _ in _dates_in_view(v)]
    spans += [m.span() for m in _USCC_CAND_RE.finditer(v.text)]
    spans += [m.span() for m in _PHONE_RE.finditer(v.text)]
    for s, e in spans:
        mask[s:e] = b"\x01" * (e - s)
    return mask


def find_amounts(text: str) -> list[AmountMatch]:
    """Find money amounts: ¥12,345.67, RMB 1,000.00, 12,345.67元, 100万元, USD 1,299.00, US$ 5, HK$ 20,
    EUR 49,90, 1.234,56 €, 12,800円, ¥12,800 円, £3.50, and bare decimals (currency None).

    '¥' means JPY when 円 follows it or the text has kana or 円 (a Japanese receipt), else CNY. Bare
    integers are never amounts; neither are dates, USCCs, phone numbers or percentages.
    """
    v = _view(text)
    t = v.text
    japanese = bool(_KANA_RE.search(t))
    cands: list[tuple[int, int, int, Decimal, str | None]] = []
    for prio, rx in enumerate((_AMT_PREFIX_RE, _AMT_SUFFIX_RE, _AMT_BARE_RE)):
        for m in rx.finditer(t):
            groups = m.groupdict()
            cur = _PREFIX_CUR.get(groups.get("cur") or "") or _SUFFIX_CUR.get(groups.get("suf") or "")
            if groups.get("cur") == "¥" and (groups.get("suf") == "円" or japanese):
                cur = "JPY"
            parsed = _parse_number(m["num"], cur)
            if parsed is None:
                continue
            value, has_decimal = parsed
            if rx is _AMT_BARE_RE and (not has_decimal or _UNIT_AFTER_RE.match(t, m.end())):
                continue
            if groups.get("mult"):
                value *= 10000 if groups["mult"] == "万" else 100000000
            if groups.get("neg") or groups.get("neg2"):
                value = -value
            cands.append((m.start(), m.end(), prio, value, cur))
    excluded = _excluded_mask(v)
    cands = [c for c in cands if not any(excluded[c[0] : c[1]])]
    out = []
    for s, e, _, value, cur in _pick(cands, key=lambda c: (c[0], c[2], c[0] - c[1])):
        os_, oe = v.span(s, e)
        out.append(AmountMatch(value, cur, text[os_:oe], os_, oe))
    return out


# ---------------------------------------------------------------------------------------------------------
# Amounts in capitals (大写)
# ---------------------------------------------------------------------------------------------------------

_CAP_VARIANTS = str.maketrans("貳參陸萬億圓", "贰叁陆万亿圆")
_CAP_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CAP_CHARS = _CAP_DIGITS + "拾佰仟万亿元圆角分整正貳參陸萬億圓"
_CAP_RUN_RE = re.compile(rf"[{_CAP_CHARS}](?: ?[{_CAP_CHARS}])*")
_CAP_STRONG_RE = re.compile("[壹贰叁肆伍陆柒捌玖拾佰仟貳參陸]|零[元圆圓]")
_CAP_EDGE_RE = re.compile(rf"^[^{_CAP_CHARS}]+|[^{_CAP_CHARS}]+$")
# 壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分 is 28 characters; longer runs are not amounts and
# would make the trimming loop in find_capital_amounts quadratic.
_CAP_MAX = 40
_CAP_DIGIT_PAIR_RE = re.compile("[壹贰叁肆伍陆柒捌玖]{2}")
# A last digit straight after 佰/仟/万/亿 is read colloquially (壹仟伍 = 1500) though it may be 壹仟零伍 with its
# 零 lost: ambiguous, so unread.
_CAP_BARE_TAIL_RE = re.compile("[佰仟万亿][壹贰叁肆伍陆柒捌玖]$")
_CAP_FRAC_RE = re.compile(rf"零?(?:(?P<j>[{_CAP_DIGITS}])角)?零?(?:(?P<f>[{_CAP_DIGITS}])分)?")


def parse_capital_amount(text: str) -> Decimal | None:
    """Parse an amount in Chinese financial capitals: '人民币壹万贰仟叁佰肆拾伍元陆角柒分' -> 12345.67.

    Accepts 元/圆, 整/正, a leading 人民币/⊗/(大写): label, and traditional 貳參陸萬億圓. Returns the value
    quantised to fen (0.01), or None when the text is not a well-formed capital amount.
    """
    s = _CAP_EDGE_RE.sub("", "".join(normalize(text).split())).translate(_CAP_VARIANTS).rstrip("整正")
    if not s or len(s) > _CAP_MAX or not _CAP_STRONG_RE.search(s):
        return None
    if "元" in s or "圆" in s:
        whole, _, frac = s.replace("圆", "元").partition("元")
        if "元" in frac:
            return None
    elif "角" in s or "分" in s:
        whole, frac = "", s
    else:
        whole, frac = s, ""
    fm = _CAP_FRAC_RE.fullmatch(frac)
    if fm is None or any(c in whole for c in "角分整正"):
        return None
    if whole in ("", "零"):
        integer = 0
    else:
        # cn2an validates the structure of the integer part (伍伍拾 is rejected); it cannot handle
        # the 元/角/分 split itself (NOTES.md), which is why that is done above.
        try:
            integer = cn2an.cn2an(whole, "strict")
        except Exception:  # cn2an raises ValueError and others on malformed text; any of them means None
            # Strict mode also rejects well-formed amounts past 十万 (壹拾万零贰仟 = 102000) and 零 left out
            # after 万 (叁拾壹万陆佰 = 310600). Normal mode reads those, but also bare digit strings (壹贰叁 =
            # 123), which no amount in capitals is: two digits in a row without a unit between are refused.
            if _CAP_DIGIT_PAIR_RE.search(whole) or _CAP_BARE_TAIL_RE.search(whole):
                return None
            try:
                integer = cn2an.cn2an(whole, "normal")
            except Exception:  # noqa: BLE001 - as above
                return None
        if not isinstance(integer, int) or integer < 0:
            return None
    jiao = _CAP_DIGITS.index(fm["j"]) if fm["j"] else 0
    fen = _CAP_DIGITS.index(fm["f"]) if fm["f"] else 0
    return (Decimal(integer) + Decimal(jiao) / 10 + Decimal(fen) / 100).quantize(Decimal("0.01"))


def find_capital_amounts(text: str) -> list[tuple[Decimal, str, int, int]]:
    """Find runs of capital-numeral characters that parse as amounts: (value, raw, start, end)."""
    v = _view(text, fix_digits=False)
    out = []
    for m in _CAP_RUN_RE.finditer(v.text):
        s, e = m.start(), min(m.end(), m.start() + 2 * _CAP_MAX)
        # Runs often touch ordinary words made of the same characters (部分, 正品, 分公司): trim
        # non-digit characters from the left, then shorten from the right until the run parses.
        while s < e and v.text[s] in "分角元圆圓整正万亿萬億 ":
            s += 1
        value = None
        while s < e and _CAP_STRONG_RE.search(v.text, s, e):
            value = parse_capital_amount(v.text[s:e])
            if value is not None:
                break
            e -= 1
        if value is not None:
            while v.text[e - 1] == " ":
                e -= 1
            os_, oe = v.span(s, e)
            out.append((value, text[os_:oe], os_, oe))
    return out


# ---------------------------------------------------------------------------------------------------------
# Unified social credit codes and legacy taxpayer numbers
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsccMatch:
    """A taxpayer code. ``kind`` is "uscc" (18 chars, check digit tested) or "legacy_tax_id" (15 or 20 chars,
    labelled, no check digit so always ``valid``). ``code`` may be OCR-repaired; ``raw`` is what was read."""

    code: str
    valid: bool
    raw: str
    start: int
    end: int
    kind: str = "uscc"


_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_NEVER_IN_USCC = {"O": "0", "I": "1", "Z": "2", "S": "5"}  # letters GB 32100 excludes: always OCR errors
_USCC_CAND_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z](?: ?[0-9A-Za-z]){17}(?![0-9A-Za-z])")
_LEGACY_RE = re.compile(
    r"(?:纳税人识别号|识别号|税号|税务登记证?号|tax ?id)[^0-9A-Za-z\n]{0,6}"
    r"(?P<c>[0-9A-Za-z]{15}|[0-9A-Za-z]{20})(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def repair_uscc(code: str) -> str:
    """`code` with the letters no USCC carries (O, I, Z, S) read as the digits they resemble, and B/G/D/Q as digits
    in positions 3-8 (the division code): the code as it would be printed, when the OCR took digits for letters."""
    chars = [_NEVER_IN_USCC.get(c, c) for c in code]
    for i in range(2, 8):  # positions 3-8: the administrative division code, digits only
        chars[i] = {"B": "8", "G": "6", "D": "0", "Q": "0"}.get(chars[i], chars[i])
    return "".join(chars)


def _fits_uscc(code: str) -> bool:
    digits_ok = all(c.isdigit() or c in "OIZSBGDQ" for c in code[2:8])
    return digits_ok and all(c in _USCC_ALPHABET or c in _NEVER_IN_USCC for c in code)


_CIPHER_MARKS = "*/<>+-"
"""The marks of a VAT invoice's cipher block (密码区): four rows of digits and these, where a run of 18 digits between
two marks is no credit code (a genuine screenshot's '513445465291570435/6522**20', seed 1205)."""


def _in_cipher(text: str, start: int, end: int) -> bool:
    """The run text[start:end] is glued to a cipher mark (other than '-') on a line that holds two marks or more."""
    glued = (start > 0 and text[start - 1] in "*/<>+") or (end < len(text) and text[end] in "*/<>+")
    return glued and sum(text.count(c) for c in _CIPHER_MARKS) >= 2


def find_usccs(text: str) -> list[UsccMatch]:
    """Find 18-character unified social credit codes (统一社会信用代码/纳税人识别号) and labelled legacy
    15/20-character taxpayer numbers.

    An invalid code gets one repair attempt for OCR confusions (O/I/Z/S anywhere, B/G/D/Q on the digit-only
    positions 3-8); if that validates, the repaired code is returned as valid. Otherwise a candidate that
    fits the character set is returned with ``valid=False`` (a forged code shows up), unless it is a valid
    resident ID number or it was only assembled by joining space-separated pieces. A run inside an invoice's cipher
    block is no code at all.
    """
    v = _view(text, fix_digits=False)
    out = []
    for m in _USCC_CAND_RE.finditer(v.text):
        if _in_cipher(v.text, m.start(), m.end()):
            continue
        read = m.group().replace(" ", "").upper()
        code, valid = read, uscc.is_valid(read)
        if not valid:
            repaired = repair_uscc(read)
            if repaired != read and uscc.is_valid(repaired):
                code, valid = repaired, True
            elif " " in m.group() or not _fits_uscc(read) or ric.is_valid(read):
                continue
        os_, oe = v.span(m.start(), m.end())
        out.append(UsccMatch(code, valid, text[os_:oe], os_, oe, "uscc"))
    for m in _LEGACY_RE.finditer(v.text):
        code = m["c"].upper()
        if sum(c.isdigit() for c in code) >= len(code) - 2 and code[:6].isdigit():
            os_, oe = v.span(m.start("c"), m.end("c"))
            out.append(UsccMatch(code, True, text[os_:oe], os_, oe, "legacy_tax_id"))
    return sorted(out, key=lambda u: u.start)


# ---------------------------------------------------------------------------------------------------------
# Invoice code and number, tax rates
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceNumbers:
    """发票代码 and 发票号码 of a VAT invoice. ``kind``: "paper" (10/12-digit code + 8-digit number),
    "e_invoice" (20-digit number of a fully digital 数电票), or None. Spans are original offsets."""

    code: str | None
    number: str | None
    kind: str | None
    code_span: tuple[int, int] | None = None
    number_span: tuple[int, int] | None = None


_INV_CODE_RE = re.compile(r"发票代码 ?:? ?(?P<v>[0-9](?: ?[0-9]){9,11})(?![0-9])")
_INV_NUMBER_RE = re.compile(r"发票号码 ?:? ?(?P<v>[0-9](?: ?[0-9]){7,19})(?![0-9])")
_INV_NUMBER_LOOSE_RE = re.compile(
    r"(?:(?<![A-Za-z])No\.?|号码) ?:? ?(?P<v>[0-9](?: ?[0-9]){7,19})(?![0-9])", re.I
)
_TAX_RATE_RE = re.compile(r"(?<![0-9.,])(?P<v>[0-9]{1,3}(?:\.[0-9]{1,4}|,[0-9]{1,2})?) ?%")


def _labelled_digits(
    v: _View, rx: re.Pattern[str], lengths: tuple[int, ...]
) -> tuple[str, tuple[int, int]] | None:
    m = rx.search(v.text)
    if m is None:
        return None
    s, e = m.span("v")
    digits = m["v"].replace(" ", "")
    if len(digits) not in lengths:
        # Stray spaces may have glued the next number on: keep the shortest run of leading pieces
        # that has a valid length.
        pieces, digits = m["v"].split(" "), ""
        for n, piece in enumerate(pieces):
            digits += piece
            if len(digits) in lengths:
                e = s + len(" ".join(pieces[: n + 1]))
                break
        else:
            return None
    return digits, v.span(s, e)


def find_invoice_numbers(text: str) -> InvoiceNumbers:
    """Find the labelled invoice code (发票代码, 10/12 digits) and number (发票号码/No./号码, 8/20 digits)."""
    v = _view(text)
    code = _labelled_digits(v, _INV_CODE_RE, (10, 12))
    number = _labelled_digits(v, _INV_NUMBER_RE, (8, 20)) or _labelled_digits(
        v, _INV_NUMBER_LOOSE_RE, (8, 20)
    )
    kind = None
    if number and len(number[0]) == 20:
        kind = "e_invoice"
    elif number or code:
        kind = "paper"
    return InvoiceNumbers(
        code[0] if code else None, number[0] if number else None, kind,
        code[1] if code else None, number[1] if number else None,
    )  # fmt: skip


def find_tax_rates(text: str) -> list[tuple[Decimal, int, int]]:
    """Find percentages up to 100% ('13%', '6 %', '１３％', '7,7 %') as (Decimal('0.13'), start, end)."""
    v = _view(text)
    out = []
    for m in _TAX_RATE_RE.finditer(v.text):
        value = Decimal(m["v"].replace(",", "."))
        if value <= 100:
            os_, oe = v.span(m.start(), m.end())
            out.append((value / 100, os_, oe))
    return out


# ---------------------------------------------------------------------------------------------------------
# Traditional -> simplified
# ---------------------------------------------------------------------------------------------------------

# Characters common in company names, addresses and document titles. One-to-one pairs only: characters
# whose simplification depends on the word (乾, 著, 於, 瞭...) are left alone on purpose.
_T2S = str.maketrans(
    "國貿華廣東電業務與門區貨實發證廠興豐責網絡開車藥醫療銷進資產團樂鳳龍馬鐵鋼銀錢鎮縣廈灣臺衛視聽讀書畫紡織紙絲"
    "線綠紅經營組繼續級約紀給統總聯關係處據壓廳燈煙熱點無為時間見規設計訊記許試話語說請調護讓軟輕運達過還遠選"
    "鄉鄧郵鋁銅錦鍋鏈長陽陸隊際險雙雲靈順頭題顏風飛飲館養麗黃齊億萬貳參圓園圖聖場塊報聲變夢奧學寧寶對導屬嶺"
    "島帶幣幫庫張彈從徵應態戰戶擊擔擴擁數斷會條來構標樣檢機櫃權歐歷殼氣漢濟濱烏爾牆狀獅獎環現產畢當盤盧眾碼礦"
    "禮種稱穩積競筆節範築簡糧紋純細終結絕維綜緣編練縮績羅義習聞職腦膠舊藝蘇蘭裝製複觀計訂訓診評詢詳認誠課論諮"
    "貝財販貴買費賀賓賣賞質購贏趙軍輝輪轉農邊鄭釀針鋒錄鍵鏡鐘閃閣陳隱雜離難韓頁項預領頻類顧顯飾餅驗體魯鮮鳴鴻"
    "鵬麥齡尋專漁滬粵贛閩遼瀋陝瓊晉價優傳備僅個們倉偉儀僑兒內兩冊劃劉勞勝勢勵匯協厲叢吳啟問單嚴圍塗壞壽夥寬寫"
    "將層岡峽巖師幹幾廟張強彙後復慶憶戲掃揚換搖攝敗暢曆棧榮橋檔歸殘殺淨淺測湯溫滿漲潔潤澤濕爐爭牽獨獲畝異監確"
    "碩祿禦穀竊簽籃籌紐紛絨緊綿緒締縫縱繞繡纖罰聰肅腸膚臨艦莊萊葉蔣蓮蕭薦薩藍蘋虛號蝦衝補裡親覺覽託訪詩該誤誼"
    "諾謝識譯議讚貓貢貫貸賬賺賽贈贊趕趨躍軒較載輔輸辦辭遞適遷遲邁鄰醬釋鈣鈴鉅鉑銘鋪錯鍍鎖鑽閱闊陣陰隨雖雞靜響"
    "頂須頓頌顆願飄飯飽餘馳駐騰驅驚鬧鯉鴨鶴鷹鹽麵黨齋龜闆執濤銳瑩暉鈺緻飆",
    "国贸华广东电业务与门区货实发证厂兴丰责网络开车药医疗销进资产团乐凤龙马铁钢银钱镇县厦湾台卫视听读书画纺织纸丝"
    "线绿红经营组继续级约纪给统总联关系处据压厅灯烟热点无为时间见规设计讯记许试话语说请调护让软轻运达过还远选"
    "乡邓邮铝铜锦锅链长阳陆队际险双云灵顺头题颜风飞饮馆养丽黄齐亿万贰参圆园图圣场块报声变梦奥学宁宝对导属岭"
    "岛带币帮库张弹从征应态战户击担扩拥数断会条来构标样检机柜权欧历壳气汉济滨乌尔墙状狮奖环现产毕当盘卢众码矿"
    "礼种称稳积竞笔节范筑简粮纹纯细终结绝维综缘编练缩绩罗义习闻职脑胶旧艺苏兰装制复观计订训诊评询详认诚课论咨"
    "贝财贩贵买费贺宾卖赏质购赢赵军辉轮转农边郑酿针锋录键镜钟闪阁陈隐杂离难韩页项预领频类顾显饰饼验体鲁鲜鸣鸿"
    "鹏麦龄寻专渔沪粤赣闽辽沈陕琼晋价优传备仅个们仓伟仪侨儿内两册划刘劳胜势励汇协厉丛吴启问单严围涂坏寿伙宽写"
    "将层冈峡岩师干几庙张强汇后复庆忆戏扫扬换摇摄败畅历栈荣桥档归残杀净浅测汤温满涨洁润泽湿炉争牵独获亩异监确"
    "硕禄御谷窃签篮筹纽纷绒紧绵绪缔缝纵绕绣纤罚聪肃肠肤临舰庄莱叶蒋莲萧荐萨蓝苹虚号虾冲补里亲觉览托访诗该误谊"
    "诺谢识译议赞猫贡贯贷账赚赛赠赞赶趋跃轩较载辅输办辞递适迁迟迈邻酱释钙铃巨铂铭铺错镀锁钻阅阔阵阴随虽鸡静响"
    "顶须顿颂颗愿飘饭饱余驰驻腾驱惊闹鲤鸭鹤鹰盐面党斋龟板执涛锐莹晖钰致飙",
)


def to_simplified(text: str) -> str:
    """Convert common traditional characters to simplified (國際貿易有限公司 -> 国际贸易有限公司).

    A small built-in table aimed at company names, so names on a Hong Kong or Taiwan document can be
    compared with a simplified-Chinese brand record; characters not in the table are kept.
    """
    return text.translate(_T2S)


# ------------------------------------------------------------------ weekdays

_WD_CN = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WD_JA = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
_WD_WORDS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3, "thu": 3,
    "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5,
    "sonntag": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip
_CJK = r"\u3400-\u9fff"
_WD_CN_RE = re.compile(rf"(?:星期|礼拜|禮拜)([一二三四五六日天])"
                       rf"|(?<![{_CJK}])(?:周|週)([一二三四五六日天])(?![{_CJK}])")
"""周 is also a surname and a word (周天明, 周六福, 每周一次): only a 周 standing apart from other characters."""
_WD_JA_RE = re.compile(r"([月火水木金土日])曜日?|[(（]([月火水木金土日])[)）]")
_WD_WORD_RE = re.compile(r"(?<![^\W\d_])(" + "|".join(sorted(_WD_WORDS, key=len, reverse=True)) +
                         r")\.?(?![^\W\d_])", re.IGNORECASE)
_WD_DE_SHORT_RE = re.compile(r"(?<![^\W\d_])(Mo|Di|Mi|Do|Fr|Sa|So)[.,]\s*(?=\d)")
"""German two-letter days only directly before a date (Mo. 03.06.2024): alone they are ordinary words."""
_WD_DE_SHORT = {"Mo": 0, "Di": 1, "Mi": 2, "Do": 3, "Fr": 4, "Sa": 5, "So": 6}
WEEKDAY_MAX_GAP = 3
"""Characters (besides spaces and punctuation) a weekday may stand from its date: 'Sun Wei, signed 2024-06-05'
or 'Politique monétaire ... 5 juin 2024' are not dated weekdays."""


@dataclass(frozen=True)
class WeekdayMatch:
    """A day of the week printed in the text (0 = Monday)."""

    weekday: int
    raw: str
    start: int
    end: int


def find_weekdays(text: str) -> list[WeekdayMatch]:
    """Days of the week: 星期一/周三/礼拜天, 月曜日/(火), Monday/Mon., Montag/Mo. before a date, lundi."""
    out = [WeekdayMatch(_WD_CN[m.group(1) or m.group(2)], m.group(0), m.start(), m.end())
           for m in _WD_CN_RE.finditer(text)]
    for m in _WD_JA_RE.finditer(text):
        ch = m.group(1) or m.group(2)
        # 月 and 日 are also the month and day of a CJK date: only 曜 or brackets make them a weekday.
        if m.group(1) and "曜" not in m.group(0):
            continue
        out.append(WeekdayMatch(_WD_JA[ch], m.group(0), m.start(), m.end()))
    out += [WeekdayMatch(_WD_WORDS[m.group(1).lower()], m.group(0), m.start(), m.end())
            for m in _WD_WORD_RE.finditer(text)]
    out += [WeekdayMatch(_WD_DE_SHORT[m.group(1)], m.group(0).strip(), m.start(), m.end())
            for m in _WD_DE_SHORT_RE.finditer(text)]
    taken: list[WeekdayMatch] = []
    for w in sorted(out, key=lambda w: (w.start, -(w.end - w.start))):
        if not any(w.start < t.end and t.start < w.end for t in taken):
            taken.append(w)
    return taken


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_conflict(text: str) -> tuple[DateMatch, WeekdayMatch] | None:
    """The date and the weekday of a line that contradict each other, or None.

    Only a line with exactly one date and one weekday is judged. A numeric date whose day and month could be
    swapped (03/06/2024) conflicts only when the weekday fits neither reading.
    """
    dates = [d for d in find_dates(text) if d.value is not None]
    days = find_weekdays(text)
    if len(dates) != 1 or len(days) != 1:
        return None
    d, w = dates[0], days[0]
    between = text[w.end:d.start] if w.end <= d.start else text[d.end:w.start]
    if len(re.sub(r"[\s,.;:，。；：、()（）\-/]", "", between)) > WEEKDAY_MAX_GAP:
        return None
    readings = [d.value]
    if d.value.day <= 12 and d.value.month != d.value.day and re.fullmatch(r"[\d./\- ]+", d.raw.strip()):
        try:
            readings.append(datetime.date(d.value.year, d.value.day, d.value.month))
        except ValueError:
            pass
    return None if any(r.weekday() == w.weekday for r in readings) else (d, w)

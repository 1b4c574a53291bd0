"""Arithmetic and formats of invoices and receipts: figures that must agree with each other."""

from __future__ import annotations

import datetime as dt
import re

from appealcheck.checks.interface import Check, DocContext
from appealcheck.extract import parse
from appealcheck.extract.fields import RECEIPT_TAX
from appealcheck.models import Finding


def _val(ctx: DocContext, name: str) -> float | None:
    f = ctx.fields.get(name)
    return float(f.value) if f is not None and isinstance(f.value, (int, float)) else None


def _tax_cut_short(amount, tax, total, rates: set[float]) -> bool:
    """True when the total less the amount is exactly the printed rate's tax and the tax read is the start of
    that figure: OCR cut the tax short. A forger who changes the total breaks the first; one who changes the tax
    breaks the second."""
    if None in (amount, tax, total) or len(rates) != 1 or tax <= 0:
        return False
    implied = total - amount
    if abs(implied - amount * next(iter(rates))) > 0.08 or abs(implied - tax) <= 0.015:
        return False
    return f"{implied:.2f}".replace(".", "").startswith(f"{tax:.2f}".rstrip("0").rstrip(".").replace(".", ""))


VAT_RATES_CN = (0.0, 0.005, 0.01, 0.015, 0.03, 0.04, 0.05, 0.06, 0.09, 0.10, 0.11, 0.13, 0.16, 0.17)
"""Rates a Chinese VAT invoice prints: today's 13/9/6%, the small-taxpayer 3/1%, 0.5% for used-car dealers, 5% and
1.5% for some property and leasing, and the 17/16/11/10/4% of invoices issued before the 2014-2019 changes."""


class InvoiceArithmetic(Check):
    """Amount plus tax is the total, the tax is the amount times the rate printed, and the item lines add up to the
    合计 row, each line's tax its amount times its own rate."""

    id = "content.invoice_math"
    version = "3"  # 2: the items table's lines against the 合计 row. 3: the lines' taxes stand in for an unread
    # 合计 tax
    applies_to = ("purchase_invoice",)

    def run(self, ctx: DocContext) -> list[Finding]:
        amount, tax, total = _val(ctx, "amount"), _val(ctx, "tax"), _val(ctx, "total")
        out = []
        rates = {float(r) for r, _, _ in parse.find_tax_rates(ctx.text)}
        if any(min(abs(r - v) for v in VAT_RATES_CN) > 1e-9 for r in rates):
            rates = set()  # a rate no fapiao prints is a misread ('13%' read as '1.3%' on a fax): the rate is unread
        if _tax_cut_short(amount, tax, total, rates):
            return []  # the tax figure was read cut short ('￥3559' of '¥35594.91'): unknown, not a mismatch
        summed, how = tax, ""
        lines_amount, lines_tax = _val(ctx, "items_amount"), _val(ctx, "items_tax")
        if tax is None and None not in (amount, lines_amount, lines_tax) and abs(lines_amount - amount) <= 0.015:
            # The 合计 row's tax unread (a photo, A-1109-000223): the item lines, read whole and adding up to its
            # amount, give it.
            summed, how = lines_tax, " (the item lines' taxes; the 合计 tax was not read)"
        if amount is not None and summed is not None and total is not None and abs(amount + summed - total) > 0.015:
            f = ctx.fields["total"]
            out.append(Finding(id="content.invoice_sum_mismatch", severity="high", check=self.id,
                               message=f"Amount {amount:.2f} + tax {summed:.2f}{how} = {amount + summed:.2f}, "
                                       f"but the total reads {total:.2f}",
                               page=f.page, box=f.box, measured=total, expected=round(amount + summed, 2)))
        out += _line_findings(self.id, ctx, amount, tax)
        lines = ctx.fields.get("item_lines")
        if lines is not None and len({r["rate"] for r in lines.value}) > 1:
            rates = set()  # lines at two rates: each line's tax was judged on its own
        if amount is not None and tax is not None and len(rates) == 1:
            rate = rates.pop()
            # Tax is rounded per line; allow a cent per line of the items table (at most 8 lines printed). Lines
            # read whole were each held to LINE_TAX_TOLERANCE above.
            if abs(amount * rate - tax) > 0.08:
                f = ctx.fields["tax"]
                out.append(Finding(id="content.invoice_tax_mismatch", severity="medium", check=self.id,
                                   message=f"Tax {tax:.2f} is not {rate:.0%} of {amount:.2f} "
                                           f"({amount * rate:.2f})",
                                   page=f.page, box=f.box, measured=tax, expected=round(amount * rate, 2)))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        amount, tax, total = _val(ctx, "amount"), _val(ctx, "tax"), _val(ctx, "total")
        words = _val(ctx, "total_in_words")
        lines, items_tax = _val(ctx, "items_amount"), _val(ctx, "items_tax")
        return {
            "content.invoice_math.sum_error": abs(amount + tax - total) if None not in (amount, tax, total) else None,
            "content.invoice_math.words_error": abs(words - total) if None not in (words, total) else None,
            "content.invoice_math.lines_error": abs(lines - amount) if None not in (lines, amount) else None,
            "content.invoice_math.lines_tax_error": abs(items_tax - tax) if None not in (items_tax, tax) else None,
        }


LINE_TAX_TOLERANCE = 0.06
"""How far a line's tax may be from its amount times its rate: the tax system accepts six fen either way, for
prices entered with tax included and converted."""


def _line_findings(check: str, ctx: DocContext, amount: float | None, tax: float | None) -> list[Finding]:
    """The items table against the 合计 row: the lines' amounts and taxes add up to it, and each line's tax is its
    amount times its own rate (an invoice may carry lines at 13% and at 6%)."""
    lines = ctx.fields.get("item_lines")
    if lines is None:
        return []
    out = []
    items, items_tax = _val(ctx, "items_amount"), _val(ctx, "items_tax")
    for name, summed, printed in (("amount", items, amount), ("tax", items_tax, tax)):
        if summed is None or printed is None or abs(summed - printed) <= 0.005:
            continue
        f = ctx.fields[name]
        out.append(Finding(id="content.invoice_lines_mismatch", severity="high", check=check,
                           message=f"The item lines' {name}s ({ctx.fields['items_' + name].raw}) add up to "
                                   f"{summed:.2f}, but the 合计 {name} reads {printed:.2f}",
                           page=f.page, box=f.box, measured=printed, expected=round(summed, 2)))
    for i, r in enumerate(lines.value, 1):
        if r["rate"] is None or r["tax"] is None:
            continue
        want = round(r["amount"] * r["rate"], 2)
        if abs(want - r["tax"]) > LINE_TAX_TOLERANCE + 1e-9:
            out.append(Finding(id="content.invoice_line_tax_mismatch", severity="medium", check=check,
                               message=f"Line {i}: tax {r['tax']:.2f} is not {r['rate'] * 100:g}% of {r['amount']:.2f} "
                                       f"({want:.2f})",
                               page=r["page"], box=tuple(r["box"]), measured=r["tax"], expected=want))
    return out


PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
                      "71 81 82".split())
"""The two-digit province codes of GB/T 2260, which begin invoice codes, fully digital invoice numbers and USCCs."""
PLANNED_CITIES = frozenset({"2102", "3302", "3502", "3702", "4403"})
"""Dalian, Ningbo, Xiamen, Qingdao and Shenzhen: cities with their own tax bureau, whose invoice codes name them."""
TWELVE_DIGIT_CODES = dt.date(2018, 1, 1)
"""From this date paper 普通发票 carry a 12-digit code; before it, 10 digits like the 专用发票."""

def code_problems(code: str, title: str | None, issued: dt.date | None) -> list[str]:
    """What is wrong with an invoice code's form: its length for the printed type, its region, its first digit."""
    out = []
    if title and title.startswith("电子发票（"):
        return [f"a fully digital invoice ({title}) has no invoice code, but {code} is printed"]
    if title == "增值税专用发票" and len(code) != 10:
        out.append(f"a paper 专用发票 has a 10-digit code, not {len(code)} digits")
    elif title and "电子" in title and len(code) != 12:
        out.append(f"an electronic {title} has a 12-digit code, not {len(code)} digits")
    elif title == "增值税普通发票" and len(code) == 10 and issued is not None and issued >= TWELVE_DIGIT_CODES:
        out.append("a paper 普通发票 issued since 2018 has a 12-digit code, not 10 digits")
    if len(code) == 12 and code[0] != "0":
        out.append(f"a 12-digit VAT invoice code begins with 0, not {code[0]}")
    region = code[:4] if len(code) == 10 else code[1:5]
    if region not in PLANNED_CITIES and not (region[:2] in PROVINCES and region[2:] == "00"):
        out.append(f"its region digits {region} are neither a province's (such as 3100) nor a city with its own "
                   "tax bureau's (such as 4403)")
    return out


def _code_year(code: str) -> int:
    return 2000 + int(code[4:6] if len(code) == 10 else code[5:7])


class InvoiceNumbers(Check):
    """Invoice code and number have the form their printed type gives them: a 10-digit code (paper 专用发票) or a
    12-digit one (普通发票 since 2018, electronic invoices) naming a province and the year it was issued for, with
    an 8-digit number; or, fully digital, no code and a 20-digit number beginning with the year and province."""

    id = "content.invoice_numbers"
    version = "2"  # 2: the code's length by printed type, its region and its year
    applies_to = ("purchase_invoice",)

    def run(self, ctx: DocContext) -> list[Finding]:
        out = []
        kind = ctx.fields.get("invoice_type")
        title = kind.value if kind is not None and isinstance(kind.value, str) else None
        issued = ctx.date("issued_on")
        no = ctx.fields.get("invoice_no")
        digits = re.sub(r"\D", "", no.value) if no is not None and isinstance(no.value, str) else None
        if digits is not None and not (len(digits) in (8, 20) and digits == no.value):
            out.append(Finding(id="content.invoice_number_format", severity="medium", check=self.id,
                               message=f"Invoice number '{no.value}' has {len(digits)} digits; real invoices print 8 "
                                       "(with a 10- or 12-digit code) or 20 (fully digital)",
                               page=no.page, box=no.box, measured=no.value, expected="8 or 20 digits"))
        elif digits is not None:
            want = 20 if title and title.startswith("电子发票（") else 8 if title else None
            if want and len(digits) != want:
                out.append(Finding(id="content.invoice_number_format", severity="medium", check=self.id,
                                   message=f"Invoice number '{digits}' has {len(digits)} digits, but a {title} "
                                           f"prints {want}",
                                   page=no.page, box=no.box, measured=digits, expected=f"{want} digits"))
            if len(digits) == 20 and digits[2:4] not in PROVINCES:
                out.append(Finding(id="content.invoice_number_format", severity="medium", check=self.id,
                                   message=f"A fully digital invoice number begins with its year and province; "
                                           f"'{digits[2:4]}' in '{digits}' is no province",
                                   page=no.page, box=no.box, measured=digits, expected="a province code at 3-4"))
            if len(digits) == 20 and issued is not None and 2000 + int(digits[:2]) != issued.year:
                out.append(Finding(id="content.invoice_code_date", severity="high", check=self.id,
                                   message=f"Invoice number '{digits}' was assigned in 20{digits[:2]}, but the invoice "
                                           f"is dated {issued.isoformat()}",
                                   page=no.page, box=no.box, measured=f"20{digits[:2]}", expected=str(issued.year)))
        code = ctx.fields.get("invoice_code")
        if code is None or not isinstance(code.value, str) or not re.fullmatch(r"\d{10}|\d{12}", code.value):
            return out
        for why in code_problems(code.value, title, issued):
            out.append(Finding(id="content.invoice_number_format", severity="medium", check=self.id,
                               message=f"Invoice code '{code.value}': {why}",
                               page=code.page, box=code.box, measured=code.value,
                               expected=title or "a VAT invoice code"))
        year = _code_year(code.value)
        if issued is not None and year > issued.year:
            out.append(Finding(id="content.invoice_code_date", severity="high", check=self.id,
                               message=f"Invoice code '{code.value}' is for invoices of {year}, but this one is dated "
                                       f"{issued.isoformat()}",
                               page=code.page, box=code.box, measured=str(year), expected=f"{issued.year} or earlier"))
        return out


CASH_ROUNDING = 0.025
"""Largest difference cash rounding to 0.05 (Switzerland, the Netherlands, ...) makes to a total."""


_ROUNDING_LINE = re.compile(r"(?i)\b(rundung|gerundet|arrondi\w*|rounding|afronding|avrundning)\b")
"""The line a till prints when it rounds a cash total."""


_TAX_LINE = re.compile(RECEIPT_TAX)
"""A tax line printed on a receipt: the label the extraction reads the tax after."""


def _on_nickel(v: float) -> bool:
    return abs(round(v * 20) - v * 20) < 1e-6


class ReceiptArithmetic(Check):
    """A receipt's subtotal and tax make its total (tax added, or tax included), and so do its item lines."""

    id = "content.receipt_math"
    # 2: subtotal and tax read across a till roll's whole row; 3: the item lines against the total; 4: a total read
    # with stray separators between its digits
    version = "4"
    applies_to = ("receipt",)

    def run(self, ctx: DocContext) -> list[Finding]:
        sub, tax, total = _val(ctx, "subtotal"), _val(ctx, "tax"), _val(ctx, "total")
        if total is None:
            return []
        # Cash rounding (Rundung, arrondi) moves a total to the next 0.05 by up to 0.025.
        tol = CASH_ROUNDING if _on_nickel(total) and _ROUNDING_LINE.search(ctx.text) else 0.011
        f = ctx.fields["total"]
        if sub is not None and tax is not None and abs(sub - total) > tol and abs(sub + tax - total) > tol:
            return [Finding(id="content.receipt_sum_mismatch", severity="medium", check=self.id,
                            message=f"Subtotal {sub:.2f} and tax {tax:.2f} do not make the total {total:.2f}",
                            page=f.page, box=f.box, measured=total, expected=round(sub + tax, 2))]
        items = _val(ctx, "items_total")
        if items is None:
            return []
        # The lines make the total with the tax included, or with the tax added; where the tax was not read but is
        # printed, or the lines make the subtotal, nothing is judged here.
        if abs(items - total) <= tol or (tax is not None and abs(items + tax - total) <= tol) or \
                (sub is not None and abs(items - sub) <= tol) or (tax is None and _TAX_LINE.search(ctx.text)):
            return []
        lines = ctx.fields["items_total"]
        return [Finding(id="content.receipt_sum_mismatch", severity="medium", check=self.id,
                        message=f"The item lines ({lines.raw}) add up to {items:.2f}"
                                f"{f' and the tax is {tax:.2f}' if tax is not None else ''}, but the total reads "
                                f"{total:.2f}",
                        page=f.page, box=f.box, measured=total,
                        expected=round(items + (tax or 0.0), 2))]

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        sub, tax, total = _val(ctx, "subtotal"), _val(ctx, "tax"), _val(ctx, "total")
        if sub is None or total is None or tax is None:
            return {"content.receipt_math.error": None}
        return {"content.receipt_math.error": min(abs(sub - total), abs(sub + tax - total))}

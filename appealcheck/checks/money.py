"""Arithmetic and formats of invoices and receipts: figures that must agree with each other."""

from __future__ import annotations

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
    """Amount plus tax is the total, and the tax is the amount times the rate printed on the lines."""

    id = "content.invoice_math"
    applies_to = ("purchase_invoice",)

    def run(self, ctx: DocContext) -> list[Finding]:
        amount, tax, total = _val(ctx, "amount"), _val(ctx, "tax"), _val(ctx, "total")
        out = []
        rates = {float(r) for r, _, _ in parse.find_tax_rates(ctx.text)}
        if any(min(abs(r - v) for v in VAT_RATES_CN) > 1e-9 for r in rates):
            rates = set()  # a rate no fapiao prints is a misread ('13%' read as '1.3%' on a fax): the rate is unread
        if _tax_cut_short(amount, tax, total, rates):
            return []  # the tax figure was read cut short ('￥3559' of '¥35594.91'): unknown, not a mismatch
        if amount is not None and tax is not None and total is not None and abs(amount + tax - total) > 0.015:
            f = ctx.fields["total"]
            out.append(Finding(id="content.invoice_sum_mismatch", severity="high", check=self.id,
                               message=f"Amount {amount:.2f} + tax {tax:.2f} = {amount + tax:.2f}, "
                                       f"but the total reads {total:.2f}",
                               page=f.page, box=f.box, measured=total, expected=round(amount + tax, 2)))
        if amount is not None and tax is not None and len(rates) == 1:
            rate = rates.pop()
            # Tax is rounded per line; allow a cent per line of the items table (at most 8 lines printed).
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
        return {
            "content.invoice_math.sum_error": abs(amount + tax - total) if None not in (amount, tax, total) else None,
            "content.invoice_math.words_error": abs(words - total) if None not in (words, total) else None,
        }


class InvoiceNumbers(Check):
    """Invoice code and number have the lengths their invoice type prints: 10/12 + 8 digits, or 20 digits."""

    id = "content.invoice_numbers"
    applies_to = ("purchase_invoice",)

    def run(self, ctx: DocContext) -> list[Finding]:
        no = ctx.fields.get("invoice_no")
        if no is None or not isinstance(no.value, str):
            return []
        digits = re.sub(r"\D", "", no.value)
        if len(digits) in (8, 20) and digits == no.value:
            return []
        return [Finding(id="content.invoice_number_format", severity="medium", check=self.id,
                        message=f"Invoice number '{no.value}' has {len(digits)} digits; real invoices print 8 "
                                "(with a 10- or 12-digit code) or 20 (fully digital)",
                        page=no.page, box=no.box, measured=no.value, expected="8 or 20 digits")]


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

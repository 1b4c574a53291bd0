"""Checks: each reads one document and returns findings. Listed by hand; ids are stable."""

from __future__ import annotations

from appealcheck.checks.content import (
    CapitalAmount,
    ImpossibleDate,
    ResidentId,
    UsccCheckDigit,
    ValidityPeriod,
    Weekday,
)
from appealcheck.checks.filemeta import EditingSoftware
from appealcheck.checks.forensics import FileForensics, PixelForensics
from appealcheck.checks.interface import Check, DocContext
from appealcheck.checks.locale import ReceiptLocale, StoreList
from appealcheck.checks.money import InvoiceArithmetic, InvoiceNumbers, ReceiptArithmetic
from appealcheck.checks.parties import (
    DocumentDates,
    InvoiceParties,
    KnownForgery,
    Licensee,
    Licensor,
    TrademarkNumbers,
)
from appealcheck.checks.qr import InvoiceQr
from appealcheck.checks.seals import SealCheck
from appealcheck.checks.template import TemplateCheck


def default_checks() -> list[Check]:
    """The built-in checks, in the order they run."""
    return [
        UsccCheckDigit(), ImpossibleDate(), ValidityPeriod(), CapitalAmount(), Weekday(), ResidentId(),
        Licensor(), Licensee(), TrademarkNumbers(), InvoiceParties(), DocumentDates(), KnownForgery(),
        InvoiceArithmetic(), InvoiceNumbers(), ReceiptArithmetic(), ReceiptLocale(), StoreList(), InvoiceQr(),
        EditingSoftware(), TemplateCheck(), SealCheck(), FileForensics(), PixelForensics(),
    ]


def checks_version() -> str:
    """One string that changes whenever any built-in check's output may change."""
    return ";".join(f"{c.id}={c.version}" for c in default_checks())


__all__ = ["Check", "DocContext", "checks_version", "default_checks"]

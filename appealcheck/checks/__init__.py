"""Checks: each reads one document and returns findings. Listed by hand; ids are stable."""

from __future__ import annotations

import functools

from appealcheck.checks.content import (
    CapitalAmount,
    ImpossibleDate,
    LicenceTerm,
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
from appealcheck.checks.text import TextConsistency
from appealcheck.fingerprint import source_fingerprint


def default_checks() -> list[Check]:
    """The built-in checks, in the order they run."""
    return [
        UsccCheckDigit(), ImpossibleDate(), ValidityPeriod(), LicenceTerm(), CapitalAmount(), Weekday(), ResidentId(),
        Licensor(), Licensee(), TrademarkNumbers(), InvoiceParties(), DocumentDates(), KnownForgery(),
        InvoiceArithmetic(), InvoiceNumbers(), ReceiptArithmetic(), ReceiptLocale(), StoreList(), InvoiceQr(),
        EditingSoftware(), TemplateCheck(), TextConsistency(), SealCheck(), FileForensics(), PixelForensics(),
    ]


_NOT_EVIDENCE = ("batch", "report", "samples", "scoring")
"""Subpackages whose code never changes a document's findings, facts or measurements."""


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the source every finding depends on (extraction, checks, seals, forensics, rules, OCR glue).

    Hand-bumped check versions were forgotten when extraction or a shared helper changed, so feature caches
    and resumed batches reused results that the current code would not produce.
    """
    return source_fingerprint(lambda rel: rel.parts[0] not in _NOT_EVIDENCE and not rel.name.startswith("cli"))


def checks_version() -> str:
    """One string that changes whenever any built-in check's output may change: the checks' ids and versions,
    and the fingerprint of the code they run."""
    return ";".join(f"{c.id}={c.version}" for c in default_checks()) + f";code={code_fingerprint()}"


__all__ = ["Check", "DocContext", "checks_version", "default_checks"]

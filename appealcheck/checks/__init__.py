"""Checks: each reads one document and returns findings. Listed by hand; ids are stable."""

from __future__ import annotations

from appealcheck.checks.content import CapitalAmount, ImpossibleDate, UsccCheckDigit, ValidityPeriod
from appealcheck.checks.interface import Check, DocContext


def default_checks() -> list[Check]:
    """The built-in checks, in the order they run."""
    return [UsccCheckDigit(), ImpossibleDate(), ValidityPeriod(), CapitalAmount()]


def checks_version() -> str:
    """One string that changes whenever any built-in check's output may change."""
    return ";".join(f"{c.id}={c.version}" for c in default_checks())


__all__ = ["Check", "DocContext", "checks_version", "default_checks"]

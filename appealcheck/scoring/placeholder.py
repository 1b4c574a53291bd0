"""A stand-in score until the trained LightGBM model lands: the worst finding's severity.

Its name in `versions.model` says it is a placeholder, so nobody mistakes it for a model.
"""

from __future__ import annotations

from appealcheck.models import Finding

NAME = "placeholder-severity-v0 (not a trained model)"
_BY_SEVERITY = {"info": 0.05, "low": 0.2, "medium": 0.5, "high": 0.85, "critical": 0.97}
BASELINE = 0.05


def severity_score(severity: str) -> float:
    """The score a single finding or rule hit of this severity gives."""
    return _BY_SEVERITY.get(severity, BASELINE)


def document_score(findings: tuple[Finding, ...] | list[Finding]) -> float:
    """Score of one document from its findings."""
    return max((_BY_SEVERITY[f.severity] for f in findings), default=BASELINE)


def verdict(score: float, suspicious: float = 0.4, forged: float = 0.8) -> str:
    """Verdict for a score against thresholds."""
    if score >= forged:
        return "forged"
    if score >= suspicious:
        return "suspicious"
    return "clean"

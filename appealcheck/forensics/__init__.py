"""Forensics: what the file's structure and the page's pixels say about editing.

`file` reads the original bytes (EXIF, XMP, embedded thumbnails, PDF revisions and drawing order);
`pixel` reads the rendered page (noise residuals, copy-move, JPEG grid). Both return plain records
(`Signal`, `PixelReport`) that `appealcheck.checks.forensics` turns into findings and features, so the
analysis can be tested and benchmarked without the OCR pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appealcheck.models import Box, Severity


@dataclass(frozen=True)
class Signal:
    """One piece of forensic evidence, before it becomes a Finding."""

    id: str
    """Stable finding id, e.g. 'file.pdf_incremental_update'."""
    severity: Severity
    message: str
    """A sentence a reviewer understands."""
    page: int | None = None
    box: Box | None = None
    """Page-pixel box, or None for the whole file."""
    measured: Any = None
    expected: Any = None


@dataclass(frozen=True)
class Report:
    """Signals, numeric features and what could not be checked, for one document."""

    signals: tuple[Signal, ...] = ()
    features: dict[str, float | None] = field(default_factory=dict)
    """Measurements named '<check id>.<what>'; None means not measurable."""
    unchecked: tuple[str, ...] = ()
    """Sentences saying what could not be checked and why."""

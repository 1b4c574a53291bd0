"""The records that flow between pipeline stages. All coordinates are page pixels.

Frozen dataclasses: a stage never mutates what an earlier stage produced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Box = tuple[int, int, int, int]
"""An axis-aligned box [x0, y0, x1, y1] in pixels of the page image."""

DocumentKind = Literal["authorization_letter", "purchase_invoice", "receipt", "business_license", "other"]
DOCUMENT_KINDS: tuple[str, ...] = (
    "authorization_letter", "purchase_invoice", "receipt", "business_license", "other",
)

Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")


@dataclass(frozen=True, eq=False)
class Page:
    """One page of a document as an RGB image."""

    index: int
    """Zero-based page number within the document."""
    image: np.ndarray
    """H x W x 3 uint8 RGB pixels, EXIF orientation already applied."""
    dpi: float | None
    """Resolution the page was rendered or scanned at, when known."""

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.image.shape[0])


@dataclass(frozen=True)
class FileInfo:
    """What the file itself says about the document, before any pixel is read."""

    format: str
    """'jpeg', 'png', 'tiff', 'bmp', 'webp' or 'pdf'."""
    size_bytes: int
    """File size on disk."""
    sha256: str
    """Hex digest of the file bytes."""
    producer: str | None = None
    """PDF Producer."""
    creator: str | None = None
    """PDF Creator."""
    software: str | None = None
    """EXIF Software tag."""
    created: str | None = None
    """Creation date as the file states it (PDF CreationDate, EXIF DateTimeOriginal)."""
    modified: str | None = None
    """Modification date as the file states it (PDF ModDate, EXIF DateTime)."""
    camera: str | None = None
    """EXIF Make and Model, when present."""
    page_count: int = 1
    """Pages (frames for images: always 1 here)."""
    metadata: dict[str, str] = field(default_factory=dict)
    """Other metadata keys, kept verbatim for forensics."""


FILE_IDS = ("ImageUniqueID", "BodySerialNumber", "CameraSerialNumber", "xmp.DocumentID", "xmp.OriginalDocumentID",
            "pdf.ID")
"""Metadata keys that name one original file or one camera body: the same value in two sellers' files means
one source (batch links them)."""


def file_meta(info: FileInfo | None) -> dict[str, Any] | None:
    """What a result records of a file's metadata: the DESIGN `doc.file.*` facts and the identifiers in FILE_IDS."""
    if info is None:
        return None
    return {"format": info.format, "producer": info.producer, "creator": info.creator, "software": info.software,
            "created": info.created, "modified": info.modified, "camera": info.camera,
            "ids": {k: info.metadata[k] for k in FILE_IDS if info.metadata.get(k)}}


@dataclass(frozen=True, eq=False)
class Document:
    """One file of an appeal, read into page images."""

    file: str
    """Path relative to the appeal root, with forward slashes: the document's name in outputs."""
    info: FileInfo
    """File-level facts."""
    pages: tuple[Page, ...]
    """Rendered pages."""
    kind_hint: str | None = None
    """Kind given by appeal.yaml, if any."""
    path: str | None = None
    """Where the original file was read from, for forensics of its bytes; None when only pages were given."""


@dataclass(frozen=True)
class Seller:
    """Who filed the appeal."""

    name: str | None = None
    shop: str | None = None
    uscc: str | None = None
    account: dict[str, float] = field(default_factory=dict)
    """Behaviour signals from appeal.yaml (numbers only)."""


@dataclass(frozen=True)
class DocumentFailure:
    """A file of the appeal that could not be read. A failure is data: it flows on with the results."""

    file: str
    problem: str
    sha256: str | None = None


@dataclass(frozen=True, eq=False)
class Appeal:
    """An ingested appeal."""

    appeal_id: str
    root: str
    """The path the user gave."""
    brand: str | None
    submitted_at: str | None
    """ISO date the validity of documents is judged at."""
    seller: Seller
    documents: tuple[Document, ...]
    failures: tuple[DocumentFailure, ...] = ()


@dataclass(frozen=True)
class OcrLine:
    """One line of text read by OCR."""

    text: str
    box: Box
    """Bounding box of the line polygon."""
    polygon: tuple[tuple[int, int], ...]
    """Four corners as the engine gave them (clockwise from top-left)."""
    confidence: float
    """Engine's recognition score in 0..1."""
    source: Literal["page", "dereddened"] = "page"
    """'dereddened' when read from the copy with red ink suppressed (text under a seal)."""

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = self.box
        if x1 < x0 or y1 < y0:
            raise ValueError(f"OcrLine box is inverted: {self.box}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"OcrLine confidence out of range: {self.confidence}")

    @property
    def center(self) -> tuple[float, float]:
        """Centre of the box."""
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)

    @property
    def height(self) -> int:
        """Box height in pixels (a proxy for the font size)."""
        return self.box[3] - self.box[1]

    @property
    def width(self) -> int:
        """Box width in pixels."""
        return self.box[2] - self.box[0]

    @property
    def text_height(self) -> float:
        """Height of the line's own polygon (its left and right edges, averaged): the font size even where a photo
        tilts the line, which makes a long line's box taller than its letters."""
        if len(self.polygon) != 4:
            return float(self.height)
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.polygon
        return (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2


@dataclass(frozen=True)
class PageText:
    """OCR result of one page, lines in reading order."""

    page: int
    lines: tuple[OcrLine, ...]
    engine: str
    """Engine name and version that read it."""

    @property
    def text(self) -> str:
        """All lines joined with newlines."""
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class FieldValue:
    """A field read from a document, with where it was read."""

    name: str
    value: Any
    """Parsed value: str, number (as float), ISO date string, or list of item dicts."""
    raw: str
    """The text it was parsed from."""
    page: int | None = None
    box: Box | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Finding:
    """A verdict about one thing on one document, with the evidence for it."""

    id: str
    """Stable id, e.g. 'content.uscc_check_digit'. Stored in outputs: never renamed."""
    severity: Severity
    message: str
    """A sentence a reviewer understands."""
    check: str
    """Id of the check or rule that produced it."""
    page: int | None = None
    box: Box | None = None
    measured: Any = None
    expected: Any = None

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md section 5 shape."""
        return {
            "id": self.id, "severity": self.severity, "message": self.message, "check": self.check,
            "page": self.page, "box": list(self.box) if self.box else None,
            "measured": self.measured, "expected": self.expected,
        }


@dataclass(frozen=True)
class DocumentResult:
    """Everything learned about one document."""

    file: str
    sha256: str | None
    kind: str | None
    kind_source: str | None
    """'manifest' or 'classifier'."""
    pages: int
    fields: dict[str, FieldValue]
    findings: tuple[Finding, ...]
    text: str
    """All OCR text, pages separated by form feeds."""
    ocr: tuple[PageText, ...] = ()
    info: FileInfo | None = None
    features: dict[str, float | None] = field(default_factory=dict)
    """Measurements from the checks ('<check id>.<what>'), the model's inputs. None: not measurable."""
    seals: tuple[dict[str, Any], ...] = ()
    """Every seal found (doc.seals[]): box, shape, size_mm, text, center_text, code, matched_seal, match_score."""
    template: dict[str, Any] | None = None
    """The registered template it follows (doc.template): id, match_score, status, deviations."""
    score: float | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md section 5 shape plus fields and page count."""
        return {
            "file": self.file, "sha256": self.sha256, "kind": self.kind, "kind_source": self.kind_source,
            "pages": self.pages, "score": self.score,
            "fields": {
                name: {"value": f.value, "raw": f.raw, "page": f.page,
                       "box": list(f.box) if f.box else None, "confidence": f.confidence}
                for name, f in self.fields.items()
            },
            "findings": [f.to_json() for f in self.findings],
            "seals": list(self.seals),
            "template": self.template,
            "file_meta": file_meta(self.info),
            "error": self.error,
        }


@dataclass(frozen=True)
class AppealResult:
    """The result of scanning one appeal: what `scan --json` prints and `batch` writes per line."""

    appeal_id: str
    brand: str | None
    score: float | None
    verdict: Literal["forged", "suspicious", "clean", "error"]
    documents: tuple[DocumentResult, ...]
    rule_hits: tuple[dict[str, Any], ...] = ()
    links: tuple[dict[str, Any], ...] = ()
    explanation: tuple[dict[str, Any], ...] = ()
    versions: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seller: dict[str, Any] | None = None
    """Who filed the appeal (name, shop, uscc) as appeal.yaml says: links across appeals need it."""
    exit_code: int = 0
    """What the CLI exits with for this result (not part of the JSON)."""

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md section 5 object."""
        return {
            "schema_version": 1,
            "appeal_id": self.appeal_id,
            "brand": self.brand,
            "score": self.score,
            "verdict": self.verdict,
            "documents": [d.to_json() for d in self.documents],
            "rule_hits": list(self.rule_hits),
            "links": list(self.links),
            "explanation": list(self.explanation),
            "versions": self.versions,
            "seller": self.seller,
            "error": self.error,
        }

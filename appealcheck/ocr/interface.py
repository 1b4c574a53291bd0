"""The OCR engine interface: engines turn an RGB image into lines with boxes and confidences."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from appealcheck.models import OcrLine


class OcrEngine(ABC):
    """One OCR engine. Implementations load their models lazily, once per process."""

    name: str = "abstract"

    @property
    @abstractmethod
    def version(self) -> str:
        """Engine and model version; part of the OCR cache key."""

    @abstractmethod
    def read(self, image: np.ndarray) -> list[OcrLine]:
        """Detect and recognise every text line of an RGB uint8 image."""

    def read_region(self, image: np.ndarray) -> list[OcrLine]:
        """Read a small crop of a page (a region re-read under a seal). Engines may skip upscaling here."""
        return self.read(image)

    @property
    def key(self) -> str:
        """Identity for caching and for `versions` in outputs."""
        return f"{self.name}-{self.version}"


class NullEngine(OcrEngine):
    """Reads nothing. For unit tests of the stages after OCR, and for `--ocr none`."""

    name = "none"

    @property
    def version(self) -> str:
        return "0"

    def read(self, image: np.ndarray) -> list[OcrLine]:
        return []


def polygon_to_line(points, text: str, score: float) -> OcrLine:
    """Build an OcrLine from an engine's 4-point polygon."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    return OcrLine(
        text=text,
        box=(max(int(x0), 0), max(int(y0), 0), max(int(x1), 0), max(int(y1), 0)),
        polygon=tuple((int(round(x)), int(round(y))) for x, y in pts),
        confidence=float(min(max(score, 0.0), 1.0)),
    )

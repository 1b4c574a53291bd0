"""OCR: one engine interface, RapidOCR by default, PaddleOCR with local models, a disk cache."""

from __future__ import annotations

import os

from appealcheck.errors import UsageError
from appealcheck.ocr.cache import OcrCache
from appealcheck.ocr.interface import NullEngine, OcrEngine
from appealcheck.ocr.reader import PageReader

ENGINES = ("rapidocr", "paddle", "none")


def make_engine(name: str = "rapidocr", paddle_det_dir: str | None = None,
                paddle_rec_dir: str | None = None, threads: int | None = None) -> OcrEngine:
    """Build an engine by name. Nothing is loaded until the first page is read."""
    if name in ("rapidocr", "rapid"):
        from appealcheck.ocr.rapid import RapidOcrEngine

        return RapidOcrEngine(threads=threads)
    if name in ("paddle", "paddleocr"):
        from appealcheck.ocr.paddle import PaddleOcrEngine

        return PaddleOcrEngine(paddle_det_dir or os.environ.get("APPEALCHECK_PADDLE_DET_DIR"),
                               paddle_rec_dir or os.environ.get("APPEALCHECK_PADDLE_REC_DIR"))
    if name == "none":
        return NullEngine()
    raise UsageError(f"unknown OCR engine {name!r}; use one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "NullEngine", "OcrCache", "OcrEngine", "PageReader", "make_engine"]

"""PaddleOCR, used only with model folders the user points at: it never downloads."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import numpy as np

from appealcheck.errors import ResourceMissing
from appealcheck.models import OcrLine
from appealcheck.ocr.interface import OcrEngine, polygon_to_line

HOW = ("PaddleOCR needs local model folders: pass --paddle-det-dir DIR and --paddle-rec-dir DIR "
       "(or set APPEALCHECK_PADDLE_DET_DIR and APPEALCHECK_PADDLE_REC_DIR) pointing at PP-OCR "
       "inference folders (each with inference.yml), and install the extra: pip install -e '.[paddle]'")


def _model_name(folder: Path) -> str | None:
    """PaddleOCR wants the model's name; it is written in the folder's inference.yml."""
    for fname in ("inference.yml", "inference.yaml"):
        f = folder / fname
        if f.is_file():
            for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
                s = line.strip()
                if s.startswith("model_name:"):
                    return s.split(":", 1)[1].strip().strip("'\"") or None
    return None


class PaddleOcrEngine(OcrEngine):
    """PaddleOCR 3.x pipeline over local det/rec folders."""

    name = "paddleocr"

    def __init__(self, det_dir: str | Path | None, rec_dir: str | Path | None):
        if not det_dir or not rec_dir:
            raise ResourceMissing(HOW)
        self.det_dir, self.rec_dir = Path(det_dir), Path(rec_dir)
        for label, d in (("detection", self.det_dir), ("recognition", self.rec_dir)):
            if not d.is_dir():
                raise ResourceMissing(f"PaddleOCR {label} model folder {d} does not exist. {HOW}")
            if _model_name(d) is None:
                raise ResourceMissing(f"{d} has no inference.yml naming its model; is it a PP-OCR inference folder?")
        self._engine = None

    @property
    def version(self) -> str:
        try:
            v = metadata.version("paddleocr")
        except metadata.PackageNotFoundError:
            v = "missing"
        return f"{v}-{_model_name(self.det_dir)}-{_model_name(self.rec_dir)}"

    def _load(self):
        if self._engine is None:
            try:
                from paddleocr import PaddleOCR
            except ImportError:
                raise ResourceMissing("paddleocr is not installed: pip install -e '.[paddle]'") from None
            self._engine = PaddleOCR(
                text_detection_model_dir=str(self.det_dir),
                text_detection_model_name=_model_name(self.det_dir),
                text_recognition_model_dir=str(self.rec_dir),
                text_recognition_model_name=_model_name(self.rec_dir),
                use_doc_orientation_classify=False, use_doc_unwarping=False, use_textline_orientation=False,
            )
        return self._engine

    def read(self, image: np.ndarray) -> list[OcrLine]:
        engine = self._load()
        lines: list[OcrLine] = []
        for res in engine.predict(np.ascontiguousarray(image[:, :, ::-1])):
            data = res.json.get("res", res.json) if hasattr(res, "json") else res
            for poly, text, score in zip(data.get("rec_polys", []), data.get("rec_texts", []),
                                         data.get("rec_scores", []), strict=False):
                if text and text.strip():
                    lines.append(polygon_to_line(poly, text, float(score)))
        return lines

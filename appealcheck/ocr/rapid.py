"""RapidOCR: PP-OCR models shipped inside the rapidocr wheel, run with onnxruntime, offline."""

from __future__ import annotations

import threading
from importlib import metadata

import numpy as np

from appealcheck.errors import ResourceMissing
from appealcheck.models import OcrLine
from appealcheck.ocr.interface import OcrEngine, polygon_to_line

# The page detector upscales small images to 736 px on their short side; a crop under a seal is read as it
# is instead (0.17 s rather than 0.28 s for a 400 x 380 crop, with the same text).
_REGION_PARAMS = {"Det.limit_type": "max", "Det.limit_side_len": 960}
# Pages: RapidOCR's default detector input keeps an A4 page at 200 dpi at 1408 x 1984. Capping its long side at
# 1280 cut detection time by 43% and a scanned appeal by about 20%, with the same fields read (909 fields of 56
# generated appeals; bench/RESULTS.md). Recognition still reads from the full-resolution page. A page so narrow
# that the cap would bring its short side under the default's 736 px (a till roll) keeps the default.
_PAGE_PARAMS = {"Det.limit_type": "max", "Det.limit_side_len": 1280}
_PAGE_DEFAULT_SHORT = 736
DETECTOR = "det1280+rerec"
"""Part of the engine version (and so of OCR cache keys and result versions): the page detector's cap, and the
second reading of doubtful lines without the angle classifier."""
RE_READ_BELOW = 0.85
"""Lines read with less confidence than this are read again as they stand, without the angle classifier."""
RE_READ_GAIN = 0.15
"""The second reading replaces the first when it is this much more confident."""


def capped_detector(h: int, w: int) -> bool:
    """Whether a page of h x w pixels goes to the capped detector: only pages the default would shrink anyway
    or keep above the cap, and whose short side stays at 736 px or more once capped (the default's own floor,
    below which it upscales: small receipts and till rolls keep the default)."""
    short, long = min(h, w), max(h, w)
    cap = _PAGE_PARAMS["Det.limit_side_len"]
    return long > cap and short >= _PAGE_DEFAULT_SHORT and short * cap / long >= _PAGE_DEFAULT_SHORT


class RapidOcrEngine(OcrEngine):
    """The default engine. Only the models the wheel ships are used: asking for others downloads."""

    name = "rapidocr"

    def __init__(self, threads: int | None = None):
        self.threads = threads
        self._engines: dict[str, object] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        try:
            return f"{metadata.version('rapidocr')}+{DETECTOR}"
        except metadata.PackageNotFoundError:
            return "missing"

    def _load(self, variant: str = "page"):
        with self._lock:
            if variant not in self._engines:
                try:
                    from rapidocr import RapidOCR
                except ImportError as exc:
                    raise ResourceMissing(f"rapidocr is not installed ({exc}); run: pip install -e .") from None
                params = {"Global.log_level": "error"}
                if self.threads:
                    params["EngineConfig.onnxruntime.intra_op_num_threads"] = int(self.threads)
                if variant == "region":
                    params.update(_REGION_PARAMS)
                elif variant == "page":
                    params.update(_PAGE_PARAMS)
                try:
                    self._engines[variant] = RapidOCR(params=params)
                except Exception as exc:  # noqa: BLE001 - any failure here means the models are unusable
                    raise ResourceMissing(
                        f"the RapidOCR models that ship in the rapidocr wheel could not be loaded ({exc}); "
                        "reinstall with: pip install --force-reinstall rapidocr==3.10.0") from None
            return self._engines[variant]

    def read(self, image: np.ndarray) -> list[OcrLine]:
        return self._run(self._load("page" if capped_detector(*image.shape[:2]) else "page_default"), image)

    def read_region(self, image: np.ndarray) -> list[OcrLine]:
        return self._run(self._load("region"), image)

    @staticmethod
    def _run(engine, image: np.ndarray) -> list[OcrLine]:
        # rapidocr expects BGR like OpenCV.
        bgr = np.ascontiguousarray(image[:, :, ::-1])
        # RapidOCR keeps the switches of its last call: name them every time (a second reading turns two off).
        result = engine(bgr, use_det=True, use_cls=True, use_rec=True)
        if result is None or result.boxes is None or result.txts is None:
            return []
        out = []
        for b, t, s in zip(result.boxes, result.txts, result.scores, strict=False):
            if s < RE_READ_BELOW:
                t, s = _reread(engine, bgr, b, t, s)
            if t and t.strip():
                out.append(polygon_to_line(b, t, s))
        return out


def _reread(engine, bgr: np.ndarray, quad, text: str, score: float) -> tuple[str, float]:
    """A doubtful line read again as it stands on the page. The angle classifier sometimes turns an upright line
    upside down, and the line then reads as a few confident-looking characters ('914WDC' for a licence's
    '914419001283CYJWDC', at 0.64); read without it, the same crop gave the whole code at 1.0."""
    import cv2

    q = np.asarray(quad, np.float32).reshape(4, 2)
    w = int(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3])))
    h = int(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2])))
    if w < 4 or h < 4:
        return text, score
    m = cv2.getPerspectiveTransform(q, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    crop = cv2.warpPerspective(bgr, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if h >= 1.5 * w:  # a vertical line, as the engine itself turns it
        crop = np.rot90(crop)
    try:
        again = engine(np.ascontiguousarray(crop), use_det=False, use_cls=False, use_rec=True)
    except Exception:  # noqa: BLE001 - a failed second reading keeps the first
        return text, score
    txts, scores = getattr(again, "txts", None), getattr(again, "scores", None)
    if txts and scores and txts[0] and float(scores[0]) >= score + RE_READ_GAIN:
        return txts[0], float(scores[0])
    return text, score

"""Doubtful lines are read a second time without RapidOCR's angle classifier, which sometimes turns an upright
line upside down."""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np
from PIL import Image

from appealcheck.ocr.rapid import RapidOcrEngine, _reread
from appealcheck.samples import serial_forgers
from appealcheck.samples.appeal import build

OPS = ("period_invalid", "uscc_bad_check", "invoice_math", "qr_mismatch", "licensor_unknown", "trademark_unknown",
       "receipt_locale", "store_unknown", "invoice_before_letter", "seal_taxpayer_wrong", "chain_broken")


def test_a_licence_code_the_angle_classifier_turned_over_is_read_whole():
    # A-083-000192 (a photographed licence, forged check character): the page reading gave '914WDC' at 0.64, so
    # the forged code was never judged.
    out = build(83, 192, 0.6, serial_forgers(83), OPS)
    data = next(d for name, d in out.files if "business_license" in name)
    img = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    texts = [ln.text for ln in RapidOcrEngine().read(img)]
    assert "914419001283CYJWDC" in texts
    assert not any(t.endswith("WDC") and len(t) < 18 for t in texts)


class _Engine:
    def __init__(self, text, score):
        self.answer = SimpleNamespace(txts=(text,), scores=(score,))
        self.calls = []

    def __call__(self, img, **kw):
        self.calls.append(kw)
        return self.answer


QUAD = [[10, 10], [110, 10], [110, 40], [10, 40]]
PAGE = np.full((60, 200, 3), 255, np.uint8)


def test_the_second_reading_replaces_the_first_only_when_much_more_confident():
    better = _Engine("914419001283CYJWDC", 1.0)
    assert _reread(better, PAGE, QUAD, "914WDC", 0.64) == ("914419001283CYJWDC", 1.0)
    assert better.calls == [{"use_det": False, "use_cls": False, "use_rec": True}]
    assert _reread(_Engine("信惠公示系统”7解更多登记", 0.74), PAGE, QUAD, "信惠公示系统”了解更多登记", 0.83) == \
        ("信惠公示系统”了解更多登记", 0.83)
    assert _reread(_Engine("", 0.99), PAGE, QUAD, "abc", 0.5) == ("abc", 0.5)
    assert _reread(better, PAGE, [[0, 0], [2, 0], [2, 2], [0, 2]], "x", 0.3) == ("x", 0.3)  # too small to read

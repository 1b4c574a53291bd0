"""Which pages go to the capped page detector, and that the cap is part of the engine's version (cache keys)."""

from __future__ import annotations

import pytest

from appealcheck.ocr.rapid import DETECTOR, RapidOcrEngine, capped_detector


@pytest.mark.parametrize(("h", "w", "capped"), [
    (2339, 1654, True),    # A4 at 200 dpi
    (1754, 1240, True),    # A4 at 150 dpi
    (2017, 1426, True),    # phone photo
    (1102, 1890, True),    # landscape invoice
    (1017, 631, False),    # small receipt: the default upscales it
    (2300, 900, False),    # till roll at 300 dpi: capped, its short side would fall under 736
    (1169, 827, False),    # template specimen: not over the cap
    (1280, 1000, False),   # exactly at the cap
])
def test_capped_detector_takes_big_pages_only(h, w, capped):
    assert capped_detector(h, w) is capped


def test_detector_cap_is_in_the_engine_version():
    assert RapidOcrEngine().version.endswith("+" + DETECTOR)

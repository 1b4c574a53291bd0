"""Pixel forensics on constructed pages: a clone made after capture is found; the honest capture is not."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from appealcheck.forensics.pixel import analyse_page, heatmap_png
from appealcheck.models import Page
from tests.pages import font

LINES = ["授权书 有限公司 有限公司 授权期限", "2024年01月01日 至 2025年12月31日", "特此授权 有限公司 经销",
         "被授权方 上海锦程贸易有限公司", "金额 12345.67 元 有限公司"]


def _captured(seed: int = 0) -> np.ndarray:
    """A text page (with repeated words) captured like a scan: slight skew, blur, sensor noise on grey paper."""
    img = Image.new("L", (1240, 1754), 228)
    d = ImageDraw.Draw(img)
    for i, t in enumerate(LINES * 3):
        d.text((120, 150 + i * 90), t, font=font(34), fill=30)
    a = np.asarray(img, np.float32)
    M = cv2.getRotationMatrix2D((620, 877), 0.4, 1.0)
    a = cv2.warpAffine(a, M, (1240, 1754), borderValue=228)
    a = cv2.GaussianBlur(a, (0, 0), 0.6)
    a += np.random.default_rng(seed).normal(0, 3.0, a.shape).astype(np.float32)
    g = np.clip(a, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2))


def test_clone_after_capture_is_found():
    img = _captured()
    src = (120, 240, 560, 330)  # a multi-character block: one line of dates
    dst_x, dst_y = 640, 1520
    img[dst_y:dst_y + 90, dst_x:dst_x + 440] = img[src[1]:src[3], src[0]:src[2]]
    rep = analyse_page(Page(0, img, 150.0))
    hits = [s for s in rep.report.signals if s.id == "pixel.copy_move"]
    assert hits, rep.report.features
    pasted = (dst_x, dst_y, dst_x + 440, dst_y + 90)
    assert any(h.box and h.box[0] < pasted[2] and pasted[0] < h.box[2] and h.box[1] < pasted[3]
               and pasted[1] < h.box[3] for h in hits)
    assert heatmap_png(Page(0, img, 150.0), rep)[:8] == b"\x89PNG\r\n\x1a\n"


def test_honest_capture_with_repeated_words_is_quiet():
    rep = analyse_page(Page(0, _captured(1), 150.0))
    assert not rep.report.signals
    assert rep.report.features["pixel.forensics.copy_move_pairs"] > 0  # repeats were seen, and let go


@pytest.mark.parametrize("shape", [(1, 1, 3), (40, 3000, 3), (3, 3, 3)])
def test_tiny_pages_say_so(shape):
    rep = analyse_page(Page(0, np.full(shape, 255, np.uint8), None))
    assert rep.report.unchecked and not rep.report.signals


def test_blank_and_large_pages_are_bounded():
    assert not analyse_page(Page(0, np.full((2339, 1654, 3), 255, np.uint8), 200.0)).report.signals
    big = np.random.default_rng(0).integers(0, 255, (7000, 5000, 3), dtype=np.uint8)
    t = time.perf_counter()
    analyse_page(Page(0, big, 300.0))
    assert time.perf_counter() - t < 10


def test_a4_page_time():
    img = cv2.resize(_captured(2), (1654, 2339))
    analyse_page(Page(0, img, 200.0))
    t = time.perf_counter()
    analyse_page(Page(0, img, 200.0), jpeg=True)
    assert time.perf_counter() - t < 1.5  # 0.5 s on an idle machine; shared CI cores get slack

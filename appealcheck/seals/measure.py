"""Physical measurements of a seal and the signs of a pasted one.

A rubber stamp leaves ink whose strength varies with pressure and paper, with soft edges, and
black text under it stays dark (ink and toner multiply). A seal cut from another file and pasted
is one flat colour with hard edges, and covers the text under it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.models import Page
from appealcheck.seals.find import SealShape, ink_mask


@dataclass(frozen=True)
class InkStats:
    """How the ink of one seal is laid down."""

    ink_spread: float
    """Inter-quartile range of ink strength over the ink, relative to its median: low means flat colour."""
    edge_sharpness: float
    """Mean gradient at the ink's edge relative to its strength, per pixel: high means a hard cut-out."""
    text_under_hidden: float | None
    """Share of dark (toner) pixels near the seal that vanish where seal ink lies; None without text around."""


def px_per_mm(page: Page, photographed: bool) -> float | None:
    """Page pixels per millimetre, from the page's DPI; None for photographs, whose scale is unknown."""
    if photographed or not page.dpi:
        return None
    return float(page.dpi) / 25.4


def size_mm(seal: SealShape, scale: float | None) -> tuple[float, float] | None:
    """Width and height of the impression in millimetres (the fitted outline's axes)."""
    if not scale:
        return None
    return (round(seal.axes[0] / scale, 1), round(seal.axes[1] / scale, 1))


def ink_stats(image: np.ndarray, seal: SealShape) -> InkStats | None:
    """Flatness, edge hardness and hidden text of a seal's ink; None when too little ink is visible."""
    x0, y0, x1, y1 = seal.box
    crop = image[y0:y1, x0:x1]
    if crop.size == 0:
        return None
    m = ink_mask(crop, seal.ink).astype(bool)
    if m.sum() < 200:
        return None
    f = crop.astype(np.float32)
    paper_px = f[~m & (f.min(axis=2) > 150)]
    paper = np.median(paper_px, axis=0) if len(paper_px) > 50 else np.full(3, 245.0)
    # Ink strength: how much of the paper's light the ink absorbs in the channel it absorbs most
    # (green for red ink, red for blue ink).
    ch = 1 if seal.ink == "red" else 0
    # float32 throughout: a float64 paper level would promote the image, which Sobel below rejects.
    strength = np.clip(1 - f[:, :, ch] / np.float32(max(paper[ch], 1.0)), 0, 1).astype(np.float32)
    core = cv2.erode(m.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    vals = strength[core] if core.sum() > 100 else strength[m]
    q25, q50, q75 = np.percentile(vals, [25, 50, 75])
    spread = float((q75 - q25) / max(q50, 1e-3))
    gx = cv2.Sobel(strength, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(strength, cv2.CV_32F, 0, 1, ksize=3)
    grad = np.hypot(gx, gy) / 8.0
    edge = m & ~core
    sharp = float(grad[edge].mean() / max(q50, 1e-3)) if edge.any() else 0.0
    # Toner is dark in every channel; under red ink it stays dark (multiply) unless the seal covers it.
    dark = f.max(axis=2) < 90
    hidden = None
    near = cv2.dilate(m.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & ~m
    if dark[near].sum() > 50:
        # Expected share of dark pixels under the ink = their share next to it; measured share below.
        # The ink mask leaves out toner under genuine ink (it is dark, not red): close the strokes
        # over such gaps and count dark pixels inside them.
        strokes = cv2.morphologyEx(m.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)).astype(bool)
        expect = float(dark[near].mean())
        under = float(dark[strokes].mean())
        hidden = round(max(0.0, 1 - under / max(expect, 1e-6)), 3)
    return InkStats(round(spread, 3), round(sharp, 3), hidden)

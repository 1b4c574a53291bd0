"""The hue of each character's ink: a value typed in with another colour than the page's print.

A document is printed with one ink. A value typed into a scan or a PDF afterwards takes whatever colour the
editor had: near-black, but rarely the same near-black (a channel 10-20 levels off). Its shade is lost among
the strokes' widths (a thin stroke is paler), but its hue is not: where a pixel is a mix of paper and ink, its
distance from the paper, channel by channel, points the same way whatever the mix. So each character's hue is
measured as the share of that distance in red and in blue beyond green, a median over its darkest pixels,
against the paper around it; a value whose characters share a hue that the page's print does not is reported
by `appealcheck.checks.text`.

Greyscale and one-bit pages carry no hue and are not measured; neither is ink on coloured paper (a banner,
a shaded cell) or near a seal, whose red mixes with the print.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.forensics.glyphs import Glyph

PAPER = 0.8
"""The paper's colour about a character is the mean of the brightest pixels of its box grown by its height, above
this quantile of brightness (a form's coloured rules and labels beside a value would tint a median; pixels next to
the strokes carry the ink's hue in a JPEG, whose colour is stored at half resolution)."""
GROUND_HUE = 60
"""Levels between the paper's brightest and dimmest channel beyond which a character sits on a coloured ground (a
banner, a shaded cell), not on paper. A phone photo's warm light tints white paper by 30-40; a tint that only some
values sit on is caught against the others (`PAPER_TINT`)."""
GROUND = 0.6
"""The ground right under a character, for its tint only: the same, over its box grown by a quarter of its height
(a receipt's total printed on the edge of a pink advertisement has white paper about it and pink under it)."""
CORE = 0.6
"""A character's pixels darker than this share of the paper's brightness are its ink."""
MIN_INK = 10
"""Fewer ink pixels than this and a character's hue is not measured."""
SEAL_RED = 50
"""How much redder than green and blue a pixel must be to count as a seal's ink near a character, its blue not below
its green (a stamp pad's red is as blue as it is green; an invoice form's brown, 64-88 redder, is far greener)..."""
NEAR_SEAL = 0.002
"""Share of such pixels about a character at which it is left unmeasured."""
GREY_PAGE = 2
"""A page none of whose pixels differs between channels by more than this (JPEG's rounding) is greyscale. (A colour
scan of a black-and-white receipt differs by 0.03-0.1 levels on average: an average cannot tell it from grey.)"""


@dataclass(frozen=True)
class Ink:
    """One character's ink hue: shares of its distance from the paper in red and in blue beyond green."""

    glyph: Glyph
    red: float
    blue: float
    pixels: int
    tint: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """The tint of the ground under it: each channel less the mean of the three."""


def is_grey(img: np.ndarray) -> bool:
    """No hue to measure: a greyscale scan stored as colour, or a page without colour at all."""
    if img.ndim != 3:
        return True
    r, g, b = cv2.split(np.ascontiguousarray(img))
    return int(cv2.absdiff(r, g).max()) <= GREY_PAGE and int(cv2.absdiff(b, g).max()) <= GREY_PAGE


def _around(img: np.ndarray, g: Glyph) -> np.ndarray:
    """The pixels about a character: its box grown by its height on every side (every few pixels)."""
    m = g.height
    step = max(1, m // 12)  # the paper is smooth: a big character's surroundings are sampled, not read whole
    return img[max(0, g.top - m):g.bottom + 1 + m:step, max(0, g.x0 - m):g.x1 + 1 + m:step].reshape(-1, 3)


def _kth(a: np.ndarray, q: float):
    """The value at quantile ``q`` of a 1-D array (no interpolation: a partition, not a sort)."""
    k = min(len(a) - 1, int(q * len(a)))
    return np.partition(a, k)[k]


def _brightest(pixels: np.ndarray, q: float) -> np.ndarray:
    """Mean colour of the pixels (N x 3, int16) at or above quantile ``q`` of brightness."""
    light = pixels.sum(1)
    return pixels[light >= _kth(light, q)].mean(0)


def glyph_inks(img: np.ndarray, glyphs: list[Glyph]) -> list[Ink]:
    """The ink hue of every character that can be measured (RGB page, page-pixel glyph boxes)."""
    out = []
    for g in glyphs:
        y0, y1, x0, x1 = g.top, g.bottom + 1, g.x0, g.x1 + 1
        cut = img[y0:y1, x0:x1].astype(np.float32)
        if cut.size == 0:
            continue
        around = _around(img, g).astype(np.int16)
        r, gr, b = around[:, 0], around[:, 1], around[:, 2]
        # Near a seal, its red mixes with the print (a seal is stamped over the signature and the date).
        if np.count_nonzero((r - np.maximum(gr, b) > SEAL_RED) & (b + 10 >= gr)) > NEAR_SEAL * len(around):
            continue
        p = _brightest(around, PAPER).astype(np.float32)
        # Ink on a coloured ground, or on a ground too dark to be paper, has no measurable hue of its own.
        if p.min() < 120 or p.max() - p.min() > GROUND_HUE:
            continue
        ink = cut.mean(-1) < CORE * p.mean()
        n = int(np.count_nonzero(ink))
        if n < MIN_INK:
            continue
        m = max(2, g.height // 4)
        under = _brightest(img[max(0, y0 - m):y1 + m, max(0, x0 - m):x1 + m].reshape(-1, 3).astype(np.int16), GROUND)
        d = p - cut[ink]
        s = d.sum(-1) + 1e-3
        tint = under - under.mean()
        out.append(Ink(g, float(_kth((d[:, 0] - d[:, 1]) / s, 0.5)), float(_kth((d[:, 2] - d[:, 1]) / s, 0.5)), n,
                       (float(tint[0]), float(tint[1]), float(tint[2]))))
    return out


def box_glyphs(grey: np.ndarray, box: tuple[int, int, int, int]) -> list[Glyph]:
    """Characters of a value cut from its box alone, by the columns its ink fills (when its line's characters could
    not be matched with what OCR read: a dot-matrix total beside its label, say). Rows inked across most of the box
    are a form's rule, not print, and are left out."""
    x0, y0, x1, y1 = (max(0, int(v)) for v in box)
    cut = grey[y0:y1, x0:x1]
    if cut.size == 0 or min(cut.shape) < 4:
        return []
    ink = cut < CORE * float(np.quantile(cut, 0.9))
    ink[ink.mean(1) > 0.7] = False
    cols = ink.any(0)
    out, start = [], None
    for x, on in enumerate([*cols.tolist(), False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            rows = np.flatnonzero(ink[:, start:x].any(1))
            out.append(Glyph("?", x0 + start, x0 + x - 1, y0 + int(rows[0]), y0 + int(rows[-1])))
            start = None
    return out


@dataclass(frozen=True)
class InkDeparture:
    """A run of characters whose shared hue differs from the page's print."""

    inks: tuple[Ink, ...]
    shift: float
    """How far the run's hue is from the page's (the larger of the red and the blue share), e.g. 0.025."""
    scatter: float
    """How far one character's hue is from the page's, typically (a robust spread over the page)."""
    page_hue: tuple[float, float]
    run_hue: tuple[float, float]


MIN_RUN_CHARS = 3
"""Characters of one value that must be measured for its hue to be compared."""
AGREE = 0.75
"""Share of a value's characters that must each lie at least half its shift from the page's print: a value read
together with its label (a form prints its labels in its own colour) mixes two inks and is not one retype."""
PAPER_TINT = 6.0
"""Levels by which the ground's tint under a character may differ, in any channel, from that under the page's other
values for its ink to be compared with theirs."""
MIN_OTHERS = 8
"""Characters of the page's other values needed to know the hue a value should have."""


def _on_paper(inks: list[Ink], tint: np.ndarray) -> list[Ink]:
    return [i for i in inks if np.abs(np.subtract(i.tint, tint)).max() <= PAPER_TINT]


def departure(run: list[Ink], others: list[Ink], row: list[Ink] = ()) -> InkDeparture | None:
    """How far ``run``'s hue (the median over its characters) is from that of ``others``, the characters of the
    page's other values (a form prints its labels in a colour of its own, its values all in one ink). None when
    there is too little to go by, or when ``row``, the print beside the value on its line (its label), shares the
    value's hue: a printer that prints a line darker (a receipt's total in bold) moves its label's hue with it,
    while a value typed in later leaves its label in the page's ink."""
    # Print over a tint of its own (a receipt's pink advertisement printed behind its total) mixes with it.
    tint = np.median([i.tint for i in others], axis=0) if others else np.zeros(3)
    run, others = _on_paper(run, tint), _on_paper(others, tint)
    if len(run) < MIN_RUN_CHARS or len(others) < max(MIN_OTHERS, len(run)):
        return None
    pr = np.array([i.red for i in others])
    pb = np.array([i.blue for i in others])
    mr, mb = float(np.median(pr)), float(np.median(pb))
    spread = 1.4826 * max(float(np.median(np.abs(pr - mr))), float(np.median(np.abs(pb - mb))))
    rr = float(np.median([i.red for i in run]))
    rb = float(np.median([i.blue for i in run]))
    shift = max(abs(rr - mr), abs(rb - mb))
    apart = sum(max(abs(i.red - mr), abs(i.blue - mb)) >= shift / 2 for i in run)
    if apart < AGREE * len(run):
        return None
    row = _on_paper(list(row), tint)
    if len(row) >= MIN_RUN_CHARS:
        lr, lb = float(np.median([i.red for i in row])), float(np.median([i.blue for i in row]))
        if max(abs(lr - rr), abs(lb - rb)) < shift / 2:
            return None
    return InkDeparture(tuple(run), shift, spread, (mr, mb), (rr, rb))

"""Digits cloned on the captured image: two printings of a digit that are the same pixels.

A forger who edits a scan or a photo changes a digit by copying another one from the same page with a clone
stamp, then saves the file again. Two genuine printings of one character never match pixel for pixel once
captured: the scanner's or camera's noise differs at every pixel, and a page that sits a fraction of a degree
off straight puts each character on its own sub-pixel phase. A clone carries its source's noise and phase
with it; saving the file again moves its pixels by a few grey levels.

So every digit OCR read and `glyphs.line_glyphs` boxed is compared with every other printing of the same
digit on its page, at the best whole-pixel alignment, and a pair far closer than the page's own genuine
pairs is a clone. The page sets its own scale: the median distance from a digit to its nearest twin. A page
that was never turned repeats its print: on a JPEG's own pixels, printings a whole number of blocks apart come
out of the encoder alike (left out), and a page with any pixel-identical pair repeats its print (not judged).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.forensics.glyphs import Glyph

PAD = 2
"""Paper kept around a character's ink box: a clone stamp takes some with it."""
SEARCH = 2
"""Whole pixels the alignment may move beyond the ink boxes' own placement."""
MIN_HEIGHT = 9
"""Digits shorter than this (pixels) hold too few pixels to tell noise from ink..."""
MIN_WIDTH = 5
"""...or narrower: a thin '1' is a bar, and two bars on the same phase match on any page (seeds 7 and 163)."""
MAX_PER_CHAR = 60
"""Printings of one character compared at most per page (cost grows with the square)."""
MIN_PAIRS = 8
"""Characters with a twin on the page needed before the page's scale is trusted."""
RATIO = 0.3
"""A pair closer than this share of the page's median nearest-twin distance is a clone..."""
MAX_DISTANCE = 3.0
"""...and closer than this many grey levels on average. Saved again at 90 or more a clone stays near 1-2.5; at
80-85 it reaches 4-5, inside the range of genuine pairs on a sharp scan, and is missed."""
EXACT = 0.5
"""Pairs closer than this are the same pixels, which a noisy capture never shows and a clone saved again as JPEG
does not keep: such a page repeats its print exactly (a screenshot, a render of an e-receipt whose amounts sit in
one column on whole pixels) and is not judged. A clone saved losslessly on a noisy page is lost with them."""
GAP = 0.5
"""...and, with the printings it joins (a source and its clones), closer than this share of their nearest other
printing: on a page that was not turned, printings on nearly the same phase make a tail of close genuine pairs,
and a pair at the head of that tail is not a clone."""
MAX_GROUP = 4
"""A source and at most three clones of it; more printings alike are the page's print, not an edit."""
MAX_GROUPS = 2
"""Clone groups on one page at most (a forger changes a digit or two); more, and the page is not judged."""
DIGITS = "0123456789"
"""Digits only: they are what a forger changes (dates, amounts, numbers), and a page prints each many times."""
CLIP = (8, 247)
"""Pixels outside this range are clipped paper or solid ink: equal in any two printings, so not counted."""


@dataclass(frozen=True)
class Clone:
    """Two printings of a character that are the same pixels."""

    a: Glyph
    b: Glyph
    distance: float
    """Mean absolute grey difference over the pair's unclipped pixels at the best alignment."""
    scale: float
    """The page's median distance from a character to its nearest genuine twin."""


@dataclass(frozen=True)
class PageClones:
    clones: tuple[Clone, ...]
    scale: float | None
    """None when the page was not judged: too few repeated digits, or a page that repeats its print."""
    closest: float | None
    """The smallest pair distance over the page's scale (the model's feature), None when not judged."""
    exact: bool = False
    """The page repeats its digits pixel for pixel, so it was not judged."""


def _patch(grey: np.ndarray, g: Glyph, pad: int) -> tuple[np.ndarray, int, int] | None:
    h, w = grey.shape
    x0, y0, x1, y1 = g.x0 - pad, g.top - pad, g.x1 + 1 + pad, g.bottom + 1 + pad
    if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
        return None
    return grey[y0:y1, x0:x1], x0, y0


def _distance(grey: np.ndarray, a: Glyph, b: Glyph) -> tuple[float, int, int] | None:
    """Mean absolute difference of `a`'s patch and `b`'s at their best alignment, and the offset from `a`'s
    pixels to `b`'s (None: not comparable)."""
    pa = _patch(grey, a, PAD)
    pb = _patch(grey, b, PAD + SEARCH)
    if pa is None or pb is None:
        return None
    ta, sb = pa[0], pb[0]
    if ta.shape[0] > sb.shape[0] or ta.shape[1] > sb.shape[1]:
        return None
    res = cv2.matchTemplate(sb, ta, cv2.TM_SQDIFF)
    _, _, (mx, my), _ = cv2.minMaxLoc(res)
    tb = sb[my:my + ta.shape[0], mx:mx + ta.shape[1]]
    live = ((ta > CLIP[0]) & (ta < CLIP[1])) | ((tb > CLIP[0]) & (tb < CLIP[1]))
    if int(live.sum()) < 20:
        return None
    return float(cv2.absdiff(ta, tb)[live].mean()), pb[1] + mx - pa[1], pb[2] + my - pa[2]


def page_clones(grey: np.ndarray, glyphs: list[Glyph], jpeg_grid: bool = False) -> PageClones:
    """Pairs of same-digit printings on one page that are far closer than the page's genuine pairs.

    `jpeg_grid`: the page's pixels are a JPEG file's own (not a PDF's rendering), so pairs a whole number of
    8-pixel blocks apart are left out: when the page was not turned they come out of the encoder alike.
    """
    groups: dict[str, list[Glyph]] = {}
    for g in glyphs:
        if g.ch in DIGITS and g.height >= MIN_HEIGHT and g.x1 - g.x0 + 1 >= MIN_WIDTH:
            groups.setdefault(g.ch, []).append(g)
    pairs: list[tuple[float, Glyph, Glyph]] = []
    nearest: dict[int, float] = {}
    for members in groups.values():
        members = members[:MAX_PER_CHAR]
        for i, a in enumerate(members):
            for j in range(i + 1, len(members)):
                b = members[j]
                # Another size of print is another font size: not a twin. Overlapping boxes are one printing
                # read in two OCR lines.
                if abs(a.height - b.height) > 2 or abs((a.x1 - a.x0) - (b.x1 - b.x0)) > 2 \
                        or (a.x0 <= b.x1 and b.x0 <= a.x1 and a.top <= b.bottom and b.top <= a.bottom):
                    continue
                m = _distance(grey, a, b)
                if m is None:
                    continue
                d, ox, oy = m
                if jpeg_grid and ox % 8 == 0 and oy % 8 == 0:
                    # The same JPEG block phase: on a page that was not turned, two printings come out of the
                    # encoder nearly alike. Such a pair proves nothing either way.
                    continue
                pairs.append((d, a, b))
                for k in (id(a), id(b)):
                    nearest[k] = min(nearest.get(k, d), d)
    if len(nearest) < MIN_PAIRS:
        return PageClones((), None, None)
    scale = float(np.median(list(nearest.values())))
    closest = min(p[0] for p in pairs) / max(scale, 1e-6)
    if any(d < EXACT for d, _, _ in pairs):
        return PageClones((), None, None, exact=True)
    cands = [p for p in pairs if p[0] <= MAX_DISTANCE and p[0] <= RATIO * scale]
    # Printings joined by candidate pairs form a group: a source and its clones (one donor may serve twice).
    group: dict[int, int] = {}

    def root(k: int) -> int:
        while group.get(k, k) != k:
            k = group[k]
        return k

    for _, a, b in cands:
        group[root(id(a))] = root(id(b))
    in_cands = {id(g) for p in cands for g in p[1:]}
    if len({root(k) for k in in_cands}) > MAX_GROUPS:
        # Close pairs of many digits: the page repeats its print (a screenshot), it was not edited.
        return PageClones((), None, None, exact=True)
    # The page's closest pair of printings that no candidate touches: its genuine floor.
    floor = min((p[0] for p in pairs if id(p[1]) not in in_cands and id(p[2]) not in in_cands), default=None)
    clones = []
    for d, a, b in sorted(cands, key=lambda p: p[0]):
        members = {k for k in in_cands if root(k) == root(id(a))}
        inside = max(p[0] for p in cands if id(p[1]) in members)
        # A clone group stands alone: its members' nearest printings outside it, and the page's genuine floor,
        # are far off. A page that was not turned repeats its print in runs of close pairs instead.
        outside = [p[0] for p in pairs if (id(p[1]) in members) != (id(p[2]) in members)]
        outside += [] if floor is None else [floor]
        if len(members) <= MAX_GROUP and (not outside or inside <= GAP * min(outside)):
            clones.append(Clone(a, b, d, scale))
    return PageClones(tuple(clones), scale, round(closest, 4))

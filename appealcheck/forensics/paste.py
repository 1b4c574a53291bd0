"""Blocks pasted from another capture: a rectangle of other paper, cut with an edge sharper than the page's own.

A forger who cuts a block out of another document's scan or photo (a seal with the paper round it, a line of
text, a signature) and pastes it onto a page brings that document's paper along. Self-similarity cannot see it
(the block is nowhere else on the page), and its noise often hides among the page's own. What it cannot hide:

- its paper is another tone than the page's (another scanner, another light, another sheet), so the paper
  steps along the four sides of an axis-aligned rectangle;
- the step is one pixel wide: the editor cut it on the file, where every edge the capture drew (print, the
  page's border, a shadow) is blurred by the lens or the scanner.

The test works on the page's paper: the image at half the work size with its print closed away (a grey
closing removes strokes thinner than 7 pixels there), so text, rules and seal lines leave it and the paper's
tone remains. Long straight steps in that paper (`step` levels, runs of a fortieth of the page) propose sides;
two sides meeting at a corner, or two parallel sides over the same stretch (print can break a side near its
corners), propose a rectangle, which is kept when

- each of its four sides steps along most of its length (`side_cover`),
- it is paper on both sides of every side: bright enough and unsaturated (a bar of a barcode or a seal's red
  ink is not paper; of a large block, one inner side may be print, where the block was cut through a rule), and
  one paper inside (`one_paper`: the counter of a bold digit is not; a large block's side may follow a photo's
  gradient),
- at least three of its sides are cut (two, when its inner sides are one tone): on the full-size image, the
  step across the side is made in one or two pixels and does not ring (`_cut`),
- it holds no printed code: a QR code or a barcode on its white quiet zone is a white box with hard sides that
  genuine documents print (zxing-cpp reads the block to tell).

A paste onto paper of the same tone (a clean scan's white onto another's) steps nowhere and is not found here.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.forensics import Signal
from appealcheck.models import Box, Page


@dataclass(frozen=True)
class PasteParams:
    """Thresholds, set on seed 941's pages with blocks pasted by bench/forensics.py (see bench/RESULTS.md)."""

    step: float = 6.0
    """Grey levels (any colour channel) the paper must step across a side."""
    run: int = 40
    """A side runs at least 1/run of the page's width (and 16 pixels at half size)."""
    side_cover: float = 0.6
    """Share of each side's length along which the paper steps."""
    min_area: float = 0.004
    max_area: float = 0.25
    """Area of the rectangle, as a share of the page: a block, not a crumb and not the page on a desk."""
    paper: float = 60.0
    """Grey level both sides of every side must reach (the median along it): paper, not a barcode's bar. Set on
    seed 941's barcodes (their bars' sides at 1-67) and pastes (a photo's dark paper at 59-126 kept)."""
    chroma: float = 90.0
    """Largest spread of a side's median colour over its channels: paper, not a seal's red."""
    one_paper: float = 0.45
    """Share of a side's inner line within 6 levels of its median; all sides but one must reach it."""
    cut_sides: int = 3
    """Sides whose step is a cut on the full-size image (`_cut`)."""
    cut_sides_one_tone: int = 2
    one_tone: float = 20.0
    """...or this many, where the inner sides' median colours are within `one_tone` levels of each other: a JPEG
    save rings round a cut and can spoil two sides (seed 941: q95 32 -> 43 of 79). The real seal images' bold
    digits whose counters pass with two sides have inner sides 34-123 apart."""


LONG_SIDE = 48
"""Sides at least this long (half work pixels, about 100 page pixels on an A4 page at 200 dpi) may follow a
gradient, and one inner side of a block whose sides all are this long may be print. Shorter rectangles are held
to the strict rules: the counters of bold digits on real seal images are 13-20 long."""


def pasted_blocks(page: Page, s: float, p: PasteParams | None = None) -> list[Signal]:
    """Signals for blocks pasted onto `page` (work scale `s`)."""
    p = p or PasteParams()
    img = page.image
    if img.ndim == 2:
        img = np.dstack([img] * 3)
    h, w = img.shape[:2]
    k = s / 2  # page pixels -> half work pixels
    W, H = max(1, int(w * k)), max(1, int(h * k))
    if W < 64 or H < 64:
        return []
    small = cv2.resize(np.ascontiguousarray(img[..., :3]), (W, H), interpolation=cv2.INTER_AREA)
    bg8 = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    # Steps across two pixels, the largest of the three channels (uint8 OpenCV calls: numpy's float version cost
    # 80 ms on an A4 page).
    eh = np.zeros((H, W), bool)
    ev = np.zeros((H, W), bool)
    eh[1:-1] = _channel_max(cv2.absdiff(bg8[2:], bg8[:-2])) >= p.step
    right, left = np.ascontiguousarray(bg8[:, 2:]), np.ascontiguousarray(bg8[:, :-2])
    ev[:, 1:-1] = _channel_max(cv2.absdiff(right, left)) >= p.step
    bg = bg8.astype(np.float32)
    L = max(16, W // p.run)
    oh, ov = _runs(eh, L, horizontal=True), _runs(ev, L, horizontal=False)
    cands = _corners(oh, ov, L)
    ehd = cv2.dilate(eh.astype(np.uint8), np.ones((5, 1), np.uint8)) > 0
    evd = cv2.dilate(ev.astype(np.uint8), np.ones((1, 5), np.uint8)) > 0
    found: list[tuple[float, tuple[int, int, int, int]]] = []
    page_codes: list[Box] | None = None  # the codes zxing-cpp reads on the whole page, read once if needed
    for x0, y0, x1, y1 in sorted(cands):
        area = (x1 - x0) * (y1 - y0)
        if not p.min_area * W * H <= area <= p.max_area * W * H:
            continue
        # Sides in the order top, bottom, left, right. One may run off the page (a seal pasted at an invoice's
        # foot, seed 907): it is not judged.
        off = (y0 <= 3, y1 >= H - 4, x0 <= 3, x1 >= W - 4)
        if sum(off) > 1:
            continue
        use = tuple(not o for o in off)
        sides = [c for c, u in zip((ehd[y0, x0:x1].mean(), ehd[y1, x0:x1].mean(), evd[y0:y1, x0].mean(),
                                    evd[y0:y1, x1].mean()), use, strict=True) if u]
        if min(sides) < p.side_cover:
            continue
        # Sides that run on past the rectangle's corners are part of something larger: the sheet's own edges
        # round a band it prints along its top (fresh seed 1137, a photographed letter's blue header on a green
        # desk), a frame. A pasted block's sides stop at its corners (one may meet an edge of the page in line).
        on = _runs_on(ehd, evd, (x0, y0, x1, y1), use, L)
        if sum(on) >= 2 or _spans_sheet(off, on):
            continue
        tone = _paper(bg, x0, y0, x1, y1, p, use)
        if tone is None:
            continue
        full = tuple(int(round(v / k)) for v in (x0, y0, x1, y1))
        need = p.cut_sides_one_tone if tone <= p.one_tone else p.cut_sides
        if _cut(img, full, use) < need or holds_code(img, full):
            continue
        # A barcode wider than the rectangle's surroundings is read on the whole page only (fresh seed 1087, a
        # genuine scanned receipt: a rectangle of paper between four of its bars, 38 x 50 px).
        if page_codes is None:
            page_codes = code_boxes(img, (0, 0, w, h), margin=0)
        if any(full[0] < c[2] and c[0] < full[2] and full[1] < c[3] and c[1] < full[3] for c in page_codes):
            continue
        found.append((float(min(sides)), full))
    signals: list[Signal] = []
    kept: list[tuple[int, int, int, int]] = []
    for cover, b in sorted(found, reverse=True):
        if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in kept):
            continue
        kept.append(b)
        box: Box = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        signals.append(Signal("pixel.pasted_region", "high",
                              "A block of other paper is pasted here: its tone steps along the sides of a rectangle, "
                              "cut one pixel sharp where the page's own edges are blurred by the capture",
                              page.index, box, measured=round(cover, 2),
                              expected="paper of one tone, or edges as soft as the capture's"))
    return signals


def _runs_on(ehd: np.ndarray, evd: np.ndarray, box: tuple[int, int, int, int], use: tuple[bool, ...],
             n: int) -> tuple[bool, bool, bool, bool]:
    """Which judged sides of `box` (top, bottom, left, right) step on, in line, beyond either of their corners
    for as long as the side itself and at least 4 `n` pixels."""
    x0, y0, x1, y1 = box
    H, W = ehd.shape
    g = 4
    sides = []
    for y, u in ((y0, use[0]), (y1, use[1])):
        k = max(4 * n, x1 - x0)
        runs = (ehd[y, max(0, x0 - g - k):max(0, x0 - g)], ehd[y, min(W, x1 + g):min(W, x1 + g + k)])
        sides.append(bool(u and any(len(r) >= k and float(r.mean()) >= 0.8 for r in runs)))
    for x, u in ((x0, use[2]), (x1, use[3])):
        k = max(4 * n, y1 - y0)
        runs = (evd[max(0, y0 - g - k):max(0, y0 - g), x], evd[min(H, y1 + g):min(H, y1 + g + k), x])
        sides.append(bool(u and any(len(r) >= k and float(r.mean()) >= 0.8 for r in runs)))
    return sides[0], sides[1], sides[2], sides[3]


def _spans_sheet(off: tuple[bool, ...], on: tuple[bool, ...]) -> bool:
    """A block that runs off the page on one side and whose opposite side runs on past its corners: a band printed
    from the page's edge to the sheet's (a genuine scanned letter's dark header, fresh seed 1205, A-1205-000128, from
    the picture's left edge to the sheet's right edge, which runs on down the page)."""
    opposite = (1, 0, 3, 2)
    return any(off[i] and on[opposite[i]] for i in range(4))


def _channel_max(d: np.ndarray) -> np.ndarray:
    c = cv2.split(np.ascontiguousarray(d))
    return cv2.max(cv2.max(c[0], c[1]), c[2])


def _runs(e: np.ndarray, n: int, horizontal: bool) -> np.ndarray:
    """Runs of `e` at least `n` long along one axis (gaps of up to 4 closed first)."""
    gap = np.ones((1, 5) if horizontal else (5, 1), np.uint8)
    line = np.ones((1, n) if horizontal else (n, 1), np.uint8)
    e = cv2.morphologyEx(e.astype(np.uint8), cv2.MORPH_CLOSE, gap)
    return cv2.morphologyEx(e, cv2.MORPH_OPEN, line)


def _corners(oh: np.ndarray, ov: np.ndarray, n: int, tol: int = 4) -> set[tuple[int, int, int, int]]:
    """Rectangles proposed where a horizontal run and a vertical run meet at a corner of both."""
    hs, vs = [], []
    for m, out, horizontal in ((oh, hs, True), (ov, vs, False)):
        cnt, _, st, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
        for x, y, w, h, _a in st[1:cnt]:
            if horizontal and h <= 8:
                out.append((int(x), int(x + w - 1), int(y + h // 2)))
            elif not horizontal and w <= 8:
                out.append((int(y), int(y + h - 1), int(x + w // 2)))
    cands: set[tuple[int, int, int, int]] = set()
    # Two parallel sides over the same stretch: a side cut in pieces by print (a photo's block, dev seed 1111)
    # meets no corner, while the two sides across it run whole.
    for runs, horizontal in ((hs, True), (vs, False)):
        for i, (a0, b0, c0) in enumerate(runs):
            for a1, b1, c1 in runs[i + 1:]:
                slack = max(tol, (b0 - a0) // 8)
                if abs(a1 - a0) > slack or abs(b1 - b0) > slack:
                    continue
                lo, hi = max(a0, a1), min(b0, b1)
                c_lo, c_hi = sorted((c0, c1))
                box = (lo, c_lo, hi, c_hi) if horizontal else (c_lo, lo, c_hi, hi)
                if box[2] - box[0] >= n and box[3] - box[1] >= n // 2:
                    cands.add(box)
    for xa, xb, y in hs:
        for ya, yb, x in vs:
            for cx, ox in ((xa, xb), (xb, xa)):
                if abs(cx - x) > tol:
                    continue
                for cy, oy in ((ya, yb), (yb, ya)):
                    if abs(y - cy) <= tol:
                        x0, x1 = sorted((cx, ox))
                        y0, y1 = sorted((y, oy))
                        if x1 - x0 >= n and y1 - y0 >= n // 2:
                            cands.add((x0, y0, x1, y1))
    return cands


def _paper(bg: np.ndarray, x0: int, y0: int, x1: int, y1: int, p: PasteParams,
           use: tuple[bool, ...] = (True,) * 4) -> float | None:
    """Paper on both sides of every side of the rectangle judged (`use`: top, bottom, left, right), and one paper
    along its inner sides: the largest difference of the inner sides' median colours, or None."""
    o = 3
    ins = [bg[y0 + o, x0 + o:x1 - o], bg[y1 - o, x0 + o:x1 - o], bg[y0 + o:y1 - o, x0 + o], bg[y0 + o:y1 - o, x1 - o]]
    outs = [(y0 - o, slice(x0 + o, x1 - o)), (y1 + o, slice(x0 + o, x1 - o)),
            (slice(y0 + o, y1 - o), x0 - o), (slice(y0 + o, y1 - o), x1 + o)]
    ins = [a for a, u in zip(ins, use, strict=True) if u]
    outs = [bg[i] for i, u in zip(outs, use, strict=True) if u]
    def paper(a: np.ndarray) -> bool:
        m = np.median(a, axis=0)
        return float(m.mean()) >= p.paper and float(np.ptp(m)) <= p.chroma

    if not all(paper(a) for a in outs):
        return None
    # One inner side of a block judged on all four may be print, not paper: a block cut through a coloured rule
    # (dev seed 1111, a fapiao's brown rule along the block's top).
    kept = [a for a in ins if paper(a)]
    if len(kept) < len(ins) - (len(ins) == 4 and min(len(a) for a in ins) >= LONG_SIDE):
        return None
    alike = sorted(_even(a) for a in kept)
    med = np.array([np.median(a, axis=0) for a in kept])
    return float(np.ptp(med, axis=0).max()) if alike[1] >= p.one_paper else None


def _even(a: np.ndarray) -> float:
    """Share of a line of paper (n x 3) within 6 levels of its straight trend: one paper, lit evenly or under a
    photo's gradient (dev seed 1111: a photographed block 40 levels darker at one end), where the counter of a
    bold digit is strokes and paper."""
    n = len(a)
    flat = np.median(a, axis=0)
    share = float((np.abs(a - flat).max(axis=-1) <= 6).mean())
    if n < LONG_SIDE:
        return share
    # The trend through the medians of the two halves, robust to the print a side crosses.
    m1, m2 = np.median(a[: n // 2], axis=0), np.median(a[n // 2:], axis=0)
    t = np.arange(n, dtype=np.float32) - (n // 2 - 1) / 2
    fit = m1 + np.outer(t, (m2 - m1) / (n / 2))
    return max(share, float((np.abs(a - fit).max(axis=-1) <= 6).mean()))


def _cut(img: np.ndarray, box: tuple[int, int, int, int], use: tuple[bool, ...] = (True,) * 4, r: int = 10) -> int:
    """Sides of `box` (page pixels) across which the paper steps within two pixels, without ringing.

    Per side: a strip 2r across, closed along the side (print away), its median profile across; in the channel
    that steps most, the largest one-pixel step must be half the whole step, the largest two-pixel step 0.68 of
    it, and the profile's total variation at most 1.6 times it. A lens or a scanner spreads a step over 3-6
    pixels (barcode bars on seed 941's photos and scans: one-pixel share 0.34-0.45).
    """
    x0, y0, x1, y1 = box
    h, w = img.shape[:2]
    g = img[..., :3]
    n = 0
    sides = ((True, y0, x0, x1), (True, y1, x0, x1), (False, x0, y0, y1), (False, x1, y0, y1))
    for (horizontal, c, a, b), u in zip(sides, use, strict=True):
        a, b = a + 8, b - 8
        lim = h if horizontal else w
        if not u or c - r < 0 or c + r > lim or b - a < 8:
            continue
        strip = g[c - r:c + r, a:b] if horizontal else g[a:b, c - r:c + r].transpose(1, 0, 2)
        strip = cv2.morphologyEx(np.ascontiguousarray(strip), cv2.MORPH_CLOSE, np.ones((1, 15), np.uint8))
        prof = np.median(strip.astype(np.float32), axis=1)
        ch = int(np.abs(prof[-1] - prof[0]).argmax())
        q = prof[:, ch]
        whole = abs(float(q[-3:].mean() - q[:3].mean()))
        d1 = np.abs(np.diff(q))
        d2 = np.abs(q[2:] - q[:-2])
        if whole >= 4 and d1.max() >= 0.5 * whole and 0.68 * whole <= d2.max() <= 1.25 * whole \
                and d1.sum() <= 1.6 * whole:
            n += 1
    return n


def holds_code(img: np.ndarray, box: tuple[int, int, int, int], margin: int | None = None) -> bool:
    """A QR code or barcode zxing-cpp reads in `box` (page pixels), widened by `margin` (default: a quarter of
    its width, at least 20 pixels)."""
    return bool(code_boxes(img, box, margin))


def code_boxes(img: np.ndarray, box: tuple[int, int, int, int], margin: int | None = None) -> list[Box]:
    """Page-pixel bounding boxes of the QR codes and barcodes zxing-cpp reads in `box` widened by `margin`."""
    import zxingcpp

    x0, y0, x1, y1 = box
    m = max(20, (x1 - x0) // 4) if margin is None else margin
    ox, oy = max(0, x0 - m), max(0, y0 - m)
    crop = img[oy:max(0, y1 + m), ox:max(0, x1 + m)]
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return []
    out: list[Box] = []
    for code in zxingcpp.read_barcodes(np.ascontiguousarray(crop[..., :3] if crop.ndim == 3 else crop)):
        q = code.position
        xs = [pt.x for pt in (q.top_left, q.top_right, q.bottom_left, q.bottom_right)]
        ys = [pt.y for pt in (q.top_left, q.top_right, q.bottom_left, q.bottom_right)]
        out.append((float(ox + min(xs)), float(oy + min(ys)), float(ox + max(xs)), float(oy + max(ys))))
    return out

"""Read a page: engine + cache + a second read of red-inked regions with the red removed, and of print no line covers.

Seal ink over black text makes OCR lose the text underneath. Red ink is bright in the red
channel while black stays dark there, so the red channel as grey is a copy with the seal gone;
only the regions around red ink are read again, so pages without seals cost nothing extra.

The detector also passes over whole lines now and then: a clause of a letter, a '签发日期' row beside a
seal, a shop's thank-you line (189 of seed 7's 725 pages had a band of print no line covered;
bench/ocr_gaps.py). Such bands are read again on their own, so a page whose every line was found costs
one scan of its pixels.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
from rapidfuzz import fuzz

from appealcheck.models import Box, OcrLine, Page, PageText
from appealcheck.ocr.cache import OcrCache, image_key
from appealcheck.ocr.interface import OcrEngine

MAX_OCR_SIDE = 2400
"""Pages larger than this are read from a downscaled copy (boxes are mapped back)."""
GAP_DARK = 120
"""Luminance below which a pixel is print for the search of missed lines (faint grey is left alone)."""
GAP_MIN_WIDTH, GAP_HEIGHTS = 150, (12, 90)
"""Width (pixels) and height range of a band of uncovered print taken for a missed line."""
GAP_MIN_MARKS = 8
"""Separate marks (characters or their strokes) a band must hold: a rule, a border or a smudge holds one or two."""
GAP_MAX_BANDS = 8
"""Missed lines re-read per page at most (a page the detector failed on as a whole is not re-read line by line)."""
GAP_MIN_CONFIDENCE = 0.8
"""Recognition score a re-read line needs: a signature or a logo reads as a few doubtful characters."""


def red_mask(image: np.ndarray) -> np.ndarray:
    """Pixels of red (seal-like) ink: saturated, reddish hue, not dark."""
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    return (((h <= 12) | (h >= 160)) & (s >= 70) & (v >= 80)).astype(np.uint8)


def dereddened(image: np.ndarray) -> np.ndarray:
    """A copy with red ink suppressed: the red channel as grey."""
    r = image[:, :, 0].copy()
    # Thin or light red strokes leave a pale grey ghost in the red channel: push it to white.
    r[r > 170] = 255
    return np.ascontiguousarray(np.stack([r, r, r], axis=2))


def red_regions(image: np.ndarray, min_frac: float = 0.02) -> list[Box]:
    """Boxes around blobs of red ink big enough to hide text (seals, stamps, red print)."""
    mask = red_mask(image)
    h, w = mask.shape
    side = min(h, w)
    k = max(3, side // 100)
    mask = cv2.dilate(mask, np.ones((k, k), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    boxes = []
    min_side = side * min_frac
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if bw >= min_side and bh >= min_side and area >= (min_side ** 2) / 2:
            boxes.append((int(x), int(y), int(x + bw), int(y + bh)))
    return boxes


def _intersects(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _overlap_of_smaller(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])) or 1
    return inter / smaller


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _merge_regions(boxes: list[Box]) -> list[Box]:
    boxes = list(boxes)
    merged = True
    while merged:
        merged = False
        out: list[Box] = []
        for b in boxes:
            for i, o in enumerate(out):
                if _intersects(b, o):
                    out[i] = _union([b, o])
                    merged = True
                    break
            else:
                out.append(b)
        boxes = out
    return boxes


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Sort lines top to bottom, grouping lines whose centres share a row, then left to right."""
    if not lines:
        return []
    heights = sorted(max(ln.height, 1) for ln in lines)
    tol = heights[len(heights) // 2] * 0.5
    rows: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda ln: ln.center[1]):
        if rows and abs(ln.center[1] - np.mean([r.center[1] for r in rows[-1]])) <= tol:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.box[0])]


class PageReader:
    """Reads pages with one engine, through the cache."""

    def __init__(self, engine: OcrEngine, cache: OcrCache | None = None):
        self.engine = engine
        self.cache = cache

    def _read(self, image: np.ndarray, variant: str, region: bool = False) -> list[OcrLine]:
        key = f"{image_key(image)}:{self.engine.key}:{variant}"
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return hit
        h, w = image.shape[:2]
        scale = min(1.0, MAX_OCR_SIDE / max(h, w))
        if scale < 1.0:
            small = cv2.resize(image, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
            lines = [_scale_line(ln, 1 / scale, w, h) for ln in self.engine.read(small)]
        else:
            lines = self.engine.read_region(image) if region else self.engine.read(image)
        if self.cache is not None:
            self.cache.put(key, lines)
        return lines

    def read_page(self, page: Page) -> PageText:
        """OCR a page, re-reading text under red ink from a de-reddened copy."""
        image = page.image
        lines = self._read(image, "page")
        regions = red_regions(image)
        if regions:
            lines = self._reread_red(image, lines, regions)
        bands = uncovered_lines(image, lines)
        if bands:
            lines = self._reread_gaps(image, lines, bands)
        return PageText(page=page.index, lines=tuple(reading_order(lines)), engine=self.engine.key)

    def _reread_red(self, image: np.ndarray, lines: list[OcrLine], regions: list[Box]) -> list[OcrLine]:
        h, w = image.shape[:2]
        # Grow each region to whole lines it touches, so the second read never cuts a line in two.
        grown = []
        for r in regions:
            touching = [ln.box for ln in lines if _intersects(ln.box, r)]
            box = _union([r, *touching])
            m = max(8, (box[3] - box[1]) // 20)
            grown.append((max(0, box[0] - m), max(0, box[1] - m), min(w, box[2] + m), min(h, box[3] + m)))
        grown = _merge_regions(grown)
        if sum((b[2] - b[0]) * (b[3] - b[1]) for b in grown) > 0.5 * w * h:
            grown = [(0, 0, w, h)]
        plain = dereddened(image)
        result = list(lines)
        for x0, y0, x1, y1 in grown:
            crop = np.ascontiguousarray(plain[y0:y1, x0:x1])
            whole = (x0, y0, x1, y1) == (0, 0, w, h)
            new = [_shift_line(ln, x0, y0) for ln in self._read(crop, "dereddened", region=not whole)]
            result = _merge(result, new)
        return result

    def _reread_gaps(self, image: np.ndarray, lines: list[OcrLine], bands: list[Box]) -> list[OcrLine]:
        """Each band of missed print read as a region; its lines join the page where they cover no line already."""
        h, w = image.shape[:2]
        result = list(lines)
        for x0, y0, x1, y1 in bands:
            m = max(6, (y1 - y0) // 2)
            cx0, cy0, cx1, cy1 = max(0, x0 - 12), max(0, y0 - m), min(w, x1 + 12), min(h, y1 + m)
            crop = np.ascontiguousarray(image[cy0:cy1, cx0:cx1])
            for ln in self._read(crop, "gap", region=True):
                ln = _shift_line(ln, cx0, cy0, source="page")
                if (ln.confidence or 0.0) < GAP_MIN_CONFIDENCE or _overlap_of_smaller(ln.box, (x0, y0, x1, y1)) < 0.5:
                    continue
                if any(_overlap_of_smaller(ln.box, o.box) > 0.3 for o in result):
                    continue
                result.append(ln)
        return result


def uncovered_lines(image: np.ndarray, lines: list[OcrLine] | tuple[OcrLine, ...]) -> list[Box]:
    """Bands of dark print (not red ink) outside every line's box that look like a line of text: wide, of a text
    line's height, made of many separate marks, none of them a rule across the band. Most marks first."""
    if image.ndim != 3 or not lines:
        return []
    g = image.astype(np.float32)
    lum = g[:, :, 0] * 0.299 + g[:, :, 1] * 0.587 + g[:, :, 2] * 0.114
    dark = ((lum < GAP_DARK) & (red_mask(image) == 0)).astype(np.uint8)
    for ln in lines:
        x0, y0, x1, y1 = ln.box
        dark[max(0, y0 - 4):y1 + 4, max(0, x0 - 6):x1 + 6] = 0
    closed = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((3, 31), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed)
    found = []
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        if bw < GAP_MIN_WIDTH or not GAP_HEIGHTS[0] <= bh <= GAP_HEIGHTS[1] or bw < 5 * bh:
            continue
        sub = dark[y:y + bh, x:x + bw]
        _, _, marks, _ = cv2.connectedComponentsWithStats(sub)
        marks = marks[1:][marks[1:, 4] >= 6]
        if len(marks) < GAP_MIN_MARKS or marks[:, 2].max() > 0.3 * bw or np.median(marks[:, 3]) < 0.3 * bh:
            continue
        found.append((len(marks), (x, y, x + bw, y + bh)))
    return [b for _, b in sorted(found, key=lambda t: -t[0])[:GAP_MAX_BANDS]]


def _merge(old: list[OcrLine], new: list[OcrLine]) -> list[OcrLine]:
    """Each plain line the de-reddened read overlaps keeps whichever read is better: the plain one when it already
    holds the new text (red labels vanish from the de-reddened copy) or was read more confidently; the new lines
    otherwise (text under a seal, garbled by its ink). New lines over no plain line are added."""
    links = [[j for j, n in enumerate(new) if _overlap_of_smaller(o.box, n.box) > 0.5] for o in old]
    replaced, used = set(), set()
    for i, js in enumerate(links):
        if not js:
            continue
        ns = [new[j] for j in js]
        # Compared on letters and digits only: a de-reddened '99799 34' is the plain '¥99799.34' read worse.
        nw, ow = "".join(_words(n.text) for n in ns), _words(old[i].text)
        covered = len(ow) >= len(nw) and fuzz.partial_ratio(nw, ow) >= 90
        if not covered and _confidence(ns) > (old[i].confidence or 0.0):
            replaced.add(i)
            used.update(js)
    linked = {j for js in links for j in js}
    added = [n for j, n in enumerate(new) if j in used or j not in linked]
    return [o for i, o in enumerate(old) if i not in replaced] + added


def _confidence(lines: list[OcrLine]) -> float:
    """Length-weighted mean confidence of lines read in place of one."""
    total = sum(max(1, len(ln.text)) for ln in lines)
    return sum(max(1, len(ln.text)) * (ln.confidence or 0.0) for ln in lines) / total


def _words(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _shift_line(ln: OcrLine, dx: int, dy: int, source: str = "dereddened") -> OcrLine:
    return replace(ln, box=(ln.box[0] + dx, ln.box[1] + dy, ln.box[2] + dx, ln.box[3] + dy),
                   polygon=tuple((x + dx, y + dy) for x, y in ln.polygon), source=source)


def _scale_line(ln: OcrLine, s: float, w: int, h: int) -> OcrLine:
    def sx(v: float) -> int:
        return int(min(max(round(v * s), 0), w))

    def sy(v: float) -> int:
        return int(min(max(round(v * s), 0), h))

    return replace(ln, box=(sx(ln.box[0]), sy(ln.box[1]), sx(ln.box[2]), sy(ln.box[3])),
                   polygon=tuple((sx(x), sy(y)) for x, y in ln.polygon))

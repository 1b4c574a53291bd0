"""Geometry over OCR lines: find a label and the value that goes with it.

A value follows its label on the same line ('名称：深圳市…'), on the same row to the right
(a table cell), or on the line below. Boxes of values are narrowed to the characters they span,
so evidence points at the value, not at the whole line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from appealcheck.models import Box, OcrLine, PageText

_SEPARATORS = " :：;；,，.、|()（）[]【】-_=<>《》\"'“”"


def nfkc(text: str) -> str:
    """Full-width to half-width and compatibility forms, as OCR text is matched."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class Located:
    """A piece of text on a page: the line it is on and the character span within it."""

    page: int
    line: OcrLine
    start: int
    end: int

    @property
    def text(self) -> str:
        """The characters of the span."""
        return self.line.text[self.start:self.end]

    @property
    def box(self) -> Box:
        """Box of the span, interpolated across the line by character width (CJK count double)."""
        return span_box(self.line, self.start, self.end)


def _char_weight(c: str) -> int:
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def span_box(line: OcrLine, start: int, end: int) -> Box:
    """Approximate box of characters start..end of a line."""
    text = line.text
    if not text or (start <= 0 and end >= len(text)):
        return line.box
    weights = [_char_weight(c) for c in text]
    total = sum(weights) or 1
    a = sum(weights[:start]) / total
    b = sum(weights[:end]) / total
    x0, y0, x1, y1 = line.box
    w = x1 - x0
    return (int(x0 + a * w), y0, max(int(x0 + a * w) + 1, int(round(x0 + b * w))), y1)


class PageLines:
    """All lines of a document's pages, searchable by label."""

    def __init__(self, pages: list[PageText] | tuple[PageText, ...]):
        self.items: list[tuple[int, OcrLine]] = [(p.page, ln) for p in pages for ln in p.lines]
        self._slopes: dict[int, float] = {}

    def slope(self, page: int) -> float:
        """The page's text slope (dy/dx of the lines' top edges, median of the wider lines): a photo taken at an
        angle tilts every row, so a row's right-hand cell sits higher or lower than its label."""
        if page not in self._slopes:
            vals = []
            for p, ln in self.items:
                if len(ln.polygon) < 2:
                    continue
                (x0, y0), (x1, y1) = ln.polygon[0], ln.polygon[1]
                if p == page and x1 - x0 >= 2 * max(ln.height, 1):
                    vals.append((y1 - y0) / (x1 - x0))
            vals.sort()
            self._slopes[page] = vals[len(vals) // 2] if len(vals) >= 3 else 0.0
        return self._slopes[page]

    def _row_offset(self, page: int, ln: OcrLine, other: OcrLine) -> float:
        """How far `other` is from `ln`'s row, in pixels, with the row followed along the page's slope."""
        slope = max(-0.2, min(0.2, self.slope(page)))
        return other.center[1] - (ln.center[1] + slope * (other.center[0] - ln.center[0]))

    def find(self, pattern: re.Pattern[str]) -> list[Located]:
        """Every match of pattern within a single line, in reading order."""
        out = []
        for page, ln in self.items:
            for m in pattern.finditer(ln.text):
                out.append(Located(page, ln, m.start(), m.end()))
        return out

    def value_after(self, label: Located) -> Located | None:
        """The value belonging to a label: rest of its line, else the next cell right, else the line below."""
        text = label.line.text
        start = label.end
        while start < len(text) and text[start] in _SEPARATORS:
            start += 1
        end = len(text)
        while end > start and text[end - 1] in " ":
            end -= 1
        if end - start >= 1 and any(c.isalnum() for c in text[start:end]):
            return Located(label.page, label.line, start, end)
        right = self.right_of(label)
        if right is not None:
            return right
        return self.below(label)

    def right_of(self, label: Located, reach: float = 12) -> Located | None:
        """Nearest line on the same row to the right of the label's line, at most `reach` line heights away."""
        ln = label.line
        h = max(ln.height, 1)
        best = None
        for page, other in self.items:
            if page != label.page or other is ln:
                continue
            off = abs(self._row_offset(page, ln, other))
            if off <= 0.6 * h and _starts_right_of(other, ln, h):
                gap = other.box[0] - ln.box[2]
                if gap < reach * h and (best is None or gap < best[0]) and not self._claimed(page, ln, other, off):
                    best = (gap, other)
        if best is None:
            return None
        other = best[1]
        return _trimmed(label.page, other)

    def _claimed(self, page: int, ln: OcrLine, value: OcrLine, off: float) -> bool:
        """Whether a label stacked in `ln`'s column (the row above or below) sits clearly closer to `value`'s row:
        photographed rows overlap, and 小計 / 消費税 must each keep their own figure."""
        h = max(ln.height, 1)
        for p, other in self.items:
            if p != page or other is ln or other is value or other.box[2] > value.box[0] + 0.5 * h:
                continue
            if other.box[0] < ln.box[2] and other.box[2] > ln.box[0] and \
                    abs(self._row_offset(page, other, value)) < off - 0.15 * h:
                return True
        return False

    def row(self, label: Located) -> list[Located]:
        """Every line on the label's row to its right, left to right (the cells of a table row)."""
        ln = label.line
        h = max(ln.height, 1)
        cells = [other for page, other in self.items
                 if page == label.page and other is not ln and abs(self._row_offset(page, ln, other)) <= 0.6 * h
                 and _starts_right_of(other, ln, h)]
        return [Located(label.page, c, 0, len(c.text)) for c in sorted(cells, key=lambda c: c.box[0])]

    def below(self, label: Located, max_lines: float = 2.2) -> Located | None:
        """Nearest line below the label whose left edge is near the label's."""
        ln = label.line
        h = max(ln.height, 1)
        best = None
        for page, other in self.items:
            if page != label.page or other is ln:
                continue
            dy = other.box[1] - ln.box[3]
            # Photographed lines' boxes are padded and overlap the line above; the centres tell the rows apart.
            lower = other.center[1] - ln.center[1] >= 0.5 * h
            if -0.5 * h <= dy <= max_lines * h and lower and other.box[0] < ln.box[2] and other.box[2] > ln.box[0]:
                if best is None or dy < best[0]:
                    best = (dy, other)
        return _trimmed(label.page, best[1]) if best else None

    def lines_near(self, loc: Located, below_lines: float = 3.0) -> list[Located]:
        """The label's own line and lines just below it (for a code printed under a name)."""
        ln = loc.line
        h = max(ln.height, 1)
        out = [Located(loc.page, ln, 0, len(ln.text))]
        for page, other in self.items:
            if page == loc.page and other is not ln:
                dy = other.center[1] - ln.center[1]
                if 0 < dy <= below_lines * h and abs(other.box[0] - ln.box[0]) < 10 * h:
                    out.append(Located(page, other, 0, len(other.text)))
        return out


def _starts_right_of(other: OcrLine, ln: OcrLine, h: float) -> bool:
    """Whether `other` begins where `ln` ends. Photographed lines' boxes are padded, so two neighbours may overlap
    by half a character ('(小写)' and '¥99799.34' by 10 px at 21 px high); the centre must still lie beyond."""
    return other.box[0] >= ln.box[2] - 0.6 * h and other.center[0] > ln.box[2]


def _trimmed(page: int, ln: OcrLine) -> Located | None:
    text = ln.text
    s, e = 0, len(text)
    while s < e and text[s] in _SEPARATORS:
        s += 1
    while e > s and text[e - 1] in " ":
        e -= 1
    return Located(page, ln, s, e) if e > s else None


def distance(a: OcrLine, b: OcrLine) -> float:
    """Distance between line centres."""
    (ax, ay), (bx, by) = a.center, b.center
    return ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5

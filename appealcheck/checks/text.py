"""Text-level tampering: digits of one printed line that do not sit or size like the rest of it.

Works with or without a template: every line OCR read is measured (`appealcheck.forensics.glyphs`), and
within a line the digits printed in one go share a baseline and a height. A run of digits a few pixels off
the line's baseline (a date retyped into a letter), or one digit a good deal taller than its neighbours (a
digit cloned from a bigger print), is reported with its box, the shift and how far beyond the line's own
scatter it is. What it cannot see, it says so: a whole line retyped alone has nothing on its line to differ
from, and a fax's one-bit print moves every glyph by a pixel or two, so fax pages are not measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.checks.interface import Check, DocContext
from appealcheck.forensics.glyphs import Departure, departures, line_glyphs, line_slope, page_slope
from appealcheck.models import Finding, OcrLine

BASELINE_SCORE = 5.0
"""A run's baseline shift, in units of the line's scatter, at which it is reported (genuine lines on the seed-7
development corpus, photos included: 2 of 2,600 reach it; fax pages excluded)."""
BASELINE_MIN_PX = 1.5
"""...and never less than this many pixels (a pixel is rounding)."""
HEIGHT_SCORE = 5.0
HEIGHT_MIN = 0.12
"""A digit or run whose height differs from the line's other digits by this share (and the score) is reported."""
MAX_LINES = 400
"""Lines measured per page at most (a page of tiny print costs time and proves little)."""
RED = 60
"""How much redder than green or blue a pixel must be to count as seal ink, not print."""


def is_bilevel(grey: np.ndarray) -> bool:
    """A fax or one-bit scan: almost no pixel between black and white."""
    sample = grey[:: max(1, grey.shape[0] // 400), :: max(1, grey.shape[1] // 400)]
    # A blank page has no grey either: it takes some black to be a print.
    return float((sample <= 40).mean()) > 0.002 and float(((sample > 40) & (sample < 215)).mean()) < 0.01


@dataclass(frozen=True)
class LineDeparture:
    page: int
    line: OcrLine
    departure: Departure


@dataclass(frozen=True)
class TextReport:
    departures: tuple[LineDeparture, ...]
    """For each measured line with one, its strongest baseline and height departures."""
    measured: int
    """Lines whose characters could be matched and measured."""
    bilevel_pages: int


def analyse(ctx: DocContext) -> TextReport:
    """Measure every printed line of the document's pages."""
    out: list[LineDeparture] = []
    measured = bilevel = 0
    for text in ctx.ocr:
        if text.page >= len(ctx.document.pages):
            continue
        img = ctx.document.pages[text.page].image
        lines = [ln for ln in text.lines if ln.source == "page"][:MAX_LINES]
        if not lines:
            continue
        grey = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
        if is_bilevel(grey):
            bilevel += 1
            continue
        red = None
        if img.ndim == 3:
            red = (img[..., 0].astype(np.int16) - np.maximum(img[..., 1], img[..., 2]).astype(np.int16)) > RED
        slope = page_slope(lines)
        for ln in lines:
            glyphs = line_glyphs(grey, ln, red)
            if glyphs is None:
                continue
            measured += 1
            for d in departures(glyphs, line_slope(ln, slope)):
                out.append(LineDeparture(text.page, ln, d))
    return TextReport(tuple(out), measured, bilevel)


def _reported(d: Departure) -> bool:
    if d.what == "baseline":
        return d.score >= BASELINE_SCORE and abs(d.shift) >= BASELINE_MIN_PX
    return d.score >= HEIGHT_SCORE and abs(d.shift) >= HEIGHT_MIN


class TextConsistency(Check):
    """Digits within a line that sit off its baseline or are sized unlike the rest."""

    id = "text"
    version = "1"

    def __init__(self) -> None:
        self._last: tuple[int, TextReport] | None = None

    def report(self, ctx: DocContext) -> TextReport:
        """The measurements of `ctx`'s document (kept for the last document: run and measure share them)."""
        if self._last is not None and self._last[0] == id(ctx.document):
            return self._last[1]
        rep = analyse(ctx)
        self._last = (id(ctx.document), rep)
        return rep

    def run(self, ctx: DocContext) -> list[Finding]:
        rep = self.report(ctx)
        out = []
        for ld in rep.departures:
            d = ld.departure
            if not _reported(d):
                continue
            run = "".join(g.ch for g in d.glyphs)
            shown = d.glyphs + d.other
            box = (min(g.x0 for g in shown), min(g.top for g in shown),
                   max(g.x1 for g in shown) + 1, max(g.bottom for g in shown) + 1)
            if d.other:
                other = "".join(g.ch for g in d.other)
                what = (f"{abs(d.shift):.1f} px apart in height" if d.what == "baseline"
                        else f"{abs(d.shift):.0%} apart in size")
                out.append(Finding(
                    id="text.baseline_shift" if d.what == "baseline" else "text.font_inconsistent", severity="high",
                    check=self.id, page=ld.page, box=box,
                    message=f"Digits '{run}' and '{other}' of the line '{ld.line.text}' sit {what} ({d.score:.0f} "
                            "times the line's own scatter): one of them was printed separately",
                    measured=round(d.shift, 3), expected="0 px" if d.what == "baseline" else "0%"))
            elif d.what == "baseline":
                where = "lower" if d.shift > 0 else "higher"
                out.append(Finding(
                    id="text.baseline_shift", severity="high", check=self.id, page=ld.page, box=box,
                    message=f"Digits '{run}' sit {abs(d.shift):.1f} px {where} than the other digits of the line "
                            f"'{ld.line.text}' ({d.score:.0f} times the line's own scatter): printed separately",
                    measured=round(d.shift, 2), expected="0 px"))
            else:
                size = "taller" if d.shift > 0 else "shorter"
                out.append(Finding(
                    id="text.font_inconsistent", severity="high", check=self.id, page=ld.page, box=box,
                    message=f"Digits '{run}' are {abs(d.shift):.0%} {size} than the other digits of the line "
                            f"'{ld.line.text}' ({d.score:.0f} times the line's own scatter): another print size",
                    measured=round(d.shift, 3), expected="0%"))
        if rep.bilevel_pages:
            page = ctx.document.pages[0]
            out.append(Finding(
                id="text.unchecked", severity="info", check=self.id, page=0, box=(0, 0, page.width, page.height),
                message=f"Not checked: {rep.bilevel_pages} page(s) are one-bit (fax) prints, where every character "
                        "moves by a pixel or two", measured=rep.bilevel_pages, expected=None))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        rep = self.report(ctx)
        if not rep.measured:
            return {"text.baseline_score": None, "text.height_score": None}
        best = {"baseline": 0.0, "height": 0.0}
        for ld in rep.departures:
            d = ld.departure
            # A shift under the pixel floor is rounding whatever its score.
            big = abs(d.shift) >= (BASELINE_MIN_PX if d.what == "baseline" else HEIGHT_MIN)
            best[d.what] = max(best[d.what], d.score if big else 0.0)
        return {"text.baseline_score": best["baseline"], "text.height_score": best["height"]}

"""Text-level tampering: characters of one printed line that do not sit or size like the rest of it.

Works with or without a template: every line OCR read is measured (`appealcheck.forensics.glyphs`), and
within a line the digits printed in one go share a baseline and a height. A run of digits a few pixels off
the line's baseline (a date retyped or cloned into a letter), or a few percent taller or shorter, is reported
with its box, the shift and how far beyond the line's own scatter it is. A letter is printed in one go, so its
fields are held to their line too: a licensee's name typed into a genuine letter sits off the label's baseline.
What it cannot see, it says so: a value retyped alone on its line has no digit beside it to sit or size
against, a single digit is never judged (one in ten is mis-measured on real receipts), and a fax's one-bit print
moves every glyph by a pixel or two, so fax pages are not measured.

Every value read is also held to the ink of the page's other values (`appealcheck.forensics.ink`): a value typed
in afterwards takes the editor's near-black, whose hue differs from the print's, also where it fills its line alone.

Two layouts are held to themselves too. A date's digits sit at a fixed height against its own 年/月/日 in every date
of one print on a page, so a date rebuilt from the page's characters and set on the old one's lowest ink stands out
against the others (`glyphs.date_departures`, also under a seal). A receipt right-aligns its amounts, so a total set
in from the old one's left edge in smaller or narrower characters ends short of their column
(`text.column_misaligned`).

A font sets a date's characters at fixed steps whatever its digits, so a date retyped a size off spaces and spans
differently from the page's other dates of its layout (`glyphs.date_sizes`, reported as `text.font_inconsistent`):
compared on one line, or between values alone in their cells, on pages known not to be phone photos and on faxes.
On a phone photo the two dates' ink profiles are fitted onto each other instead, and the photo's slant, measured
from its runs of ideographs, is taken out (`glyphs.PhotoSizes`); a letter's licensee is held to its licensor the same
way, by the ending their names share (有限公司).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.checks.capture import not_a_photo
from appealcheck.checks.interface import Check, DocContext, LastWork
from appealcheck.forensics.clones import Clone, page_clones
from appealcheck.forensics.glyphs import (
    FIELD_MIN_CHARS,
    PHOTO_DATE_SCALE,
    PHOTO_NAME_SCALE,
    Amount,
    DateMarks,
    Departure,
    Glyph,
    PhotoSizes,
    Scale,
    amount_faces,
    amounts,
    date_departures,
    date_marks,
    date_sizes,
    departures,
    field_departure,
    line_glyphs,
    line_slope,
    page_slope,
    perspective_gradient,
    same_character_scale,
)
from appealcheck.forensics.ink import MIN_RUN_CHARS, InkDeparture, box_glyphs, glyph_inks, is_grey
from appealcheck.forensics.ink import departure as ink_departure
from appealcheck.models import FieldValue, Finding, OcrLine
from appealcheck.seals import analyse_seals
from appealcheck.seals.find import GREY_INKS, colourless

BASELINE_SCORE = 5.0
"""A run's baseline shift, in units of the line's scatter, at which it is reported (genuine lines on the seed-7
development corpus, photos included: 2 of 2,600 reach it; fax pages excluded)."""
BASELINE_MIN_PX = 1.5
"""...and never less than this many pixels (a pixel is rounding)."""
HEIGHT_SCORE = 5.0
HEIGHT_MIN = 0.12
"""A digit or run whose height differs from the line's other digits by this share (and the score) is reported."""
FIELD_KINDS = ("authorization_letter",)
FIELD_SCORE = 5.0
FIELD_MIN_PX = 2.0
"""A letter's field whose characters sit this far off the rest of their line (score and pixels) is reported."""
SIZE_FIELDS = ("licensee", "licensor")
"""A letter's two names: the licensee's characters are sized against the same characters of the licensor's."""
SIZE_GAP = 0.03
"""Share by which both the height and the width of the licensee's characters must differ, the same way, from the
licensor's same characters to be reported (seed 7's genuine scanned and PDF letters: at most 0.022; letters reused
with the licensee retyped a size off: 0.034-0.067). Photographs are not judged: their characters are 12-17 px tall,
so one pixel of blur or threshold is 6-8%, and genuine photographed names measured up to 0.077 apart. There the
names' shared ending is sized by its ink profile instead (`glyphs.PhotoSizes.names`, PHOTO_NAME_SCALE)."""
INK_SHIFT = {"photo": 0.018, "scan": 0.012}
"""A value whose characters' ink hue is this far from the page's other values (a share of the ink's distance from
the paper: red or blue against green) is reported: on a page that may be a phone photo (whose light tints
characters unevenly), or on one known to be a scan or a PDF. Development seed 809 and seed 7's 601 genuine
documents: genuine values at most 0.017 on photos and 0.008 elsewhere; values retyped in another near-black
0.01-0.044 (a channel 8 levels off gives about 0.011, one 30 levels off 0.043)."""
INK_MAX = 0.08
"""...and no further than this: a value in a plainly other colour is the form's own print (an invoice's title in
its brown, -10% to -16% from the black of its values), not near-black ink picked to pass for the print."""
INK_SCORE = 4.0
"""...when it is also this many times the page's own spread between characters (or the floor below)."""
INK_FLOOR = {"photo": 0.004, "scan": 0.003}
"""The least spread a page is credited with: a clean scan's characters share one hue to the rounding."""
COLUMN_KINDS = ("receipt",)
"""Documents that print their amounts right-aligned in one column, the total among them."""
COLUMN_SHORT = 0.35
"""A receipt's total that ends this many line heights left of the column its neighbouring amounts end on was set
in from its left edge (a value rebuilt or retyped in smaller or narrower characters). Development seed 1151: genuine
totals -0.24 to +0.16 (a photo's perspective), values rebuilt from the page's smaller digits -0.38 to -1.06. Only 4 of
the 26 real German receipts have a column by this rule (most print a tax letter after each item): -0.08 to +0.12. A
total further right than its column is a layout of its own (two real receipts print theirs well right of the items):
not judged."""
COLUMN_SPREAD = 0.15
"""...when the neighbouring amounts' right ends agree within this many line heights (robust spread): a column."""
COLUMN_REACH = 12
"""Line heights above or below the total within which amounts count as its neighbours."""
COLUMN_MIN = 2
"""Neighbouring amounts needed."""
AMOUNT_END = re.compile(r"(?:\d[\d ,.]*[.,]\d{2}|[¥￥]\s?\d[\d,]*)$")
"""A line that ends in an amount (an item's price followed by a tax letter does not: its column is the letter's)."""
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
    field: str | None = None
    """For a field's characters against the rest of their line: the field's name."""


@dataclass(frozen=True)
class TextReport:
    departures: tuple[LineDeparture, ...]
    """For each measured line with one, its strongest baseline and height departures."""
    measured: int
    """Lines whose characters could be matched and measured."""
    bilevel_pages: int
    clones: tuple[tuple[int, Clone], ...] = ()
    """(page, pair) of digits that are the same pixels: one was cloned from the other on the captured image."""
    clone_closest: float | None = None
    """The closest pair of same-digit printings over the page's genuine scale (lowest over pages judged)."""
    scale: tuple[int, Scale] | None = None
    """(page, sizes) of a letter's licensee against the same characters of its licensor, where both were read."""
    inks: tuple[tuple[int, str, InkDeparture], ...] = ()
    """(page, field, hue) of every value read whose characters' ink hue could be compared with the page's print."""
    column: Column | None = None
    """A receipt's total against the column of amounts around it, where one was found."""
    name_size: tuple[int, float, tuple[Glyph, ...]] | None = None
    """On a phone photo, (page, logarithm of the size ratio, the licensee's characters compared) of a letter's
    licensee against its licensor, from their shared ending (`glyphs.PhotoSizes.names`)."""


@dataclass(frozen=True)
class Column:
    """Where a receipt's total ends against the right-aligned amounts printed around it."""

    page: int
    line: OcrLine
    """The OCR line holding the total."""
    expected_x: float
    """Where the neighbouring amounts' right ends put the column at the total's height (page pixels)."""
    offset: float
    """The total's right end less that, in line heights (negative: short of the column)."""
    neighbours: int


def column_of(lines: list[OcrLine], box: tuple[int, int, int, int], page: int) -> Column | None:
    """The total (the line overlapping `box` that ends in an amount) against its neighbouring amounts' right ends.

    A photo's perspective leans a column: with four neighbours or more, their right ends are fitted against their
    height (Theil-Sen) and read at the total's; with fewer, their median is taken. None without a column (too few
    neighbours, or right ends that do not agree).
    """
    amounts = [ln for ln in lines if AMOUNT_END.search(ln.text.strip())]
    hits = [ln for ln in amounts if ln.box[0] < box[2] and box[0] < ln.box[2] and ln.box[1] < box[3]
            and box[1] < ln.box[3]]
    if len(hits) != 1:
        return None
    t = hits[0]
    cy = (t.box[1] + t.box[3]) / 2
    h = t.box[3] - t.box[1]
    near = [ln for ln in amounts if ln is not t and abs((ln.box[1] + ln.box[3]) / 2 - cy) <= COLUMN_REACH * h]
    if len(near) < COLUMN_MIN:
        return None
    ys = np.array([(ln.box[1] + ln.box[3]) / 2 for ln in near], dtype=float)
    xs = np.array([ln.box[2] for ln in near], dtype=float)
    unit = float(np.median([ln.box[3] - ln.box[1] for ln in near]))
    slope = 0.0
    if len(near) >= 4:
        sl = [(xs[j] - xs[i]) / (ys[j] - ys[i]) for i in range(len(ys)) for j in range(i + 1, len(ys))
              if abs(ys[j] - ys[i]) >= unit / 2]
        slope = float(np.clip(np.median(sl), -0.2, 0.2)) if sl else 0.0
    res = xs - slope * (ys - cy)
    if unit <= 0 or 1.4826 * float(np.median(np.abs(res - np.median(res)))) > COLUMN_SPREAD * unit:
        return None
    expected = float(np.median(res))
    return Column(page, t, round(expected, 1), round((t.box[2] - expected) / unit, 3), len(near))


def _in_box(g: Glyph, box: tuple[int, int, int, int]) -> bool:
    return box[0] <= g.cx <= box[2] and box[1] <= (g.top + g.bottom) / 2 <= box[3]


def _scale_gap(s: Scale) -> float:
    """How far both sizes are off, the same way (0 when height and width disagree on the direction)."""
    dh, dw = s.height - 1, s.width - 1
    return round(min(abs(dh), abs(dw)), 4) if dh * dw > 0 else 0.0


def analyse(ctx: DocContext) -> TextReport:
    """Measure every printed line of the document's pages."""
    out: list[LineDeparture] = []
    measured = bilevel = 0
    clones: list[tuple[int, Clone]] = []
    closest: float | None = None
    scale: tuple[int, Scale] | None = None
    name_size: tuple[int, float, tuple[Glyph, ...]] | None = None
    inks: list[tuple[int, str, InkDeparture]] = []
    # A letter is printed in one go, labels and values alike; forms (invoices, licences) print their values
    # over the form's own text in another face, so only a letter's fields are held to their line's baseline.
    fields: dict[int, list[tuple[str, tuple[int, int, int, int]]]] = {}
    if ctx.kind in FIELD_KINDS:
        for name, f in ctx.fields.items():
            if f.box is not None and f.page is not None and isinstance(f.value, str):
                fields.setdefault(f.page, []).append((name, f.box))
    # A photograph bends a line and blurs its bottoms: there a field is held only to as many characters as it has.
    not_photo = not_a_photo(ctx)
    min_rest = FIELD_MIN_CHARS - 1 if not_photo else FIELD_MIN_CHARS
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
            # A fax moves each glyph by a pixel or two, too much for baselines but not for a date's size.
            faxed = [(ln, d) for ln in lines if "年" in ln.text for d in date_marks(line_glyphs(grey, ln) or [])]
            out += _on_lines(text.page, faxed, date_sizes([d for _, d in faxed]))
            continue
        red = None
        grey_seals = False
        if img.ndim == 3:
            red = (img[..., 0].astype(np.int16) - np.maximum(img[..., 1], img[..., 2]).astype(np.int16)) > RED
            if colourless(img):
                # Without colour a seal's ink is as dark as the print it crosses: those lines are not measured.
                seals = _seal_discs(ctx, text.page)
                red, grey_seals = (seals, True) if seals is not None else (red, False)
        slope = page_slope(lines)
        on_page: list[Glyph] = []
        measured_lines: list[list[Glyph]] = []
        dates = []
        money: list[tuple[OcrLine, Amount]] = []
        for ln in lines:
            glyphs = line_glyphs(grey, ln, red)
            if glyphs is None:
                # A date under the seal (a letter's issue date) is still measured against its own 年月日.
                # So is an amount beside the seal (an invoice's total), against the page's other amounts.
                if red is not None and not grey_seals and ("年" in ln.text or AMOUNT_END.search(ln.text)):
                    under = line_glyphs(grey, ln, red, under_seal=True) or []
                    dates += [(ln, d) for d in date_marks(under)]
                    money += [(ln, a) for a in amounts(under)]
                continue
            measured += 1
            on_page += glyphs
            measured_lines.append(glyphs)
            dates += [(ln, d) for d in date_marks(glyphs)]
            money += [(ln, a) for a in amounts(glyphs)]
            tilt = line_slope(ln, slope)
            for d in departures(glyphs, tilt):
                out.append(LineDeparture(text.page, ln, d))
            for name, box in fields.get(text.page, ()):
                cy = (box[1] + box[3]) / 2
                if ln.box[1] <= cy <= ln.box[3] and box[0] < ln.box[2] and box[2] > ln.box[0]:
                    fd = field_departure(glyphs, box, tilt, min_rest=min_rest)
                    if fd is not None:
                        out.append(LineDeparture(text.page, ln, fd, name))
        marks = [d for _, d in dates]
        photo = None if not_photo else PhotoSizes(grey, *perspective_gradient(measured_lines))
        sizes = date_sizes(marks) if photo is None else date_sizes(marks, photo.measure, PHOTO_DATE_SCALE)
        out += _on_lines(text.page, dates, date_departures(marks) + sizes)
        out += [LineDeparture(text.page, next(ln for ln, a in money if a.glyphs[0] is dep.glyphs[0]), dep)
                for dep in amount_faces([a for _, a in money])]
        # A PDF's page is the reader's rendering of its image, resampled: pixel identity does not survive it. A
        # lossless file keeps a clone's pixels exactly, and such a page is not judged (clones.EXACT).
        pc = page_clones(grey, on_page, jpeg_grid=ctx.document.info.format == "jpeg") \
            if ctx.document.info.format not in ("pdf", *LOSSLESS) else None
        if pc is not None and pc.closest is not None:
            clones += [(text.page, c) for c in pc.clones]
            closest = pc.closest if closest is None else min(closest, pc.closest)
        boxes = dict(fields.get(text.page, ()))
        if scale is None and all(k in boxes for k in SIZE_FIELDS):
            a, b = ([g for g in on_page if _in_box(g, boxes[k])] for k in SIZE_FIELDS)
            found = same_character_scale(a, b)
            scale = (text.page, found) if found is not None else None
            # A photo's cut boxes are a pixel off at its print size: there the names' ink profiles are compared.
            named = photo.names(a, b) if photo is not None else None
            name_size = (text.page, *named) if named is not None else None
        inks += _field_inks(img, grey, on_page, text.page, ctx.fields)
    return TextReport(tuple(out), measured, bilevel, tuple(clones), closest, scale, tuple(inks), _column(ctx),
                      name_size)


def _on_lines(page: int, dates: list[tuple[OcrLine, DateMarks]], deps: list[Departure]) -> list[LineDeparture]:
    """Departures of a page's dates, each with the line its date was read on."""
    return [LineDeparture(page, next(ln for ln, d in dates if dep.glyphs[0] in d.glyphs), dep) for dep in deps]


def _column(ctx: DocContext) -> Column | None:
    total = ctx.fields.get("total")
    if ctx.kind not in COLUMN_KINDS or total is None or total.box is None or total.page is None:
        return None
    for text in ctx.ocr:
        if text.page == total.page:
            return column_of([ln for ln in text.lines if ln.source == "page"], total.box, text.page)
    return None


def _column_finding(c: Column, box: tuple[int, int, int, int], check: str) -> Finding:
    return Finding(
        id="text.column_misaligned", severity="high", check=check, page=c.page, box=box,
        message=f"The total '{c.line.text}' ends {c.expected_x - c.line.box[2]:.0f} px ({-c.offset:.2f} line heights) "
                f"left of the column the {c.neighbours} amounts printed around it end on (x = {c.expected_x:.0f}): a "
                "receipt right-aligns its amounts, and a value set in later from its left edge in smaller or "
                "narrower characters falls short",
        measured=c.offset, expected=f"0 line heights (at most {COLUMN_SHORT} short)")


def _field_inks(img: np.ndarray, grey: np.ndarray, glyphs: list[Glyph], page: int,
                fields: dict[str, FieldValue]) -> list[tuple[int, str, InkDeparture]]:
    """Each value's ink hue against the page's print (colour pages only)."""
    if is_grey(img) or not glyphs:
        return []
    boxes = {name: f.box for name, f in fields.items() if f.box is not None and f.page == page}

    def in_row(g: Glyph, b: tuple[int, int, int, int]) -> bool:
        return b[1] <= (g.top + g.bottom) / 2 <= b[3]

    # Only values are compared, so only their characters are measured (and the print on a value's row, below,
    # when the value's ink departs).
    inks = glyph_inks(img, [g for g in glyphs if any(_in_box(g, b) for b in boxes.values())])
    values = {name: [i for i in inks if _in_box(i.glyph, box)] for name, box in boxes.items()}
    for name, run in values.items():
        # A line whose characters could not be matched with the read: cut the value's box alone.
        if len(run) < MIN_RUN_CHARS:
            values[name] = glyph_inks(img, box_glyphs(grey, boxes[name]))
    out = []
    for name, run in values.items():
        mine = {id(i) for i in run}
        others = list({id(i): i for k, v in values.items() if k != name for i in v if id(i) not in mine}.values())
        d = ink_departure(run, others)
        if d is not None and d.shift >= min(INK_SHIFT.values()):
            box = boxes[name]
            row = [g for g in glyphs if in_row(g, box) and not any(_in_box(g, b) for b in boxes.values())]
            d = ink_departure(run, others, glyph_inks(img, row))
        if d is not None:
            out.append((page, name, d))
    return out


def _reported(ld: LineDeparture) -> bool:
    d = ld.departure
    if ld.field is not None:
        return d.score >= FIELD_SCORE and abs(d.shift) >= FIELD_MIN_PX
    if d.what in ("date", "size", "face"):
        return True  # `date_departures`, `date_sizes` and `amount_faces` return only what passes their thresholds
    if d.what == "baseline":
        return d.score >= BASELINE_SCORE and abs(d.shift) >= BASELINE_MIN_PX
    return d.score >= HEIGHT_SCORE and abs(d.shift) >= HEIGHT_MIN


def _describe(ld: LineDeparture) -> str:
    """What a reported departure shows, in a sentence (before the scatter and the conclusion)."""
    d, line = ld.departure, f"'{ld.line.text}'"
    run = "".join(g.ch for g in d.glyphs)
    if d.what == "date":
        size = f"{abs(d.shift):.0%} of their height"
        if d.other:
            return (f"The digits of two dates ('{run}' and '{''.join(g.ch for g in d.other)}') sit {size} apart "
                    "against their own 年/月/日, though printed in one size")
        way = "lower" if d.shift > 0 else "higher"
        return (f"The digits of the date '{run}' in {line} sit {size} {way} against its own 年/月/日 than the "
                "page's other dates of the same print do")
    if d.what == "size":
        way = "larger" if d.shift > 0 else "smaller"
        if d.other:
            return (f"The dates '{run}' and '{''.join(g.ch for g in d.other)}' are printed {abs(d.shift):.1%} apart in "
                    "size (the spacing of their characters and their spans), though alike in layout and print")
        return (f"The date '{run}' in {line} is printed {abs(d.shift):.1%} {way} than the page's other dates of the "
                "same layout and print (the spacing of its characters and its span)")
    if d.what == "face":
        way = "more" if d.shift > 0 else "less"
        return (f"The amount '{run}' in {line} is spaced by another face than the page's other amounts of its size: "
                f"its separator takes {abs(d.shift):.2f} of a digit's width {way} than theirs")
    way = ("lower" if d.shift > 0 else "higher") if d.what == "baseline" else ("taller" if d.shift > 0 else "shorter")
    size = f"{abs(d.shift):.1f} px" if d.what == "baseline" else f"{abs(d.shift):.0%}"
    if ld.field is not None:
        return f"The {ld.field} ('{run}') sits {size} {way} than the rest of its line {line}"
    if d.other:
        apart = "in height" if d.what == "baseline" else "in size"
        return f"Digits '{run}' and '{''.join(g.ch for g in d.other)}' of the line {line} sit {size} apart {apart}"
    verb = "sit" if d.what == "baseline" else "are"
    return f"Digits '{run}' {verb} {size} {way} than the other digits of the line {line}"


def _finding(ld: LineDeparture, check: str) -> Finding:
    d = ld.departure
    shown = d.glyphs + d.other
    box = (min(g.x0 for g in shown), min(g.top for g in shown),
           max(g.x1 for g in shown) + 1, max(g.bottom for g in shown) + 1)
    why = ("one of them was printed separately" if d.other else "typed in apart from it" if ld.field
           else "printed separately" if d.what == "baseline" else "set in apart from its marks" if d.what == "date"
           else "typed in another face" if d.what == "face" else "another print size")
    scale = f"{d.score:.1f} times the reporting threshold" if d.what in ("date", "size", "face") \
        else f"{d.score:.0f} times the line's own scatter"
    return Finding(id="text.font_inconsistent" if d.what in ("height", "size", "face") else "text.baseline_shift",
                   severity="high",
                   check=check, page=ld.page, box=box,
                   message=f"{_describe(ld)} ({scale}): {why}",
                   measured=round(d.shift, 3),
                   expected="0 px" if d.what == "baseline" else "0 digits" if d.what == "face" else "0%")


def _ink_score(d: InkDeparture, capture: str) -> float:
    """How far a value's hue departs, in units of the page's spread; 0 outside the shifts that are judged."""
    if not INK_SHIFT[capture] <= d.shift <= INK_MAX:
        return 0.0
    return d.shift / max(d.scatter, INK_FLOOR[capture])


def _ink_reported(d: InkDeparture, capture: str = "photo") -> bool:
    return _ink_score(d, capture) >= INK_SCORE


def _capture(ctx: DocContext) -> str:
    """'scan' for a file known not to be a phone photo (a PDF, a scanner in its metadata), else 'photo'."""
    return "scan" if not_a_photo(ctx) else "photo"


def _seal_discs(ctx: DocContext, page: int) -> np.ndarray | None:
    """The seals the seal analysis found on a page without colour (`analyse_seals`, computed once per document for
    both checks), as filled discs a little wider than their outline; None when there are none. A greyscale scan's
    registry seal over a licence's issue date, its ring through '29日', made the '29' read 12% taller and 3 px lower
    than its line (fresh seed 1217, A-1217-000002)."""
    found = [o.shape for o in analyse_seals(ctx) if o.shape.page == page and o.shape.ink in GREY_INKS]
    if not found:
        return None
    mask = np.zeros(ctx.document.pages[page].image.shape[:2], np.uint8)
    for sl in found:
        (cx, cy), (a, b) = sl.center, sl.axes
        cv2.ellipse(mask, (int(round(cx)), int(round(cy))), (int(a * 0.55), int(b * 0.55)), sl.angle, 0, 360, 1, -1)
    return mask > 0


LOSSLESS = ("png", "bmp", "gif")
"""Formats that keep every pixel: a digit cloned on such a file and saved is the same pixels as its source, and a page
with a pair that alike is not judged (`clones.EXACT`). A pair a level or two apart there is two printings on nearly
one phase: a genuine screenshot's two '1's of '£201.12' differed by 1.7 grey levels where the page's other twins
differed by 7 (fresh seed 1205, A-1205-000081; A-1205-000134 the same). No clone of the field-edit corpora saved as PNG
was found by the comparison (seeds 1203 and 1205, one each: a fax, and a screenshot whose clone was exact)."""


def _ink_box(d: InkDeparture) -> tuple[int, int, int, int]:
    g = [i.glyph for i in d.inks]
    return min(x.x0 for x in g), min(x.top for x in g), max(x.x1 for x in g) + 1, max(x.bottom for x in g) + 1


def _ink_findings(rep: TextReport, ctx: DocContext, check: str) -> list[Finding]:
    out, seen = [], set()
    capture = _capture(ctx)
    fields = ctx.fields
    for page, name, d in rep.inks:
        box = _ink_box(d)
        # One printed value read into two fields (an amount and its currency) is one finding.
        if _ink_reported(d, capture) and (page, box) not in seen:
            seen.add((page, box))
            out.append(_ink_finding(page, name, d, str(fields[name].value), check))
    return out


def _ink_finding(page: int, name: str, d: InkDeparture, value: str, check: str) -> Finding:
    box = _ink_box(d)
    chars = "".join(i.glyph.ch for i in d.inks)
    # Characters cut from the value's box alone have no reading of their own.
    chars = value if "?" in chars else chars
    return Finding(
        id="text.ink_colour", severity="high", check=check, page=page, box=box,
        message=f"The {name} ('{chars}') is printed in another ink than the rest of the page: its hue is "
                f"{d.run_hue[0]:+.1%} red and {d.run_hue[1]:+.1%} blue, the page's print {d.page_hue[0]:+.1%} and "
                f"{d.page_hue[1]:+.1%} (one character differs from the next by {d.scatter:.1%}). It was typed in "
                "afterwards, in a colour picked to look like the print",
        measured={"red": round(d.run_hue[0], 4), "blue": round(d.run_hue[1], 4)},
        expected={"red": round(d.page_hue[0], 4), "blue": round(d.page_hue[1], 4)})


def _field_of(g: Glyph, page: int, fields: dict[str, FieldValue]) -> str | None:
    for name, f in fields.items():
        if f.box is not None and f.page == page and _in_box(g, f.box):
            return name
    return None


_EDITED = frozenset({"valid_from", "valid_to", "issued_on", "founded", "date", "total", "subtotal", "amount", "tax"})
"""Fields a forger changes: dates of validity and issue, money."""


def _rank(field: str | None) -> int:
    return 0 if field is None else 2 if field in _EDITED else 1


def _clone_finding(page: int, c: Clone, check: str, fields: dict[str, FieldValue]) -> Finding:
    # Which of the two is the copy the pixels cannot say. A forger changes a value, so a digit inside a date or
    # an amount the document was read for is boxed before one in another field, which is boxed before one in no
    # field; between equals, the later one on the page.
    a, b = c.a, c.b
    ra, rb = _rank(_field_of(a, page, fields)), _rank(_field_of(b, page, fields))
    if ra != rb:
        first, later = (b, a) if ra > rb else (a, b)
    else:
        same_line = a.top <= b.bottom and b.top <= a.bottom
        first, later = (a, b) if (a.x0 < b.x0 if same_line else a.top < b.top) else (b, a)
    where = _field_of(later, page, fields)
    of = f" of the {where}" if where else ""
    return Finding(
        id="text.glyph_cloned", severity="high", check=check, page=page,
        box=(later.x0, later.top, later.x1 + 1, later.bottom + 1),
        message=f"The digit '{later.ch}'{of} at ({later.x0}, {later.top}) is the same pixels as the '{first.ch}' at "
                f"({first.x0}, {first.top}): they differ by {c.distance:.1f} grey levels on average, where two "
                f"printings of a digit on this page differ by {c.scale:.1f}. One was copied from the other on the "
                "captured image",
        measured=round(c.distance, 3), expected=f"about {c.scale:.1f} (this page's printings of one digit)")


def _scale_finding(page: int, s: Scale, check: str) -> Finding:
    g = s.compared
    box = (min(x.x0 for x in g), min(x.top for x in g), max(x.x1 for x in g) + 1, max(x.bottom for x in g) + 1)
    way = "larger" if s.height > 1 else "smaller"
    chars = "".join(x.ch for x in g)
    return Finding(
        id="text.field_size", severity="medium", check=check, page=page, box=box,
        message=f"The licensee's characters '{chars}' print {abs(s.height - 1):.1%} {way} in height and "
                f"{abs(s.width - 1):.1%} in width than the same characters of the licensor's name: the licensee was "
                "typed in apart from the rest of the letter (a genuine letter reused for another seller)",
        measured={"height": s.height, "width": s.width}, expected={"height": 1.0, "width": 1.0})


def _name_size_finding(page: int, size: float, g: tuple[Glyph, ...], check: str) -> Finding:
    box = (min(x.x0 for x in g), min(x.top for x in g), max(x.x1 for x in g) + 1, max(x.bottom for x in g) + 1)
    ratio = float(np.exp(size))
    return Finding(
        id="text.field_size", severity="medium", check=check, page=page, box=box,
        message=f"The licensee's characters '{''.join(x.ch for x in g)}' print {abs(ratio - 1):.1%} "
                f"{'larger' if size > 0 else 'smaller'} than the same characters ending the licensor's name (their "
                "ink fitted onto each other, the photo's slant taken out): the licensee was typed in apart from the "
                "rest of the letter (a genuine letter reused for another seller)",
        measured={"size": round(ratio, 4)}, expected={"size": 1.0})


class TextConsistency(Check):
    """Digits within a line that sit off its baseline or are sized unlike the rest."""

    id = "text"
    # 6: licensee sized against licensor (text.field_size); 7: tilts bounded; 8: photos: 4 others; 9: ink hue;
    # 10: a date's digits against its 年月日; 11: a receipt's total against its amounts' column;
    # 12: a date's size against the page's other dates (also on faxes and phone photos); on photos, the licensee
    # against the licensor by their shared ending; 13: an amount's face against the page's other amounts
    version = "15"  # 14: no clone comparison on a lossless file (LOSSLESS); 15: lines a seal crosses on a page
    # without colour are not measured (_seal_discs)

    def __init__(self) -> None:
        self._last: LastWork[TextReport] = LastWork()

    def report(self, ctx: DocContext) -> TextReport:
        """The measurements of `ctx`'s document (kept for the last document: run and measure share them)."""
        return self._last.get(lambda: analyse(ctx), ctx)

    def run(self, ctx: DocContext) -> list[Finding]:
        rep = self.report(ctx)
        out = [_finding(ld, self.id) for ld in rep.departures if _reported(ld)]
        out += [_clone_finding(page, c, self.id, ctx.fields) for page, c in rep.clones]
        out += _ink_findings(rep, ctx, self.id)
        if rep.column is not None and rep.column.offset <= -COLUMN_SHORT:
            out.append(_column_finding(rep.column, ctx.fields["total"].box, self.id))
        if rep.scale is not None and not_a_photo(ctx) and _scale_gap(rep.scale[1]) >= SIZE_GAP:
            out.append(_scale_finding(*rep.scale, self.id))
        if rep.name_size is not None and abs(rep.name_size[1]) >= PHOTO_NAME_SCALE:
            out.append(_name_size_finding(*rep.name_size, self.id))
        if rep.bilevel_pages:
            page = ctx.document.pages[0]
            out.append(Finding(
                id="text.unchecked", severity="info", check=self.id, page=0, box=(0, 0, page.width, page.height),
                message=f"Not checked: {rep.bilevel_pages} page(s) are one-bit (fax) prints, where every character "
                        "moves by a pixel or two (dates on them are compared by size only)", measured=rep.bilevel_pages,
                expected=None))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        rep = self.report(ctx)
        gap = _scale_gap(rep.scale[1]) if rep.scale is not None and not_a_photo(ctx) else None
        # A hue under the reporting shift is the print's own: the score counts only past it.
        ink = max((_ink_score(d, _capture(ctx)) for _, _, d in rep.inks), default=None)
        # How far a receipt's total falls short of its amounts' column (0 when it reaches it or goes past).
        short = max(0.0, -rep.column.offset) if rep.column is not None else None
        if not rep.measured:
            return {"text.baseline_score": None, "text.height_score": None, "text.clone_closest": None,
                    "text.field_size_gap": gap, "text.ink_score": ink, "text.column_short": short}
        best = {"baseline": 0.0, "height": 0.0}
        for ld in rep.departures:
            d = ld.departure
            if d.what in ("date", "size", "face"):
                # Counted by its finding (finding.text.baseline_shift, finding.text.font_inconsistent); it has no
                # score of its own.
                continue
            # A shift under the pixel floor is rounding whatever its score.
            floor = FIELD_MIN_PX if ld.field else BASELINE_MIN_PX if d.what == "baseline" else HEIGHT_MIN
            big = abs(d.shift) >= floor
            best[d.what] = max(best[d.what], d.score if big else 0.0)
        return {"text.baseline_score": best["baseline"], "text.height_score": best["height"],
                "text.clone_closest": rep.clone_closest, "text.field_size_gap": gap, "text.ink_score": ink,
                "text.column_short": short}

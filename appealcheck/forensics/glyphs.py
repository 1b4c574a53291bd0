"""Glyphs of one printed line: where each character's ink sits and how tall it is.

A line printed in one go puts every digit on one baseline at one height. A field edited afterwards (digits
cloned from elsewhere on the page, a value retyped in a near-identical font, a date pasted in) breaks that:
its characters sit a pixel or two off the line, or are a few percent taller or shorter. (Ink shade was
measured too and dropped: a retype's 10-18 grey levels are within what genuine lines differ by; its hue is
measured in `appealcheck.forensics.ink`.) This module measures the characters; `appealcheck.checks.text`
compares them.

Characters are found without the OCR engine's help: the line's box is binarised, its ink split into columns
by the vertical projection, and the columns matched one to one with the characters OCR read (adjacent
columns merged when a CJK character splits into two). A line whose columns cannot be matched is left
unmeasured rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np

from appealcheck.models import OcrLine

MIN_LINE_PX = 12
"""Lines lower than this (in page pixels) are too small to measure a pixel's shift."""
MIN_CONTRAST = 60
"""Grey levels between paper and ink below which a line is too faint to binarise."""
_NARROW = "iIl1jtfr"
LEVELS = (0.5, 0.7)
"""Where between paper and ink the line is cut, tried in turn (a share of the way from paper to ink)."""
SYMBOLS = "*<>/+=-"
_CJK_MARKS = "：、，。；（）「」一"
"""Full-width marks and the one-stroke 一, whose ink sits anywhere in the em box."""
MIN_RUN = 2
"""Digits in a run compared with the rest of its line, and in the rest."""
FAR = 6.0
"""Digit heights between a run and the rest of its line beyond which their baselines are not compared unless
the rest shows the line's tilt itself."""


@dataclass(frozen=True)
class Glyph:
    """One character's ink on the page (page pixels)."""

    ch: str
    x0: int
    x1: int
    top: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


def is_wide(c: str) -> bool:
    """A full-width (CJK) character."""
    return unicodedata.east_asian_width(c) in ("W", "F")


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges where flags is True."""
    d = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _close(flags: np.ndarray, gap: int) -> np.ndarray:
    """Flags with runs of at most `gap` False values between True ones filled in."""
    out = flags.copy()
    idx = np.flatnonzero(flags)
    for a, b in zip(idx[:-1], idx[1:], strict=True):
        if 1 < b - a <= gap + 1:
            out[a:b] = True
    return out


def _match(cols: list[list[int]], chars: list[str], h: int) -> list[list[int]] | None:
    """Merge adjacent ink columns until there is one per character; None when they cannot be matched."""
    cols = [list(c) for c in cols]
    while len(cols) > len(chars):
        # A character split in two has a narrow gap inside and stays no wider than a full-width character.
        best = None
        for i in range(len(cols) - 1):
            gap = cols[i + 1][0] - cols[i][1]
            width = cols[i + 1][1] - cols[i][0]
            if width <= 1.15 * h and (best is None or gap < best[0]):
                best = (gap, i)
        if best is None:
            return None
        i = best[1]
        cols[i] = [cols[i][0], cols[i + 1][1]]
        del cols[i + 1]
    if len(cols) != len(chars):
        return None
    for (a, b), c in zip(cols, chars, strict=True):
        w = b - a
        if is_wide(c) and w < 0.35 * h and c not in "一、。，：；（）":
            return None
        if c.isdigit() and w > 0.9 * h:
            return None
    return cols


def _expected_width(c: str, h: float) -> float:
    """Rough ink width of a character in a line whose ink is h pixels high."""
    if is_wide(c):
        return 0.3 * h if c in "：、，。；（）" else 0.95 * h
    if c in ".,:;'|!":
        return 0.15 * h
    if c in "1iIlj":
        return 0.3 * h
    if c.isdigit() or c.islower():
        return 0.55 * h
    return 0.65 * h


def _align(cols: list[list[int]], chars: list[str], h: int, profile: np.ndarray) -> list[list[int]] | None:
    """Columns matched to characters by a dynamic programme over widths: a character may span up to three
    columns (split strokes) and a column may hold up to three characters (blurred together), parted where
    least ink joins them. None when no alignment fits."""
    n, m = len(cols), len(chars)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n):
        for j in range(m):
            if cost[i][j] == inf:
                continue
            for a, b in ((1, 1), (2, 1), (3, 1), (1, 2), (1, 3)):
                if i + a > n or j + b > m:
                    continue
                width = cols[i + a - 1][1] - cols[i][0]
                want = sum(_expected_width(c, h) for c in chars[j:j + b]) + 0.1 * h * (b - 1)
                c = cost[i][j] + abs(width - want) / h + 0.25 * (a + b - 2)
                if c < cost[i + a][j + b]:
                    cost[i + a][j + b] = c
                    back[i + a][j + b] = (a, b)
    if cost[n][m] == inf or cost[n][m] > 0.35 * m:
        return None
    steps = []
    i, j = n, m
    while i or j:
        a, b = back[i][j]  # type: ignore[misc]
        steps.append((i - a, a, j - b, b))
        i, j = i - a, j - b
    out: list[list[int]] = []
    for i, a, j, b in reversed(steps):
        x0, x1 = cols[i][0], cols[i + a - 1][1]
        if b == 1:
            out.append([x0, x1])
            continue
        widths = [_expected_width(c, h) for c in chars[j:j + b]]
        scale = (x1 - x0) / sum(widths)
        start = x0
        for w in widths[:-1]:
            guess = int(start + w * scale)
            lo, hi = max(start + 1, guess - int(0.25 * w * scale)), min(x1 - 1, guess + int(0.25 * w * scale) + 1)
            if hi <= lo:
                return None
            cut = lo + int(np.argmin(profile[lo:hi]))
            out.append([start, cut])
            start = cut
        out.append([start, x1])
    return out


def line_glyphs(grey: np.ndarray, line: OcrLine, red: np.ndarray | None = None,
                under_seal: bool = False) -> list[Glyph] | None:
    """The line's characters with their ink boxes, or None when the line cannot be measured.

    `grey` is the page in grey levels; `red` an optional mask of seal-red pixels, which are not ink. A line with
    seal ink over it is not measured, unless `under_seal`: then the red is taken for paper (black print under red
    ink stays dark), which keeps a character's extent but not its every edge pixel.
    """
    x0, y0, x1, y1 = line.box
    h = y1 - y0
    chars = [c for c in line.text if not c.isspace()]
    if h < MIN_LINE_PX or len(chars) < 2 or x1 - x0 < h:
        return None
    if sum(c in SYMBOLS for c in chars) > 0.2 * len(chars):
        return None  # an invoice's cipher block: symbols of every width, nothing a forger retypes
    pad = max(2, h // 8)
    H, W = grey.shape[:2]
    cy0, cy1, cx0, cx1 = max(0, y0 - pad), min(H, y1 + pad), max(0, x0 - 2), min(W, x1 + 2)
    crop = grey[cy0:cy1, cx0:cx1].astype(np.float32)
    if crop.size == 0:
        return None
    paper, dark = np.percentile(crop, 90), np.percentile(crop, 3)
    if paper - dark < MIN_CONTRAST:
        return None
    if red is not None and red[cy0:cy1, cx0:cx1].mean() > 0.01:
        if not under_seal:
            return None  # a seal over the line moves its ink: not measured
        crop[red[cy0:cy1, cx0:cx1]] = paper
        paper, dark = np.percentile(crop, 90), np.percentile(crop, 3)
        if paper - dark < MIN_CONTRAST:
            return None
    # Blur (a phone photo) joins neighbouring characters at the middle grey: a darker cut parts them. Every
    # level is measured alike across the line, so the first that matches the characters is used.
    for level in LEVELS:
        glyphs = _at_level(crop < paper - level * (paper - dark), chars, (y0 + y1) / 2 - cy0, h)
        if glyphs is not None:
            return [Glyph(g.ch, g.x0 + cx0, g.x1 + cx0, g.top + cy0, g.bottom + cy0) for g in glyphs]
    # A ruled line through the box (a form's rule, or one a scan's slant brings in from above) joins every column
    # it crosses: cut again with it taken out, and keep the cut only where the rule stays clear of the characters,
    # whose edges it would otherwise clip.
    for level in LEVELS:
        mask = crop < paper - level * (paper - dark)
        rule = _rule(mask, h)
        if rule is None:
            return None
        glyphs = _at_level(mask & ~rule, chars, (y0 + y1) / 2 - cy0, h)
        if glyphs is not None:
            if any(rule[max(0, g.top - 1):g.bottom + 2, g.x0:g.x1 + 1].any() for g in glyphs):
                return None
            return [Glyph(g.ch, g.x0 + cx0, g.x1 + cx0, g.top + cy0, g.bottom + cy0) for g in glyphs]
    return None


RULE_LENGTH = 2.0
"""Ink running unbroken along a row for this many line heights is a ruled line, not a character (an ideograph is
one line height wide, and characters stand apart)."""


def _rule(mask: np.ndarray, h: int) -> np.ndarray | None:
    """The pixels of the ruled lines in a binarised line crop (grown by a pixel), or None when it has none."""
    m = mask.astype(np.uint8)
    # Thickened first, so that a rule slanted a pixel every dozen or so still runs unbroken along a row.
    thick = cv2.dilate(m, np.ones((7, 1), np.uint8))
    length = max(int(RULE_LENGTH * h), 24)
    long = cv2.morphologyEx(thick, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    if not long.any():
        return None
    # Its ends, where the slant leaves shorter rows, along with it.
    return cv2.dilate(cv2.dilate(long, np.ones((3, h), np.uint8)) & m, np.ones((3, 3), np.uint8)) > 0


def _at_level(mask: np.ndarray, chars: list[str], mid: float, h: int) -> list[Glyph] | None:
    """The characters of a binarised line crop (crop coordinates), or None when they cannot be matched."""
    # Table rules crossing the line are ink OCR never reads: thin columns as tall as the crop are blanked.
    for a, b in _runs(mask.any(axis=0)):
        if b - a <= max(3, h // 10) and mask[:, a:b].any(axis=1).mean() > 0.85:
            mask[:, a:b] = False
    # Rows of ink at the crop's edge belong to the neighbouring lines: keep the band around the line's middle.
    rows = _runs(mask.any(axis=1))
    band = [r for r in rows if r[0] <= mid + h * 0.5 and r[1] >= mid - h * 0.5]
    if not band:
        return None
    top_row, bottom_row = min(r[0] for r in band), max(r[1] for r in band)
    mask[:top_row] = False
    mask[bottom_row:] = False
    profile = mask.sum(axis=0)
    cols = [list(c) for c in _runs(profile > 0)]
    if not cols or cols[0][0] == 0 or cols[-1][1] == mask.shape[1]:
        return None  # the OCR box cut a character in two: its ink runs out of the crop
    # The OCR box is looser than the ink: character widths are judged against the ink's own height.
    ink_h = bottom_row - top_row
    matched = _match(cols, chars, ink_h) if len(cols) >= len(chars) else None
    if matched is None:
        # Characters blurred into one another (a phone photo): align columns and characters by width.
        matched = _align(cols, chars, ink_h, profile)
    if matched is None:
        return None
    out = []
    for (a, b), c in zip(matched, chars, strict=True):
        m = mask[:, a:b].copy()
        # The character is the ink around the line's middle: a neighbouring line's stroke in the same column
        # is cut off at the first gap of more than a pixel (thermal print breaks strokes by one).
        rows = _runs(_close(m.any(axis=1), 2))
        near = min(rows, key=lambda r: 0 if r[0] <= mid < r[1] else min(abs(r[0] - mid), abs(r[1] - mid)))
        m[: near[0]] = False
        m[near[1]:] = False
        ys = np.flatnonzero(m.any(axis=1))
        if len(ys) == 0:
            return None
        out.append(Glyph(c, a, b - 1, int(ys[0]), int(ys[-1])))
    return out if _plausible(out) else None


def _plausible(glyphs: list[Glyph]) -> bool:
    """Whether the one-to-one match looks right: digits of one height, full stops and commas far smaller.

    A column matched to the wrong character (OCR skipped a mark, or read two characters as one) shows as a
    'digit' the size of a dot; a forged digit is at most a third off, never that far.
    """
    digits = [g.height for g in glyphs if g.ch.isdigit()]
    if not digits:
        return True
    med = float(np.median(digits))
    # Digits and capitals stand as tall as each other; a forged run is at most a fifth off, a wrong match
    # (two characters in one column, a dot taken for a digit) much more.
    if any(not 0.7 * med <= g.height <= 1.4 * med for g in glyphs if g.ch.isdigit() or "A" <= g.ch <= "Z"):
        return False
    for g in glyphs:
        w = g.x1 - g.x0 + 1
        if g.ch.isascii() and g.ch.isalnum():
            if w > (1.4 if g.ch in "mwMW" else 0.9) * med or (w < 0.15 * med and g.ch not in _NARROW):
                return False
    if not all(g.height < 0.6 * med for g in glyphs if g.ch in ".,"):
        return False
    # Letters printed in one go share a baseline; when they do not, the columns were matched to the wrong
    # characters or the line's ink ran into the next line's, and digits measured alike would be wrong too.
    letters = [g for g in glyphs if g.ch.isascii() and g.ch.isalpha() and g.ch not in "gjpqyQJ"]
    if len(letters) >= 3:
        x = np.array([g.cx for g in letters])
        y = np.array([g.bottom for g in letters], dtype=float)
        res = y - _theil_sen_within(x, y, (list(range(len(x))),)) * x  # a photographed line is tilted
        if np.any(np.abs(res - np.median(res)) > max(2.0, 0.12 * med)):
            return False
    return True


@dataclass(frozen=True)
class Departure:
    """A run of a line's digits that sits off, or is sized unlike, the line's other digits."""

    what: str
    """'baseline', 'height', 'size' (a date printed larger or smaller than the page's other dates: `date_sizes`),
    'date' (a date's digits against its own 年月日, compared with the page's other dates: `date_departures`), or
    'face' (an amount spaced unlike the page's other amounts: `amount_faces`)."""
    glyphs: tuple[Glyph, ...]
    """The run's characters."""
    shift: float
    """Baseline: pixels (positive: lower than the rest). Height: ratio to the rest's height minus one. Date: share
    of the digits' height (positive: the digits sit lower against their marks than the other dates' do). Face: the
    separator's step less the other amounts', in digits."""
    score: float
    """The shift in units of the line's own scatter (how far beyond chance); for a date or an amount's face, of the
    reporting threshold."""
    other: tuple[Glyph, ...] = ()
    """When the line splits into two like halves and nothing shows which moved, the other half (either may
    have been printed apart)."""


def page_slope(lines: list[OcrLine]) -> float:
    """dy/dx of the page's text: the median over lines at least eight times as wide as they are high.

    One short line's polygon is drawn to a pixel or two, too coarse to tilt its own digits by; a photo taken at
    an angle tilts every line alike.
    """
    vals = []
    for ln in lines:
        p = ln.polygon
        w, h = ln.box[2] - ln.box[0], ln.box[3] - ln.box[1]
        if len(p) >= 4 and w >= 8 * max(h, 1) and p[1][0] != p[0][0]:
            vals.append((p[1][1] - p[0][1]) / (p[1][0] - p[0][0]))
    return float(np.clip(np.median(vals), -0.2, 0.2)) if vals else 0.0


def line_slope(line: OcrLine, page: float) -> float:
    """The tilt to measure a line's baseline by: its own polygon's when clearly tilted (a photographed receipt
    bends line by line), else the page's (a short polygon is drawn to a pixel or two)."""
    p = line.polygon
    if len(p) >= 4 and p[1][0] - p[0][0] > 0 and p[2][0] - p[3][0] > 0:
        own = ((p[1][1] - p[0][1]) / (p[1][0] - p[0][0]) + (p[2][1] - p[3][1]) / (p[2][0] - p[3][0])) / 2
        if abs(own - page) > 0.02:
            return float(np.clip(own, -0.2, 0.2))
    return page


MAX_BEND = 0.035
"""How far (rise over run, about 2 degrees) a line's own tilt may stray from the tilt drawn for it before it is taken
for rounding: two 11-px digit runs of a photographed licence, each a pixel lower at its right end, gave a tilt of
-0.11 against the page's -0.01, which moved the second run 6 px off the first (A-437-000039)."""


def _bend(own: float, drawn: float) -> float:
    """The line's own tilt where it is plausible beside the drawn one, else the drawn one."""
    return own if abs(own - drawn) <= MAX_BEND else drawn


def _theil_sen_within(x: np.ndarray, y: np.ndarray, groups) -> float:
    """Median of the slopes between points of the same group (Theil-Sen: one glyph a pixel off does not tilt the
    fit; a shift between groups does not either)."""
    sl = [(y[j] - y[i]) / (x[j] - x[i]) for g in groups for a, i in enumerate(g) for j in g[a + 1:] if x[j] != x[i]]
    return float(np.median(sl)) if sl else 0.0


def _carried(glyphs: list[Glyph], dep: Departure, slope: float) -> bool:
    """Whether the full-width characters printed among a run's digits moved the same way as the digits."""
    x0, x1 = min(g.x0 for g in dep.glyphs), max(g.x1 for g in dep.glyphs)
    wide = [g for g in glyphs if is_wide(g.ch) and g.ch not in _CJK_MARKS]
    if not wide:
        return False
    tall = max(g.height for g in wide)
    wide = [g for g in wide if g.height >= 0.6 * tall]
    if dep.what == "baseline":
        val = {id(g): g.bottom - slope * g.cx for g in wide}
    else:
        val = {id(g): float(g.height) for g in wide}
    inside = [val[id(g)] for g in wide if x0 <= g.cx <= x1 + tall]
    outside = [val[id(g)] for g in wide if not x0 <= g.cx <= x1 + tall]
    if not inside or len(outside) < 2:
        return False
    moved = float(np.median(inside) - np.median(outside))
    want = dep.shift if dep.what == "baseline" else dep.shift * tall
    return moved * np.sign(want) >= abs(want) / 2


def _tokens(glyphs: list[Glyph]) -> list[list[int]]:
    """Indices of the digits, grouped into tokens (digits printed together, between other characters)."""
    out: list[list[int]] = []
    prev = False
    for i, g in enumerate(glyphs):
        if g.ch.isdigit():
            if prev:
                out[-1].append(i)
            else:
                out.append([i])
        prev = g.ch.isdigit()
    return out


def departures(glyphs: list[Glyph], slope: float = 0.0, floor_px: float = 0.6) -> list[Departure]:
    """For each of baseline and height, the run of digit tokens that departs most from the line's other digits.

    Runs are whole tokens or several adjacent ones (a retyped date is three), or a single digit (one digit
    cloned from a bigger print). Scatter is the median absolute deviation within the run and within the rest,
    pooled, never under `floor_px` (a pixel's rounding); the run needs two digits or the rest three.
    """
    idx = [i for i, g in enumerate(glyphs) if g.ch.isdigit()]
    if len(idx) < 4:
        return []
    pos = {i: k for k, i in enumerate(idx)}
    xs = np.array([glyphs[i].cx for i in idx], dtype=float)
    bottom = np.array([glyphs[i].bottom for i in idx], dtype=float)
    height = np.array([glyphs[i].height for i in idx], dtype=float)
    toks = [[pos[i] for i in t] for t in _tokens(glyphs)]
    runs: list[list[int]] = [sum(toks[a:b], []) for a in range(len(toks)) for b in range(a + 1, len(toks) + 1)]
    # A single digit is never a run: on real receipts one digit in ten is mis-measured (a dot-matrix '9' that
    # descends, a neighbour's stroke joined to it), as often as a forger clones a single digit.
    runs = [r for r in runs if len(r) >= MIN_RUN]
    hmed = float(np.median(height))
    out = []
    for what, unit in (("baseline", 1.0), ("height", hmed)):
        cands: list[Departure] = []
        for run in runs:
            rest = [k for k in range(len(idx)) if k not in run]
            # The rest must hold digits printed together: lone digits scattered along a line (a clause number,
            # a digit inside a code of letters) are too few in one place to set a baseline by.
            if not any(len(set(t) & set(rest)) >= MIN_RUN for t in toks):
                continue
            if what == "height":
                v = height
            else:
                # The line's own tilt, from pairs of digits on the same side (both in the run or both in the
                # rest: a shift between the two sides does not tilt it), where a side spans enough to show one;
                # else the drawn tilt, and only for digits near each other (a photo bends a long line).
                s = slope
                spans = [xs[k].max() - xs[k].min() for k in (run, rest)]
                if max(spans) >= 3 * hmed:
                    s = _bend(_theil_sen_within(xs, bottom, (run, rest)), slope)
                else:
                    gap = max(xs[rest].min() - xs[run].max(), xs[run].min() - xs[rest].max(), 0.0)
                    if gap > FAR * hmed:
                        continue
                v = bottom - s * xs
            g, r = v[run], v[rest]
            shift = float(np.median(g) - np.median(r))
            dev = np.concatenate([g - np.median(g), r - np.median(r)])
            scatter = max(floor_px, 1.4826 * float(np.median(np.abs(dev))))
            # Medians let a run take in a token that did not move; the box shows only the ones that did.
            moved = [k for t in toks if set(t) <= set(run) for k in t
                     if (np.median(v[t]) - np.median(r)) * np.sign(shift) >= abs(shift) / 2] or run
            dep = Departure(what, tuple(glyphs[idx[k]] for k in moved), round(shift / unit, 3),
                            round(abs(shift) / scatter, 2))
            carried = _carried(glyphs, dep, s if what == "baseline" else 0.0)
            if len(run) == len(rest) and not carried:
                # Two halves alike (a line's two dates): either may be the one printed apart.
                dep = replace(dep, other=tuple(glyphs[idx[k]] for k in rest))
            cands.append((dep, len(run) <= len(rest), carried))
        if cands:
            top = max(c[0].score for c in cands)
            # Which side moved: the smaller one, and the one whose other characters (年, 月, 日 of a date) moved
            # with it; a moved run and part of it score alike (part of it tilts the rest), so the whole run.
            near = [c for c in cands if c[0].score >= 0.8 * top]
            out.append(max(near, key=lambda c: (c[1], c[2], len(c[0].glyphs), c[0].score))[0])
    return out


FIELD_MIN_CHARS = 4
"""Full-width characters a field needs (and the rest of its line one fewer) for their baselines to be compared:
a date's 年月日 is too few (one glyph's own depth decides it); a name against 授权方 is not, on a flat page. On a
photograph the rest needs as many as the field: a genuine photographed letter's licensor sat 3.6 px (5.4 times the
scatter) above its bold label 授权方 alone (A-463-000022, scored 0.98); seed 7 had no field judged against three
characters on a photograph."""


def field_departure(glyphs: list[Glyph], box: tuple[int, int, int, int], slope: float = 0.0,
                    floor_px: float = 0.6, min_rest: int = FIELD_MIN_CHARS - 1) -> Departure | None:
    """How far a field's full-width characters sit off the line's other full-width characters (a name retyped
    into a sentence). Their bottoms differ from character to character by a pixel or so, so medians of each side
    are compared, in units of that scatter. None when the field has fewer than FIELD_MIN_CHARS characters or the
    rest of the line fewer than `min_rest`."""
    wide = [g for g in glyphs if is_wide(g.ch) and g.ch not in _CJK_MARKS]
    inside = [g for g in wide if box[0] <= g.cx <= box[2]]
    rest = [g for g in wide if not box[0] <= g.cx <= box[2]]
    if len(inside) < FIELD_MIN_CHARS or len(rest) < min_rest:
        return None
    # The line's own tilt from pairs on the same side (a photo bends a line; a shift between sides does not tilt
    # it), where each side spans a few characters; else the given tilt.
    tall = float(np.median([g.height for g in wide]))
    xs = np.array([g.cx for g in inside + rest])
    ys = np.array([g.bottom for g in inside + rest], dtype=float)
    sides = (list(range(len(inside))), list(range(len(inside), len(xs))))
    if all(xs[k].max() - xs[k].min() >= 2.5 * tall for k in sides):
        slope = _bend(_theil_sen_within(xs, ys, sides), slope)
    b_in = np.array([g.bottom - slope * g.cx for g in inside], dtype=float)
    b_out = np.array([g.bottom - slope * g.cx for g in rest], dtype=float)
    shift = float(np.median(b_in) - np.median(b_out))
    dev = np.concatenate([b_in - np.median(b_in), b_out - np.median(b_out)])
    scatter = max(floor_px, 1.4826 * float(np.median(np.abs(dev))))
    return Departure("baseline", tuple(inside), round(shift, 3), round(abs(shift) / scatter, 2))


SCALE_MIN_CHARS = 4
"""Characters two names must share before their sizes are compared (有限公司 is four)."""


@dataclass(frozen=True)
class Scale:
    """How one field's characters are sized against the same characters printed in another field."""

    height: float
    """Median ratio of each character's ink height to the other field's same character."""
    width: float
    compared: tuple[Glyph, ...]
    """The field's characters that were compared."""


def same_character_scale(field: list[Glyph], other: list[Glyph]) -> Scale | None:
    """The field's characters against the same characters in `other` (a name typed into a genuine letter, against
    the name printed with it). One font at one size gives each character the same ink box, so the ratios sit at 1
    whatever the characters are; a name retyped a point larger or smaller moves both height and width. None when
    fewer than SCALE_MIN_CHARS characters are shared."""
    sizes: dict[str, list[tuple[int, int]]] = {}
    for g in other:
        if is_wide(g.ch) and g.ch not in _CJK_MARKS:
            sizes.setdefault(g.ch, []).append((g.height, g.x1 - g.x0 + 1))
    hs, ws, used = [], [], []
    for g in field:
        ref = sizes.get(g.ch)
        if not ref or not is_wide(g.ch) or g.ch in _CJK_MARKS:
            continue
        hs.append(g.height / float(np.median([h for h, _ in ref])))
        ws.append((g.x1 - g.x0 + 1) / float(np.median([w for _, w in ref])))
        used.append(g)
    if len(used) < SCALE_MIN_CHARS:
        return None
    return Scale(round(float(np.median(hs)), 4), round(float(np.median(ws)), 4), tuple(used))


DATE_MARKS = "年月日"
"""The full-width marks of a date printed the Chinese way (2025年04月11日)."""
_DATE = re.compile(r"\d{2,4}年\d{1,2}月\d{1,2}日")
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class DateMarks:
    """Where a date's 年, 月 and 日 sit against its own digits."""

    glyphs: tuple[Glyph, ...]
    """The date's characters, digits and marks."""
    digit_height: float
    mark_height: float
    bottom: float
    """Pixels the marks' bottoms sit below the line through the digits' bottoms (a font's marks reach a little
    lower than its digits)."""
    top: float
    """Pixels the marks' tops sit below the line through the digits' tops."""
    line: tuple[int, int] = (0, 0)
    """Where the date's line starts (its first character's left and top): dates of one line share it."""
    labelled: bool = False
    """The line prints a word before its first date (授权期限：, 日期：): a date beside its label, not a value alone
    in its cell."""


def date_marks(glyphs: list[Glyph]) -> list[DateMarks]:
    """Each date of a measured line, with its marks measured against its digits.

    A font prints a date's digits and its 年月日 at fixed heights against each other, so every date printed in one
    face and size on a page shows the same offsets, whatever the page's tilt or the line's baseline. Digits moved
    in as a block (cloned from the page's other digits and set on the old date's lowest ink) keep their own shape
    and size but not that offset.
    """
    text = "".join(g.ch for g in glyphs)
    if len(text) != len(glyphs):
        return []
    out = []
    first = _DATE.search(text)
    # A word before the line's first date labels every date of the line (授权期限：A至B).
    labelled = first is not None and any(_IDEOGRAPH.match(g.ch) for g in glyphs[:first.start()])
    for m in _DATE.finditer(text):
        part = glyphs[m.start():m.end()]
        digits = [g for g in part if g.ch.isdigit()]
        marks = [g for g in part if g.ch in DATE_MARKS]
        xs = np.array([g.cx for g in digits])
        if len(digits) < 4 or xs.max() - xs.min() < 1:
            continue
        # The digits' own lines (least squares through their bottoms and tops): a date spans a few characters,
        # over which a photo's bend is a straight tilt.
        fit = np.vstack([xs, np.ones_like(xs)]).T
        lines = [np.linalg.lstsq(fit, np.array([getattr(g, k) for g in digits], float), rcond=None)[0]
                 for k in ("bottom", "top")]
        off = [float(np.median([getattr(g, k) - (a * g.cx + b) for g in marks]))
               for k, (a, b) in zip(("bottom", "top"), lines, strict=True)]
        out.append(DateMarks(tuple(part), float(np.median([g.height for g in digits])),
                             float(np.median([g.height for g in marks])), round(off[0], 2), round(off[1], 2),
                             (glyphs[0].x0, glyphs[0].top), labelled))
    return out


DATE_SIZE = 0.1
"""Dates are compared only with dates whose digits and marks are within this share of their height (one face and
size: a licence prints its founding date and its issue date in different sizes)."""
DATE_SHIFT = 0.09
"""A date whose digits sit this share of their height off their marks, against the page's other dates of the same
size, moved apart from its marks (and at least DATE_MIN_PX): development seed 1151's genuine dates at most 0.06,
dates cloned in before capture 0.13-0.18. At 0.06 (and 0.03 for DATE_EACH) no genuine document of development seeds
1151 and 1153 (442) was flagged either. Fax pages are not measured: two genuine faxed licences of seed 1153 reached
0.08 against 0.11 for a faxed clone."""
DATE_EACH = 0.05
"""...with both the bottoms and the tops moved that way by this share at least (the digits moved as a block; one
mark's ink measured a pixel lower moves only its bottom)."""
DATE_MIN_PX = 1.5


def date_departures(dates: list[DateMarks]) -> list[Departure]:
    """Dates of one page whose digits sit off their 年月日 unlike the page's other dates of the same size.

    With two or more like dates beside it, a date is judged against their median, and only when they agree among
    themselves; with one, nothing shows which of the two moved, and the departure names both.
    """
    out: list[Departure] = []
    for i, d in enumerate(dates):
        peers = [e for j, e in enumerate(dates) if j != i
                 and abs(e.digit_height - d.digit_height) <= DATE_SIZE * d.digit_height
                 and abs(e.mark_height - d.mark_height) <= DATE_SIZE * d.mark_height]
        if not peers:
            continue
        mb = d.bottom - float(np.median([e.bottom for e in peers]))
        mt = d.top - float(np.median([e.top for e in peers]))
        shift = (mb + mt) / 2
        h = d.digit_height
        if mb * mt <= 0 or min(abs(mb), abs(mt)) < DATE_EACH * h:
            continue
        if abs(shift) < max(DATE_SHIFT * h, DATE_MIN_PX):
            continue
        if len(peers) >= 2:
            spread = max(e.bottom + e.top for e in peers) / 2 - min(e.bottom + e.top for e in peers) / 2
            if spread >= abs(shift) / 2:
                continue
            other: tuple[Glyph, ...] = ()
        else:
            if dates.index(peers[0]) < i:
                continue  # a pair departs alike both ways: named once, from its first date
            other = peers[0].glyphs
        digits = tuple(g for g in d.glyphs if g.ch.isdigit())
        # Positive: the digits sit lower against their marks than the page's other dates' do.
        out.append(Departure("date", digits, round(-shift / h, 3), round(abs(shift) / (DATE_SHIFT * h), 2),
                             tuple(g for g in other if g.ch.isdigit())))
    return out


DATE_SCALE = 0.022
"""A date printed this share larger or smaller than the page's other dates of the same layout and print (its
characters' spacing and its span both) was set in apart from them: a retyped value a size off. A font's digits are
all one width, so a date's characters sit at fixed steps whatever its digits. Development seeds 1151 and 1153 (not
phone photos, faxes included): genuine dates at most 0.017; dates retyped 4-6% off in size 0.025-0.059. Phone photos
are not judged: at 10-14 px their characters are cut a pixel apart and genuine dates measured up to 0.074."""
DATE_SCALE_MAX = 0.1
"""...and less than this: dates further apart are printed in sizes of their own (a licence's founding date and its
issue date), and are not compared."""
DATE_SCALE_MIN_PX = 2.0
"""...and the date's span must differ by this many pixels at least (a pixel at each end is rounding)."""
_SAME_WIDTH = (2, 0.1)
"""Two dates' characters at one place are compared only when their widths agree within 2 px and 10%: a character
cut together with a seal's stroke or split in two is left out."""
_MIN_PAIRED = 6
"""Characters of a date that must pair with its peer's for the two to be compared."""


def _layout(d: DateMarks) -> str:
    return "".join("0" if g.ch.isdigit() else g.ch for g in d.glyphs)


def date_scale(a: DateMarks, b: DateMarks) -> float | None:
    """How much larger date ``a`` is printed than date ``b`` of the same layout: the logarithm of the size ratio
    (0: the same size; 0.02 is about 2% larger). None when the two cannot be compared.

    Two measures must agree: the median ratio of the two dates' steps between characters three or more apart
    (characters whose cut disagrees with the other date's are left out), and the ratio of their spans from the first
    digit's left edge to 日's right edge. The smaller is returned; 0 when they disagree on the direction.
    """
    if _layout(a) != _layout(b):
        return None
    ga, gb = a.glyphs, b.glyphs
    wa = np.array([g.x1 - g.x0 for g in ga], float)
    wb = np.array([g.x1 - g.x0 for g in gb], float)
    ok = np.abs(wa - wb) <= _SAME_WIDTH[0] + _SAME_WIDTH[1] * np.maximum(wa, wb)
    if int(ok.sum()) < _MIN_PAIRED:
        return None
    xa, xb = np.array([g.cx for g in ga]), np.array([g.cx for g in gb])
    idx = np.flatnonzero(ok)
    # Logarithms of the ratios, so that a measured against b is exactly b against a with the sign turned.
    steps = [np.log((xa[j] - xa[i]) / (xb[j] - xb[i])) for k, i in enumerate(idx) for j in idx[k + 1:]
             if j - i >= 3 and xb[j] - xb[i] > 0 and xa[j] - xa[i] > 0]
    span_a, span_b = ga[-1].x1 - ga[0].x0, gb[-1].x1 - gb[0].x0
    if not steps or span_a <= 0 or span_b <= 0:
        return None
    step = float(np.median(steps))
    span = float(np.log(span_a / span_b))
    if step * span <= 0:
        return 0.0
    return step if abs(step) < abs(span) else span


def _comparable(a: DateMarks, b: DateMarks) -> bool:
    """Two dates whose sizes say something about each other: on one line (a letter's period), or each alone in its
    cell (a licence's values). A template may print its signature block a size smaller than its body, label and
    date alike (日期：2024年1月1日 under 授权期限：...): dates beside labels on different lines are not compared."""
    return a.line == b.line or not (a.labelled or b.labelled)


def date_sizes(dates: list[DateMarks], measure: Callable[[DateMarks, DateMarks], float | None] = date_scale,
               threshold: float = DATE_SCALE) -> list[Departure]:
    """Dates of one page printed a size apart from the page's other dates of the same layout and print.

    Peers are dates that can be compared with it (`_comparable`: on its line, or alone in their cells like it), of
    the same layout, whose digits are within DATE_SIZE of its height and whose size is within DATE_SCALE_MAX of its
    own. With two or more, a date is judged against their median, and only when they agree among themselves; with
    one, nothing shows which of the two was set in apart, and the departure names both. ``measure`` gives the
    logarithm of one date's size against another's (`date_scale`, or `PhotoSizes.measure` on a phone photo), and
    ``threshold`` the least that is reported.
    """
    out: list[Departure] = []
    for i, d in enumerate(dates):
        # Marks are left out of the likeness: one cut together with a stroke beside it is taller than it is.
        peers = [e for j, e in enumerate(dates) if j != i and _comparable(d, e)
                 and abs(e.digit_height - d.digit_height) <= DATE_SIZE * max(d.digit_height, e.digit_height)]
        pairs = [(e, s) for e in peers if (s := measure(d, e)) is not None and abs(s) < DATE_SCALE_MAX]
        if not pairs:
            continue
        shift = float(np.median([s for _, s in pairs]))
        span = d.glyphs[-1].x1 - d.glyphs[0].x0
        if abs(shift) < threshold or abs(shift) * span < DATE_SCALE_MIN_PX:
            continue
        if len(pairs) >= 2:
            among = [s for k, (e, _) in enumerate(pairs) for f, _ in pairs[k + 1:]
                     if _comparable(e, f) and (s := measure(e, f)) is not None]
            if not among or max(abs(s) for s in among) >= abs(shift) / 2:
                continue
            other: tuple[Glyph, ...] = ()
        else:
            if dates.index(pairs[0][0]) < i:
                continue  # a pair departs alike both ways: named once, from its first date
            other = pairs[0][0].glyphs
        out.append(Departure("size", d.glyphs, round(float(np.expm1(shift)), 4), round(abs(shift) / threshold, 2),
                             other))
    return out


AMOUNT_SEPARATORS = ".,"
"""The marks inside a printed amount: its decimal point and its thousands' separators."""
AMOUNT_MIN_DIGITS = 4
AMOUNT_WIDTH = (0.4, 1.0)
"""Each digit's ink (but a 1's) must be this share of the pitch wide: four digits fit three unknowns (start, pitch,
separator) with one to spare, so one character cut in two or joined with the next moves the separator's step by a
quarter of a digit (a real German receipt's 12,07, whose 0 was cut 5 px wide at a pitch of 20.5, measured 0.63)."""
AMOUNT_RMS = 0.06
"""An amount whose digits sit further than this share of their pitch (root mean square) off evenly spaced steps is not
measured: a space inside it, or a character cut wrong."""


@dataclass(frozen=True)
class Amount:
    """A printed amount (digits, separators, two decimals) and how its face spaces it."""

    glyphs: tuple[Glyph, ...]
    pitch: float
    """Pixels from one digit to the next: every common face prints its digits at one width."""
    separator: float
    """How far a separator moves the digits after it, as a share of the pitch: a face's own constant. A typewriter
    or monospaced face gives its point a digit's width (1.0), a proportional one about half (0.45-0.6)."""
    height: float


def amounts(glyphs: list[Glyph]) -> list[Amount]:
    """The amounts of a measured line: digits with single separators between them, ending in a separator and two
    decimals (1,798.00, 665,20), with at least AMOUNT_MIN_DIGITS digits, measured where their digits step evenly."""
    out: list[Amount] = []
    k, n = 0, len(glyphs)
    while k < n:
        if not glyphs[k].ch.isdigit():
            k += 1
            continue
        j = k
        while j + 1 < n and (glyphs[j + 1].ch.isdigit() or (glyphs[j + 1].ch in AMOUNT_SEPARATORS
                                                             and glyphs[j].ch.isdigit() and j + 2 < n
                                                             and glyphs[j + 2].ch.isdigit())):
            j += 1
        start, k = k, j + 1
        run = glyphs[start:k]
        text = "".join(g.ch for g in run)
        if len(text) < 4 or text[-3] not in AMOUNT_SEPARATORS or not text[-2:].isdigit():
            continue
        # A separator just before or after: a day and month (30.03.), not an amount.
        if any(0 <= i < n and glyphs[i].ch in AMOUNT_SEPARATORS for i in (start - 1, k)):
            continue
        digits = [(i, g) for i, g in enumerate(run) if g.ch.isdigit()]
        if len(digits) < AMOUNT_MIN_DIGITS:
            continue
        step = np.array([sum(h.ch.isdigit() for h in run[:i]) for i, _ in digits], float)
        seps = np.array([sum(not h.ch.isdigit() for h in run[:i]) for i, _ in digits], float)
        cx = np.array([g.cx for _, g in digits])
        fit = np.vstack([np.ones_like(step), step, seps]).T
        coef = np.linalg.lstsq(fit, cx, rcond=None)[0]
        pitch = float(coef[1])
        if pitch <= 0 or any(not (AMOUNT_WIDTH[0] * pitch <= g.x1 - g.x0 + 1 <= AMOUNT_WIDTH[1] * pitch)
                             for _, g in digits if g.ch != "1"):
            continue
        rms = float(np.sqrt(np.mean((cx - fit @ coef) ** 2)))
        if rms > AMOUNT_RMS * pitch:
            continue
        out.append(Amount(tuple(run), pitch, float(coef[2]) / pitch,
                          float(np.median([g.height for _, g in digits]))))
    return out


AMOUNT_FACE = 0.35
"""An amount whose separator moves its digits by this share of a digit more or less than the page's other amounts'
do was typed in another face: a proportional point (half a digit) among monospaced amounts (a whole digit), or the
other way. Development seed 1203 (invoices and receipts): genuine amounts depart from their page's others by at most
0.23 (a phone photo), amounts retyped in another face by 0.47-0.58; the 97 amounts measured on the 26 real German
receipts step their separators 0.80-1.16 of a digit, 0.26 at most from their receipt's others."""
AMOUNT_PEERS = 2
"""Other amounts of the page, of about its size, that must agree among themselves (within AMOUNT_AGREE)."""
AMOUNT_AGREE = 0.2
AMOUNT_SIZE = 0.2
"""Amounts are compared only with amounts whose digits are within this share of their height: a receipt prints its
total in a larger face of its own."""


def amount_faces(found: list[Amount]) -> list[Departure]:
    """Amounts of one page spaced by another face than the page's other amounts of about their size."""
    out: list[Departure] = []
    for a in found:
        peers = [b.separator for b in found if b is not a
                 and abs(b.height - a.height) <= AMOUNT_SIZE * max(a.height, b.height)]
        if len(peers) < AMOUNT_PEERS or max(peers) - min(peers) > AMOUNT_AGREE:
            continue
        shift = a.separator - float(np.median(peers))
        if abs(shift) < AMOUNT_FACE:
            continue
        out.append(Departure("face", tuple(g for g in a.glyphs), round(shift, 3), round(abs(shift) / AMOUNT_FACE, 2)))
    return out


PHOTO_DATE_SCALE = 0.03
"""On a phone photo, the size (logarithm of the ratio) at which a date is reported against its peers, measured by
`PhotoSizes`. Development seeds 1151 and 1153, photographed letters and licences: genuine pairs at most 0.021 (0.009
on seed 1153) once the photo's perspective is taken out; dates retyped 4-6% off 0.037-0.046."""
PHOTO_MIN_MATCH = 0.8
"""The least correlation of two dates' ink profiles, once fitted, for their sizes to be compared (genuine pairs
under it are dates whose characters blur into each other: 0.55-0.73)."""
PHOTO_MIN_RUNS = 3
"""Lines of ideographs needed to measure how a photo's perspective stretches its print from left to right; with
fewer, only dates stacked one above the other are compared."""
PHOTO_ROWS = 4
"""Digit heights apart, up or down, within which two dates of a photo are compared (a licence's founding date and its
term, a row apart; its registration date at the foot of the page, 3.5% smaller than them on a genuine photo of
development seed 1151, is not)."""
PHOTO_SHARED = 3
"""Characters two names must share at their end (有限公司) to be sized against each other on a photo."""
PHOTO_NAME_ROWS = 6
"""Character heights apart, up or down, within which two names of a photo are compared (a letter's licensor and
licensee, two or three lines apart)."""
PHOTO_NAME_SCALE = 0.02
"""A licensee's name printed this much (logarithm of the ratio) larger or smaller than the licensor's on a phone
photo, measured by `PhotoSizes.names`, was typed in apart. Development seeds' photographed letters: genuine at most
0.006 (seed 1151) and 0.0075 (seed 1153, 37 letters) once the slant is out; reused letters with the licensee retyped
0.035-0.040."""
_RUN = 8
"""Ideographs side by side in a run that measures the perspective."""
_SCALES = np.exp(np.arange(-0.1, 0.1001, 0.0025))
_SHIFTS = np.arange(-3.0, 3.01, 0.25)


def _ink_profile(grey: np.ndarray, g: tuple[Glyph, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Characters' ink summed down each column, and each column's place from the first character's left edge."""
    x0, x1 = max(0, g[0].x0 - 3), g[-1].x1 + 4
    y0, y1 = max(0, min(c.top for c in g) - 1), max(c.bottom for c in g) + 2
    crop = grey[y0:y1, x0:x1].astype(np.float32)
    if crop.size == 0:
        return np.zeros(0), np.zeros(0)
    ink = np.clip(np.percentile(crop, 95) - crop, 0, None).sum(axis=0)
    return ink, np.arange(ink.size) + x0 - g[0].x0


def profile_scale(grey: np.ndarray, a: tuple[Glyph, ...], b: tuple[Glyph, ...]) -> tuple[float, float] | None:
    """(logarithm of the scale that best fits run ``b``'s ink profile onto run ``a``'s, the fit's correlation).

    Two runs of the same characters (two dates of one layout: 20, 年, 月, 日 at fixed steps; two names' 有限公司)
    share their ink, so the profile of one, stretched by the right scale, lies on the other's. This reads a photo's
    small print to a fraction of a pixel where its characters' cut boxes are off by one.
    """
    pa, ra = _ink_profile(grey, a)
    pb, rb = _ink_profile(grey, b)
    if pa.size < 8 or pb.size < 8 or pa.std() == 0:
        return None
    za = (pa - pa.mean()) / pa.std()
    best = (-2.0, 0.0)
    for sc in _SCALES:
        q = np.interp((ra[None, :] - _SHIFTS[:, None]) / sc, rb, pb, left=0.0, right=0.0)
        q = q - q.mean(axis=1, keepdims=True)
        norm = np.sqrt((q * q).sum(axis=1))
        corr = (q @ za) / np.where(norm > 0, norm, np.inf) / np.sqrt(za.size)
        k = int(np.argmax(corr))
        if corr[k] > best[0]:
            best = (float(corr[k]), float(np.log(sc)))
    return best[1], best[0]


def perspective_gradient(lines: list[list[Glyph]]) -> tuple[float, int]:
    """(how fast a photo's print grows from left to right, as the logarithm of its scale per pixel; runs measured).

    A font sets ideographs one em apart; on a photo taken at a slant their steps grow or shrink along the line. Each
    run of _RUN ideographs or more is fitted with a parabola through its characters' centres, whose bend over its
    step is the gradient; the median over the page's runs is returned (0 with none).
    """
    found: list[float] = []
    for glyphs in lines:
        run: list[Glyph] = []
        for g in [*glyphs, None]:
            if g is not None and _IDEOGRAPH.match(g.ch):
                run.append(g)
                continue
            if len(run) >= _RUN:
                q, step, _ = np.polyfit(np.arange(len(run)), [c.cx for c in run], 2)
                if step > 0:
                    found.append(2 * q / step / step)
            run = []
    return (float(np.median(found)) if found else 0.0), len(found)


@dataclass(frozen=True)
class PhotoSizes:
    """Dates' sizes on a phone photo: their ink profiles fitted onto each other, less the photo's perspective."""

    grey: np.ndarray
    gradient: float
    runs: int

    def _fitted(self, a: tuple[Glyph, ...], b: tuple[Glyph, ...], rows: float) -> float | None:
        """The logarithm of run ``a``'s size against run ``b``'s of the same characters, less the slant between
        them; None when they sit more than ``rows`` pixels apart up or down (a slanted photo also stretches its print
        from top to bottom, which its lines do not show), when they stand side by side on a page whose slant could
        not be measured, or when their ink does not fit."""
        if abs(a[0].bottom - b[0].bottom) > rows:
            return None
        dx = (a[0].x0 + a[-1].x1 - b[0].x0 - b[-1].x1) / 2
        stacked = abs(dx) <= 0.5 * (a[-1].x1 - a[0].x0)
        if not stacked and self.runs < PHOTO_MIN_RUNS:
            return None
        fit = profile_scale(self.grey, a, b)
        if fit is None or fit[1] < PHOTO_MIN_MATCH:
            return None
        return fit[0] - (0.0 if stacked else self.gradient * dx)

    def measure(self, a: DateMarks, b: DateMarks) -> float | None:
        """The logarithm of date ``a``'s size against ``b``'s, or None when the two cannot be compared here (only
        dates on one line or in neighbouring rows are)."""
        # The characters' cut must pair up (a date under a seal's stroke does not) and show the same direction.
        cut = date_scale(a, b)
        if cut is None:
            return None
        size = self._fitted(a.glyphs, b.glyphs, PHOTO_ROWS * max(a.digit_height, b.digit_height))
        if size is None:
            return None
        return size if size * cut > 0 else 0.0

    def names(self, field: list[Glyph], other: list[Glyph]) -> tuple[float, tuple[Glyph, ...]] | None:
        """(logarithm of a name's size against another's, the name's characters compared), from the two names'
        shared ending (有限公司 and the like, PHOTO_SHARED characters or more); None when they share too little, or
        their ink does not fit."""
        n = 0
        while n < min(len(field), len(other)) and field[-1 - n].ch == other[-1 - n].ch and is_wide(field[-1 - n].ch):
            n += 1
        if n < PHOTO_SHARED:
            return None
        a, b = tuple(field[-n:]), tuple(other[-n:])
        size = self._fitted(a, b, PHOTO_NAME_ROWS * max(a[0].height, b[0].height))
        return None if size is None else (size, a)

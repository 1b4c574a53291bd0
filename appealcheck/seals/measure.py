"""Physical measurements of a seal and the signs of a pasted one.

A rubber stamp leaves ink whose strength varies with pressure and paper, with soft edges, and
black text under it stays dark (ink and toner multiply). A seal cut from another file and pasted
is one flat colour with hard edges, and covers the text under it.

A photograph blurs every stroke, so the spread of ink strength over all pixels stops telling flat ink from
stamped ink there (thin strokes never reach full strength either way). The pressure of a stamp varies over
the whole impression instead: one side of the ring is pressed harder, the pad is unevenly inked. Around the
border ring, whose stroke has one width all round, the strongest ink of each sector differs from sector to
sector on a stamped seal and is the same all round on a pasted one, through any blur (`ring_variation`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from appealcheck.models import Page
from appealcheck.seals.find import GREY_INKS, SealShape, channel_max, channel_min, colourless, ink_mask
from appealcheck.seals.read import NORM, normalise, polar


@dataclass(frozen=True)
class InkStats:
    """How the ink of one seal is laid down."""

    ink_spread: float
    """Inter-quartile range of ink strength over the ink, relative to its median: low means flat colour."""
    edge_sharpness: float
    """Mean gradient at the ink's edge relative to its strength, per pixel: high means a hard cut-out."""
    text_under_hidden: float | None
    """Share of dark (toner) pixels near the seal that vanish where seal ink lies; None without text around."""
    ring_variation: float | None = None
    """How much the ink's strength varies around the border ring: the spread (90th less 10th percentile) of
    each sector's strong ink (its 75th percentile), over their median; None when too little of the ring shows.
    Stamped seals of seed 619 measured 0.25 and up on every capture, flat pasted ones 0.00-0.09."""


BILEVEL_DARK, BILEVEL_LIGHT, BILEVEL_SHARE = 40, 215, 0.97
"""A seal's box is binarised (a fax) when this share of its pixels is darker than the first level or lighter than
the second: seed 7's faxes 1.0; a greyscale scan's seal box holds mid greys in its ink and shadows."""


def binarised(image: np.ndarray, box) -> bool:
    """Whether the pixels round a seal are black and white only (a fax, a 1-bit scan), JPEG ringing allowed."""
    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1]
    if crop.size == 0 or not colourless(crop):
        # Coloured ink round the seal is no fax: a dark blue seal is as dark as black by its brightness alone.
        return False
    # Luminance, not the darkest channel: red ink is dark in green but mid-grey in brightness.
    g = crop.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32) if crop.ndim == 3 else crop
    return float(np.mean((g < BILEVEL_DARK) | (g > BILEVEL_LIGHT))) >= BILEVEL_SHARE


RING_SECTORS = 24
"""Sectors the border ring is cut into for `ring_variation`: about one character's width each."""
RING_BAND = (0.88, 1.06)
"""The border ring's band, in radii of the fitted outline (the fit lies on the ring's outer half)."""
RING_MIN_SECTORS = 12
"""Sectors with ink needed for `ring_variation`: half the ring (a seal cut by the page edge keeps half)."""


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
    paper_px = f[~m & (channel_min(f) > 150)]
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
    dark = channel_max(f) < 90
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
    # A binarised page (a fax) has two levels of ink, so every seal on it is flat: nothing to measure.
    ring = None if binarised(image, seal.box) else ring_variation(crop, m, seal)
    return InkStats(round(spread, 3), round(sharp, 3), hidden, ring)


def ring_variation(crop: np.ndarray, m: np.ndarray, seal: SealShape) -> float | None:
    """See `InkStats.ring_variation`; `crop` is the seal's box, `m` its ink mask (bool)."""
    if crop.ndim != 3:
        return None
    ch = 1 if seal.ink == "red" else 0
    g = np.ascontiguousarray(crop[:, :, ch])
    # Strength against the paper right beside the stroke, so a photo's uneven light is no pressure. The window
    # reaches past the ring's stroke (about a twentieth of the radius) to the paper on either side.
    k = max(15, int(0.2 * seal.radius) | 1)
    paper = np.maximum(cv2.dilate(g, np.ones((k, k), np.uint8)).astype(np.float32), 1.0)
    strength = np.clip(1 - g.astype(np.float32) / paper, 0, 1)
    h, w = m.shape
    x0, y0 = seal.box[0], seal.box[1]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = xx - (seal.center[0] - x0), yy - (seal.center[1] - y0)
    t = math.radians(seal.angle)
    a, b = max(seal.axes[0] / 2, 1.0), max(seal.axes[1] / 2, 1.0)
    u = (dx * math.cos(t) + dy * math.sin(t)) / a
    v = (-dx * math.sin(t) + dy * math.cos(t)) / b
    rho = np.sqrt(u * u + v * v)
    band = m & (rho > RING_BAND[0]) & (rho < RING_BAND[1])
    sector = ((np.arctan2(v, u) + math.pi) / (2 * math.pi) * RING_SECTORS).astype(np.int32) % RING_SECTORS
    # A sector needs about a character's width of stroke: at a 50 px radius the ring's stroke is 2-3 px wide.
    need = max(12, int(seal.radius * 0.25))
    values = [float(np.percentile(strength[sel], 75)) for i in range(RING_SECTORS)
              if (sel := band & (sector == i)).sum() >= need]
    if len(values) < RING_MIN_SECTORS:
        return None
    vals = np.array(values)
    med = float(np.median(vals))
    if med <= 0.05:
        return None
    return round(float((np.percentile(vals, 90) - np.percentile(vals, 10)) / med), 3)


@dataclass(frozen=True)
class Geometry:
    """How a seal is engraved, in shares of its radius (the size of the photo or scan drops out)."""

    star: float
    """Outer radius of the five-pointed star in the middle (from the star's own centre); 0.0 when there is none."""
    ring_width: float | None
    """Width of the border ring at half its ink's strength (`_ring_width`); None when the ring is too faint."""


STAR_CORE = 0.08
"""The star is the ink that reaches within this share of the radius from the centre."""
STAR_EVEN = 0.3
"""A star reaches out in every direction: at least this share of its outer radius in each of 24 sectors (its
inner corners lie at 0.38). An invoice seal's middle line of digits reaches far only along the line."""
STAR_JOIN = 0.32
"""Within this share of the radius, black print counts as ink when joining the star's pieces: a signature line or
an underline stamped over cuts a star in two, and neither half is a star (a review's test: 7 of 8 genuine stamps
over a 2-3 px line 'had no star'). Characters of the ring (from 0.6) and a contract seal's label (from 0.37) lie
beyond it."""
PRINT_DARK_MAX = 120
"""Brightest channel below which a pixel is black print (red ink keeps its red channel bright)."""
MIN_GEOMETRY_RADIUS = 70.0
"""Page pixels of radius below which star and ring are not measured: at 72 dpi a 42 mm seal's 1.2 mm ring is 3 px,
and blur then sets its width (a review's genuine page at 72 dpi, blurred, measured 1.79 times its ring). The
corpus's photographed seals have radii of 75-100 px."""


def geometry(image: np.ndarray, seal: SealShape) -> Geometry | None:
    """The star and the ring width of one seal; None on a colourless page, where print under the seal is as dark as
    its ink and would count as star or ring, and on a seal too small for either to be measured."""
    if seal.ink in GREY_INKS or seal.radius < MIN_GEOMETRY_RADIUS:
        return None
    norm = normalise(image, seal)
    m = ink_mask(norm, seal.ink)
    yy, xx = np.mgrid[: m.shape[0], : m.shape[1]]
    r = np.hypot(xx - NORM, yy - NORM)
    dark = ((channel_max(norm) < PRINT_DARK_MAX) & (r < STAR_JOIN * NORM)).astype(np.uint8)
    # Print crossing the star cuts its red in two: join across the print, and a pixel or two of anti-aliasing.
    joined = cv2.dilate(m | dark, np.ones((3, 3), np.uint8))
    _, labels = cv2.connectedComponents(joined, connectivity=8)
    star = 0.0
    for i in set(np.unique(labels[r < STAR_CORE * NORM]).tolist()) - {0}:
        ys, xs = np.nonzero((labels == i) & (m > 0))
        if len(xs) == 0:
            continue
        # Measured from its own middle: a contract seal's star sits above the centre, over its label.
        dx, dy = xs - xs.mean(), ys - ys.mean()
        rr = np.hypot(dx, dy) / NORM
        reach = float(rr.max())
        # Ink joined to the ring, its text or a label is no star.
        if reach > 0.5:
            continue
        sector = ((np.arctan2(dy, dx) + math.pi) / (2 * math.pi) * 24).astype(int) % 24
        far = np.zeros(24)
        np.maximum.at(far, sector, rr)
        if far.min() >= STAR_EVEN * reach:
            star = max(star, reach)
    width = _ring_width(image, seal)
    return Geometry(round(star, 3), round(width, 4) if width is not None else None)


_COLOUR = {"red": (0, 1), "blue": (2, 0), "purple": (0, 1)}
"""(channel the ink leaves bright, channel it darkens): their difference is the ink's strength, and black print
crossing the ring, dark in both, adds none."""


RING_WINDOW = (0.75, 1.2)
"""Radii (shares of the fitted radius) searched for the border ring: past the outline too, where a ring cut thicker
than the outline's fit reaches."""


def _ring_width(image: np.ndarray, seal: SealShape) -> float | None:
    """Width at half height of the border ring's ink strength, averaged round the ring (median over angles), as a
    share of the radius. Strength rather than a mask: a phone's blur spreads a ring's ink without making it
    stronger, and a mask of faint ink widened genuine rings on photos by up to 2.8 times (seed 641); the width at
    half height, by up to 1.56."""
    lo_r, hi_r = RING_WINDOW
    # Unwrapped with room outside the outline: the outline maps to radius NORM / hi_r.
    wide = replace(seal, axes=(seal.axes[0] * hi_r, seal.axes[1] * hi_r))
    hi, lo = _COLOUR.get(seal.ink, (0, 1))
    f = normalise(image, wide).astype(np.float32)
    strength = np.clip((f[:, :, hi] - f[:, :, lo]) / 255.0, 0, 1)
    prof = np.median(polar(strength), axis=0)
    outer = prof[int(lo_r / hi_r * len(prof)):]
    k = int(outer.argmax())
    peak = float(outer[k])
    if peak < 0.05:
        return None
    half = peak / 2

    def crossing(i: int, step: int) -> float:
        # Walk from the peak to where the profile falls under half height, interpolating between the two bins.
        while 0 <= i + step < len(outer) and outer[i + step] > half:
            i += step
        j = i + step
        if not 0 <= j < len(outer):
            return float(i)
        return i + step * float((outer[i] - half) / max(outer[i] - outer[j], 1e-6))

    return (crossing(k, 1) - crossing(k, -1)) / (NORM / hi_r)

"""Find seal impressions on a page: coloured ink segmented, blobs closed into discs, an ellipse fitted.

Seal ink is red (sometimes blue or purple) and saturated. Red also prints logos, table rules,
header bands and photo content, so colour alone never makes a seal: a candidate must close into
a disc whose outline is covered by ink (the border ring) while its inside is mostly paper.
Detection runs on a copy whose long side is `WORK_SIDE` pixels, so its cost does not grow with
the scan resolution; the geometry is mapped back to page pixels. On a colourless page (a greyscale scan, a fax)
a faint seal's ring can break into dots that never close into a disc: circles of a seal's size are also proposed
there by a Hough transform and kept when the ink round them is a thin ring (`_broken_rings`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.models import Box

WORK_SIDE = 1000
"""Long side of the detection copy in pixels."""
MIN_PAGE_SIDE = 160
"""Pages whose short side is smaller than this (thumbnails) are not searched: a seal there is unreadable."""
MIN_CROP_SIDE = 100
"""The same for a picture of one seal (`max_frac` 1): the seal fills it, and a voucher stamp cut out of an app's
screenshot is often 110-150 px high (21 of the 163 real stamps in shared/realdata) and still reads."""
MIN_SEAL_FRAC = 0.055
"""Smallest seal diameter accepted, as a fraction of the page's long side (a 20 mm seal on A4 is 0.067)."""
MAX_SEAL_FRAC = 0.5
"""Largest seal diameter accepted, as a fraction of the page's short side."""
MAX_AXIS_RATIO = 2.2
"""Longest oval accepted, width over height: a bank's e-receipt stamp (招商银行 电子回单专用章) is twice as wide as
high (16 of the real stamps in shared/realdata fit at 1.95-2.0); invoice seals are 1.33."""

INKS = ("red", "blue", "purple")
GREY_INKS = ("grey", "pale")
"""A page without colour (greyscale scan, fax): seal ink is dark like the print, or paler than it."""
PRINT_DARK = 130
"""Darker than the paper by more than this: black print (or a seal's darkest ink) on a colourless page."""
INK_DARK = 60
"""Darker than the paper by more than this: ink of any kind on a colourless page."""
PALE_DARK = 30
"""Darker than the paper by more than this and at most `PRINT_DARK`: a pale impression's ink."""
COLOURLESS = 0.001
"""A page is colourless when fewer than this share of its pixels are saturated at all."""


def channel_max(image: np.ndarray) -> np.ndarray:
    """The brightest channel of each pixel (`image.max(axis=-1)`), channel by channel: several times faster than a
    reduction along a short last axis."""
    return np.maximum.reduce([image[..., i] for i in range(image.shape[-1])])


def channel_min(image: np.ndarray) -> np.ndarray:
    """The darkest channel of each pixel (`image.min(axis=-1)`), as `channel_max`."""
    return np.minimum.reduce([image[..., i] for i in range(image.shape[-1])])


def colourless(image: np.ndarray) -> bool:
    """Whether a page image carries no colour (a greyscale scan or a fax stored as RGB)."""
    if image.ndim < 3 or image.shape[2] < 3:
        return True
    sub = image[::4, ::4]
    return float(((channel_max(sub) - channel_min(sub)) > 40).mean()) < COLOURLESS


@dataclass(frozen=True)
class SealShape:
    """A seal found on a page: the fitted outline of its border ring, in page pixels."""

    page: int
    center: tuple[float, float]
    axes: tuple[float, float]
    """Full width and height of the fitted ellipse along its own axes (width >= height)."""
    angle: float
    """Rotation of the ellipse's width axis, degrees (OpenCV convention)."""
    box: Box
    """Axis-aligned box of the outline, clipped to the page."""
    ink: str
    """'red', 'blue' or 'purple'."""
    ring_coverage: float
    """Share of the visible outline covered by ink (1.0 for a complete border ring)."""
    inside_page: float
    """Share of the outline that lies on the page (below 1.0: cut by the page edge, e.g. a 骑缝章)."""
    fill: float
    """Share of the disc's inside covered by ink: seals are mostly paper inside."""

    @property
    def shape(self) -> str:
        """'circle' or 'ellipse' (width over height beyond 1.12)."""
        return "ellipse" if self.axes[0] / max(self.axes[1], 1e-6) > 1.12 else "circle"

    @property
    def radius(self) -> float:
        """Mean radius in pixels."""
        return (self.axes[0] + self.axes[1]) / 4


def ink_mask(image: np.ndarray, ink: str = "red", hsv: np.ndarray | None = None) -> np.ndarray:
    """Pixels of saturated stamp-pad ink of one colour (uint8 0/1).

    Light impressions are pink, not red: the saturation floor is low, and the shape tests
    downstream reject the orange desks and brown tables that pass it. `hsv`, the image already converted, saves
    converting it again for each ink.
    """
    if ink in GREY_INKS:
        return _grey_ink(image, ink)
    if hsv is None:
        hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    # OpenCV's hue runs 0-179 for 8-bit images. Red: hue at most 9 or from 160, saturation from 40, value from 90.
    if ink == "red":
        m = cv2.inRange(hsv, (0, 40, 90), (9, 255, 255)) | cv2.inRange(hsv, (160, 40, 90), (255, 255, 255))
    elif ink == "blue":
        m = cv2.inRange(hsv, (100, 70, 60), (128, 255, 255))
    else:
        m = cv2.inRange(hsv, (129, 70, 60), (159, 255, 255))
    return m & 1


def _darkness(image: np.ndarray) -> np.ndarray:
    """How much darker each pixel is than the paper around it (int16): shading and a photo's uneven light
    change the paper, not this."""
    v = channel_min(image)
    return cv2.dilate(v, np.ones((15, 15), np.uint8)).astype(np.int16) - v


def _print(image: np.ndarray) -> np.ndarray:
    """Black print and its anti-aliased edges on a greyscale page (uint8 0/1): what hides a pale seal's ink."""
    return cv2.dilate((_darkness(image) > PRINT_DARK).astype(np.uint8), np.ones((7, 7), np.uint8))


def _grey_ink(image: np.ndarray, ink: str) -> np.ndarray:
    """Seal ink on a colourless page. 'grey': anything clearly darker than the paper (a dark impression, a
    fax). 'pale': ink lighter than the print's strokes and away from them (their anti-aliased edges are just as
    light), specks dropped."""
    dark = _darkness(image)
    if ink == "grey":
        return (dark > INK_DARK).astype(np.uint8)
    core = cv2.dilate((dark > PRINT_DARK).astype(np.uint8), np.ones((7, 7), np.uint8))
    m = ((dark > PALE_DARK) & (dark <= PRINT_DARK) & (core == 0)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    return (stats[labels, cv2.CC_STAT_AREA] >= 6).astype(np.uint8) & m


def _large_strokes(mask: np.ndarray, side: float) -> np.ndarray:
    """Only the connected strokes at least `side` pixels across (uint8 0/1)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    big = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= side
    big[0] = False
    return big[labels].astype(np.uint8)


def _disc(d: int) -> np.ndarray:
    d = max(1, int(d))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


RULE_TILTS = (0, 2, -2, 4, -4, 6, -6, 8, -8)
"""Degrees from level (and from upright) at which straight rules are looked for. A thin rule on a photo tilted by 3
degrees steps a pixel every 19 px and never fits a level kernel: a fapiao's red frame then stayed welded to the
invoice seal stamped across it, and 6 of 26 photographed invoices of seed 601 had no seal found. Each kernel
catches about one degree either side of its own."""


@functools.lru_cache(maxsize=64)
def _line_kernel(k: int, deg: int) -> np.ndarray:
    """A one-pixel line `k` pixels long, `deg` degrees from level, as a morphology kernel."""
    t = math.radians(deg)
    h, w = int(round(abs(k * math.sin(t)))) + 1, int(round(abs(k * math.cos(t)))) + 1
    kernel = np.zeros((h, w), np.uint8)
    cv2.line(kernel, (0, 0 if deg >= 0 else h - 1), (w - 1, h - 1 if deg >= 0 else 0), 1, 1)
    return kernel


def _drop_rules(m: np.ndarray, L: int) -> np.ndarray:
    """The mask without long straight rules (table lines, frames), level or tilted a little, which would weld a
    seal to a table."""
    k = max(15, int(0.06 * L))
    lines = np.zeros_like(m)
    for deg in RULE_TILTS:
        kernel = _line_kernel(k, deg)
        lines |= cv2.morphologyEx(m, cv2.MORPH_OPEN, kernel)
        lines |= cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ascontiguousarray(kernel.T))
    return m & (1 - cv2.dilate(lines, np.ones((3, 3), np.uint8)))


def _fill_hulls(m: np.ndarray, max_side: float) -> np.ndarray:
    """Each blob filled to its convex hull: a seal whose ring is broken (light or rocked impression)
    still becomes a disc. Blobs too large to be one seal are only hole-filled."""
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = np.zeros_like(m)
    for c in contours:
        x, y, bw, bh = cv2.boundingRect(c)
        if max(bw, bh) <= max_side:
            cv2.fillPoly(out, [cv2.convexHull(c)], 1)
        else:
            cv2.drawContours(out, [c], -1, 1, thickness=cv2.FILLED)
    return out


def _outline_points(mask: np.ndarray, cx: float, cy: float, r: float, bins: int = 90) -> np.ndarray:
    """For each angle, the outermost ink pixel within 1.25 r of the centre (NaN where none)."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    dx, dy = xs - cx, ys - cy
    rr = np.hypot(dx, dy)
    keep = rr <= 1.25 * r
    dx, dy, rr = dx[keep], dy[keep], rr[keep]
    out = np.full((bins, 2), np.nan)
    if len(rr) == 0:
        return out
    b = ((np.arctan2(dy, dx) + math.pi) / (2 * math.pi) * bins).astype(int) % bins
    order = np.lexsort((rr, b))
    b_sorted = b[order]
    last = np.r_[np.nonzero(np.diff(b_sorted))[0], len(b_sorted) - 1]
    idx = order[last]
    out[b[idx], 0] = cx + dx[idx]
    out[b[idx], 1] = cy + dy[idx]
    # Where the ink runs off the page, the outermost point is the page edge, not the ring.
    edge = (out[:, 0] <= 1) | (out[:, 1] <= 1) | (out[:, 0] >= w - 2) | (out[:, 1] >= h - 2)
    out[edge] = np.nan
    return out


def _fit(points: np.ndarray) -> tuple | None:
    pts = points[~np.isnan(points[:, 0])].astype(np.float32)
    if len(pts) < 12:
        return None
    e = cv2.fitEllipse(pts)
    # Drop outline points that belong to something touching the seal (a table rule, text), refit.
    for _ in range(2):
        (cx, cy), (a, b), ang = e
        res = _residual(pts, e)
        keep = res < 0.07
        if keep.sum() < 12 or keep.all():
            break
        pts = pts[keep]
        e = cv2.fitEllipse(pts)
    return e


CIRCLE_TRIES = 300
"""Three-point circles drawn by `_fit_circle` (fixed seed: a page finds the same seals on every run)."""
CIRCLE_TOLERANCE = 0.04
"""Relative radial distance within which an outline point lies on a drawn circle."""


def _fit_circle(points: np.ndarray) -> tuple | None:
    """The circle through most outline points, as an ellipse tuple: a stamp pressed harder on one side leaves one
    strong arc, and the other side's outermost ink is its characters, well inside the ring. An ellipse fitted to
    both is squashed off the ring (A-007-000265: 119 x 145 for a round seal); the circle of the arc is not."""
    pts = points[~np.isnan(points[:, 0])].astype(np.float64)
    if len(pts) < 12:
        return None
    rng = np.random.default_rng(0)
    ijk = rng.integers(0, len(pts), size=(CIRCLE_TRIES, 3))
    # All the drawn circles at once, each scored by the points within tolerance of it; the first of the most wins.
    (x1, y1), (x2, y2), (x3, y3) = (pts[ijk[:, c]].T for c in range(3))
    d = 2 * (x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2))
    drawn = np.abs(d) >= 1e-6
    d = np.where(drawn, d, 1.0)
    q1, q2, q3 = x1 * x1 + y1 * y1, x2 * x2 + y2 * y2, x3 * x3 + y3 * y3
    ux = (q1 * (y2 - y3) + q2 * (y3 - y1) + q3 * (y1 - y2)) / d
    uy = (q1 * (x3 - x2) + q2 * (x1 - x3) + q3 * (x2 - x1)) / d
    r = np.array([math.hypot(a, b) for a, b in zip(x1 - ux, y1 - uy, strict=True)])
    drawn &= r > 0
    with np.errstate(invalid="ignore", over="ignore"):
        far = np.abs(np.hypot(pts[None, :, 0] - ux[:, None], pts[None, :, 1] - uy[:, None]) - r[:, None])
        n = np.where(drawn, (far < CIRCLE_TOLERANCE * r[:, None]).sum(axis=1), 0)
    if not drawn.any() or n.max() < 12:
        return None
    best = int(np.argmax(n))
    ux, uy, r = ux[best], uy[best], r[best]
    on = np.abs(np.hypot(pts[:, 0] - ux, pts[:, 1] - uy) - r) < CIRCLE_TOLERANCE * r
    # Least squares on the points of the arc (algebraic fit: x^2 + y^2 + Dx + Ey + F = 0).
    p = pts[on]
    A = np.c_[p[:, 0], p[:, 1], np.ones(len(p))]
    sol, *_ = np.linalg.lstsq(A, -(p[:, 0] ** 2 + p[:, 1] ** 2), rcond=None)
    cx, cy = -sol[0] / 2, -sol[1] / 2
    rr = cx * cx + cy * cy - sol[2]
    if not np.isfinite(rr) or rr <= 0:
        return None
    d = 2 * math.sqrt(rr)
    return (float(cx), float(cy)), (d, d), 0.0


ELLIPSE_TRIES = 300
"""Five-point ellipses drawn by `_fit_ellipse_ransac` (fixed seed, like the circles)."""
ELLIPSE_TOLERANCE = 0.05
"""Relative radial distance within which an outline point lies on a drawn ellipse."""
ELLIPSE_MIN_COVERAGE = 0.6
"""Share of its outline an ellipse so fitted must find inked: chosen from any points, it can also ring a fapiao's
red print (a second 'seal' at 0.5 beside the real one on A-007-000246); the seals it recovered were inked along
62% (a photographed invoice of seed 463) to 100% (seed 613) of their outline."""


def _fit_ellipse_ransac(points: np.ndarray) -> tuple | None:
    """The ellipse through most outline points: an oval seal whose outline took in print and rules touching it (a
    fapiao's frame and its 销售方 label crossing the invoice seal) is fitted neither by least squares, which bends
    to them, nor by a circle. Tried last, on coloured ink only: on a grey page the print the points take in is as
    dark as the ring, and arcs of characters gave ovals that were no seal (seed 613)."""
    pts = points[~np.isnan(points[:, 0])].astype(np.float32)
    if len(pts) < 12:
        return None
    rng = np.random.default_rng(0)
    drawn = []
    for _ in range(ELLIPSE_TRIES):
        try:
            e = cv2.fitEllipse(pts[rng.choice(len(pts), 5, replace=False)])
        except cv2.error:
            continue
        (cx, cy), (a, b), _ang = e
        if not np.isfinite([cx, cy, a, b]).all() or min(a, b) <= 1 or max(a, b) / min(a, b) > MAX_AXIS_RATIO:
            continue
        drawn.append(e)
    if not drawn:
        return None
    # Scored all at once, by the points within tolerance of each; the first of the most wins.
    n = (_residuals(pts, drawn) < ELLIPSE_TOLERANCE).sum(axis=1)
    best = int(np.argmax(n))
    if n[best] < 12:
        return None
    return cv2.fitEllipse(pts[_residual(pts, drawn[best]) < ELLIPSE_TOLERANCE])


def _residuals(pts: np.ndarray, ellipses: list) -> np.ndarray:
    """`_residual` of float32 points from many ellipses at once (one row each), computed as `_residual` does."""
    f = pts.dtype.type
    col = lambda vals: np.array(vals, dtype=pts.dtype)[:, None]  # noqa: E731
    cx, cy = col([e[0][0] for e in ellipses]), col([e[0][1] for e in ellipses])
    t = [math.radians(e[2]) for e in ellipses]
    cos, sin = col([math.cos(x) for x in t]), col([math.sin(x) for x in t])
    ha, hb = col([max(e[1][0] / 2, 1e-6) for e in ellipses]), col([max(e[1][1] / 2, 1e-6) for e in ellipses])
    dx, dy = pts[None, :, 0] - cx, pts[None, :, 1] - cy
    u = dx * cos + dy * sin
    v = -dx * sin + dy * cos
    return np.abs(np.sqrt((u / ha) ** 2 + (v / hb) ** 2) - f(1))


def _residual(pts: np.ndarray, e) -> np.ndarray:
    """Relative radial distance of points from an ellipse (0 on it)."""
    (cx, cy), (a, b), ang = e
    t = math.radians(ang)
    dx, dy = pts[:, 0] - cx, pts[:, 1] - cy
    u = dx * math.cos(t) + dy * math.sin(t)
    v = -dx * math.sin(t) + dy * math.cos(t)
    return np.abs(np.sqrt((u / max(a / 2, 1e-6)) ** 2 + (v / max(b / 2, 1e-6)) ** 2) - 1)


def _longest_run(hits: np.ndarray) -> int:
    """Longest circular run of True."""
    if hits.all():
        return len(hits)
    k = int(np.argmin(hits))
    rolled = np.roll(hits, -k)
    best = cur = 0
    for v in rolled:
        cur = cur + 1 if v else 0
        best = max(best, cur)
    return best


def _arcs(hits: np.ndarray, shortest: int) -> int:
    """Samples in circular runs of True at least `shortest` long."""
    if hits.all():
        return len(hits)
    rolled = np.roll(hits, -int(np.argmin(hits)))
    total = cur = 0
    for v in np.r_[rolled, False]:
        if v:
            cur += 1
        else:
            total += cur if cur >= shortest else 0
            cur = 0
    return total


def _ellipse_window(shape: tuple[int, int], e) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """The filled ellipse `_ellipse_mask` draws, as its window (x0, y0, x1, y1) on a page of `shape` and the mask
    of that window alone: the same pixels without a page-sized image per candidate."""
    (cx, cy), (a, b), ang = e
    icx, icy = int(round(cx)), int(round(cy))
    reach = max(1, int(a / 2), int(b / 2)) + 2
    h, w = shape
    x0, y0 = min(max(0, icx - reach), w), min(max(0, icy - reach), h)
    x1, y1 = max(min(w, icx + reach + 1), x0), max(min(h, icy + reach + 1), y0)
    m = np.zeros((y1 - y0, x1 - x0), np.uint8)
    if m.size:
        cv2.ellipse(m, (icx - x0, icy - y0), (max(1, int(a / 2)), max(1, int(b / 2))), ang, 0, 360, 1,
                    thickness=cv2.FILLED)
    return (x0, y0, x1, y1), m


def _within_ellipse(mask: np.ndarray, e) -> np.ndarray:
    """A copy of the mask blank outside a filled ellipse."""
    (x0, y0, x1, y1), m = _ellipse_window(mask.shape, e)
    out = np.zeros_like(mask)
    out[y0:y1, x0:x1] = mask[y0:y1, x0:x1] * m
    return out


def _ellipse_mask(shape: tuple[int, int], e, scale: float = 1.0) -> np.ndarray:
    (cx, cy), (a, b), ang = e
    m = np.zeros(shape, np.uint8)
    cv2.ellipse(m, (int(round(cx)), int(round(cy))), (max(1, int(a * scale / 2)), max(1, int(b * scale / 2))),
                ang, 0, 360, 1, thickness=cv2.FILLED)
    return m


def find_seals(image: np.ndarray, page: int = 0, inks: tuple[str, ...] | None = None,
               max_frac: float = MAX_SEAL_FRAC, dpi: float | None = None) -> list[SealShape]:
    """Every seal impression on a page image (RGB uint8), largest first.

    `inks` defaults to the stamp-pad colours, or on a colourless page to `GREY_INKS`. `max_frac` bounds the
    diameter relative to the short side: 1.0 for an image of one seal (a specimen). `dpi`, when the file states
    it, sets the size of the broken rings looked for on a colourless page.
    """
    if inks is None:
        inks = GREY_INKS if colourless(image) else INKS
    H, W = image.shape[:2]
    if min(H, W) < (MIN_CROP_SIDE if max_frac >= 1.0 else MIN_PAGE_SIDE):
        return []
    s = min(1.0, WORK_SIDE / max(H, W))
    small = cv2.resize(image, (max(1, round(W * s)), max(1, round(H * s))), interpolation=cv2.INTER_AREA) \
        if s < 1 else image
    h, w = small.shape[:2]
    L = max(h, w)
    out: list[SealShape] = []
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV) if any(i not in GREY_INKS for i in inks) else None
    for ink in inks:
        mask = ink_mask(small, ink, hsv)
        # A grey ring is judged on all ink, light parts too (a stamp's ink is uneven); black print hides a pale
        # ring's ink. Both once per page and ink, not per candidate.
        seen = (_darkness(small) > PALE_DARK).astype(np.uint8) if ink == "grey" else mask
        occluded = _print(small) if ink == "pale" else None
        if mask.sum() < (MIN_SEAL_FRAC * L) ** 2 * 0.05:
            continue
        # Fuse the ring, its characters and the star into one blob, fill it, then open with a disc
        # that thin rules, text lines and frames cannot hold.
        # A specimen is one seal on paper: no rules to drop, and its thick ring would look like one.
        # The morphology below runs on the ink's bounding box with a margin wider than any of its kernels reach
        # (what lies outside is paper): the same result as on the whole page, at a fraction of the cost where the
        # ink is one seal on a letter.
        x0, y0, x1, y1 = _ink_window(mask, _window_margin(L))
        part = np.ascontiguousarray(mask[y0:y1, x0:x1])
        bare_part = unruled_part = _drop_rules(part, L) if max_frac < 1.0 else part
        if ink == "grey":
            # Print is as dark as the seal on a colourless page and would fuse with it into one block: look
            # only for strokes that join into something as large as a seal (its border, whatever touches it).
            bare_part = _large_strokes(bare_part, 0.8 * MIN_SEAL_FRAC * L)
        bare = _on_page(bare_part, mask.shape, x0, y0)
        unruled = bare if unruled_part is bare_part else _on_page(unruled_part, mask.shape, x0, y0)
        blob = cv2.morphologyEx(bare_part, cv2.MORPH_CLOSE, _disc(0.022 * L))
        blob = _fill_hulls(blob, max_frac * min(h, w) * 1.3)
        blob = cv2.morphologyEx(blob, cv2.MORPH_OPEN, _disc(0.035 * L))
        n, labels, stats, _ = cv2.connectedComponentsWithStats(blob, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            x, y = x + x0, y + y0
            if max(bw, bh) < MIN_SEAL_FRAC * L * 0.8 or area < (MIN_SEAL_FRAC * L) ** 2 * 0.4:
                continue
            cx, cy = x + bw / 2, y + bh / 2
            r = max(bw, bh) / 2
            outline = _outline_points(_within_ellipse(bare, ((cx, cy), (2.5 * r, 2.5 * r), 0)), cx, cy, r)
            e = _fit(outline)
            if e is None:
                continue
            if ink in GREY_INKS:
                # Print hides parts of a grey seal, so its blob can be a fragment whose centre is not the
                # seal's: look again around the fitted outline.
                (ex, ey), (ea, eb), _ = e
                er = max(ea, eb) / 2
                if np.isfinite([ex, ey, er]).all() and 0 < er < L:
                    local = _within_ellipse(bare, ((ex, ey), (2.5 * er, 2.5 * er), 0))
                    e = _fit(_outline_points(local, ex, ey, er)) or e
            cand = _best_fit(small, seen, e, outline, ink, s, page, (W, H), max_frac, occluded)
            if cand is not None and not any(_same(cand, o) for o in out):
                out.append(cand)
        if ink == "grey" and max_frac < 1.0:
            for cand in _broken_rings(small, unruled, seen, s, page, (W, H), dpi):
                if not any(_same(cand, o) for o in out):
                    out.append(cand)
    if any(c.ink in GREY_INKS for c in out):
        # On a colourless page a licence's QR code with its caption can pass for a seal's ring and middle.
        out = [c for c in out if c.ink not in GREY_INKS or not _holds_code(image, c)]
    out.sort(key=lambda c: -c.axes[0] * c.axes[1])
    # A second outline inside a seal (its inner ring, text fused into an arc) is the same seal.
    kept: list[SealShape] = []
    for c in out:
        if not any(_within(c, k) for k in kept):
            kept.append(c)
    return kept


def _window_margin(L: int) -> int:
    """Pixels round the ink that `find_seals`' morphology can reach: the longest rule kernel, then the closing's and
    the opening's discs, and a few pixels besides."""
    return max(15, int(0.06 * L)) + int(0.022 * L) + int(0.035 * L) + 8


def _ink_window(mask: np.ndarray, margin: int) -> tuple[int, int, int, int]:
    """The bounding box (x0, y0, x1, y1) of a mask's ink, widened by `margin` and clipped to the mask."""
    x, y, bw, bh = cv2.boundingRect(mask)
    hgt, wid = mask.shape
    return max(0, x - margin), max(0, y - margin), min(wid, x + bw + margin), min(hgt, y + bh + margin)


def _on_page(part: np.ndarray, shape: tuple[int, int], x0: int, y0: int) -> np.ndarray:
    """A window's mask placed back on a blank page of `shape`."""
    if part.shape == shape:
        return part
    full = np.zeros(shape, part.dtype)
    full[y0:y0 + part.shape[0], x0:x0 + part.shape[1]] = part
    return full


def _holds_code(image: np.ndarray, c: SealShape) -> bool:
    """A QR code or barcode (read by zxing-cpp) centred inside the outline: no seal holds one."""
    from appealcheck.forensics.paste import code_boxes

    (cx, cy), (a, b), ang = c.center, c.axes, math.radians(c.angle)
    for x0, y0, x1, y1 in code_boxes(image, tuple(int(v) for v in c.box), 0):
        dx, dy = (x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy
        u, v = dx * math.cos(ang) + dy * math.sin(ang), -dx * math.sin(ang) + dy * math.cos(ang)
        if (u / (a / 2)) ** 2 + (v / (b / 2)) ** 2 < 1:
            return True
    return False


RING_SIDE = 500
"""Long side of the copy on which `_broken_rings` looks for circles."""
RING_MM = (12.0, 24.0)
"""Radii looked for there, in millimetres: a round seal is 38-45 mm across, an invoice seal 40 x 30 mm..."""
RING_RADII = (0.04, 0.09)
"""...or, when the file states no resolution, as shares of the page's long side (12-27 mm on A4, 10-22 mm on a
fapiao). Larger circles through a page of text outvote the seal."""
OVAL_MM = (17.0, 23.0)
"""Half the long axis of an invoice seal (an oval 40 x 30 mm) in millimetres, looked for by `_broken_rings` as a
circle on a copy stretched upright by 1 / OVAL_RATIO..."""
OVAL_RADII = (0.055, 0.1)
"""...or, when the file states no resolution, as shares of the page's long side (16-29 mm on A4, 13-24 mm on a
fapiao)."""
OVAL_RATIO = 0.75
"""Short axis over long of an invoice seal."""
OVAL_PROPOSALS = 4
"""Ovals fitted and judged per page, besides RING_PROPOSALS circles: the most inked along their outline and the
least just outside, before `_settle`."""
RING_CIRCLES = 40
"""Circles of the Hough transform taken per page, strongest first..."""
RING_PROPOSALS = 8
"""...and of those, the ones fitted and judged: the most inked along their outline and the least just outside."""
RING_CLEAR = 0.35
"""A broken ring's outline must be inked along this much more of its length than the band just outside it: the
ring is a line of ink round paper, where a circle drawn through text finds text on both sides (dev seed 1117's
faxes: seals 0.38-0.79, circles through print at most 0.33)."""
RING_RUN = 0.25
"""...and one unbroken arc of at least this share of its length (the blob route asks 0.35)..."""
RING_ARCS = (0.08, 0.3)
"""...or arcs each at least 0.08 of its length, 0.3 of it together: a fax breaks a faint ring into several (dev seed
1163's A-1163-000016: its longest 0.17 of the outline, those of 10 samples or more 0.36 together)..."""
RING_FILL = 0.45
"""...and be mostly paper inside: the broken rings of seeds 1117, 1123 and 1129 are 0.39 inked at most inside, where
an oval round a business licence's QR code on a fax (seed 1129) is 0.58."""
RING_THICK = 0.2
"""...and be a thin line: at most this share of its inked directions may be inked along most of the way from 0.9
to 1.15 times its size. A barcode's bars cross a circle drawn through them from end to end (a photographed
receipt of dev seed 1123: 0.43); the seals of seeds 1117 and 1123 measured 0.12 at most."""


def _broken_rings(small: np.ndarray, ink: np.ndarray, seen: np.ndarray, s: float, page: int,
                  size: tuple[int, int], dpi: float | None = None) -> list[SealShape]:
    """Seals on a colourless page whose ring is broken into pieces: a fax keeps a light impression as dots and
    dashes, which never join into the large strokes the blob route starts from (8 of dev seed 1117's 35
    colourless seals). A Hough transform proposes circles of a seal's size on a smaller copy, and invoice seals'
    ovals as circles on a copy stretched upright (settled onto the ring by `_settle`); each is fitted again to the
    outermost ink around it (a circle, an ellipse, an oval through most of it) and kept when that outline is a
    ring: inked along much of it, in one long arc or several shorter ones, clear just outside it, paper inside."""
    h, w = small.shape[:2]
    k = min(1.0, RING_SIDE / max(h, w))
    tiny = cv2.resize(small, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(cv2.cvtColor(tiny, cv2.COLOR_RGB2GRAY), (3, 3), 1)
    if dpi and dpi > 0:
        per_mm = dpi / 25.4 * s * k
        lo, hi = int(RING_MM[0] * per_mm), int(RING_MM[1] * per_mm) + 1
    else:
        L = max(tiny.shape[:2])
        lo, hi = int(RING_RADII[0] * L), int(RING_RADII[1] * L) + 1
    if lo < 4:
        return []
    # An invoice seal is an oval, stamped near upright: stretched by 1 / OVAL_RATIO top to bottom it is a circle.
    if dpi and dpi > 0:
        olo, ohi = int(OVAL_MM[0] * per_mm), int(OVAL_MM[1] * per_mm) + 1
    else:
        olo, ohi = int(OVAL_RADII[0] * L), int(OVAL_RADII[1] * L) + 1
    tall = cv2.resize(grey, (grey.shape[1], round(grey.shape[0] / OVAL_RATIO)), interpolation=cv2.INTER_LINEAR)
    proposals = []
    for img, rlo, rhi, ratio in ((grey, lo, hi, 1.0), (tall, olo, ohi, OVAL_RATIO)):
        found = cv2.HoughCircles(img, cv2.HOUGH_GRADIENT, dp=1, minDist=rlo, param1=120, param2=20,
                                 minRadius=rlo, maxRadius=rhi)
        if found is not None:
            proposals += [(((cx / k, cy * ratio / k), (2 * r / k, 2 * r * ratio / k), 0.0), ratio != 1.0)
                          for cx, cy, r in found[0][:RING_CIRCLES]]
            if ratio == 1.0:
                # The transform keeps one circle per centre, often the ring of characters inside a faint border:
                # each centre is also proposed with the radius its own ink rings best.
                for cx, cy, r in found[0][:RING_CIRCLES]:
                    R = _outer_radius(seen, cx / k, cy / k, rlo / k, rhi / k)
                    if R is not None and abs(R - r / k) > 0.05 * R:
                        proposals.append((((cx / k, cy / k), (2 * R, 2 * R), 0.0), False))
    out: list[SealShape] = []
    # Text outvotes a faint ring in the transform; the ink on and just outside each outline ranks them again.
    # Circles and ovals are ranked apart, so neither kind crowds the other out.
    ranked = [i for kind, most in ((False, RING_PROPOSALS), (True, OVAL_PROPOSALS))
              for _, i in sorted(((_ring_score(seen, e), i) for i, (e, oval) in enumerate(proposals) if oval == kind),
                                 reverse=True)[:most]]
    for i in ranked:
        proposal, oval = proposals[i]
        if oval:
            proposal = _settle(seen, proposal)
        (X, Y), (A, B), _ = proposal
        R = A / 2
        outline = _outline_points(_within_ellipse(ink, ((X, Y), (2.5 * R, 2.5 * R), 0)), X, Y, R)
        best, best_score = None, -math.inf
        for fit in (_fit_circle(outline), _fit(outline), _fit_ellipse_ransac(outline), proposal):
            if fit is None:
                continue
            v = _validate(small, seen, fit, "grey", s, page, size, min_run=RING_RUN, arcs=RING_ARCS)
            if v is None:
                continue
            score = v.ring_coverage - _ink_outside(seen, fit)
            if score >= RING_CLEAR and score > best_score and v.fill <= RING_FILL and _thick(seen, fit) <= RING_THICK:
                best, best_score = v, score
        if best is not None and not any(_same(best, o) for o in out):
            out.append(best)
    return out


def _outer_radius(mask: np.ndarray, cx: float, cy: float, lo: float, hi: float, samples: int = 120) -> float | None:
    """The radius between `lo` and `hi` whose circle about (cx, cy) has the most ink on it less just outside it
    (`_ring_score`), from one polar sampling of the mask."""
    h, w = mask.shape
    if hi <= lo or lo <= 0:
        return None
    radii = np.arange(0.9 * lo, 1.25 * hi + 1, 0.5)
    t = np.linspace(0, 2 * math.pi, samples, endpoint=False)
    px = cx + radii[:, None] * np.cos(t)[None, :]
    py = cy + radii[:, None] * np.sin(t)[None, :]
    ok = (px >= 0) & (py >= 0) & (px < w) & (py < h)
    hit = ok & (mask[np.clip(py.astype(int), 0, h - 1), np.clip(px.astype(int), 0, w - 1)] > 0)
    # Inked rows so far, counted per direction, give the ink in any band of radii by one subtraction.
    cum = np.vstack([np.zeros((1, samples), int), np.cumsum(hit, axis=0)])
    r = np.arange(lo, hi + 0.5, 0.5)
    last = len(radii) - 1
    a0, a1, b0, b1 = (np.minimum(np.searchsorted(radii, f * r), last) for f in (0.96, 1.02, 1.08, 1.2))
    seen = ok[b1]
    n = np.maximum(seen.sum(axis=1), 1)
    on = (((cum[a1 + 1] - cum[a0]) > 0) & seen).sum(axis=1) / n
    out = (((cum[b1 + 1] - cum[b0]) > 0) & seen).sum(axis=1) / n
    return float(r[int(np.argmax(on - out))])


def _ring_score(mask: np.ndarray, e) -> float:
    return _ink_on(mask, e) - _ink_outside(mask, e)


def _settle(mask: np.ndarray, e, rounds: int = 3) -> tuple:
    """An oval moved, scaled and turned a little at a time while the ink on its outline less the ink just
    outside it grows: the stretched copy's circle is near the invoice seal, rarely on its border."""
    best, score = e, _ring_score(mask, e)
    for _ in range(rounds):
        moved = False
        (cx, cy), (a, b), ang = best
        step = 0.03 * a
        tries = [((cx, cy), (a * f, b * f), ang) for f in (0.92, 0.96, 1.04, 1.08, 1.12)]
        tries += [((cx, cy), (a, b), ang + d) for d in (-12, -6, 6, 12)]
        tries += [((cx + dx, cy + dy), (a, b), ang) for dx, dy in ((step, 0), (-step, 0), (0, step), (0, -step))]
        for t in tries:
            v = _ring_score(mask, t)
            if v > score + 1e-9:
                best, score, moved = t, v, True
        if not moved:
            break
    return best


def _thick(mask: np.ndarray, e, samples: int = 120, steps: int = 11) -> float:
    """Of the directions in which an outline is inked (0.95-1.02 times its size), the share inked along more than
    60% of the way from 0.9 to 1.15 times it: a stroke across the outline, not a line along it."""
    (cx, cy), (a, b), ang = e
    h, w = mask.shape
    t = np.linspace(0, 2 * math.pi, samples, endpoint=False)
    ca, sa = math.cos(math.radians(ang)), math.sin(math.radians(ang))
    inked = np.zeros((steps, samples), bool)
    on_page = np.ones(samples, bool)
    for i, k in enumerate(np.linspace(0.9, 1.15, steps)):
        u, v = a / 2 * k * np.cos(t), b / 2 * k * np.sin(t)
        px, py = cx + u * ca - v * sa, cy + u * sa + v * ca
        on_page &= (px >= 0) & (py >= 0) & (px < w) & (py < h)
        inked[i] = mask[np.clip(py.astype(int), 0, h - 1), np.clip(px.astype(int), 0, w - 1)] > 0
    hit = inked[steps // 2 - 2:steps // 2 + 1].any(axis=0) & on_page
    if not hit.any():
        return 1.0
    return float((inked[:, hit].mean(axis=0) > 0.6).mean())


def _best_fit(small: np.ndarray, seen: np.ndarray, e, outline: np.ndarray, ink: str, s: float, page: int,
              size: tuple[int, int], max_frac: float, occluded: np.ndarray | None) -> SealShape | None:
    """The outline that best rings the seal: least squares, a circle, or an ellipse through most outline points.

    A stamp inked faintly on one side leaves characters, not ring, as the outermost ink there; least squares then
    squashes a round seal into an oval (332 x 289 px for a 42 mm seal of a genuine letter, A-641-000020) that still
    passes as a ring, and its ring text is unwrapped off the characters. A border ring is the outermost ink of a
    seal: a fit is scored by the ink on its outline less the ink just outside it, which the squashed oval has
    along its short axis and the true outline has nowhere.
    """
    if ink in GREY_INKS:
        # Black print is ink too on a colourless page, and lies outside any seal: the first fit that validates.
        v = _validate(small, seen, e, ink, s, page, size, max_frac, occluded=occluded)
        c = _fit_circle(outline) if v is None else None
        return v if c is None else _validate(small, seen, c, ink, s, page, size, max_frac, occluded=occluded)
    # In this order; a later fit must score higher to be taken.
    cands = [(e, False), (_fit_circle(outline), False), (_fit_ellipse_ransac(outline), True)]
    best, best_score = None, -math.inf
    for fit, ransac in cands:
        v = _validate(small, seen, fit, ink, s, page, size, max_frac) if fit is not None else None
        if v is None or (ransac and v.ring_coverage < ELLIPSE_MIN_COVERAGE):
            continue
        score = v.ring_coverage - _ink_outside(seen, fit)
        if score > best_score + 1e-9:
            best, best_score = v, score
    return best


def _ink_on(mask: np.ndarray, e, samples: int = 120) -> float:
    """Share of directions with ink on an outline (from 0.96 to 1.02 times its size), over those on the page."""
    return _ink_between(mask, e, 0.96, 1.02, samples)


def _ink_outside(mask: np.ndarray, e, samples: int = 120) -> float:
    """Share of directions with ink just outside an outline (from 1.08 to 1.2 times its size): none for a seal's
    border ring, much along the short axis of an oval squashed inside a round seal."""
    return _ink_between(mask, e, 1.08, 1.2, samples)


def _ink_between(mask: np.ndarray, e, lo: float, hi: float, samples: int) -> float:
    """Share of directions, of those on the page, with ink between `lo` and `hi` times an outline's size."""
    (cx, cy), (a, b), ang = e
    h, w = mask.shape
    t = np.linspace(0, 2 * math.pi, samples, endpoint=False)
    ca, sa = math.cos(math.radians(ang)), math.sin(math.radians(ang))
    hit = np.zeros(samples, bool)
    seen = np.zeros(samples, bool)
    for k in np.linspace(lo, hi, 5):
        u, v = a / 2 * k * np.cos(t), b / 2 * k * np.sin(t)
        px, py = cx + u * ca - v * sa, cy + u * sa + v * ca
        ok = (px >= 0) & (py >= 0) & (px < w) & (py < h)
        seen |= ok
        xi, yi = np.clip(px.astype(int), 0, w - 1), np.clip(py.astype(int), 0, h - 1)
        hit |= ok & (mask[yi, xi] > 0)
    return float(hit.sum() / max(int(seen.sum()), 1))


def _same(a: SealShape, b: SealShape) -> bool:
    return math.hypot(a.center[0] - b.center[0], a.center[1] - b.center[1]) < 0.5 * min(a.radius, b.radius)


def _within(small: SealShape, big: SealShape) -> bool:
    """Most of the smaller seal's box lies inside the bigger one's: one impression, outlined twice."""
    ix = min(small.box[2], big.box[2]) - max(small.box[0], big.box[0])
    iy = min(small.box[3], big.box[3]) - max(small.box[1], big.box[1])
    area = max(1, (small.box[2] - small.box[0]) * (small.box[3] - small.box[1]))
    return ix > 0 and iy > 0 and ix * iy / area > 0.6


def _validate(small: np.ndarray, mask: np.ndarray, e, ink: str, s: float, page: int, size: tuple[int, int],
              max_frac: float = MAX_SEAL_FRAC, occluded: np.ndarray | None = None,
              min_run: float = 0.35, arcs: tuple[float, float] | None = None) -> SealShape | None:
    """The candidate as a seal, or None when its outline is not a ring of ink around paper. With `arcs` (shortest,
    total), arcs each at least `shortest` of the outline and `total` of it together stand for the one long arc
    (`min_run`)."""
    (cx, cy), (a, b), ang = e
    if not (np.isfinite([cx, cy, a, b]).all()) or min(a, b) <= 0:
        return None
    if b > a:
        a, b, ang = b, a, ang + 90
    h, w = mask.shape
    L = max(h, w)
    # On a page a seal is well inside the short side; a crop of one seal may cut it at the edges.
    limit = max_frac * (min(h, w) if max_frac < 1.0 else max(h, w)) * 1.2
    if a < MIN_SEAL_FRAC * L or a > limit or a / b > MAX_AXIS_RATIO:
        return None
    # Ring coverage: along the outline, is there ink within a thin band (ring width ~ 3% of the size)?
    t = np.linspace(0, 2 * math.pi, 120, endpoint=False)
    band = max(1.5, 0.035 * a / 2)
    ca, sa = math.cos(math.radians(ang)), math.sin(math.radians(ang))
    hits = np.zeros(len(t), bool)
    inside = np.zeros(len(t), bool)
    hidden = np.zeros(len(t), bool)
    for d in np.linspace(-band, band * 0.6, 6):
        u, v = (a / 2 + d) * np.cos(t), (b / 2 + d) * np.sin(t)
        px, py = cx + u * ca - v * sa, cy + u * sa + v * ca
        ok = (px >= 0) & (py >= 0) & (px < w) & (py < h)
        inside |= ok
        xi, yi = np.clip(px.astype(int), 0, w - 1), np.clip(py.astype(int), 0, h - 1)
        hits |= ok & (mask[yi, xi] > 0)
        if occluded is not None:
            hidden |= ok & (occluded[yi, xi] > 0)
    # Where black print lies over a pale ring, the ring cannot be seen: neither a hit nor a miss.
    hidden &= ~hits
    inside_page = float(inside.mean())
    if inside_page < 0.4 or hidden.sum() > 0.5 * inside.sum():
        return None
    visible = int((inside & ~hidden).sum())
    covered = int(hits.sum())
    coverage = covered / max(visible, 1)
    # A rocked or light impression loses one side of its ring, so the ink left is one long arc;
    # red text and rules crossed by a chance ellipse give scattered hits instead.
    n_in = max(int(inside.sum()), 1)
    if coverage < 0.4:
        return None
    if _longest_run(hits | hidden) / n_in < min_run and (
            arcs is None or _arcs(hits | hidden, math.ceil(arcs[0] * len(t))) / n_in < arcs[1]):
        return None
    (ix0, iy0, ix1, iy1), inner = _ellipse_window(mask.shape, ((cx, cy), (a * 0.8, b * 0.8), ang))
    inside_ink = mask[iy0:iy1, ix0:ix1][inner > 0]
    fill = float(inside_ink.mean()) if len(inside_ink) else 1.0
    if not 0.03 <= fill <= 0.6:
        return None
    # Ink lies on paper: what is not ink inside the disc must be light and nearly grey. A desk or a
    # photo that happens to pass the colour test is neither.
    paper = small[iy0:iy1, ix0:ix1][(inner > 0) & (mask[iy0:iy1, ix0:ix1] == 0)]
    if len(paper) == 0:
        return None
    grey = paper.astype(np.int16)
    top = channel_max(grey)
    sat = np.median(top - channel_min(grey))
    if np.median(top) < 140 or sat > 60:
        return None
    W, H = size
    C = (cx / s, cy / s)
    A, B = a / s, b / s
    half_w = math.sqrt((A / 2 * ca) ** 2 + (B / 2 * sa) ** 2)
    half_h = math.sqrt((A / 2 * sa) ** 2 + (B / 2 * ca) ** 2)
    box = (max(0, int(C[0] - half_w)), max(0, int(C[1] - half_h)),
           min(W, int(math.ceil(C[0] + half_w))), min(H, int(math.ceil(C[1] + half_h))))
    return SealShape(page, C, (A, B), ang % 180, box, ink, round(coverage, 3), round(inside_page, 3),
                     round(fill, 3))

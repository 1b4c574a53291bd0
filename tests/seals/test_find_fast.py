"""The seal finder's shortcuts give what the plain computation gives (session 39 made them for speed)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from appealcheck.seals import find as F


def _random_points(rng: np.random.Generator, round_them: bool, holes: bool) -> np.ndarray:
    n = int(rng.integers(5, 91))
    cx, cy = rng.uniform(100, 900, 2)
    a = rng.uniform(40, 200)
    b, ang = a * rng.uniform(0.6, 1.0), rng.uniform(0, math.pi)
    t = rng.uniform(0, 2 * math.pi, n)
    pts = np.c_[cx + a * np.cos(t) * np.cos(ang) - b * np.sin(t) * np.sin(ang),
                cy + a * np.cos(t) * np.sin(ang) + b * np.sin(t) * np.cos(ang)]
    pts += rng.normal(0, rng.uniform(0, 8), pts.shape)
    if round_them:
        pts = np.round(pts)
    if holes:
        pts[rng.random(n) < 0.3] = np.nan
    return pts


def _circle_one_at_a_time(points: np.ndarray):
    """`_fit_circle`'s choice of circle as it was written first: one drawn circle after another."""
    pts = points[~np.isnan(points[:, 0])].astype(np.float64)
    if len(pts) < 12:
        return None
    rng = np.random.default_rng(0)
    best, best_n = None, 0
    for i, j, k in rng.integers(0, len(pts), size=(F.CIRCLE_TRIES, 3)):
        (x1, y1), (x2, y2), (x3, y3) = pts[i], pts[j], pts[k]
        d = 2 * (x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2))
        if abs(d) < 1e-6:
            continue
        q1, q2, q3 = x1 * x1 + y1 * y1, x2 * x2 + y2 * y2, x3 * x3 + y3 * y3
        ux = (q1 * (y2 - y3) + q2 * (y3 - y1) + q3 * (y1 - y2)) / d
        uy = (q1 * (x3 - x2) + q2 * (x1 - x3) + q3 * (x2 - x1)) / d
        r = math.hypot(x1 - ux, y1 - uy)
        if r <= 0:
            continue
        n = int((np.abs(np.hypot(pts[:, 0] - ux, pts[:, 1] - uy) - r) < F.CIRCLE_TOLERANCE * r).sum())
        if n > best_n:
            best, best_n = (ux, uy, r), n
    return None if best is None or best_n < 12 else best


def test_circles_scored_at_once_choose_the_circle_chosen_one_at_a_time():
    rng = np.random.default_rng(5)
    chosen = 0
    for trial in range(400):
        pts = _random_points(rng, trial % 3 == 0, trial % 7 == 0)
        want = _circle_one_at_a_time(pts)
        got = F._fit_circle(pts)
        if want is None:
            assert got is None
            continue
        chosen += 1
        # The fit refines the chosen circle on its inliers: the same circle gives the same inliers.
        ux, uy, r = want
        on = pts[~np.isnan(pts[:, 0])]
        on = on[np.abs(np.hypot(on[:, 0] - ux, on[:, 1] - uy) - r) < F.CIRCLE_TOLERANCE * r]
        A = np.c_[on[:, 0], on[:, 1], np.ones(len(on))]
        sol, *_ = np.linalg.lstsq(A, -(on[:, 0] ** 2 + on[:, 1] ** 2), rcond=None)
        assert got is not None and got[0] == (float(-sol[0] / 2), float(-sol[1] / 2))
    assert chosen > 300


def test_ellipse_residuals_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(11)
    for trial in range(50):
        pts = _random_points(rng, trial % 2 == 0, False).astype(np.float32)
        ellipses = [((float(x), float(y)), (float(a), float(a * k)), float(t)) for x, y, a, k, t in
                    zip(rng.uniform(100, 900, 20), rng.uniform(100, 900, 20), rng.uniform(2, 300, 20),
                        rng.uniform(0.3, 1, 20), rng.uniform(0, 180, 20), strict=True)]
        at_once = F._residuals(pts, ellipses)
        assert at_once.dtype == np.float32
        for row, e in zip(at_once, ellipses, strict=True):
            assert np.array_equal(row, F._residual(pts, e))


@pytest.mark.parametrize("shape", [(700, 1000), (1000, 700), (37, 41)])
def test_an_ellipse_drawn_in_its_window_is_the_one_drawn_on_the_page(shape):
    rng = np.random.default_rng(3)
    h, w = shape
    for _ in range(300):
        # Centres off the page too: a seal cut by the page edge.
        e = ((float(rng.uniform(-0.3 * w, 1.3 * w)), float(rng.uniform(-0.3 * h, 1.3 * h))),
             (float(rng.uniform(1, 1.5 * w)), float(rng.uniform(1, 1.5 * h))), float(rng.uniform(0, 360)))
        full = F._ellipse_mask(shape, e)
        (x0, y0, x1, y1), part = F._ellipse_window(shape, e)
        assert full[:y0].sum() + full[y1:].sum() + full[:, :x0].sum() + full[:, x1:].sum() == 0
        assert np.array_equal(full[y0:y1, x0:x1], part)
        mask = (rng.random(shape) < 0.3).astype(np.uint8)
        assert np.array_equal(F._within_ellipse(mask, e), mask * full)


def test_channel_max_and_min_are_the_reductions():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (31, 17, 3), dtype=np.uint8)
    assert np.array_equal(F.channel_max(img), img.max(axis=2))
    assert np.array_equal(F.channel_min(img), img.min(axis=2))
    px = img.reshape(-1, 3).astype(np.int16)
    assert np.array_equal(F.channel_max(px), px.max(axis=1))


def test_ink_masks_by_inrange_equal_the_hue_tests():
    # Every hue, saturation and value at the thresholds' edges and between.
    h, s, v = np.meshgrid(np.arange(180), np.array([0, 39, 40, 41, 69, 70, 71, 255]),
                          np.array([0, 59, 60, 61, 89, 90, 91, 255]), indexing="ij")
    hsv = np.stack([h, s, v], axis=-1).reshape(-1, 1, 3).astype(np.uint8)
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    H, S, V = (cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[:, :, i] for i in range(3))
    want = {"red": ((H <= 9) | (H >= 160)) & (S >= 40) & (V >= 90),
            "blue": (H >= 100) & (H <= 128) & (S >= 70) & (V >= 60),
            "purple": (H > 128) & (H < 160) & (S >= 70) & (V >= 60)}
    for ink, expected in want.items():
        got = F.ink_mask(rgb, ink)
        assert got.dtype == np.uint8 and set(np.unique(got)) <= {0, 1}
        assert np.array_equal(got.astype(bool), expected), ink
        assert expected.any() and not expected.all()


def test_the_ink_window_holds_all_ink_with_its_margin():
    m = np.zeros((300, 400), np.uint8)
    m[100:120, 50:60] = 1
    m[250, 390] = 1
    assert F._ink_window(m, 30) == (20, 70, 400, 281)
    x0, y0, x1, y1 = F._ink_window(m, 30)
    assert F._on_page(np.ascontiguousarray(m[y0:y1, x0:x1]), m.shape, x0, y0).tolist() == m.tolist()


def _blobs(mask: np.ndarray, L: int) -> np.ndarray:
    bare = F._drop_rules(mask, L)
    blob = cv2.morphologyEx(bare, cv2.MORPH_CLOSE, F._disc(0.022 * L))
    blob = F._fill_hulls(blob, 0.5 * min(mask.shape) * 1.3)
    return np.stack([bare, cv2.morphologyEx(blob, cv2.MORPH_OPEN, F._disc(0.035 * L))])


@pytest.mark.parametrize("where", ["middle", "corner", "edge"])
def test_morphology_in_the_ink_window_is_the_morphology_of_the_page(where):
    """A seal with red rules and text beside it: dropping the rules, closing, filling and opening on the ink's window
    (as `find_seals` does) gives the page's result pixel for pixel, wherever the ink lies."""
    h, w = 700, 1000
    L = max(h, w)
    m = np.zeros((h, w), np.uint8)
    cx, cy = {"middle": (500, 350), "corner": (60, 50), "edge": (980, 400)}[where]
    cv2.circle(m, (cx, cy), 90, 1, 4)
    cv2.putText(m, "AB", (cx - 40, cy + 15), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 1, 3)
    cv2.line(m, (cx - 150, cy + 60), (cx + 150, cy + 66), 1, 2)  # a rule tilted a degree, crossing the seal
    cv2.line(m, (cx + 120, cy - 140), (cx + 121, cy + 140), 1, 1)
    x0, y0, x1, y1 = F._ink_window(m, F._window_margin(L))
    assert (x1 - x0) * (y1 - y0) < h * w
    part = _blobs(np.ascontiguousarray(m[y0:y1, x0:x1]), L)
    page = _blobs(m, L)
    for a, b in zip(part, page, strict=True):
        assert np.array_equal(F._on_page(a, m.shape, x0, y0), b)
    assert page[1].any()

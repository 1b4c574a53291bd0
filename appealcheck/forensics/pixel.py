"""Pixel forensics: traces an edit of the *captured* image leaves in its noise.

A scanner or phone adds sensor noise to every pixel; JPEG adds a block grid. An edit made on the file
after capture (a block cloned with a stamp tool, a seal pasted from another file) carries noise that
does not belong where it lands:

- copy-move: the same block twice on the page *with the same noise*. Text documents repeat glyphs and
  whole words everywhere, and two printings of a word are near-identical in shape, so shape similarity
  proves nothing. What a genuine capture never repeats is its noise: two captures of the same print
  differ at almost every unclipped pixel, a clone equals its source. Candidates come from ORB keypoints
  matched against themselves, clustered by shift vector and checked with RANSAC; a candidate is reported
  when at least `cm_corr` of its unclipped pixels equal the source's within one grey level. Pages with
  no sensor noise (screenshots, clean renders) repeat words exactly, so nothing is claimed there; and a
  clone re-saved as JPEG loses the identity (this first increment finds lossless or near-lossless clones).
- noise inconsistency: the noise level in blocks, compared with what the page shows at the same
  brightness; a compact region much cleaner or noisier than the rest was made elsewhere.
- JPEG grid: the phase and strength of the 8x8 block grid, as features (a crop or a paste after
  compression moves or doubles it).

Edits made *before* capture (a document retyped and then printed and scanned) leave no pixel trace:
those are the job of the text, template and seal checks.

Work is bounded: pages are analysed on a copy whose long side is at most `WORK_SIDE` pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.forensics import Report, Signal
from appealcheck.models import Box, Page

CHECK_ID = "pixel.forensics"
WORK_SIDE = 2400
"""Longest side analysed; bigger pages are shrunk first (a 200 dpi A4 page is 2339 px: untouched)."""
MIN_SIDE = 64
"""Pages smaller than this on either side are not analysed (thumbnails, 1x1 images)."""
BLOCK = 32
"""Block size of the noise map, in work pixels."""
CLIP_LO, CLIP_HI = 8, 247
"""Pixels outside this range are clipped by the capture's tone curve and carry no noise."""


@dataclass(frozen=True)
class PixelParams:
    """Thresholds, calibrated on genuine scans, photos and screenshots (bench/forensics.py)."""

    noise_floor: float = 0.15
    """Median mean-absolute residual (grey levels) below which a page has no usable noise (clean render, screenshot)."""
    noise_ratio: float = 3.2
    """A block whose noise differs from the page's by this factor (either way) is inconsistent."""
    noise_min_blocks: int = 8
    """Smallest inconsistent region, in blocks (8 x 32 x 32 px is about 0.2 % of an A4 page at 200 dpi)."""
    noise_min_fraction: float = 0.6
    """Share of the region's measurable blocks that must be inconsistent (a ragged cluster is page texture)."""
    cm_features: int = 2000
    cm_max_hamming: int = 40
    cm_min_shift: int = 24
    cm_min_pairs: int = 6
    cm_corr: float = 0.9
    """Share of a block's unclipped pixels equal (within one grey level) to its copy's, above which it is
    a clone. Calibrated in bench/forensics.py: genuine repeats on noisy captures stay well below."""


@dataclass(frozen=True)
class PixelReport:
    """Pixel forensics of one page."""

    report: Report
    noise_map: np.ndarray | None
    """Per-block log2 ratio of the block's noise to what the page shows at that brightness (NaN: unmeasured)."""
    scale: float
    """Work pixels per page pixel."""


def _work(page: Page) -> tuple[np.ndarray, float]:
    h, w = page.image.shape[:2]
    s = min(1.0, WORK_SIDE / max(h, w))
    img = page.image
    if s < 1.0:
        img = cv2.resize(img, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2GRAY), s


def _residual(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Noise residual (grey minus its Gaussian blur) and a mask of pixels where it is noise, not content.

    Pixels within 8 px of an edge are left out: JPEG ringing there is set by the content, so two
    printings of the same word on the same 8x8 phase carry identical "noise". Clipped pixels carry none.
    """
    g = grey.astype(np.float32)
    r = g - cv2.GaussianBlur(g, (0, 0), 1.5)
    edge = cv2.dilate(cv2.Canny(grey, 30, 90), np.ones((17, 17), np.uint8))
    flat = (edge == 0) & (grey > CLIP_LO) & (grey < CLIP_HI)
    return r, flat


def analyse_page(page: Page, params: PixelParams | None = None, jpeg: bool = False) -> PixelReport:
    """Noise consistency, copy-move and (for JPEG files) the block grid of one page."""
    p = params or PixelParams()
    h, w = page.image.shape[:2]
    none = {f"{CHECK_ID}.{k}": None for k in ("noise_level", "noise_inconsistent_blocks", "noise_max_ratio",
                                              "copy_move_pairs", "copy_move_corr", "jpeg_grid_strength",
                                              "jpeg_grid_offset")}
    if h < MIN_SIDE or w < MIN_SIDE:
        return PixelReport(Report(features=none, unchecked=(f"pixel forensics: page {page.index + 1} is {w} x {h} "
                                                           "pixels, too small to analyse",)), None, 1.0)
    grey, s = _work(page)
    r, flat = _residual(grey)
    feats = dict(none)
    signals: list[Signal] = []
    unchecked: list[str] = []
    nmap, level, sig, f = _noise(grey, r, flat, s, page, p)
    feats.update(f)
    signals += sig
    # Pages without sensor noise (screenshots, clean renders, scans pushed to pure white) are common and
    # honest: their noise features stay None instead of adding an 'unchecked' note to every such page.
    sig, f, _note = _copy_move(grey, r, flat, s, page, p, level)
    signals += sig
    feats.update(f)
    if jpeg:
        feats.update(_jpeg_grid(grey))
    return PixelReport(Report(tuple(signals), feats, tuple(unchecked)), nmap, s)


# ------------------------------------------------------------------ noise consistency


def _noise(grey, r, flat, s, page: Page, p: PixelParams):
    h, w = grey.shape
    nby, nbx = h // BLOCK, w // BLOCK
    feats: dict[str, float | None] = {}
    if nby < 2 or nbx < 2:
        return None, 0.0, [], feats
    hh, ww = nby * BLOCK, nbx * BLOCK
    a = np.abs(r[:hh, :ww]) * flat[:hh, :ww]
    cnt = flat[:hh, :ww].reshape(nby, BLOCK, nbx, BLOCK).sum(axis=(1, 3)).astype(np.float32)
    tot = a.reshape(nby, BLOCK, nbx, BLOCK).sum(axis=(1, 3))
    mean = grey[:hh, :ww].reshape(nby, BLOCK, nbx, BLOCK).mean(axis=(1, 3))
    ok = cnt >= 0.3 * BLOCK * BLOCK
    level_map = np.where(ok, tot / np.maximum(cnt, 1), np.nan)
    if ok.sum() < 8:
        return None, 0.0, [], feats
    level = float(np.nanmedian(level_map))
    feats[f"{CHECK_ID}.noise_level"] = round(level, 4)
    if level < p.noise_floor:
        return None, level, [], feats
    # Noise depends on brightness (shot noise, the tone curve): the expectation for a block is the median
    # level of blocks of similar brightness, so shadows and tinted paper do not light up.
    bins = np.clip((mean / 16).astype(int), 0, 15)
    expect = np.full_like(level_map, level)
    for b in range(16):
        sel = ok & (bins == b)
        if sel.sum() >= 12:
            expect[bins == b] = np.nanmedian(level_map[sel])
    ratio = np.log2(np.maximum(level_map, 0.05) / np.maximum(expect, 0.05))
    ratio[~ok] = np.nan
    lim = np.log2(p.noise_ratio)
    bad = (np.abs(np.nan_to_num(ratio)) >= lim).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(cv2.morphologyEx(bad, cv2.MORPH_CLOSE, np.ones((3, 3))), 4)
    signals = []
    worst = 0.0
    n_bad = 0
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        region = lab == i
        core = region & (bad > 0)
        measured = region & ok
        if core.sum() < p.noise_min_blocks or core.sum() < p.noise_min_fraction * measured.sum():
            continue
        # A region touching the frame is the desk or the scanner lid around the page, not an edit.
        if x == 0 or y == 0 or x + bw >= nbx or y + bh >= nby:
            continue
        n_bad += int(core.sum())
        rv = float(np.nanmedian(ratio[core]))
        worst = max(worst, abs(rv))
        box = _px_box((x * BLOCK, y * BLOCK, (x + bw) * BLOCK, (y + bh) * BLOCK), s, page)
        how = "cleaner" if rv < 0 else "noisier"
        signals.append(Signal("pixel.noise_inconsistency", "medium",
                              f"A region is {2 ** abs(rv):.1f}x {how} than the rest of the page at the same "
                              "brightness: it was made or pasted separately", page.index, box,
                              measured=round(2 ** rv, 2), expected=f"within {p.noise_ratio}x of the page"))
    feats[f"{CHECK_ID}.noise_inconsistent_blocks"] = float(n_bad)
    feats[f"{CHECK_ID}.noise_max_ratio"] = round(2 ** worst, 3)
    return ratio, level, signals, feats


def _px_box(b: tuple[float, float, float, float], s: float, page: Page) -> Box:
    return (int(max(0, b[0] / s)), int(max(0, b[1] / s)), int(min(page.width, b[2] / s)),
            int(min(page.height, b[3] / s)))


# ------------------------------------------------------------------ copy-move


def _copy_move(grey, r, flat, s, page: Page, p: PixelParams, level: float):
    feats: dict[str, float | None] = {f"{CHECK_ID}.copy_move_pairs": 0.0, f"{CHECK_ID}.copy_move_corr": None}
    orb = cv2.ORB_create(nfeatures=p.cm_features, fastThreshold=12, edgeThreshold=15, patchSize=15)
    kps, des = orb.detectAndCompute(grey, None)
    if des is None or len(kps) < p.cm_min_pairs * 2:
        return [], feats, None
    pts = np.float32([k.pt for k in kps])
    matches = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(des, des, k=3)
    src, dst = [], []
    for ms in matches:
        for m in ms[1:]:  # ms[0] is the keypoint itself
            if m.distance > p.cm_max_hamming:
                break
            a, b = pts[m.queryIdx], pts[m.trainIdx]
            d = b - a
            if np.hypot(*d) < p.cm_min_shift:
                continue
            # One orientation per pair, so A->B and B->A land in the same shift cluster.
            if d[0] < 0 or (d[0] == 0 and d[1] < 0):
                a, b = b, a
            src.append(a)
            dst.append(b)
    if len(src) < p.cm_min_pairs:
        return [], feats, None
    src_a, dst_a = np.float32(src), np.float32(dst)
    d_all = dst_a - src_a
    _, inv, counts = np.unique(np.round(d_all / 6).astype(np.int32), axis=0, return_inverse=True, return_counts=True)
    order = np.argsort(-counts)
    signals: list[Signal] = []
    best_corr = None
    measurable = 0
    candidates = 0
    done: list[np.ndarray] = []
    for k in order[:60]:
        if counts[k] < p.cm_min_pairs // 2:
            break
        # A clone's pairs share one shift to a pixel, but rounding can split them over neighbouring bins:
        # gather every pair within 4 px of this bin's median shift.
        centre = np.median(d_all[inv.ravel() == k], axis=0)
        if any(np.abs(centre - c).max() <= 4 for c in done):
            continue
        done.append(centre)
        sel = np.abs(d_all - centre).max(axis=1) <= 4
        if sel.sum() < p.cm_min_pairs:
            continue
        a, b = src_a[sel], dst_a[sel]
        M, inl = cv2.estimateAffinePartial2D(a, b, method=cv2.RANSAC, ransacReprojThreshold=3.0)
        if M is None or inl is None or int(inl.sum()) < p.cm_min_pairs:
            continue
        candidates += 1
        keep = inl.ravel() > 0
        a = a[keep]
        dx, dy = (float(v) for v in np.median(b[keep] - a, axis=0))
        corr, _ = _identity(grey, a, (dx, dy))
        if corr is None:
            continue
        measurable += 1
        best_corr = corr if best_corr is None else max(best_corr, corr)
        if corr < p.cm_corr:
            continue
        x0, y0 = a.min(axis=0) - 6
        x1, y1 = a.max(axis=0) + 6
        src_box = _px_box((x0, y0, x1, y1), s, page)
        dst_box = _px_box((x0 + dx, y0 + dy, x1 + dx, y1 + dy), s, page)
        if any(_iou(dst_box, sg.box) > 0.3 for sg in signals if sg.box):
            continue
        signals.append(Signal("pixel.copy_move", "high",
                              f"A block is a pixel-exact copy of another part of the page at {src_box} "
                              f"({corr:.0%} of its pixels identical): cloned after capture", page.index, dst_box,
                              measured=round(corr, 4), expected=f"< {p.cm_corr} (a reprint differs by its noise)"))
    feats[f"{CHECK_ID}.copy_move_pairs"] = float(candidates)
    feats[f"{CHECK_ID}.copy_move_corr"] = None if best_corr is None else round(best_corr, 4)
    note = None
    if level < p.noise_floor:
        # Pages without sensor noise (digital renders, screenshots) repeat words pixel for pixel:
        # identity proves nothing there, so only the measurement is kept.
        signals = []
        note = (f"copy-move, page {page.index + 1}: the page carries no sensor noise, so a clone cannot be told "
                "from repeated print")
    elif candidates and not measurable:
        note = (f"copy-move, page {page.index + 1}: {candidates} repeated block(s) found but the page has too little "
                "scan noise to tell a clone from repeated print")
    return signals, feats, note


def _identity(grey, pts: np.ndarray, shift: tuple[float, float]) -> tuple[float | None, int]:
    """Share of pixels of a block that equal (within 1 grey level) the pixels `shift` away.

    Sensor noise makes two captures of the same print differ at almost every pixel (the difference
    has about 1.4x the noise's spread); a clone made after capture equals its source exactly, and a
    light re-compression moves few pixels by more than one level. Clipped pixels (pure white paper,
    solid black) are equal either way and are left out. The block is the keypoints' bounding box, not
    padded: a pad would mix in the clone's surroundings.
    """
    h, w = grey.shape
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + 1
    best: tuple[float | None, int] = (None, 0)
    # The shift is sub-pixel; the clone sits on whole pixels, so try the neighbours.
    for ddy in (-1, 0, 1):
        for ddx in (-1, 0, 1):
            tx, ty = int(round(shift[0])) + ddx, int(round(shift[1])) + ddy
            X0, Y0 = max(0, x0, -tx), max(0, y0, -ty)
            X1, Y1 = min(w, x1, w - tx), min(h, y1, h - ty)
            if X1 - X0 < 8 or Y1 - Y0 < 8:
                continue
            ga = grey[Y0:Y1, X0:X1]
            gb = grey[Y0 + ty:Y1 + ty, X0 + tx:X1 + tx]
            m = ((ga > CLIP_LO) & (ga < CLIP_HI)) | ((gb > CLIP_LO) & (gb < CLIP_HI))
            n = int(m.sum())
            if n < 200:
                continue
            same = float((cv2.absdiff(ga, gb)[m] <= 1).mean())
            if best[0] is None or same > best[0]:
                best = (same, n)
    return best


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


# ------------------------------------------------------------------ JPEG grid


def _jpeg_grid(grey: np.ndarray) -> dict[str, float | None]:
    """Phase and strength of the 8x8 block grid: boundary steps at x = 8k-1|8k stand out in an aligned JPEG."""
    g = grey.astype(np.float32)
    dx = np.abs(np.diff(g, axis=1)).mean(axis=0)
    dy = np.abs(np.diff(g, axis=0)).mean(axis=1)
    prof = np.zeros(8)
    for d in (dx, dy):
        n = len(d) // 8 * 8
        if n < 16:
            return {f"{CHECK_ID}.jpeg_grid_strength": None, f"{CHECK_ID}.jpeg_grid_offset": None}
        prof += d[:n].reshape(-1, 8).mean(axis=0)
    off = int(np.argmax(prof))
    strength = float(prof[off] / max(np.median(prof), 1e-6))
    # An aligned grid peaks at phase 7 (between pixel 7 and 8); report the offset from there.
    return {f"{CHECK_ID}.jpeg_grid_strength": round(strength, 4), f"{CHECK_ID}.jpeg_grid_offset": float((off + 1) % 8)}


# ------------------------------------------------------------------ heatmap


def heatmap_png(page: Page, rep: PixelReport, max_side: int = 600) -> bytes | None:
    """A small PNG: the page in grey with the noise-ratio map over it and pixel findings outlined in red."""
    base = page.image
    h, w = base.shape[:2]
    if h < 2 or w < 2:
        return None
    k = min(1.0, max_side / max(h, w))
    size = (max(1, int(w * k)), max(1, int(h * k)))
    grey = cv2.cvtColor(cv2.resize(base, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    out = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    if rep.noise_map is not None:
        m = np.nan_to_num(np.abs(rep.noise_map), nan=0.0)
        m = np.clip(m / 2.0 * 255, 0, 255).astype(np.uint8)
        # The map covers whole blocks only; stretch it over that part of the page.
        cover = (int(m.shape[1] * BLOCK / rep.scale * k), int(m.shape[0] * BLOCK / rep.scale * k))
        col = cv2.applyColorMap(cv2.resize(m, cover, interpolation=cv2.INTER_NEAREST), cv2.COLORMAP_JET)
        ch, cw = min(cover[1], size[1]), min(cover[0], size[0])
        out[:ch, :cw] = cv2.addWeighted(out[:ch, :cw], 0.6, col[:ch, :cw], 0.4, 0)
    for sg in rep.report.signals:
        if sg.box:
            x0, y0, x1, y1 = (int(v * k) for v in sg.box)
            cv2.rectangle(out, (x0, y0), (x1, y1), (0, 0, 255), 2)
    ok, png = cv2.imencode(".png", out)
    return png.tobytes() if ok else None

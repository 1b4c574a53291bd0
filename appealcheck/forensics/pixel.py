"""Pixel forensics: traces an edit of the *captured* image leaves in its noise.

A scanner or phone adds sensor noise to every pixel; JPEG adds a block grid. An edit made on the file
after capture (a block cloned with a stamp tool, a seal pasted from another file) carries noise that
does not belong where it lands:

- copy-move: the same block twice on the page *with the same noise*. Text documents repeat glyphs and
  whole words everywhere, and two printings of a word are near-identical in shape, so shape similarity
  proves nothing. What a genuine capture never repeats is its noise: two captures of the same print
  differ at almost every unclipped pixel, a clone equals its source. Candidates come from ORB keypoints
  matched against themselves, clustered by shift vector and checked with RANSAC (and from the page's ink
  marks paired by size and look, for the shifts ORB's strongest corners miss); a candidate is reported
  when at least `cm_corr` of its unclipped pixels equal the source's within one grey level. Pages with
  no sensor noise (screenshots, clean renders) can repeat words exactly, so identity claims nothing there;
  and a clone re-saved as JPEG loses it. So each repeat is also measured as a distance (its keypoints'
  patches against their twins', `_patch_distance`): a block far closer to its twin than the page's other
  repeats are to theirs is a copy, after a JPEG save too, and on a page without noise when none of its own
  repeats is near exact. A third test is on content: a region spanning several lines that recurs window
  for window at the same shift (`_region_copies`). Genuine print repeats a word,
  a date, a ruled line or a column of one word, never a block of different lines; where the page has
  noise, a block genuinely printed twice is still told apart by it.
- noise inconsistency: the noise level in blocks, compared with what the page shows at the same
  brightness; a compact region much cleaner or noisier than the rest was made elsewhere.
- pasted blocks: a rectangle of other paper, its sides cut one pixel sharp (`paste.py`).
- compression mismatch: on a page saved as JPEG, a region that does not carry that save (`ghost.py`): saved
  again at the page's quality, its blocks change where the page's come back.
- JPEG grid: the phase and strength of the 8x8 block grid, as features (a crop or a paste after
  compression moves or doubles it).

Edits made *before* capture (a document retyped and then printed and scanned) leave no pixel trace:
those are the job of the text, template and seal checks.

Work is bounded: pages are analysed on a copy whose long side is at most `WORK_SIDE` pixels; the JPEG history,
which lives in the file's own 8 x 8 blocks, is read at full size on pages of at most `ghost_max_pixels`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.forensics import Report, Signal
from appealcheck.forensics.ghost import ghost_regions
from appealcheck.forensics.paste import code_boxes, pasted_blocks
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
    noise_desk: float = 0.6
    """Blocks darker than this share of the page's median brightness, joined to the picture's edge, are the desk or
    the scanner's lid (dev seed 1123, a photographed letter: the desk's grain beside its blue header band read 5x
    noisier than the paper); a region touching them is not judged."""
    noise_min_blocks: int = 8
    """Smallest inconsistent region, in blocks (8 x 32 x 32 px is about 0.2 % of an A4 page at 200 dpi)."""
    noise_min_fraction: float = 0.6
    """Share of the region's measurable blocks that must be inconsistent (a ragged cluster is page texture)."""
    noise_clean_min_jpeg: float = 0.5
    """On a JPEG file, the expected level (grey levels) under which a block is not judged cleaner than the page.
    JPEG quantisation wipes faint noise out of whole 8 x 8 blocks, and a block's level is floored at 0.05, so on a
    JPEG barely over the noise floor any flattened patch reads 3-5x cleaner. All three noise findings of seed 7
    (two genuine photos, a receipt) were such patches, on pages at 0.154-0.158."""
    cm_features: int = 2000
    cm_max_hamming: int = 40
    cm_min_shift: int = 24
    cm_min_pairs: int = 6
    cm_corr: float = 0.9
    """Share of a block's unclipped pixels equal (within one grey level) to its copy's, above which it is
    a clone. Calibrated in bench/forensics.py: genuine repeats on noisy captures stay well below."""
    cm_region_width: int = 1024
    """Page width at which repeated regions are compared (windows are then a fixed share of the page)."""
    cm_window: int = 16
    """Window side, in pixels at that width (about 1.6 % of the page's width)."""
    cm_region_texture: float = 12.0
    """Grey-level spread a window needs on both sides to be compared (paper alike proves nothing)."""
    cm_region_coherence: float = 0.75
    """Structure-tensor coherence above which a window's ink runs one way (a ruled line) and is not compared."""
    cm_region_ncc: float = 0.9
    """Correlation of a window with its shifted twin from which the two hold the same content."""
    cm_region_rows: int = 4
    """Window rows a repeated region must span: several lines of text, where a genuine repeat is one line."""
    cm_region_windows: int = 16
    """Matched windows a repeated region needs."""
    cm_region_identity: float = 0.9
    """Share of the region's textured windows that must match."""
    cm_region_noise: float = 0.3
    """On a page with sensor noise, the share of a repeated region's pixels equal (within one grey level) to
    its twin's below which the two are separate printings, not a copy (judged for twins in one row or column)."""
    cm_gap: float = 0.5
    """A repeated block whose pixels differ from their twin's by less than this share of what the page's
    closest other repeat differs by is a copy: the page sets its own scale (`_patch_distance`)..."""
    cm_gap_max: float = 3.0
    """...provided it differs by at most this many grey levels on average. A clone saved again as JPEG at 85
    differs from its source by 2-7 levels; two printings of a word on a scan or a photo by 3-20 (a genuine photo
    of seed 7 had one pair 3.4 apart)."""
    cm_exact: float = 0.99
    """On a page without sensor noise, the share of pixels equal (within one grey level) over two lines of text
    or more, out of the twin's row and column, from which a block is a copy: a word repeats so there, two lines
    together do not."""
    cm_gap_wide_max: float = 5.0
    cm_gap_wide: float = 0.35
    """On a page with sensor noise, a block up to `cm_gap_wide_max` levels from its twin is a copy still when
    that is under `cm_gap_wide` of the page's closest other repeat (copies saved at 85 on seed 7's scans and
    photos: 3.3-4.4 levels, against their pages' closest genuine repeats at 10-19)."""
    cm_gap_clean_max: float = 2.0
    """The same on a page without sensor noise, where a copy is judged only when nearly exact (saved again at 95
    it is 1.6-2.2 levels off): two printings on an exported PDF's anti-aliased text were 3.4-3.7 apart."""
    cm_gap_floor: float = 3.0
    """A copy is judged only where the page's closest other repeat differs by at least this much: a screenshot
    or render that repeats its print pixel for pixel elsewhere is not judged."""
    cm_gap_repeats: int = 8
    """Other repeats the page must show before its scale is trusted."""
    cm_gap_inline: float = 1.0
    """Grey levels within which a repeat in its twin's row or column is judged by its distance (see `_copy_move`).
    """
    cm_thin: float = 1.5
    """Work pixels the keypoints of a repeat judged by its distance must spread across the line through them: a
    dashed rule's keypoints lie within 0.2 px of one line, a line of text's spread over its height."""
    cm_gap_patches: int = 8
    """Distinct patches a copied block must show: a few corners of a barcode's bars on a clean photo repeat as
    closely as a copy (seed 7, a receipt: five corners 1.9 levels apart)."""
    cm_marks: bool = True
    """Propose shifts from the page's ink marks too (`_component_shifts`), besides ORB's keypoints."""
    cm_marks_next: int = 12
    """Neighbours in sorted order each ink mark is compared with."""
    cm_marks_alike: float = 3.0
    """Mean grey difference of two marks' 4 x 4 means under which they look alike."""
    cm_marks_shifts: int = 10
    """Shifts the marks may propose beyond ORB's (most voted first): each is verified like ORB's repeats."""
    paste: bool = True
    """Look for blocks pasted from another capture (`paste.pasted_blocks`)."""
    ghost: bool = True
    """Look for regions without the page's JPEG history (`ghost.ghost_regions`)."""
    ghost_max_pixels: int = 16_000_000
    """Largest page, in pixels, whose JPEG history is read (an A4 page at 300 dpi is 8.7 million)."""


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
                                              "copy_move_pairs", "copy_move_corr", "copy_move_gap",
                                              "copy_move_region", "pasted_regions",
                                              "jpeg_grid_strength",
                                              "jpeg_grid_offset", "jpeg_history_quality",
                                              "compression_mismatches")}
    if h < MIN_SIDE or w < MIN_SIDE:
        return PixelReport(Report(features=none, unchecked=(f"pixel forensics: page {page.index + 1} is {w} x {h} "
                                                           "pixels, too small to analyse",)), None, 1.0)
    grey, s = _work(page)
    r, flat = _residual(grey)
    feats = dict(none)
    signals: list[Signal] = []
    unchecked: list[str] = []
    nmap, level, sig, f = _noise(grey, r, flat, s, page, p, jpeg)
    feats.update(f)
    signals += sig
    # Pages without sensor noise (screenshots, clean renders, scans pushed to pure white) are common and
    # honest: their noise features stay None instead of adding an 'unchecked' note to every such page.
    sig, f, _note = _copy_move(grey, r, flat, s, page, p, level, jpeg)
    signals += sig
    feats.update(f)
    if p.paste:
        sig = pasted_blocks(page, s)
        signals += sig
        feats[f"{CHECK_ID}.pasted_regions"] = float(len(sig))
    if p.ghost and h * w > p.ghost_max_pixels:
        unchecked.append(f"pixel forensics: page {page.index + 1} is {w} x {h} pixels, over "
                         f"{p.ghost_max_pixels / 1e6:.0f} million: its JPEG history was not read")
    elif p.ghost:
        sig, f = ghost_regions(page)
        # A block both tests find is one finding: the pasted block, with its cut sides, says more.
        signals += [g for g in sig if not any(o.id == "pixel.pasted_region" and o.box and _covered(g.box, o.box) > 0.5
                                              for o in signals)]
        feats.update({f"{CHECK_ID}.{k}": v for k, v in f.items()})
    if jpeg:
        feats.update(_jpeg_grid(grey))
    return PixelReport(Report(tuple(signals), feats, tuple(unchecked)), nmap, s)


# ------------------------------------------------------------------ noise consistency


def _noise(grey, r, flat, s, page: Page, p: PixelParams, jpeg: bool = False):
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
    if jpeg:
        ratio[(ratio < 0) & (expect < p.noise_clean_min_jpeg)] = 0.0
    lim = np.log2(p.noise_ratio)
    bad = (np.abs(np.nan_to_num(ratio)) >= lim).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(cv2.morphologyEx(bad, cv2.MORPH_CLOSE, np.ones((3, 3))), 4)
    # What is much darker than the paper and joined to the picture's edge is the desk or the scanner's lid round
    # the sheet (with any dark band the sheet prints along that edge): its texture is not the paper's noise.
    dark = (mean < p.noise_desk * float(np.median(mean))).astype(np.uint8)
    _, dlab = cv2.connectedComponents(dark, connectivity=4)
    edge = np.unique(np.concatenate([dlab[0], dlab[-1], dlab[:, 0], dlab[:, -1]]))
    desk = cv2.dilate((np.isin(dlab, edge[edge > 0])).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
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
        if x == 0 or y == 0 or x + bw >= nbx or y + bh >= nby or (core & desk).any():
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


def _shift_clusters(grey: np.ndarray, p: PixelParams) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Keypoints matched against the page's own, grouped by shift: (median shift, source points, their
    matches), most populous first. ORB on the work image, each keypoint with its nearest look-alikes."""
    orb = cv2.ORB_create(nfeatures=p.cm_features, fastThreshold=12, edgeThreshold=15, patchSize=15)
    kps, des = orb.detectAndCompute(grey, None)
    if des is None or len(kps) < p.cm_min_pairs * 2:
        return []
    pts = np.float32([k.pt for k in kps])
    matches = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(des, des, k=3)
    # Each keypoint's look-alikes as arrays, in the matcher's order. The keypoint itself is among its matches, at
    # distance 0, but not always first: a copy's keypoint ties with it, and skipping the first match would then
    # skip the copy.
    trio = np.array([(m.queryIdx, m.trainIdx, m.distance) for ms in matches for m in ms], np.float64).reshape(-1, 3)
    q, t = trio[:, 0].astype(np.intp), trio[:, 1].astype(np.intp)
    keep = (q != t) & (trio[:, 2] <= p.cm_max_hamming)
    src_a, dst_a = pts[q[keep]], pts[t[keep]]
    d = dst_a - src_a
    far = np.hypot(d[:, 0], d[:, 1]) >= p.cm_min_shift
    src_a, dst_a, d = src_a[far], dst_a[far], d[far]
    # One orientation per pair, so A->B and B->A land in the same shift cluster.
    flip = (d[:, 0] < 0) | ((d[:, 0] == 0) & (d[:, 1] < 0))
    src_a, dst_a = np.where(flip[:, None], dst_a, src_a), np.where(flip[:, None], src_a, dst_a)
    if len(src_a) < 3:
        return []
    d_all = dst_a - src_a
    _, inv, counts = np.unique(np.round(d_all / 6).astype(np.int32), axis=0, return_inverse=True, return_counts=True)
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for k in np.argsort(-counts)[:60]:
        if counts[k] < 3:
            break
        # A clone's pairs share one shift to a pixel, but rounding can split them over neighbouring bins:
        # gather every pair within 4 px of this bin's median shift.
        centre = np.median(d_all[inv.ravel() == k], axis=0)
        if any(np.abs(centre - c).max() <= 4 for c, _, _ in out):
            continue
        sel = np.abs(d_all - centre).max(axis=1) <= 4
        out.append((centre, src_a[sel], dst_a[sel]))
    return out


def _ink_components(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The page's ink marks (characters, strokes) of a size that says something: their centroids, (width,
    height) and a 16-value description (the 4 x 4 means of the 16 x 16 patch around the centroid)."""
    h, w = grey.shape
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 20)
    # Each mark's outer outline (a hole's outline is not a mark; a mark inside a hole, such as text in a table's
    # cell, is): a fifth of the time connected components with their statistics take on an A4 page.
    outlines, tree = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if tree is None:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.int64), np.zeros((0, 16), np.float32)
    st = np.array([cv2.boundingRect(c) for c, parent in zip(outlines, tree[0][:, 3], strict=True) if parent < 0],
                  np.int64).reshape(-1, 4)
    cen = st[:, :2] + (st[:, 2:] - 1) / 2  # the box's centre: a copy's marks sit exactly the shift from their source
    q = np.floor(cen).astype(np.int64)  # floor, not round: rounding halves to even splits a shift's pairs
    # Ink inside the box, from the integral image: a speck of noise spread over a box is no mark.
    total = cv2.integral(ink // 255)
    x0, y0, x1, y1 = st[:, 0], st[:, 1], st[:, 0] + st[:, 2], st[:, 1] + st[:, 3]
    area = total[y1, x1] - total[y0, x1] - total[y1, x0] + total[y0, x0]
    keep = ((st[:, 2] >= 4) & (st[:, 3] >= 4) & (st[:, 2] <= 64) & (st[:, 3] <= 64) & (area >= 12)
            & (q[:, 0] >= PATCH) & (q[:, 1] >= PATCH) & (q[:, 0] + PATCH <= w) & (q[:, 1] + PATCH <= h))
    q, cen, size = q[keep], cen[keep].astype(np.float32), st[keep, 2:4]
    off = np.arange(-PATCH, PATCH)
    patches = grey[q[:, 1, None, None] + off[None, :, None], q[:, 0, None, None] + off[None, None, :]]
    feat = patches.astype(np.float32).reshape(-1, 4, PATCH // 2, 4, PATCH // 2).mean(axis=(2, 4)).reshape(-1, 16)
    return cen, size, feat


def _component_shifts(grey: np.ndarray, p: PixelParams, known: list[np.ndarray]
                      ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Candidate shifts ORB's keypoints did not pair, proposed by the page's ink marks: (shift, source points,
    their matches), as `_shift_clusters` gives them, each shift not within 4 px of one in `known`.

    ORB keeps the page's strongest corners, and dense print takes them all: a block copied out of sparser print
    often kept none. Every mark of a character's size counts here, however faint. Marks of one size and nearly
    one look are paired (neighbours in sorted order); a shift is proposed where marks of one compact area all
    find their twin at it. Genuine print repeats words at many shifts and is proposed too: the tests of
    `_copy_move` decide, as for ORB's repeats.
    """
    h, w = grey.shape
    cen, size, feat = _ink_components(grey)
    n = len(cen)
    if n < 2 * p.cm_min_pairs:
        return []
    order = np.lexsort((feat.mean(axis=1), size[:, 1], size[:, 0]))
    so, fo, co = size[order], feat[order], cen[order]
    shifts = []
    for k in range(1, p.cm_marks_next + 1):
        ok = (so[:-k] == so[k:]).all(axis=1) & (np.abs(fo[:-k] - fo[k:]).mean(axis=1) <= p.cm_marks_alike)
        shifts.append(co[k:][ok] - co[:-k][ok])
    d = np.concatenate(shifts)
    d[(d[:, 0] < 0) | ((d[:, 0] == 0) & (d[:, 1] < 0))] *= -1
    d = d[np.hypot(d[:, 0], d[:, 1]) >= p.cm_min_shift]
    if len(d) < 3:
        return []
    bins, counts = np.unique(np.round(d / 2).astype(np.int32), axis=0, return_counts=True)
    # Where each mark's centroid falls, to look its twin up at a shift.
    at = np.full((h + 2, w + 2), -1, np.int32)
    q = np.floor(cen).astype(np.int64)  # floor, not round: rounding halves to even splits a shift's pairs
    at[q[:, 1] + 1, q[:, 0] + 1] = np.arange(n)
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    tried = 0
    for b in np.argsort(-counts, kind="stable"):
        if counts[b] < 3 or tried >= p.cm_marks_shifts:
            break
        centre = np.median(d[np.abs(d - bins[b] * 2).max(axis=1) <= 2], axis=0)
        if any(np.abs(centre - c).max() <= 4 for c in [*known, *(o[0] for o in out)]):
            continue
        tried += 1
        # Every mark whose twin sits at this shift (within a pixel), of the same size and look.
        tx, ty = int(round(centre[0])), int(round(centre[1]))
        twin = np.full(n, -1)
        for oy in (-1, 0, 1):
            for ox in (-1, 0, 1):
                x, y = q[:, 0] + tx + ox + 1, q[:, 1] + ty + oy + 1
                inside = (x >= 0) & (y >= 0) & (x < w + 2) & (y < h + 2)
                j = np.full(n, -1)
                j[inside] = at[y[inside], x[inside]]
                twin = np.where(twin < 0, j, twin)
        i = np.flatnonzero(twin >= 0)
        j = twin[i]
        alike = ((np.abs(size[i] - size[j]) <= 1).all(axis=1)
                 & (np.abs(feat[i] - feat[j]).mean(axis=1) <= p.cm_marks_alike))
        i, j = i[alike], j[alike]
        if len(i) < p.cm_min_pairs:
            continue
        # A copy is one compact block: keep the largest group of sources within a cell's reach of each other.
        cell = 4 * PATCH * 3
        gx, gy = (cen[i, 0] // cell).astype(np.int32), (cen[i, 1] // cell).astype(np.int32)
        grid = np.zeros((h // cell + 1, w // cell + 1), np.uint8)
        grid[gy, gx] = 1
        _, lab = cv2.connectedComponents(grid, connectivity=8)
        g = lab[gy, gx]
        main = g == np.bincount(g).argmax()
        if main.sum() < p.cm_min_pairs:
            continue
        a, b2 = cen[i[main]], cen[j[main]]
        out.append((np.median(b2 - a, axis=0), a, b2))
    return out


def _copy_move(grey, r, flat, s, page: Page, p: PixelParams, level: float, jpeg: bool = False):
    feats: dict[str, float | None] = {f"{CHECK_ID}.copy_move_pairs": 0.0, f"{CHECK_ID}.copy_move_corr": None}
    clusters = _shift_clusters(grey, p)
    n_orb = len(clusters)
    if p.cm_marks:
        clusters += _component_shifts(grey, p, [c for c, _, _ in clusters])
    signals: list[Signal] = []
    best_corr = None
    measurable = 0
    candidates = 0
    # How far each repeat's pixels are from its twin's: the page's own scale of genuine repeats.
    # Only ORB's repeats set that scale: the marks propose repeats for being alike, and would pull it down.
    spread = [_patch_distance(grey, a, tuple(centre)) for centre, a, _ in clusters[:n_orb]]
    best_gap = None
    gap_signals: list[Signal] = []
    noisy = level >= p.noise_floor
    tones: list[bool] = []

    def two_tone() -> bool:
        """Whether the page is a fax's two tones, asked once."""
        if not tones:
            tones.append(_bilevel(grey))
        return tones[0]
    for ci, (_centre, a, b) in enumerate(clusters):
        if len(a) < p.cm_min_pairs:
            continue
        M, inl = cv2.estimateAffinePartial2D(a, b, method=cv2.RANSAC, ransacReprojThreshold=3.0)
        if M is None or inl is None or int(inl.sum()) < p.cm_min_pairs:
            continue
        candidates += 1
        keep = inl.ravel() > 0
        a = a[keep]
        dx, dy = (float(v) for v in np.median(b[keep] - a, axis=0))
        if ci >= n_orb and _in_line(dx, dy):
            # The marks propose repeats for looking alike, and a receipt's columns and rows are full of those
            # (seed 7, a photographed receipt: one price 144 px along its row, 2.1 levels off). A forger's
            # copy seldom lands in its source's row or column: there, only ORB's repeats are judged.
            continue
        corr, _ = _identity(grey, a, (dx, dy))
        coded: list[bool] = []  # whether the pair lies in a printed code: asked at most once, and only if needed
        if corr is None and (noisy or not two_tone()):
            continue
        if corr is not None:
            measurable += 1
            best_corr = corr if best_corr is None else max(best_corr, corr)
        x0, y0 = a.min(axis=0) - 6
        x1, y1 = a.max(axis=0) + 6
        src_box = _px_box((x0, y0, x1, y1), s, page)
        dst_box = _px_box((x0 + dx, y0 + dy, x1 + dx, y1 + dy), s, page)
        if any(_iou(box, sg.box) > 0.3 for box in (src_box, dst_box) for sg in signals + gap_signals if sg.box):
            continue
        # Which of the two is the copy the pixels cannot say (the pair's order is only left to right), so
        # each finding is reported on both blocks, each naming the other.
        if noisy and corr >= p.cm_corr and not _in_code(page, src_box, dst_box, coded):
            for here, there in ((dst_box, src_box), (src_box, dst_box)):
                signals.append(Signal("pixel.copy_move", "high",
                                      f"A block is a pixel-exact copy of another part of the page at {there} "
                                      f"({corr:.0%} of its pixels identical): one was cloned from the other after "
                                      "capture", page.index, here, measured=round(corr, 4),
                                      expected=f"< {p.cm_corr} (a reprint differs by its noise)"))
            continue
        # A block overlapping its own twin is print repeating at its own pitch (seed 7, a photo: a column of
        # characters 40 px apart), not a copy.
        apart = abs(dx) >= x1 - x0 or abs(dy) >= y1 - y0
        if not noisy and apart and not _in_line(dx, dy) and (corr is None or corr >= p.cm_exact):
            # A page without noise (a screenshot, a render, a fax's two tones) repeats a word pixel for pixel, but
            # not two lines together, out of their column and row. The lines are counted over the matched
            # keypoints' box, and over all the ink that is the same at the shift around them (`_exact_block`):
            # the keypoints may hold one line of the copy, and a fax leaves no pixel for `_identity` to compare.
            blocks = [(x0, y0, x1, y1)] if corr is not None else []
            block = _exact_block(grey, a, (dx, dy))
            blocks += [block] if block is not None else []
            counted = []
            for bx0, by0, bx1, by1 in blocks:
                crop = grey[max(0, int(by0)):int(by1), max(0, int(bx0)):int(bx1)].astype(np.float32)
                counted.append((_text_lines(crop, np.ones(crop.shape, bool), 1) if crop.size else 0,
                                (bx0, by0, bx1, by1)))
            lines, (bx0, by0, bx1, by1) = max(counted, key=lambda c: c[0]) if counted else (0, (0, 0, 0, 0))
            b_src = _px_box((bx0, by0, bx1, by1), s, page)
            b_dst = _px_box((bx0 + dx, by0 + dy, bx1 + dx, by1 + dy), s, page)
            if lines >= 2 and not _in_code(page, b_src, b_dst, coded):
                for here, there in ((b_dst, b_src), (b_src, b_dst)):
                    signals.append(Signal(
                        "pixel.copy_move", "medium",
                        f"A block of {lines} lines is a pixel-exact copy of another part of the page at {there} "
                        f"({'all its ink' if corr is None else f'{corr:.0%} of its pixels'} identical): a page "
                        "repeats a word so, not lines together",
                        page.index, here, measured=1.0 if corr is None else round(corr, 4),
                        expected=f"< {p.cm_exact} over two lines or more"))
                continue
        if corr is None:
            continue
        d = _patch_distance(grey, a, (dx, dy), least=p.cm_gap_patches)
        floor = min((v for j, v in enumerate(spread) if j != ci and v is not None), default=None)
        n_other = sum(v is not None for j, v in enumerate(spread) if j != ci)
        if d is None or floor is None or n_other < p.cm_gap_repeats:
            continue
        gap = d / max(floor, 1e-6)
        best_gap = gap if best_gap is None else min(best_gap, gap)
        # On a JPEG file's own pixels, print repeated a whole number of 8-pixel blocks away comes out of the
        # encoder alike; with no sensor noise to set the two apart, such a pair proves nothing.
        aligned = jpeg and s == 1.0 and round(dx) % 8 == 0 and round(dy) % 8 == 0
        # A render puts print of one column (or one row) on the same phase: a form's labels down its left
        # column repeat 1-2 levels apart on an exported PDF (seed 7). Without noise, such a pair proves nothing.
        aligned = aligned or abs(dx) <= 1.5 or abs(dy) <= 1.5
        close = d <= (p.cm_gap_max if noisy else p.cm_gap_clean_max) and gap <= p.cm_gap
        # Saved again at 85, a copy on a noisy page can sit 3-5 levels off its source: still judged where the
        # page's genuine repeats are three times as far, and apart from its twin.
        # Not for repeats the ink marks proposed: picked for looking alike, a photographed receipt's two item
        # lines came 4.7 levels apart where its ORB repeats were 14.5 (fresh seed 941).
        close = close or (noisy and apart and d <= p.cm_gap_wide_max and gap <= p.cm_gap_wide and ci < n_orb)
        # A copy brings the page's noise along with its print: print alike to half a level whose noise is not
        # (under cm_region_noise of its unclipped pixels equal) was printed twice. Fresh seed 1061, a genuine
        # receipt screenshot barely over the noise floor (0.17): two item lines 57 px apart, 0.0 levels, 15%.
        printed = noisy and d < 0.5 and corr < p.cm_region_noise
        # A rule's dashes repeat along it, and two dashed rules of a receipt match dash for dash (fresh seed 1131,
        # a photographed receipt: 2.6 levels apart, every keypoint within 0.2 px of one line). A block copied holds
        # print across as well as along.
        printed = printed or _thin(a) < p.cm_thin
        # A form prints its labels down one column: a word of two labels a whole number of lines apart sits on one
        # phase and comes out of a clean scan alike (dev seed 1117, a scanned letter: 授权 of 授权平台 and
        # 授权期限 exactly 112 px apart, 2.1 levels, where the page's other repeats were 4.9). Exactly in its
        # source's column or row, only a copy as near as a lossless one is judged by its distance. (Within two
        # degrees of it, as `_in_line` allows, cost 2 of dev seed 1111's 252 clones: receipts are narrow.)
        printed = printed or (min(abs(dx), abs(dy)) <= 0.5 and d > p.cm_gap_inline)
        # A QR code repeats its three finder squares by design (fresh seed 1061, a genuine licence exported as a
        # scanned PDF: two finders 1.2 levels apart): repeats inside a readable code are its print. Asked last:
        # zxing-cpp on the blocks' surroundings costs more than every test above.
        if close and not printed and floor >= p.cm_gap_floor and (noisy or not aligned) \
                and not _in_code(page, src_box, dst_box, coded):
            # Without sensor noise a render can repeat its print pixel for pixel: the evidence is weaker there.
            for here, there in ((dst_box, src_box), (src_box, dst_box)):
                gap_signals.append(Signal(
                    "pixel.copy_move", "high" if noisy else "medium",
                    f"A block is nearly the same pixels as another part of the page at {there}: they differ by "
                    f"{d:.1f} grey levels on average, where the page's closest other repeated print differs by "
                    f"{floor:.1f}. One was copied from the other on the file"
                    + ("" if d < 1 else ", then saved again"),
                    page.index, here, measured=round(d, 2),
                    expected=f"> {p.cm_gap * floor:.1f} (half the page's closest genuine repeat)"))
    feats[f"{CHECK_ID}.copy_move_pairs"] = float(candidates)
    feats[f"{CHECK_ID}.copy_move_corr"] = None if best_corr is None else round(best_corr, 4)
    feats[f"{CHECK_ID}.copy_move_gap"] = None if best_gap is None else round(best_gap, 4)
    note = None
    if not noisy:
        # Pages without sensor noise (digital renders, screenshots) can repeat words pixel for pixel: identity
        # proves nothing there; only a repeat far closer than the page's others is reported (gap_signals).
        note = (f"copy-move, page {page.index + 1}: the page carries no sensor noise, so a clone is told from "
                "repeated print only by the page's other repeats")
    elif candidates and not measurable:
        note = (f"copy-move, page {page.index + 1}: {candidates} repeated block(s) found but the page has too little "
                "scan noise to tell a clone from repeated print")
    signals += [sg for sg in gap_signals if not any(_iou(sg.box, o.box) > 0.3 for o in signals if sg.box and o.box)]
    regions, largest = _region_copies(grey, clusters, s, page, p, noisy=noisy, n_orb=n_orb)
    feats[f"{CHECK_ID}.copy_move_region"] = largest
    signals += [sg for sg in regions if not any(_iou(sg.box, o.box) > 0.3 for o in signals if sg.box and o.box)]
    return signals, feats, note


def _thin(a: np.ndarray) -> float:
    """Spread (standard deviation, pixels) of points across the straight line that best fits them."""
    if len(a) < 3:
        return 0.0
    c = np.asarray(a, np.float64)
    return float(np.sqrt(max(np.linalg.eigvalsh(np.cov((c - c.mean(axis=0)).T))[0], 0.0)))


def _windows(a: np.ndarray, n: int) -> np.ndarray:
    """Means over n x n windows (the array cut to whole windows)."""
    ny, nx = a.shape[0] // n, a.shape[1] // n
    return cv2.resize(a[:ny * n, :nx * n], (nx, ny), interpolation=cv2.INTER_AREA)


def region_scale(h: int, w: int, p: PixelParams) -> float:
    """Scale from the work image to the one repeated regions are compared on: `cm_region_width` wide, but a
    long thin strip (a till roll) is not blown up past four such widths tall, so work stays bounded."""
    return min(p.cm_region_width / w, 4 * p.cm_region_width / h)


def _region_copies(grey: np.ndarray, clusters, s: float, page: Page, p: PixelParams,
                   noisy: bool, n_orb: int | None = None) -> tuple[list[Signal], float]:
    """Regions of several lines whose content recurs, window for window, at one shift elsewhere on the page.

    The pixel identity test above needs the clone's noise intact, which a JPEG save after the edit destroys.
    This one compares content: each window of the shifted pair must correlate (NCC), so it survives
    re-compression. Genuine documents repeat content too, but only a word, a date or a ruled line at a time:
    a region must span several window rows of text-like ink (ruled lines, whose texture runs one way, match
    along themselves and are left out). A block genuinely printed twice (a receipt's second copy) is told apart
    by its noise where the page has any: two captures differ at most pixels, a copy and its source do not.
    Work is at a fixed page width so windows are a share of the page.
    Returns the signals (one per region of the pair: which is the copy the pixels cannot say) and the largest
    region's matched windows as a share of the page's (a measurement in the JSON).
    """
    h, w = grey.shape
    k = region_scale(h, w, p)
    gh, gw = max(1, int(round(h * k))), max(1, int(round(w * k)))
    n = p.cm_window
    page_windows = (gh // n) * (gw // n)
    best: tuple[int, float, tuple[float, float, float, float], tuple[int, int]] | None = None
    largest = 0
    for ci, (centre, a, _b) in enumerate(clusters):
        if len(a) < p.cm_min_pairs:
            continue  # a word's few corners; a region of several lines yields many
        marks = n_orb is not None and ci >= n_orb
        if marks and (_in_line(*centre) or not noisy):
            # Repeats the ink marks proposed are judged out of their row and column only, and only where the
            # page's noise can tell two printings apart: a receipt photographed without noise repeats two item
            # lines 149 px apart and a few px askew, window for window (seed 7).
            continue
        # The area around the keypoints, in work pixels, padded by four windows; one area valid for the shift.
        pad = 4 * n / k
        x0, y0 = np.floor(a.min(axis=0) - pad).astype(int)
        x1, y1 = np.ceil(a.max(axis=0) + pad).astype(int)
        cx, cy = int(round(centre[0])), int(round(centre[1]))
        X0, Y0 = max(0, x0, 1 - cx), max(0, y0, 1 - cy)
        X1, Y1 = min(w, x1, w - cx - 1), min(h, y1, h - cy - 1)
        size = (int((X1 - X0) * k), int((Y1 - Y0) * k))
        if size[0] < p.cm_region_rows * n or size[1] < p.cm_region_rows * n:
            continue
        # A copy made on the file sits a whole number of the file's pixels from its source. The closest of the
        # neighbouring whole shifts is taken there, and both sides are resampled from the same phase of that
        # grid: compared on a grid of their own, sharp print a fraction of a pixel apart loses the match.
        area = grey[Y0:Y1, X0:X1]
        tx, ty = min(((cx + ddx, cy + ddy) for ddx in (-1, 0, 1) for ddy in (-1, 0, 1)
                      if 0 <= X0 + cx + ddx and X1 + cx + ddx <= w and 0 <= Y0 + cy + ddy and Y1 + cy + ddy <= h),
                     key=lambda t: cv2.norm(area, grey[Y0 + t[1]:Y1 + t[1], X0 + t[0]:X1 + t[0]], cv2.NORM_L1),
                     default=(cx, cy))
        if not (0 <= X0 + tx and X1 + tx <= w and 0 <= Y0 + ty and Y1 + ty <= h):
            continue
        how = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
        g = cv2.resize(area, size, interpolation=how).astype(np.float32)
        twin = cv2.resize(grey[Y0 + ty:Y1 + ty, X0 + tx:X1 + tx], size, interpolation=how).astype(np.float32)
        src = _WindowStats(g, cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1), n, p)
        if not src.textured.any():
            continue
        found = src.same_region(twin, p)
        if found is None:
            continue
        matched, identity, (bx, by, bw, bh), lines = found
        largest = max(largest, matched)
        # Several lines of text: four window rows, or two lines whose ink matches (a one-line repeat of a name
        # or a date, printed large, can span three rows). A form's labels repeat two lines at a time down one
        # column (an invoice's buyer and seller blocks): there, four rows are needed still.
        several = bh >= p.cm_region_rows or (lines >= 2 and not _in_line(tx, ty))
        if not several or matched < p.cm_region_windows or identity < p.cm_region_identity:
            continue
        if abs(tx * k) < bw * n and abs(ty * k) < bh * n:
            continue  # a region overlapping its own twin is a periodic pattern (a column of one word, a dashed rule)
        if not noisy and _in_line(tx, ty):
            # Without noise, a form repeats its labels exactly down their column, four lines and more (fresh seed
            # 1087, a genuine invoice screenshot: the buyer's and the seller's name, number, address and bank).
            # Nothing tells a copy there from the form's print.
            continue
        if best is None or matched > best[0]:
            # The region in work pixels.
            box = (X0 + bx * n / k, Y0 + by * n / k, X0 + (bx + bw) * n / k, Y0 + (by + bh) * n / k)
            if noisy and (_in_line(tx, ty) or marks):
                # A block printed twice on a page with noise (a receipt's item lines down a column) differs from
                # its twin at most pixels. A copy's noise survives unless the file was saved again as JPEG,
                # which leaves as few pixels equal; but a forger's copy seldom lands in its source's column or
                # row, where genuine repeats are: the veto holds there only (a real receipt's two lines, 88 px
                # apart in one column, are the one region of seed 7 and the real documents it keeps quiet).
                # Repeats the ink marks proposed are held to it everywhere: they were picked for looking alike
                # (seed 7, a photographed receipt: two item lines 149 px apart, their print a few px askew).
                same_noise, _ = _identity(grey, np.float32([[box[0], box[1]], [box[2], box[3]]]), (tx, ty))
                if same_noise is not None and same_noise < p.cm_region_noise:
                    continue
            best = (matched, identity, box, (tx, ty))
    signals: list[Signal] = []
    if best is not None:
        matched, identity, (x0, y0, x1, y1), (tx, ty) = best
        one = _px_box((x0, y0, x1, y1), s, page)
        other = _px_box((x0 + tx, y0 + ty, x1 + tx, y1 + ty), s, page)
        for here, there in ((other, one), (one, other)):
            signals.append(Signal(
                "pixel.copy_move", "high",
                f"The region at {here} shows the same content as the region at {there}, window for window "
                f"({identity:.0%} of its textured windows alike, {matched} windows over several lines): one "
                "was copied from the other on the file", page.index, here,
                measured=round(matched / page_windows, 4),
                expected="a word or a ruled line at most (genuine print repeats no larger block)"))
    return signals, round(largest / max(1, page_windows), 4)


def _text_lines(a: np.ndarray, windows: np.ndarray, n: int) -> int:
    """Lines of text the ink inside the given n x n windows of `a` makes: runs of pixel rows holding ink (darker
    than halfway between paper and print), at least 4 px tall and three times as wide, apart by 2 blank rows."""
    mask = np.kron(windows, np.ones((n, n), bool))
    part = a[:mask.shape[0], :mask.shape[1]]
    lo, hi = np.percentile(part[mask], (2, 90))
    if hi - lo < 40:
        return 0
    ink = (part < (lo + hi) / 2) & mask
    rows = ink.sum(axis=1) >= 2
    rows[1:-1] |= rows[:-2] & rows[2:]  # a single blank row inside a line does not end it
    edges = np.diff(np.concatenate(([0], rows.astype(np.int8), [0])))
    runs = []
    for y0, y1 in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        cols = np.flatnonzero(ink[y0:y1].any(axis=0))
        # A line of text runs along: its ink spans three times its height (a character's strokes, 二 or 日,
        # make rows of ink too, as wide as they are tall).
        if y1 - y0 >= 4 and len(cols) > 0 and cols[-1] - cols[0] >= 3 * (y1 - y0):
            runs.append((int(y0), int(cols[-1] - cols[0])))
    # ... and three times its pitch: two characters side by side, cut by the same blank row, make two runs each
    # three times as wide as it is tall, but no wider than the two runs are apart (fresh seed 1073, a genuine
    # screenshot letter: 平台, 35 x 30 px, taken for two lines and reported as two lines copied).
    pitch = min((b[0] - a[0] for a, b in zip(runs, runs[1:], strict=False)), default=0)
    return sum(span >= 3 * pitch for _, span in runs)


def _in_line(dx: float, dy: float) -> bool:
    """A shift along the page's rows or columns, within two degrees and two pixels (a photo's slight turn)."""
    lo, hi = sorted((abs(dx), abs(dy)))
    return lo <= 2 + 0.035 * hi


class _WindowStats:
    """One side of a candidate pair, measured in n x n windows: mean, variance and whether its ink is text-like."""

    def __init__(self, a: np.ndarray, gx: np.ndarray, gy: np.ndarray, n: int, p: PixelParams) -> None:
        self.a, self.n = a, n
        self.mean = _windows(a, n)
        self.var = _windows(a * a, n) - self.mean * self.mean
        coherence = _tensor_coherence(_windows(gx * gx, n), _windows(gy * gy, n), _windows(gx * gy, n))
        self.spread = p.cm_region_texture ** 2
        self.textured = (self.var >= self.spread) & (coherence < p.cm_region_coherence)

    def same_region(self, b: np.ndarray, p: PixelParams):
        """The largest group of windows where `b` holds the same text-like content: (windows matched, share of
        the group's textured windows matched, window box (x, y, w, h), lines of text its matched windows hold);
        None when there is none."""
        n = self.n
        mb = _windows(b, n)
        vb = _windows(b * b, n) - mb * mb
        textured = self.textured & (vb >= self.spread)
        if not textured.any():
            return None
        ncc = (_windows(self.a * b, n) - self.mean * mb) / np.sqrt(np.maximum(self.var * vb, 1e-6))
        same = textured & (ncc >= p.cm_region_ncc)
        if not same.any():
            return None
        # Windows with text on one side only count against the match: a block copied carries its blanks with it,
        # while a name printed twice has other lines round each printing (A-971-000011, a genuine letter: the
        # licensor's name in the header, with the licensee's under it, and in the body, with blank paper under it).
        bx, by = cv2.Sobel(b, cv2.CV_32F, 1, 0), cv2.Sobel(b, cv2.CV_32F, 0, 1)
        b_coherence = _tensor_coherence(_windows(bx * bx, n), _windows(by * by, n), _windows(bx * by, n))
        either = self.textured | ((vb >= self.spread) & (b_coherence < p.cm_region_coherence))
        joined = cv2.morphologyEx(same.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        best = None
        for j in range(1, count):
            matched = int((same & (labels == j)).sum())
            if best is None or matched > best[0]:
                x, y, bw, bh = (int(v) for v in stats[j, :4])
                tex = int(either[y:y + bh, x:x + bw].sum())
                best = (matched, matched / max(1, tex), (x, y, bw, bh), j)
        if best is None:
            return None
        matched, share, box, j = best
        return matched, share, box, _text_lines(self.a, same & (labels == j), n)


MAX_PATCHES = 60
"""Keypoints of one repeat whose patches are compared (the median of 60 is steady; cost stays bounded)."""
PATCH = 8
"""Half the side of a compared patch, in work pixels."""


def _tensor_coherence(jxx, jyy, jxy):
    """Coherence of a structure tensor (sums of gx*gx, gy*gy, gx*gy): 1 for ink that runs one way (a ruled
    line, a barcode's bar), low for characters."""
    return np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / np.maximum(jxx + jyy, 1e-6)


def _coherence(patches: np.ndarray) -> np.ndarray:
    """Structure-tensor coherence of each patch of a stack."""
    f = patches.astype(np.float32)
    gx, gy = np.diff(f, axis=2)[:, :-1, :], np.diff(f, axis=1)[:, :, :-1]
    return _tensor_coherence((gx * gx).sum(axis=(1, 2)), (gy * gy).sum(axis=(1, 2)), (gx * gy).sum(axis=(1, 2)))


def _patch_distance(grey: np.ndarray, pts: np.ndarray, shift: tuple[float, float],
                    coherence: float = 0.75, least: int = 3) -> float | None:
    """How far a repeat's pixels are from its twin's: the median over its keypoints of the mean absolute grey
    difference between the 16 x 16 patch around the point and the patch `shift` away, at the best of the nine
    whole-pixel shifts around it. Keypoints a few pixels apart (ORB finds a corner at several scales) are one
    patch. None when fewer than `least` patches could be compared.

    Unlike the identity test this measures a distance, so a clone saved again as JPEG (a few grey levels off
    its source) still stands apart from two genuine printings of a word (sub-pixel phase, blur and noise set
    them 3-20 levels apart). Clipped pixels, equal in any two printings, are not counted, nor patches whose ink
    runs one way (`coherence`): a straight edge of a rule or a barcode's bar looks the same all along it.
    """
    h, w = grey.shape
    q = np.round(pts).astype(np.int64)
    _, first = np.unique(q // 4, axis=0, return_index=True)
    q = q[np.sort(first)][:MAX_PATCHES]
    tx, ty = int(round(shift[0])), int(round(shift[1]))
    m = PATCH + 1  # the twin's patch is cut one pixel wider on each side, for the nine offsets
    q = q[(q[:, 0] >= PATCH) & (q[:, 1] >= PATCH) & (q[:, 0] + PATCH <= w) & (q[:, 1] + PATCH <= h)
          & (q[:, 0] + tx >= m) & (q[:, 1] + ty >= m) & (q[:, 0] + tx + m <= w) & (q[:, 1] + ty + m <= h)]
    if len(q) < least:
        return None
    off, wide = np.arange(-PATCH, PATCH), np.arange(-m, m)
    a = grey[q[:, 1, None, None] + off[None, :, None], q[:, 0, None, None] + off[None, None, :]].astype(np.int16)
    bw = grey[q[:, 1, None, None] + ty + wide[None, :, None],
              q[:, 0, None, None] + tx + wide[None, None, :]].astype(np.int16)
    shaped = _coherence(a) < coherence
    live_a = (a > CLIP_LO) & (a < CLIP_HI)
    best = None
    side = 2 * PATCH
    for oy in range(3):
        for ox in range(3):
            b = bw[:, oy:oy + side, ox:ox + side]
            live = live_a | ((b > CLIP_LO) & (b < CLIP_HI))
            n = live.sum(axis=(1, 2))
            keep = (n >= 20) & shaped
            if int(keep.sum()) < least:
                continue
            per = (np.abs(a - b) * live).sum(axis=(1, 2))[keep] / n[keep]
            v = float(np.median(per))
            if best is None or v < best:
                best = v
    return best


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
            # Counted with OpenCV's masks (255 or 0): a fifth of numpy's time, on the slowest pages' hundreds of
            # calls.
            m = cv2.bitwise_or(cv2.inRange(ga, CLIP_LO + 1, CLIP_HI - 1), cv2.inRange(gb, CLIP_LO + 1, CLIP_HI - 1))
            n = cv2.countNonZero(m)
            if n < 200:
                continue
            same = cv2.countNonZero(cv2.bitwise_and(cv2.inRange(cv2.absdiff(ga, gb), 0, 1), m)) / n
            if best[0] is None or same > best[0]:
                best = (same, n)
    return best


EXACT_INK = 200
"""Grey level below which a pixel is ink, for `_exact_block`."""
EXACT_WINDOW = 31
"""Window (pixels) in which a copy's ink must be all identical to its twin's, and hold EXACT_MIN_INK ink pixels."""
EXACT_MIN_INK = 20
EXACT_REACH = 400
"""Pixels around the matched keypoints searched for the rest of a copy (a bench copy of 1.5% of a 200 dpi A4 page
is 330 x 175 px)."""


def _bilevel(grey: np.ndarray) -> bool:
    """A page of two tones (a fax): nearly every pixel is pure black or pure white."""
    return float(((grey <= CLIP_LO) | (grey >= CLIP_HI)).mean()) > 0.98


def _exact_block(grey: np.ndarray, pts: np.ndarray, shift: tuple[float, float]) -> tuple[int, int, int, int] | None:
    """The box of the ink around `pts` that is the same, pixel for pixel, `shift` away: where every window of
    EXACT_WINDOW pixels holding ink holds no ink that differs. Only for pages without noise, whose paper is equal
    everywhere; None when the keypoints' own ink is not all identical."""
    h, w = grey.shape
    tx, ty = int(round(shift[0])), int(round(shift[1]))
    # Within EXACT_REACH of the keypoints: a copy is a block, and the whole page costs too much on a render.
    (px0, py0), (px1, py1) = np.floor(pts.min(axis=0)).astype(int), np.ceil(pts.max(axis=0)).astype(int)
    X0, Y0 = max(0, -tx, px0 - EXACT_REACH), max(0, -ty, py0 - EXACT_REACH)
    X1, Y1 = min(w, w - tx, px1 + EXACT_REACH), min(h, h - ty, py1 + EXACT_REACH)
    if X1 - X0 < EXACT_WINDOW or Y1 - Y0 < EXACT_WINDOW:
        return None
    ga, gb = grey[Y0:Y1, X0:X1], grey[Y0 + ty:Y1 + ty, X0 + tx:X1 + tx]
    ink = (ga < EXACT_INK) | (gb < EXACT_INK)
    same = (ink & (ga == gb)).astype(np.float32)
    differ = (ink & (ga != gb)).astype(np.float32)
    k = (EXACT_WINDOW, EXACT_WINDOW)
    clean = cv2.boxFilter(differ, -1, k, normalize=False) < 0.5
    good = ((cv2.boxFilter(same, -1, k, normalize=False) >= EXACT_MIN_INK) & clean).astype(np.uint8)
    # Lines of print are apart by blank paper, which is the same everywhere: the copy's lines are joined across
    # a gap of up to two windows where no ink differs.
    good = cv2.morphologyEx(good, cv2.MORPH_CLOSE, np.ones((2 * EXACT_WINDOW, 2 * EXACT_WINDOW), np.uint8)) & clean
    n, lab = cv2.connectedComponents(good.astype(np.uint8), connectivity=8)
    q = np.floor(pts).astype(int) - (X0, Y0)
    inside = (q[:, 0] >= 0) & (q[:, 1] >= 0) & (q[:, 0] < X1 - X0) & (q[:, 1] < Y1 - Y0)
    ids = lab[q[inside, 1], q[inside, 0]]
    ids = ids[ids > 0]
    if n < 2 or len(ids) < 0.5 * len(pts):
        return None
    # The windows' centres: the copy's ink reaches a little further, the centres stay within it.
    ys, xs = np.nonzero(lab == np.bincount(ids).argmax())
    return int(xs.min()) + X0, int(ys.min()) + Y0, int(xs.max()) + X0 + 1, int(ys.max()) + Y0 + 1


def _in_code(page: Page, a: Box, b: Box, memo: list[bool]) -> bool:
    """Both blocks inside one QR code or barcode zxing-cpp reads (searched round them, their span on every side).
    The answer is kept in `memo`, so a pair that more than one test would report is read once."""
    if not memo:
        memo.append(_read_in_code(page, a, b))
    return memo[0]


def _read_in_code(page: Page, a: Box, b: Box) -> bool:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[2], b[2]), max(a[3], b[3])
    m = max(x1 - x0, y1 - y0)
    for c in code_boxes(page.image, (int(x0 - m), int(y0 - m), int(x1 + m), int(y1 + m)), margin=0):
        t = 0.1 * max(c[2] - c[0], c[3] - c[1])
        if c[0] - t <= x0 and c[1] - t <= y0 and x1 <= c[2] + t and y1 <= c[3] + t:
            return True
    return False


def _covered(a: Box, b: Box) -> float:
    """Share of box a inside box b."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area = (a[2] - a[0]) * (a[3] - a[1])
    return ix * iy / area if area > 0 else 0.0


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

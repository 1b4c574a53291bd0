"""Regions without the page's JPEG history: a block pasted on a page that had been saved as JPEG.

A page saved as JPEG keeps that save in every 8 x 8 block: the block's DCT coefficients sit on the quantisation
lattice of the save's quality, so saving the page again at that quality gives the same pixels back, give or take a
level (the "JPEG ghost"). A block pasted in afterwards, cut from another document's capture, resized or laid off
the page's 8-pixel grid, was never on that lattice: saved again at the page's quality, it changes.

The test needs no paper of another tone and no cut edge, so it sees what `paste.py` cannot: a clean scan's white
pasted on another's. It needs the page's JPEG history instead: pages never saved as JPEG (PNG screenshots,
faxes, PDFs rendered from vector text) and pages cropped or resized after their save show no quality that gives
their blocks back, and are left alone.

How:
- the page's quality is the one at which most of a sample of its textured blocks come back unchanged, and
  clearly more of them than at the qualities three steps either side (a JPEG saved again later has a second
  such quality, its last save's, where every block, pasted or not, comes back; both are tried);
- at that quality every textured block is saved again (at the first quality and then the second, when there are
  two), and a block whose unclipped pixels change by more than two levels on average does not share the page's
  history;
- blocks that do not, grouped, make a region when they are at least 24 and most of the textured blocks in
  their box, on a page whose other textured blocks almost all come back.
Clipped pixels (paper pushed to pure white, ink to black) are left out of the comparison: clipping moves a block
off its lattice by a little, and that little must not count.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appealcheck.forensics import Signal
from appealcheck.forensics.paste import holds_code
from appealcheck.models import Page


@dataclass(frozen=True)
class GhostParams:
    """Thresholds, calibrated in bench/forensics.py on genuine scans, photos and screenshots and on pastes."""

    q_lo: int = 50
    q_hi: int = 94
    """Qualities tried. Above 94 nearly any block comes back unchanged: no history can be told from none."""
    sample: int = 1024
    """Textured blocks, at most, in the sample that finds the page's quality. Of seed 941's 237 pastes, 2,048
    found one more, at twice the time; 512 found two fewer."""
    textured: float = 6.0
    """A block is judged when its grey levels spread by at least this much (standard deviation)."""
    min_pixels: int = 8
    """Unclipped pixels a block needs to be judged."""
    same: float = 1.0
    """Mean change, in grey levels, under which a sample block came back unchanged."""
    peak: float = 0.3
    """Share of the sample that must come back unchanged at the page's quality (a scan's clipped paper keeps
    many of its blocks a level or two off)."""
    prominence: float = 0.1
    """How far that share must stand above the mean of the shares three qualities either side."""
    changed: float = 2.0
    """Mean change, in grey levels, over which a block does not share the page's history."""
    min_blocks: int = 24
    """Blocks that do not, at least, for a region."""
    density: float = 0.6
    """Share of the textured blocks in the region's box that must not share it."""
    page_rate: float = 0.08
    """Share of the page's other textured blocks that may fail, at most, for its history to be trusted."""
    all_rate: float = 0.25
    """Share of all the page's textured blocks that may fail, at most: a region is a part of the page, and a
    page whose blocks fail all over did not carry the quality found (a PNG screenshot's chance peak)."""
    max_regions: int = 3
    """Regions a page may have, at most, for its history to be trusted."""
    close: int = 5
    """Blocks that fail this close (in blocks) are one region."""


def _blocks(a: np.ndarray) -> np.ndarray:
    h, w = a.shape
    nby, nbx = h // 8, w // 8
    return a[:nby * 8, :nbx * 8].reshape(nby, 8, nbx, 8).transpose(0, 2, 1, 3)


def _resave(g: np.ndarray, q: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, int(q)])
    if not ok:  # pragma: no cover - OpenCV encodes any 8-bit grey image
        raise RuntimeError("JPEG encoding failed")
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


def _block_means(a: np.ndarray) -> np.ndarray:
    """The mean of every whole 8 x 8 block (an area resize by 8 is exactly that, and a tenth of numpy's time)."""
    h, w = a.shape[0] // 8 * 8, a.shape[1] // 8 * 8
    return cv2.resize(a[:h, :w], (w // 8, h // 8), interpolation=cv2.INTER_AREA)


def _spread(grey: np.ndarray) -> np.ndarray:
    """The standard deviation of every whole 8 x 8 block."""
    g = grey.astype(np.float32)
    return np.sqrt(np.maximum(_block_means(g * g) - _block_means(g) ** 2, 0))


def _usable(a: np.ndarray) -> np.ndarray:
    """The unclipped pixels (255) of a grey image."""
    return cv2.inRange(a, 1, 254)


def _change(a: np.ndarray, b: np.ndarray, usable: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per 8 x 8 block: mean absolute change over the unclipped pixels of `a`, and how many there are."""
    usable = _usable(a) if usable is None else usable
    d = cv2.bitwise_and(cv2.absdiff(a, b), usable)
    n = _block_means(usable.astype(np.float32)) * (64 / 255)
    return _block_means(d.astype(np.float32)) * 64 / np.maximum(n, 1), n


def page_qualities(grey: np.ndarray, p: GhostParams | None = None,
                   spread: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The JPEG qualities whose save the page carries, lowest first, with the share of sample blocks each gives back.

    A save at quality q is also found at a higher quality whose steps are about half of q's (the lattice of q is
    part of that one's): of the two, the lower is the save.

    Each 8 x 8 block of a greyscale JPEG is coded on its own, so a mosaic of the page's textured blocks, laid on
    the same grid, is saved again in a fraction of the page's time and says the same of each block.
    """
    p = p or GhostParams()
    spread = _spread(grey).ravel() if spread is None else spread.ravel()
    idx = np.flatnonzero(spread >= p.textured)
    if len(idx) < 64:
        return []
    if len(idx) > p.sample:
        idx = idx[np.linspace(0, len(idx) - 1, p.sample).astype(int)]  # spread over the page, and deterministic
    side = 64
    rows = -(-len(idx) // side)
    tiles = np.full((rows * side, 8, 8), 255, np.uint8)
    nbx = grey.shape[1] // 8
    tiles[:len(idx)] = _blocks(grey)[idx // nbx, idx % nbx]
    mosaic = np.ascontiguousarray(tiles.reshape(rows, side, 8, 8).transpose(0, 2, 1, 3).reshape(rows * 8, side * 8))
    share: dict[int, float] = {}
    for q in range(p.q_lo - 3, p.q_hi + 4):
        change, n = _change(mosaic, _resave(mosaic, q))
        change, n = change.ravel()[:len(idx)], n.ravel()[:len(idx)]
        judged = n >= p.min_pixels
        share[q] = float(np.mean(change[judged] <= p.same)) if judged.sum() >= 32 else 0.0
    peaks = []
    for q in range(p.q_lo, p.q_hi + 1):
        around = (share[q - 3] + share[q + 3]) / 2
        if share[q] >= p.peak and share[q] - around >= p.prominence and share[q] >= share[q - 1] and \
                share[q] >= share[q + 1]:
            peaks.append((share[q] - around, q, share[q]))
    peaks.sort(reverse=True)
    out: list[tuple[int, float]] = []
    for _, q, s in peaks:
        if all(abs(q - o) > 3 for o, _ in out):
            out.append((q, s))
    return sorted(out[:2])


def ghost_regions(page: Page, grey: np.ndarray | None = None,
                  p: GhostParams | None = None) -> tuple[list[Signal], dict[str, float | None]]:
    """Regions of the page that do not share its JPEG history, as signals, and the measurements."""
    p = p or GhostParams()
    if grey is None:
        img = np.ascontiguousarray(page.image)
        grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    grey = np.ascontiguousarray(grey, dtype=np.uint8)
    feats: dict[str, float | None] = {"jpeg_history_quality": None, "compression_mismatches": 0.0}
    spread = _spread(grey)
    qualities = page_qualities(grey, p, spread)
    if not qualities:
        return [], feats
    feats["jpeg_history_quality"] = float(qualities[0][0])
    usable = _usable(grey)
    signals: list[Signal] = []
    # Two qualities: a first save and a later one (or the first's half-step echo). Saved again at the first and
    # then at the second, as the page was, a genuine block comes back exactly where the first alone leaves it the
    # later save's rounding off; a pasted block does not (seed 941, pastes saved again at 85: 3 more of 79 found).
    chains = [tuple(q for q, _ in qualities)] + [(q,) for q, _ in qualities] if len(qualities) == 2 else \
        [(qualities[0][0],)]
    share = dict(qualities)
    for chain in chains:
        back = grey
        for q in chain:
            back = _resave(back, q)
        change, n = _change(grey, back, usable)
        q = chain[0]
        judged = (spread >= p.textured) & (n >= p.min_pixels)
        failed = judged & (change > p.changed)
        if judged.sum() < 4 * p.min_blocks:
            continue
        k = np.ones((p.close, p.close), np.uint8)
        grown = cv2.morphologyEx(failed.astype(np.uint8), cv2.MORPH_CLOSE, k)
        count, lab, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
        regions = []
        inside = np.zeros_like(failed)
        for i in range(1, count):
            x, y, w, h, _area = stats[i]
            box_failed = int(failed[y:y + h, x:x + w].sum())
            box_judged = int(judged[y:y + h, x:x + w].sum())
            if box_failed >= p.min_blocks and box_failed >= p.density * box_judged:
                regions.append((int(x), int(y), int(w), int(h), box_failed, box_judged))
                inside[y:y + h, x:x + w] = True
        rest = judged & ~inside
        rate = float(failed[rest].sum()) / max(1, int(rest.sum()))
        if not regions or rate > p.page_rate or len(regions) > p.max_regions or \
                failed.sum() > p.all_rate * judged.sum():
            continue
        for x, y, w, h, nf, nj in regions:
            box = (x * 8, y * 8, min(page.width, (x + w) * 8), min(page.height, (y + h) * 8))
            if holds_code(page.image, box):
                # A QR code's hard black and white modules can fall off a save's lattice on their own (seed 7, a
                # genuine licence screenshot: its code, at quality 86 then 93).
                continue
            signals.append(Signal(
                "pixel.compression_mismatch", "high",
                f"A region does not carry the page's JPEG history: saved again at quality "
                f"{' then '.join(map(str, chain))}, where {share[q]:.0%} of the page's blocks come back unchanged, "
                f"{nf} of its {nj} textured blocks change. It was put on the page after the page was saved as JPEG",
                page.index, box,
                measured=round(nf / nj, 3),
                expected=f"<= {rate:.2f} (the share of the page's other blocks that change)"))
        break
    feats["compression_mismatches"] = float(len(signals))
    return signals, feats

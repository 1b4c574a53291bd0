"""Compare a seal with the brand's registered seals: enrolment of the specimens and image matching.

Both the seal and each specimen are normalised to a circle and unwrapped in polar coordinates;
a rotation of the stamp is then a circular shift along the angle axis, found by FFT
cross-correlation. The correlation at the best shift is the image score (1.0: same engraving).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from appealcheck.errors import PackError
from appealcheck.seals.find import SealShape, find_seals, ink_mask
from appealcheck.seals.measure import Geometry, geometry
from appealcheck.seals.read import ANGLES, NORM, normalise, polar, ring_gap

SIG_RADII = 48
"""Radial samples of a signature (from 0.3 to 1.0 of the radius; the star's middle carries little)."""


def signature(image: np.ndarray, seal: SealShape) -> np.ndarray:
    """Polar ink map of a seal, ANGLES x SIG_RADII float32, zero mean and unit norm per seal."""
    norm = normalise(image, seal)
    m = polar(ink_mask(norm, seal.ink).astype(np.float32))[:, int(0.3 * NORM):NORM]
    m = cv2.resize(m, (SIG_RADII, ANGLES), interpolation=cv2.INTER_AREA)
    m = cv2.GaussianBlur(m, (0, 0), 1.2)
    m = m - m.mean()
    return (m / (np.linalg.norm(m) or 1.0)).astype(np.float32)


def align(sig: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """(score, degrees) of the best rotation of `sig` onto `ref`: score is their correlation 0..1."""
    fa = np.fft.rfft(sig, axis=0)
    fb = np.fft.rfft(ref, axis=0)
    corr = np.fft.irfft((fa * np.conj(fb)).sum(axis=1), n=sig.shape[0])
    k = int(np.argmax(corr))
    return float(max(0.0, corr[k])), k * 360.0 / sig.shape[0]


def sector_scores(sig: np.ndarray, ref: np.ndarray, shift_deg: float, sectors: int = 24) -> np.ndarray:
    """Correlation of each angular sector after alignment: one re-engraved character shows as one low sector."""
    k = int(round(shift_deg / 360 * sig.shape[0]))
    a = np.roll(sig, -k, axis=0)
    out = []
    for chunk_a, chunk_b in zip(np.array_split(a, sectors), np.array_split(ref, sectors), strict=True):
        na, nb = np.linalg.norm(chunk_a), np.linalg.norm(chunk_b)
        out.append(float((chunk_a * chunk_b).sum() / (na * nb)) if na > 1e-6 and nb > 1e-6 else 1.0)
    return np.array(out)


@dataclass(frozen=True, eq=False)
class Enrolled:
    """A registered seal read from its specimen image."""

    spec_id: str
    file: str
    shape: SealShape
    sig: np.ndarray
    gap: tuple[float, float]
    """(start, length) in degrees of the ring text's gap on the specimen."""
    sha256: str
    ink_hash: str
    """Hash of the specimen's binarised ink at a fixed size: a pasted copy of the specimen matches it."""
    geometry: Geometry | None = None
    """The specimen's star and ring width (`measure.geometry`)."""


def load_specimen(path: Path) -> np.ndarray:
    """A specimen as RGB on white paper (transparent PNGs are composited, not blackened)."""
    try:
        with Image.open(path) as im:
            im.load()
            rgba = im.convert("RGBA")
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise PackError(f"{path}: registered seal image cannot be read ({exc}); replace it with a PNG or JPEG "
                        "of the seal") from None
    a = np.asarray(rgba, dtype=np.float32)
    alpha = a[:, :, 3:4] / 255.0
    rgb = a[:, :, :3] * alpha + 255.0 * (1 - alpha)
    rgb = rgb.astype(np.uint8)
    # A tight crop of a seal leaves no paper around it: pad so the ring can be found whole.
    pad = max(8, max(rgb.shape[:2]) // 8)
    return cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))


def enrol_file(spec_id: str, path: Path) -> Enrolled:
    """Find and unwrap the seal of one specimen; PackError naming the file when there is none."""
    data = path.read_bytes() if path.is_file() else b""
    if not data:
        raise PackError(f"{path}: registered seal image '{spec_id}' is missing or empty")
    img = load_specimen(path)
    found = find_seals(img, max_frac=1.0)
    if not found:
        raise PackError(f"{path}: no seal found in the registered seal image '{spec_id}'; the file must show "
                        "one clean red (or blue/purple) seal impression")
    seal = found[0]
    norm = normalise(img, seal)
    pm = (polar(ink_mask(norm, seal.ink) * 255) > 127).astype(np.float32)
    gap = ring_gap(pm, 0.78, 0.93) if seal.shape == "ellipse" else ring_gap(pm)
    return Enrolled(spec_id, str(path), seal, signature(img, seal), gap, hashlib.sha256(data).hexdigest(),
                    ink_hash(img, seal), geometry(img, seal))


def ink_hash(image: np.ndarray, seal: SealShape) -> str:
    """Hash of the seal's binarised ink, normalised to 64x64 without rotation: identical impressions collide."""
    x0, y0, x1, y1 = seal.box
    crop = ink_mask(image[y0:y1, x0:x1], seal.ink)
    if crop.size == 0:
        return ""
    small = cv2.resize(crop.astype(np.float32), (64, 64), interpolation=cv2.INTER_AREA) > 0.5
    return hashlib.sha1(np.packbits(small).tobytes()).hexdigest()


IMPRESSION_ANGLES = 72
"""Angular cells of an impression pattern (5 degrees each)."""
IMPRESSION_RINGS = 4
"""Radial cells of an impression pattern, from 0.3 to 1.0 of the radius."""
_ABSORB = {"red": 1, "purple": 1, "blue": 0}
FLAT_INK_STD = 0.05
"""Spread of ink darkness below which an impression has no pressure pattern: electronic seals, printed stamps and
flat pasted images (0.015 for a flat paste here, 0.10-0.17 for inked impressions). Those are the same image on
every copy, so they get no pattern rather than one that would join every document carrying them."""
"""RGB channel each ink darkens most (red and purple ink absorb green, blue ink absorbs red)."""


def impression(image: np.ndarray, seal: SealShape, rotation: float | None) -> np.ndarray:
    """The ink-pressure pattern of one impression: IMPRESSION_ANGLES x IMPRESSION_RINGS cells, z-scored.

    Each cell holds how dark the ink is where there is ink (relative to the paper around it), minus its
    ring's mean. Two impressions of one seal share the engraving but not the pressure, the ink load or
    the voids; a pasted copy of one impression shares all three, through any capture. `rotation` is the
    seal's turn onto its registered specimen (from `align`), so patterns of one seal line up; without a
    specimen the ring text's gap sets the orientation.
    """
    norm = normalise(image, seal)
    cover = ink_mask(norm, seal.ink)
    core = cv2.erode(cover, np.ones((5, 5), np.uint8)).astype(np.float32)
    g = norm[:, :, _ABSORB.get(seal.ink, 1)].astype(np.float32)
    paper = cv2.GaussianBlur(cv2.dilate(g, np.ones((41, 41), np.uint8)), (0, 0), 10)
    dens = np.clip(1 - g / np.maximum(paper, 1), 0, 1) * core
    inked = dens[core > 0]
    if inked.size < 100 or float(inked.std()) < FLAT_INK_STD:
        return np.zeros(IMPRESSION_ANGLES * IMPRESSION_RINGS, np.float32)
    if rotation is None:
        start, length = ring_gap(polar(cover.astype(np.float32)))
        rotation = start + length / 2
    k = int(round(rotation / 360 * ANGLES))
    r0 = int(0.3 * NORM)
    w = (NORM - r0) // IMPRESSION_RINGS * IMPRESSION_RINGS
    pc = np.roll(polar(core)[:, r0:r0 + w], -k, axis=0)
    pd = np.roll(polar(dens)[:, r0:r0 + w], -k, axis=0)
    shape = (IMPRESSION_ANGLES, ANGLES // IMPRESSION_ANGLES, IMPRESSION_RINGS, w // IMPRESSION_RINGS)
    sc = pc.reshape(shape).sum(axis=(1, 3))
    sd = pd.reshape(shape).sum(axis=(1, 3))
    v = np.where(sc > 20, sd / np.maximum(sc, 1e-6), np.nan)
    if np.isnan(v).all():
        return np.zeros(IMPRESSION_ANGLES * IMPRESSION_RINGS, np.float32)
    v = np.where(np.isnan(v), np.nanmedian(v), v)
    v = (v - v.mean(axis=0, keepdims=True)).ravel()
    return ((v - v.mean()) / (v.std() or 1.0)).astype(np.float32)


def encode_impression(v: np.ndarray) -> str:
    """An impression pattern as compact text for results (int8 z-scores x 32, base64)."""
    q = np.clip(np.round(v * 32), -127, 127).astype(np.int8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def decode_impression(text: str) -> np.ndarray | None:
    """The pattern back as z-scores; None for text that is not one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        return None
    if len(raw) != IMPRESSION_ANGLES * IMPRESSION_RINGS:
        return None
    return np.frombuffer(raw, np.int8).astype(np.float32) / 32


class Registry:
    """Enrolled specimens, cached in memory by file content hash (a pack is enrolled once per process)."""

    def __init__(self, max_items: int = 256):
        self._cache: OrderedDict[str, Enrolled] = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()

    def enrol(self, pack) -> dict[str, Enrolled]:
        """Every registered seal of a brand pack, by seal id."""
        out = {}
        for spec in pack.seals:
            path = Path(pack.root) / spec.file
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                raise PackError(f"{path}: registered seal image '{spec.id}' cannot be read ({exc})") from None
            key = f"{spec.id}:{digest}"
            with self._lock:
                hit = self._cache.get(key)
            if hit is None:
                hit = enrol_file(spec.id, path)
                with self._lock:
                    self._cache[key] = hit
                    while len(self._cache) > self._max:
                        self._cache.popitem(last=False)
            out[spec.id] = hit
        return out

"""Perceptual hashes of seals, for a brand's list of known forgeries (brand.yaml `known_forgeries`).

A forger's seal image is re-saved, resized and recompressed as it is pasted into new documents, so the files'
sha256 differ while the seal's pHash (ImageHash's DCT hash, 12 x 12 = 144 bits) stays within a few bits. Whole
pages are not hashed: a forged letter and the genuine letters of its template differ in a name or a date, which
moves a page hash by fewer bits than recompression does.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import imagehash
import numpy as np
from PIL import Image

from appealcheck.models import Box

HASH_SIZE = 12
"""pHash side: 144 bits."""
PHASH_MAX_DISTANCE = 12
"""Bits (of 144) two seal hashes may differ by and still be one seal image. Measured in tests/checks/test_phash.py:
the same impression pasted elsewhere or re-saved down to JPEG quality 40 at 60% size moves 4-12 bits; another
impression of the same seal at the same angle 16 or more, a turned one 38 or more. Impressions of one seal look
alike by design, so this catches one circulated image, not every seal of its kind."""


@dataclass(frozen=True)
class Fingerprint:
    """The pHash of one seal of a document."""

    page: int
    box: Box
    phash: str
    """36 hex digits."""


def phash(image: np.ndarray) -> str:
    """The 144-bit pHash of a seal's ink as 36 hex digits.

    Hashed is the colour saturation, not the brightness: ink is saturated, while the black text a pasted seal
    lands on (different in every letter) and the paper are not, so they do not move the hash."""
    sat = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2HSV)[:, :, 1]
    return str(imagehash.phash(Image.fromarray(sat), hash_size=HASH_SIZE))


def distance(a: str, b: str) -> int:
    """Bits in which two pHashes differ."""
    return int(imagehash.hex_to_hash(a) - imagehash.hex_to_hash(b))


def seal_fingerprints(pages, seals) -> list[Fingerprint]:
    """One fingerprint per seal found (seals: objects with .page and .box, e.g. seals.SealObservation)."""
    out = []
    for s in seals:
        x0, y0, x1, y1 = s.box
        crop = pages[s.page].image[y0:y1, x0:x1]
        if crop.size:
            out.append(Fingerprint(s.page, tuple(s.box), phash(crop)))
    return out

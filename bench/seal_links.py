"""Seal-impression links: how alike one pasted impression stays through different captures, against two
genuine impressions of the same seal.

For each brand's official seal, N impressions are inked (each its own pressure, ink load and voids) and each
is stamped on K pages captured in different styles (scan, photo, screenshot, PDF). Every pair of observations
is compared as `batch.links` does (patterns aligned to the registered specimen, then correlated).

Usage: python bench/seal_links.py [N] [K]     (default 12 impressions x 3 captures per brand)
"""

from __future__ import annotations

import io
import sys
import tempfile
import zlib
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.batch.links import SEAL_LINK_MIN  # noqa: E402
from appealcheck.samples import capture as C  # noqa: E402
from appealcheck.samples import seals as S  # noqa: E402
from appealcheck.samples.brands import BRANDS  # noqa: E402
from appealcheck.seals.compare import (  # noqa: E402
    align,
    decode_impression,
    encode_impression,
    enrol_file,
    impression,
    signature,  # noqa: E402
)
from appealcheck.seals.find import find_seals  # noqa: E402

DPI = 200


def _decode(cap: C.Captured) -> np.ndarray:
    if cap.ext == "pdf":
        pdf = pypdfium2.PdfDocument(cap.data)
        return np.asarray(pdf[0].render(scale=200 / 72).to_pil().convert("RGB"))
    return np.asarray(Image.open(io.BytesIO(cap.data)).convert("RGB"))


def _page(alpha: np.ndarray, seed: int) -> np.ndarray:
    page = np.full((int(297 / 25.4 * DPI), int(210 / 25.4 * DPI), 3), 250, np.uint8)
    for k in range(30):
        cv2.putText(page, f"line {seed} {k} text under and around the seal", (120, 150 + 60 * k),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.1, (30, 30, 30), 2)
    S.stamp(page, alpha, (1100, 1700), S.ink_color(np.random.default_rng(seed)))
    return page


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    same, diff, missed_find, flat = [], [], 0, 0
    for b in BRANDS:
        spec = b.seals[0]
        with tempfile.TemporaryDirectory() as tmp:
            png = Path(tmp) / "specimen.png"
            S.clean_png(spec).save(png)
            ref = enrol_file(spec.id, png)
        rng = np.random.default_rng(zlib.crc32(b.id.encode()))
        obs = []
        for i in range(n):
            alpha = S.impression(spec, DPI, np.random.default_rng([7, i]), rotation=float(rng.uniform(-10, 10)))
            for c in range(k):
                crng = np.random.default_rng([i, c, 11])
                while True:
                    cp = C.sample(crng, "authorization_letter")
                    if cp.style != "fax" and cp.mode == "rgb":
                        break
                img = _decode(C.apply(_page(alpha, 100 * i + c), cp, None, (2025, 1, 1)))
                found = find_seals(img)
                if not found:
                    missed_find += 1
                    continue
                _, rot = align(signature(img, found[0]), ref.sig)
                v = decode_impression(encode_impression(impression(img, found[0], rot)))
                if not v.any():
                    flat += 1  # read as flat ink: no pattern, so it can link nothing
                    continue
                obs.append((i, cp.style, v / np.linalg.norm(v)))
        for x in range(len(obs)):
            for y in range(x + 1, len(obs)):
                corr = float(obs[x][2] @ obs[y][2])
                (same if obs[x][0] == obs[y][0] else diff).append((corr, obs[x][1], obs[y][1]))
    same_c = np.array([s[0] for s in same])
    diff_c = np.array([d[0] for d in diff])
    print(f"{len(BRANDS)} brands x {n} impressions x {k} captures; seals not found: {missed_find}; "
          f"read as flat ink (no pattern): {flat}")
    print(f"same impression, recaptured: {len(same)} pairs, correlation min {same_c.min():.2f} "
          f"median {np.median(same_c):.2f}")
    print(f"different impressions of one seal: {len(diff)} pairs, correlation max {diff_c.max():.2f} "
          f"99.9th pct {np.percentile(diff_c, 99.9):.2f}")
    mu, sd = float(diff_c.mean()), float(diff_c.std())
    print(f"  different impressions: mean {mu:.2f}, sd {sd:.3f}; threshold is {(SEAL_LINK_MIN - mu) / sd:.1f} sd above")
    print(f"at the link threshold {SEAL_LINK_MIN}: same-impression pairs linked {np.mean(same_c >= SEAL_LINK_MIN):.0%},"
          f" different impressions linked {int((diff_c >= SEAL_LINK_MIN).sum())} of {len(diff)}")
    for style in sorted({s[1] for s in same} | {s[2] for s in same}):
        sel = [s[0] for s in same if style in (s[1], s[2])]
        print(f"  pairs with a {style}: {np.mean(np.array(sel) >= SEAL_LINK_MIN):.0%} linked of {len(sel)}")


if __name__ == "__main__":
    main()

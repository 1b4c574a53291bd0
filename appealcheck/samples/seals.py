"""Seal (公章) rendering: a clean engraving and realistic impressions of it.

A clean engraving is an alpha mask; an impression adds what a rubber stamp does on paper:
uneven ink and pressure, voids, a partial edge, slight rotation and a multiply blend so black
text under the red ink stays visible. A *pasted* seal (a forgery) is the opposite: flat colour,
hard edges, composited over the text.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .fonts import get_font


@dataclass(frozen=True)
class SealSpec:
    """What is engraved on a seal, in physical units."""

    id: str
    """Stable id, e.g. ``acme-official``."""
    entity: str
    """Legal entity that owns the seal."""
    text: str
    """Ring text as engraved."""
    kind: str = "official"
    """official | contract | finance | invoice | legal | other."""
    shape: str = "circle"
    """circle | ellipse."""
    size_mm: tuple[float, float] = (42.0, 42.0)
    """Width and height of the impression."""
    center_text: str = ""
    """Text under the star (e.g. 合同专用章) or across the middle of an invoice seal."""
    code: str = ""
    """Security code along the bottom arc."""
    star: bool = True
    """Five-pointed star in the middle (invoice seals have none)."""
    star_scale: float = 1.0
    """Star radius relative to the standard 1/4 of the seal radius."""
    ring_mm: float = 1.2
    """Border ring width."""
    font: str = "sans_bold"
    """Font family of the ring text."""
    span_deg: float = 240.0
    """Arc covered by the ring text."""
    middle_line: str = ""
    """A second horizontal line (the taxpayer number of an invoice seal)."""


def _mm(v: float, dpi: int) -> float:
    return v * dpi / 25.4


def _glyph(ch: str, family: str, size: int, sx: float = 1.0) -> Image.Image:
    f = get_font(family, size)
    w = int(size * 1.3)
    im = Image.new("L", (w, w), 0)
    ImageDraw.Draw(im).text((w / 2, w / 2), ch, font=f, fill=255, anchor="mm")
    if sx != 1.0:
        im = im.resize((max(1, int(w * sx)), w), Image.BILINEAR)
    return im


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r if k % 2 == 0 else r * 0.382
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(pts, fill=255)


@functools.lru_cache(maxsize=64)
def engrave(spec: SealSpec, dpi: int) -> np.ndarray:
    """Clean seal mask (float32 0..1), the size of the impression plus a small margin."""
    w, h = _mm(spec.size_mm[0], dpi), _mm(spec.size_mm[1], dpi)
    pad = int(_mm(1.5, dpi))
    W, H = int(w) + 2 * pad, int(h) + 2 * pad
    ss = 2  # supersample for smooth arcs
    im = Image.new("L", (W * ss, H * ss), 0)
    d = ImageDraw.Draw(im)
    cx, cy = W * ss / 2, H * ss / 2
    a, b = w * ss / 2, h * ss / 2
    ring = max(2, int(_mm(spec.ring_mm, dpi) * ss))
    d.ellipse([cx - a, cy - b, cx + a, cy + b], outline=255, width=ring)
    n = len(spec.text)
    char_mm = min(spec.size_mm) * (0.15 if spec.shape == "circle" else 0.14)
    size = int(_mm(char_mm, dpi) * ss)
    inset = ring + _mm(0.7, dpi) * ss + size * 0.5
    span_deg = spec.span_deg
    if spec.center_text and spec.star:
        # The ring text stops short of the horizontal label under the star (合同专用章), as on real
        # seals; at the full span its last characters ran into the label.
        span_deg = min(span_deg, 215.0)
    span = math.radians(span_deg)
    sx = 0.78 if n > 12 else 0.9  # engravers condense long names
    for i, ch in enumerate(spec.text):
        t = -span / 2 + span * (i + 0.5) / n if n > 1 else 0.0
        # parametric angle from the top, clockwise
        px, py = cx + (a - inset) * math.sin(t), cy - (b - inset) * math.cos(t)
        nx, ny = (b - inset) * math.sin(t), (a - inset) * math.cos(t)  # outward normal (ellipse)
        ang = math.degrees(math.atan2(nx, ny))
        g = _glyph(ch, spec.font, size, sx).rotate(-ang, resample=Image.BILINEAR, expand=True)
        im.paste(255, (int(px - g.width / 2), int(py - g.height / 2)), g)
    if spec.star:
        _star(d, cx, cy - (b * 0.05 if spec.center_text else 0), min(a, b) * 0.25 * spec.star_scale)
    if spec.middle_line:
        # The taxpayer number is cut in a condensed face so it fits inside the ring text's ends;
        # at its natural width it ran into them.
        f = get_font("sans_bold", int(_mm(min(spec.size_mm) * 0.1, dpi) * ss))
        x0, t, r, btm = f.getbbox(spec.middle_line, anchor="lt")
        line = Image.new("L", (r - x0 + 2, btm - t + 2), 0)
        ImageDraw.Draw(line).text((1 - x0, 1 - t), spec.middle_line, font=f, fill=255, anchor="lt")
        lw = min(line.width, int(2 * a * 0.66))
        line = line.resize((lw, line.height), Image.LANCZOS)
        im.paste(255, (int(cx - lw / 2), int(cy + b * 0.04 - line.height / 2)), line)
    if spec.center_text:
        f = get_font(spec.font, int(_mm(min(spec.size_mm) * (0.105 if spec.star else 0.12), dpi) * ss))
        yy = cy + b * (0.42 if spec.star else 0.5)
        d.text((cx, yy), spec.center_text, font=f, fill=255, anchor="mm")
    if spec.code:
        cs = int(_mm(min(spec.size_mm) * 0.055, dpi) * ss)
        m = len(spec.code)
        cspan = math.radians(min(110.0, 7.5 * m))
        rr = ring + _mm(0.5, dpi) * ss + cs * 0.5
        for i, ch in enumerate(spec.code):
            t = math.pi + cspan / 2 - cspan * (i + 0.5) / m
            px, py = cx + (a - rr) * math.sin(t), cy - (b - rr) * math.cos(t)
            g = _glyph(ch, "sans", cs).rotate(-math.degrees(t) + 180, resample=Image.BILINEAR, expand=True)
            im.paste(255, (int(px - g.width / 2), int(py - g.height / 2)), g)
    im = im.resize((W, H), Image.LANCZOS)
    return np.asarray(im, dtype=np.float32) / 255.0


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale: int) -> np.ndarray:
    h, w = shape
    small = rng.random((max(2, h // scale), max(2, w // scale))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def impression(
    spec: SealSpec, dpi: int, rng: np.random.Generator, rotation: float, partial: float = 0.0
) -> np.ndarray:
    """An inked impression: alpha mask with uneven ink, pressure gradient, voids and rotation."""
    m = engrave(spec, dpi)
    h, w = m.shape
    # A soft, slightly swollen stroke: ink spreads into paper fibres.
    m = cv2.GaussianBlur(m, (0, 0), 0.35 + 0.25 * rng.random())
    ink = 0.55 + 0.45 * _smooth_noise(rng, m.shape, max(4, w // 6))
    gx, gy = rng.normal(size=2)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    tilt = ((xx / w - 0.5) * gx + (yy / h - 0.5) * gy) * 0.35
    ink = np.clip(ink + tilt, 0.25, 1.0)
    voids = _smooth_noise(rng, m.shape, 3) > (0.86 + 0.1 * rng.random())
    alpha = m * ink
    alpha[voids] *= 0.35
    if partial > 0:
        # Stamp rocked to one side: one edge barely touched the paper.
        ang = rng.uniform(0, 2 * math.pi)
        proj = (xx / w - 0.5) * math.cos(ang) + (yy / h - 0.5) * math.sin(ang)
        alpha *= np.clip((0.5 - partial * 0.6 - proj) / 0.15 + 0.3, 0.05, 1.0)
    alpha = np.clip(alpha * (0.85 + 0.25 * rng.random()), 0, 1)
    M = cv2.getRotationMatrix2D((w / 2, h / 2), rotation, 1.0)
    return cv2.warpAffine(alpha, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)


def ink_color(rng: np.random.Generator) -> np.ndarray:
    """A red stamp-pad colour (never pure red), as RGB floats 0..1."""
    return np.array([rng.uniform(0.78, 0.92), rng.uniform(0.08, 0.22), rng.uniform(0.12, 0.26)], np.float32)


def stamp(page: np.ndarray, alpha: np.ndarray, center: tuple[float, float], color: np.ndarray) -> tuple:
    """Multiply-blend ``alpha`` of ``color`` onto ``page`` (uint8 RGB, in place); return the box."""
    h, w = alpha.shape
    x0, y0 = int(center[0] - w / 2), int(center[1] - h / 2)
    X0, Y0 = max(0, x0), max(0, y0)
    X1, Y1 = min(page.shape[1], x0 + w), min(page.shape[0], y0 + h)
    if X1 <= X0 or Y1 <= Y0:
        return (0, 0, 0, 0)
    a = alpha[Y0 - y0 : Y1 - y0, X0 - x0 : X1 - x0, None]
    region = page[Y0:Y1, X0:X1].astype(np.float32) / 255.0
    out = region * (1 - a + a * color)  # multiply: text under the ink stays dark
    page[Y0:Y1, X0:X1] = np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8)
    ys, xs = np.nonzero(a[..., 0] > 0.05)
    if len(xs) == 0:
        return (X0, Y0, X0, Y0)
    return (X0 + int(xs.min()), Y0 + int(ys.min()), X0 + int(xs.max()) + 1, Y0 + int(ys.max()) + 1)


def paste_flat(
    page: np.ndarray,
    spec: SealSpec,
    dpi: int,
    center: tuple[float, float],
    rotation: float,
    rgb: tuple[int, int, int],
) -> tuple:
    """A seal cut out of another file and pasted: flat colour, hard edges, covering the text."""
    m = engrave(spec, dpi)
    h, w = m.shape
    M = cv2.getRotationMatrix2D((w / 2, h / 2), rotation, 1.0)
    m = cv2.warpAffine(m, M, (w, h), flags=cv2.INTER_NEAREST, borderValue=0) > 0.45
    x0, y0 = int(center[0] - w / 2), int(center[1] - h / 2)
    X0, Y0 = max(0, x0), max(0, y0)
    X1, Y1 = min(page.shape[1], x0 + w), min(page.shape[0], y0 + h)
    sub = m[Y0 - y0 : Y1 - y0, X0 - x0 : X1 - x0]
    page[Y0:Y1, X0:X1][sub] = np.array(rgb, np.uint8)
    ys, xs = np.nonzero(sub)
    return (X0 + int(xs.min()), Y0 + int(ys.min()), X0 + int(xs.max()) + 1, Y0 + int(ys.max()) + 1)


_SPECIMEN_LEVELS = 32
"""Ink coverage levels kept in a registered specimen: enough for smooth anti-aliased edges."""


def clean_png(spec: SealSpec, dpi: int = 300) -> Image.Image:
    """A registered specimen: red ink on a transparent background, for brand packs.

    Returned as an 8-bit palette image whose entries are the ink colour at increasing opacity
    (PNG tRNS): the same picture as RGBA at about a third of the bytes.
    """
    m = engrave(spec, dpi)
    n = _SPECIMEN_LEVELS
    idx = np.clip(np.round(m * (n - 1)), 0, n - 1).astype(np.uint8)
    im = Image.fromarray(idx, "P")
    im.putpalette([200, 30, 40] * n)
    im.info["transparency"] = bytes(int(round(i * 255 / (n - 1))) for i in range(n))
    return im


def altered_text(spec: SealSpec, rng, count: int) -> SealSpec:
    """The same seal with one or two ring characters replaced by look-alikes."""
    from .values import SIMILAR

    chars = list(spec.text)
    idx = [i for i, c in enumerate(chars) if c in SIMILAR]
    rng.shuffle(idx)
    for i in sorted(idx[:count]):
        chars[i] = SIMILAR[chars[i]]
    return replace(spec, text="".join(chars))

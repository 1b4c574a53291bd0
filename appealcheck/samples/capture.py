"""How sellers submit pages: scans, phone photos, screenshots, PDFs and faxes.

Every capture is a projective map of the page plus photometric damage and an encoder. The map
(a 3x3 homography from page pixels to final-file pixels) is returned so label boxes follow the
page. Genuine and forged documents draw their capture from the same distribution.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

PDF_RENDER_DPI = 200
"""DPI at which label boxes of PDF pages are given (a reader's rendering)."""

_STYLES = ("scan", "photo", "screenshot", "pdf_export", "pdf_scan", "fax")
_P_DOC = (0.34, 0.30, 0.10, 0.12, 0.08, 0.06)
_P_RECEIPT = (0.30, 0.55, 0.10, 0.0, 0.05, 0.0)


@dataclass(frozen=True)
class CaptureParams:
    """One capture's parameters, recorded in labels."""

    style: str
    """scan | photo | screenshot | pdf_export | pdf_scan | fax."""
    dpi: int
    """DPI the page is rendered at before the capture transform."""
    jpeg_quality: int | None
    """JPEG quality (also for images inside PDFs); None for lossless."""
    format: str
    """jpg | png | pdf."""
    seed: int
    """Seeds the geometric and photometric noise."""


def sample(rng: np.random.Generator, kind: str) -> CaptureParams:
    """Draw capture parameters; the caller's rng must not depend on the forgery decision."""
    probs = _P_RECEIPT if kind == "receipt" else _P_DOC
    style = str(rng.choice(_STYLES, p=np.array(probs) / sum(probs)))
    seed = int(rng.integers(0, 2**31))
    q = int(rng.integers(55, 96))
    if style == "scan":
        dpi = int(rng.choice([150, 150, 180, 200, 200, 240]))
        fmt = "jpg"  # lossless scans of noisy paper run to megabytes; sellers send JPEG
        return CaptureParams(style, dpi, None if fmt == "png" else q, fmt, seed)
    if style == "photo":
        return CaptureParams(style, 200, int(rng.integers(60, 93)), "jpg", seed)
    if style == "screenshot":
        return CaptureParams(style, int(rng.choice([130, 144, 160])), None, "png", seed)
    if style == "pdf_export":
        return CaptureParams(style, 200, int(rng.integers(80, 96)), "pdf", seed)
    if style == "pdf_scan":
        return CaptureParams(style, int(rng.choice([150, 200])), q, "pdf", seed)
    return CaptureParams("fax", 200, None, "png", seed)


def _noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    # Sensor grain at half resolution: realistic, cheaper, and it keeps JPEG files reasonable.
    h, w = img.shape[:2]
    n = rng.normal(0, sigma, ((h + 1) // 2, (w + 1) // 2)).astype(np.float32)
    n = cv2.resize(n, (w, h), interpolation=cv2.INTER_LINEAR)[..., None]
    return np.clip(img.astype(np.float32) + n, 0, 255)


def _light(h: int, w: int, rng: np.random.Generator, strength: float) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.normal(size=2)
    g = 1.0 - strength * (0.5 + 0.5 * np.tanh(((xx / w - 0.5) * gx + (yy / h - 0.5) * gy) * 1.5))
    return g[..., None]


def _shadow(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    # The phone or a hand casts a soft shadow across one edge.
    # Drawn and blurred at 1/8 scale: the shadow is soft anyway and full-size blurs are slow.
    sh, sw = max(2, h // 8), max(2, w // 8)
    m = np.zeros((sh, sw), np.float32)
    pts = np.array(
        [[rng.uniform(-0.2, 1.2) * sw, rng.choice([-0.1, 1.1]) * sh] for _ in range(2)]
        + [[rng.uniform(0.2, 0.8) * sw, rng.uniform(0.3, 0.7) * sh]],
        np.int32,
    )
    cv2.fillPoly(m, [pts], 1.0)
    m = cv2.GaussianBlur(m, (0, 0), max(sh, sw) * 0.04)
    m = cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)
    return (1.0 - m * rng.uniform(0.12, 0.3))[..., None]


@dataclass(frozen=True)
class Captured:
    """The file a seller submits and where the page went in it."""

    data: bytes
    ext: str
    H: np.ndarray
    """3x3 map from page pixels to final-file pixels (PDF: at PDF_RENDER_DPI)."""
    size: tuple[int, int]
    """Final page image size (w, h), as a reader renders it."""


def apply(page: np.ndarray, cp: CaptureParams, software: str | None, when: tuple[int, int, int]) -> Captured:
    """Capture ``page`` (rendered at ``cp.dpi``); ``software`` is written in the file metadata."""
    rng = np.random.default_rng([cp.seed, 3])
    h, w = page.shape[:2]
    img = page.astype(np.float32)
    H = np.eye(3)
    if cp.style in ("scan", "pdf_scan", "fax"):
        ang = rng.uniform(-1.2, 1.2)
        tx, ty = rng.uniform(-0.01, 0.01) * w, rng.uniform(-0.01, 0.01) * h
        M = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
        M[:, 2] += (tx, ty)
        lid = float(rng.uniform(200, 235))
        img = cv2.warpAffine(
            img,
            M,
            (w, h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(lid, lid, lid),
        )
        H = np.vstack([M, [0, 0, 1]])
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.45, 0.8))
        gain = rng.uniform(0.93, 1.02)
        img = img * gain + rng.uniform(-6, 4)
        img = _noise(img, rng, rng.uniform(0.4, 1.0))
    elif cp.style == "photo":
        portrait = h >= w
        long = int(rng.integers(1300, 1700))
        W, HH = (int(long * 0.75), long) if portrait else (long, int(long * 0.75))
        s = min(W / w, HH / h) * rng.uniform(0.78, 0.92)
        cw, ch = w * s, h * s
        x0, y0 = (W - cw) / 2 + rng.uniform(-0.04, 0.04) * W, (HH - ch) / 2 + rng.uniform(-0.04, 0.04) * HH
        j = 0.045 * min(W, HH)
        dst = np.float32([[x0, y0], [x0 + cw, y0], [x0 + cw, y0 + ch], [x0, y0 + ch]])
        dst += rng.uniform(-j, j, dst.shape).astype(np.float32)
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        H = cv2.getPerspectiveTransform(src, dst)
        tone = np.array([rng.uniform(90, 170), rng.uniform(70, 140), rng.uniform(50, 120)], np.float32)
        bg = np.empty((HH, W, 3), np.float32)
        bg[:] = tone
        bg = _noise(bg, rng, 4.0)
        img = cv2.warpPerspective(
            img, H, (W, HH), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_TRANSPARENT, dst=bg
        )
        img = (
            img
            * _light(HH, W, rng, rng.uniform(0.08, 0.28))
            * (_shadow(HH, W, rng) if rng.random() < 0.6 else 1)
        )
        warm = np.array([1.0, rng.uniform(0.96, 1.0), rng.uniform(0.88, 0.98)], np.float32)
        img = img * warm
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.1))
        img = _noise(img, rng, rng.uniform(1.2, 2.8))
    elif cp.style == "screenshot":
        # A phone screenshot of a document viewer: grey bars and a margin around the page.
        W = int(w * rng.uniform(1.04, 1.1))
        top = int(rng.integers(60, 140))
        HH = h + top + int(rng.integers(60, 140))
        canvas = np.full((HH, W, 3), rng.uniform(225, 240), np.float32)
        canvas[:top] = rng.uniform(240, 250)
        xo = (W - w) // 2
        canvas[top : top + h, xo : xo + w] = img
        img = canvas
        H = np.array([[1, 0, xo], [0, 1, top], [0, 0, 1]], float)
    if cp.style == "fax":
        g = img.mean(axis=2)
        g = cv2.resize(
            g, (g.shape[1], g.shape[0] // 2), interpolation=cv2.INTER_AREA
        )  # 200x100 dpi fine mode
        g = cv2.resize(g, (g.shape[1], g.shape[0] * 2), interpolation=cv2.INTER_NEAREST)
        thr = 150 + rng.normal(0, 12, g.shape)
        bw = (g > thr).astype(np.uint8) * 255
        out = Image.fromarray(bw).convert("1")
    else:
        out = Image.fromarray(np.clip(img + 0.5, 0, 255).astype(np.uint8))
    return _encode(out, cp, H, software, when)


def _exif(software: str | None, style: str, rng_seed: int) -> bytes:
    ex = Image.Exif()
    if style == "photo":
        models = [("Apple", "iPhone 13"), ("HUAWEI", "ELS-AN00"), ("Xiaomi", "M2102K1C"), ("OPPO", "PEEM00")]
        mk, md = models[rng_seed % len(models)]
        ex[0x010F], ex[0x0110] = mk, md
    elif style == "scan":
        ex[0x0131] = ["EPSON Scan 2", "Canon IJ Scan Utility", "HP Scan"][rng_seed % 3]
    if software:
        ex[0x0131] = software
    return ex.tobytes()


def _encode(
    im: Image.Image, cp: CaptureParams, H: np.ndarray, software: str | None, when: tuple[int, int, int]
) -> Captured:
    buf = io.BytesIO()
    if cp.format == "jpg":
        im.save(
            buf,
            "JPEG",
            quality=cp.jpeg_quality,
            subsampling=2,
            exif=_exif(software, cp.style, cp.seed),
            dpi=(cp.dpi, cp.dpi),
        )
        return Captured(buf.getvalue(), "jpg", H, im.size)
    if cp.format == "png":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        if software:
            info.add_text("Software", software)
        im.save(buf, "PNG", pnginfo=info, optimize=False, compress_level=6, dpi=(cp.dpi, cp.dpi))
        return Captured(buf.getvalue(), "png", H, im.size)
    # PDF: one page holding the image at the capture DPI; a fixed date keeps bytes stable.
    stamp = time.struct_time((when[0], when[1], when[2], 9, 30, 0, 0, 1, 0))
    producer = software or ("Microsoft: Print To PDF" if cp.style == "pdf_export" else "Scanner PDF 2.1")
    rgb = im.convert("RGB")
    jbuf = io.BytesIO()
    rgb.save(jbuf, "JPEG", quality=cp.jpeg_quality)
    rgb = Image.open(io.BytesIO(jbuf.getvalue()))
    rgb.save(
        buf,
        "PDF",
        resolution=float(cp.dpi),
        title="document",
        producer=producer,
        creator=producer,
        creationDate=stamp,
        modDate=stamp,
    )
    s = PDF_RENDER_DPI / cp.dpi
    Hs = np.diag([s, s, 1.0]) @ H
    return Captured(buf.getvalue(), "pdf", Hs, (int(round(im.width * s)), int(round(im.height * s))))


def map_box(H: np.ndarray, box: tuple, size: tuple[int, int]) -> list[int]:
    """Map a page box through ``H``; the bounding box of its corners, clipped to the image."""
    x0, y0, x1, y1 = box
    pts = np.float64([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]]).T
    q = H @ pts
    q = q[:2] / q[2]
    w, h = size
    return [
        int(max(0, np.floor(q[0].min()))),
        int(max(0, np.floor(q[1].min()))),
        int(min(w, np.ceil(q[0].max()))),
        int(min(h, np.ceil(q[1].max()))),
    ]

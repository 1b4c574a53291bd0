"""How sellers submit pages: scans, phone photos, screenshots, PDFs and faxes.

Every capture is a projective map of the page plus photometric damage and an encoder. The map
(a 3x3 homography from page pixels to final-file pixels) is returned so label boxes follow the
page. Genuine and forged documents draw their capture from the same distribution.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

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
    mode: str = "rgb"
    """rgb | grey (a scanner in greyscale "document" mode) | bw (fax)."""
    software: str | None = None
    """Software an honest sender's file names: a scanner driver, or an editor used only to crop or
    rotate (all 26 real receipts in shared/realdata were saved by Photoshop). Drawn from the capture
    stream, so genuine and forged documents carry it alike."""


HONEST_SOFTWARE = ("Adobe Photoshop CC 2018 (Windows)", "EPSON Scan", "ScanSnap Manager", "GIMP 2.10.30",
                   "Microsoft Windows Photo Viewer 6.1.7600.16385")
HONEST_SOFTWARE_RATE = 0.08
HONEST_EDITORS = ("Adobe Photoshop CC 2019 (Windows)", "Adobe Photoshop 24.1 (Macintosh)", "美图秀秀", "GIMP 2.10.34")
HONEST_EDITOR_RATE = 0.15
"""Share of image files that name a photo editor although nothing was forged: a crop or a brightness fix before
upload. The names are the forgers' own (`forgeries.EDIT_SOFTWARE`), so the name alone tells nothing. Every one
of the 26 genuine real receipts in ../shared/realdata names Photoshop; at the old 3% a model trained on the
corpus learned 'an editor in the metadata means forged' and called all 26 forged."""


def _quality(rng: np.random.Generator, lo: int = 55, hi: int = 95, a: float = 3.0, b: float = 3.2) -> int:
    """JPEG quality in [lo, hi], skewed to the middle.

    Phone apps, scanner drivers and chat apps mostly save at 70-85; very low or very high
    settings exist but are rare, and quality 95 costs about three times the bytes of 75.
    """
    return int(round(lo + (hi - lo) * rng.beta(a, b)))


def sample(rng: np.random.Generator, kind: str) -> CaptureParams:
    """Draw capture parameters; the caller's rng must not depend on the forgery decision."""
    cp = _sample(rng, kind)
    if cp.format != "pdf" and rng.random() < HONEST_SOFTWARE_RATE:
        cp = replace(cp, software=str(rng.choice(HONEST_SOFTWARE)))
    return cp


def honest_editor(cp: CaptureParams, rng: random.Random) -> CaptureParams:
    """`cp`, naming a photo editor at HONEST_EDITOR_RATE when it names no software yet (PDFs keep their producer).

    `rng` is a stream of its own, so an appeal's pixels and forgeries are the same with or without the editor.
    """
    draw, name = rng.random(), rng.choice(HONEST_EDITORS)
    if cp.format == "pdf" or cp.software is not None or draw >= HONEST_EDITOR_RATE:
        return cp
    return replace(cp, software=name)


def _sample(rng: np.random.Generator, kind: str) -> CaptureParams:
    probs = _P_RECEIPT if kind == "receipt" else _P_DOC
    style = str(rng.choice(_STYLES, p=np.array(probs) / sum(probs)))
    seed = int(rng.integers(0, 2**31))
    q = _quality(rng)
    if style == "scan":
        dpi = int(rng.choice([150, 150, 150, 200, 200]))
        # Lossless scans of paper run to megabytes; sellers send JPEG. Many office scanners
        # default to greyscale for documents.
        mode = "grey" if rng.random() < 0.25 else "rgb"
        return CaptureParams(style, dpi, q, "jpg", seed, mode)
    if style == "photo":
        # Rendered at 150 dpi: the photo keeps ~100-120 dpi of the page, so more is wasted work.
        return CaptureParams(style, 150, q, "jpg", seed)
    if style == "screenshot":
        dpi = int(rng.choice([130, 144, 160]))
        # Phones save screenshots as PNG; forwarded through a chat app they arrive as JPEG.
        if rng.random() < 0.5:
            return CaptureParams(style, dpi, None, "png", seed)
        return CaptureParams(style, dpi, q, "jpg", seed)
    if style == "pdf_export":
        # "Print to PDF" of an image: the driver re-encodes at a moderate setting.
        return CaptureParams(style, int(rng.choice([150, 150, 200])), _quality(rng, 60, 95), "pdf", seed)
    if style == "pdf_scan":
        return CaptureParams(style, int(rng.choice([150, 200])), q, "pdf", seed)
    return CaptureParams("fax", 200, None, "png", seed, "bw")


def _grain(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Add sensor grain (drawn at half resolution, the same in every channel) to a uint8 image.

    Half resolution looks like real grain and costs a quarter of the random numbers; working in
    uint8 with OpenCV's saturating add avoids float copies of whole pages (the old hot spot).
    """
    h, w = img.shape[:2]
    n = rng.standard_normal(((h + 1) // 2, (w + 1) // 2), dtype=np.float32)
    n *= np.float32(sigma)
    n = cv2.resize(np.repeat(n[..., None], img.shape[2], axis=2), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.add(img, n, dtype=cv2.CV_8U)


def _smooth(rng: np.random.Generator, h: int, w: int, cells: int = 8) -> np.ndarray:
    """Smooth random field in [0, 1] (a few cells across, cubic-interpolated), float32."""
    small = rng.random((cells, max(2, int(cells * w / h)))).astype(np.float32)
    return np.clip(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC), 0, 1)


def _light(h: int, w: int, rng: np.random.Generator, strength: float) -> np.ndarray:
    """Uneven room light: a soft gradient across the frame, as a gain map (h, w)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.normal(size=2)
    return 1.0 - strength * (0.5 + 0.5 * np.tanh(((xx / w - 0.5) * gx + (yy / h - 0.5) * gy) * 1.5))


def _shadow(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """The phone or a hand casts a soft shadow across one edge: a gain map (h, w)."""
    m = np.zeros((h, w), np.float32)
    pts = np.array(
        [[rng.uniform(-0.2, 1.2) * w, rng.choice([-0.1, 1.1]) * h] for _ in range(2)]
        + [[rng.uniform(0.2, 0.8) * w, rng.uniform(0.3, 0.7) * h]],
        np.int32,
    )
    cv2.fillPoly(m, [pts], 1.0)
    m = cv2.GaussianBlur(m, (0, 0), max(h, w) * 0.04)
    return 1.0 - m * rng.uniform(0.12, 0.3)


@dataclass(frozen=True)
class Captured:
    """The file a seller submits and where the page went in it."""

    data: bytes
    ext: str
    H: np.ndarray
    """3x3 map from page pixels to final-file pixels (PDF: at PDF_RENDER_DPI)."""
    size: tuple[int, int]
    """Final page image size (w, h), as a reader renders it."""


def _tone_lut(black: float, white: float, gamma: float) -> np.ndarray:
    """A scanner's tone curve: levels stretched so paper hits white, with a slight gamma."""
    x = np.clip((np.arange(256, dtype=np.float32) - black) / (white - black), 0, 1)
    return np.clip(255 * x**gamma + 0.5, 0, 255).astype(np.uint8)


def _scan(page: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Flatbed scan: small skew and offset, lid showing at the edges, optics blur, grain, levels."""
    h, w = page.shape[:2]
    ang = rng.uniform(-1.2, 1.2)
    tx, ty = rng.uniform(-0.01, 0.01) * w, rng.uniform(-0.01, 0.01) * h
    M = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
    M[:, 2] += (tx, ty)
    lid = int(rng.uniform(200, 235))
    img = cv2.warpAffine(
        page, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(lid, lid, lid)
    )
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.45, 0.8))
    # Grain goes in before the tone curve: a calibrated scanner pushes paper to pure white, so the
    # grain survives in ink and mid-tones only, as in real scans (and flat paper costs JPEG nothing).
    img = _grain(img, rng, rng.uniform(1.0, 2.2))
    img = cv2.LUT(img, _tone_lut(rng.uniform(0, 14), rng.uniform(232, 248), rng.uniform(0.9, 1.15)))
    return img, np.vstack([M, [0, 0, 1]])


def _photo(page: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Phone photo of the page on a desk: perspective, uneven light, shadow, warm cast, blur, grain."""
    h, w = page.shape[:2]
    portrait = h >= w
    # Long side of the file as sellers send it: chat and upload apps shrink photos to ~1300 px.
    long = int(rng.integers(1200, 1500))
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
    # The desk: its colour with a faint low-frequency texture.
    desk = tone * (0.92 + 0.16 * _smooth(rng, HH // 8, W // 8, 6))[..., None]
    bg = np.ascontiguousarray(cv2.resize(desk, (W, HH), interpolation=cv2.INTER_LINEAR).astype(np.uint8))
    # Low-pass before the shrinking warp (a bilinear warp alone aliases a 1.5x reduction); a blur
    # plus one warp is three times faster than an area resize plus the warp.
    src_img = cv2.GaussianBlur(page, (0, 0), 0.45 / s) if s < 0.9 else page
    img = cv2.warpPerspective(
        src_img, H, (W, HH), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT, dst=bg
    )
    # Light, shadow and white balance are smooth: build the gain at 1/8 scale, then upsample.
    gh, gw = max(2, HH // 8), max(2, W // 8)
    gain = _light(gh, gw, rng, rng.uniform(0.08, 0.28))
    if rng.random() < 0.6:
        gain = gain * _shadow(gh, gw, rng)
    warm = np.array([1.0, rng.uniform(0.96, 1.0), rng.uniform(0.88, 0.98)], np.float32)
    gain = cv2.resize(gain[..., None] * warm, (W, HH), interpolation=cv2.INTER_LINEAR)
    img = cv2.multiply(img, gain, dtype=cv2.CV_8U)
    # Focus and hand shake; phone optics are otherwise sharp, and the warp above already softened it.
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 0.9))
    # Phones denoise hard before saving: little grain is left, and grain is what costs JPEG bytes.
    img = _grain(img, rng, rng.uniform(0.5, 1.3))
    return img, H


def apply(
    page: np.ndarray,
    cp: CaptureParams,
    software: str | None,
    when: tuple[int, int, int],
    edit: Callable[[np.ndarray, np.ndarray], None] | None = None,
    resave_quality: int | None = None,
) -> Captured:
    """Capture ``page`` (uint8 RGB rendered at ``cp.dpi``); ``software`` is written in the file metadata.

    ``edit`` forges the captured file rather than the paper: it receives the pixels a seller's file
    decodes to (after the capture's own JPEG, if any) and the page-to-image homography, changes them in
    place, and the result is saved again (JPEG at ``resave_quality``), as an editor would.
    """
    rng = np.random.default_rng([cp.seed, 3])
    h, w = page.shape[:2]
    img = page
    H = np.eye(3)
    if cp.style in ("scan", "pdf_scan", "fax"):
        img, H = _scan(page, rng)
    elif cp.style == "photo":
        img, H = _photo(page, rng)
    elif cp.style == "screenshot":
        # A phone screenshot of a document viewer: grey bars and a margin around the page.
        W = int(w * rng.uniform(1.04, 1.1))
        top = int(rng.integers(60, 140))
        HH = h + top + int(rng.integers(60, 140))
        canvas = np.full((HH, W, 3), int(rng.uniform(225, 240)), np.uint8)
        canvas[:top] = int(rng.uniform(240, 250))
        xo = (W - w) // 2
        canvas[top : top + h, xo : xo + w] = page
        img = canvas
        H = np.array([[1, 0, xo], [0, 1, top], [0, 0, 1]], float)
    if cp.style == "fax":
        # 200 x 100 dpi "normal" mode: each transmitted line is printed twice, thresholded with noise.
        g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        g = cv2.resize(g, (g.shape[1], g.shape[0] // 2), interpolation=cv2.INTER_AREA)
        thr = rng.standard_normal(g.shape, dtype=np.float32) * np.float32(12) + np.float32(150)
        bw = (g > thr).astype(np.uint8) * 255
        bw = np.repeat(bw, 2, axis=0)
        if bw.shape[0] < h:
            bw = np.vstack([bw, bw[-1:]])
        out = Image.fromarray(bw).convert("1")
    elif cp.mode == "grey":
        out = Image.fromarray(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
    else:
        out = Image.fromarray(img)
    if edit is not None and cp.style != "fax":
        pixels = np.array(_as_received(out, cp))
        edit(pixels, H)
        out = Image.fromarray(pixels)
        if cp.jpeg_quality is not None and resave_quality is not None:
            cp = replace(cp, jpeg_quality=resave_quality)
    return _encode(out, cp, H, software, when)


def _as_received(im: Image.Image, cp: CaptureParams) -> Image.Image:
    """The pixels the capture's file decodes to: its JPEG round trip (also inside a PDF), else itself."""
    if cp.jpeg_quality is None:
        return im
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=cp.jpeg_quality, subsampling=2)
    return Image.open(io.BytesIO(buf.getvalue())).convert(im.mode)


def _exif(software: str | None, style: str, rng_seed: int) -> bytes:
    ex = Image.Exif()
    if style == "photo":
        models = [("Apple", "iPhone 13"), ("HUAWEI", "ELS-AN00"), ("Xiaomi", "M2102K1C"), ("OPPO", "PEEM00")]
        mk, md = models[rng_seed % len(models)]
        ex[0x010F], ex[0x0110] = mk, md
    elif style == "scan":
        ex[0x0131] = ["EPSON Scan 2", "Canon IJ Scan Utility", "HP Scan"][rng_seed % 3]
    if software:
        # EXIF text is ASCII by the standard; Chinese editors (美图秀秀) write their name as UTF-8 bytes anyway.
        ex[0x0131] = software if software.isascii() else software.encode("utf-8")
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
            # Optimised Huffman tables, as phone and scanner encoders write: ~15% fewer bytes.
            optimize=True,
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
    # Pillow embeds the page as one DCT stream, encoded at the quality the label records.
    im.convert("RGB").save(
        buf,
        "PDF",
        quality=cp.jpeg_quality,
        optimize=True,
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

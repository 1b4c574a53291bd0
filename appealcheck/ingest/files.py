"""Read one document file into page images, with the file's own metadata.

Every way a file can be bad ends in InputError with a sentence saying what is wrong; nothing
here lets a hostile file take unbounded time or memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import warnings
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from appealcheck.errors import InputError
from appealcheck.models import Document, FileInfo, Page

IMAGE_SUFFIXES = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".tif": "tiff", ".tiff": "tiff",
                  ".bmp": "bmp", ".webp": "webp"}
PDF_SUFFIXES = {".pdf": "pdf"}
DOCUMENT_SUFFIXES = {**IMAGE_SUFFIXES, **PDF_SUFFIXES}

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PIXELS = 60_000_000
"""Largest image accepted (e.g. 7,700 x 7,700). Bigger ones are refused before decoding."""
MAX_PDF_PAGES = 50
PDF_DPI = 200
"""Resolution PDF pages are rendered at; also the DPI the corpus labels use for PDFs."""
MAX_PAGE_SIDE = 6000
"""Longest side of a rendered page; PDFs with huge pages are rendered at a lower DPI to fit."""

# Pillow's own guard raises only at twice its limit; ours is checked before decoding instead.
Image.MAX_IMAGE_PIXELS = None


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_document(path: Path, name: str, kind_hint: str | None = None) -> Document:
    """Read an image or PDF file. `name` is how outputs refer to it."""
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise InputError(name, f"unsupported file type '{suffix}'; use one of {', '.join(DOCUMENT_SUFFIXES)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror})") from None
    if size == 0:
        raise InputError(name, "file is empty (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise InputError(name, f"file is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES // 1_000_000} MB")
    digest = sha256_file(path)
    doc = _read_pdf(path, name, digest, size, kind_hint) if suffix in PDF_SUFFIXES else \
        _read_image(path, name, digest, size, kind_hint)
    return dataclasses.replace(doc, path=str(path))


def _exif_text(value: object) -> str | None:
    """An EXIF/PNG text value as text. EXIF text is ASCII by the standard, but Chinese apps write UTF-8 or GBK
    bytes into it and Pillow hands those back as Latin-1 characters ('ç¾\x8e…' for 美…): decode them again.
    Real Latin-1 text ('Café') is neither valid UTF-8 nor GBK that reads as Chinese, and stays as it is."""
    if value is None:
        return None
    if isinstance(value, str) and any(ord(c) > 127 for c in value) and all(ord(c) < 256 for c in value):
        value = _decode_cjk(value.encode("latin-1")) or value
    if isinstance(value, bytes):
        value = _decode_cjk(value) or value.decode("utf-8", "replace")
    text = str(value).strip("\x00 ").strip()
    return text or None


def _decode_cjk(raw: bytes) -> str | None:
    """UTF-8, else GB2312 when every non-ASCII character it gives is Chinese; None when neither fits. GB2312 and
    not GBK: GBK's second byte may be ASCII, which would turn Latin-1 'Crème' into 'Cr鑝e'."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb2312")
    except UnicodeDecodeError:
        return None
    cjk = all(c.isascii() or "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
              for c in text)
    return text if cjk else None


_XMP_ID = re.compile(r"xmpMM:(DocumentID|OriginalDocumentID)\s*(?:=\s*\"([^\"]{1,200})\"|>([^<]{1,200})<)")


def xmp_ids(xmp: str | bytes | None) -> dict[str, str]:
    """The document ids an editor writes into XMP (xmpMM:DocumentID, OriginalDocumentID), as metadata keys
    'xmp.DocumentID' and 'xmp.OriginalDocumentID': every file saved from one original carries the same ones."""
    if not xmp:
        return {}
    text = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else str(xmp)
    out = {}
    for key, attr, elem in _XMP_ID.findall(text[:2_000_000]):
        value = (attr or elem).strip()
        if value:
            out.setdefault(f"xmp.{key}", value)
    return out


def _read_image(path: Path, name: str, digest: str, size: int, kind_hint: str | None) -> Document:
    data = path.read_bytes()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img = Image.open(io.BytesIO(data))
            w, h = img.size
            if w < 1 or h < 1:
                raise InputError(name, "image has no pixels")
            if w * h > MAX_PIXELS:
                raise InputError(name, f"image is {w} x {h} = {w * h / 1e6:.0f} megapixels; the limit is "
                                       f"{MAX_PIXELS / 1e6:.0f} megapixels (scan at 300 dpi or less)")
            fmt = (img.format or IMAGE_SUFFIXES[path.suffix.lower()]).lower()
            exif = img.getexif()
            xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
            img.load()
            # PNG keeps its metadata in text chunks (tEXt/iTXt: 'Software', 'Creation Time'...), not in EXIF;
            # they are read once the whole file is loaded (a chunk may follow the pixels).
            png_text = {k: v for k, v in img.info.items() if fmt == "png" and isinstance(k, str)
                        and isinstance(v, str) and k != "XML:com.adobe.xmp"}
            img = ImageOps.exif_transpose(img)
            rgb = _to_rgb(img)
    except InputError:
        raise
    except UnidentifiedImageError:
        raise InputError(name, "not a readable image (unknown or corrupt format)") from None
    except Image.DecompressionBombError:
        raise InputError(name, "image is too large to decode safely (decompression bomb?)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(name, f"image is corrupt or truncated ({exc})") from None
    tags = {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.items()} if exif else {}
    for k, v in png_text.items():
        tags.setdefault(k, v)
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif) if exif else {}
        tags.update({ExifTags.TAGS.get(k, str(k)): v for k, v in sub.items()})
    except Exception:  # noqa: BLE001 - broken EXIF sub-IFDs are common and harmless here
        pass
    make, model = _exif_text(tags.get("Make")), _exif_text(tags.get("Model"))
    info = FileInfo(
        format="jpeg" if fmt in ("jpeg", "mpo") else fmt,
        size_bytes=size, sha256=digest,
        software=_exif_text(tags.get("Software")),
        created=_exif_text(tags.get("DateTimeOriginal")),
        modified=_exif_text(tags.get("DateTime")),
        camera=" ".join(p for p in (make, model) if p) or None,
        metadata={**{k: t for k, v in sorted(tags.items())
                     if isinstance(k, str) and (t := _exif_text(v)) and len(t) < 200 and isinstance(v, (str, bytes))},
                  **xmp_ids(xmp)},
    )
    dpi = None
    raw_dpi = img.info.get("dpi") if hasattr(img, "info") else None
    if raw_dpi and isinstance(raw_dpi, tuple) and raw_dpi[0]:
        try:
            dpi = float(raw_dpi[0]) if 50 <= float(raw_dpi[0]) <= 1200 else None
        except (TypeError, ValueError):
            dpi = None
    return Document(file=name, info=info, pages=(Page(0, rgb, dpi),), kind_hint=kind_hint)


def _to_rgb(img: Image.Image) -> np.ndarray:
    """Any mode (16-bit, CMYK, palette, alpha) to 8-bit RGB on white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        img = Image.fromarray((arr * (255.0 / top)).astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img)
    img = img.convert("RGB")
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))


def _read_pdf(path: Path, name: str, digest: str, size: int, kind_hint: str | None) -> Document:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise InputError(name, "PDF is encrypted with a password; ask for an unprotected copy") from None
        raise InputError(name, f"PDF is broken or not a PDF ({exc})") from None
    try:
        n = len(pdf)
        if n == 0:
            raise InputError(name, "PDF has no pages")
        if n > MAX_PDF_PAGES:
            raise InputError(name, f"PDF has {n} pages; the limit is {MAX_PDF_PAGES} (split it into documents)")
        meta = {k: v for k, v in pdf.get_metadata_dict(skip_empty=True).items() if isinstance(v, str)}
        # The trailer's permanent /ID survives incremental updates: every edit of one original keeps it.
        permanent = pdf.get_identifier(pdfium.raw.FILEIDTYPE_PERMANENT)
        if permanent and permanent.strip(b"\0"):
            meta["pdf.ID"] = permanent.hex()
        pages = []
        for i in range(n):
            page = pdf[i]
            w_pt, h_pt = page.get_size()
            if w_pt <= 0 or h_pt <= 0:
                raise InputError(name, f"page {i + 1} has no size")
            dpi = float(PDF_DPI)
            longest = max(w_pt, h_pt) * dpi / 72
            if longest > MAX_PAGE_SIDE:
                dpi = MAX_PAGE_SIDE * 72 / max(w_pt, h_pt)
            pil = page.render(scale=dpi / 72).to_pil()
            pages.append(Page(i, _to_rgb(pil), dpi))
            page.close()
    except InputError:
        raise
    except pdfium.PdfiumError as exc:
        raise InputError(name, f"PDF page cannot be rendered ({exc})") from None
    finally:
        pdf.close()
    info = FileInfo(
        format="pdf", size_bytes=size, sha256=digest,
        producer=meta.get("Producer"), creator=meta.get("Creator"),
        created=meta.get("CreationDate"), modified=meta.get("ModDate"),
        page_count=len(pages), metadata=meta,
    )
    return Document(file=name, info=info, pages=tuple(pages), kind_hint=kind_hint)

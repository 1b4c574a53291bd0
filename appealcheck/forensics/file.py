"""File forensics: what the bytes of the original file say about how it was made and changed.

Images: EXIF dates that disagree, an embedded EXIF thumbnail that no longer shows the image (editors
that do not regenerate it), XMP edit history naming an editor. PDFs (read with pikepdf/qpdf, which
repairs broken cross-reference tables instead of looping): incremental updates (a file saved again on
top of itself), a signature whose signed byte range no longer reaches the end of the file, images with
transparency drawn over text or over the scanned page (a seal pasted as its own object), JavaScript,
creation and modification dates that disagree.

Everything is bounded: raw-byte scans look at most `MAX_SCAN_BYTES`, content streams at most
`MAX_OPS` operators per page and `MAX_PAGES` pages; a failure becomes an 'unchecked' sentence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import warnings
from pathlib import Path

import numpy as np

from appealcheck.forensics import Report, Signal
from appealcheck.models import Box, Document

CHECK_ID = "file.forensics"
MAX_SCAN_BYTES = 100 * 1024 * 1024
MAX_PAGES = 50
MAX_OPS = 200_000
"""Content-stream operators read per page; a page with more is only partly checked (and says so)."""
MAX_FORM_DEPTH = 4
THUMB_MISMATCH = 0.35
"""1 - correlation between the EXIF thumbnail and the downscaled image above which they show different
pictures. Re-encoding and resizing keep it under 0.05; a retouched field or seal moves only a few
thumbnail pixels, so this catches replaced or heavily edited images, not small edits."""
DATE_SLACK = dt.timedelta(days=1)
"""Modified later than created by more than this is a re-save; scanners and exporters write both at once."""

_EDITORS = re.compile(r"photoshop|gimp|meitu|美图|canva|pixlr|affinity|paint\.net|picsart|snapseed|fotor|illustrator|"
                      r"coreldraw|inkscape|acrobat pro|foxit phantom|pdf-?xchange editor|稿定|醒图|wps图片",
                      re.IGNORECASE)


def analyse_file(doc: Document) -> Report:
    """File forensics for one document; never raises on a bad file."""
    path = getattr(doc, "path", None)
    if not path:
        # Pages built in memory (tests, other front ends) have no file: nothing to say, nothing missed.
        return Report()
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_SCAN_BYTES:
            return Report(unchecked=(f"file structure: file is {size / 1e6:.0f} MB, larger than the forensic limit",))
        data = p.read_bytes()
    except OSError as exc:
        return Report(unchecked=(f"file structure: the original file cannot be read ({exc.strerror})",))
    if hashlib.sha256(data).hexdigest() != doc.info.sha256:
        # A temporary extraction (zip) may have been replaced: never judge bytes that are not the document's.
        return Report(unchecked=("file structure: the file on disk changed since it was read",))
    try:
        if doc.info.format == "pdf":
            return _pdf(data, doc)
        return _image(data, doc)
    except Exception as exc:  # noqa: BLE001 - a hostile file must not stop the scan; say what was skipped
        return Report(unchecked=(f"file structure: could not be parsed ({type(exc).__name__}: {str(exc)[:120]})",))


# ------------------------------------------------------------------ dates


_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")
_EXIF_DATE = re.compile(r"(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


def parse_date(text: str | None) -> dt.datetime | None:
    """A PDF ('D:20240101093000+08'00'') or EXIF ('2024:01:01 09:30:00') date, naive; None when unreadable."""
    if not text:
        return None
    m = _EXIF_DATE.search(text) or _PDF_DATE.match(text.strip())
    if not m:
        return None
    parts = [int(g) if g else d for g, d in zip(m.groups(), (1, 1, 1, 0, 0, 0), strict=False)]
    try:
        return dt.datetime(*parts)  # type: ignore[arg-type]
    except ValueError:
        return None


def _date_signals(created: str | None, modified: str | None, page: Box) -> tuple[list[Signal], dict[str, float | None]]:
    c, m = parse_date(created), parse_date(modified)
    if c is None or m is None:
        return [], {f"{CHECK_ID}.modified_after_days": None}
    days = (m - c).total_seconds() / 86400
    out = []
    if m < c - DATE_SLACK:
        out.append(Signal("file.dates_disagree", "medium", f"File says it was modified ({modified}) before it was "
                          f"created ({created})", 0, page, measured=round(days, 2), expected=">= 0 days"))
    elif m - c > DATE_SLACK:
        out.append(Signal("file.dates_disagree", "low", f"File was modified {days:.0f} days after it was created "
                          f"({created} -> {modified}): saved again later", 0, page, measured=round(days, 2),
                          expected="created and modified together"))
    return out, {f"{CHECK_ID}.modified_after_days": round(days, 3)}


# ------------------------------------------------------------------ XMP


_XMP = re.compile(rb"<x:xmpmeta.{0,2000000}?</x:xmpmeta>", re.DOTALL)
_AGENT = re.compile(r"(?:softwareAgent|CreatorTool)\s*(?:=\s*\"([^\"]{1,200})\"|>([^<]{1,200})<)")


def _xmp_signals(xmp: str, page: Box,
                 known: tuple[str | None, ...] = ()) -> tuple[list[Signal], dict[str, float | None]]:
    agents = sorted({(a or b).strip() for a, b in _AGENT.findall(xmp)})
    editors = [a for a in agents if _EDITORS.search(a)]
    # An editor the file already names in Software/Producer/Creator is file.editing_software's finding;
    # this one reports only what the history adds.
    seen = " ".join(k for k in known if k).lower()
    hidden = [a for a in editors if a.lower() not in seen]
    actions = len(re.findall(r"stEvt:action\s*(?:=\s*\"|>)(?:saved|converted|derived)", xmp))
    feats: dict[str, float | None] = {f"{CHECK_ID}.xmp_history_events": float(actions),
                                      f"{CHECK_ID}.xmp_editor": 1.0 if editors else 0.0}
    if not hidden:
        return [], feats
    return [Signal("file.editing_history", "low", f"XMP edit history names editing software the file does not "
                   f"otherwise show: {', '.join(hidden)}", 0, page, measured=hidden,
                   expected="no editor in the file's history")], feats


# ------------------------------------------------------------------ images


def _image(data: bytes, doc: Document) -> Report:
    from PIL import Image

    page = doc.pages[0]
    whole: Box = (0, 0, page.width, page.height)
    signals: list[Signal] = []
    feats: dict[str, float | None] = {}
    unchecked: list[str] = []
    s, f = _date_signals(doc.info.created, doc.info.modified, whole)
    signals += s
    feats.update(f)
    feats[f"{CHECK_ID}.camera"] = 1.0 if doc.info.camera else 0.0
    m = _XMP.search(data[:MAX_SCAN_BYTES])
    if m:
        s, f = _xmp_signals(m.group(0).decode("utf-8", "replace"), whole,
                            (doc.info.software, doc.info.creator, doc.info.producer))
        signals += s
        feats.update(f)
    else:
        feats.update({f"{CHECK_ID}.xmp_history_events": None, f"{CHECK_ID}.xmp_editor": None})
    feats[f"{CHECK_ID}.thumbnail_mismatch"] = None
    if doc.info.format == "jpeg":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                im = Image.open(io.BytesIO(data))
                q = getattr(im, "quantization", None) or {}
            if q:
                feats[f"{CHECK_ID}.jpeg_q0_mean"] = float(np.mean(list(q[min(q)])))
            thumb = _exif_thumbnail(data)
        except Exception as exc:  # noqa: BLE001 - broken EXIF is common; report it instead of failing
            thumb = None
            unchecked.append(f"EXIF thumbnail: EXIF is broken ({type(exc).__name__})")
        if thumb is not None:
            diff = _thumb_difference(thumb, page.image)
            feats[f"{CHECK_ID}.thumbnail_mismatch"] = diff
            if diff is not None and diff > THUMB_MISMATCH:
                signals.append(Signal("file.thumbnail_mismatch", "medium", "The EXIF thumbnail shows a different "
                                      "picture from the image: edited by software that did not update it",
                                      0, whole, measured=round(diff, 3), expected=f"<= {THUMB_MISMATCH}"))
    return Report(tuple(signals), feats, tuple(unchecked))


def _exif_thumbnail(data: bytes) -> np.ndarray | None:
    """The JPEG thumbnail inside the APP1 Exif segment, as grey pixels; None when there is none."""
    from PIL import Image

    i = data.find(b"\xff\xe1", 2, 65536)
    if i < 0 or data[i + 4:i + 10] != b"Exif\x00\x00":
        return None
    seg_len = int.from_bytes(data[i + 2:i + 4], "big")
    seg = data[i + 4:i + 2 + seg_len]
    s = seg.find(b"\xff\xd8", 6)
    e = seg.rfind(b"\xff\xd9")
    if s < 0 or e <= s:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = Image.open(io.BytesIO(seg[s:e + 2]))
        if t.width * t.height > 1_000_000:
            return None
        return np.asarray(t.convert("L"), dtype=np.float32)


def _thumb_difference(thumb: np.ndarray, image: np.ndarray) -> float | None:
    """1 - correlation between the thumbnail and the image shrunk to the thumbnail's size (letterbox removed)."""
    import cv2

    th, tw = thumb.shape
    if th < 8 or tw < 8:
        return None
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    # Cameras pad the thumbnail to 4:3 or 16:9 with black bars: crop the bars before comparing.
    rows = np.where(thumb.mean(axis=1) > 8)[0]
    cols = np.where(thumb.mean(axis=0) > 8)[0]
    if len(rows) < 8 or len(cols) < 8:
        return None
    thumb = thumb[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    small = cv2.resize(grey, (thumb.shape[1], thumb.shape[0]), interpolation=cv2.INTER_AREA).astype(np.float32)
    a, b = small - small.mean(), thumb - thumb.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    if den < 1e-6:
        return None
    return round(1.0 - float((a * b).sum()) / den, 4)


# ------------------------------------------------------------------ PDF


def _pdf(data: bytes, doc: Document) -> Report:
    import pikepdf

    page0 = doc.pages[0]
    whole: Box = (0, 0, page0.width, page0.height)
    signals: list[Signal] = []
    unchecked: list[str] = []
    feats: dict[str, float | None] = {}

    # Revisions are counted on the raw bytes: qpdf merges them on open. A linearized file carries one extra
    # cross-reference section for the first page, which is not an update.
    eofs = len(re.findall(rb"%%EOF", data))
    linearized = b"/Linearized" in data[:4096]
    updates = max(0, eofs - 1 - (1 if linearized else 0))
    feats[f"{CHECK_ID}.pdf_updates"] = float(updates)
    if updates:
        signals.append(Signal("file.pdf_incremental_update", "medium",
                              f"PDF was saved again on top of itself {updates} time(s) (incremental update): "
                              "its content may have been changed after it was produced", 0, whole,
                              measured=updates + 1, expected="1 revision"))
    s, f = _date_signals(doc.info.created, doc.info.modified, whole)
    signals += s
    feats.update(f)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pdf = pikepdf.open(io.BytesIO(data), suppress_warnings=True)
    with pdf:
        root = pdf.Root
        signals += _signature_signals(pdf, data, whole, feats)
        js = _has_javascript(pdf)
        feats[f"{CHECK_ID}.pdf_javascript"] = 1.0 if js else 0.0
        if js:
            signals.append(Signal("file.pdf_javascript", "medium", "PDF carries JavaScript: documents from invoicing "
                                  "systems and scanners never do", 0, whole, measured="JavaScript", expected="none"))
        acro = root.get("/AcroForm")
        fields = acro.get("/Fields") if isinstance(acro, pikepdf.Dictionary) else None
        feats[f"{CHECK_ID}.pdf_form_fields"] = float(len(fields)) if isinstance(fields, pikepdf.Array) else 0.0
        try:
            xmp = str(pdf.Root.Metadata.read_bytes().decode("utf-8", "replace")) if "/Metadata" in root else ""
        except Exception:  # noqa: BLE001 - a broken metadata stream is just no metadata
            xmp = ""
        if xmp:
            s, f = _xmp_signals(xmp, whole, (doc.info.software, doc.info.creator, doc.info.producer))
            signals += s
            feats.update(f)
        overlays = 0
        fonts = 0
        text_pages = 0
        for i, page in enumerate(pdf.pages):
            if i >= MAX_PAGES:
                unchecked.append(f"PDF drawing order: only the first {MAX_PAGES} pages were checked")
                break
            scale = doc.pages[i].dpi / 72 if i < len(doc.pages) and doc.pages[i].dpi else 200 / 72
            walk = _PageWalk(page, scale)
            try:
                walk.run()
            except Exception as exc:  # noqa: BLE001 - one unreadable content stream must not hide the others
                unchecked.append(f"PDF page {i + 1} content stream: unreadable ({type(exc).__name__})")
                continue
            if walk.truncated:
                unchecked.append(f"PDF page {i + 1}: more than {MAX_OPS} drawing operators; only the first checked")
            fonts += walk.fonts
            text_pages += 1 if walk.text_ops else 0
            for box, what in walk.overlays:
                overlays += 1
                signals.append(Signal("file.overlay_image", "high", f"An image with transparency is drawn over {what} "
                                      "on this page: a picture (often a seal) pasted onto the document",
                                      i, box, measured="transparent image over " + what,
                                      expected="one flattened page image, or text and stamps printed together"))
        feats[f"{CHECK_ID}.pdf_overlay_images"] = float(overlays)
        feats[f"{CHECK_ID}.pdf_fonts"] = float(fonts)
        feats[f"{CHECK_ID}.pdf_text_pages"] = float(text_pages)
    return Report(tuple(signals), feats, tuple(unchecked))


def _signature_signals(pdf, data: bytes, whole: Box, feats: dict[str, float | None]) -> list[Signal]:
    """A signature covers bytes [0, c + d) of the file as it was signed; anything after it came later."""
    import pikepdf

    ends = []
    for f in _acro_fields(pdf):
        v = f.get("/V")
        if isinstance(v, pikepdf.Dictionary) and "/ByteRange" in v:
            br = [int(x) for x in v.ByteRange]
            if len(br) == 4:
                ends.append(br[2] + br[3])
    feats[f"{CHECK_ID}.pdf_signatures"] = float(len(ends))
    if not ends:
        return []
    tail = len(data) - max(ends)
    # Writers end the signed revision with "%%EOF" and maybe a newline: a few bytes of slack.
    if tail > 4:
        return [Signal("file.pdf_modified_after_signing", "high", f"PDF was changed after it was signed: {tail} bytes "
                       "follow the signed revision", 0, whole, measured=tail, expected="<= 4 bytes")]
    return []


def _acro_fields(pdf) -> list:
    import pikepdf

    acro = pdf.Root.get("/AcroForm")
    if not isinstance(acro, pikepdf.Dictionary):
        return []
    out, todo, seen = [], list(acro.get("/Fields", [])), set()
    while todo and len(out) < 1000:
        f = todo.pop()
        if not isinstance(f, pikepdf.Dictionary) or f.objgen in seen:
            continue
        seen.add(f.objgen)  # field trees can loop in hostile files
        out.append(f)
        todo.extend(f.get("/Kids", []))
    return out


def _has_javascript(pdf) -> bool:
    import pikepdf

    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        return True
    for holder in (root, root.get("/OpenAction")):
        if isinstance(holder, pikepdf.Dictionary):
            if holder.get("/S") == pikepdf.Name.JavaScript or "/JS" in holder:
                return True
            if "/AA" in holder:
                return True
    return False


class _PageWalk:
    """Follows one page's drawing order with the transformation matrix, noting transparent images over content."""

    def __init__(self, page, scale: float) -> None:
        self.page = page
        self.scale = scale
        mb = [float(v) for v in page.mediabox]
        self.x0, self.y0, self.top = mb[0], mb[1], mb[3]
        self.overlays: list[tuple[Box, str]] = []
        self.drawn: list[tuple[tuple[float, float, float, float], str]] = []
        self.text_ops = 0
        self.fonts = 0
        self.ops = 0
        self.truncated = False

    def run(self) -> None:
        res = self.page.obj.get("/Resources")
        self.fonts = len(res.get("/Font", {})) if res is not None else 0
        self._walk(self.page, res, np.eye(3), 0)

    def _walk(self, obj, resources, ctm: np.ndarray, depth: int) -> None:
        import pikepdf

        stack: list[np.ndarray] = []
        in_text = False
        for operands, op in pikepdf.parse_content_stream(obj):
            self.ops += 1
            if self.ops > MAX_OPS:
                self.truncated = True
                return
            name = str(op)
            if name == "q":
                stack.append(ctm.copy())
            elif name == "Q":
                ctm = stack.pop() if stack else ctm
            elif name == "cm" and len(operands) == 6:
                a, b, c, d, e, f = (float(v) for v in operands)
                ctm = np.array([[a, b, 0], [c, d, 0], [e, f, 1]]) @ ctm
            elif name == "BT":
                in_text = True
            elif name == "ET":
                in_text = False
            elif in_text and name in ("Tj", "TJ", "'", '"'):
                self.text_ops += 1
                # Text position is not tracked; text anywhere on the page counts as "text under it".
                self.drawn.append(((-1e9, -1e9, 1e9, 1e9), "text"))
            elif name == "Do" and operands and resources is not None:
                xo = resources.get("/XObject", {}).get(str(operands[0]))
                if not isinstance(xo, pikepdf.Stream):
                    continue
                sub = xo.get("/Subtype")
                if sub == pikepdf.Name.Image:
                    self._image(xo, ctm)
                elif sub == pikepdf.Name.Form and depth < MAX_FORM_DEPTH:
                    m = [float(v) for v in xo.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                    fm = np.array([[m[0], m[1], 0], [m[2], m[3], 0], [m[4], m[5], 1]])
                    self._walk(xo, xo.get("/Resources", resources), fm @ ctm, depth + 1)

    def _image(self, xo, ctm: np.ndarray) -> None:
        corners = np.array([[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], float) @ ctm
        xs, ys = corners[:, 0], corners[:, 1]
        bbox = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
        transparent = "/SMask" in xo or "/Mask" in xo or bool(xo.get("/ImageMask", False))
        if transparent:
            under = [what for b, what in self.drawn if _overlap(b, bbox)]
            if under:
                what = "text" if "text" in under else "another image"
                self.overlays.append((self._to_px(bbox), what))
        self.drawn.append((bbox, "image"))

    def _to_px(self, b: tuple[float, float, float, float]) -> Box:
        s = self.scale
        return (int(max(0, (b[0] - self.x0) * s)), int(max(0, (self.top - b[3]) * s)),
                int(max(0, (b[2] - self.x0) * s)), int(max(0, (self.top - b[1]) * s)))


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

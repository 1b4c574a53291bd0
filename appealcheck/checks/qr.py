"""QR codes on invoices: the payload the tax system printed must agree with the text beside it.

An e-fapiao QR carries '01,<type>,<code>,<number>,<amount before tax>,<YYYYMMDD>,<check code>,<crc>'. A forger
who edits the printed figures rarely regenerates the code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appealcheck.checks.interface import Check, DocContext
from appealcheck.models import Box, Finding


@dataclass(frozen=True)
class QrRead:
    """A decoded QR code."""

    page: int
    text: str
    box: Box


def read_qr_codes(ctx: DocContext) -> list[QrRead]:
    """Every QR code on the document's pages (zxing-cpp)."""
    import zxingcpp

    out = []
    for page in ctx.document.pages:
        img = page.image
        # Scanning a huge page is slow and gains nothing: QR modules stay readable at ~2,000 px.
        scale = 1.0
        if max(img.shape[:2]) > 2400:
            import cv2

            scale = 2400 / max(img.shape[:2])
            img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        for view, s in _views(img, scale):
            try:
                found = zxingcpp.read_barcodes(np.ascontiguousarray(view), formats=zxingcpp.BarcodeFormat.QRCode)
            except Exception:  # noqa: BLE001 - a decoder failure means 'no QR read', never a crash
                found = []
            for b in found:
                p = b.position
                xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
                ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
                box = tuple(int(v / s) for v in (min(xs), min(ys), max(xs), max(ys)))
                out.append(QrRead(page.index, b.text, box))
            if any(parse_fapiao_payload(b.text) for b in found):
                break  # the invoice's own code read; another code (a payment QR) alone keeps the search going
    return list({(q.page, q.text): q for q in out}.values())


def _views(img: np.ndarray, scale: float):
    """The page as read, then resampled greys: a phone photo's JPEG-softened modules that the decoder's
    binarizer misses at one size it often reads at another (A-103-000122 read at 0.75x, 1.5x and 2x, not 1x)."""
    import cv2

    yield img, scale
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    for f in (1.5, 0.75):
        if max(grey.shape[:2]) * f > 3600:
            continue
        interp = cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA
        yield cv2.resize(grey, None, fx=f, fy=f, interpolation=interp), scale * f


def parse_fapiao_payload(text: str) -> dict[str, str] | None:
    """Fields of a Chinese invoice QR payload, or None when it is not one."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) < 7 or parts[0] != "01":
        return None
    return {"type": parts[1], "invoice_code": parts[2], "invoice_no": parts[3], "amount": parts[4],
            "date": parts[5], "check_code": parts[6]}


class InvoiceQr(Check):
    """The invoice QR payload must carry the printed code, number, date and amount."""

    id = "content.invoice_qr"
    applies_to = ("purchase_invoice",)

    def _payloads(self, ctx: DocContext):
        return [(q, p) for q in read_qr_codes(ctx) if (p := parse_fapiao_payload(q.text))]

    def _compare(self, ctx: DocContext):
        diffs, compared = [], 0
        for q, p in self._payloads(ctx):
            printed = {
                "invoice_code": ctx.fields.get("invoice_code"), "invoice_no": ctx.fields.get("invoice_no"),
                "amount": ctx.fields.get("amount"), "date": ctx.fields.get("issued_on"),
            }
            for key, f in printed.items():
                if f is None or f.value in (None, "") or not p.get(key):
                    continue
                compared += 1
                if key == "amount":
                    # Fully digital invoices (数电票, types 31/32) put the total with tax in the QR code; the
                    # older types put the amount before tax. Either printed figure matching is agreement.
                    total = ctx.fields.get("total")
                    printed_amounts = [f.value] + ([total.value] if total is not None else [])
                    try:
                        same = any(abs(float(p[key]) - float(v)) < 0.005 for v in printed_amounts if v is not None)
                    except (TypeError, ValueError):
                        same = False
                elif key == "date":
                    same = p[key] == str(f.value).replace("-", "")
                else:
                    same = p[key] == str(f.value)
                if not same:
                    diffs.append((q, key, p[key], f))
        return diffs, compared

    MIN_CONFIDENCE = 0.9
    """A printed value read with less OCR confidence than this may be misread: measured, not reported."""

    def run(self, ctx: DocContext) -> list[Finding]:
        diffs, _ = self._compare(ctx)
        diffs = [d for d in diffs if (d[3].confidence or 0) >= self.MIN_CONFIDENCE]
        return [Finding(id="content.qr_mismatch", severity="high", check=self.id,
                        message=f"QR code says {key} {qr_value}, the printed invoice says {f.value}",
                        page=f.page, box=f.box, measured=str(f.value), expected=qr_value)
                for q, key, qr_value, f in diffs]

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        diffs, compared = self._compare(ctx)
        return {"content.invoice_qr.mismatches": float(len(diffs)) if compared else None}

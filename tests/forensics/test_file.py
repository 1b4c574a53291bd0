"""File forensics on constructed files: PDF updates and overlays, and bad inputs that must not crash."""

from __future__ import annotations

import io
import time
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from appealcheck.checks.forensics import FileForensics, PixelForensics
from appealcheck.errors import InputError
from appealcheck.forensics.file import analyse_file
from appealcheck.ingest.files import read_document
from appealcheck.models import Document, FileInfo, Page

TEXT = b"BT /F1 24 Tf 72 700 Td (Authorized distributor 2024) Tj ET\n"


def _pdf(content: bytes, with_seal: bool = False) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    res = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    if with_seal:
        rgb = np.zeros((64, 64, 3), np.uint8)
        rgb[..., 0] = 220
        yy, xx = np.mgrid[0:64, 0:64]
        alpha = (((yy - 32) ** 2 + (xx - 32) ** 2) < 30 ** 2).astype(np.uint8) * 255
        smask = pikepdf.Stream(pdf, zlib.compress(alpha.tobytes()), Type=pikepdf.Name.XObject,
                               Subtype=pikepdf.Name.Image, Width=64, Height=64, BitsPerComponent=8,
                               ColorSpace=pikepdf.Name.DeviceGray, Filter=pikepdf.Name.FlateDecode)
        img = pikepdf.Stream(pdf, zlib.compress(rgb.tobytes()), Type=pikepdf.Name.XObject,
                             Subtype=pikepdf.Name.Image, Width=64, Height=64, BitsPerComponent=8,
                             ColorSpace=pikepdf.Name.DeviceRGB, Filter=pikepdf.Name.FlateDecode, SMask=smask)
        res.XObject = pikepdf.Dictionary(Seal=img)
        content += b"q 120 0 0 120 60 650 cm /Seal Do Q\n"
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Resources=res,
                                           Contents=pdf.make_stream(content)))
    pdf.pages.append(page)
    return pdf


def _save(pdf: pikepdf.Pdf, path: Path) -> Path:
    pdf.save(path, static_id=True)
    return path


def _append_update(path: Path) -> None:
    """An incremental update by hand: a new Info object, an xref section and a trailer pointing back."""
    data = path.read_bytes()
    prev = int(data[data.rindex(b"startxref") + 9:].split()[0])
    with pikepdf.open(path) as pdf:
        size, root = int(pdf.trailer.Size), pdf.Root.objgen[0]
    obj = f"{size} 0 obj\n<< /Producer (Adobe Photoshop 24.1) /ModDate (D:20250301120000) >>\nendobj\n".encode()
    off = len(data)
    xref_at = off + len(obj)
    tail = (f"xref\n{size} 1\n{off:010d} 00000 n \ntrailer\n<< /Size {size + 1} /Root {root} 0 R /Info {size} 0 R "
            f"/Prev {prev} >>\nstartxref\n{xref_at}\n%%EOF\n").encode()
    path.write_bytes(data + obj + tail)


def _ids(path: Path) -> list[str]:
    return [s.id for s in analyse_file(read_document(path, path.name)).signals]


def test_clean_pdf_is_quiet(tmp_path):
    assert _ids(_save(_pdf(TEXT), tmp_path / "a.pdf")) == []


def test_incremental_update_is_found(tmp_path):
    p = _save(_pdf(TEXT), tmp_path / "a.pdf")
    _append_update(p)
    assert "file.pdf_incremental_update" in _ids(p)


def test_transparent_image_over_text_is_found(tmp_path):
    p = _save(_pdf(TEXT, with_seal=True), tmp_path / "a.pdf")
    rep = analyse_file(read_document(p, p.name))
    hits = [s for s in rep.signals if s.id == "file.overlay_image"]
    assert hits and hits[0].box is not None
    x0, y0, x1, y1 = hits[0].box  # 120 pt square at (60, 650) pt, page rendered at 200 dpi
    assert abs(x0 - 60 * 200 / 72) < 3 and abs(y1 - (842 - 650) * 200 / 72) < 3 and x1 > x0


def test_xref_loop_does_not_hang(tmp_path):
    p = _save(_pdf(TEXT), tmp_path / "a.pdf")
    data = p.read_bytes()
    at = data.rindex(b"startxref")
    xref = int(data[at + 9:].split()[0])
    # A trailer whose /Prev points at its own cross-reference section.
    data = data[:at].replace(b"trailer\n<<", f"trailer\n<< /Prev {xref}".encode(), 1) + data[at:]
    p.write_bytes(data)
    doc = Document("a.pdf", FileInfo("pdf", len(data), __import__("hashlib").sha256(data).hexdigest()),
                   (Page(0, np.full((50, 50, 3), 255, np.uint8), 200.0),), path=str(p))
    t = time.perf_counter()
    analyse_file(doc)  # findings or an 'unchecked' note; never a hang or an exception
    assert time.perf_counter() - t < 5


def _jpeg_with_exif(exif: bytes) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 150), (200, 200, 200)).save(buf, "JPEG")
    d = buf.getvalue()
    seg = b"Exif\x00\x00" + exif
    return d[:2] + b"\xff\xe1" + (len(seg) + 2).to_bytes(2, "big") + seg + d[2:]


BAD = {
    "broken_exif.jpg": lambda: _jpeg_with_exif(b"MM\x00\x2a\x00\x00\x00\x08\xff\xff" + b"\x00" * 20),
    "sixteen.png": lambda: _png(Image.fromarray(np.arange(200 * 150, dtype=np.uint16).reshape(150, 200))),
    "cmyk.jpg": lambda: _jpg(Image.new("CMYK", (200, 150), (0, 50, 100, 0))),
    "palette.png": lambda: _png(Image.new("RGB", (200, 150), (250, 10, 10)).convert("P")),
    "one.png": lambda: _png(Image.new("RGB", (1, 1))),
}


def _png(im: Image.Image) -> bytes:
    b = io.BytesIO()
    im.save(b, "PNG")
    return b.getvalue()


def _jpg(im: Image.Image) -> bytes:
    b = io.BytesIO()
    im.save(b, "JPEG")
    return b.getvalue()


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_images_do_not_crash(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(BAD[name]())
    doc = read_document(p, name)
    from appealcheck.checks.interface import DocContext
    from appealcheck.models import Appeal, Seller

    ctx = DocContext(Appeal("a", str(tmp_path), None, None, Seller(), (doc,)), doc, "other", {}, (), None)
    for check in (FileForensics(), PixelForensics()):
        findings = check.run(ctx)
        feats = check.measure(ctx)
        assert all(k.startswith(check.id + ".") for k in feats)
        assert all(f.box is None or (0 <= f.box[0] <= f.box[2] <= doc.pages[0].width) for f in findings)
    if name == "one.png":
        assert any(f.id == "pixel.forensics.unchecked" for f in PixelForensics().run(ctx))


def test_huge_image_is_refused_before_decoding(tmp_path):
    p = tmp_path / "huge.png"
    Image.new("1", (20000, 20000)).save(p)
    t = time.perf_counter()
    with pytest.raises(InputError, match="megapixels"):
        read_document(p, "huge.png")
    assert time.perf_counter() - t < 5


def test_identifiers_of_the_original_file_are_recorded(tmp_path):
    """A PDF keeps its permanent /ID through an incremental update; a JPEG's XMP names its source document."""
    from appealcheck.models import file_meta

    pdf_path = _save(_pdf(TEXT), tmp_path / "letter.pdf")
    before = read_document(pdf_path, "letter.pdf").info
    _append_update(pdf_path)
    after = read_document(pdf_path, "letter.pdf").info
    assert before.sha256 != after.sha256
    assert len(before.metadata["pdf.ID"]) == 32 and after.metadata["pdf.ID"] == before.metadata["pdf.ID"]
    assert file_meta(after)["ids"] == {"pdf.ID": before.metadata["pdf.ID"]}

    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
           'xmpMM:DocumentID="xmp.did:4f2c9a11-7e0b" xmpMM:InstanceID="xmp.iid:0001">'
           '<xmpMM:OriginalDocumentID>xmp.did:ORIG-77</xmpMM:OriginalDocumentID>'
           '</rdf:Description></rdf:RDF></x:xmpmeta>')
    jpg = tmp_path / "receipt.jpg"
    Image.new("RGB", (400, 300), "white").save(jpg, "JPEG", xmp=xmp.encode())
    meta = file_meta(read_document(jpg, "receipt.jpg").info)
    assert meta["format"] == "jpeg"
    assert meta["ids"] == {"xmp.DocumentID": "xmp.did:4f2c9a11-7e0b", "xmp.OriginalDocumentID": "xmp.did:ORIG-77"}


@pytest.mark.parametrize("fmt, raw, expected, editor", [
    ("png", "Adobe Photoshop 24.1 (Macintosh)", "Adobe Photoshop 24.1 (Macintosh)", True),  # PNG tEXt chunk
    ("png", "GIMP 2.10.34", "GIMP 2.10.34", True),
    ("png", None, None, False),
    ("jpeg", "美图秀秀".encode(), "美图秀秀", True),  # UTF-8 bytes in an ASCII EXIF tag, as Chinese apps write
    ("jpeg", "美图秀秀".encode("gbk"), "美图秀秀", True),  # or GBK
    ("jpeg", "醒图 6.2".encode(), "醒图 6.2", True),
    ("jpeg", "Adobe Photoshop CC 2019 (Windows)", "Adobe Photoshop CC 2019 (Windows)", True),
    ("jpeg", "Café Scan".encode("latin-1"), "Café Scan", False),  # real Latin-1 is left as it is
    ("jpeg", "Crème Müller".encode("latin-1"), "Crème Müller", False),  # even where GBK could pair é with m
    ("jpeg", "EPSON Scan 2", "EPSON Scan 2", False),
])
def test_editing_software_is_read_from_every_place_editors_write_it(tmp_path, fmt, raw, expected, editor):
    from appealcheck.checks.filemeta import EditingSoftware
    from appealcheck.checks.interface import DocContext
    from appealcheck.models import Appeal, Seller

    p = tmp_path / f"page.{'jpg' if fmt == 'jpeg' else 'png'}"
    im = Image.new("RGB", (200, 100), "white")
    if fmt == "png":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        if raw:
            info.add_text("Software", raw)
        im.save(p, "PNG", pnginfo=info)
    else:
        ex = Image.Exif()
        ex[0x0131] = raw
        im.save(p, "JPEG", exif=ex.tobytes())
    doc = read_document(p, p.name)
    assert doc.info.software == expected
    appeal = Appeal("A-1", str(tmp_path), None, None, Seller(), (doc,))
    ctx = DocContext(appeal, doc, "authorization_letter", {}, (), None)
    ids = [f.id for f in EditingSoftware().run(ctx)]
    assert ids == (["file.editing_software"] if editor else [])


def test_a_pdf_written_by_an_editor_weighs_more_than_an_edited_photo(tmp_path):
    """A genuine PDF comes from a scanner, an office suite or an invoicing system: Photoshop as its producer is
    'medium'. A photo saved by Photoshop stays 'low' (all 26 genuine real receipts carry it)."""
    from appealcheck.checks.filemeta import EditingSoftware
    from appealcheck.checks.interface import DocContext
    from appealcheck.models import Appeal, Seller

    pdf = _pdf(TEXT)
    pdf.docinfo["/Producer"] = "Adobe Photoshop 24.1"
    pdf_path = _save(pdf, tmp_path / "invoice.pdf")
    jpg_path = tmp_path / "receipt.jpg"
    ex = Image.Exif()
    ex[0x0131] = "Adobe Photoshop 24.1"
    Image.new("RGB", (200, 100), "white").save(jpg_path, "JPEG", exif=ex.tobytes())
    severities = {}
    for p in (pdf_path, jpg_path):
        doc = read_document(p, p.name)
        ctx = DocContext(Appeal("A-1", str(tmp_path), None, None, Seller(), (doc,)), doc, "purchase_invoice", {}, (),
                         None)
        severities[p.suffix] = [(f.id, f.severity) for f in EditingSoftware().run(ctx)]
    assert severities == {".pdf": [("file.editing_software", "medium")], ".jpg": [("file.editing_software", "low")]}

"""A digit cloned on a captured page (a scan edited in an image editor), found with the real OCR."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from appealcheck.forensics.clones import page_clones
from appealcheck.forensics.glyphs import Glyph
from appealcheck.scoring.features import document_features
from tests import pages

LINE = (120, 700, "授权期限：2024年01月01日至2025年12月31日", 30)
"""The letter's validity line: x, y (top of the text), text, size."""


def _letter() -> Image.Image:
    return pages.text_page([
        (520, 140, "授 权 书", 56),
        (120, 300, "编号：AC-2024-00017", 30),
        (120, 370, "授权方：艾克米(中国)有限公司", 30),
        (120, 425, "统一社会信用代码：91310000MA1FL0XD32", 30),
        (120, 480, "被授权方：深圳市启航贸易有限公司", 30),
        (120, 580, "兹授权被授权方在天猫平台销售艾克米品牌系列产品。", 30),
        LINE,
        (700, 1160, "日期：2024年01月01日", 28),
    ])


def _ink_anchor(index: int) -> tuple[float, float]:
    """Centre-bottom of the ink of character `index` of LINE, on the unturned page."""
    x, y, text, size = LINE
    f = pages.font(size)
    left = x + f.getlength(text[:index])
    x0, _, x1, y1 = f.getbbox(text[index])
    return left + (x0 + x1) / 2, y + y1


def _scan(page: Image.Image, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A flatbed scan: turned 0.4 degrees, a little blur, sensor noise, JPEG 80. Returns pixels and the map."""
    rgb = np.asarray(page.convert("RGB"))
    h, w = rgb.shape[:2]
    M = cv2.getRotationMatrix2D((w / 2, h / 2), 0.4, 1.0)
    out = cv2.warpAffine(rgb, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=(250, 250, 248))
    out = cv2.GaussianBlur(out, (0, 0), 0.6).astype(np.float32)
    out += np.random.default_rng(seed).normal(0, 2.5, out.shape[:2])[..., None]
    return _jpeg(np.clip(out, 0, 255).astype(np.uint8), 80), M


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return np.array(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _clone(img: np.ndarray, M: np.ndarray, donor: int, target: int, half: int = 9) -> tuple[int, int]:
    """Copy the patch around character `donor` of LINE over character `target`, as a clone stamp does.
    Returns the target's position on the scan."""
    (dx, dy), (tx, ty) = (M @ np.array([*_ink_anchor(i), 1.0]) for i in (donor, target))
    ox, oy = int(round(tx - dx)), int(round(ty - dy))
    x0, y0 = int(dx) - half, int(dy) - 3 * half
    patch = img[y0:y0 + 4 * half, x0:x0 + 2 * half].copy()
    img[y0 + oy:y0 + oy + patch.shape[0], x0 + ox:x0 + ox + patch.shape[1]] = patch
    return int(tx), int(ty)


# The end date's '3' (index 25 of LINE) becomes a '2' copied from the start year's first digit (index 5).
DONOR, TARGET = 5, 25


def test_digit_cloned_on_a_scan_is_found_where_it_was_pasted(scanner, tmp_path):
    img, M = _scan(_letter())
    tx, ty = _clone(img, M, DONOR, TARGET)
    Image.fromarray(img).save(tmp_path / "letter.jpg", quality=92)
    r = scanner.scan(tmp_path / "letter.jpg")
    found = [f for d in r.documents for f in d.findings if f.id == "text.glyph_cloned"]
    assert len(found) == 1, [f.message for d in r.documents for f in d.findings]
    f = found[0]
    assert f.severity == "high" and "'2'" in f.message and "same pixels" in f.message
    assert f.box[0] - 3 <= tx <= f.box[2] + 3 and f.box[1] - 3 <= ty <= f.box[3] + 3
    assert f.measured < 3.0
    assert r.documents[0].features["text.clone_closest"] < 0.3
    row = document_features(r.documents[0], None)
    assert row["finding.text.glyph_cloned"] == 1 and row["text.clone_closest"] < 0.3


def test_the_same_scan_without_the_clone_has_no_finding(scanner, tmp_path):
    img, _ = _scan(_letter())
    Image.fromarray(img).save(tmp_path / "letter.jpg", quality=92)
    r = scanner.scan(tmp_path / "letter.jpg")
    assert not [f for d in r.documents for f in d.findings if f.id == "text.glyph_cloned"]
    assert r.documents[0].features["text.clone_closest"] > 0.4


def test_a_page_that_repeats_its_print_exactly_is_not_judged(scanner, tmp_path):
    """A lossless, unturned render prints every digit pixel for pixel alike: a clone is invisible there, and
    the check says nothing rather than calling every repeated digit a clone."""
    img = np.asarray(_letter().convert("RGB")).copy()
    _clone(img, np.eye(3)[:2], DONOR, TARGET)
    Image.fromarray(img).save(tmp_path / "letter.png")
    r = scanner.scan(tmp_path / "letter.png")
    assert not [f for d in r.documents for f in d.findings if f.id == "text.glyph_cloned"]
    assert r.documents[0].features["text.clone_closest"] is None


def _digit(grey: np.ndarray, x: int, y: int, ch: str) -> Glyph:
    return Glyph(ch, x, x + 9, y, y + 15)


@pytest.mark.parametrize("jpeg_grid, found", [(False, 1), (True, 0)])
def test_pairs_on_the_same_jpeg_block_phase_prove_nothing(jpeg_grid, found):
    """Unit: a noisy page of '5's where one pair is a clone (saved again) whole blocks apart. On a JPEG's own pixels it
    sits on the same block phase (an unturned page's printings come out alike there), so it is left out."""
    rng = np.random.default_rng(1)
    grey = np.full((200, 400), 235, np.uint8)
    glyph = np.full((16, 10), 235, np.uint8)
    glyph[2:14, 3:7] = 40
    glyphs = []
    for k in range(12):
        x, y = 20 + 30 * k, 40 + (k % 3) * 40
        noisy = np.clip(glyph + rng.normal(0, 6, glyph.shape), 0, 255).astype(np.uint8)
        grey[y:y + 16, x:x + 10] = noisy
        glyphs.append(_digit(grey, x, y, "5"))
    # Glyph 11 becomes an exact copy (with its paper) of glyph 0, moved by a whole number of blocks.
    x0, y0 = glyphs[0].x0, glyphs[0].top
    glyphs[11] = _digit(grey, x0 + 16 * 20, y0 + 16 * 8, "5")
    patch = grey[y0 - 3:y0 + 19, x0 - 3:x0 + 13].astype(np.int16) + rng.integers(-1, 2, (22, 16))
    grey[y0 + 128 - 3:y0 + 128 + 19, x0 + 320 - 3:x0 + 320 + 13] = np.clip(patch, 0, 255).astype(np.uint8)
    pc = page_clones(grey, glyphs, jpeg_grid=jpeg_grid)
    assert len(pc.clones) == found


def test_the_digit_inside_a_date_is_boxed_as_the_copy():
    """Unit: the pixels cannot say which of two identical digits is the copy. A forger changes a date or an
    amount, so the one inside such a field is boxed, wherever the other sits on the page."""
    from appealcheck.checks.text import _clone_finding
    from appealcheck.forensics.clones import Clone
    from appealcheck.models import FieldValue

    in_date = Glyph("8", 700, 712, 830, 850)
    elsewhere = Glyph("8", 550, 562, 1370, 1390)
    fields = {"valid_to": FieldValue("valid_to", "2028-03-31", "2028年03月31日", 0, (600, 820, 900, 860)),
              "trademark_numbers": FieldValue("trademark_numbers", "12345678", "12345678", 0, (500, 1360, 800, 1400))}
    for a, b in ((in_date, elsewhere), (elsewhere, in_date)):
        f = _clone_finding(0, Clone(a, b, 1.2, 10.0), "text", fields)
        assert f.box == (700, 830, 713, 851) and "of the valid_to" in f.message
    # Neither in a field: the later one on the page.
    f = _clone_finding(0, Clone(in_date, elsewhere, 1.2, 10.0), "text", {})
    assert f.box == (550, 1370, 563, 1391)


def _noisy_page(n_per_digit: int = 10, digits: str = "57", seed: int = 2):
    """Unit helper: a noisy page of printed digits (each printing its own noise), as glyphs with their boxes."""
    rng = np.random.default_rng(seed)
    grey = np.full((400, 640), 235, np.uint8)
    shapes = {}
    for i, ch in enumerate(digits):
        s = np.full((16, 10), 235, np.uint8)
        s[2:14, 2 + i:6 + i] = 40
        s[2:5, 2:9] = 40
        shapes[ch] = s
    glyphs = []
    for k in range(n_per_digit):
        for i, ch in enumerate(digits):
            x, y = 20 + 58 * k + 19 * i, 30 + 60 * i + (k % 2) * 25
            grey[y:y + 16, x:x + 10] = np.clip(shapes[ch] + rng.normal(0, 6, (16, 10)), 0, 255).astype(np.uint8)
            glyphs.append(Glyph(ch, x, x + 9, y, y + 15))
    return grey, glyphs


def _copy(grey, glyphs, src: int, x: int, y: int, resave: bool = False) -> None:
    """Clone printing `src` (with its paper) to (x, y) as a new printing of the same digit; `resave` moves its
    pixels by a level or two, as saving the file again does."""
    g = glyphs[src]
    patch = grey[g.top - 3:g.top + 19, g.x0 - 3:g.x0 + 13].astype(np.int16)
    if resave:
        patch = patch + np.random.default_rng(x).integers(-1, 2, patch.shape)
    grey[y - 3:y + 19, x - 3:x + 13] = np.clip(patch, 0, 255).astype(np.uint8)
    glyphs.append(Glyph(g.ch, x, x + 9, y, y + 15))


def test_two_clones_of_different_digits_are_both_found():
    """Unit: each clone is the other's closest pair of other printings; that must not hide either."""
    grey, glyphs = _noisy_page()
    _copy(grey, glyphs, 0, 101, 301, resave=True)
    _copy(grey, glyphs, 1, 203, 333, resave=True)
    pc = page_clones(grey, glyphs)
    assert sorted(c.a.ch for c in pc.clones) == ["5", "7"]


def test_a_page_with_an_exact_pair_is_not_judged():
    """Unit: pixel-identical printings are what a page that repeats its print shows (a screenshot, a render of
    an e-receipt with its amounts in one column), so such a page is not judged: a clone saved losslessly on a
    noisy page is lost with it (a clone saved again as JPEG is never exact)."""
    grey, glyphs = _noisy_page()
    _copy(grey, glyphs, 0, 101, 301)
    pc = page_clones(grey, glyphs)
    assert pc.exact and pc.clones == () and pc.closest is None


def test_a_render_resized_across_repeats_its_amount_column_and_is_not_judged(scanner, tmp_path):
    """A receipt rendered without noise and resized in width: its right-aligned amounts keep one phase down the
    column, so their digits are pixel-identical. Not a clone."""
    pages.receipt().resize((521, 1200)).save(tmp_path / "r.png")
    r = scanner.scan(tmp_path / "r.png")
    assert not [f for d in r.documents for f in d.findings if f.id == "text.glyph_cloned"]


def test_one_printing_read_twice_is_not_a_clone():
    """Unit: two OCR lines boxing the same printing give two glyphs over the same pixels."""
    grey, glyphs = _noisy_page()
    g = glyphs[3]
    glyphs.append(Glyph(g.ch, g.x0 + 1, g.x1, g.top, g.bottom))
    assert page_clones(grey, glyphs).clones == ()


def test_a_genuine_screenshots_two_printings_on_nearly_one_phase_are_no_clone(scanner, tmp_path, monkeypatch):
    """A-1205-000081 (fresh seed 1205, the field edits), a genuine screenshot of a receipt saved as PNG: the two '1's
    of '£201.12' differ by 1.7 grey levels, where the page's other twins differ by 7 (and two '4's by 1.9). A lossless
    file keeps a clone's pixels exactly (and such a page is not judged), so a pair that close there is the render's
    own."""
    from appealcheck.checks import text as text_check
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    out = build(1205, 81, 0.7, serial_forgers(1205), ("field_copy_move", "field_retyped", "letter_reused"))
    label = next(d for d in out.label["documents"] if d["file"] == "01_receipt.png")
    assert (label["label"], label["capture"]["style"]) == ("genuine", "screenshot")
    (tmp_path / "01_receipt.png").write_bytes(dict(out.files)["01_receipt.png"])

    def clones(result):
        return [f for d in result.documents for f in d.findings if f.id == "text.glyph_cloned"]

    assert clones(scanner.scan(tmp_path / "01_receipt.png")) == []
    monkeypatch.setattr(text_check, "LOSSLESS", ())
    monkeypatch.setattr(text_check.TextConsistency, "version", "lossless-judged")
    # Judged as a JPEG would be, the subtotal's '1' and the total's '4' were called clones.
    assert [f.measured for f in clones(scanner.scan(tmp_path / "01_receipt.png"))] == [pytest.approx(1.69, abs=0.05),
                                                                                      pytest.approx(1.86, abs=0.05)]

"""Pixel forensics on constructed pages: a clone made after capture is found; the honest capture is not."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from appealcheck.forensics.pixel import PixelParams, analyse_page, heatmap_png, region_scale
from appealcheck.models import Page
from tests.pages import font

LINES = ["授权书 有限公司 有限公司 授权期限", "2024年01月01日 至 2025年12月31日", "特此授权 有限公司 经销",
         "被授权方 上海锦程贸易有限公司", "金额 12345.67 元 有限公司"]


def _captured(seed: int = 0, lines: list[str] | None = None, size: int = 34, pitch: int = 90) -> np.ndarray:
    """A text page (with repeated words) captured like a scan: slight skew, blur, sensor noise on grey paper."""
    img = Image.new("L", (1240, 1754), 228)
    d = ImageDraw.Draw(img)
    for i, t in enumerate(LINES * 3 if lines is None else lines):
        d.text((120, 150 + i * pitch), t, font=font(size), fill=30)
    a = np.asarray(img, np.float32)
    M = cv2.getRotationMatrix2D((620, 877), 0.4, 1.0)
    a = cv2.warpAffine(a, M, (1240, 1754), borderValue=228)
    a = cv2.GaussianBlur(a, (0, 0), 0.6)
    a += np.random.default_rng(seed).normal(0, 3.0, a.shape).astype(np.float32)
    g = np.clip(a, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2))


def _meet(a, b) -> bool:
    """Two boxes (x0, y0, x1, y1) overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_clone_after_capture_is_found():
    img = _captured()
    src = (120, 240, 560, 330)  # a multi-character block: one line of dates
    dst_x, dst_y = 640, 1520
    img[dst_y:dst_y + 90, dst_x:dst_x + 440] = img[src[1]:src[3], src[0]:src[2]]
    rep = analyse_page(Page(0, img, 150.0))
    hits = [s for s in rep.report.signals if s.id == "pixel.copy_move"]
    assert hits, rep.report.features
    pasted = (dst_x, dst_y, dst_x + 440, dst_y + 90)
    assert any(h.box and _meet(h.box, pasted) for h in hits)
    assert heatmap_png(Page(0, img, 150.0), rep)[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_clone_left_of_its_source_is_boxed_on_the_clone():
    """A repeat's two blocks are paired left to right, so a clone left of its source was boxed on the source
    alone: half the clones of the bench were boxed on the genuine block. Both blocks are reported now."""
    img = _captured()
    src = (300, 240, 740, 330)
    dst_x, dst_y = 40, 1520
    img[dst_y:dst_y + 90, dst_x:dst_x + 440] = img[src[1]:src[3], src[0]:src[2]]
    hits = [s for s in analyse_page(Page(0, img, 150.0)).report.signals if s.id == "pixel.copy_move"]
    assert any(h.box and _meet(h.box, (dst_x, dst_y, dst_x + 440, dst_y + 90)) for h in hits), hits
    assert any(h.box and _meet(h.box, src) for h in hits), hits


DISTINCT = ["授权书 编号 AC-2024-00017", "兹授权上海锦程贸易有限公司", "在天猫平台销售本公司产品",
            "授权期限 2024年01月01日", "至 2025年12月31日 止", "联系人 王小明 电话 021-5555",
            "地址 上海市浦东新区世纪大道 88 号", "特此授权"]


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


@pytest.mark.parametrize("quality", [95, 85])
def test_block_of_lines_cloned_then_saved_as_jpeg_is_found(quality):
    """The pixel identity is gone after the save; the content of three lines, window for window, is not."""
    img = _captured(3, DISTINCT)
    src = (110, 230, 700, 420)  # three lines: the licensee, the platform, the start date
    dst = (520, 1450)
    img[dst[1]:dst[1] + 190, dst[0]:dst[0] + 590] = img[src[1]:src[3], src[0]:src[2]]
    rep = analyse_page(Page(0, _jpeg(img, quality), 150.0), jpeg=True)
    hits = [s for s in rep.report.signals if s.id == "pixel.copy_move"]
    pasted = (dst[0], dst[1], dst[0] + 590, dst[1] + 190)
    assert any(_meet(h.box, pasted) for h in hits), [h.message for h in hits]
    assert any(h.box[1] < src[3] and src[1] < h.box[3] for h in hits)  # the source is marked too
    assert rep.report.features["pixel.forensics.copy_move_region"] > 0.01


def test_two_lines_cloned_then_saved_as_jpeg_are_found():
    """Two lines of small print fill three window rows, where the region test asked for four; and the save left
    too few pixels equal for the noise test, which once vetoed every copy saved again as JPEG."""
    img = _captured(7, DISTINCT, size=22, pitch=30)
    src = (110, 178, 560, 240)  # the licensee and the platform, two lines
    dst = (640, 1400)
    img[dst[1]:dst[1] + 62, dst[0]:dst[0] + 450] = img[src[1]:src[3], src[0]:src[2]]
    rep = analyse_page(Page(0, _jpeg(img, 85), 150.0), jpeg=True)
    hits = [s for s in rep.report.signals if s.id == "pixel.copy_move"]
    assert any(_meet(h.box, (dst[0], dst[1], dst[0] + 450, dst[1] + 62)) for h in hits), [h.message for h in hits]


def test_two_lines_repeated_down_one_column_are_quiet():
    """An invoice prints its buyer's and its seller's labels alike, two lines, one under the other, and two
    companies of one city start their names and tax numbers alike (seed 7, a screenshot of an invoice)."""
    gap = " " * 16
    buyer = [f"名称：深圳市{gap}博远明辉实业有限公司", f"纳税人识别号：914403{gap}0073LBNJCFGX"]
    seller = [f"名称：深圳市{gap}宏图鸿运贸易有限公司", f"纳税人识别号：914403{gap}0059FQ50D0RJ"]
    lines = [*buyer, "", "货物名称 规格型号 单位", "", "合计 价税合计（大写）", "", *seller, "", "备注"]
    img = _clean_scan(lines, 0.0, size=20, pitch=26)
    hits = [s for s in analyse_page(Page(0, img, 150.0)).report.signals if s.id == "pixel.copy_move"]
    assert not hits, [h.message for h in hits]


def test_one_word_down_a_column_and_dashed_rules_are_quiet():
    """A receipt lists items of one brand line after line, between dashed rules: periodic, not copied."""
    lines = [f"XINGLAN  {name}  {price}" for name, price in
             (("T-Shirt", "19.99"), ("Jacke", "89.00"), ("Socken", "4.99"), ("Hose", "49.95"), ("Mütze", "12.00"),
              ("Schal", "24.50"), ("Gürtel", "29.90"))]
    lines = ["- " * 30, *lines, "- " * 30, "SUMME  230.33", "- " * 30]
    for quality in (None, 85):
        img = _captured(4, lines)
        rep = analyse_page(Page(0, img if quality is None else _jpeg(img, quality), 150.0), jpeg=quality is not None)
        assert not [s for s in rep.report.signals if s.id == "pixel.copy_move"], quality


def test_a_till_roll_strip_is_analysed_in_bounded_work():
    strip = np.ascontiguousarray(_captured(5)[:, 560:640])  # 1754 x 80: blown up to 1024 wide, it would be 22,000 tall
    p = PixelParams()
    k = region_scale(1754, 80, p)
    assert 1754 * k <= 4 * p.cm_region_width and 80 * k < p.cm_region_width
    assert region_scale(2339, 1654, p) == p.cm_region_width / 1654  # an A4 page is compared 1024 wide
    rep = analyse_page(Page(0, strip, 150.0), jpeg=True)
    assert rep.report.features["pixel.forensics.copy_move_region"] is not None


def test_honest_capture_with_repeated_words_is_quiet():
    rep = analyse_page(Page(0, _captured(1), 150.0))
    assert not rep.report.signals
    assert rep.report.features["pixel.forensics.copy_move_pairs"] > 0  # repeats were seen, and let go


@pytest.mark.parametrize("shape", [(1, 1, 3), (40, 3000, 3), (3, 3, 3)])
def test_tiny_pages_say_so(shape):
    rep = analyse_page(Page(0, np.full(shape, 255, np.uint8), None))
    assert rep.report.unchecked and not rep.report.signals


def test_blank_and_large_pages_are_bounded():
    # Time per page is measured by bench/forensics.py; here, that a large page is worked on at a bounded size.
    from appealcheck.forensics.pixel import WORK_SIDE, _work

    assert not analyse_page(Page(0, np.full((2339, 1654, 3), 255, np.uint8), 200.0)).report.signals
    big = np.random.default_rng(0).integers(0, 255, (7000, 5000, 3), dtype=np.uint8)
    grey, s = _work(Page(0, big, 300.0))
    assert max(grey.shape) <= WORK_SIDE and s == pytest.approx(WORK_SIDE / 7000)
    # Analysed at that size; only the JPEG history, read at full size, is left, and said so.
    assert analyse_page(Page(0, big, 300.0)).report.unchecked == (
        "pixel forensics: page 1 is 5000 x 7000 pixels, over 16 million: its JPEG history was not read",)


def test_one_line_cloned_then_saved_as_jpeg_is_found_by_its_distance():
    """One line is too little content for the region test and the save took the identity: what is left is
    that the copy sits a few grey levels from its source, where the page's genuine repeats sit far apart.
    (Saved at 85 the copy is 3.3 levels off and this page's closest genuine repeat 5.2: not told apart.)"""
    quality = 95
    img = _captured(6, DISTINCT)
    src = (110, 420, 560, 470)  # one line: the start date
    dst = (600, 1560)
    img[dst[1]:dst[1] + 50, dst[0]:dst[0] + 450] = img[src[1]:src[3], src[0]:src[2]]
    rep = analyse_page(Page(0, _jpeg(img, quality), 150.0), jpeg=True)
    hits = [s for s in rep.report.signals if s.id == "pixel.copy_move"]
    pasted = (dst[0], dst[1], dst[0] + 450, dst[1] + 50)
    assert any(_meet(h.box, pasted) and "grey levels" in h.message for h in hits), [h.message for h in hits]
    assert rep.report.features["pixel.forensics.copy_move_gap"] <= PixelParams().cm_gap


@pytest.mark.parametrize("quality", [None, 85])
def test_honest_capture_keeps_its_repeats_apart(quality):
    """The same page without the clone: its repeated words are measured and none comes near the copy's gap."""
    img = _captured(6, DISTINCT + LINES)
    rep = analyse_page(Page(0, img if quality is None else _jpeg(img, quality), 150.0), jpeg=quality is not None)
    assert not [s for s in rep.report.signals if s.id == "pixel.copy_move"]
    gap = rep.report.features["pixel.forensics.copy_move_gap"]
    assert gap is None or gap > PixelParams().cm_gap


def _clean_scan(lines: list[str], angle: float, size: int = 34, pitch: int = 90) -> np.ndarray:
    """A page scanned onto pure white: skewed and blurred, but the paper clips to white, so no sensor noise."""
    img = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(img)
    for i, t in enumerate(lines):
        d.text((120, 150 + i * pitch), t, font=font(size), fill=30)
    a = np.asarray(img, np.float32)
    a = cv2.warpAffine(a, cv2.getRotationMatrix2D((620, 877), angle, 1.0), (1240, 1754), borderValue=255)
    g = np.clip(cv2.GaussianBlur(a, (0, 0), 0.6), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2))


def test_a_copy_on_a_page_without_noise_is_told_from_its_print_by_the_pages_other_repeats():
    """A skewed scan puts every printing on its own sub-pixel phase: its repeated words sit grey levels apart,
    and a copy does not. The paper carries no noise, so the finding is weaker (medium)."""
    img = _clean_scan(DISTINCT + LINES, 0.7)
    rep = analyse_page(Page(0, img, 150.0))
    assert (rep.report.features["pixel.forensics.noise_level"] or 0) < PixelParams().noise_floor  # None: all clipped
    assert not rep.report.signals
    src, dst = (110, 420, 560, 470), (600, 1620)
    img[dst[1]:dst[1] + 50, dst[0]:dst[0] + 450] = img[src[1]:src[3], src[0]:src[2]]
    hits = [s for s in analyse_page(Page(0, img, 150.0)).report.signals if s.id == "pixel.copy_move"]
    pasted = (dst[0], dst[1], dst[0] + 450, dst[1] + 50)
    assert any(h.severity == "medium" and _meet(h.box, pasted) for h in hits), [h.message for h in hits]


def test_a_render_that_repeats_its_print_exactly_is_not_judged():
    """Straight, on whole pixels: the page's own repeats are exact, so nothing can stand apart from them."""
    img = _clean_scan(DISTINCT + LINES, 0.0)
    for quality in (None, 85):
        page = img if quality is None else _jpeg(img, quality)
        rep = analyse_page(Page(0, page, 150.0), jpeg=quality is not None)
        assert not [s for s in rep.report.signals if s.id == "pixel.copy_move"], quality


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


@pytest.mark.parametrize("saved_as", ["png", "jpeg"])
def test_a_region_wiped_clean_of_the_pages_noise_is_found_where_it_is(saved_as):
    img = _captured(3)
    wiped = img.copy()
    wiped[900:1300, 300:900] = 228  # paper colour with no sensor noise: painted over
    for page, expect in ((img, []), (wiped, ["pixel.noise_inconsistency"])):
        page = _jpeg(page, 90) if saved_as == "jpeg" else page
        rep = analyse_page(Page(0, page, 200.0), jpeg=saved_as == "jpeg")
        signals = [s for s in rep.report.signals if s.id == "pixel.noise_inconsistency"]
        assert [s.id for s in signals] == expect
        assert all(_meet(s.box, (300, 900, 900, 1300)) and s.measured < 1 for s in signals)  # cleaner, there


@pytest.mark.parametrize(("index", "name"), [(3, "01_authorization_letter.jpg"), (240, "01_receipt.jpg")])
def test_a_jpeg_barely_over_the_noise_floor_has_no_clean_region(index, name):
    """Genuine photos of seed 7 whose noise (0.154-0.158 grey levels) JPEG wiped out of whole blocks: those blocks
    read 4x cleaner than the page, and were the only noise findings of the corpus."""
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    data = dict(build(7, index, 0.4, serial_forgers(7)).files)[name]
    page = Page(0, np.asarray(Image.open(io.BytesIO(data)).convert("RGB")), 150.0)
    # What the check said before (the desk rule, added later, also takes one of the two away).
    assert [s.id for s in analyse_page(page, PixelParams(noise_clean_min_jpeg=0.0, noise_desk=0.0),
                                       jpeg=True).report.signals] == ["pixel.noise_inconsistency"] * 2
    assert analyse_page(page, jpeg=True).report.signals == ()


def test_a_name_printed_twice_on_a_letter_is_one_line_not_a_copied_block():
    """A-971-000011 (fresh seed 971), a genuine scanned letter: the licensor's name heads the letter and recurs in
    its body, the same font and size. The body's next line is short, so only the name was compared there, and the
    windows matched over five rows were called a block of several lines copied. Windows with text on one side only
    now count against the match: under the header's name is the licensee's."""
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    out = build(971, 11, 0.4, serial_forgers(971))
    name = "01_authorization_letter.jpg"
    assert next(d for d in out.label["documents"] if d["file"] == name)["label"] == "genuine"
    page = Page(0, np.asarray(Image.open(io.BytesIO(dict(out.files)[name])).convert("RGB")), 150.0)
    assert [s.message for s in analyse_page(page, jpeg=True).report.signals if s.id == "pixel.copy_move"] == []


def test_two_lines_copied_pixel_for_pixel_on_a_render_are_found():
    """The same render repeats its words exactly, so one copied word proves nothing there; two lines copied
    together, out of their column and row, do (a screenshot edited and saved losslessly)."""
    img = _clean_scan(DISTINCT + LINES, 0.0)
    src, dst = (110, 140, 560, 285), (640, 1450)
    img[dst[1]:dst[1] + 145, dst[0]:dst[0] + 450] = img[src[1]:src[3], src[0]:src[2]]
    hits = [s for s in analyse_page(Page(0, img, 150.0)).report.signals if s.id == "pixel.copy_move"]
    assert any(h.severity == "medium" and _meet(h.box, (dst[0], dst[1], dst[0] + 450, dst[1] + 145)) for h in hits), \
        [h.message for h in hits]


CROWD = "授权书有限公司授权期限经销商品牌天猫平台销售本公司产品特此授权"
FAINT = ["兹授权上海锦程贸易有限公司", "在天猫平台销售本公司产品", "授权期限 2024年01月01日"]


def _crowded(seed: int = 0) -> np.ndarray:
    """A captured page whose top is dense, dark small print (ORB's 2,000 strongest corners all land there) and
    whose lower part holds three lines of faint, larger print."""
    img = Image.new("L", (1240, 1754), 228)
    d = ImageDraw.Draw(img)
    rng = np.random.default_rng(seed + 1)
    for i in range(26):
        d.text((60, 80 + i * 30), "".join(rng.choice(list(CROWD), 44)), font=font(24), fill=20)
    for i, t in enumerate(FAINT):
        d.text((140, 1000 + i * 60), t, font=font(30), fill=150)
    a = np.asarray(img, np.float32)
    a = cv2.warpAffine(a, cv2.getRotationMatrix2D((620, 877), 0.4, 1.0), (1240, 1754), borderValue=228)
    a = cv2.GaussianBlur(a, (0, 0), 0.6)
    a += np.random.default_rng(seed).normal(0, 3.0, a.shape).astype(np.float32)
    g = np.clip(a, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2))


def test_a_copy_of_faint_print_beside_dense_print_is_proposed_by_the_ink_marks():
    """ORB's keypoints never pair the copy's shift here (dense print takes them all); the ink marks do, and the
    identity test then finds the copy. Without the marks the page is quiet."""
    from appealcheck.forensics.pixel import _shift_clusters, _work

    img = _crowded()
    src, dst = (130, 990, 620, 1170), (600, 1400)
    img[dst[1]:dst[1] + 180, dst[0]:dst[0] + 490] = img[src[1]:src[3], src[0]:src[2]]
    page = Page(0, img, 150.0)
    grey, _ = _work(page)
    shift = np.array([dst[0] - src[0], dst[1] - src[1]])
    assert not any(np.abs(c - shift).max() <= 4 for c, _, _ in _shift_clusters(grey, PixelParams()))
    assert not analyse_page(page, PixelParams(cm_marks=False)).report.signals
    hits = [s for s in analyse_page(page).report.signals if s.id == "pixel.copy_move"]
    assert any(_meet(h.box, (dst[0], dst[1], dst[0] + 490, dst[1] + 180)) for h in hits), hits
    assert any(_meet(h.box, src) for h in hits), hits


@pytest.mark.parametrize("quality", [None, 85])
def test_the_same_crowded_page_without_a_copy_is_quiet(quality):
    img = _crowded()
    rep = analyse_page(Page(0, img if quality is None else _jpeg(img, quality), 150.0), jpeg=quality is not None)
    assert not rep.report.signals, [s.message for s in rep.report.signals]



def _built_page(seed: int, index: int, name: str, tmp_path) -> tuple[Page, str]:
    from appealcheck.ingest.files import read_document
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    out = build(seed, index, 0.4, serial_forgers(seed))
    label = next(d for d in out.label["documents"] if d["file"] == name)
    path = tmp_path / name
    path.write_bytes(dict(out.files)[name])
    doc = read_document(path, name)
    return doc.pages[0], label["label"] + "/" + label["capture"]["style"] + "/" + doc.info.format


def test_a_qr_codes_finder_squares_are_its_print_not_a_copy(tmp_path, monkeypatch):
    """A-1061-000036 (fresh seed 1061), a genuine licence exported as a scanned PDF: its QR code's finder squares
    are alike by design, 1.2 grey levels apart. zxing-cpp reads the code round them, and that keeps them quiet."""
    from appealcheck.forensics import pixel

    page, what = _built_page(1061, 36, "02_business_license.pdf", tmp_path)
    assert what == "genuine/pdf_scan/pdf"
    assert analyse_page(page).report.signals == ()
    # Two of the three squares share a row, which the in-line rule (added later) also leaves alone: without it,
    # the code alone keeps them quiet.
    loose = PixelParams(cm_gap_inline=1e9)
    assert analyse_page(page, loose).report.signals == ()
    monkeypatch.setattr(pixel, "code_boxes", lambda *a, **k: [])
    assert [s.id for s in analyse_page(page, loose).report.signals] == ["pixel.copy_move"] * 2


def test_print_repeated_exactly_without_its_noise_is_not_a_copy(tmp_path):
    """A-1061-000054 (fresh seed 1061), a genuine receipt screenshot barely over the noise floor (0.17): two item
    lines 57 px apart are the same print to 0.0 grey levels, but only 15% of their unclipped pixels are equal. A
    copy brings its noise along."""
    page, what = _built_page(1061, 54, "02_receipt.png", tmp_path)
    assert what == "genuine/screenshot/png"
    rep = analyse_page(page).report
    assert rep.features["pixel.forensics.noise_level"] >= PixelParams().noise_floor
    assert rep.signals == ()
    before = analyse_page(page, PixelParams(cm_region_noise=0.0)).report.signals  # the guard off
    assert [s.id for s in before] == ["pixel.copy_move"] * 2 and before[0].measured == 0.0


def test_two_characters_cut_by_one_blank_row_are_not_two_lines(tmp_path, monkeypatch):
    """A-1073-000016 (fresh seed 1073), a genuine screenshot letter: 平台 printed twice, 35 x 30 px, pixel for pixel.
    One blank row cuts both characters, so their strokes made two runs of ink each three times as wide as tall,
    counted as two lines copied together. Lines must also run three times as wide as they are apart."""
    from appealcheck.forensics import pixel

    page, what = _built_page(1073, 16, "01_authorization_letter.jpg", tmp_path)
    assert what == "genuine/screenshot/jpeg"
    assert analyse_page(page, jpeg=True).report.signals == ()
    monkeypatch.setattr(pixel, "_text_lines", lambda *a: 2)  # any run of ink taken for a line, as before
    boxes = [s.box for s in analyse_page(page, jpeg=True).report.signals if s.id == "pixel.copy_move"]
    assert (580, 889, 615, 919) in boxes and (388, 833, 423, 863) in boxes


def test_a_forms_labels_repeated_down_their_column_on_a_render_are_quiet(tmp_path):
    """A-1087-000002 (fresh seed 1087), a genuine invoice screenshot without noise: the buyer's and the seller's
    four labels (name, taxpayer number, address and telephone, bank and account) repeat exactly, 384 px down one
    column. Without noise nothing tells a copy in a column from the form's print."""
    page, what = _built_page(1087, 2, "02_purchase_invoice.png", tmp_path)
    assert what == "genuine/screenshot/png"
    rep = analyse_page(page).report
    assert (rep.features["pixel.forensics.noise_level"] or 0.0) < PixelParams().noise_floor
    assert rep.signals == ()


def test_a_label_printed_twice_down_a_forms_column_is_not_a_copy(tmp_path):
    """A-1117-000095 (dev seed 1117), a genuine scanned letter: 授权 of 授权平台 and of 授权期限, two lines apart in
    the labels' column, come out of the scan 2.1 grey levels apart where the page's other repeats are 4.9, and were
    called a copied block. In its twin's column, a repeat is judged by its distance only when nearly exact."""
    page, what = _built_page(1117, 95, "01_authorization_letter.jpg", tmp_path)
    assert what == "genuine/scan/jpeg"
    assert analyse_page(page, jpeg=True).report.signals == ()
    found = analyse_page(page, PixelParams(cm_gap_inline=1e9), jpeg=True).report.signals
    assert [s.id for s in found] == ["pixel.copy_move"] * 2
    assert found[0].box[0] == found[1].box[0]  # one column


def test_a_desks_grain_beside_a_dark_header_is_not_a_noisy_region(tmp_path):
    """A-1123-000258 (dev seed 1123), a genuine photographed letter: the desk's grain just above the page's blue
    header band read 5x noisier than the paper. Dark blocks joined to the picture's edge are the desk."""
    page, what = _built_page(1123, 258, "01_authorization_letter.jpg", tmp_path)
    assert what == "genuine/photo/jpeg"
    assert analyse_page(page, jpeg=True).report.signals == ()
    found = analyse_page(page, PixelParams(noise_desk=0.0), jpeg=True).report.signals
    assert [(s.id, s.box[1] < 200) for s in found] == [("pixel.noise_inconsistency", True)]


def test_two_dashed_rules_of_a_receipt_are_not_a_copy(tmp_path):
    """A-1131-000005 (fresh seed 1131), a genuine photographed receipt: its two dashed rules match dash for dash,
    2.6 grey levels apart where the page's other repeats are farther, and were called a copied block. Every
    keypoint of the pair lies within 0.2 px of one line; a block copied holds print across as well as along."""
    page, what = _built_page(1131, 5, "02_receipt.jpg", tmp_path)
    assert what == "genuine/photo/jpeg"
    assert analyse_page(page, jpeg=True).report.signals == ()
    found = analyse_page(page, PixelParams(cm_thin=0.0), jpeg=True).report.signals
    assert [s.id for s in found] == ["pixel.copy_move"] * 2
    assert all(s.box[3] - s.box[1] < 50 for s in found)  # one line each


def test_the_ink_the_same_at_a_shift_is_the_whole_copied_block():
    """`_exact_block`: from keypoints matched on a copy's first line only, the box of all the ink that is the same
    pixel for pixel at the shift, on a page without noise: the three lines copied, not the one the points are on,
    and nothing of the copy's surroundings."""
    from appealcheck.forensics.pixel import _exact_block

    img = _clean_scan(DISTINCT, 0.0)[..., 0].copy()
    src, dst = (110, 130, 620, 400), (560, 1100)  # three lines (pitch 90), moved right and down
    img[dst[1]:dst[1] + 270, dst[0]:dst[0] + 510] = img[src[1]:src[3], src[0]:src[2]]
    pts = np.float32([[150, 165], [220, 170], [300, 160], [380, 168]])  # on the first line only
    box = _exact_block(img, pts, (dst[0] - src[0], dst[1] - src[1]))
    assert box is not None
    x0, y0, x1, y1 = box
    assert src[0] - 16 <= x0 < 200 and y0 < 175 and y1 > 330 and x1 <= src[2] + 16, box  # the first to the third line
    # At a shift where only a repeated word matches, there is no block around points elsewhere.
    assert _exact_block(img, pts, (37, 611)) is None


def test_lines_cloned_on_a_fax_are_found(tmp_path):
    """A fax's pixels are black or white: once clipped paper and solid ink are left out no pixel is left for a
    copy's pixels to be compared by, and a copy on a faxed page was not judged. The block the forensics bench
    cloned onto A-1181-000054's faxed letter: its ink is all the same at the shift, over two lines and more."""
    page, what = _built_page(1181, 54, "02_authorization_letter.png", tmp_path)
    assert what == "genuine/fax/png"
    assert analyse_page(page).report.signals == ()
    img = page.image.copy()
    (x0, y0, x1, y1), (X, Y) = (796, 762, 1126, 937), (1152, 1437)
    img[Y:Y + y1 - y0, X:X + x1 - x0] = img[y0:y1, x0:x1]
    hits = [h for h in analyse_page(Page(0, img, page.dpi)).report.signals if h.id == "pixel.copy_move"]
    assert any(_meet(h.box, (X, Y, X + x1 - x0, Y + y1 - y0)) for h in hits), [h.message for h in hits]
    assert any(_meet(h.box, (x0, y0, x1, y1)) for h in hits)

"""Lines the text detector passed over are found as uncovered print and read again on their own."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from appealcheck.models import OcrLine, Page
from appealcheck.ocr.interface import OcrEngine
from appealcheck.ocr.rapid import RapidOcrEngine
from appealcheck.ocr.reader import PageReader, uncovered_lines
from tests.pages import font, letter


def _line(text: str, box) -> OcrLine:
    x0, y0, x1, y1 = box
    return OcrLine(text, box, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), 0.99)


def test_a_clause_line_the_detector_missed_is_read_back():
    """A-007-000262 (a genuine photographed letter): the page reading had no line for clause 2, so the template
    check called its fixed text missing. The band of print between clauses 1 and 3 is read again."""
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build

    data = dict(build(7, 262, 0.4, serial_forgers(7)).files)["01_authorization_letter.jpg"]
    img = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    engine = RapidOcrEngine()
    first = engine.read(img)
    assert not any("被授权方须销售经" in ln.text for ln in first)  # the miss this reading repairs
    bands = uncovered_lines(img, first)
    assert any(b[1] < 850 < b[3] and b[2] - b[0] > 800 for b in bands), bands
    texts = [ln.text for ln in PageReader(engine).read_page(Page(0, img, 150.0)).lines]
    assert any(t.startswith("2. 被授权方须销售经澜图（上海）化妆品有限公司") for t in texts), texts
    assert sum("销售假冒、仿冒商品" in t for t in texts) == 1  # the line below is not read twice


class _Missing(OcrEngine):
    """The real engine, with the page reading losing every line that contains `drop` (a detector's miss)."""

    name = "missing"

    def __init__(self, drop: str):
        self.real = RapidOcrEngine()
        self.drop = drop
        self.regions = 0

    @property
    def version(self) -> str:
        return "1"

    def read(self, image):
        return [ln for ln in self.real.read(image) if self.drop not in ln.text]

    def read_region(self, image):
        self.regions += 1
        return self.real.read_region(image)


def test_every_line_found_costs_no_second_reading_and_a_lost_one_comes_back_once():
    page = Page(0, np.asarray(letter(licensee="杭州明远电子商务有限公司").convert("RGB")), 150.0)
    whole = _Missing("\x00")
    lines = PageReader(whole).read_page(page).lines
    assert uncovered_lines(page.image, lines) == []
    lost = _Missing("明远")
    texts = [ln.text for ln in PageReader(lost).read_page(page).lines]
    assert 1 <= lost.regions - whole.regions <= 2  # beyond the re-read under the seal, which both make
    assert sum("杭州明远电子商务有限公司" in t for t in texts) == 1, texts


def test_rules_borders_and_a_signature_scrawl_are_not_lines():
    img = Image.new("RGB", (1240, 600), (252, 252, 250))
    d = ImageDraw.Draw(img)
    d.line((100, 100, 1100, 100), fill=(20, 20, 20), width=3)  # a table rule
    d.rectangle((100, 150, 1100, 190), outline=(20, 20, 20), width=2)  # a box round nothing
    d.line([(200 + 9 * i, 300 + (14 if i % 2 else 0)) for i in range(60)], fill=(30, 30, 30), width=3)  # a scrawl
    d.text((100, 450), "特此授权。", font=font(30), fill=(20, 20, 20))
    lines = [_line("特此授权。", (100, 450, 260, 485))]
    assert uncovered_lines(np.asarray(img), lines) == []
    # The same page with a line of print nobody read: exactly one band, round it.
    d.text((100, 380), "本授权书复印件无效，涂改无效。", font=font(30), fill=(20, 20, 20))
    bands = uncovered_lines(np.asarray(img), lines)
    assert len(bands) == 1 and bands[0][0] <= 104 and 380 <= bands[0][1] <= 395 and bands[0][2] >= 500, bands


def test_red_ink_and_a_page_read_as_nothing_are_left_alone():
    img = Image.new("RGB", (1240, 400), (252, 252, 250))
    d = ImageDraw.Draw(img)
    d.text((100, 100), "发票专用章 上海锦程贸易有限公司", font=font(30), fill=(215, 30, 40))
    d.text((100, 250), "授权期限：2024年1月1日至2025年12月31日", font=font(30), fill=(20, 20, 20))
    a = np.asarray(img)
    bands = uncovered_lines(a, [_line("x", (0, 0, 5, 5))])
    assert len(bands) == 1 and bands[0][1] > 200, bands  # the red line is a seal's, not missed print
    assert uncovered_lines(a, []) == []  # a detector that found nothing is not second-guessed line by line

"""Merging the de-reddened second read into the plain read: each line keeps its better read."""

from __future__ import annotations

from appealcheck.models import OcrLine
from appealcheck.ocr.reader import _merge


def _line(text: str, box, conf: float, source: str = "page") -> OcrLine:
    x0, y0, x1, y1 = box
    return OcrLine(text, box, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), conf, source)


def test_a_worse_read_of_the_same_figure_does_not_replace_it():
    # A-071-000208: the total beside a seal, re-read as '99799 34' (no ¥, no point): the figure was lost.
    old = [_line("¥99799.34", (967, 580, 1045, 600), 0.98)]
    new = [_line("99799 34", (972, 581, 1045, 603), 0.93, "dereddened")]
    assert [ln.text for ln in _merge(old, new)] == ["¥99799.34"]


def test_a_line_split_into_a_garbled_label_and_its_value_keeps_the_plain_read():
    # A-071-000189: a photo with a red cast was re-read whole; the label came back garbled and took the seller's
    # taxpayer number down with it.
    old = [_line("纳税人识别号：9133010695Y5A97R9H", (175, 710, 459, 738), 0.97)]
    new = [_line("执积人误制封：", (177, 713, 293, 734), 0.61, "dereddened"),
           _line("9133010695Y5A97R9H", (283, 712, 459, 737), 0.99, "dereddened")]
    assert [ln.text for ln in _merge(old, new)] == ["纳税人识别号：9133010695Y5A97R9H"]


def test_text_under_a_seal_takes_the_de_reddened_read():
    old = [_line("授权期限：2024年0", (100, 100, 400, 130), 0.52)]
    new = [_line("授权期限：2024年03月01日", (100, 100, 420, 130), 0.97, "dereddened")]
    assert [(ln.text, ln.source) for ln in _merge(old, new)] == [("授权期限：2024年03月01日", "dereddened")]


def test_new_text_where_the_plain_read_had_none_is_added():
    old = [_line("销售方：(章)", (100, 500, 300, 530), 0.95)]
    new = [_line("发票专用章", (600, 600, 760, 630), 0.9, "dereddened")]
    assert sorted(ln.text for ln in _merge(old, new)) == ["发票专用章", "销售方：(章)"]

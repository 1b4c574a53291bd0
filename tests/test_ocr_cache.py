"""The OCR cache: a second read of the same pixels does not call the engine."""

from __future__ import annotations

import numpy as np

from appealcheck.models import OcrLine, Page
from appealcheck.ocr.cache import OcrCache
from appealcheck.ocr.interface import OcrEngine
from appealcheck.ocr.reader import PageReader, reading_order


class CountingEngine(OcrEngine):
    """A stand-in engine (unit test of the cache only) that counts calls."""

    name = "counting"

    def __init__(self, version="1"):
        self.calls = 0
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    def read(self, image):
        self.calls += 1
        return [OcrLine("合计 ¥12.00", (10, 10, 120, 30), ((10, 10), (120, 10), (120, 30), (10, 30)), 0.97)]


def test_second_read_comes_from_cache(tmp_path):
    page = Page(0, np.full((200, 300, 3), 255, np.uint8), None)
    engine = CountingEngine()
    first = PageReader(engine, OcrCache(tmp_path)).read_page(page)
    # A new process: a new cache object over the same file.
    second = PageReader(engine, OcrCache(tmp_path)).read_page(page)
    assert engine.calls == 1
    assert first.lines == second.lines and second.lines[0].text == "合计 ¥12.00"


def test_key_includes_engine_version_and_pixels(tmp_path):
    cache = OcrCache(tmp_path)
    img = np.full((200, 300, 3), 255, np.uint8)
    e1, e2 = CountingEngine("1"), CountingEngine("2")
    PageReader(e1, cache).read_page(Page(0, img, None))
    PageReader(e2, cache).read_page(Page(0, img, None))
    img2 = img.copy()
    img2[0, 0] = 0
    PageReader(e1, cache).read_page(Page(0, img2, None))
    assert (e1.calls, e2.calls) == (2, 1)


def test_unwritable_cache_is_skipped_not_fatal(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    engine = CountingEngine()
    reader = PageReader(engine, OcrCache(blocker / "sub"))
    page = Page(0, np.full((50, 50, 3), 255, np.uint8), None)
    assert reader.read_page(page).lines[0].text == "合计 ¥12.00"
    reader.read_page(page)
    assert engine.calls == 2


def test_reading_order_groups_rows():
    def ln(t, x, y):
        return OcrLine(t, (x, y, x + 50, y + 20), ((x, y), (x + 50, y), (x + 50, y + 20), (x, y + 20)), 0.9)

    lines = [ln("b", 200, 103), ln("c", 10, 150), ln("a", 10, 100)]
    assert [x.text for x in reading_order(lines)] == ["a", "b", "c"]

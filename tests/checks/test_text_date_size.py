"""A date retyped a size off: found against the page's other dates of the same layout, with the real OCR."""

from __future__ import annotations

import pytest

from appealcheck.forensics.glyphs import DateMarks, Glyph, date_marks, date_scale, date_sizes
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
    assert [f for f in _text_findings(scanner.scan(path)) if "size" in f.message] == []


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

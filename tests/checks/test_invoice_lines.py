"""An invoice's items table against its 合计 row, through real OCR on generated invoices (issue #7: "line amounts
sum to the amount; tax equals amount times rate within per-line rounding")."""

from __future__ import annotations

from appealcheck.api import Scanner
from appealcheck.samples import serial_forgers
from appealcheck.samples.appeal import build

OPS = ("invoice_math", "qr_mismatch", "uscc_bad_check", "seal_taxpayer_wrong", "invoice_before_letter")
"""The operations fresh seed 739 was generated with (50% forged) when these cases were found."""


def _invoice(tmp_path, forged_ratio: float):
    out = build(739, 26, forged_ratio, serial_forgers(739), OPS)
    doc = next(d for d in out.label["documents"] if d["kind"] == "purchase_invoice")
    (tmp_path / doc["file"]).write_bytes(dict(out.files)[doc["file"]])
    (result,) = Scanner().scan(tmp_path / doc["file"]).documents
    return doc, result


def test_a_forger_who_made_amount_tax_and_total_agree_is_betrayed_by_the_item_lines(tmp_path):
    # A-739-000026: the 合计 amount raised by 1000.00, its tax, total and words redone; the two lines kept.
    doc, result = _invoice(tmp_path, 0.5)
    assert doc["ops"] == ["invoice_math"] and doc["fields"]["math_fault"] == "lines"
    lines = [(r["amount"], r["rate"], r["tax"]) for r in result.fields["item_lines"].value]
    assert lines == [(float(i["amount"]), 0.13, float(i["tax"])) for i in doc["fields"]["items"]]
    hits = sorted((f.id, f.measured, f.expected) for f in result.findings if f.id.startswith("content.invoice"))
    printed = {k: float(doc["fields"][k]) for k in ("amount", "tax")}
    summed = {k: round(sum(float(i[k]) for i in doc["fields"]["items"]), 2) for k in ("amount", "tax")}
    assert hits == sorted(("content.invoice_lines_mismatch", printed[k], summed[k]) for k in ("amount", "tax"))


def test_the_same_invoice_as_issued_adds_up_line_by_line(tmp_path):
    doc, result = _invoice(tmp_path, 0.0)
    assert doc["ops"] == []
    assert result.fields["items_amount"].value == float(doc["fields"]["amount"])
    assert result.fields["items_tax"].value == float(doc["fields"]["tax"])
    assert result.fields["invoice_type"].value == "增值税专用发票"
    assert len(result.fields["invoice_code"].value) == 10
    assert not [f for f in result.findings if f.id.startswith("content.")], result.findings
    assert result.features["content.invoice_math.lines_error"] == 0.0

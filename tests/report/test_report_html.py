"""The HTML report's reasons name the evidence they come from."""

from __future__ import annotations

import re

from appealcheck.report.html import render_appeal


def test_each_reason_names_the_finding_it_came_from():
    finding = {"id": "template.seal_outside", "severity": "high", "check": "template", "page": 0,
               "box": [10, 20, 110, 120], "message": "The seal is stamped at (0.71, 0.38) <of the page>",
               "measured": [0.71, 0.38], "expected": [0.59, 0.66, 0.88, 0.87]}
    result = {
        "appeal_id": "A-1", "verdict": "suspicious", "score": 0.48, "brand": "xinglan",
        "documents": [{"file": "02_invoice.pdf", "findings": []},
                      {"file": "01_letter.jpg", "findings": [finding]}],
        "explanation": [
            {"feature": "finding.max_severity", "contribution": 1.99, "document": "01_letter.jpg",
             "description": "the most severe finding on the document", "finding": finding},
            {"feature": "ocr.lines", "contribution": -0.17, "document": "01_letter.jpg",
             "description": "number of text lines read", "finding": None},
        ],
    }
    html = render_appeal(result, {})
    why = re.search(r"<ul id='why'>(.*?)</ul>", html, re.S).group(1)
    first, second = re.findall(r"<li>(.*?)</li>", why, re.S)
    assert first.startswith("the most severe finding on the document (+1.99): ")
    assert "<a href='#doc1'>01_letter.jpg</a>" in first
    assert "<b>template.seal_outside</b>" in first
    assert "The seal is stamped at (0.71, 0.38) &lt;of the page&gt;" in first
    assert second == "number of text lines read (-0.17)"

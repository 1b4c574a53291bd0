"""Account signals (issue #7): the numbers under appeal.yaml `seller.account` become model features, as a table.

A row is (name, the `account:` block as written in appeal.yaml, expected): either the three features
(seller.age_days, seller.prior_violations, seller.appeals_90d; None where not given, never zero) or the words the
InputError must name. Each row goes through the real loader (load_appeal), the facts-shaped appeal dict the
scanner scores with (appeal_dict) and the feature vector (document_features).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from appealcheck.errors import InputError
from appealcheck.ingest.appeal import load_appeal
from appealcheck.models import DocumentResult
from appealcheck.scoring.features import FEATURE_NAMES, appeal_dict, document_features

KEYS = ("seller.age_days", "seller.prior_violations", "seller.appeals_90d")

ACCOUNT_CASES = [
    ("all three", "age_days: 41\n    prior_violations: 3\n    appeals_90d: 7", (41.0, 3.0, 7.0)),
    ("a new account: zero days", "age_days: 0", (0.0, None, None)),
    ("fractions of a day", "age_days: 12.5", (12.5, None, None)),
    ("no violations written as 0", "prior_violations: 0", (None, 0.0, None)),
    ("a large count", "appeals_90d: 1200", (None, None, 1200.0)),
    ("an empty account block", "{}", (None, None, None)),
    ("account: null", None, (None, None, None)),
    ("a platform's extra signal is kept out of the model", "age_days: 5\n    refund_rate: 0.4", (5.0, None, None)),
    ("a number written as text", "age_days: '41'", "seller.account.age_days"),
    ("a negative age", "age_days: -3", "seller.account.age_days"),
    ("yes for a count", "prior_violations: yes", "seller.account.prior_violations"),
    ("infinite days", "age_days: .inf", "seller.account.age_days': must be a finite number"),
    ("not a number", "appeals_90d: .nan", "seller.account.appeals_90d': must be a finite number"),
    ("a list for a count", "appeals_90d: [1, 2]", "seller.account.appeals_90d"),
]


def _appeal(tmp_path, account: str | None):
    Image.fromarray(np.full((40, 40, 3), 255, np.uint8)).save(tmp_path / "letter.png")
    block = "null" if account is None else ("\n    " + account if account != "{}" else "{}")
    (tmp_path / "appeal.yaml").write_text(
        f"appeal_id: A-1\nbrand: acme\nseller:\n  name: 启航贸易\n  account: {block}\n", encoding="utf-8")
    return load_appeal(tmp_path)


@pytest.mark.parametrize(("name", "account", "expected"), ACCOUNT_CASES, ids=[c[0] for c in ACCOUNT_CASES])
def test_account_table(tmp_path, name, account, expected):
    if isinstance(expected, str):
        with pytest.raises(InputError) as err:
            _appeal(tmp_path, account)
        assert expected in str(err.value) and "appeal.yaml" in str(err.value)
        return
    appeal = _appeal(tmp_path, account)
    doc = DocumentResult(file="letter.png", sha256="x", kind="authorization_letter", kind_source="manifest",
                         pages=1, fields={}, findings=(), text="")
    row = document_features(doc, appeal_dict(appeal))
    assert tuple(row[k] for k in KEYS) == expected
    assert not any(n.startswith("seller.") and n not in KEYS for n in FEATURE_NAMES)

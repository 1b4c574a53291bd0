"""A synthetic labelled feature table: what the model learns from, without any OCR."""

from __future__ import annotations

import numpy as np

from appealcheck.scoring.dataset import DocRow
from appealcheck.scoring.features import FEATURE_NAMES

KINDS = ("authorization_letter", "purchase_invoice", "receipt", "business_license")


def table(n_appeals: int = 300, seed: int = 0, brands: tuple[str, ...] = ("a", "b", "c", "d")) -> list[DocRow]:
    """Appeals of 1-3 documents; forged documents tend to carry findings and low name similarity."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_appeals):
        brand = brands[i % len(brands)]
        forged_appeal = rng.random() < 0.4
        serial = f"sf-{brand}-{i % 3}" if forged_appeal and rng.random() < 0.2 else None
        n_docs = int(rng.integers(1, 4))
        forged_doc = int(rng.integers(0, n_docs)) if forged_appeal else -1
        for j in range(n_docs):
            kind = KINDS[int(rng.integers(0, len(KINDS)))]
            forged = j == forged_doc
            f: dict[str, float | None] = dict.fromkeys(FEATURE_NAMES)
            f["finding.content.uscc_check_digit"] = float(forged and rng.random() < 0.6)
            f["finding.max_severity"] = 4.0 if forged and rng.random() < 0.7 else float(rng.random() < 0.1)
            f["content.licensor.similarity"] = (None if kind != "authorization_letter"
                                                else float(rng.normal(80 if forged else 97, 6)))
            f["ocr.mean_confidence"] = float(rng.normal(0.95, 0.02))
            f["seller.age_days"] = None if rng.random() < 0.3 else float(rng.integers(1, 2000))
            for k in KINDS:
                f[f"kind.{k}"] = float(k == kind)
            template = f"{brand}-letter" if kind == "authorization_letter" else f"stock-{kind}"
            rows.append(DocRow(appeal_id=f"A{i:04d}", file=f"{j:02d}_{kind}.jpg", sha256=f"{i}-{j}", kind=kind,
                               features=f, label=int(forged), appeal_label=int(forged_appeal), brand=brand,
                               template_id=template, serial_forger_id=serial,
                               ops=("uscc_bad_check",) if forged else ()))
    return rows

"""Evaluate a model on a labelled table: the figures `appealcheck eval` prints and the model card keeps."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from appealcheck.scoring.metrics import (
    expected_calibration_error,
    pr_auc,
    rates_at,
    recall_at_fpr,
    roc_auc,
)
from appealcheck.scoring.model import ForgeryModel, matrix, weak_appeals

FPRS = (0.01, 0.02, 0.05)
"""False-alarm rates recall is reported at."""


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(float(x), nd)


def evaluate(model: ForgeryModel, rows, appeal_ids: set[str] | None = None,
             raw: dict[tuple[str, str], float] | None = None) -> dict[str, Any]:
    """Appeal-level metrics (the score is an appeal's), plus document-level breakdowns when documents are labelled.

    `appeal_ids` restricts to a subset (e.g. the held-out part). Recall at a false-alarm rate uses the
    threshold that achieves that rate on these same data (an oracle operating point, comparable across
    models); the confusion uses the model's own thresholds and the evidence ceiling (`apply_evidence_ceiling`), as
    a reviewer would see the verdicts.
    `raw` gives each document's raw margin by (appeal id, file) instead of the model's own: `train` passes
    the out-of-fold margins (`model.oof_raw_`), each from a fold model that never saw that appeal.
    """
    rows = [r for r in rows if appeal_ids is None or r.appeal_id in appeal_ids]
    if not rows:
        raise ValueError("no labelled appeals to evaluate")
    margins = (np.array([raw[(r.appeal_id, r.file)] for r in rows]) if raw is not None
               else model.raw_scores([r.features for r in rows]))
    scores = model.score_appeals(rows, margins)
    ids = list(scores)
    label = {r.appeal_id: r.appeal_label for r in rows}
    brand = {r.appeal_id: r.brand or "—" for r in rows}
    y = np.array([label[a] for a in ids])
    p = np.array([scores[a] for a in ids])
    th = model.thresholds_
    out: dict[str, Any] = {
        "appeals": len(ids), "forged_appeals": int(y.sum()), "documents": len(rows),
        "roc_auc": _r(roc_auc(y, p)), "pr_auc": _r(pr_auc(y, p)),
        "recall_at_fpr": {f"{f:.0%}": _r(recall_at_fpr(y, p, f)) for f in FPRS},
        "ece": _r(expected_calibration_error(y, p)), "thresholds": dict(th),
    }
    # As `scan` gives them: an appeal with only weak evidence is clean whatever its score.
    weak = weak_appeals(rows)
    verdicts = ["clean" if weak[a] else model.verdict(s) for a, s in zip(ids, p, strict=True)]
    conf = {lab: {v: 0 for v in ("clean", "suspicious", "forged")} for lab in ("genuine", "forged")}
    for yy, v in zip(y, verdicts, strict=True):
        conf["forged" if yy else "genuine"][v] += 1
    out["confusion"] = conf
    per_brand = {}
    for b in sorted(set(brand.values())):
        m = np.array([brand[a] == b for a in ids])
        rec, far = rates_at(y[m], p[m], th["suspicious"])
        per_brand[b] = {"appeals": int(m.sum()), "forged": int(y[m].sum()), "roc_auc": _r(roc_auc(y[m], p[m])),
                        "recall_suspicious": _r(rec), "fpr_suspicious": _r(far)}
    out["per_brand"] = per_brand
    out["scores"] = {"y": y.tolist(), "p": p.tolist()}
    if all(r.label is not None for r in rows):
        # Per document: the appeal score it alone would give, so recall at the appeal thresholds means
        # "this document by itself would have flagged the appeal" (document-calibrated scores sit lower).
        dp = model.appeal_calibrator_(margins)
        dy = np.array([r.label for r in rows])
        per_kind = {}
        for k in sorted({r.kind or "—" for r in rows}):
            m = np.array([(r.kind or "—") == k for r in rows])
            rec, far = rates_at(dy[m], dp[m], th["suspicious"])
            per_kind[k] = {"documents": int(m.sum()), "forged": int(dy[m].sum()), "roc_auc": _r(roc_auc(dy[m], dp[m])),
                           "recall_suspicious": _r(rec), "fpr_suspicious": _r(far)}
        per_op: dict[str, list[float]] = defaultdict(list)
        for r, s in zip(rows, dp, strict=True):
            for op in r.ops:
                per_op[op].append(float(s))
        out["per_kind"] = per_kind
        out["per_op"] = {op: {"documents": len(v),
                              "recall_suspicious": _r(np.mean(np.array(v) >= th["suspicious"])),
                              "recall_forged": _r(np.mean(np.array(v) >= th["forged"]))}
                         for op, v in sorted(per_op.items())}
    return out


def plot(results: dict[str, dict[str, Any]], path: Path) -> Path:
    """ROC and precision-recall curves of one or more evaluated models (name -> evaluate() output), as PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers; set before pyplot is imported
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.5))
    for name, res in results.items():
        y, p = np.array(res["scores"]["y"]), np.array(res["scores"]["p"])
        if 0 < y.sum() < len(y):
            fpr, tpr, _ = roc_curve(y, p)
            ax1.plot(fpr, tpr, label=f"{name} (AUC {res['roc_auc']:.3f})")
            prec, rec, _ = precision_recall_curve(y, p)
            ax2.plot(rec, prec, label=f"{name} (AP {res['pr_auc']:.3f})")
    ax1.plot([0, 1], [0, 1], ls=":", c="grey")
    ax1.set(xlabel="false-alarm rate (genuine appeals flagged)", ylabel="recall (forged appeals caught)",
            title="ROC, per appeal")
    ax2.set(xlabel="recall", ylabel="precision", title="Precision-recall, per appeal")
    for ax in (ax1, ax2):
        ax.legend(loc="lower right" if ax is ax1 else "lower left", fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def feature_importance(model: ForgeryModel, top: int = 15) -> list[dict[str, Any]]:
    """Total gain per feature (for the card), largest first."""
    from appealcheck.scoring.features import FEATURES

    gain = model.booster_.feature_importance("gain", iteration=model.best_iteration_)
    order = np.argsort(-gain, kind="stable")
    return [{"feature": FEATURES[j].name, "gain": round(float(gain[j]), 2)} for j in order[:top] if gain[j] > 0]


__all__ = ["evaluate", "feature_importance", "matrix", "plot"]

"""Metrics for scores against labels: ranking, operating points, calibration."""

from __future__ import annotations

import math

import numpy as np


def _arrays(y, p) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(y, dtype=int), np.asarray(p, dtype=float)


def roc_auc(y, p) -> float | None:
    """ROC-AUC, or None when only one class is present (it is undefined then, not 0.5)."""
    from sklearn.metrics import roc_auc_score

    y, p = _arrays(y, p)
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None


def pr_auc(y, p) -> float | None:
    """Average precision (area under the precision-recall curve), None without positives."""
    from sklearn.metrics import average_precision_score

    y, p = _arrays(y, p)
    return float(average_precision_score(y, p)) if 0 < y.sum() < len(y) else None


def threshold_at_fpr(y, p, fpr: float) -> float:
    """Lowest threshold t such that the share of negatives with score >= t is at most `fpr`.

    With ties (isotonic calibration makes many) the threshold steps over the whole tied block, so the
    stated false-alarm rate is never exceeded on the data it was chosen on.
    """
    y, p = _arrays(y, p)
    neg = np.sort(p[y == 0])[::-1]
    if len(neg) == 0:
        return 0.5
    allowed = int(math.floor(fpr * len(neg)))
    if allowed >= len(neg):
        return float(neg[-1])
    # The (allowed+1)-th highest negative must fall below t: t is just above it.
    return float(np.nextafter(neg[allowed], np.inf))


def recall_at_fpr(y, p, fpr: float) -> float | None:
    """Recall at the threshold that keeps false alarms at or below `fpr` (on these same data)."""
    y, p = _arrays(y, p)
    if y.sum() == 0:
        return None
    t = threshold_at_fpr(y, p, fpr)
    return float((p[y == 1] >= t).mean())


def rates_at(y, p, threshold: float) -> tuple[float | None, float | None]:
    """(recall, false-alarm rate) at a fixed threshold."""
    y, p = _arrays(y, p)
    rec = float((p[y == 1] >= threshold).mean()) if (y == 1).any() else None
    far = float((p[y == 0] >= threshold).mean()) if (y == 0).any() else None
    return rec, far


def expected_calibration_error(y, p, bins: int = 10) -> float | None:
    """ECE: over equal-width probability bins, the |mean score - share positive| weighted by bin size."""
    y, p = _arrays(y, p)
    if len(y) == 0:
        return None
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() / len(y) * abs(p[m].mean() - y[m].mean())
    return float(total)

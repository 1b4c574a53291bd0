"""The model card: what a model was trained on, when, with which features, how well it does, and its limits."""

from __future__ import annotations

from collections import Counter
from typing import Any

from appealcheck import __version__
from appealcheck.scoring.features import FEATURE_NAMES, FEATURE_VERSION

LIMITS = (
    "Trained on the synthetic corpus unless the data section says otherwise: real appeals differ in capture, "
    "layouts and forgery craft; retrain on your reviewers' decisions (appealcheck train --labels) and compare "
    "with `appealcheck eval --compare` before switching.",
    "Only evidence from the checks that exist in this release is used; forgeries no check measures "
    "(e.g. seals or pixel edits before those checks land) are largely invisible to it.",
    "Held-out figures come from appeals whose groups (serial forger, brand-specific templates) were never in "
    "training; stock formats every brand shares (business licence, invoice and receipt layouts) appear on both "
    "sides.",
    "Thresholds hold their false-alarm rates on the out-of-fold scores of the training appeals only; with few "
    "genuine appeals, 1% is a coarse target. Brands may override them (policy.thresholds).",
)


def build_card(model, rows, *, created: str, command: str | None, source: str, held_out: dict[str, Any] | None,
               importance: list[dict[str, Any]]) -> dict[str, Any]:
    """The card as a JSON-able dict (card.json; card.md renders it)."""
    appeals = {r.appeal_id: r for r in rows}
    return {
        "model": model.name, "created": created, "appealcheck": __version__,
        "command": command,
        "data": {
            "source": source, "label_level": model.label_level_, "appeals": len(appeals),
            "forged_appeals": sum(r.appeal_label for r in appeals.values()), "documents": len(rows),
            "forged_documents": sum(1 for r in rows if r.label == 1),
            "brands": dict(sorted(Counter(r.brand or "—" for r in appeals.values()).items())),
            "kinds": dict(sorted(Counter(r.kind or "—" for r in rows).items())),
            "split": model.counts_, "group_by": model.group_by,
        },
        "features": {"version": FEATURE_VERSION, "count": len(FEATURE_NAMES), "names": list(FEATURE_NAMES),
                     "top_by_gain": importance},
        "training": {"best_iteration": model.best_iteration_, "params": model.params(), "ignored": model.ignored(),
                     "calibration": model.appeal_calibrator_.method, "thresholds": model.thresholds_,
                     "threshold_report": model.threshold_report_},
        "metrics_held_out": {k: v for k, v in (held_out or {}).items() if k != "scores"},
        "limits": list(LIMITS),
    }


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def render_markdown(card: dict[str, Any]) -> str:
    """card.md: the same facts for people."""
    d, t, m = card["data"], card["training"], card.get("metrics_held_out") or {}
    lines = [
        f"# Model card: {card['model']}", "",
        f"Created {card['created']} with appealcheck {card['appealcheck']}.", "",
        "## How it was made", "",
        f"    {card['command']}" if card.get("command") else "(command not recorded)", "",
        "## Data", "",
        f"- Source: {d['source']} ({d['label_level']}-level labels)",
        f"- {d['appeals']} appeals ({d['forged_appeals']} forged), {d['documents']} documents "
        f"({d['forged_documents']} forged)",
        f"- Brands: {', '.join(f'{k} {v}' for k, v in d['brands'].items())}",
        f"- Kinds: {', '.join(f'{k} {v}' for k, v in d['kinds'].items())}",
        f"- Split (grouped by {d['group_by']}): "
        + ", ".join(f"{k} {v['appeals']} appeals" for k, v in d["split"].items()), "",
        "## Features", "",
        f"Feature version {card['features']['version']}, {card['features']['count']} features. Most used (gain):", "",
    ]
    lines += [f"- `{f['feature']}` {f['gain']}" for f in card["features"]["top_by_gain"]] or ["- (none)"]
    lines += ["", "## Training", "",
              f"- LightGBM, {t['best_iteration']} trees (the count with the least out-of-fold loss over "
              f"{len(d['split'])} grouped folds), boosted on every appeal",
              f"- Calibration: {t['calibration']} on the out-of-fold scores of every training appeal",
              "- Features not learnt from: " + (", ".join(f"`{n}`" for n in t.get("ignored") or []) or "none"),
              f"- Thresholds: suspicious {t['thresholds']['suspicious']:.4f} "
              f"(target false-alarm rate {t['threshold_report']['suspicious']['target_fpr']:.0%}), forged "
              f"{t['thresholds']['forged']:.4f} (target {t['threshold_report']['forged']['target_fpr']:.0%})", ""]
    if m:
        lines += ["## Metrics out of fold", "",
                  "Each appeal scored by a model boosted on the other folds (its group never in training), but the "
                  "calibrator, the number of trees and the thresholds were chosen on these same scores, so ECE and "
                  "the rates at the thresholds are optimistic here; bench/model_eval.py measures a brand never "
                  "seen in training.", "",
                  f"- Appeals: {m.get('appeals')} ({m.get('forged_appeals')} forged)",
                  f"- ROC-AUC {_fmt(m.get('roc_auc'))}, PR-AUC {_fmt(m.get('pr_auc'))}, ECE {_fmt(m.get('ece'))}",
                  "- Recall at false-alarm rate: "
                  + ", ".join(f"{k} {_fmt(v)}" for k, v in (m.get("recall_at_fpr") or {}).items()), ""]
    lines += ["## Limits", ""] + [f"- {x}" for x in card["limits"]] + [""]
    return "\n".join(lines)

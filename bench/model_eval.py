"""The model on a brand it never saw: train on a generated corpus minus one whole brand, measure on that brand.

Usage: python bench/model_eval.py [--generate 150] [--seed 7] [--corpus DIR] [--holdout BRAND|all] [--workers 2]
                                  [--realdata ../shared/realdata]

Prints:
  - scan time: building the feature table (OCR and checks; instant when the feature cache is warm, so the
    first run's figure is the one that counts) and seconds per appeal;
  - retrain from cache: reading every feature row from the cache plus fitting the model (what a change to
    the model alone costs);
  - held-out metrics on the unseen brand: ROC-AUC, PR-AUC, recall at 1/2/5% false alarms, ECE, and the
    confusion at the model's thresholds (chosen on the training brands' calibration part);
  - with --realdata: the share of the genuine real receipts in receipts_de that `scan` calls `clean` (the evidence
    ceiling applied, as `scan` applies it), and the share the score alone calls clean;
  - with --holdout all: each brand in turn, then the figures pooled over every appeal, each scored by the model
    that never saw its brand (the #9 floor's split, on all the corpus's appeals instead of one brand's few).
The model leaves out the features the generator draws at random (GENERATED_IGNORED), as `appealcheck train
--generate` does.
The brand's own templates (its letters) are held out with it; stock formats all brands share (licence,
invoice and receipt layouts) cannot be, so they appear on both sides.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from appealcheck.scoring.dataset import GENERATED_IGNORED, generated_corpus, load_corpus  # noqa: E402
from appealcheck.scoring.evaluate import evaluate  # noqa: E402
from appealcheck.scoring.metrics import expected_calibration_error, recall_at_fpr, roc_auc  # noqa: E402
from appealcheck.scoring.model import ForgeryModel  # noqa: E402


def _real_receipts(model: ForgeryModel, root: Path) -> tuple[int, int, int]:
    """(clean as `scan` says, clean by the score alone, receipts)."""
    from appealcheck.api import Scanner
    from appealcheck.scoring.features import appeal_dict
    from appealcheck.scoring.model import apply_evidence_ceiling, score_with_model

    scanner = Scanner()
    images = sorted((root / "receipts_de" / "images").glob("*.jpg"))
    clean = by_score = 0
    for p in images:
        appeal, _pack, result = scanner.scan_detailed(p, None)
        if appeal is None:
            continue
        score, _docs, _expl, _name = score_with_model(model, result.documents, appeal_dict(appeal), [])
        # As `scan` decides: weak evidence alone (an editor's name, which every one of these files carries) is clean.
        verdict = apply_evidence_ceiling(model.verdict(score), [f.severity for d in result.documents
                                                                for f in d.findings], [])
        clean += verdict == "clean"
        by_score += model.verdict(score) == "clean"
    return clean, by_score, len(images)


def _held_out(corpus, table, holdout: str, workers: int):
    train_rows = [r for r in table.rows if r.brand != holdout]
    test_ids = {r.appeal_id for r in table.rows if r.brand == holdout}
    t1 = time.perf_counter()
    cached = load_corpus(corpus, workers=workers)
    model = ForgeryModel(ignore=GENERATED_IGNORED).fit([r for r in cached.rows if r.brand != holdout])
    t_retrain = time.perf_counter() - t1
    assert model.model_text() == ForgeryModel(ignore=GENERATED_IGNORED).fit(train_rows).model_text(), \
        "training is not deterministic"
    res = evaluate(model, table.rows, test_ids)
    print(f"retrain from cache (read {cached.cached} appeals + fit): {t_retrain:.1f} s; "
          f"{model.best_iteration_} trees, calibration {model.appeal_calibrator_.method}")
    print(f"held out brand {holdout}: {res['appeals']} appeals ({res['forged_appeals']} forged), "
          f"{res['documents']} documents; trained on {len({r.appeal_id for r in train_rows})} appeals")
    print(f"  ROC-AUC {res['roc_auc']}  PR-AUC {res['pr_auc']}  ECE {res['ece']}")
    print(f"  recall at false alarms: {res['recall_at_fpr']}")
    print(f"  thresholds {model.thresholds_}; confusion {res['confusion']}")
    for op, s in res.get("per_op", {}).items():
        print(f"  op {op:22} n={s['documents']:3} recall@suspicious {s['recall_suspicious']}")
    res["retrain_seconds"] = round(t_retrain, 1)
    return model, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generate", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--holdout", help="brand to hold out (default: the one with most forged appeals); 'all': each "
                    "brand in turn, and the figures pooled over all of them")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--realdata", type=Path)
    ap.add_argument("--json", type=Path, help="write the figures here too")
    a = ap.parse_args()

    corpus = a.corpus or generated_corpus(a.generate, a.seed, workers=a.workers)
    t0 = time.perf_counter()
    table = load_corpus(corpus, workers=a.workers)
    t_scan = time.perf_counter() - t0
    n_appeals = len(table.appeal_ids())
    print(f"corpus {corpus}: {n_appeals} appeals, {len(table.rows)} documents; "
          f"{table.scanned} scanned, {table.cached} from cache in {t_scan:.1f} s"
          + (f" ({t_scan / table.scanned:.1f} s per scanned appeal, {a.workers} workers)" if table.scanned else ""))

    brands: dict[str, int] = {}
    for r in table.rows:
        brands[r.brand] = brands.get(r.brand, 0) + (r.label == 1)
    holdouts = sorted(brands) if a.holdout == "all" else [a.holdout or max(sorted(brands), key=lambda b: brands[b])]
    out: dict = {"scan_seconds": round(t_scan, 1), "scanned": table.scanned, "holdouts": {}}
    pooled_y: list[int] = []
    pooled_p: list[float] = []
    for holdout in holdouts:
        model, res = _held_out(corpus, table, holdout, a.workers)
        pooled_y += res["scores"]["y"]
        pooled_p += res.pop("scores")["p"]
        out["holdouts"][holdout] = {"metrics": res}
        if a.realdata:
            t2 = time.perf_counter()
            clean, by_score, n = _real_receipts(model, a.realdata)
            print(f"real receipts_de: {clean}/{n} clean ({by_score}/{n} by the score alone, before the evidence "
                  f"ceiling; {time.perf_counter() - t2:.0f} s)")
            out["holdouts"][holdout]["real_receipts_clean"] = [clean, n]
            out["holdouts"][holdout]["real_receipts_clean_by_score"] = [by_score, n]
    if len(holdouts) > 1:
        # Every appeal scored by the model that never saw its brand: one figure over all of them.
        y, p = np.array(pooled_y), np.array(pooled_p)
        pooled = {"appeals": len(y), "forged_appeals": int(y.sum()), "roc_auc": round(roc_auc(y, p), 4),
                  "recall_at_fpr": {f"{f:.0%}": round(recall_at_fpr(y, p, f), 4) for f in (0.01, 0.02, 0.05)},
                  "ece": round(expected_calibration_error(y, p), 4)}
        print(f"pooled over {len(holdouts)} brands, each scored by the model that never saw it: {pooled}")
        out["pooled"] = pooled
    if a.json:
        a.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

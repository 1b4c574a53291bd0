"""The score: a LightGBM model over document features, calibrated, with thresholds and explanations.

A document row goes through LightGBM to a raw margin. An appeal's raw score is the maximum over its documents
(the most suspicious document dominates: one forged document makes a forged appeal), and the appeal
calibrator maps it to the probability that the appeal holds a forged document: the `score` of DESIGN.md
section 5. Document scores use a document-level calibrator (the same one when only appeal labels exist).
Both calibrators are monotone, so the most suspicious document is the same under either.

Saved as plain files: LightGBM's text model, calibration as JSON (no pickle: a model folder is data, never
code), the feature list, meta with file hashes (a truncated or edited file is detected), and the model card.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from appealcheck import __version__
from appealcheck.errors import ResourceMissing
from appealcheck.scoring.features import (
    FEATURE_NAMES,
    FEATURE_VERSION,
    FEATURES,
    MONOTONE,
    SEVERITY_RANK,
    feature,
    features_fingerprint,
)

log = logging.getLogger(__name__)

MODEL_FORMAT = 1
"""Layout of a model folder; a folder with a higher format comes from a newer release."""
FILES = ("model.txt", "calibration.json", "features.json")
"""Files whose sha256 meta.json records."""
_RETRAIN = "retrain it with `appealcheck train CORPUS -o DIR` (see README), or reinstall appealcheck for the default"


@dataclass(frozen=True)
class Calibrator:
    """A monotone map from LightGBM's raw margin to a probability, stored as JSON."""

    method: str
    """'isotonic' (piecewise linear through x/y) or 'platt' (logistic a*x+b)."""
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()
    a: float = 1.0
    b: float = 0.0

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=float)
        if self.method == "isotonic":
            return np.interp(raw, self.x, self.y)  # clips outside the range, as IsotonicRegression does
        z = np.clip(self.a * raw + self.b, -500.0, 500.0)  # exp overflows past ~709
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def fit(cls, raw, y, method: str = "auto", min_isotonic: int = 1000) -> Calibrator:
        """Isotonic when there are enough points of both classes (it overfits small sets), else Platt.

        Below about a thousand points isotonic's steps are few and wide: scores tie on them, and on seed 7 with a
        brand held out (about 200 out-of-fold appeals) a genuine appeal on the top step put the 'forged'
        threshold above every held-out score and cost 0.01-0.02 ROC-AUC against Platt."""
        raw, y = np.asarray(raw, dtype=float), np.asarray(y, dtype=int)
        if method == "auto":
            method = "isotonic" if len(y) >= min_isotonic and min(y.sum(), len(y) - y.sum()) >= 20 else "platt"
        if method == "isotonic":
            from sklearn.isotonic import IsotonicRegression

            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
            return cls("isotonic", x=tuple(map(float, iso.X_thresholds_)), y=tuple(map(float, iso.y_thresholds_)))
        from sklearn.linear_model import LogisticRegression

        if len(set(y.tolist())) < 2:
            return cls("platt", a=1.0, b=0.0)  # nothing to learn from one class: plain sigmoid of the margin
        # Regularised (C=1): on separable calibration data an unbounded slope turns the map into a step, every score
        # becomes 0 or 1 and the thresholds chosen for a false-alarm rate collapse onto one value.
        lr = LogisticRegression(C=1.0).fit(raw.reshape(-1, 1), y)
        return cls("platt", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"method": self.method, "x": list(self.x), "y": list(self.y), "a": self.a, "b": self.b}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Calibrator:
        """From the JSON form."""
        if d.get("method") not in ("isotonic", "platt"):
            raise ValueError(f"unknown calibration method {d.get('method')!r}")
        return cls(d["method"], tuple(d.get("x", ())), tuple(d.get("y", ())), float(d.get("a", 1)),
                   float(d.get("b", 0)))


def matrix(rows: list[dict[str, float | None]]) -> np.ndarray:
    """Feature rows as a float matrix in FEATURES order; None becomes NaN (LightGBM's missing)."""
    out = np.full((len(rows), len(FEATURE_NAMES)), np.nan)
    for i, r in enumerate(rows):
        for j, n in enumerate(FEATURE_NAMES):
            v = r.get(n)
            if v is not None:
                out[i, j] = float(v)
    return out


def verdict(score: float | None, suspicious: float, forged: float) -> str:
    """Verdict of a score against the two thresholds."""
    if score is None:
        return "error"
    if score >= forged:
        return "forged"
    if score >= suspicious:
        return "suspicious"
    return "clean"


def apply_rule_floor(verdict_: str, rule_hits: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> str:
    """A critical rule hit makes an appeal at least `suspicious`, whatever the model says."""
    if verdict_ == "clean" and any(h.get("severity") == "critical" for h in rule_hits):
        return "suspicious"
    return verdict_


WEAK = ("info", "low")
"""Severities that alone never make an appeal suspicious: a note, or low-weight evidence such as an editor named
in a photo's metadata (all 26 genuine real receipts carry Photoshop's name)."""


def only_weak_evidence(finding_severities, rule_severities) -> bool:
    """Whether an appeal's findings and rule hits are all notes or low (`WEAK`), or there are none."""
    return all(s in WEAK for s in (*finding_severities, *rule_severities))


def apply_evidence_ceiling(verdict_: str, finding_severities, rule_severities) -> str:
    """An appeal whose only evidence is weak (`only_weak_evidence`) is `clean` whatever the model says.

    An editor's name in a photo's metadata is what an honest crop leaves too: all 26 genuine real receipts carry
    Photoshop's. Models trained on generated appeals that labelled such photos forged scored them around the
    `suspicious` threshold, either side by chance (fresh seed 839: six of the seven genuine appeals flagged had
    nothing else). The generator now forges by a name alone only in PDFs, but a model trained elsewhere, on a
    platform's own decisions, can still learn it; a verdict needs evidence above `WEAK`.
    """
    if verdict_ in ("suspicious", "forged") and only_weak_evidence(finding_severities, rule_severities):
        return "clean"
    return verdict_


def weak_appeals(rows) -> dict[str, bool]:
    """For DocRows (training, evaluation): whether each appeal's evidence is weak only, read from its features
    (the worst finding's severity, the rule hits by severity)."""
    low = SEVERITY_RANK["low"]
    out: dict[str, bool] = {}
    for r in rows:
        f = r.features
        weak = (f.get("finding.max_severity") or 0) <= low and not any(
            (f.get(f"rules.{s}") or 0) > 0 for s in SEVERITY_RANK if s not in WEAK)
        out[r.appeal_id] = out.get(r.appeal_id, True) and weak
    return out


def appeal_groups(appeal_ids: list[str], keys: dict[str, list[str]]) -> dict[str, int]:
    """Connected components of appeals that share any key (union-find): a split keeps each whole.

    `keys[appeal_id]` lists the group keys of an appeal (brand, brand-specific template, serial forger...).
    """
    parent = {a: a for a in appeal_ids}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    owner: dict[str, str] = {}
    for a in appeal_ids:
        for k in keys.get(a, []):
            if k in owner:
                ra, rb = find(a), find(owner[k])
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            else:
                owner[k] = a
    roots = sorted({find(a) for a in appeal_ids})
    index = {r: i for i, r in enumerate(roots)}
    return {a: index[find(a)] for a in appeal_ids}


def group_keys(rows, by: str = "component") -> dict[str, list[str]]:
    """Group keys per appeal for `appeal_groups`.

    - 'component': serial forger and every brand-specific template (a template seen with one brand only;
      stock formats every brand shares, like the business licence, cannot be held out and are left out);
    - 'brand': the brand, plus the serial forger;
    - 'template': every template, plus the serial forger (collapses to few groups when formats are shared);
    - 'appeal': each appeal alone.
    """
    brands_of: dict[str, set[str]] = {}
    for r in rows:
        if r.template_id:
            brands_of.setdefault(r.template_id, set()).add(r.brand or "")
    keys: dict[str, list[str]] = {}
    for r in rows:
        k = keys.setdefault(r.appeal_id, [])
        if by == "appeal":
            continue
        if r.serial_forger_id:
            k.append(f"forger:{r.serial_forger_id}")
        if by == "brand" and r.brand:
            k.append(f"brand:{r.brand}")
        if r.template_id and (by == "template" or (by == "component" and len(brands_of[r.template_id]) == 1)):
            k.append(f"template:{r.template_id}")
    return keys


class ForgeryModel:
    """LightGBM on document rows, calibrated at appeal level, with thresholds for stated false-alarm rates.

    Parameters are set here and never changed by fit; learned attributes end with an underscore.
    """

    def __init__(self, *, n_estimators: int = 400, learning_rate: float = 0.05, num_leaves: int = 15,
                 min_child_samples: int = 10, seed: int = 7, num_threads: int = 1,
                 suspicious_fpr: float = 0.05, forged_fpr: float = 0.01, calibration: str = "auto",
                 group_by: str = "component", folds: int = 5, ignore: tuple[str, ...] | list[str] = ()):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.seed = seed
        self.num_threads = num_threads
        """One by default: the table is small (hundreds to thousands of rows), and with two threads on a machine
        whose cores were busy (batch workers, OCR) three fits took over ten minutes, spinning, where one thread
        took ten seconds (session 25)."""
        self.suspicious_fpr = suspicious_fpr
        self.forged_fpr = forged_fpr
        self.calibration = calibration
        self.group_by = group_by
        self.folds = folds
        self.ignore = tuple(ignore)
        """Features (names, or prefixes ending in '.') the model never learns from: set missing in training."""

    def get_params(self) -> dict[str, Any]:
        """The __init__ parameters (saved with the model)."""
        return {k: getattr(self, k) for k in inspect.signature(type(self).__init__).parameters if k != "self"}

    # ------------------------------------------------------------------------------------------ training

    def params(self) -> dict[str, Any]:
        """LightGBM parameters: fixed seed, deterministic, fixed threads, so the same data give the same text."""
        return {"objective": "binary", "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
                "min_child_samples": self.min_child_samples, "seed": self.seed, "deterministic": True,
                "force_row_wise": True, "num_threads": self.num_threads, "verbosity": -1,
                "feature_pre_filter": False, "monotone_constraints": list(MONOTONE),
                "monotone_constraints_method": "intermediate"}

    def ignored(self) -> list[str]:
        """The feature names `ignore` covers; ValueError for an entry that names no feature."""
        out = []
        for p in self.ignore:
            hit = [n for n in FEATURE_NAMES if n == p or (p.endswith(".") and n.startswith(p))]
            if not hit:
                raise ValueError(f"--ignore-features {p!r} names no feature (a feature's name, or a prefix ending in "
                                 f"'.', such as 'seller.'; the list is in any model's features.json)")
            out += [n for n in hit if n not in out]
        return out

    def split(self, rows) -> dict[str, int]:
        """The fold (0 to folds-1) of each appeal; groups (see group_keys) never straddle folds."""
        from sklearn.model_selection import StratifiedGroupKFold

        ids = list(dict.fromkeys(r.appeal_id for r in rows))
        label = {r.appeal_id: r.appeal_label for r in rows}
        groups = appeal_groups(ids, group_keys(rows, self.group_by))
        n_groups = len(set(groups.values()))
        if n_groups < 3:
            raise ValueError(f"only {n_groups} independent group(s) of appeals: too few to hold any out while "
                             f"training; add appeals or use a finer --group-by")
        y = np.array([label[a] for a in ids])
        g = np.array([groups[a] for a in ids])
        folds = StratifiedGroupKFold(n_splits=min(self.folds, n_groups), shuffle=True, random_state=self.seed)
        return {ids[i]: k for k, (_, held) in enumerate(folds.split(np.zeros(len(ids)), y, g)) for i in held}

    def _booster(self, X, y, w, rounds: int, held=None):
        import lightgbm as lgb

        data = lgb.Dataset(X, y, weight=w, feature_name=list(FEATURE_NAMES), free_raw_data=False)
        if held is None:
            return lgb.train(self.params(), data, num_boost_round=rounds), None
        curve: dict[str, Any] = {}
        Xh, yh, wh = held
        booster = lgb.train(self.params(), data, num_boost_round=rounds,
                            valid_sets=[lgb.Dataset(Xh, yh, weight=wh, reference=data)], valid_names=["held"],
                            callbacks=[lgb.record_evaluation(curve)])
        # LightGBM's loss is the weighted mean; times the fold's weight it adds up across folds.
        return booster, np.asarray(curve["held"]["binary_logloss"]) * float(np.sum(wh))

    def _cross_fit(self, X, y, w, fold) -> tuple[int, np.ndarray]:
        """(rounds, out-of-fold raw margins): every fold boosted on the others for n_estimators rounds; the
        rounds are where the summed held-out loss is least, and each row is scored by the fold model that
        never saw its group, at those rounds."""
        boosters, loss = [], np.zeros(self.n_estimators)
        for k in range(int(fold.max()) + 1):
            tr, held = (fold != k) & (w > 0), (fold == k) & (w > 0)
            b, curve = self._booster(X[tr], y[tr], w[tr], self.n_estimators, (X[held], y[held], w[held]))
            boosters.append(b)
            loss[:len(curve)] += curve
        rounds = int(np.argmin(loss)) + 1
        oof = np.zeros(len(y))
        for k, b in enumerate(boosters):
            oof[fold == k] = b.predict(X[fold == k], raw_score=True, num_iteration=rounds)
        return rounds, oof

    def fit(self, rows) -> ForgeryModel:
        """Learn from DocRows (see dataset.py): cross-fit over grouped folds, boost on everything, calibrate.

        The appeals are split into `folds` grouped folds. Each fold is scored by a model boosted on the
        others, so every training appeal gets an out-of-fold score from a model that never saw its group
        (serial forger, brand-specific templates); the number of rounds is the one with the least summed
        out-of-fold loss. The shipped booster is then trained on every appeal for that many rounds, and
        the calibrators and thresholds are fit on the out-of-fold scores: all the appeals, not one fifth.

        With appeal-level labels only (a platform's decisions), documents of genuine appeals are genuine and,
        for a forged appeal, its most suspicious document by out-of-fold score is taken as the forged one
        (the others are left out, not called genuine): the appeal label applies to the appeal's max score.
        """
        rows = list(rows)
        self.split_ = self.split(rows)
        fold = np.array([self.split_[r.appeal_id] for r in rows])
        doc_level = all(r.label is not None for r in rows)
        X = matrix([r.features for r in rows])
        # An ignored feature is missing in every training row: LightGBM never splits on it, so what a document
        # later says there cannot move its score.
        X[:, [FEATURE_NAMES.index(n) for n in self.ignored()]] = np.nan
        y = np.array([r.label if doc_level else r.appeal_label for r in rows], dtype=float)
        w = np.ones(len(rows))
        rounds, oof = self._cross_fit(X, y, w, fold)
        if not doc_level:
            best: dict[str, int] = {}
            for i, r in enumerate(rows):
                if r.appeal_label == 1 and (r.appeal_id not in best or oof[i] > oof[best[r.appeal_id]]):
                    best[r.appeal_id] = i
            for i, r in enumerate(rows):
                if r.appeal_label == 1 and best[r.appeal_id] != i:
                    w[i] = 0.0  # unknown: maybe genuine, maybe a second forgery
            rounds, oof = self._cross_fit(X, y, w, fold)
        used = w > 0
        self.booster_, _ = self._booster(X[used], y[used], w[used], rounds)
        self.best_iteration_ = rounds
        self.label_level_ = "document" if doc_level else "appeal"
        self.oof_raw_ = {(r.appeal_id, r.file): float(s) for r, s in zip(rows, oof, strict=True)}
        cal_ids, cal_raw, cal_y = self._appeal_max(rows, oof, None)
        self.appeal_calibrator_ = Calibrator.fit(cal_raw, cal_y, self.calibration)
        if doc_level:
            self.document_calibrator_ = Calibrator.fit(oof, y, self.calibration)
        else:
            self.document_calibrator_ = self.appeal_calibrator_
        cal_p = self.appeal_calibrator_(cal_raw)
        from appealcheck.scoring.metrics import rates_at, threshold_at_fpr

        t_s = threshold_at_fpr(cal_y, cal_p, self.suspicious_fpr)
        t_f = max(threshold_at_fpr(cal_y, cal_p, self.forged_fpr), t_s)
        # Not rounded: a threshold rounded down would flag the very scores it was chosen to pass.
        self.thresholds_ = {"suspicious": float(t_s), "forged": float(t_f)}
        rs, fs = rates_at(cal_y, cal_p, t_s)
        rf, ff = rates_at(cal_y, cal_p, t_f)
        self.threshold_report_ = {
            "suspicious": {"target_fpr": self.suspicious_fpr, "fpr": fs, "recall": rs},
            "forged": {"target_fpr": self.forged_fpr, "fpr": ff, "recall": rf},
            "calibration_appeals": len(cal_ids), "calibration_forged": int(np.sum(cal_y)),
        }
        self.counts_ = {f"fold {k + 1}": {"appeals": sum(1 for f in self.split_.values() if f == k),
                                          "documents": int(np.sum(fold == k))} for k in range(int(fold.max()) + 1)}
        return self

    def _appeal_max(self, rows, raw, mask) -> tuple[list[str], np.ndarray, np.ndarray]:
        best: dict[str, float] = {}
        label: dict[str, int] = {}
        for i, r in enumerate(rows):
            if mask is not None and not mask[i]:
                continue
            best[r.appeal_id] = max(best.get(r.appeal_id, -math.inf), float(raw[i]))
            label[r.appeal_id] = r.appeal_label
        ids = list(best)
        return ids, np.array([best[a] for a in ids]), np.array([label[a] for a in ids], dtype=int)

    # ------------------------------------------------------------------------------------------ prediction

    def _raw(self, X: np.ndarray) -> np.ndarray:
        return self.booster_.predict(X, raw_score=True, num_iteration=self.best_iteration_)

    def raw_scores(self, rows: list[dict[str, float | None]]) -> np.ndarray:
        """LightGBM's raw margin of each document (the calibrators map it to probabilities)."""
        return self._raw(matrix(rows)) if rows else np.zeros(0)

    def predict_document(self, rows: list[dict[str, float | None]]) -> np.ndarray:
        """Calibrated probability that each document is forged."""
        if not rows:
            return np.zeros(0)
        return self.document_calibrator_(self._raw(matrix(rows)))

    def score_appeals(self, rows, margins: np.ndarray | None = None) -> dict[str, float]:
        """Calibrated appeal scores for DocRows of many appeals (evaluation); `margins` gives the documents' raw
        margins in row order instead of this booster's (the out-of-fold ones, for `train`'s report)."""
        rows = list(rows)
        if margins is None:
            margins = self.raw_scores([r.features for r in rows])
        ids, raw, _ = self._appeal_max(rows, margins, None)
        return dict(zip(ids, map(float, self.appeal_calibrator_(raw)), strict=True))

    def score_appeal(self, doc_rows: list[dict[str, float | None]], files: list[str] | None = None,
                     top: int = 5) -> tuple[float, list[float], list[dict[str, Any]]]:
        """(appeal score, document scores, explanation) for one appeal's document feature rows.

        The appeal score is the calibrated maximum raw score over documents: the most suspicious document
        decides, as reviewers do. The explanation is LightGBM's per-feature contributions (log-odds,
        pred_contrib) for that document, largest in size first.
        """
        if not doc_rows:
            raise ValueError("an appeal with no scorable documents has no score")
        X = matrix(doc_rows)
        raw = self._raw(X)
        worst = int(np.argmax(raw))
        appeal = float(self.appeal_calibrator_(raw[worst:worst + 1])[0])
        docs = [float(p) for p in self.document_calibrator_(raw)]
        return appeal, docs, self.explain(doc_rows[worst], files[worst] if files else None, top)

    def explain(self, row: dict[str, float | None], document: str | None = None, top: int = 5,
                min_contribution: float = 0.01) -> list[dict[str, Any]]:
        """The features that moved this document's score most, in reviewer words."""
        contrib = self.booster_.predict(matrix([row]), pred_contrib=True, num_iteration=self.best_iteration_)[0]
        order = np.argsort(-np.abs(contrib[:-1]), kind="stable")
        out = []
        for j in order[:top]:
            c = float(contrib[j])
            if abs(c) < min_contribution:
                break
            f = FEATURES[j]
            out.append({"feature": f.name, "contribution": round(c, 4), "value": row.get(f.name),
                        "description": f.description, "document": document,
                        "direction": "towards forged" if c > 0 else "towards genuine", "source": f.source})
        return out

    def verdict(self, score: float | None, thresholds: Any = None) -> str:
        """Verdict against the model's thresholds, or a brand's (`policy.thresholds`: suspicious, forged)."""
        if thresholds is not None:
            s = getattr(thresholds, "suspicious", None)
            f = getattr(thresholds, "forged", None)
            if isinstance(thresholds, dict):
                s, f = thresholds.get("suspicious"), thresholds.get("forged")
            if s is not None and f is not None:
                return verdict(score, float(s), float(f))
        return verdict(score, self.thresholds_["suspicious"], self.thresholds_["forged"])

    @property
    def name(self) -> str:
        """What `versions.model` says: feature version and a hash of the trained trees."""
        text = self.model_text()
        return f"lgbm-fv{FEATURE_VERSION}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"

    def model_text(self) -> str:
        """LightGBM's text model, trimmed to the best iteration (deterministic for the same data)."""
        return self.booster_.model_to_string(num_iteration=self.best_iteration_)

    # ------------------------------------------------------------------------------------------ files

    def save(self, directory: Path, created: str | None = None, card: dict[str, Any] | None = None) -> Path:
        """Write the model folder. `created` (ISO date) is passed in so a rerun writes the same bytes."""
        from appealcheck.scoring.card import render_markdown

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        created = created or dt.date.today().isoformat()
        texts = {
            "model.txt": self.model_text(),
            "calibration.json": _dumps({"appeal": self.appeal_calibrator_.to_json(),
                                        "document": self.document_calibrator_.to_json()}),
            "features.json": _dumps({"feature_version": FEATURE_VERSION, "fingerprint": features_fingerprint(),
                                     "features": [{"name": f.name, "description": f.description,
                                                   "source": f.source} for f in FEATURES]}),
        }
        for name, text in texts.items():
            (d / name).write_text(text, encoding="utf-8")
        meta = {"format": MODEL_FORMAT, "name": self.name, "appealcheck": __version__, "created": created,
                "feature_version": FEATURE_VERSION, "features_fingerprint": features_fingerprint(),
                "best_iteration": self.best_iteration_, "label_level": self.label_level_,
                "thresholds": self.thresholds_, "threshold_report": self.threshold_report_,
                "params": self.params(), "init": self.get_params(), "counts": self.counts_,
                "files": {n: hashlib.sha256(t.encode()).hexdigest() for n, t in texts.items()}}
        (d / "meta.json").write_text(_dumps(meta), encoding="utf-8")
        if card is not None:
            (d / "card.json").write_text(_dumps(card), encoding="utf-8")
            (d / "card.md").write_text(render_markdown(card), encoding="utf-8")
        return d

    @classmethod
    def load(cls, directory: Path | str) -> ForgeryModel:
        """Read a model folder, refusing (ResourceMissing, exit 5) anything this release cannot trust."""
        import lightgbm as lgb

        d = Path(directory)
        meta_path = d / "meta.json"
        if not meta_path.is_file():
            raise ResourceMissing(f"no model at {d} (meta.json is missing); {_RETRAIN}")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ResourceMissing(f"model file {meta_path} is damaged or truncated ({exc}); {_RETRAIN}") from None
        if _newer(meta):
            raise ResourceMissing(
                f"the model at {d} was made by appealcheck {meta.get('appealcheck')} (model format "
                f"{meta.get('format')}), newer than this appealcheck {__version__}; upgrade appealcheck "
                f"(pip install -U appealcheck) or use a model trained with this release")
        if meta.get("feature_version") != FEATURE_VERSION or meta.get("features_fingerprint") != features_fingerprint():
            raise ResourceMissing(
                f"the model at {d} uses feature version {meta.get('feature_version')} but this appealcheck computes "
                f"feature version {FEATURE_VERSION}; {_RETRAIN}")
        texts = {}
        for name in FILES:
            p = d / name
            if not p.is_file():
                raise ResourceMissing(f"model file {p} is missing; {_RETRAIN}")
            data = p.read_bytes()
            if hashlib.sha256(data).hexdigest() != (meta.get("files") or {}).get(name):
                raise ResourceMissing(f"model file {p} is truncated or was changed after training "
                                      f"(its sha256 differs from meta.json); {_RETRAIN}")
            texts[name] = data.decode("utf-8")
        try:
            booster = lgb.Booster(model_str=texts["model.txt"])
            cal = json.loads(texts["calibration.json"])
            feats = json.loads(texts["features.json"])
            # Training-only settings of other releases (e.g. split fractions) do not change how a model scores.
            known = set(inspect.signature(cls.__init__).parameters) - {"self"}
            m = cls(**{k: v for k, v in (meta.get("init") or {}).items() if k in known})
            m.booster_ = booster
            m.appeal_calibrator_ = Calibrator.from_json(cal["appeal"])
            m.document_calibrator_ = Calibrator.from_json(cal["document"])
            m.best_iteration_ = int(meta["best_iteration"])
            m.thresholds_ = {"suspicious": float(meta["thresholds"]["suspicious"]),
                             "forged": float(meta["thresholds"]["forged"])}
            m.threshold_report_ = meta.get("threshold_report", {})
            m.label_level_ = meta.get("label_level", "document")
            m.counts_ = meta.get("counts", {})
            m.meta_ = meta
        except (lgb.basic.LightGBMError, KeyError, ValueError, TypeError) as exc:
            raise ResourceMissing(f"the model at {d} cannot be read ({exc}); {_RETRAIN}") from None
        names = [f.get("name") for f in feats.get("features", [])]
        if names != list(FEATURE_NAMES) or booster.num_feature() != len(FEATURE_NAMES):
            raise ResourceMissing(f"the model at {d} was trained on a different feature list; {_RETRAIN}")
        return m


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _version_tuple(v: Any) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in str(v).split("+")[0].split(".")[:3])
    except ValueError:
        return (math.inf,)  # unparseable: treat as newer, so it is refused rather than misread


def _newer(meta: dict[str, Any]) -> bool:
    """A model from a newer release: a higher folder format, or a newer major (minor while 0.x) version."""
    if not isinstance(meta.get("format"), int) or meta["format"] > MODEL_FORMAT:
        return True
    theirs, ours = _version_tuple(meta.get("appealcheck")), _version_tuple(__version__)
    if theirs[0] != ours[0]:
        return theirs[0] > ours[0]
    return ours[0] == 0 and len(theirs) > 1 and theirs[1] > ours[1]


DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "model"
"""Where the shipped model lives (package data)."""


def model_name(choice: str) -> str:
    """The name a model folder ('shipped' for the package's) records in its meta.json, without loading LightGBM;
    ResourceMissing (exit 5) when there is none to read. `ForgeryModel.load` checks the rest."""
    d = DEFAULT_MODEL_DIR if choice == "shipped" else Path(choice)
    try:
        name = json.loads((d / "meta.json").read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError) as exc:
        raise ResourceMissing(f"no readable model at {d} ({type(exc).__name__}); {_RETRAIN}") from None
    if not isinstance(name, str):
        raise ResourceMissing(f"the model at {d} names no model in its meta.json; {_RETRAIN}")
    return name


def load_default_model() -> ForgeryModel | None:
    """The model shipped in the package, or None when this install has none (scan then uses the placeholder).

    A shipped model that is present but unusable raises ResourceMissing: silently falling back would hide it.
    """
    if not (DEFAULT_MODEL_DIR / "meta.json").is_file():
        return None
    return ForgeryModel.load(DEFAULT_MODEL_DIR)


def score_with_model(model: ForgeryModel, doc_results, appeal: dict[str, Any] | None,
                     rule_hits: list[dict[str, Any]] | None) -> tuple[float | None, list[float | None],
                                                                      list[dict[str, Any]], str]:
    """Score one appeal for api.Scanner: (score, per-document scores, explanation, model name).

    Documents that could not be read get None and do not count. The explanation ties each feature to the
    finding it came from (`finding`: id, message, page, box) when the document has one.
    """
    from appealcheck.scoring.features import document_features

    docs = list(doc_results)
    usable = [i for i, d in enumerate(docs) if d.error is None]
    scores: list[float | None] = [None] * len(docs)
    if not usable:
        return None, scores, [], model.name
    rows = [document_features(docs[i], appeal, list(rule_hits) if rule_hits is not None else None) for i in usable]
    score, doc_scores, explanation = model.score_appeal(rows, [docs[i].file for i in usable])
    for i, s in zip(usable, doc_scores, strict=True):
        scores[i] = round(s, 4)
    by_file = {d.file: d for d in docs}
    for e in explanation:
        e["finding"] = _finding_for(by_file.get(e["document"]), e["feature"])
    return round(score, 4), scores, explanation, model.name


def _finding_for(doc, feature_name: str) -> dict[str, Any] | None:
    """The finding on `doc` a feature comes from: same finding id, or a finding of the same check."""
    if doc is None:
        return None
    src = feature(feature_name).source
    if feature_name == "finding.max_severity":
        found = [f for f in doc.findings if f.severity != "info"]
    elif not src:
        return None
    elif src.endswith("."):
        found = [f for f in doc.findings if f.id.startswith(src) and f.severity != "info"]
    else:
        found = [f for f in doc.findings if f.id == src or f.check == src][:1]
    if not found:
        return None
    # The most severe of them (a family's count, or the document's worst finding), first in order among equals.
    f = max(found, key=lambda x: SEVERITY_RANK.get(x.severity, 0))
    return {"id": f.id, "message": f.message, "page": f.page, "box": list(f.box) if f.box else None}

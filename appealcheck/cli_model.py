"""`appealcheck train` and `appealcheck eval`: parse options, call scoring, render. Attached in cli.py (COMMANDS)."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from appealcheck.errors import InputError, UsageError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _progress_table(corpus: Path | None, labels: Path | None, rules: tuple[str, ...], workers: int, no_cache: bool,
                    generate: int | None = None, seed: int = 7):
    from rich.progress import Progress

    from appealcheck.scoring.dataset import generated_corpus, load_corpus

    if generate:
        if corpus is not None:
            raise UsageError("give either CORPUS or --generate N, not both")
        with err.status(f"generating {generate} appeals (seed {seed})"):
            corpus = generated_corpus(generate, seed, workers=workers)
    if corpus is None:
        raise UsageError("give a CORPUS folder (appeals/ and labels.jsonl, or appeals with --labels) or --generate N")
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("scanning (cached appeals are instant)", total=None)
        table = load_corpus(corpus, labels, rules_dirs=tuple(Path(r) for r in rules), workers=workers,
                            use_cache=not no_cache,
                            progress=lambda done, total: progress.update(task, completed=done, total=total))
    err.print(f"{len(table.appeal_ids())} appeals, {len(table.rows)} documents: {table.scanned} scanned, "
              f"{table.cached} from the feature cache, {table.seconds:.1f} s")
    for f in table.failed:
        err.print(f"[yellow]left out[/] {f}", markup=True)
    if not table.rows:
        raise InputError(str(corpus), "no labelled appeal could be scanned")
    return corpus, table


def _corpus_options(f):
    opts = [
        click.option("--labels", type=click.Path(dir_okay=False, path_type=Path),
                     help="CSV or JSONL of appeal_id,label (genuine|forged); default CORPUS/labels.jsonl."),
        click.option("--rules", multiple=True, type=click.Path(file_okay=False),
                     help="Extra folder holding brand packs (CORPUS/rules is searched first)."),
        click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
                     help="Scanning processes."),
        click.option("--no-cache", is_flag=True, help="Ignore the per-document feature cache (scan everything)."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


@click.command("train")
@click.argument("corpus", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the model to (model.txt, calibration.json, features.json, meta.json, card).")
@_corpus_options
@click.option("--generate", type=click.IntRange(1, 1_000_000),
              help="Train on a corpus of N appeals from the generator (written once under the cache dir).")
@click.option("--seed", type=int, default=7, show_default=True, help="Generator seed (with --generate).")
@click.option("--group-by", type=click.Choice(["component", "brand", "template", "appeal"]), default="component",
              show_default=True, help="What the train/validation/calibration split keeps on one side.")
@click.option("--suspicious-fpr", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="False-alarm rate the `suspicious` threshold is chosen for.")
@click.option("--forged-fpr", type=click.FloatRange(0, 1), default=0.01, show_default=True,
              help="False-alarm rate the `forged` threshold is chosen for.")
@click.option("--ignore-features", "ignore", multiple=True, metavar="NAME",
              help="A feature (or a prefix ending in '.') the model must not learn from (repeatable). Default with "
                   "--generate: the seller's account signals and the capture's own traits (file size, camera and "
                   "date tags, OCR statistics, document age), which the generator draws at random; on your own "
                   "decisions, none.")
@click.option("--created", help="Date recorded in the model (ISO); default today. Fix it to reproduce bytes.")
def train(corpus, out_dir, labels, rules, workers, no_cache, generate, seed, group_by, suspicious_fpr, forged_fpr,
          ignore, created) -> None:
    """Train the calibrated LightGBM model on labelled appeals and write it with its model card.

    CORPUS holds appeals/ and labels.jsonl (as `samples generate` writes), or is any folder of appeals
    with --labels FILE giving your reviewers' decisions (appeal_id,label). Features are cached per
    document, so retraining after a change to the model alone does not rescan.

    \b
    Example:
      appealcheck train corpus/ -o model/
      appealcheck train appeals/ --labels decisions.csv -o model-2025-06/
      appealcheck train --generate 300 --seed 907 --created 2026-12-05 -o appealcheck/data/model   # the shipped one
    Exit: 0 trained, 4 bad corpus or labels file (the lines are named).
    """
    from appealcheck.scoring.card import build_card
    from appealcheck.scoring.dataset import GENERATED_IGNORED
    from appealcheck.scoring.evaluate import evaluate, feature_importance
    from appealcheck.scoring.model import ForgeryModel

    if not ignore and generate:
        ignore = GENERATED_IGNORED
    model = ForgeryModel(group_by=group_by, suspicious_fpr=suspicious_fpr, forged_fpr=forged_fpr, ignore=ignore)
    try:
        model.ignored()  # before the scan, which may take long
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    t0 = time.perf_counter()
    corpus, table = _progress_table(corpus, labels, rules, workers, no_cache, generate, seed)
    t_scan = time.perf_counter() - t0
    try:
        model.fit(table.rows)
    except ValueError as exc:
        raise InputError(str(corpus), str(exc)) from None
    t_fit = time.perf_counter() - t0 - t_scan
    # Every appeal scored by the fold model that never saw its group: honest, save that the calibrator and
    # thresholds were fit on these same scores.
    report = evaluate(model, table.rows, raw=model.oof_raw_)
    argv = sys.argv[1:]
    command = "appealcheck " + " ".join(shlex.quote(a) for a in argv) if "train" in argv else None
    source = (f"generated corpus: {generate} appeals, seed {seed}" if generate
              else f"{corpus} with labels {table.labels.source}")
    created = created or dt.date.today().isoformat()
    card = build_card(model, table.rows, created=created, command=command, source=source, held_out=report,
                      importance=feature_importance(model))
    model.save(out_dir, created=created, card=card)
    _print_metrics({model.name: report}, title="out-of-fold scores of the training appeals")
    # Timings are printed, not stored, so the same command writes the same model folder byte for byte.
    err.print(f"wrote {out_dir} ({model.name}): scan {t_scan:.1f} s, fit {t_fit:.1f} s, "
              f"total {time.perf_counter() - t0:.1f} s")


@click.command("eval")
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to evaluate, or 'shipped' (the default): the model shipped in the package.")
@click.option("--compare", "old_dir", type=click.Path(file_okay=False, path_type=Path),
              help="A second model folder (or 'shipped'), evaluated on the same data, shown side by side.")
@_corpus_options
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("eval.png"),
              show_default=True, help="Where to write the ROC and precision-recall plot (PNG).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every figure as JSON.")
def eval_(corpus, model_dir, old_dir, labels, rules, workers, no_cache, plot_path, json_path) -> None:
    """Measure a model on labelled appeals: ROC-AUC, PR-AUC, recall at 1/2/5% false alarms, calibration
    error, confusion at the model's thresholds, and breakdowns per forgery type, document kind and brand.

    Recall at a false-alarm rate uses the threshold that reaches that rate on these data; the confusion
    uses the model's own thresholds. Evaluate on appeals the model was not trained on.

    \b
    Example:
      appealcheck eval heldout/ --model model/ --plot eval.png
      appealcheck eval appeals/ --labels decisions.csv --model new/ --compare appealcheck/data/model
    Exit: 0 done, 4 bad corpus or labels file, 5 a model missing, damaged or from another version.
    """
    from appealcheck.errors import ResourceMissing
    from appealcheck.scoring.evaluate import evaluate, plot
    from appealcheck.scoring.model import ForgeryModel, load_default_model

    def load(folder: Path | None) -> ForgeryModel:
        # 'shipped' names the package's model, as `scan --model shipped` does (unless a folder has that name).
        if folder and not (str(folder) == "shipped" and not folder.is_dir()):
            return ForgeryModel.load(folder)
        m = load_default_model()
        if m is None:
            raise ResourceMissing("this install ships no default model; pass --model DIR "
                                  "(train one with: appealcheck train CORPUS -o DIR)")
        return m

    models = {}
    m = load(model_dir)
    models[f"{m.name}"] = m
    if old_dir:
        old = load(old_dir)
        models[f"{old.name} (old)" if old.name in models else old.name] = old
    _, table = _progress_table(corpus, labels, rules, workers, no_cache)
    results = {name: evaluate(mm, table.rows) for name, mm in models.items()}
    _print_metrics(results, title=str(corpus))
    plot(results, plot_path)
    err.print(f"plot: {plot_path}")
    if json_path:
        Path(json_path).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


def _f(v) -> str:
    if v is None:
        return "—"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def _print_metrics(results: dict[str, dict], title: str) -> None:
    names = list(results)
    t = Table(title=f"Appeals: {title}", title_justify="left")
    t.add_column("metric")
    for n in names:
        t.add_column(n, justify="right")
    first = results[names[0]]
    rows = [("appeals (forged)", lambda r: f"{r['appeals']} ({r['forged_appeals']})"),
            ("ROC-AUC", lambda r: _f(r["roc_auc"])), ("PR-AUC", lambda r: _f(r["pr_auc"]))]
    rows += [(f"recall at {k} false alarms", lambda r, k=k: _f(r["recall_at_fpr"][k])) for k in first["recall_at_fpr"]]
    rows += [("calibration error (ECE)", lambda r: _f(r["ece"])),
             ("threshold suspicious / forged",
              lambda r: f"{r['thresholds']['suspicious']:.3f} / {r['thresholds']['forged']:.3f}")]
    for lab in ("genuine", "forged"):
        rows.append((f"{lab} -> clean / suspicious / forged",
                     lambda r, lab=lab: " / ".join(str(r["confusion"][lab][v]) for v in ("clean", "suspicious",
                                                                                          "forged"))))
    for label, fn in rows:
        t.add_row(label, *(fn(results[n]) for n in names))
    out.print(t)
    for key, head, unit in (("per_op", "Per forgery type (documents)", "documents"),
                            ("per_kind", "Per document kind", "documents"),
                            ("per_brand", "Per brand (appeals)", "appeals")):
        if not all(key in results[n] for n in names):
            continue
        t = Table(title=head, title_justify="left")
        t.add_column(key.split("_")[1])
        for n in names:
            t.add_column(f"{n}" if len(names) > 1 else unit, justify="right")
        groups = sorted(set().union(*(results[n][key] for n in names)))
        for g in groups:
            cells = []
            for n in names:
                s = results[n][key].get(g)
                if s is None:
                    cells.append("—")
                elif key == "per_op":
                    cells.append(f"n={s['documents']} recall susp {_f(s['recall_suspicious'])} "
                                 f"forged {_f(s['recall_forged'])}")
                else:
                    cells.append(f"n={s[unit]} ({s['forged']} forged) AUC {_f(s['roc_auc'])} "
                                 f"recall {_f(s['recall_suspicious'])} false alarms {_f(s['fpr_suspicious'])}")
            t.add_row(g, *cells)
        out.print(t)


COMMANDS = [train, eval_]
"""What cli.py attaches: `for c in COMMANDS: cli.add_command(c)`."""

"""Command line: parse options, call the api, render, map errors to exit codes. No logic here."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from appealcheck import __version__
from appealcheck.errors import AppealcheckError, ExitCode

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_SEVERITY_STYLE = {"info": "dim", "low": "cyan", "medium": "yellow", "high": "red", "critical": "bold red"}
_VERDICT_STYLE = {"clean": "green", "suspicious": "yellow", "forged": "bold red", "error": "bold magenta"}
_KEY_FIELDS = ("licensor", "licensee", "valid_from", "valid_to", "issued_on", "serial", "invoice_type", "invoice_code",
               "invoice_no", "buyer_name", "buyer_uscc", "seller_name", "seller_uscc", "amount", "items_amount",
               "total", "total_in_words", "tax", "store", "receipt_no", "date", "time", "subtotal",
               "currency", "company_name", "uscc")


class _State:
    verbose = False


def _scan_options(brand=None, rules=(), ocr="rapidocr", paddle_det_dir=None, paddle_rec_dir=None, no_cache=False,
                  require_signed=False, keyring=None, model=None, ocr_threads=None):
    """ScanOptions from the options every scanning command shares (see _common)."""
    from appealcheck.api import ScanOptions

    # The model learnt from read pages: without OCR every document looks unread to it, and unread is not forged.
    model = model or ("placeholder" if ocr == "none" else "shipped")

    return ScanOptions(brand=brand, rules_dirs=tuple(Path(r) for r in rules), ocr=ocr,
                       paddle_det_dir=paddle_det_dir, paddle_rec_dir=paddle_rec_dir, cache=not no_cache,
                       require_signed=require_signed, keyring=Path(keyring) if keyring else None, model=model,
                       ocr_threads=ocr_threads)


def _common(f):
    opts = [
        click.option("--brand", help="Brand pack id to judge against (overrides appeal.yaml)."),
        click.option("--rules", multiple=True, type=click.Path(file_okay=False),
                     help="Extra folder holding brand packs (repeatable)."),
        click.option("--ocr", type=click.Choice(["rapidocr", "paddle", "none"]), default="rapidocr",
                     show_default=True, help="OCR engine."),
        click.option("--paddle-det-dir", help="PaddleOCR detection model folder (with --ocr paddle)."),
        click.option("--paddle-rec-dir", help="PaddleOCR recognition model folder (with --ocr paddle)."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the on-disk OCR cache."),
        click.option("--ocr-threads", type=click.IntRange(1, 64),
                     help="CPU threads per OCR engine. Default: all cores for scan, one per worker for batch."),
        click.option("--require-signed", is_flag=True, help="Refuse brand packs not signed by a key in --keyring."),
        click.option("--keyring", type=click.Path(file_okay=False), help="Folder of trusted brands' public keys."),
        click.option("--model",
                     help="The score: 'shipped' (the trained model in the package; the default), a folder from "
                          "'appealcheck train', or 'placeholder' (the worst finding's severity; the default with "
                          "--ocr none, where the model has nothing read to judge)."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="appealcheck")
@click.option("-v", "--verbose", is_flag=True, help="Log progress and show tracebacks.")
def cli(verbose: bool) -> None:
    """Catch forged documents in sellers' appeals.

    \b
    Example:
      appealcheck scan samples/appeals/A-001-000003
    """
    _State.verbose = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("appeal", type=click.Path(path_type=Path))
@_common
@click.option("--json", "as_json", is_flag=True, help="Print the result object (DESIGN.md section 5) as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an HTML report with the evidence drawn on the pages to this file.")
def scan(appeal: Path, as_json: bool, quiet: bool, report_path: Path | None, **opts) -> None:
    """Scan one appeal (a folder, a document file, or a .zip) and give a verdict.

    \b
    Example:
      appealcheck scan samples/appeals/A-001-000003 --json
    Exit: 0 clean, 1 suspicious or forged, 3 bad brand pack, 4 unreadable input, 5 missing model.
    """
    from appealcheck.api import Scanner

    options = _scan_options(**opts)
    scanner = Scanner(options)
    result = scanner.scan(appeal)
    if report_path is not None:
        from appealcheck.report import write_appeal_report

        write_appeal_report(result.to_json(), appeal, report_path, rules_dirs=list(options.rules_dirs))
        err.print(f"report: {report_path}", markup=False)
    if as_json:
        out.print_json(json.dumps(result.to_json(), ensure_ascii=False)) if sys.stdout.isatty() else \
            click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    elif result.verdict == "error":
        pass  # one line on stderr, below, says it all
    elif quiet:
        click.echo(f"{result.appeal_id}\t{result.verdict}\t{'' if result.score is None else result.score}")
    else:
        _render(result)
    if result.verdict == "error":
        err.print(f"error: {result.error}", markup=False, style="bold red")
    sys.exit(result.exit_code)


def _render(result) -> None:
    from appealcheck.scoring.model import only_weak_evidence

    style = _VERDICT_STYLE.get(result.verdict, "")
    score = "—" if result.score is None else f"{result.score:.2f}"
    out.print(f"[bold]Appeal {escape(result.appeal_id)}[/]  brand: {escape(result.brand or '—')}  "
              f"verdict: [{style}]{result.verdict.upper()}[/]  score: {score}")
    if "placeholder" in str(result.versions.get("model", "")):
        out.print("[dim](placeholder score from the worst finding's severity, as asked by --model placeholder or "
                  "--ocr none; otherwise the trained model scores)[/]")
    elif result.verdict == "clean" and any(f.severity == "low" for d in result.documents for f in d.findings) and \
            only_weak_evidence([f.severity for d in result.documents for f in d.findings],
                               [h.get("severity") for h in result.rule_hits]):
        out.print("[dim](clean: its only evidence is low, such as an editor named in a photo's metadata, which alone "
                  "never makes an appeal suspicious)[/]")
    for d in result.documents:
        out.print()
        if d.error:
            out.print(f"[bold]{escape(d.file)}[/]  [magenta]unreadable:[/] {escape(d.error)}")
            continue
        out.print(f"[bold]{escape(d.file)}[/]  {d.kind} ({d.kind_source}), {d.pages} page(s), score {d.score:.2f}")
        table = Table(show_header=False, box=None, padding=(0, 2))
        for k in _KEY_FIELDS:
            if k in d.fields:
                table.add_row(f"  {k}", escape(str(d.fields[k].value)))
        if table.row_count:
            out.print(table)
        for f in d.findings:
            where = f" page {f.page + 1} at {list(f.box)}" if f.box and f.page is not None else ""
            out.print(f"  [{_SEVERITY_STYLE[f.severity]}]{f.severity:>8}[/] {f.id}: {escape(f.message)}{where}")
        hits = [h for h in result.rule_hits if h["file"] == d.file]
        for h in hits:
            out.print(f"  [{_SEVERITY_STYLE.get(h['severity'], '')}]{h['severity']:>8}[/] rule {escape(h['rule_id'])}: "
                      f"{escape(h['message'])}")
        if not d.findings and not hits:
            out.print("  [green]no findings[/]")


@cli.command()
@click.argument("appeal", type=click.Path(path_type=Path))
@_common
def facts(appeal: Path, **opts) -> None:
    """Print the facts (DESIGN.md section 4) rules can use, as JSON.

    \b
    Example:
      appealcheck facts samples/appeals/A-001-000003 > facts.json
    """
    from appealcheck.api import Scanner

    scanner = Scanner(_scan_options(**opts))
    click.echo(json.dumps(scanner.facts(appeal), ensure_ascii=False, indent=2))


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSONL results file (one appeal a line), appended as each appeal finishes.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Worker processes.")
@click.option("--resume", is_flag=True, help="Continue an existing results file, skipping appeals already done.")
@click.option("--csv", "csv_out", is_flag=True, help="Also write a flat CSV beside the JSONL.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write an HTML report (index.html and a page per appeal) to this folder at the end.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where to run: worker processes here, or a Ray cluster (pip install -e '.[ray]').")
@click.option("--address", help="Ray cluster address for --engine ray ('auto' joins a running cluster); "
                                "without it a local Ray instance is started.")
@click.option("--timeout", type=click.FloatRange(1, 86400), default=600, show_default=True,
              help="Seconds one appeal may take before its worker is stopped and it is recorded as an error.")
@_common
def batch(folder: Path, out: Path, workers: int, resume: bool, csv_out: bool, report_dir: Path | None, engine: str,
          address: str | None, timeout: float, **opts) -> None:
    """Scan every appeal in FOLDER (each sub-folder, .zip or document file is one appeal).

    \b
    Example:
      appealcheck batch appeals/ -o results.jsonl --workers 2 --csv
      appealcheck batch appeals/ -o results.jsonl --resume     # after a crash or Ctrl-C
      appealcheck batch appeals/ -o results.jsonl --engine ray --address auto
    Exit: 0 all clean, 1 something suspicious or forged, 4 unreadable input or appeals that failed.
    """
    from collections import Counter

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from appealcheck.batch import run_batch

    columns = (TextColumn("[bold]scanning"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[counts]}"))
    started = {}

    def show(counts: Counter) -> str:
        return "  ".join(f"[{_VERDICT_STYLE.get(v, '')}]{v} {n}[/]" for v, n in sorted(counts.items(), key=str))

    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal and not _State.verbose) as bar:
        task = bar.add_task("scan", total=None, rate="", counts="")

        def progress(event: str, done: int, total: int, counts: Counter) -> None:
            import time as _time

            if event == "start":
                started["t"], started["n"] = _time.perf_counter(), done
            elapsed = _time.perf_counter() - started["t"]
            rate = (done - started["n"]) / elapsed * 60 if elapsed > 0 and done > started["n"] else 0
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f}/min", counts=show(counts))

        summary = run_batch(folder, out, _scan_options(**opts), workers=workers, resume=resume, timeout=timeout,
                            progress=progress, csv_path=out.with_suffix(".csv") if csv_out else None,
                            engine=engine, address=address)
    table = Table(title=f"{summary.total} appeals: {summary.scanned} scanned, {summary.skipped} already done, "
                        f"{summary.seconds:.0f} s")
    for v in ("clean", "suspicious", "forged", "error"):
        table.add_column(v)
    table.add_row(*(str(summary.by_verdict.get(v, 0)) for v in ("clean", "suspicious", "forged", "error")))
    err.print(table)
    for c in summary.clusters[:20]:
        err.print(f"cluster {c.id}: {len(c.appeals)} appeals ({', '.join(c.appeals[:8])}"
                  f"{', ...' if len(c.appeals) > 8 else ''}): {c.reasons[0]}", markup=False)
    if len(summary.clusters) > 20:
        err.print(f"... and {len(summary.clusters) - 20} more clusters (see the report)", markup=False)
    err.print(f"results: {out}" + (f"  csv: {out.with_suffix('.csv')}" if csv_out else ""), markup=False)
    if report_dir is not None:
        from appealcheck.batch.ledger import current, read_ledger
        from appealcheck.report import write_batch_report

        rules_dirs = [Path(r) for r in opts.get("rules") or ()]
        err.print(f"report: {write_batch_report(current(read_ledger(out).records), report_dir, rules_dirs)}",
                  markup=False)
    if summary.interrupted:
        err.print("interrupted: rerun with --resume to continue", markup=False)
        sys.exit(128 + (summary.stop_signal or 2))  # 130 for Ctrl-C, 143 for SIGTERM, as shells report them
    if summary.by_verdict.get("suspicious") or summary.by_verdict.get("forged"):
        sys.exit(int(ExitCode.flagged))
    sys.exit(int(ExitCode.invalid_input) if summary.by_verdict.get("error") else 0)


@cli.command()
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for index.html and the per-appeal pages.")
@click.option("--rules", "rules", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of brand packs, for the registered seal images shown beside the seals (repeatable).")
def report(results: Path, out_dir: Path, rules: tuple[Path, ...]) -> None:
    """Rebuild the HTML report of a batch from its JSONL results.

    \b
    Example:
      appealcheck report results.jsonl -o report/
    """
    from appealcheck.batch.ledger import current, read_ledger
    from appealcheck.report import write_batch_report

    err.print(f"report: {write_batch_report(current(read_ledger(results).records), out_dir, list(rules))}",
              markup=False)


@cli.command("checks")
def list_checks() -> None:
    """List the built-in checks and their ids.

    \b
    Example:
      appealcheck checks
    """
    from appealcheck.checks import default_checks
    from appealcheck.checks.parties import APPEAL_CHECKS

    for c in default_checks():
        kinds = ", ".join(c.applies_to) or "all kinds"
        doc = (c.__doc__ or "").strip().splitlines()[0]
        click.echo(f"{c.id:28} {kinds:28} {doc}")
    for cid, doc in APPEAL_CHECKS:
        click.echo(f"{cid:28} {'across an appeal':28} {doc}")


@cli.group()
def samples() -> None:
    """The synthetic corpus of genuine and forged appeals."""


@samples.command("generate")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--appeals", type=click.IntRange(1, 1_000_000), default=40, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--forged-ratio", type=click.FloatRange(0, 1), default=0.4, show_default=True)
@click.option("--rules-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the brand packs (default OUT/rules).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--ops", default="", metavar="OP,OP",
              help="Forge only with these operations where they apply (comma-separated; see labels' ops).")
def samples_generate(out_dir: Path, appeals: int, seed: int, forged_ratio: float, rules_dir, workers: int,
                     ops: str) -> None:
    """Write OUT/appeals/<id>/, OUT/rules/<brand>/ and OUT/labels.jsonl. Same seed, same bytes.

    \b
    Example:
      appealcheck samples generate corpus/ --appeals 2000 --seed 7 --forged-ratio 0.4
    """
    from rich.progress import Progress

    from appealcheck.samples import OPS, generate

    wanted = tuple(o.strip() for o in ops.split(",") if o.strip())
    if set(wanted) - set(OPS):
        raise click.BadParameter(f"unknown {sorted(set(wanted) - set(OPS))}; known: {', '.join(OPS)}",
                                 param_hint="--ops")
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("generating", total=appeals)
        summary = generate(out_dir, appeals=appeals, seed=seed, forged_ratio=forged_ratio, rules_dir=rules_dir,
                           progress=lambda done, total: progress.update(task, completed=done, total=total),
                           workers=workers, ops=wanted)
    err.print(f"wrote {summary.appeals} appeals ({summary.documents} documents, {summary.forged_documents} forged) "
              f"to {out_dir} in {summary.seconds:.1f} s")


from appealcheck.cli_model import COMMANDS as _model_commands  # noqa: E402
from appealcheck.cli_rules import rules as _rules_group  # noqa: E402

cli.add_command(_rules_group)
for _command in _model_commands:
    cli.add_command(_command)


def main() -> None:
    """Entry point: run the CLI and turn every error into its exit code and one readable line."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.usage if exc.exit_code == 2 else exc.exit_code)
    except AppealcheckError as exc:
        if _State.verbose:
            traceback.print_exc()
        err.print(f"error: {exc.message}", markup=False, style="bold red")
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, reported as such
        if _State.verbose:
            traceback.print_exc()
        err.print(f"internal error: {type(exc).__name__}: {exc}\n"
                  f"This is a bug in appealcheck {__version__}: rerun with -v and report the output on the "
                  "project's issue tracker", markup=False)
        sys.exit(int(ExitCode.internal))


if __name__ == "__main__":
    main()

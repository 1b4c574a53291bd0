"""Run a batch on this machine: a pebble process pool, one Scanner per worker, a ledger, --resume.

A worker that crashes or runs past the per-appeal timeout is killed and replaced by the pool; that appeal
becomes an `error` record and the run goes on. The core never draws: progress goes to a callback.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from appealcheck import __version__
from appealcheck.api import Scanner, ScanOptions
from appealcheck.batch.discover import AppealInput, discover, input_hash
from appealcheck.batch.ledger import Ledger
from appealcheck.checks import checks_version
from appealcheck.errors import InputError, ResourceMissing, UsageError

# One Scanner per worker process, built by the pool's initializer: OCR models load once per worker.
_WORKER: dict[str, Scanner] = {}


def _init_worker(options: dict[str, Any]) -> None:
    opts = dict(options)
    opts["rules_dirs"] = tuple(Path(p) for p in opts.get("rules_dirs", ()))
    for k in ("cache_dir", "keyring"):
        if opts.get(k):
            opts[k] = Path(opts[k])
    _WORKER["scanner"] = Scanner(ScanOptions(**opts))


def _release_memory() -> None:
    """Hand the heap an appeal freed back to the OS (glibc's malloc_trim).

    OCR's working set is freed after each page but glibc keeps it: without this a worker's RSS grew from 536 to
    801 MB over eight appeals; with it, it stayed at 232-287 MB (peak within an appeal ~1.16 GB either way).
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _scan(path: str) -> dict[str, Any]:
    scanner = _WORKER.get("scanner")
    if scanner is None:  # the in-process engine (workers=0) and tests
        raise RuntimeError("worker not initialised")
    try:
        return scanner.scan(Path(path)).to_json()
    finally:
        _release_memory()


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did."""

    total: int
    scanned: int
    skipped: int
    """Already in the ledger for the same input and versions (--resume)."""
    by_verdict: dict[str, int]
    seconds: float
    interrupted: bool = False
    stop_signal: int | None = None
    """The signal that stopped the run early (SIGINT for Ctrl-C, SIGTERM from `kill` or a scheduler)."""
    records: list[dict[str, Any]] = field(default_factory=list, repr=False)
    clusters: list[Any] = field(default_factory=list)
    """Clusters of linked appeals (batch.links.Cluster), largest first."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as Ctrl-C stops (whole records kept, --resume continues)."""


def _stop_on_sigterm(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def _sigterm_stops():
    """Turn SIGTERM into Terminated while a batch runs (main thread only; the old handler comes back after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    old = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def versions_key(model: str | None = None) -> str:
    """What must match for a recorded result to be reused on --resume: the release, the checks, and the model that
    scored (`ScanOptions.model`; a run resumed with another model scores its appeals again). Read from the model's
    meta.json alone: LightGBM loaded here, before the workers fork, left them hanging in OpenMP."""
    from appealcheck.scoring import placeholder
    from appealcheck.scoring.model import model_name

    name = placeholder.NAME if not model or model == "placeholder" else model_name(model)
    return f"{__version__}|{checks_version()}|{name}"


def _error_record(item: AppealInput, message: str) -> dict[str, Any]:
    return {"schema_version": 1, "appeal_id": Path(item.rel).stem if Path(item.rel).suffix else item.rel,
            "brand": None, "score": None, "verdict": "error", "documents": [], "rule_hits": [], "links": [],
            "explanation": [], "versions": {"appealcheck": __version__}, "error": message}


def run_batch(root: Path, out: Path, options: ScanOptions, workers: int = 2, resume: bool = False,
              timeout: float = 600.0, progress: Callable[[str, int, int, Counter], None] | None = None,
              csv_path: Path | None = None, engine: str = "local", address: str | None = None) -> BatchSummary:
    """Scan every appeal under root into the JSONL ledger `out`, on local processes or a Ray cluster."""
    if engine not in ("local", "ray"):
        raise UsageError(f"unknown engine {engine!r}; use local or ray")
    if not root.is_dir():
        raise InputError(str(root), "is not a folder of appeals")
    items = discover(root)
    key = versions_key(options.model)
    ledger = Ledger(out)
    state = ledger.open(resume)
    done = {}
    for r in state.records:
        inp = r.get("input") or {}
        done[(inp.get("path"), inp.get("hash"), inp.get("versions"))] = r
    todo: list[tuple[AppealInput, str | None]] = []
    counts: Counter = Counter()
    skipped = 0
    for item in items:
        h = input_hash(item.path)
        prior = done.get((item.rel, h, key)) if h else None
        if prior is not None:
            skipped += 1
            counts[prior.get("verdict")] += 1
        else:
            todo.append((item, h))
    total = len(items)
    if progress:
        progress("start", skipped, total, counts)
    # A worker is one process on one core: the pool scales with --workers (1.73x from one to two on two cores),
    # where one worker given every core's OCR threads gains only 1.4x from them (bench/RESULTS.md).
    threads = 1
    opts = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()}
    opts["rules_dirs"] = [str(p) for p in options.rules_dirs]
    opts["ocr_threads"] = options.ocr_threads or threads
    t0 = time.perf_counter()
    records: list[dict[str, Any]] = []
    interrupted = False
    stop_signal = None
    run = _run_ray if engine == "ray" else _run_local
    with ledger, _sigterm_stops():
        try:
            for item, h, rec in run(todo, opts, workers, timeout, address):
                after = input_hash(item.path)
                if after != h and rec.get("verdict") != "error":
                    # What was scanned may be neither the old nor the new content: claim nothing, rescan on resume.
                    rec = _error_record(item, "the appeal changed or disappeared while it was being scanned; rerun "
                                              "with --resume to scan it as it is now")
                    h = None
                rec["input"] = {"root": str(root.resolve()), "path": item.rel, "hash": h, "versions": key}
                ledger.append(rec)
                records.append(rec)
                counts[rec.get("verdict")] += 1
                if progress:
                    progress("done", skipped + len(records), total, counts)
        except KeyboardInterrupt as exc:
            interrupted = True
            stop_signal = int(signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)
    clusters = [] if interrupted else relink(out)
    if csv_path is not None:
        write_csv(out, csv_path)
    return BatchSummary(total=total, scanned=len(records), skipped=skipped, by_verdict=dict(counts),
                        seconds=time.perf_counter() - t0, interrupted=interrupted, stop_signal=stop_signal,
                        records=records,
                        clusters=clusters)


def _run_local(todo, opts, workers, timeout, address):
    """Results in input order from a pebble process pool; a timed-out or crashed worker is replaced."""
    from pebble import ProcessExpired, ProcessPool

    with ProcessPool(max_workers=max(workers, 1), initializer=_init_worker, initargs=(opts,)) as pool:
        futures = [(item, h, pool.schedule(_scan, args=(str(item.path),), timeout=timeout)) for item, h in todo]
        try:
            for item, h, fut in futures:
                try:
                    rec = fut.result()
                except FutureTimeout:
                    rec = _error_record(item, f"timed out after {timeout:.0f} s; the worker was stopped")
                except ProcessExpired as exc:
                    rec = _error_record(item, f"the worker crashed (exit code {exc.exitcode}) while scanning it")
                except Exception as exc:  # noqa: BLE001 - a bug in one appeal must not stop the batch
                    rec = _error_record(item, f"internal error: {type(exc).__name__}: {exc}")
                yield item, h, rec
        except BaseException:
            for _, _, fut in futures:
                fut.cancel()
            pool.stop()
            raise


def _ray_scan(path: str, opts: dict[str, Any]) -> dict[str, Any]:
    """A Ray task: the Scanner is built once per Ray worker process and reused by later tasks there."""
    if "scanner" not in _WORKER:
        _init_worker(opts)
    return _scan(path)


def _run_ray(todo, opts, workers, timeout, address):
    """The same job on a Ray cluster: one task per appeal, results in input order, same records as local."""
    try:
        import ray
    except ImportError:
        raise ResourceMissing("the ray engine needs Ray: pip install -e '.[ray]'") from None
    from ray.exceptions import GetTimeoutError, RayError

    started_here = not ray.is_initialized()
    if started_here:
        kwargs = {"address": address} if address else {"num_cpus": max(workers, 1)}
        ray.init(include_dashboard=False, log_to_driver=False, logging_level="ERROR", **kwargs)
        # ray.init installs its own SIGTERM handler (sys.exit): put ours back so SIGTERM stops as Ctrl-C does.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop_on_sigterm)
    task = ray.remote(num_cpus=1, max_retries=0)(_ray_scan)
    shared = ray.put(opts)
    refs = [(item, h, task.remote(str(item.path), shared)) for item, h in todo]
    try:
        for item, h, ref in refs:
            try:
                rec = ray.get(ref, timeout=timeout)
            except GetTimeoutError:
                ray.cancel(ref, force=True)
                rec = _error_record(item, f"timed out after {timeout:.0f} s; the task was cancelled")
            except RayError as exc:
                rec = _error_record(item, f"the Ray task failed: {type(exc).__name__}: {str(exc)[:300]}")
            yield item, h, rec
    finally:
        for _, _, ref in refs:
            ray.cancel(ref, force=True)
        if started_here:
            ray.shutdown()


def relink(ledger_path: Path) -> list:
    """Link every appeal in the ledger and rewrite it with each record's `links`, one record per appeal (the latest),
    atomically: a crash leaves the old file whole."""
    from appealcheck.batch.ledger import current, read_ledger
    from appealcheck.batch.links import attach, link

    records = current(read_ledger(ledger_path).records)
    clusters = link(records)
    tmp = ledger_path.with_name(ledger_path.name + ".linking")
    try:
        with tmp.open("wb") as fh:
            for r in attach(records, clusters):
                fh.write((json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, ledger_path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(str(ledger_path), f"every result is saved, but the links could not be written "
                                           f"({exc.strerror}); free space and rerun with --resume") from None
    return clusters


CSV_COLUMNS = ("appeal_id", "verdict", "score", "brand", "documents", "findings", "rule_hits", "top_findings",
               "cluster", "error", "path")


def write_csv(ledger_path: Path, csv_path: Path) -> None:
    """A flat CSV of every record in the ledger, one appeal a row."""
    from appealcheck.batch.ledger import current, read_ledger

    rows = current(read_ledger(ledger_path).records)
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in rows:
            findings = [f for d in r.get("documents", []) for f in d.get("findings", [])]
            top = sorted(findings, key=lambda f: ["info", "low", "medium", "high", "critical"].index(f["severity"]),
                         reverse=True)[:3]
            w.writerow([r.get("appeal_id"), r.get("verdict"), r.get("score"), r.get("brand"),
                        len(r.get("documents", [])), len(findings), len(r.get("rule_hits", [])),
                        ";".join(f["id"] for f in top), ";".join(x["cluster"] for x in r.get("links") or []),
                        r.get("error") or "", r.get("input", {}).get("path")])

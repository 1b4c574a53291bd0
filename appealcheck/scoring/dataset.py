"""Training tables: scan a folder of labelled appeals into one feature row per document, cached.

Two label sources:
- the generator's `labels.jsonl` (one line per appeal, with per-document labels, forgery ops, brand,
  template and serial-forger ids): documents are labelled, and the ids give the groups a split keeps apart;
- a platform's own decisions, a CSV or JSONL of (appeal_id, label) next to any folder of appeals: the label
  is the appeal's, and applies to the appeal score (the maximum over its documents).

Scanning is the expensive part (OCR, 2-3 s a page), so each document's feature row is cached in SQLite,
keyed by the document's sha256, checks_version(), FEATURE_VERSION and a hash of everything at appeal level
that can change the row (appeal.yaml, the sibling files, the brand pack, the OCR engine). Retraining after a
change to the model alone reads only the cache.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appealcheck.errors import InputError
from appealcheck.scoring.features import FEATURE_VERSION, document_features, features_fingerprint, stable_json

log = logging.getLogger(__name__)

LABELS = {"genuine": 0, "forged": 1, "0": 0, "1": 1, "clean": 0, "fraud": 1}
"""Accepted label spellings (case-insensitive) and their class."""
MAX_LABEL_ERRORS = 20
"""Problems listed in one error before the rest are summarised."""


GENERATED_IGNORED = ("seller.", "file.size_kb", "file.has_camera", "file.has_dates", "ocr.",
                     "content.document_dates.age_days",
                     "file.forensics.modified_after_days", "file.forensics.jpeg_q0_mean", "file.forensics.pdf_fonts",
                     "file.forensics.pdf_text_pages", "file.forensics.pdf_form_fields", "file.forensics.pdf_signatures",
                     "pixel.forensics.noise_level", "pixel.forensics.jpeg_grid_strength",
                     "pixel.forensics.jpeg_grid_offset", "pixel.forensics.jpeg_history_quality",
                     "pixel.forensics.copy_move_pairs", "pixel.forensics.copy_move_corr")
"""Features a model trained on a generated corpus leaves out (`ForgeryModel(ignore=...)`): none is evidence of an
edit, and the generator draws them independently of the label, so all a model can learn from them is the
generator's quirks. The seller's account signals are drawn at random (samples/compose.py); a file's size, its
camera and date tags, the OCR's line count and confidence and a document's age come from the simulated capture
and dates, which real documents do not share. Learnt, they sent the 26 genuine real receipts (years old,
photographed, Photoshop in their metadata) to `suspicious`: 1 to 9 of 26 clean under models trained on seed 907
with and without a brand, 24 to 26 without them, at the same held-out recall (bench/RESULTS.md, session 25).
The forensic measurements that describe the capture rather than grade an edit are left out for the same reason:
the JPEG quality, history and grid, the noise level, a PDF's fonts, text pages, forms and signatures, the file's
date gap, and how many repeats a page has and how alike they are (a screenshot repeats its print exactly, a
receipt its lines). Learnt, the quality of the last JPEG save was the fourth most used feature of a model
trained on seed 907 (session 29): the generator saves an edited document again at a quality of its own, which
real forgers need not."""


@dataclass(frozen=True)
class DocLabel:
    """Ground truth for one document, from the generator's labels.jsonl."""

    label: int
    """1 forged, 0 genuine."""
    ops: tuple[str, ...] = ()
    """Forgery operations applied (empty for genuine documents)."""
    template_id: str | None = None
    capture: str | None = None
    """Capture style (scan, photo, screenshot, pdf_export...)."""


@dataclass(frozen=True)
class AppealLabel:
    """Ground truth for one appeal."""

    label: int
    """1 when the appeal contains a forged document."""
    brand: str | None = None
    serial_forger_id: str | None = None
    """The same forger behind several appeals (generator only): never on both sides of a split."""
    documents: dict[str, DocLabel] = field(default_factory=dict)
    """Per-file labels when known (generator); empty for platform (appeal-level) labels."""


@dataclass(frozen=True)
class Labels:
    """Labels for a set of appeals."""

    appeals: dict[str, AppealLabel]
    level: str
    """'document' (generator labels.jsonl) or 'appeal' (a platform's decisions)."""
    source: str
    """The file they came from."""


@dataclass(frozen=True)
class DocRow:
    """One document's model inputs and what is known about it."""

    appeal_id: str
    file: str
    sha256: str | None
    kind: str | None
    features: dict[str, float | None]
    label: int | None
    """Document label (None with appeal-level labels)."""
    appeal_label: int
    brand: str | None
    template_id: str | None = None
    serial_forger_id: str | None = None
    ops: tuple[str, ...] = ()
    capture: str | None = None
    finding_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A scanned, labelled corpus."""

    rows: tuple[DocRow, ...]
    labels: Labels
    scanned: int
    """Appeals scanned now (not from the cache)."""
    cached: int
    """Appeals read from the feature cache."""
    seconds: float
    """Wall time of building the table."""
    failed: tuple[str, ...] = ()
    """Appeals that could not be scanned (verdict error): left out, with the reason."""

    def appeal_ids(self) -> list[str]:
        """Appeal ids in row order, each once."""
        return list(dict.fromkeys(r.appeal_id for r in self.rows))


# ---------------------------------------------------------------------------------------------- labels


def _label(value: Any) -> int | None:
    return LABELS.get(str(value).strip().lower()) if value is not None else None


def read_labels(path: Path, known_ids: Iterable[str] | None = None) -> Labels:
    """Read labels: the generator's labels.jsonl, or a platform's CSV/JSONL of (appeal_id, label).

    Every problem is collected first, then one InputError (exit 4) names the lines: unparseable lines,
    missing ids, labels other than genuine/forged, ids that appear twice with different labels, and (when
    `known_ids` is given) ids with no appeal folder.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the labels file ({exc})") from None
    problems: list[str] = []
    records: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        cols = {c.strip().lower(): c for c in (reader.fieldnames or [])}
        if "appeal_id" not in cols or "label" not in cols:
            raise InputError(str(path), "line 1: the header must name the columns appeal_id and label")
        for i, rec in enumerate(reader, start=2):
            records.append((i, {"appeal_id": (rec.get(cols["appeal_id"]) or "").strip(),
                                "label": (rec.get(cols["label"]) or "").strip()}))
    else:
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {i}: not JSON ({exc.msg})")
                continue
            if not isinstance(rec, dict):
                problems.append(f"line {i}: expected an object with appeal_id and label")
                continue
            records.append((i, rec))
    known = set(known_ids) if known_ids is not None else None
    appeals: dict[str, AppealLabel] = {}
    first_line: dict[str, int] = {}
    document_level = bool(records) and all(isinstance(r.get("documents"), list) for _, r in records)
    for i, rec in records:
        aid = str(rec.get("appeal_id") or "").strip()
        lab = _label(rec.get("label"))
        if not aid:
            problems.append(f"line {i}: no appeal_id")
            continue
        if lab is None:
            problems.append(f"line {i}: label {rec.get('label')!r} for {aid} is not genuine or forged")
            continue
        if known is not None and aid not in known:
            problems.append(f"line {i}: unknown appeal id {aid!r} (no such folder under the appeals directory)")
            continue
        docs: dict[str, DocLabel] = {}
        if document_level:
            for d in rec["documents"]:
                dl = _label(d.get("label"))
                if dl is None or not d.get("file"):
                    problems.append(f"line {i}: document {d.get('file')!r} has label {d.get('label')!r}")
                    continue
                cap = d.get("capture")
                docs[d["file"]] = DocLabel(label=dl, ops=tuple(d.get("ops") or ()), template_id=d.get("template_id"),
                                           capture=cap.get("style") if isinstance(cap, dict) else cap)
        if aid in appeals:
            if appeals[aid].label != lab:
                problems.append(f"line {i}: {aid} was already labelled differently on line {first_line[aid]}")
            continue
        first_line[aid] = i
        sf = rec.get("serial_forger_id")
        appeals[aid] = AppealLabel(label=lab, brand=rec.get("brand"), serial_forger_id=str(sf) if sf else None,
                                   documents=docs)
    if not records and not problems:
        problems.append("line 1: no labels in the file")
    if problems:
        more = f"; and {len(problems) - MAX_LABEL_ERRORS} more" if len(problems) > MAX_LABEL_ERRORS else ""
        raise InputError(str(path), "; ".join(problems[:MAX_LABEL_ERRORS]) + more
                         + " (each line needs an appeal_id of a folder under the appeals directory and a label "
                           "genuine or forged)")
    return Labels(appeals=appeals, level="document" if document_level else "appeal", source=str(path))


# ---------------------------------------------------------------------------------------------- cache


class FeatureCache:
    """Document feature rows in SQLite. Keys make stale rows unreachable, so nothing is ever invalidated."""

    def __init__(self, directory: Path | None = None):
        from appealcheck.ocr.cache import default_cache_dir

        self.path = (directory or default_cache_dir()) / "features-v1.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS docs (sha256 TEXT, checks TEXT, fversion INTEGER, "
                         "context TEXT, idx INTEGER, payload TEXT NOT NULL, "
                         "PRIMARY KEY (sha256, checks, fversion, context, idx))")
        # One row per fully scanned appeal, so a partly written appeal is never mistaken for a complete one.
        self._db.execute("CREATE TABLE IF NOT EXISTS appeals (context TEXT, checks TEXT, fversion INTEGER, "
                         "docs INTEGER, PRIMARY KEY (context, checks, fversion))")
        self._db.commit()

    def get(self, context: str, checks: str) -> list[dict[str, Any]] | None:
        """The document payloads of an appeal scanned with these inputs, or None."""
        row = self._db.execute("SELECT docs FROM appeals WHERE context=? AND checks=? AND fversion=?",
                               (context, checks, FEATURE_VERSION)).fetchone()
        if row is None:
            return None
        got = self._db.execute("SELECT payload FROM docs WHERE context=? AND checks=? AND fversion=? ORDER BY idx",
                               (context, checks, FEATURE_VERSION)).fetchall()
        return [json.loads(p) for (p,) in got] if len(got) == row[0] else None

    def put(self, context: str, checks: str, payloads: list[dict[str, Any]]) -> None:
        """Store an appeal's document payloads."""
        with self._db:
            for i, p in enumerate(payloads):
                self._db.execute("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?)",
                                 (p.get("sha256") or "", checks, FEATURE_VERSION, context, i, stable_json(p)))
            self._db.execute("INSERT OR REPLACE INTO appeals VALUES (?,?,?,?)",
                             (context, checks, FEATURE_VERSION, len(payloads)))

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pack_fingerprint(brand: str | None, rules_dirs: tuple[Path, ...]) -> str:
    """Hash of the brand pack's files: a changed pack (rules, entities, known forgeries) changes the rows."""
    if not brand:
        return "none"
    from appealcheck.rules import find_pack

    try:
        folder = find_pack(brand, list(rules_dirs))
    except Exception:  # noqa: BLE001 - a missing pack shows up as a scan error, not here
        return "missing"
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            h.update(str(p.relative_to(folder)).encode() + b"\0" + _sha(p.read_bytes()).encode())
    return h.hexdigest()


def appeal_context(appeal_dir: Path, rules_dirs: tuple[Path, ...], ocr: str, pack_fps: dict[str, str]) -> str:
    """Hash of every appeal-level input of the feature rows (the cache key's context part)."""
    from appealcheck.safeyaml import load_yaml_file

    h = hashlib.sha256()
    brand = None
    manifest = appeal_dir / "appeal.yaml"
    for p in sorted(appeal_dir.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(appeal_dir)).encode() + b"\0" + _sha(p.read_bytes()).encode())
    if manifest.is_file():
        try:
            brand = (load_yaml_file(manifest) or {}).get("brand")
        except Exception:  # noqa: BLE001 - a bad manifest becomes a scan error later
            brand = None
    if brand not in pack_fps:
        pack_fps[brand] = _pack_fingerprint(brand, rules_dirs)
    h.update(f"\0pack={pack_fps[brand]}\0ocr={ocr}\0features={features_fingerprint()}".encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------- scanning

_worker_scanner = None  # one Scanner per worker process, built by _init_worker (models load once per process)


def _make_scanner(rules_dirs: tuple[Path, ...], ocr: str, cache_dir: Path | None, threads: int | None):
    from appealcheck.api import Scanner, ScanOptions

    # Two workers each using every core would oversubscribe the CPU: each gets its share of threads.
    return Scanner(ScanOptions(rules_dirs=rules_dirs, ocr=ocr, cache_dir=cache_dir, ocr_threads=threads))


def _init_worker(rules_dirs: tuple[Path, ...], ocr: str, cache_dir: Path | None, threads: int | None) -> None:
    global _worker_scanner
    _worker_scanner = _make_scanner(rules_dirs, ocr, cache_dir, threads)


def scan_payloads(scanner, appeal_dir: Path) -> tuple[list[dict[str, Any]], str | None]:
    """Scan one appeal; return each document's cacheable payload (features and facts), or the error."""
    from appealcheck.scoring.features import appeal_dict

    # _run, not scan: the features need the ingested Appeal (seller signals), which scan() does not return.
    appeal, _pack, result = scanner.scan_detailed(Path(appeal_dir), None)
    if result.verdict == "error" or appeal is None:
        return [], result.error or "unreadable"
    adict = appeal_dict(appeal)
    hits = [dict(h) for h in result.rule_hits]
    out = []
    for d in result.documents:
        out.append({"file": d.file, "sha256": d.sha256, "kind": d.kind,
                    "features": document_features(d, adict, hits if hits else None),
                    "finding_ids": [f.id for f in d.findings]})
    return out, None


def _scan_job(appeal_dir: str) -> tuple[str, list[dict[str, Any]], str | None, float]:
    t0 = time.perf_counter()
    payloads, error = scan_payloads(_worker_scanner, Path(appeal_dir))
    return appeal_dir, payloads, error, time.perf_counter() - t0


def build_table(appeals_dir: Path, labels: Labels, rules_dirs: tuple[Path, ...] = (), workers: int = 2,
                ocr: str = "rapidocr", cache_dir: Path | None = None, use_cache: bool = True,
                progress: Callable[[int, int], None] | None = None) -> Table:
    """Scan every labelled appeal under `appeals_dir` (cache first) into a Table.

    `workers` processes each hold one Scanner; with more than one, each OCR engine gets
    cores // workers threads so the machine is not oversubscribed.
    """
    import os

    from appealcheck.checks import checks_version

    t0 = time.perf_counter()
    appeals_dir = Path(appeals_dir)
    rules_dirs = tuple(Path(r) for r in rules_dirs)
    checks = checks_version()
    cache = FeatureCache(cache_dir) if use_cache else None
    pack_fps: dict[str, str] = {}
    ids = sorted(labels.appeals)
    contexts = {aid: appeal_context(appeals_dir / aid, rules_dirs, ocr, pack_fps) for aid in ids}
    payloads: dict[str, list[dict[str, Any]]] = {}
    for aid in ids:
        got = cache.get(contexts[aid], checks) if cache else None
        if got is not None:
            payloads[aid] = got
    todo = [aid for aid in ids if aid not in payloads]
    cached = len(payloads)
    failed: list[str] = []
    done = cached
    if progress:
        progress(done, len(ids))

    def _collect(aid: str, pl: list[dict[str, Any]], error: str | None) -> None:
        nonlocal done
        done += 1
        if error:
            failed.append(f"{aid}: {error}")
        else:
            payloads[aid] = pl
            if cache:
                cache.put(contexts[aid], checks, pl)
        if progress:
            progress(done, len(ids))

    if todo:
        threads = max(1, (os.cpu_count() or 2) // max(1, workers))
        if workers <= 1:
            scanner = _make_scanner(rules_dirs, ocr, cache_dir, None)
            for aid in todo:
                pl, error = scan_payloads(scanner, appeals_dir / aid)
                _collect(aid, pl, error)
        else:
            with ProcessPoolExecutor(workers, initializer=_init_worker,
                                     initargs=(rules_dirs, ocr, cache_dir, threads)) as pool:
                by_dir = {str(appeals_dir / aid): aid for aid in todo}
                for appeal_dir, pl, error, _secs in pool.map(_scan_job, list(by_dir), chunksize=1):
                    _collect(by_dir[appeal_dir], pl, error)
    if cache:
        cache.close()
    rows: list[DocRow] = []
    for aid in ids:
        if aid not in payloads:
            continue
        al = labels.appeals[aid]
        for p in payloads[aid]:
            dl = al.documents.get(p["file"])
            rows.append(DocRow(
                appeal_id=aid, file=p["file"], sha256=p.get("sha256"), kind=p.get("kind"), features=p["features"],
                label=dl.label if dl else None, appeal_label=al.label, brand=al.brand,
                template_id=dl.template_id if dl else None, serial_forger_id=al.serial_forger_id,
                ops=dl.ops if dl else (), capture=dl.capture if dl else None,
                finding_ids=tuple(p.get("finding_ids") or ())))
    return Table(rows=tuple(rows), labels=labels, scanned=len(todo), cached=cached,
                 seconds=time.perf_counter() - t0, failed=tuple(failed))


def load_corpus(corpus: Path, labels_path: Path | None = None, **kwargs: Any) -> Table:
    """A Table from a corpus folder: CORPUS/appeals (or CORPUS itself) with CORPUS/labels.jsonl or `labels_path`.

    Brand packs under CORPUS/rules are searched first, so a generated corpus resolves its own brands.
    """
    corpus = Path(corpus)
    appeals_dir = corpus / "appeals" if (corpus / "appeals").is_dir() else corpus
    if not appeals_dir.is_dir():
        raise InputError(str(corpus), "is not a folder of appeals")
    labels_path = Path(labels_path) if labels_path else corpus / "labels.jsonl"
    if not labels_path.is_file():
        raise InputError(str(labels_path), "no labels file; pass --labels FILE (CSV or JSONL of appeal_id,label)")
    known = [p.name for p in appeals_dir.iterdir() if p.is_dir()]
    labels = read_labels(labels_path, known)
    rules = tuple(kwargs.pop("rules_dirs", ()))
    if (corpus / "rules").is_dir():
        rules = (corpus / "rules", *rules)
    return build_table(appeals_dir, labels, rules_dirs=rules, **kwargs)


def generated_corpus(appeals: int, seed: int, cache_dir: Path | None = None, workers: int = 2) -> Path:
    """The generator's corpus for (appeals, seed), written once under the cache dir and reused.

    The same seed gives the same bytes, so the folder is a cache of `appealcheck samples generate`, named with
    a fingerprint of the generator's code (a changed generator writes a new folder); a run that died half way
    (no complete marker) is regenerated.
    """
    from appealcheck.fingerprint import source_fingerprint
    from appealcheck.ocr.cache import default_cache_dir
    from appealcheck.samples import generate

    gen = source_fingerprint(lambda rel: rel.parts[0] == "samples")[:8]
    out = (cache_dir or default_cache_dir()) / "corpus" / f"seed{seed}-n{appeals}-g{gen}"
    done = out / ".complete"
    if not done.is_file():
        generate(out, appeals=appeals, seed=seed, workers=workers)
        done.write_text("ok\n", encoding="utf-8")
    return out

"""Library entry points: scan an appeal, or read its facts. The CLI is a thin layer over these."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from appealcheck import __version__
from appealcheck.checks import DocContext, default_checks
from appealcheck.checks.parties import appeal_findings
from appealcheck.checks.template import TemplateCheck
from appealcheck.errors import AppealcheckError, ExitCode, InputError, ResourceMissing, UsageError
from appealcheck.extract.classify import classify
from appealcheck.extract.fields import extract_fields
from appealcheck.ingest import load_appeal
from appealcheck.models import Appeal, AppealResult, Document, DocumentResult, Finding, file_meta
from appealcheck.ocr import OcrCache, PageReader, make_engine
from appealcheck.rules import BrandPack, find_pack, load_pack
from appealcheck.rules.engine import RuleSet, load_rules
from appealcheck.rules.signing import verify_pack
from appealcheck.scoring import placeholder
from appealcheck.scoring.features import appeal_dict
from appealcheck.scoring.model import (
    ForgeryModel,
    apply_evidence_ceiling,
    apply_rule_floor,
    load_default_model,
    score_with_model,
)
from appealcheck.seals import seal_facts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanOptions:
    """How to scan."""

    brand: str | None = None
    """Brand pack id; overrides appeal.yaml."""
    rules_dirs: tuple[Path, ...] = ()
    """Extra folders to look for brand packs in."""
    ocr: str = "rapidocr"
    """OCR engine: rapidocr | paddle | none."""
    paddle_det_dir: str | None = None
    paddle_rec_dir: str | None = None
    ocr_threads: int | None = None
    """CPU threads for the OCR engine (None: the engine's default, all cores). Batch workers share the cores."""
    cache: bool = True
    """Use the on-disk OCR cache."""
    cache_dir: Path | None = None
    require_signed: bool = False
    """Refuse brand packs whose SIGNATURE does not verify against a key in `keyring`."""
    keyring: Path | None = None
    model: str | None = None
    """'shipped' (the model in the package), a trained model folder, or None / 'placeholder' for the severity score.
    The command line passes 'shipped' unless told otherwise; None here keeps library callers (and the checks'
    tests) on the score that follows their findings alone."""
    today: dt.date | None = None
    """Default submitted_at when appeal.yaml gives none."""
    extra: dict[str, Any] = field(default_factory=dict)


class Scanner:
    """Holds the OCR engine and checks, loaded once and reused across appeals (one per worker)."""

    def __init__(self, options: ScanOptions | None = None):
        self.options = options or ScanOptions()
        o = self.options
        self.engine = make_engine(o.ocr, o.paddle_det_dir, o.paddle_rec_dir, threads=o.ocr_threads)
        self.reader = PageReader(self.engine, OcrCache(o.cache_dir) if o.cache else None)
        self.checks = default_checks()
        # Loaded once per scanner (one per worker). A shipped model that is damaged raises ResourceMissing (exit 5).
        self.model = _load_model(o.model)
        self._packs: dict[str, BrandPack] = {}
        self._rules: dict[str, RuleSet] = {}

    def pack(self, brand: str | None) -> BrandPack | None:
        """The brand pack by id, with its rules compiled (both cached); None when no brand is named."""
        if not brand:
            return None
        if brand not in self._packs:
            folder = find_pack(brand, list(self.options.rules_dirs))
            if self.options.require_signed:
                if self.options.keyring is None:
                    raise UsageError("--require-signed needs --keyring DIR holding the trusted brands' public keys")
                verify_pack(folder, self.options.keyring)
            pack = load_pack(folder)
            self._rules[brand] = load_rules(folder)
            self._packs[brand] = pack
        return self._packs[brand]

    def rule_hits(self, appeal: Appeal, pack: BrandPack | None, doc: DocumentResult) -> list[dict[str, Any]]:
        """The pack's rules that fire on one document, each with the box of the field it names."""
        if pack is None or doc.error:
            return []
        facts = {"doc": document_facts(doc)["doc"], "appeal": appeal_facts(appeal), "brand": brand_facts(pack)}
        hits = []
        for h in self._rules[pack.id].evaluate(facts, doc.kind):
            f = doc.fields.get(h.field) if h.field else None
            hits.append({"rule_id": h.rule_id, "file": doc.file, "severity": h.severity, "title": h.title,
                         "message": h.message, "field": h.field, "page": f.page if f else None,
                         "box": list(f.box) if f and f.box else None})
        return hits

    def versions(self, pack: BrandPack | None) -> dict[str, Any]:
        """Versions that produced a result: enough to tell whether a rerun would differ."""
        return {"appealcheck": __version__, "ocr": self.engine.key,
                "model": self.model.name if self.model is not None else placeholder.NAME,
                "packs": {pack.id: pack.version} if pack else {}}

    def analyse_document(self, appeal: Appeal, doc: Document, pack: BrandPack | None) -> DocumentResult:
        """OCR, classify, extract and check one document."""
        ocr = tuple(self.reader.read_page(p) for p in doc.pages)
        text = "\f".join(p.text for p in ocr)
        first = doc.pages[0]
        if doc.kind_hint:
            kind, source = doc.kind_hint, "manifest"
        else:
            kind, source = classify(text, first.width, first.height).kind, "classifier"
        fields = extract_fields(kind, ocr)
        ctx = DocContext(appeal=appeal, document=doc, kind=kind, fields=fields, ocr=ocr, brand=pack, reader=self.reader)
        findings: list[Finding] = []
        features: dict[str, float | None] = {}
        for check in self.checks:
            if check.applies_to and kind not in check.applies_to:
                continue
            try:
                found, measured = check.run(ctx), check.measure(ctx)
            except AppealcheckError:
                raise  # a bad brand pack or a missing resource stops the appeal with its own exit code
            except Exception as exc:  # noqa: BLE001 - one check's bug must not lose the others' evidence
                found, measured = [_check_failed(check, doc, exc)], {}
            findings.extend(found)
            features.update(measured)
        failed = {f.check for f in findings if f.id == "check.failed"}
        template = next((c.facts(ctx) for c in self.checks if isinstance(c, TemplateCheck) and c.id not in failed),
                        None)
        seals = () if "seal" in failed else tuple(seal_facts(ctx))
        return DocumentResult(file=doc.file, sha256=doc.info.sha256, kind=kind, kind_source=source,
                              pages=len(doc.pages), fields=fields, findings=tuple(findings), text=text,
                              ocr=ocr, info=doc.info, score=placeholder.document_score(findings),
                              features=features, seals=seals, template=template)

    def scan(self, path: Path | str, brand: str | None = None) -> AppealResult:
        """Scan one appeal. Input problems come back as a result with verdict 'error', not as exceptions."""
        return self.scan_detailed(Path(path), brand)[2]

    def scan_detailed(self, path: Path, brand: str | None = None
                      ) -> tuple[Appeal | None, BrandPack | None, AppealResult]:
        """Scan one appeal and also return the ingested appeal and its brand pack (None when not reached)."""
        o = self.options
        try:
            appeal = load_appeal(path, brand=brand or o.brand, today=o.today)
        except InputError as exc:
            return None, None, error_result(path, exc.message, ExitCode.invalid_input, self.versions(None))
        try:
            pack = self.pack(appeal.brand)
        except AppealcheckError as exc:
            return appeal, None, error_result(path, exc.message, exc.exit_code, self.versions(None), appeal)
        docs = [self.analyse_document(appeal, d, pack) for d in appeal.documents]
        docs = with_appeal_findings(appeal, docs)
        hits = [h for d in docs for h in self.rule_hits(appeal, pack, d)]
        docs = [_with_rule_score(d, [h for h in hits if h["file"] == d.file]) for d in docs]
        docs += [DocumentResult(file=f.file, sha256=f.sha256, kind=None, kind_source=None, pages=0, fields={},
                                findings=(), text="", error=f.problem) for f in appeal.failures]
        versions = self.versions(pack)
        if appeal.failures:
            msg = "; ".join(f"{f.file}: {f.problem}" for f in appeal.failures)
            return appeal, pack, AppealResult(
                appeal_id=appeal.appeal_id, brand=appeal.brand, score=None, verdict="error",
                documents=tuple(docs), rule_hits=tuple(hits), versions=versions, error=msg,
                exit_code=int(ExitCode.invalid_input))
        th = pack.policy.thresholds if pack and pack.policy.thresholds else None
        explanation: list[dict[str, Any]] = []
        if self.model is not None:
            score, doc_scores, explanation, _ = score_with_model(self.model, docs, appeal_dict(appeal), hits)
            docs = [replace(d, score=s) for d, s in zip(docs, doc_scores, strict=True)]
            verdict = self.model.verdict(score, th)
            verdict = apply_evidence_ceiling(verdict, [f.severity for d in docs for f in d.findings],
                                             [h.get("severity") for h in hits])
        else:
            score = max((d.score for d in docs if d.score is not None), default=placeholder.BASELINE)
            verdict = placeholder.verdict(score, *(th.suspicious, th.forged) if th else ())
        # A critical rule hit makes an appeal at least suspicious, whatever the score says.
        verdict = apply_rule_floor(verdict, hits)
        return appeal, pack, AppealResult(
            appeal_id=appeal.appeal_id, brand=appeal.brand, score=None if score is None else round(score, 4),
            verdict=verdict, documents=tuple(docs), rule_hits=tuple(hits), explanation=tuple(explanation),
            versions=versions, seller=_seller(appeal),
            exit_code=int(ExitCode.ok if verdict == "clean" else ExitCode.flagged))

    def facts(self, path: Path | str, brand: str | None = None) -> dict[str, Any]:
        """The facts of DESIGN.md section 4 for every document: what rules and reports see.

        Raises the error of an appeal that cannot be read at all (facts have nothing to show then).
        """
        appeal, pack, result = self.scan_detailed(Path(path), brand)
        if appeal is None or (result.verdict == "error" and not result.documents):
            code = result.exit_code
            exc = AppealcheckError(result.error or "unreadable")
            exc.exit_code = ExitCode(code)
            raise exc
        return {
            "appeal": appeal_facts(appeal),
            "brand": brand_facts(pack) if pack else None,
            "documents": [document_facts(d) for d in result.documents],
        }


def _check_failed(check, doc: Document, exc: Exception) -> Finding:
    """An info finding saying one check could not run on a document (its findings and measurements are missing,
    which the model reads as 'not measured'); the other checks' evidence stands."""
    page = doc.pages[0]
    log.warning("check %s failed on %s: %s: %s", check.id, doc.file, type(exc).__name__, exc)
    return Finding(id="check.failed", severity="info", check=check.id, page=0, box=(0, 0, page.width, page.height),
                   message=f"Not checked: the {check.id} check failed on this document ({type(exc).__name__}: "
                           f"{str(exc)[:200]}); please report it with the file",
                   measured=check.id, expected=None)


def _load_model(choice: str | None) -> ForgeryModel | None:
    if not choice or choice == "placeholder":
        return None
    if choice == "shipped":
        model = load_default_model()
        if model is None:
            raise ResourceMissing("this install has no shipped model (appealcheck/data/model); train one with "
                                  "'appealcheck train' and pass --model DIR")
        return model
    return ForgeryModel.load(Path(choice))


def _seller(appeal: Appeal) -> dict[str, Any]:
    s = appeal.seller
    return {"name": s.name, "shop": s.shop, "uscc": s.uscc}


def appeal_facts(appeal: Appeal) -> dict[str, Any]:
    """`appeal.*` facts."""
    s = appeal.seller
    return {"id": appeal.appeal_id, "submitted_at": appeal.submitted_at,
            "seller": {"name": s.name, "shop": s.shop, "uscc": s.uscc, "account": dict(s.account)}}


def brand_facts(pack: BrandPack) -> dict[str, Any]:
    """`brand.*` facts."""
    return {"id": pack.id, "name": pack.name, "names": list(pack.names),
            "entities": [e.model_dump(mode="json") for e in pack.entities],
            "distributors": [d.model_dump(mode="json") for d in pack.distributors],
            "trademarks": [t.model_dump(mode="json") for t in pack.trademarks],
            "stores": [s.model_dump(mode="json") for s in pack.stores],
            "policy": pack.policy.model_dump(mode="json")}


def with_appeal_findings(appeal: Appeal, docs: list[DocumentResult]) -> list[DocumentResult]:
    """Add the findings that need two documents of one appeal: an invoice dated before the seller's letter, a
    distributor's letter that does not fit the brand's letter to that distributor."""
    extra = appeal_findings(appeal.seller.name, docs, appeal.seller.uscc)
    out = []
    for d in docs:
        # What the document's own checks already said (a grant beyond the distributor's registered period) is not
        # said again.
        said = {f.id for f in d.findings}
        new = tuple(f for f in extra.get(d.file, ()) if f.id not in said)
        if new:
            found = d.findings + new
            d = replace(d, findings=found, score=placeholder.document_score(found))
        out.append(d)
    return out


def _with_rule_score(d: DocumentResult, hits: list[dict[str, Any]]) -> DocumentResult:
    """The placeholder score counts rule hits like findings of the same severity."""
    if not hits or d.score is None:
        return d
    score = max([d.score] + [placeholder.severity_score(h["severity"]) for h in hits])
    return replace(d, score=score)


def document_facts(d: DocumentResult) -> dict[str, Any]:
    """`doc.*` facts of one document."""
    info = d.info
    return {"doc": {
        "kind": d.kind,
        "file": {"name": d.file, "sha256": d.sha256, "format": info.format if info else None,
                 "size_bytes": info.size_bytes if info else None, "pages": d.pages,
                 "producer": info.producer if info else None, "creator": info.creator if info else None,
                 "software": info.software if info else None, "created": info.created if info else None,
                 "modified": info.modified if info else None, "camera": info.camera if info else None,
                 "ids": (file_meta(info) or {}).get("ids", {})},
        "text": d.text,
        "fields": {k: f.value for k, f in d.fields.items()},
        "seals": list(d.seals),
        "template": d.template,
        "forensics": {},
        "error": d.error,
    }}


def error_result(path: Path, message: str, code: int, versions: dict[str, Any],
                 appeal: Appeal | None = None) -> AppealResult:
    """A result that claims nothing but the error."""
    appeal_id = appeal.appeal_id if appeal else (path.stem if path.suffix else path.name)
    return AppealResult(appeal_id=appeal_id, brand=appeal.brand if appeal else None, score=None,
                        verdict="error", documents=(), versions=versions, error=message, exit_code=int(code))


def scan(path: Path | str, options: ScanOptions | None = None) -> AppealResult:
    """Scan one appeal with a fresh Scanner (use Scanner directly to scan many)."""
    return Scanner(options).scan(path)

"""Run a pack's own tests (tests/expected.yaml): which rules must fire and must not fire on each case.

A case is `tests/<case>.facts.json` (the output of `appealcheck facts`: fast, no OCR) or an appeal
folder `tests/<case>/` (scanned with real OCR, about 2 s a page; `save_facts` keeps the facts beside
it so the next run is fast).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from appealcheck.errors import AppealcheckError, PackError
from appealcheck.rules.engine import RuleSet, load_rules
from appealcheck.rules.pack import BrandPack, load_pack
from appealcheck.rules.yamlpos import Located, load_located

MAX_FACTS_BYTES = 20_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseSpec(_Strict):
    """What must happen on one case."""

    fires: list[str] = Field(default_factory=list)
    not_fires: list[str] = Field(default_factory=list)
    description: str | None = None


class ExpectedFile(_Strict):
    """tests/expected.yaml."""

    schema_version: Literal[1]
    cases: dict[str, CaseSpec] = Field(default_factory=dict)


_CASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case."""

    case: str
    fired: tuple[str, ...]
    missing: tuple[str, ...] = ()
    """Rules that should have fired and did not."""
    unexpected: tuple[str, ...] = ()
    """Rules that fired and must not."""
    error: str | None = None
    """Why the case could not run (then it fails)."""
    rule_errors: tuple[str, ...] = ()
    """Rules that failed to evaluate on a document of the case ('file: rule: reason')."""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """No missing, no unexpected, no error."""
        return not (self.missing or self.unexpected or self.error)


@dataclass(frozen=True)
class Expected:
    """The parsed expected.yaml, with where each case is written."""

    cases: dict[str, CaseSpec]
    located: Located | None = field(default=None, repr=False)


def load_expected(folder: Path, rule_ids: set[str] | None = None) -> Expected:
    """Read tests/expected.yaml (absent: no cases); PackError lists every problem with file:line."""
    path = Path(folder) / "tests" / "expected.yaml"
    if not path.exists():
        return Expected({})
    located = load_located(path)
    try:
        exp = ExpectedFile.model_validate(located.data)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            msg = "unknown key; cases have fires, not_fires, description" if err["type"] == "extra_forbidden" \
                else err["msg"]
            msgs.append(f"{located.where(err['loc'])}: '{'.'.join(map(str, err['loc']))}': {msg}")
        raise PackError("\n".join(msgs)) from None
    problems = []
    for name, spec in exp.cases.items():
        if not _CASE_NAME.match(name):
            problems.append(f"{located.where(('cases', name))}: case name '{name}' must be letters, digits, . _ -")
        for key in ("fires", "not_fires"):
            for i, rid in enumerate(getattr(spec, key)):
                if rule_ids is not None and rid not in rule_ids:
                    problems.append(f"{located.where(('cases', name, key, i))}: no rule '{rid}' in rules.yaml")
    if problems:
        raise PackError("\n".join(problems))
    return Expected(dict(exp.cases), located)


def brand_facts(pack: BrandPack) -> dict[str, Any]:
    """`brand.*` facts of a pack, as appealcheck.api.Scanner.facts builds them."""
    return {"id": pack.id, "name": pack.name, "names": list(pack.names),
            "entities": [e.model_dump(mode="json") for e in pack.entities],
            "distributors": [d.model_dump(mode="json") for d in pack.distributors],
            "policy": pack.policy.model_dump(mode="json")}


def case_path(folder: Path, case: str) -> Path | None:
    """The facts file or appeal folder of a case, or None."""
    tests = Path(folder) / "tests"
    for p in (tests / f"{case}.facts.json", tests / case):
        if p.exists() and not p.is_symlink():
            return p
    return None


def read_facts(path: Path) -> dict[str, Any]:
    """A facts JSON file (appealcheck facts output), size-capped."""
    if path.stat().st_size > MAX_FACTS_BYTES:
        raise PackError(f"{path}: larger than {MAX_FACTS_BYTES // 1_000_000} MB")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: not a facts JSON file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise PackError(f"{path}: must be the output of 'appealcheck facts' (an object with 'documents')")
    return data


def _scan_facts(folder: Path, pack: BrandPack, case_dir: Path, ocr: str) -> dict[str, Any]:
    from appealcheck.api import Scanner, ScanOptions

    scanner = Scanner(ScanOptions(brand=pack.id, rules_dirs=(Path(folder).resolve().parent,), ocr=ocr))
    return scanner.facts(case_dir, brand=pack.id)


def run_case(rules: RuleSet, facts: dict[str, Any], brand: dict[str, Any]) -> tuple[set[str], list[str]]:
    """Rule ids fired on any document of an appeal's facts, and rule errors ('file: rule: reason')."""
    fired: set[str] = set()
    errors: list[str] = []
    for d in facts.get("documents", []):
        doc = d.get("doc") if isinstance(d, dict) else None
        if not isinstance(doc, dict):
            continue
        hits = rules.evaluate({"doc": doc, "appeal": facts.get("appeal") or {}, "brand": brand}, doc.get("kind"))
        fired |= {h.rule_id for h in hits}
        name = (doc.get("file") or {}).get("name", "?") if isinstance(doc.get("file"), dict) else "?"
        errors += [f"{name}: {e.rule_id}: {e.problem}" for e in rules.errors_for_last_eval]
    return fired, errors


def run_tests(folder: Path, ocr: str = "rapidocr", save_facts: bool = False,
              only: list[str] | None = None) -> list[CaseResult]:
    """Run every case of tests/expected.yaml (or those named in `only`)."""
    folder = Path(folder)
    pack = load_pack(folder)
    rules = load_rules(folder)
    expected = load_expected(folder, {r.spec.id for r in rules.rules})
    brand = brand_facts(pack)
    results = []
    for case, spec in expected.cases.items():
        if only and case not in only:
            continue
        t0 = time.perf_counter()
        p = case_path(folder, case)
        if p is None:
            results.append(CaseResult(case, (), error=f"no tests/{case}.facts.json or tests/{case}/ found"))
            continue
        try:
            if p.is_dir():
                facts = _scan_facts(folder, pack, p, ocr)
                if save_facts:
                    (folder / "tests" / f"{case}.facts.json").write_text(
                        json.dumps(facts, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
            else:
                facts = read_facts(p)
        except AppealcheckError as exc:
            results.append(CaseResult(case, (), error=exc.message, seconds=time.perf_counter() - t0))
            continue
        fired, errors = run_case(rules, facts, brand)
        results.append(CaseResult(
            case, tuple(sorted(fired)),
            missing=tuple(r for r in spec.fires if r not in fired),
            unexpected=tuple(r for r in spec.not_fires if r in fired),
            rule_errors=tuple(errors), seconds=time.perf_counter() - t0))
    return results


def junit_xml(pack_id: str, results: list[CaseResult]) -> str:
    """JUnit XML for CI: one testcase per case."""
    fails = sum(1 for r in results if not r.passed)
    total = sum(r.seconds for r in results)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuite name={quoteattr("rules." + pack_id)} tests="{len(results)}" failures="{fails}" '
           f'errors="0" time="{total:.3f}">']
    for r in results:
        out.append(f'  <testcase classname={quoteattr("rules." + pack_id)} name={quoteattr(r.case)} '
                   f'time="{r.seconds:.3f}">')
        if not r.passed:
            msg = describe(r)
            out.append(f'    <failure message={quoteattr(msg)}>{escape(msg)}</failure>')
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out) + "\n"


def describe(r: CaseResult) -> str:
    """One line on why a case failed (or 'ok')."""
    if r.error:
        return f"cannot run: {r.error}"
    parts = []
    if r.missing:
        parts.append("should fire but did not: " + ", ".join(r.missing))
    if r.unexpected:
        parts.append("fired but must not: " + ", ".join(r.unexpected))
    return "; ".join(parts) or "ok"

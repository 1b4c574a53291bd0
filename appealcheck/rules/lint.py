"""Lint a pack that validates: problems that load fine but are likely mistakes.

Unknown fact names (a typo reads a missing key, so the rule silently never fires), rules no test
covers, ids outside the brand's namespace, a `field:` that is not a document field.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from appealcheck.rules.engine import compile_rules
from appealcheck.rules.facts import FACTS, field_names, is_known
from appealcheck.rules.pack import load_pack
from appealcheck.rules.packtest import case_path, load_expected
from appealcheck.rules.yamlpos import load_located


@dataclass(frozen=True)
class LintIssue:
    """One finding of the linter."""

    where: str
    """file:line."""
    code: str
    """Stable id of the kind of issue (unknown-fact, untested, ...)."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.code}: {self.message}"


def _suggest(path: str) -> str:
    near = difflib.get_close_matches(path, [f.name for f in FACTS], n=1, cutoff=0.75)
    return f" (did you mean {near[0]}?)" if near else "; run 'appealcheck rules facts' for the list"


def lint(folder: Path) -> list[LintIssue]:
    """Issues of a pack; validation errors are raised (PackError) before any linting."""
    folder = Path(folder)
    pack = load_pack(folder)
    compiled = compile_rules(folder)
    ids = {r.spec.id for r in compiled.rules}
    expected = load_expected(folder, ids)
    issues: list[LintIssue] = []
    rules_loc = load_located(compiled.path) if compiled.path.exists() else None
    if folder.resolve().name != pack.id:
        issues.append(LintIssue(f"{folder / 'brand.yaml'}:1", "folder-name",
                                f"the folder is named '{folder.resolve().name}' but the pack id is '{pack.id}'; "
                                "packs are found by folder name"))
    known_fields = set(field_names())
    for i, r in enumerate(compiled.rules):
        where = rules_loc.where(("rules", i)) if rules_loc else str(compiled.path)
        rid = r.spec.id
        if not rid.startswith(pack.id + "."):
            issues.append(LintIssue(where, "id-namespace", f"rule '{rid}' should start with '{pack.id}.'"))
        for ref in r.refs:
            if not is_known(ref):
                issues.append(LintIssue(rules_loc.where(("rules", i, "when")) if rules_loc else where,
                                        "unknown-fact", f"rule '{rid}' reads {ref}, which is not a fact"
                                        + _suggest(ref)))
        if r.spec.field and r.spec.field not in known_fields:
            issues.append(LintIssue(where, "unknown-field", f"rule '{rid}': field '{r.spec.field}' is not a "
                                                            "doc.fields name"))
        if r.spec.status == "deprecated":
            continue
        fires = [c for c, s in expected.cases.items() if rid in s.fires]
        quiet = [c for c, s in expected.cases.items() if rid in s.not_fires]
        if not fires and not quiet:
            issues.append(LintIssue(where, "untested", f"rule '{rid}' has no test case; add one to "
                                                       "tests/expected.yaml"))
        elif not fires:
            issues.append(LintIssue(where, "never-fires-in-tests", f"rule '{rid}' has no case where it fires"))
        elif not quiet:
            issues.append(LintIssue(where, "always-fires-in-tests",
                                    f"rule '{rid}' has no case where it must not fire"))
    if expected.located is not None:
        for case in expected.cases:
            if case_path(folder, case) is None:
                issues.append(LintIssue(expected.located.where(("cases", case)), "missing-case",
                                        f"case '{case}': no tests/{case}.facts.json or tests/{case}/"))
    return issues


@dataclass(frozen=True)
class Validated:
    """A pack that passed validation."""

    id: str
    version: str
    owner: str | None
    rules: int
    cases: int


def validate(folder: Path) -> Validated:
    """Validate brand.yaml, rules.yaml and tests/expected.yaml together; PackError lists every problem of all three."""
    from appealcheck.errors import PackError

    folder = Path(folder)
    problems: list[str] = []
    pack = compiled = expected = None
    try:
        pack = load_pack(folder)
    except PackError as exc:
        problems.append(exc.message)
    try:
        compiled = compile_rules(folder)
    except PackError as exc:
        if exc.message not in problems:  # check_tree problems would repeat
            problems.append(exc.message)
    try:
        expected = load_expected(folder, {r.spec.id for r in compiled.rules} if compiled else None)
    except PackError as exc:
        problems.append(exc.message)
    if problems or pack is None or compiled is None or expected is None:
        raise PackError("\n".join(problems))
    return Validated(pack.id, pack.version, pack.owner, len(compiled.rules), len(expected.cases))

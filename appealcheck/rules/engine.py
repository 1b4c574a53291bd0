"""A brand's rules (rules.yaml, DESIGN.md section 3): validated, compiled once, evaluated within a time bound.

Rules are CEL (cel-python, never `eval`). CEL itself cannot reach Python internals, but celpy sets no
limit on cost, so the pack is bounded here, in layers:

- at load: expression length, bracket nesting and parse-tree depth, the number and nesting of
  comprehension macros (map/filter/all/exists), list-literal sizes, an allowlist of functions and
  of the three root variables, no names starting with '_', and every literal regex compiled on RE2;
- at evaluation: a time limit per rule (a SIGALRM timer on the main thread, a trace-function
  deadline on other threads), a time budget per document, and a rule that times out repeatedly is
  switched off for the life of the RuleSet, so one pack cannot slow a batch by more than its budget.

A rule that fails on a document (a missing field, a type mismatch) does not fire; the failure is
kept in `RuleSet.errors_for_last_eval`.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import celpy
import celpy.evaluation
import lark
from celpy import celtypes
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, celstr
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import appealcheck
from appealcheck.errors import PackError
from appealcheck.rules import celfuncs
from appealcheck.rules.facts import ROOTS
from appealcheck.rules.yamlpos import Located, load_located

log = logging.getLogger(__name__)

# celpy logs every failed evaluation at ERROR with a traceback; a rule failing on a document is
# expected and recorded per rule, so keep celpy's own log quiet.
logging.getLogger("celpy").setLevel(logging.CRITICAL)

Severity = Literal["info", "low", "medium", "high", "critical"]
Kind = Literal["authorization_letter", "purchase_invoice", "receipt", "business_license", "other"]
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
KINDS: tuple[str, ...] = ("authorization_letter", "purchase_invoice", "receipt", "business_license", "other")

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
"""Comprehension macros: the only way a rule loops, so their number and nesting are capped."""
METHODS = frozenset({
    "contains", "startsWith", "endsWith", "matches", "size",
    "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
    "getHours", "getMinutes", "getSeconds", "getMilliseconds",
}) | MACROS
"""Methods a rule may call (`x.contains(y)`); helpers may be called either way."""
GLOBALS = frozenset({"size", "int", "uint", "double", "string", "bool", "timestamp", "duration", "has"})
"""CEL's global functions a rule may call (`size(x)`)."""
HELPER_NAMES = frozenset(celfuncs.FUNCTIONS)


@dataclass(frozen=True)
class Limits:
    """Bounds on what one pack may cost. The defaults leave room for real rules and none for abuse."""

    max_rules: int = 2000
    max_expr_chars: int = 4000
    max_nesting: int = 24
    """Brackets ( [ { nested in one expression."""
    max_tree_depth: int = 800
    """Depth of the parse tree (long chains of && or . grow it as much as brackets do)."""
    max_macros: int = 8
    max_macro_nesting: int = 2
    max_list_items: int = 256
    """Items in all list and map literals of one expression together."""
    rule_timeout_s: float = 0.05
    """One rule on one document."""
    document_budget_s: float = 0.5
    """All rules of the pack on one document; rules after it is spent are skipped (and reported)."""
    max_timeouts: int = 3
    """A rule that times out this many times is switched off for the rest of the run."""
    max_string_chars: int = 1_000_000
    """Longer fact strings are cut to this before rules see them."""


DEFAULT_LIMITS = Limits()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    """One rule as written in rules.yaml."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$", max_length=120)
    """<brand>.<area>.<slug>; never reused."""
    title: str = Field(min_length=1, max_length=300)
    severity: Severity
    applies_to: list[Kind] = Field(default_factory=list, max_length=len(KINDS))
    """Document kinds the rule runs on; empty means every kind."""
    when: str = Field(min_length=1)
    """CEL expression; the rule fires when it is true."""
    message: str = Field(min_length=1, max_length=1000)
    status: Literal["experimental", "stable", "deprecated"] = "stable"
    """Deprecated rules are kept (their id stays taken) but not evaluated."""
    field: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    """The doc.fields entry whose box the hit points at; by default the first one `when` reads."""


@dataclass(frozen=True)
class RuleHit:
    """A rule that fired on a document."""

    rule_id: str
    severity: str
    message: str
    title: str
    field: str | None
    """Name of the doc.fields entry the rule is about (its box locates the hit), or None."""
    status: str = "stable"


@dataclass(frozen=True)
class RuleError:
    """A rule that could not be evaluated on a document (it did not fire)."""

    rule_id: str
    problem: str


@dataclass(frozen=True)
class CompiledRule:
    """A validated rule and its compiled program."""

    spec: RuleSpec
    line: int | None
    """Line of the rule in rules.yaml."""
    program: Any = field(repr=False)
    refs: tuple[str, ...]
    """Fact paths the expression reads, lists written `[]` (doc.seals[].text)."""
    field_name: str | None


class _Timeout(BaseException):
    """Raised from the timer; a BaseException so celpy passes it through instead of turning it into a value."""


# --- static analysis --------------------------------------------------------------------------------------------


def bracket_depth(src: str) -> int:
    """Deepest nesting of ( [ { outside string literals and comments; cheap, and run before parsing."""
    depth = best = 0
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in "\"'":
            q = src[i:i + 3] if src[i:i + 3] in ('"""', "'''") else c
            raw = i > 0 and src[i - 1] in "rR"
            i += len(q)
            while i < n and not src.startswith(q, i):
                i += 2 if (src[i] == "\\" and not raw) else 1
            i += len(q)
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "([{":
            depth += 1
            best = max(best, depth)
        elif c in ")]}":
            depth -= 1
        i += 1
    return best


def _tree_depth(tree: lark.Tree) -> int:
    best = 0
    stack = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in node.children if isinstance(c, lark.Tree))
    return best


def _single_literal(tree: lark.Tree) -> lark.Token | None:
    """The token if this expression is nothing but one literal."""
    node = tree
    while isinstance(node, lark.Tree):
        if len(node.children) != 1:
            return None
        node = node.children[0]
    return node if isinstance(node, lark.Token) else None


class _Analysis:
    """Walks a parse tree once: names read, functions called, macros, literal regexes; notes problems."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.refs: list[str] = []
        self.problems: list[str] = []
        self.macros = 0
        self.list_items = 0

    def problem(self, node: lark.Tree | lark.Token | None, msg: str) -> None:
        line = getattr(getattr(node, "meta", node), "line", None)
        col = getattr(getattr(node, "meta", node), "column", None)
        where = f" (line {line}, column {col} of the expression)" if line and col else ""
        if msg not in self.problems:
            self.problems.append(msg + where)

    def path(self, node, env: dict[str, str], nest: int) -> str | None:
        """The fact path a member expression reads, or None when it is not a plain path; walks children."""
        if isinstance(node, lark.Token):
            return None
        kind = node.data
        ch = node.children
        if kind == "ident":
            name = str(ch[0])
            if name in env:
                return env[name]
            if name not in ROOTS:
                self.problem(ch[0], f"unknown name '{name}'; rules read doc, appeal and brand")
                return None
            return name
        if kind == "member_dot":
            base = self.path(ch[0], env, nest)
            name = str(ch[1])
            if name.startswith("_"):
                self.problem(ch[1], f"field '{name}': names starting with '_' are not allowed")
            return f"{base}.{name}" if base else None
        if kind == "member_index":
            base = self.path(ch[0], env, nest)
            self.walk(ch[1], env, nest)
            return f"{base}[]" if base else None
        if kind == "member_dot_arg":
            self.call(node, env, nest)
            return None
        if kind in ("member", "primary", "paren_expr") and len(ch) == 1:
            return self.path(ch[0], env, nest) if kind != "paren_expr" else self._paren(ch[0], env, nest)
        self.walk(node, env, nest)
        return None

    def _paren(self, expr, env, nest):
        self.walk(expr, env, nest)
        return None

    def call(self, node: lark.Tree, env: dict[str, str], nest: int) -> None:
        """A method call `target.name(args)`, macros included."""
        target, name_tok, *rest = node.children
        name = str(name_tok)
        args = [c for c in rest[0].children] if rest and isinstance(rest[0], lark.Tree) else []
        if name in MACROS:
            self.macros += 1
            if self.macros > self.limits.max_macros:
                self.problem(name_tok, f"more than {self.limits.max_macros} comprehensions (map/filter/all/exists)")
            if nest + 1 > self.limits.max_macro_nesting:
                self.problem(name_tok, f"comprehensions nested more than {self.limits.max_macro_nesting} deep")
            base = self._ref(self.path(target, env, nest))
            var = _single_literal(args[0]) if args else None
            if var is None or var.type != "IDENT" or len(args) not in (2, 3):
                self.problem(name_tok, f"{name}() takes a variable name and an expression: {name}(x, <expr>)")
                return
            if str(var).startswith("_"):
                self.problem(var, f"variable '{var}': names starting with '_' are not allowed")
            inner = {**env, str(var): f"{base}[]" if base else f"<{var}>"}
            for a in args[1:]:
                self.walk(a, inner, nest + 1)
            return
        if name not in METHODS and name not in HELPER_NAMES:
            self.problem(name_tok, f"unknown function '{name}'" + _suggest_function(name))
        self._ref(self.path(target, env, nest))
        for a in args:
            self.walk(a, env, nest)
        if name in celfuncs.REGEX_FUNCTIONS:
            # The receiver is argument 0 of a method call, so the pattern is the first listed argument.
            self.regex(args[celfuncs.REGEX_FUNCTIONS[name] - 1] if args else None, name_tok)

    def _ref(self, p: str | None) -> str | None:
        if p and not p.startswith("<"):
            self.refs.append(p)
        return p

    def regex(self, arg, at) -> None:
        """Compile a literal pattern now, so a bad regex is a load error with a line, not a silent miss."""
        tok = _single_literal(arg) if arg is not None else None
        if tok is None or tok.type not in ("STRING_LIT", "MLSTRING_LIT"):
            return
        try:
            pattern = str(celstr(tok))
        except Exception as exc:  # noqa: BLE001 - celpy raises several types for bad escapes
            self.problem(tok, f"bad string literal ({exc})")
            return
        why = celfuncs.check_pattern(pattern)
        if why:
            self.problem(tok, f"regex {pattern!r}: {why}")

    def walk(self, node, env: dict[str, str], nest: int) -> None:
        """Visit an expression; member chains go through path() so their names are recorded."""
        if isinstance(node, lark.Token):
            return
        kind = node.data
        if kind in ("member_dot", "member_index", "ident"):
            self._ref(self.path(node, env, nest))
            return
        if kind == "member_dot_arg":
            self.call(node, env, nest)
            return
        if kind == "ident_arg":
            name_tok, *rest = node.children
            name = str(name_tok)
            args = list(rest[0].children) if rest and isinstance(rest[0], lark.Tree) else []
            if name not in GLOBALS and name not in HELPER_NAMES:
                self.problem(name_tok, f"unknown function '{name}'" + _suggest_function(name))
            for a in args:
                self.walk(a, env, nest)
            if name in celfuncs.REGEX_FUNCTIONS:
                i = celfuncs.REGEX_FUNCTIONS[name]
                self.regex(args[i] if len(args) > i else None, name_tok)
            return
        if kind in ("member_object", "dot_ident", "dot_ident_arg"):
            self.problem(node, "message types and package names are not available to rules")
            return
        if kind in ("list_lit", "map_lit"):
            items = node.children[0].children if node.children and isinstance(node.children[0], lark.Tree) else []
            self.list_items += len(items)
            if self.list_items > self.limits.max_list_items:
                self.problem(node, f"list and map literals hold more than {self.limits.max_list_items} items")
        for c in node.children:
            self.walk(c, env, nest)


def _suggest_function(name: str) -> str:
    import difflib

    near = difflib.get_close_matches(name, sorted(METHODS | GLOBALS | HELPER_NAMES), n=1)
    return f" (did you mean '{near[0]}'?)" if near else "; see docs/rules.md for the functions rules can call"


# --- compiling -----------------------------------------------------------------------------------------------------


def _environment() -> celpy.Environment:
    """A CompiledRunner environment (celpy: an interpreted one created first breaks compiled ones)."""
    # celpy's transpiled code names helpers by module path and runs in celpy.evaluation's globals,
    # so the top package of our helpers must be reachable from there.
    celpy.evaluation.__dict__.setdefault("appealcheck", appealcheck)
    before = sys.getrecursionlimit()
    env = celpy.Environment(runner_class=celpy.CompiledRunner)
    # celpy sets the limit to 2500 for the whole process; never lower what the host program chose.
    sys.setrecursionlimit(max(before, 2500))
    return env


def compile_expression(env: celpy.Environment, src: str, limits: Limits = DEFAULT_LIMITS):
    """(program, refs, problems) for one CEL expression; problems empty means it compiled."""
    if len(src) > limits.max_expr_chars:
        return None, (), [f"expression is {len(src)} characters; the limit is {limits.max_expr_chars}"]
    if bracket_depth(src) > limits.max_nesting:
        return None, (), [f"brackets nested more than {limits.max_nesting} deep"]
    try:
        tree = env.compile(src)
    except CELParseError as exc:
        line, col = getattr(exc, "line", None), getattr(exc, "column", None)
        text = src.splitlines()[line - 1] if line and line <= len(src.splitlines()) else ""
        near = text[col - 1:col + 19] if col else ""
        at = f" at line {line}, column {col} of the expression" if line else ""
        return None, (), [f"CEL syntax error{at}" + (f", near {near!r}" if near else ": unexpected end")]
    except RecursionError:
        return None, (), ["expression too deeply nested"]
    if _tree_depth(tree) > limits.max_tree_depth:
        return None, (), ["expression too deeply nested (long chains of operators or fields)"]
    a = _Analysis(limits)
    try:
        a.walk(tree, {}, 0)
    except RecursionError:
        return None, (), ["expression too deeply nested"]
    if a.problems:
        return None, tuple(a.refs), a.problems
    try:
        program = env.program(tree, functions=celfuncs.FUNCTIONS)
    except RecursionError:
        return None, (), ["expression too deeply nested"]
    except Exception as exc:  # noqa: BLE001 - celpy's transpiler raises assorted types on odd input
        return None, (), [f"cannot compile: {exc}"]
    _fix_has(program)
    return program, tuple(dict.fromkeys(a.refs)), []


_HAS = re.compile(r"lambda activation: not isinstance\(celpy\.evaluation\.result\(activation, (ex_\d+_h)\), "
                  r"CELEvalError\)")


def _fix_has(program) -> None:
    """celpy 0.5's transpiler makes has() return a Python bool, which `!`, `? :` and `&&` then reject
    ("no such overload"); its interpreter returns BoolType. Wrap it the same way (the text is celpy's,
    not the rule's)."""
    tp = program.tp
    fixed = _HAS.sub(r"lambda activation: celpy.celtypes.BoolType(not isinstance(celpy.evaluation.result("
                     r"activation, \1), CELEvalError))", tp.source_text)
    if fixed != tp.source_text:
        tp.source_text = fixed
        tp.executable_code = compile(fixed, "<cel>", "exec")


def _infer_field(refs: tuple[str, ...]) -> str | None:
    for r in refs:
        if r.startswith("doc.fields."):
            name = r.split(".")[2].removesuffix("[]")
            return name or None
    return None


def _pydantic_problems(exc: ValidationError, located: Located, base: tuple = ()) -> list[str]:
    out = []
    for err in exc.errors():
        loc = (*base, *err["loc"])
        what = ".".join(str(p) for p in loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key; remove it or check its spelling"
        elif err["type"] == "literal_error":
            msg = f"{msg} (got {err.get('input')!r})"
        elif err["type"] == "missing":
            msg = "required; add it"
        out.append(f"{located.where(loc)}: '{what}': {msg}")
    return out


@dataclass(frozen=True)
class PackRules:
    """What load_rules read: the compiled rules and where rules.yaml is (for tools)."""

    path: Path
    rules: tuple[CompiledRule, ...]


def compile_rules(folder: Path, limits: Limits = DEFAULT_LIMITS) -> PackRules:
    """Validate and compile rules.yaml of a pack; PackError lists every problem, each as file:line: message."""
    from appealcheck.rules.pack import check_tree

    folder = Path(folder)
    check_tree(folder)
    path = folder / "rules.yaml"
    if not path.exists():
        return PackRules(path, ())
    located = load_located(path)
    data = located.data
    problems: list[str] = []
    if not isinstance(data, dict):
        raise PackError(f"{path}:1: must be a mapping with schema_version and rules")
    for key in data:
        if key not in ("schema_version", "rules"):
            problems.append(f"{located.where((key,))}: '{key}': unknown key; rules.yaml has schema_version and rules")
    if data.get("schema_version") != 1:
        problems.append(f"{located.where(('schema_version',))}: 'schema_version': must be 1 "
                        f"(got {data.get('schema_version')!r})")
    raw = data.get("rules", [])
    if not isinstance(raw, list):
        raise PackError("\n".join([*problems, f"{located.where(('rules',))}: 'rules': must be a list of rules"]))
    if len(raw) > limits.max_rules:
        raise PackError(f"{located.where(('rules',))}: {len(raw)} rules; a pack may hold {limits.max_rules}")
    env = _environment()
    compiled: list[CompiledRule] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(raw):
        line = located.line(("rules", i))
        try:
            spec = RuleSpec.model_validate(item)
        except ValidationError as exc:
            problems += _pydantic_problems(exc, located, ("rules", i))
            continue
        if spec.id in seen:
            problems.append(f"{path}:{line}: rule id '{spec.id}' is used twice (first at line {seen[spec.id]}); "
                            "ids are never reused: give this rule a new id")
            continue
        seen[spec.id] = line
        program, refs, errs = compile_expression(env, spec.when, limits)
        where = located.where(("rules", i, "when"))
        problems += [f"{where}: rule '{spec.id}': {e}" for e in errs]
        if program is not None:
            compiled.append(CompiledRule(spec=spec, line=line, program=program, refs=refs,
                                         field_name=spec.field or _infer_field(refs)))
    if problems:
        raise PackError("\n".join(problems))
    return PackRules(path, tuple(compiled))


def load_rules(pack_folder: Path, limits: Limits = DEFAULT_LIMITS) -> RuleSet:
    """Load, validate and compile a pack's rules.yaml (absent: no rules). Raises PackError with every problem."""
    return RuleSet(compile_rules(Path(pack_folder), limits).rules, limits)


# --- evaluating -----------------------------------------------------------------------------------------------------


def _plain(v: Any, limit: int) -> Any:
    """Facts as JSON-like values CEL can take (dates become ISO strings, tuples lists, long strings cut)."""
    if v is None or isinstance(v, bool | int | float):
        return v
    if isinstance(v, str):
        return v if len(v) <= limit else v[:limit]
    if isinstance(v, dict):
        return {str(k): _plain(x, limit) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x, limit) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def to_activation(facts: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """CEL values for doc, appeal and brand (a missing root becomes an empty map)."""
    return {k: celpy.json_to_cel(_plain(facts.get(k) or {}, limits.max_string_chars)) for k in ROOTS}


class _Deadline:
    """Interrupts a rule that runs past its time: SIGALRM on the main thread, a trace deadline elsewhere."""

    def __init__(self):
        self.main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        self._old = None
        self._until = 0.0

    def __enter__(self):
        if self.main:
            self._old = signal.signal(signal.SIGALRM, self._on_alarm)
        return self

    def __exit__(self, *exc):
        if self.main:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old or signal.SIG_DFL)
        return False

    @staticmethod
    def _on_alarm(signum, frame):
        raise _Timeout

    def _trace(self, frame, event, arg):
        if time.perf_counter() > self._until:
            raise _Timeout
        return None

    def run(self, fn, arg, seconds: float):
        """fn(arg), interrupted with _Timeout after `seconds`."""
        if self.main:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                return fn(arg)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        self._until = time.perf_counter() + seconds
        sys.settrace(self._trace)
        try:
            return fn(arg)
        finally:
            sys.settrace(None)


class RuleSet:
    """A pack's compiled rules. `evaluate` is safe to call from several threads (calls are serialised:
    celpy's compiled programs share module globals); use one RuleSet per process for parallel speed."""

    def __init__(self, rules: tuple[CompiledRule, ...] = (), limits: Limits = DEFAULT_LIMITS):
        self.rules = rules
        self.limits = limits
        self.errors_for_last_eval: tuple[RuleError, ...] = ()
        """Rules that failed on the last document evaluated (they did not fire), with the reason."""
        self.disabled: dict[str, str] = {}
        """Rules switched off for this run (rule id -> why), after timing out `limits.max_timeouts` times."""
        self._timeouts: dict[str, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.rules)

    def evaluate(self, facts: dict[str, Any], kind: str | None) -> list[RuleHit]:
        """The rules that fire on one document. Never raises on bad data: failures go to errors_for_last_eval."""
        # A rule's time limit bounds the rule, not the collector: a full collection of a large process's heap can
        # take longer than a rule may (0.4 s for 11M objects here), and a rule it lands in would be cut and not
        # fire. Collection waits until the pack is done; the deadlines still bound what the rules allocate.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self._lock:
                return self._evaluate(facts, kind)
        finally:
            if collecting:
                gc.enable()

    def _evaluate(self, facts: dict[str, Any], kind: str | None) -> list[RuleHit]:
        lim = self.limits
        hits: list[RuleHit] = []
        errors: list[RuleError] = []
        try:
            act = to_activation(facts, lim)
        except (ValueError, TypeError, RecursionError) as exc:
            self.errors_for_last_eval = (RuleError("*", f"facts cannot be given to rules: {exc}"),)
            return []
        start = time.perf_counter()
        with _Deadline() as deadline:
            for rule in self.rules:
                spec = rule.spec
                if spec.status == "deprecated" or (spec.applies_to and kind not in spec.applies_to):
                    continue
                if spec.id in self.disabled:
                    errors.append(RuleError(spec.id, self.disabled[spec.id]))
                    continue
                left = lim.document_budget_s - (time.perf_counter() - start)
                if left <= 0:
                    errors.append(RuleError(spec.id, f"skipped: the pack's {lim.document_budget_s:g} s budget "
                                                     "for one document is spent"))
                    continue
                try:
                    value = deadline.run(rule.program.evaluate, act, min(lim.rule_timeout_s, left))
                except _Timeout:
                    n = self._timeouts[spec.id] = self._timeouts.get(spec.id, 0) + 1
                    errors.append(RuleError(spec.id, f"ran longer than {lim.rule_timeout_s:g} s"))
                    if n >= lim.max_timeouts:
                        self.disabled[spec.id] = f"switched off after timing out {n} times"
                    continue
                except CELEvalError as exc:
                    errors.append(RuleError(spec.id, _eval_reason(exc)))
                    continue
                except (RecursionError, MemoryError) as exc:
                    errors.append(RuleError(spec.id, f"{type(exc).__name__}"))
                    continue
                except Exception as exc:  # noqa: BLE001 - a rule must never break a scan
                    errors.append(RuleError(spec.id, f"{type(exc).__name__}: {exc}"))
                    continue
                if isinstance(value, CELEvalError):
                    errors.append(RuleError(spec.id, _eval_reason(value)))
                elif not isinstance(value, celtypes.BoolType):
                    errors.append(RuleError(spec.id, f"gave {type(value).__name__}, not true or false"))
                elif value:
                    hits.append(RuleHit(rule_id=spec.id, severity=spec.severity, message=spec.message,
                                        title=spec.title, field=rule.field_name, status=spec.status))
        self.errors_for_last_eval = tuple(errors)
        return hits


def _eval_reason(exc: BaseException) -> str:
    """The innermost readable reason of a celpy error ('no such key', 'no such overload', ...)."""
    args = getattr(exc, "args", ())
    while args and isinstance(args[0], str) and args[0] == "evaluation error" and len(args) > 2:
        inner = args[2]
        args = inner if isinstance(inner, tuple) else (str(inner),)
    msg = args[0] if args else str(exc)
    return str(msg)[:300]

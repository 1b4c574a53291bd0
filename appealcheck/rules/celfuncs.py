"""Helper functions brand rules may call, beside CEL's own (size, contains, startsWith, endsWith, ...).

Every helper is total and bounded: bad arguments give a CEL error value (the rule does not fire),
regexes run on RE2 (linear time) over NFKC-normalised text, and inputs are capped so that no
call costs more than a few milliseconds. `HELPERS` lists them for the docs and for validation.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

import re2
from celpy import celtypes
from celpy.evaluation import CELEvalError
from rapidfuzz import fuzz
from stdnum.cn import uscc as _uscc

MAX_PATTERN_CHARS = 1000
"""Longest regex a rule may use."""
RE2_MAX_MEM = 8 << 20
"""Memory RE2 may use for one compiled regex (bytes); a pattern needing more is refused."""
MAX_FUZZY_CHARS = 2000
"""fuzzy() compares at most this many characters of each side (its cost grows with the product)."""
_CACHE_SIZE = 2048


@dataclass(frozen=True)
class Helper:
    """A function rules may call."""

    name: str
    signature: str
    description: str
    example: str


HELPERS: tuple[Helper, ...] = (
    Helper("re2_match", "re2_match(text, pattern) -> bool",
           "RE2 search of `pattern` in NFKC-normalised `text` (so full-width digits match \\d).",
           're2_match(doc.fields.serial, "^AC-\\\\d{4}-\\\\d{5}$")'),
    Helper("matches", "text.matches(pattern) -> bool",
           "CEL's own `matches`, here also RE2 over NFKC-normalised text with the pattern compiled once.",
           'doc.text.matches("授权期限.{0,20}长期")'),
    Helper("re2_find", "re2_find(text, pattern) -> string",
           "The first match (group 1 if the pattern has a group), or \"\" when there is none.",
           're2_find(doc.text, "编号[:：]\\\\s*(\\\\S+)") != doc.fields.serial'),
    Helper("nfkc", "nfkc(text) -> string", "NFKC normal form: full-width letters and digits become ASCII.",
           'nfkc(doc.fields.licensee).contains("(")'),
    Helper("lower", "lower(text) -> string", "Lower case (any script).",
           'lower(doc.file.software).contains("photoshop")'),
    Helper("days_between", "days_between(a, b) -> int",
           "Days from date `a` to date `b` ('YYYY-MM-DD', or longer ISO strings: the first 10 characters).",
           "days_between(doc.fields.valid_from, doc.fields.valid_to) > brand.policy.max_validity_days"),
    Helper("fuzzy", "fuzzy(a, b) -> double",
           "Similarity of two strings, 0..100 (rapidfuzz ratio over NFKC text); OCR noise costs a few points.",
           "fuzzy(doc.fields.licensor, brand.entities[0].name) < 90.0"),
    Helper("fuzzy_in", "fuzzy_in(a, names) -> double",
           "Best fuzzy() of `a` against a list of strings, or of maps' `name`; 0 for an empty list.",
           "fuzzy_in(doc.fields.seller_name, brand.distributors) < 85.0"),
    Helper("has_field", "has_field(doc, name) -> bool",
           "Whether the document has extracted field `name` (same as has(doc.fields.<name>)).",
           'has_field(doc, "serial")'),
    Helper("get", "get(map, key, default) -> value",
           "map[key] if present and not null, else `default`: reads an optional field without an error.",
           'get(doc.fields, "licensee", "") == ""'),
    Helper("uscc_valid", "uscc_valid(code) -> bool",
           "Whether an 18-character unified social credit code has a correct check digit.",
           "!uscc_valid(doc.fields.licensee_uscc)"),
)


class _Patterns:
    """Compiled RE2 patterns, least recently used dropped first (rules usually use literals: compiled at load)."""

    def __init__(self, size: int = _CACHE_SIZE):
        self._size = size
        self._items: OrderedDict[str, re2._Regexp] = OrderedDict()
        self._options = re2.Options()
        self._options.max_mem = RE2_MAX_MEM
        self._options.log_errors = False

    def get(self, pattern: str):
        """The compiled pattern; raises ValueError with a readable reason."""
        rx = self._items.get(pattern)
        if rx is not None:
            self._items.move_to_end(pattern)
            return rx
        if len(pattern) > MAX_PATTERN_CHARS:
            raise ValueError(f"regex longer than {MAX_PATTERN_CHARS} characters")
        try:
            rx = re2.compile(pattern, self._options)
        except re2.error as exc:
            reason = exc.args[0] if exc.args else exc
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise ValueError(f"not a valid RE2 regex: {reason}") from None
        self._items[pattern] = rx
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return rx


PATTERNS = _Patterns()
"""Shared compiled-pattern cache; immutable entries, so sharing it across rule sets is safe."""


def check_pattern(pattern: str) -> str | None:
    """Why a regex cannot be used, or None when it compiles on RE2."""
    try:
        PATTERNS.get(pattern)
    except ValueError as exc:
        return str(exc)
    return None


def _err(name: str, why: str) -> CELEvalError:
    return CELEvalError(f"{name}: {why}", ValueError, (why,))


def _text(v) -> str | None:
    return unicodedata.normalize("NFKC", v) if isinstance(v, str) else None


def re2_match(text, pattern):
    """RE2 search over NFKC text (see HELPERS)."""
    t = _text(text)
    if t is None or not isinstance(pattern, str):
        return _err("re2_match", "needs (string, string)")
    try:
        return celtypes.BoolType(PATTERNS.get(pattern).search(t) is not None)
    except ValueError as exc:
        return _err("re2_match", str(exc))


def matches(text, pattern):
    """CEL `matches` with NFKC text and cached RE2 patterns."""
    return re2_match(text, pattern)


def re2_find(text, pattern):
    """First match or group 1 (see HELPERS)."""
    t = _text(text)
    if t is None or not isinstance(pattern, str):
        return _err("re2_find", "needs (string, string)")
    try:
        m = PATTERNS.get(pattern).search(t)
    except ValueError as exc:
        return _err("re2_find", str(exc))
    if m is None:
        return celtypes.StringType("")
    return celtypes.StringType(m.group(1) if m.re.groups else m.group(0))


def nfkc(text):
    """NFKC normal form."""
    t = _text(text)
    return _err("nfkc", "needs a string") if t is None else celtypes.StringType(t)


def lower(text):
    """Lower case."""
    return celtypes.StringType(text.lower()) if isinstance(text, str) else _err("lower", "needs a string")


def _date(v) -> dt.date | None:
    if not isinstance(v, str) or len(v) < 10:
        return None
    try:
        return dt.date.fromisoformat(v[:10])
    except ValueError:
        return None


def days_between(a, b):
    """Days from a to b."""
    da, db = _date(a), _date(b)
    if da is None or db is None:
        return _err("days_between", "needs two 'YYYY-MM-DD' dates")
    return celtypes.IntType((db - da).days)


def fuzzy(a, b):
    """rapidfuzz ratio of NFKC strings, 0..100."""
    ta, tb = _text(a), _text(b)
    if ta is None or tb is None:
        return _err("fuzzy", "needs two strings")
    return celtypes.DoubleType(fuzz.ratio(ta[:MAX_FUZZY_CHARS], tb[:MAX_FUZZY_CHARS]))


def fuzzy_in(a, names):
    """Best fuzzy score of a against strings or maps with a name."""
    ta = _text(a)
    if ta is None or not isinstance(names, list):
        return _err("fuzzy_in", "needs (string, list)")
    best = 0.0
    for n in names[:1000]:
        if isinstance(n, dict):
            n = n.get(celtypes.StringType("name"))
        tn = _text(n)
        if tn is not None:
            best = max(best, fuzz.ratio(ta[:MAX_FUZZY_CHARS], tn[:MAX_FUZZY_CHARS]))
    return celtypes.DoubleType(best)


def has_field(doc, name):
    """Whether doc.fields has `name`."""
    if not isinstance(doc, dict) or not isinstance(name, str):
        return _err("has_field", "needs (doc, string)")
    fields = doc.get(celtypes.StringType("fields"))
    return celtypes.BoolType(isinstance(fields, dict) and fields.get(celtypes.StringType(name)) is not None)


def get(mapping, key, default):
    """mapping[key] unless absent or null."""
    if not isinstance(mapping, dict):
        return _err("get", "needs a map")
    # celpy's MapType.get raises on a missing key, so test membership first.
    v = mapping[key] if key in mapping else None
    return default if v is None else v


def uscc_valid(code):
    """USCC check digit."""
    if not isinstance(code, str):
        return _err("uscc_valid", "needs a string")
    return celtypes.BoolType(bool(_uscc.is_valid(unicodedata.normalize("NFKC", code))))


FUNCTIONS = {
    "re2_match": re2_match, "matches": matches, "re2_find": re2_find, "nfkc": nfkc, "lower": lower,
    "days_between": days_between, "fuzzy": fuzzy, "fuzzy_in": fuzzy_in, "has_field": has_field, "get": get,
    "uscc_valid": uscc_valid,
}
"""Name -> implementation, passed to every CEL program."""

REGEX_FUNCTIONS = {"re2_match": 1, "matches": 1, "re2_find": 1}
"""Functions whose argument at this index (counting the receiver of a method call) is a regex."""

"""Template comparison: a document against the layouts its brand registered.

Each template's specimen image is read once (through the scanner's OCR cache) into anchor phrases: its
printed lines outside the variable field regions. A document of the same kind is matched to the template
whose anchors it holds best; then missing anchors (a clause dropped or reworded), anchors out of order
(blocks moved) and a retired template are reported. Matching by anchors rather than by all text keeps
shared boilerplate from deciding alone, and works on photos because it needs no pixel alignment.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from rapidfuzz import fuzz

from appealcheck.checks.interface import Check, DocContext, LastWork
from appealcheck.checks.names import canonical
from appealcheck.errors import PackError
from appealcheck.models import Finding, OcrLine, Page
from appealcheck.rules.celfuncs import PATTERNS
from appealcheck.rules.pack import TemplateSpec

MIN_ANCHOR_CHARS = 6
MATCH = 85.0
"""partial_ratio at which an anchor counts as present (OCR noise costs a few points)."""
MIN_TEMPLATE_SCORE = 0.5
MARGIN = 0.06
MIN_INVERSIONS = 2
"""One swapped pair can come from two lines on one row read in either order; moved blocks swap many."""
_CLAUSE_NUMBER = re.compile(r"^\s*\d+\s*[.、．]\s*")
_CODES = re.compile(r"[0-9A-Z]*[0-9][0-9A-Z]*|[A-Z]{2,}")
# The platform a letter names is a variable inside its clauses (and a wrapped line may cut it: 拼多|多平台).
_PLATFORMS = re.compile(r"天猫|淘宝|京东|拼多多|拼多|抖音|小红书|快手|唯品会|得物|亚马逊|苏宁易购|苏宁|^多(?=平台)")


@dataclass(frozen=True)
class Anchor:
    """A fixed line of a template: its text and where it sits (fractions of the page)."""

    text: str
    key: str
    """Canonical form used for matching (clause numbers dropped: they shift when a clause is removed)."""
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Enrolled:
    """A template read from its specimen."""

    spec: TemplateSpec
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class TemplateMatch:
    """The best template for a document and how it deviates."""

    template: Enrolled
    score: float
    """Share of the template's anchors found in the document."""
    missing: tuple[Anchor, ...]
    inversions: int
    """Pairs of found anchors whose vertical order differs from the template's."""
    found: int


def _key(text: str, variables: tuple[str, ...] = ()) -> str:
    """Canonical text without clause numbers and without the values of variable fields printed inside it."""
    k = canonical(_CLAUSE_NUMBER.sub("", text))
    for v in variables:
        if len(v) >= 2:
            k = k.replace(v, "")
    # Codes, serials and numbers differ between documents of one template: compare the words around them.
    return _PLATFORMS.sub("", _CODES.sub("", k))


def _variables(values) -> tuple[str, ...]:
    """Canonical forms of field values, longest first (so a name is removed before a part of it)."""
    out = {canonical(str(v)) for v in values if isinstance(v, str) and len(canonical(v)) >= 2}
    return tuple(sorted(out, key=len, reverse=True))


def _brand_names(ctx: DocContext) -> list[str]:
    b = ctx.brand
    return ([e.name for e in b.entities] + [d.name for d in b.distributors] + list(b.names)) if b else []


def _text_in_box(line: OcrLine, box, w: int, h: int) -> str | None:
    """The characters of a line that fall inside a fractional box (a field's value on the specimen)."""
    x0, y0, x1, y1 = box[0] * w, box[1] * h, box[2] * w, box[3] * h
    cy = (line.box[1] + line.box[3]) / 2
    if not (y0 - 2 <= cy <= y1 + 2) or line.box[2] <= x0 or line.box[0] >= x1 or not line.text:
        return None
    n = len(line.text)
    lw = max(line.box[2] - line.box[0], 1)
    a = int(max(0.0, (x0 - line.box[0]) / lw) * n)
    b = int(round(min(1.0, (x1 - line.box[0]) / lw) * n))
    return line.text[a:b].strip(" :：") or None


_CONFUSED = {"1": "IlL", "I": "1lL", "l": "1I", "L": "I1", "0": "OD", "O": "0D", "D": "0O", "5": "S", "S": "5",
             "8": "B", "B": "8", "2": "Z", "Z": "2", "6": "G", "G": "6"}
"""Characters OCR reads for one another in codes (a fax's 'I' comes out as '1')."""
_DASHES = re.compile(r"[·•‐‑‒–—―－_]")
PATTERN_MIN_CONFIDENCE = 0.9
"""OCR confidence of a field's line under which its pattern is not judged."""


def _fits(regex, text: str) -> bool:
    """Whether the text matches, as read or with one character read as its look-alike."""
    if regex.search(text) is not None:
        return True
    return any(regex.search(text[:i] + alt + text[i + 1:]) is not None
               for i, c in enumerate(text) for alt in _CONFUSED.get(c, ""))


def _inside(box, field_boxes) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(f[0] - 0.01 <= cx <= f[2] + 0.01 and f[1] - 0.005 <= cy <= f[3] + 0.005 for f in field_boxes)


class TemplateCheck(Check):
    """Which registered template a document follows, and where it departs from it."""

    id = "template"
    version = "1"
    applies_to = ("authorization_letter", "purchase_invoice", "receipt", "business_license")

    def __init__(self) -> None:
        self._enrolled: dict[str, Enrolled] = {}
        self._last: LastWork[TemplateMatch | None] = LastWork()

    def _enrol(self, ctx: DocContext, spec: TemplateSpec) -> Enrolled:
        path = Path(ctx.brand.root) / spec.file
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PackError(f"{path}: template '{spec.id}' cannot be read ({exc.strerror})") from None
        key = hashlib.sha256(data).hexdigest() + spec.id
        if key in self._enrolled:
            return self._enrolled[key]
        try:
            with Image.open(path) as im:
                img = np.asarray(im.convert("RGB"))
        except Exception as exc:  # noqa: BLE001 - any decoder failure is a bad pack file
            raise PackError(f"{path}: template '{spec.id}' is not a readable image ({exc})") from None
        lines: list[OcrLine] = list(ctx.reader.read_page(Page(0, img, None)).lines) if ctx.reader else []
        h, w = img.shape[:2]
        fields = [f.box for f in spec.fields]
        # The specimen's own variable values (read inside its field boxes) also appear inside clauses:
        # remove them from every line so that a clause is compared without the names it mentions.
        values = [_text_in_box(ln, f, w, h) for ln in lines for f in fields]
        variables = _variables([v for v in values if v] + _brand_names(ctx))
        anchors = []
        for ln in lines:
            box = (ln.box[0] / w, ln.box[1] / h, ln.box[2] / w, ln.box[3] / h)
            k = _key(ln.text, variables)
            # Headers and footers are the first thing a photo or fax crops: not anchors.
            in_margin = box[1] < MARGIN or box[3] > 1 - MARGIN
            if len(k) >= MIN_ANCHOR_CHARS and not _inside(box, fields) and not in_margin:
                anchors.append(Anchor(ln.text, k, box))
        for phrase in spec.fixed_text:
            if not any(canonical(phrase) in a.key for a in anchors):
                anchors.append(Anchor(phrase, canonical(phrase), (0.0, 0.0, 0.0, 0.0)))
        if ctx.reader is not None and not anchors:
            raise PackError(f"{path}: template '{spec.id}' has no readable text; is it a document specimen?")
        enrolled = Enrolled(spec, tuple(anchors))
        self._enrolled[key] = enrolled
        return enrolled

    def match(self, ctx: DocContext) -> TemplateMatch | None:
        """The best registered template of the document's kind (None: no brand, no template, no text)."""
        return self._last.get(lambda: self._match(ctx), ctx)

    def _match(self, ctx: DocContext) -> TemplateMatch | None:
        if ctx.brand is None or ctx.reader is None:
            return None
        specs = [t for t in ctx.brand.templates if t.kind == ctx.kind]
        variables = _variables([f.value for f in ctx.fields.values()] + _brand_names(ctx))
        # Paragraphs wrap differently when a name is longer, so anchors are sought in the whole text, not per line.
        doc_text = "".join(_key(ln.text, variables) for p in ctx.ocr for ln in p.lines)
        if not specs or not doc_text:
            return None
        best: TemplateMatch | None = None
        for spec in specs:
            enrolled = self._enrol(ctx, spec)
            if not enrolled.anchors:
                continue
            positions = []
            missing = []
            for i, a in enumerate(enrolled.anchors):
                hit = fuzz.partial_ratio_alignment(a.key, doc_text)
                if hit is not None and hit.score >= MATCH:
                    if a.box[3] > 0:  # fixed phrases from brand.yaml have no position to order by
                        positions.append((a.box[1], hit.dest_start, i))
                else:
                    missing.append(a)
            found = len(enrolled.anchors) - len(missing)
            score = found / len(enrolled.anchors)
            # Order of the anchors the document has, by the template's vertical position vs the document's.
            order = [pos for _, pos, _ in sorted(positions)]
            inversions = sum(1 for x in range(len(order)) for y in range(x + 1, len(order)) if order[x] > order[y])
            cand = TemplateMatch(enrolled, round(score, 3), tuple(missing), inversions, found)
            # Ties go to the template with more anchors: a bigger shared vocabulary is the stronger match.
            if best is None or (cand.score, cand.found) > (best.score, best.found):
                best = cand
        return best

    def run(self, ctx: DocContext) -> list[Finding]:
        m = self.match(ctx)
        if m is None:
            return []
        page = ctx.document.pages[0]
        whole = (0, 0, page.width, page.height)
        spec = m.template.spec
        if m.score < MIN_TEMPLATE_SCORE:
            return [Finding(id="template.unmatched", severity="medium", check=self.id,
                            message=f"Matches none of {ctx.brand.id}'s registered {ctx.kind} templates "
                                    f"(best {spec.id}: {m.score:.0%} of its fixed lines)",
                            page=0, box=whole, measured=m.score, expected=f">= {MIN_TEMPLATE_SCORE:.0%}")]
        out = []
        for a in m.missing:
            box = tuple(int(v) for v in (a.box[0] * page.width, a.box[1] * page.height, a.box[2] * page.width,
                                         a.box[3] * page.height)) if a.box[2] > 0 else whole
            out.append(Finding(id="template.fixed_text_missing", severity="high", check=self.id,
                               message=f"Template {spec.id} prints '{a.text}' here; this document does not",
                               page=0, box=box, measured=None, expected=a.text))
        if m.inversions >= MIN_INVERSIONS:
            out.append(Finding(id="template.layout_shift", severity="high", check=self.id,
                               message=f"Blocks are in a different order from template {spec.id} "
                                       f"({m.inversions} pairs of fixed lines swapped)",
                               page=0, box=whole, measured=m.inversions, expected=0))
        for name, pattern in spec.patterns.items():
            f = ctx.fields.get(name)
            text = f.value if f is not None and isinstance(f.value, str) else (f.raw if f is not None else None)
            if not text:
                continue  # not read: a missing field is its own signal, not a pattern's
            text = _DASHES.sub("-", unicodedata.normalize("NFKC", text).strip())
            doubtful = f.confidence is not None and f.confidence < PATTERN_MIN_CONFIDENCE
            if doubtful or _fits(PATTERNS.get(pattern), text):
                continue  # a doubtful read breaks any pattern
            box = f.box if f.box is not None else whole
            out.append(Finding(id="template.field_pattern", severity="medium", check=self.id,
                               page=f.page or 0, box=box,
                               message=f"The {name} '{text}' does not have the form template {spec.id} "
                                       f"prints ({pattern})", measured=text, expected=pattern))
        if spec.status == "retired":
            out.append(Finding(id="template.retired", severity="medium", check=self.id,
                               message=f"Follows template {spec.id}, which {ctx.brand.id} has retired",
                               page=0, box=whole, measured=spec.id, expected="a current template"))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        m = self.match(ctx)
        if m is None:
            return {"template.match_score": None, "template.missing": None, "template.inversions": None,
                    "template.retired": None}
        return {"template.match_score": m.score, "template.missing": float(len(m.missing)),
                "template.inversions": float(m.inversions),
                "template.retired": 1.0 if m.template.spec.status == "retired" else 0.0}

    def facts(self, ctx: DocContext) -> dict | None:
        """`doc.template`: id, match_score, deviations."""
        m = self.match(ctx)
        if m is None:
            return None
        return {"id": m.template.spec.id, "match_score": m.score, "status": m.template.spec.status,
                "deviations": [a.text for a in m.missing] + (["order"] if m.inversions else [])}

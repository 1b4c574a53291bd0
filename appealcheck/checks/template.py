"""Template comparison: a document against the layouts its brand registered.

Each template's specimen image is read once (through the scanner's OCR cache) into anchor phrases: its
printed lines outside the variable field regions. A document of the same kind is matched to the template
whose anchors it holds best; then missing anchors (a clause dropped or reworded), anchors out of order
(blocks moved) and a retired template are reported. Matching by anchors rather than by all text keeps
shared boilerplate from deciding alone, and works on photos because it needs no pixel alignment.

The specimen's lines found once on the first page (labels such as 授权方： count, so a form's rows spread them
down the page) also register the page to the specimen: a similarity transform (shift, scale, turn) fitted to their
ends with RANSAC, so that a scan, a skewed photo and a PDF are compared in the template's own coordinates.
Through it the document's seal is held to the template's `seal_box`: a seal stamped or laid where the brand
never stamps. Fields are not held to their regions yet: on seed 7 a field's box as read often takes in its
label, a value named inside a clause comes from another line, and a phone photo bends the page beyond a
similarity, so their starts scattered by 3-24% of the page on genuine letters.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from rapidfuzz import fuzz
from rapidfuzz.distance import Hamming

from appealcheck.checks.interface import Check, DocContext, LastWork
from appealcheck.checks.names import canonical
from appealcheck.errors import PackError
from appealcheck.models import Finding, OcrLine, Page
from appealcheck.rules.celfuncs import PATTERNS
from appealcheck.rules.pack import TemplateSpec
from appealcheck.seals import analyse_seals

MIN_ANCHOR_CHARS = 6
MATCH = 85.0
"""partial_ratio at which an anchor counts as present (OCR noise costs a few points)."""
SLIPS, SLIP_MIN_CHARS = 2, 8
"""Characters an anchor of SLIP_MIN_CHARS or more may have read as others, in place, and still count as printed: a
fax's 冒 comes out as 窗 or 富, and two such slips in '得销售假冒、仿冒商品' leave 78% (A-449-000006, a genuine
letter). A clause reworded or from another template is not the same characters one for one."""
MIN_TEMPLATE_SCORE = 0.5
MARGIN = 0.06
MIN_INVERSIONS = 2
"""One swapped pair can come from two lines on one row read in either order; moved blocks swap many."""
MIN_PLACED = 3
"""Lines of the specimen found once on the first page that a registration needs..."""
MIN_SPREAD = 0.25
"""...spread over at least this share of the page's height (a fit to one band of lines tilts elsewhere)."""
LINE_MATCH = 90.0
"""fuzz.ratio at which a long line of the page is the specimen's line (short ones must be equal)."""
RANSAC_PX = 0.015
"""How far (share of the page width) an anchor's end may lie from the fit and still count: a line or so."""
SEAL_TOL = 0.03
"""How far (share of the page) a seal's centre may lie outside the template's seal_box."""
EDGE_SEAL = 0.95
"""Share of a seal's outline on the page under which it is a cross-page seal, not judged for its place."""

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
    marks: tuple[Anchor, ...] = ()
    """Every line of the specimen whose key (variables taken out) it prints once: what a page is registered by."""
    paper_mm: tuple[float, float] | None = None
    """The specimen's page in millimetres (see `paper_mm`); None when it cannot be told."""


@dataclass(frozen=True)
class Placed:
    """A line of the specimen found once on the document's first page."""

    anchor: Anchor
    line: OcrLine
    whole: bool
    """Both print the line and nothing variable, so its end is the same place too (else only its start is)."""


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


@dataclass(frozen=True)
class Misplaced:
    """Something of the document that lies outside where its template puts it."""

    what: str
    """'seal' (fields are not judged yet: see the module's notes)."""
    box: tuple[int, int, int, int]
    """Where it is on the page (pixels)."""
    at: tuple[float, float]
    """Where that is on the template's page (fractions): a seal's centre."""
    expected: tuple[float, float, float, float]
    """The template's region for it (fractions)."""
    offset: float
    """How far outside the region, as a share of the page."""


@dataclass(frozen=True)
class Placement:
    """The document's first page registered to its template, and what lies out of place."""

    registered: bool
    seal_offset: float | None
    """Distance of the nearest seal outside the template's seal_box (0: one is inside); None when not judged."""
    misplaced: tuple[Misplaced, ...] = ()


SLIP_MIN = 6
"""Length from which a variable printed with one character misread is still taken out of a line: a company name
inside a clause read 星岗 for 星岚 left twelve characters in the line, which then missed its anchor (A-007-000145)."""


def _drop(k: str, v: str) -> str:
    """`k` without `v`, and, for long values, without any run of len(v) characters that differs from it in one place.

    A run with one character changed keeps the first or the second half of `v` exactly, so those are found with
    str.find and only there is the run compared."""
    k = k.replace(v, "")
    if len(v) < SLIP_MIN:
        return k
    h = len(v) // 2
    i = 0
    while i <= len(k) - len(v):
        a, b = k.find(v[:h], i), k.find(v[h:], i + h)
        starts = [x for x in (a, b - h if b >= 0 else -1) if x >= i and x + len(v) <= len(k)]
        if not starts:
            break
        j = min(starts)
        if sum(c != d for c, d in zip(k[j:j + len(v)], v, strict=True)) <= 1:
            k = k[:j] + k[j + len(v):]
            i = j
        else:
            i = j + 1
    return k


def _key(text: str, variables: tuple[str, ...] = ()) -> str:
    """Canonical text without clause numbers and without the values of variable fields printed inside it."""
    k = canonical(_CLAUSE_NUMBER.sub("", text))
    for v in variables:
        if len(v) >= 2:
            k = _drop(k, v)
    # Codes, serials and numbers differ between documents of one template: compare the words around them.
    return _PLATFORMS.sub("", _CODES.sub("", k))


def _variables(values) -> tuple[str, ...]:
    """Canonical forms of field values, longest first (so a name is removed before a part of it)."""
    out = {canonical(str(v)) for v in values if isinstance(v, str) and len(canonical(v)) >= 2}
    return tuple(sorted(out, key=len, reverse=True))


def _doc_variables(ctx: DocContext) -> tuple[str, ...]:
    """What a document prints that differs between documents of one template: its field values, the brand's names."""
    return _variables([f.value for f in ctx.fields.values()] + _brand_names(ctx))


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
             "8": "B", "B": "8", "2": "Z", "Z": "2", "6": "G", "G": "6", ".": "-"}
"""Characters OCR reads for one another in codes (a fax's 'I' comes out as '1', a fax's short dash as a point:
'BO.JX-2024-75071' on a genuine letter of seed 907, A-907-000279)."""
_DASHES = re.compile(r"[·•‐‑‒–—―－_]")
PATTERN_MIN_CONFIDENCE = 0.9
"""OCR confidence of a field's line under which its pattern is not judged."""


_SPECKS = frozenset(".,'`:;")
"""Marks a fleck of toner or fax noise is read as: 'L.A-SQ-2024-80424' for 'LA-SQ-2024-80424' (A-823-000038)."""


def _fits(regex, text: str) -> bool:
    """Whether the text matches, as read, with one character read as its look-alike, or with one speck of noise
    read as a point or comma between two characters (never at an end, where it could be the value's own)."""
    if regex.search(text) is not None:
        return True
    if any(regex.search(text[:i] + alt + text[i + 1:]) is not None
           for i, c in enumerate(text) for alt in _CONFUSED.get(c, "")):
        return True
    return any(regex.search(text[:i] + text[i + 1:]) is not None
               for i in range(1, len(text) - 1) if text[i] in _SPECKS)


def _gap_reads(value: str, raw: str | None) -> list[str]:
    """The value as read, and, when the line went on past it after a gap, the value joined to the next run across
    that gap by a dash or by nothing: a fax's dash read as a space cut 'BO-SQ-2024-03502' to 'BO-SQ-2024' at
    extraction (A-007-000095), one slip of the OCR like the look-alikes `_fits` allows."""
    raw = _DASHES.sub("-", unicodedata.normalize("NFKC", raw or "").strip())
    rest = raw[len(value):] if raw.startswith(value) else ""
    if not rest[:1].isspace() or not rest.split():
        return [value]
    nxt = rest.split()[0]
    return [value, f"{value}-{nxt}", value + nxt]


def _slipped(key: str, doc_text: str) -> bool:
    """Whether the document prints the anchor with at most SLIPS characters read as others, none added or lost."""
    n = len(key)
    if n < SLIP_MIN_CHARS:
        return False
    return any(Hamming.distance(key, doc_text[j:j + n], score_cutoff=SLIPS) <= SLIPS
               for j in range(len(doc_text) - n + 1))


def compare(enrolled: Enrolled, doc_text: str) -> TemplateMatch:
    """How a document's text (its lines' keys, joined) holds a template's anchors: which are missing, and how
    many pairs of those found are printed in another order than the template's."""
    positions = []
    missing = []
    for i, a in enumerate(enrolled.anchors):
        hit = fuzz.partial_ratio_alignment(a.key, doc_text)
        if hit is not None and hit.score >= MATCH:
            # Fixed phrases from brand.yaml have no position to order by; a phrase the document prints twice (a
            # label row's 统一社会信用代码 and a clause's) has no one place in its order.
            if a.box[3] > 0 and doc_text.count(a.key) <= 1:
                positions.append((a.box[1], hit.dest_start, i))
        elif not _slipped(a.key, doc_text):
            missing.append(a)
    found = len(enrolled.anchors) - len(missing)
    # Order of the anchors the document has, by the template's vertical position vs the document's.
    order = [pos for _, pos, _ in sorted(positions)]
    inversions = sum(1 for x in range(len(order)) for y in range(x + 1, len(order)) if order[x] > order[y])
    return TemplateMatch(enrolled, round(found / len(enrolled.anchors), 3), tuple(missing), inversions, found)


def _same(a: str, b: str) -> bool:
    """Two line keys alike: short ones exactly (a label), long ones through OCR noise."""
    return a == b if len(a) < MIN_ANCHOR_CHARS else fuzz.ratio(a, b) >= LINE_MATCH


def _plain(text: str) -> str:
    return canonical(_CLAUSE_NUMBER.sub("", text))


def placed_lines(enrolled: Enrolled, lines, variables: tuple[str, ...]) -> list[Placed]:
    """The specimen's lines found once, and once only, among a page's lines: the pairs a registration is fitted
    to. A label row ('授权方：' before a name) counts by its label, so the rows of a form spread the pairs down
    the page."""
    keyed = [(ln, _key(ln.text, variables)) for ln in lines]
    out = []
    for mark in enrolled.marks:
        hits = [ln for ln, k in keyed if _same(mark.key, k)]
        if len(hits) == 1:
            ln = hits[0]
            whole = _plain(mark.text) == mark.key and _same(mark.key, _plain(ln.text))
            out.append(Placed(mark, ln, whole))
    return out


def _ends(line: OcrLine) -> tuple[tuple[float, float], tuple[float, float]]:
    """The middles of a line's left and right edges, from its polygon (a tilted line's box hides the tilt)."""
    p = line.polygon
    if len(p) == 4:
        return ((p[0][0] + p[3][0]) / 2, (p[0][1] + p[3][1]) / 2), ((p[1][0] + p[2][0]) / 2, (p[1][1] + p[2][1]) / 2)
    b = line.box
    return (b[0], (b[1] + b[3]) / 2), (b[2], (b[1] + b[3]) / 2)


def registration(placed: list[Placed], width: int, height: int) -> np.ndarray | None:
    """A 2x3 similarity transform from the template's page (fractions times this page's size) to this page's
    pixels, fitted with RANSAC to the ends of the lines both print; None when too few or too bunched."""
    if len(placed) < MIN_PLACED:
        return None
    ys = [p.anchor.box[1] for p in placed]
    if max(ys) - min(ys) < MIN_SPREAD:
        return None
    src, dst = [], []
    for p in placed:
        a = p.anchor.box
        ay = (a[1] + a[3]) / 2 * height
        start, end = _ends(p.line)
        # Lines start at the margin however a paragraph wraps; they end where their words do, so a line's end
        # is used only when it prints nothing but the anchor (no name or code of its own).
        src.append((a[0] * width, ay))
        dst.append(start)
        if p.whole:
            src.append((a[2] * width, ay))
            dst.append(end)
    cv2.setRNGSeed(7)  # RANSAC draws samples: the same page gives the same fit
    t, inliers = cv2.estimateAffinePartial2D(np.array(src, np.float32), np.array(dst, np.float32), method=cv2.RANSAC,
                                             ransacReprojThreshold=RANSAC_PX * width, maxIters=2000)
    if t is None or inliers is None or int(inliers.sum()) < MIN_PLACED:
        return None
    scale = float(np.hypot(t[0, 0], t[1, 0]))
    return t if 0.5 <= scale <= 2.0 else None


A4_MM = (210.0, 297.0)
PAPER_ASPECT = 0.02
"""How far (as a ratio less one) a specimen's height over width may be from A4's for it to be taken as A4."""


def paper_mm(dpi, width: int, height: int) -> tuple[float, float] | None:
    """A specimen's page in millimetres: from the resolution its file records (`dpi`, PIL's (x, y) or None), else A4
    when it has A4's shape (the packs' specimens are A4 pages at 100 dpi with no resolution recorded); None
    otherwise."""
    if dpi and float(dpi[0]) > 1 and float(dpi[1]) > 1:
        return width / float(dpi[0]) * 25.4, height / float(dpi[1]) * 25.4
    if abs(height / max(width, 1) / (A4_MM[1] / A4_MM[0]) - 1) <= PAPER_ASPECT:
        return A4_MM
    return None


PAPER_MIN_INLIERS = 6
"""Line ends that must agree with a page's perspective fit to its template before it gives the paper's scale."""


def paper_homography(placed: list[Placed], paper: tuple[float, float]) -> np.ndarray | None:
    """A 3x3 perspective transform from the template's paper (millimetres) to this page's pixels, fitted with RANSAC
    to the ends of the lines both print; None when too few agree or they are too bunched. A phone photo foreshortens
    the sheet, so one scale for the page is off by up to 8% where the seal is (fresh seed 1205's genuine
    photographed letters measured 0.92-1.16 of their registered size through a similarity, 0.98-1.04 through this)."""
    if len(placed) < MIN_PLACED or max(p.anchor.box[1] for p in placed) - min(p.anchor.box[1] for p in placed) \
            < MIN_SPREAD:
        return None
    src, dst = [], []
    for p in placed:
        a = p.anchor.box
        ay = (a[1] + a[3]) / 2 * paper[1]
        start, end = _ends(p.line)
        src.append((a[0] * paper[0], ay))
        dst.append(start)
        if p.whole:
            src.append((a[2] * paper[0], ay))
            dst.append(end)
    if len(src) < PAPER_MIN_INLIERS:
        return None
    src_a, dst_a = np.array(src, np.float32), np.array(dst, np.float32)
    cv2.setRNGSeed(7)
    sim, _ = cv2.estimateAffinePartial2D(src_a, dst_a, method=cv2.RANSAC, maxIters=2000,
                                         ransacReprojThreshold=RANSAC_PX * paper[0])
    if sim is None:
        return None
    px_per_mm = float(np.hypot(sim[0, 0], sim[1, 0]))
    cv2.setRNGSeed(7)
    h, inliers = cv2.findHomography(src_a, dst_a, cv2.RANSAC, RANSAC_PX * paper[0] * px_per_mm, maxIters=2000)
    if h is None or inliers is None or int(inliers.sum()) < PAPER_MIN_INLIERS:
        return None
    return h


def on_paper(h: np.ndarray, center: tuple[float, float], axes: tuple[float, float],
             angle: float) -> tuple[float, float] | None:
    """A page ellipse's axes (its full width and height) on the template's paper, in millimetres, through `h`."""
    t = np.linspace(0.0, 2 * np.pi, 72, endpoint=False)
    a, b, th = axes[0] / 2, axes[1] / 2, np.radians(angle)
    pts = np.stack([center[0] + a * np.cos(t) * np.cos(th) - b * np.sin(t) * np.sin(th),
                    center[1] + a * np.cos(t) * np.sin(th) + b * np.sin(t) * np.cos(th)], axis=1)
    try:
        q = cv2.perspectiveTransform(pts[None].astype(np.float32), np.linalg.inv(h))[0]
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(q).all():
        return None
    (_, _), (w, hh), _ = cv2.fitEllipse(q)
    return round(float(max(w, hh)), 1), round(float(min(w, hh)), 1)


def to_template(t: np.ndarray, width: int, height: int, x: float, y: float) -> tuple[float, float]:
    """A page pixel in the template's coordinates (fractions of its page)."""
    inv = cv2.invertAffineTransform(t)
    u, v = inv @ np.array([x, y, 1.0])
    return float(u / width), float(v / height)


def _outside(box, x: float, y: float, tol: float) -> float:
    """How far (share of the page) a point lies outside a fractional box: 0 inside or within the tolerance."""
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    d = float(np.hypot(dx, dy))
    return d if d > tol else 0.0


def _inside(box, field_boxes) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(f[0] - 0.01 <= cx <= f[2] + 0.01 and f[1] - 0.005 <= cy <= f[3] + 0.005 for f in field_boxes)


class TemplateCheck(Check):
    """Which registered template a document follows, and where it departs from it."""

    id = "template"
    version = "9"  # 8: a speck read as a point inside a field does not break its pattern; 9: nor a dash read as one
    applies_to = ("authorization_letter", "purchase_invoice", "receipt", "business_license")

    def __init__(self) -> None:
        self._enrolled: dict[str, Enrolled] = {}
        self._last: LastWork[TemplateMatch | None] = LastWork()
        self._last_place: LastWork[Placement | None] = LastWork()
        self._last_paper: LastWork[np.ndarray | None] = LastWork()

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
                dpi = im.info.get("dpi")
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
        keys = [(ln, _key(ln.text, variables)) for ln in lines]
        counts: dict[str, int] = {}
        for _, k in keys:
            counts[k] = counts.get(k, 0) + 1
        marks = tuple(Anchor(ln.text, k, (ln.box[0] / w, ln.box[1] / h, ln.box[2] / w, ln.box[3] / h))
                      for ln, k in keys if len(k) >= 2 and counts[k] == 1)
        for phrase in spec.fixed_text:
            if not any(canonical(phrase) in a.key for a in anchors):
                anchors.append(Anchor(phrase, canonical(phrase), (0.0, 0.0, 0.0, 0.0)))
        if ctx.reader is not None and not anchors:
            raise PackError(f"{path}: template '{spec.id}' has no readable text; is it a document specimen?")
        enrolled = Enrolled(spec, tuple(anchors), marks, paper_mm(dpi, w, h))
        self._enrolled[key] = enrolled
        return enrolled

    def match(self, ctx: DocContext) -> TemplateMatch | None:
        """The best registered template of the document's kind (None: no brand, no template, no text)."""
        return self._last.get(lambda: self._match(ctx), ctx)

    def _match(self, ctx: DocContext) -> TemplateMatch | None:
        if ctx.brand is None or ctx.reader is None:
            return None
        specs = [t for t in ctx.brand.templates if t.kind == ctx.kind]
        variables = _doc_variables(ctx)
        # Paragraphs wrap differently when a name is longer, so anchors are sought in the whole text, not per line.
        doc_text = "".join(_key(ln.text, variables) for p in ctx.ocr for ln in p.lines)
        if not specs or not doc_text:
            return None
        best: TemplateMatch | None = None
        for spec in specs:
            enrolled = self._enrol(ctx, spec)
            if not enrolled.anchors:
                continue
            cand = compare(enrolled, doc_text)
            # Ties go to the template with more anchors: a bigger shared vocabulary is the stronger match.
            if best is None or (cand.score, cand.found) > (best.score, best.found):
                best = cand
        return best

    def placement(self, ctx: DocContext) -> Placement | None:
        """The first page registered to the matched template, with its seal placed (None: no template matched)."""
        return self._last_place.get(lambda: self._place(ctx), ctx)

    def _place(self, ctx: DocContext) -> Placement | None:
        m = self.match(ctx)
        if m is None or m.score < MIN_TEMPLATE_SCORE:
            return None
        page = ctx.document.pages[0]
        variables = _doc_variables(ctx)
        lines = [ln for p in ctx.ocr if p.page == 0 for ln in p.lines if ln.source == "page"]
        t = registration(placed_lines(m.template, lines, variables), page.width, page.height)
        if t is None:
            return Placement(False, None)
        spec = m.template.spec
        out: list[Misplaced] = []
        seal_offset = None
        # The specimens are one page: on a longer document the seal may be stamped on a later page, and page one
        # bears at most a cross-page seal (骑缝章) cut by its edge, so only one-page documents are judged, and
        # a seal the page's edge cuts is not a seal in the wrong place.
        judged = spec.seal_box is not None and len(ctx.document.pages) == 1
        seals = [o for o in analyse_seals(ctx) if o.page == 0 and o.shape.inside_page >= EDGE_SEAL] if judged else []
        if seals:
            # Any seal in its place will do: a letter may also bear a cross-page seal or a second company's.
            placed = []
            for o in seals:
                at = to_template(t, page.width, page.height, *o.shape.center)
                placed.append((_outside(spec.seal_box, *at, SEAL_TOL), at, o))
            off, at, o = min(placed, key=lambda p: p[0])
            seal_offset = round(off, 4)
            if off > 0:
                out.append(Misplaced("seal", tuple(int(v) for v in o.box), (round(at[0], 3), round(at[1], 3)),
                                     tuple(float(v) for v in spec.seal_box), seal_offset))
        return Placement(True, seal_offset, tuple(out))

    def paper(self, ctx: DocContext) -> np.ndarray | None:
        """The first page's perspective transform from its matched template's paper (millimetres) to its pixels;
        None when no template matched, its paper's size is unknown, or too few lines place it."""
        return self._last_paper.get(lambda: self._paper(ctx), ctx)

    def _paper(self, ctx: DocContext) -> np.ndarray | None:
        m = self.match(ctx)
        if m is None or m.score < MIN_TEMPLATE_SCORE or m.template.paper_mm is None:
            return None
        lines = [ln for p in ctx.ocr if p.page == 0 for ln in p.lines if ln.source == "page"]
        return paper_homography(placed_lines(m.template, lines, _doc_variables(ctx)), m.template.paper_mm)

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
            if doubtful or any(_fits(PATTERNS.get(pattern), t) for t in _gap_reads(text, f.raw)):
                continue  # a doubtful read breaks any pattern
            box = f.box if f.box is not None else whole
            out.append(Finding(id="template.field_pattern", severity="medium", check=self.id,
                               page=f.page or 0, box=box,
                               message=f"The {name} '{text}' does not have the form template {spec.id} "
                                       f"prints ({pattern})", measured=text, expected=pattern))
        place = self.placement(ctx)
        for x in place.misplaced if place is not None else ():
            region = "[" + ", ".join(f"{v:.2f}" for v in x.expected) + "]"
            out.append(Finding(id="template.seal_outside", severity="high", check=self.id, page=0, box=x.box,
                               message=f"The seal is stamped at ({x.at[0]:.2f}, {x.at[1]:.2f}) of the page; "
                                       f"template {spec.id} places it within {region}, {x.offset:.0%} of the "
                                       "page away", measured=list(x.at), expected=list(x.expected)))
        if spec.status == "retired":
            out.append(Finding(id="template.retired", severity="medium", check=self.id,
                               message=f"Follows template {spec.id}, which {ctx.brand.id} has retired",
                               page=0, box=whole, measured=spec.id, expected="a current template"))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        m = self.match(ctx)
        if m is None:
            return {"template.match_score": None, "template.missing": None, "template.inversions": None,
                    "template.retired": None, "template.seal_offset": None}
        place = self.placement(ctx)
        return {"template.match_score": m.score, "template.missing": float(len(m.missing)),
                "template.inversions": float(m.inversions),
                "template.retired": 1.0 if m.template.spec.status == "retired" else 0.0,
                "template.seal_offset": place.seal_offset if place else None}

    def facts(self, ctx: DocContext) -> dict | None:
        """`doc.template`: id, match_score, deviations."""
        m = self.match(ctx)
        if m is None:
            return None
        place = self.placement(ctx)
        moved = [x.what for x in place.misplaced] if place else []
        return {"id": m.template.spec.id, "match_score": m.score, "status": m.template.spec.status,
                "registered": bool(place and place.registered),
                "deviations": [a.text for a in m.missing] + (["order"] if m.inversions else [])
                + [f"{w} outside its region" for w in moved]}


_PAPER_CHECK = TemplateCheck()
_paper_lock = threading.Lock()


def paper_transform(ctx: DocContext) -> np.ndarray | None:
    """`TemplateCheck.paper` for checks that measure in millimetres on a page without a scale (a phone photo): the
    seal check sizes a photographed seal through it."""
    if getattr(ctx, "brand", None) is None or getattr(ctx, "reader", None) is None or not getattr(ctx, "ocr", ()):
        return None
    if not any(t.kind == ctx.kind for t in ctx.brand.templates):
        return None
    with _paper_lock:
        return _PAPER_CHECK.paper(ctx)

"""Seal verification: find seals on pages, read and measure them, compare with the registered seals.

`analyse_seals(ctx)` does the work once per document (memoised by the document's sha256 and page
count) and is shared by the seal check and by `seal_facts(ctx)`, which feeds `doc.seals[]`.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appealcheck.models import Box
from appealcheck.seals.compare import (
    Enrolled,
    Registry,
    align,
    encode_impression,
    impression,
    ink_hash,
    sector_scores,
    signature,
)
from appealcheck.seals.find import SealShape, find_seals
from appealcheck.seals.measure import Geometry, InkStats, geometry, ink_stats, px_per_mm, size_mm
from appealcheck.seals.read import SealText, read_seal, taxpayer_no, taxpayer_part
from appealcheck.seals.registry import registry_names, registry_patterns

if TYPE_CHECKING:
    from appealcheck.checks.interface import DocContext

MAX_SEALS_PER_PAGE = 6
"""Seals read per page at most (the largest first): bounds the OCR time of a page full of stamps."""


@dataclass(frozen=True, eq=False)
class SealMatch:
    """The registered seal closest to an observed one."""

    spec_id: str
    text_similarity: float
    """0..100, read ring text against the registered text after canonical forms."""
    image_score: float
    """0..1, polar correlation after rotation alignment."""
    min_sector: float
    """Lowest correlation of one angular sector: a single re-engraved character lowers it."""
    rotation: float


@dataclass(frozen=True, eq=False)
class SealObservation:
    """One seal on one page with everything measured about it."""

    shape: SealShape
    text: SealText | None
    size_mm: tuple[float, float] | None
    ink: InkStats | None
    match: SealMatch | None
    """Best registered seal (None without a brand pack or registered seals)."""
    ink_hash: str
    impression: str = ""
    """Ink-pressure pattern (`compare.impression`), encoded: pasted copies of one impression share it."""
    geometry: Geometry | None = None
    """Star and ring width as shares of the radius (`measure.geometry`); None on a colourless page or a small seal."""
    size_by: str | None = None
    """How `size_mm` was measured: 'dpi' (the page's resolution) or 'template' (a photo registered to the template
    its document follows, `checks.template.paper_transform`)."""

    @property
    def page(self) -> int:
        """Page index."""
        return self.shape.page

    @property
    def box(self) -> Box:
        """Page-pixel box."""
        return self.shape.box


_registry = Registry()
_memo: OrderedDict[tuple, list[SealObservation]] = OrderedDict()
_memo_lock = threading.Lock()
_MEMO_SIZE = 32


def _photographed(ctx: DocContext) -> bool:
    return bool(ctx.document.info.camera)


def _ocr_enabled(ctx: DocContext) -> bool:
    """Seal text is read unless the scan runs without OCR (engine 'none', used by fast tests)."""
    reader = getattr(ctx, "reader", None)
    return reader is None or getattr(reader.engine, "name", "") != "none"


def licence_code(ctx: DocContext) -> str | None:
    """The licence's own credit code when it was read with a valid check character (its region is then sure)."""
    from stdnum.cn import uscc as cn_uscc

    fv = ctx.fields.get("uscc") if ctx.fields else None
    code = fv.value if fv is not None and isinstance(fv.value, str) else None
    return cn_uscc.compact(code) if code and cn_uscc.is_valid(code) else None


def enrolled(ctx: DocContext) -> dict[str, Enrolled]:
    """The brand pack's registered seals, enrolled (PackError names an unusable specimen)."""
    if ctx.brand is None or not ctx.brand.seals:
        return {}
    return _registry.enrol(ctx.brand)


def analyse_seals(ctx: DocContext) -> list[SealObservation]:
    """Every seal of the document, read, measured and matched; computed once per document."""
    # The kind decides what is read (an invoice seal's middle line), so it is part of the key.
    key = (ctx.document.info.sha256, len(ctx.document.pages), ctx.brand.id if ctx.brand else None,
           ctx.brand.version if ctx.brand else None, _ocr_enabled(ctx), ctx.kind)
    with _memo_lock:
        if key in _memo:
            return _memo[key]
    result = _analyse(ctx)
    with _memo_lock:
        _memo[key] = result
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return result


def _analyse(ctx: DocContext) -> list[SealObservation]:
    reg = enrolled(ctx)
    specs = {s.id: s for s in ctx.brand.seals} if ctx.brand else {}
    read = _ocr_enabled(ctx)
    texts = tuple(dict.fromkeys(s.text for s in specs.values() if s.text))
    if ctx.kind == "business_license":
        # A licence bears its registry's seal, never the brand's: the texts to expect come from its credit code.
        code = licence_code(ctx)
        texts = registry_names(code) + registry_patterns(code)
    out = []
    for page in ctx.document.pages:
        scale = px_per_mm(page, _photographed(ctx))
        paper = _paper(ctx) if scale is None and page.index == 0 and read else None
        for shape in find_seals(page.image, page.index, dpi=page.dpi)[:MAX_SEALS_PER_PAGE]:
            match = _match(page.image, shape, reg, specs)
            text = read_seal(page.image, shape, want_center=True,
                             want_code=bool(match and specs[match.spec_id].code),
                             want_middle=ctx.kind == "purchase_invoice" and shape.shape == "ellipse",
                             expected=texts) if read else None
            size, size_by = size_mm(shape, scale), "dpi" if scale else None
            if size is None and paper is not None:
                size, size_by = _paper_size(paper, shape), "template"
            if match is not None and text is not None:
                match = _rematch_text(match, text, page.image, shape, reg, specs, size, size_by == "template")
            pattern = impression(page.image, shape, match.rotation if match else None)
            out.append(SealObservation(shape, text, size, ink_stats(page.image, shape), match,
                                       ink_hash(page.image, shape), encode_impression(pattern),
                                       geometry(page.image, shape), size_by if size else None))
    return out


def _paper(ctx: DocContext):
    """The first page's transform from its template's paper in millimetres (`checks.template.paper_transform`)."""
    # Imported here: appealcheck.checks.template imports this package (it places the seals).
    from appealcheck.checks.template import paper_transform

    return paper_transform(ctx)


def _paper_size(paper, shape: SealShape) -> tuple[float, float] | None:
    """A seal's size in millimetres on its template's paper, through `paper` (`_paper`)."""
    from appealcheck.checks.template import on_paper

    return on_paper(paper, shape.center, shape.axes, shape.angle)


def _match(image, shape: SealShape, reg: dict[str, Enrolled], specs: dict) -> SealMatch | None:
    if not reg:
        return None
    sig = signature(image, shape)
    best = None
    for sid, e in reg.items():
        score, rot = align(sig, e.sig)
        if best is None or score > best[0]:
            best = (score, rot, sid, e)
    score, rot, sid, e = best
    sectors = sector_scores(sig, e.sig, rot)
    return SealMatch(sid, 0.0, round(score, 3), round(float(sectors.min()), 3), round(rot, 1))


ROUND_BELOW, OVAL_ABOVE = 1.1, 1.25
"""Fitted axis ratios below which an impression is plainly round and above which it is plainly oval; between them
the outline may be either (a faint arc fits a round seal as 42.9 x 36.9 mm, ratio 1.16, A-401-000044)."""


def plain_shape(shape: SealShape) -> str | None:
    """'circle' or 'ellipse' when the fitted outline says so plainly, else None."""
    return _plain(shape.axes[0] / max(shape.axes[1], 1e-6))


def _plain(ratio: float) -> str | None:
    return "circle" if ratio < ROUND_BELOW else "ellipse" if ratio > OVAL_ABOVE else None


def outline_ratio(o: SealObservation) -> float:
    """Width over height of a seal's outline: on its template's paper when it was sized there, else on the page. A
    photo foreshortens the sheet, and a round seal photographed at a slant is an oval on the page: A-1207-000095's
    border ring, cut twice as wide, fitted 170 x 154 px (1.10) and was not judged; on the paper it is 42.1 x 41.9 mm."""
    if o.size_by == "template" and o.size_mm:
        return max(o.size_mm) / max(min(o.size_mm), 1e-6)
    return o.shape.axes[0] / max(o.shape.axes[1], 1e-6)


def plain_outline(o: SealObservation) -> str | None:
    """`plain_shape` of the seal's outline as `outline_ratio` measures it."""
    return _plain(outline_ratio(o))


def _size_off(size: tuple[float, float] | None, want) -> float:
    """How far a measured size is from a registered one (summed log ratios of the sorted axes); 0 when unknown."""
    if not size or not want:
        return 0.0
    return sum(abs(math.log(max(a, 1e-3) / max(b, 1e-3))) for a, b in zip(sorted(size), sorted(want), strict=True))


def _centre_agrees(read: str, registered: str | None) -> float:
    """How well a seal's centre as read agrees with a registered seal's centre text, 0..100. Nothing read there
    agrees with a seal that has no centre text: a round seal re-engraved in another face, its centre blank, had
    matched its entity's contract seal (合同专用章) by image, not its official seal, and its span went unjudged
    (A-1175-000058). Genuine contract seals of seeds 1175 and 1201 had their centre read, 19 of 19; genuine round
    seals without centre text read something there on 1 of 291."""
    from rapidfuzz import fuzz

    from appealcheck.checks.names import canonical

    want = canonical(registered or "")
    if not read:
        return 0.0 if want else 100.0
    return fuzz.ratio(read, want)


TIE_READ = 60
"""Similarity the ring must read at before the fitted shape and centre text choose between registered seals that
carry one text: an unread ring ties every seal at 0, and the image match decides then."""


def _rematch_text(match: SealMatch, text: SealText, image, shape, reg, specs,
                  size: tuple[float, float] | None = None, on_paper: bool = False) -> SealMatch:
    """Prefer the registered seal whose text the ring reads as, when the image match is not decisive."""
    from rapidfuzz import fuzz

    # Imported here: appealcheck.checks imports this package (the seal check), so a top-level import
    # of appealcheck.checks.names would be circular when appealcheck.seals is imported first.
    from appealcheck.checks.names import canonical

    read = canonical(text.ring)
    sims = {sid: fuzz.ratio(read, canonical(specs[sid].text or "")) for sid in reg}
    top = max(sims.values())
    tied = [k for k in sims if sims[k] == top]
    sig = signature(image, shape) if len(tied) > 1 or tied[0] != match.spec_id else None
    if len(tied) > 1 and not (read and top >= TIE_READ):
        best_sid = match.spec_id if match.spec_id in tied else max(tied, key=lambda k: align(sig, reg[k].sig)[0])
    elif len(tied) > 1:
        # One entity's seals carry the same ring text (official, contract, invoice): the one of the fitted shape
        # where the outline is plain (an oval is the invoice seal), else the one of the measured size, then the one
        # whose centre agrees with what was read there, then the better image (A-103-000244: a grey oval invoice
        # seal was taken for the round official seal, its size called wrong; A-401-000044: a round seal fitted
        # 42.9 x 36.9 mm was taken for the 40 x 30 mm invoice seal).
        center = canonical(text.center or "")
        aligned = {k: align(sig, reg[k].sig) for k in tied}
        # A photo's seal sized on its template's paper is judged round or oval there (see `outline_ratio`).
        plain = _plain(max(size) / max(min(size), 1e-6)) if on_paper and size else plain_shape(shape)
        best_sid = max(tied, key=lambda k: (specs[k].shape == plain if plain else -_size_off(size, specs[k].size_mm),
                                            _centre_agrees(center, specs[k].center_text), aligned[k][0]))
    else:
        best_sid = tied[0]
    if best_sid != match.spec_id:
        score, rot = align(sig, reg[best_sid].sig)
        sectors = sector_scores(sig, reg[best_sid].sig, rot)
        return SealMatch(best_sid, round(sims[best_sid], 1), round(score, 3), round(float(sectors.min()), 3),
                         round(rot, 1))
    return SealMatch(match.spec_id, round(sims[match.spec_id], 1), match.image_score, match.min_sector,
                     match.rotation)


def seal_facts(ctx: DocContext) -> list[dict[str, Any]]:
    """`doc.seals[]` facts: one dict per seal found on the document."""
    out = []
    for o in analyse_seals(ctx):
        m = o.match
        out.append({
            "page": o.page, "box": list(o.box), "shape": o.shape.shape, "ink": o.shape.ink,
            "size_mm": list(o.size_mm) if o.size_mm else None,
            "text": o.text.ring if o.text else None, "center_text": o.text.center if o.text else None,
            "code": o.text.code if o.text else None,
            "lines": list(o.text.lines) if o.text else [],
            "taxpayer_no": taxpayer_no(o.text.middle) if o.text else None,
            "matched_seal": m.spec_id if m and is_match(m, o.text) else None,
            "match_score": m.image_score if m else None,
            "text_similarity": m.text_similarity if m else None,
            "partial": o.shape.inside_page < 0.97,
            "impression": o.impression,
            "impression_ref": m.spec_id if m else None,
            "ink_spread": o.ink.ink_spread if o.ink else None,
            "ring_variation": o.ink.ring_variation if o.ink else None,
            "text_under_hidden": o.ink.text_under_hidden if o.ink else None,
            "star": o.geometry.star if o.geometry else None,
            "ring_width": o.geometry.ring_width if o.geometry else None,
            "text_span": o.text.text_span if o.text else None,
        })
    return out


IMAGE_MATCH = 0.5
"""Image score above which a seal is taken as an impression of the registered seal (tuned on the corpus)."""


TEXT_MATCH = 85.0
"""Text similarity from which the ring reads as the registered text (OCR slips included)."""


def is_match(m: SealMatch, text: SealText | None = None) -> bool:
    """The seal is an impression of the registered one.

    Seals of one layout correlate well whatever their text, so a confident reading decides; the
    image decides only when the ring could not be read.
    """
    if text is not None and text.ring_score >= 0.8 and len(text.ring) >= 6:
        return m.text_similarity >= TEXT_MATCH
    return m.image_score >= IMAGE_MATCH


__all__ = ["IMAGE_MATCH", "SealMatch", "SealObservation", "analyse_seals", "enrolled", "is_match", "licence_code",
           "outline_ratio", "plain_outline", "plain_shape", "seal_facts", "taxpayer_no", "taxpayer_part"]

"""Seal verification against the brand's registered seals (issue 4).

Every seal on every page is found, read, measured and compared with the registered seals of the
brand pack (see appealcheck/seals/). Findings say what disagrees, with the seal's box.
"""

from __future__ import annotations

import math
import re

import numpy as np
from rapidfuzz.distance import Levenshtein
from stdnum.cn import uscc as cn_uscc

from appealcheck.checks.capture import not_a_photo
from appealcheck.checks.interface import Check, DocContext
from appealcheck.checks.names import (
    LOOKALIKE_PAIRS,
    best_match,
    canonical,
    is_same,
    lookalike_swaps,
    swapped_pairs,
)
from appealcheck.checks.parties import NEAR_MISS, party_confirmed
from appealcheck.models import Finding
from appealcheck.seals import (
    IMAGE_MATCH,
    OVAL_ABOVE,
    ROUND_BELOW,
    TEXT_MATCH,
    SealObservation,
    analyse_seals,
    enrolled,
    is_match,
    licence_code,
    outline_ratio,
    plain_outline,
    plain_shape,
    seal_facts,
    taxpayer_no,
    taxpayer_part,
)
from appealcheck.seals.find import GREY_INKS, channel_min
from appealcheck.seals.measure import binarised
from appealcheck.seals.registry import is_registry_name, registry_names

ISSUER_FIELDS = {"authorization_letter": "licensor", "purchase_invoice": "seller_name"}
"""The field naming who must have stamped a document of each kind."""
ISSUER_CODES = {"authorization_letter": "licensor_uscc", "purchase_invoice": "seller_uscc"}
"""The field holding that issuer's printed code."""

TAXPAYER_FAR = 8
"""Characters (of 18) by which an invoice seal's taxpayer number must differ from the printed seller's before a
mismatch is claimed when either reading fails its check digit. On 155 genuine generated invoice seals (photos,
scans, PDFs) the small digits were read up to 6 characters off; another company's number differs in 10 or more
even when it shares the region prefix (91310115...)."""
RED_SHARE = 0.5
"""Share of a code's inked pixels that must be red (red over green and blue by 20 or more: faded seals on photos
are pink) for it to count as a seal's line rather than print; black print measures near 0."""
TAXPAYER_NEAR = 3
"""The same when both readings pass their check digits (a misread rarely yields a valid code)."""
PART_FAR_SHARE = 0.5
"""Share of a part-read number's characters that must differ from the seller's number, at the best place."""

PASTED_SPREAD = 0.15
"""Ink spread below which the ink is flat colour (genuine impressions measured >= 0.25 on the corpus)."""
UNREGISTERED_BELOW = 70.0
"""Text similarity to every registered seal below which a confidently read seal is unregistered."""
PASTED_RING_FLAT = 0.12
"""Ink variation round the border ring (`InkStats.ring_variation`) below which the ink is flat colour. On seed 619
(120 appeals of pasted seals) stamped impressions measured 0.25 and up on photos, 0.26 on screenshots, 0.29 on
scans; pasted ones 0.00-0.09 on every capture, photos included, where the ink's spread cannot tell them apart."""
PASTED_HIDDEN = 0.7
"""Share of the toner under the seal that must be hidden for flat ink to count as pasted."""
PASTED_RING_CHARS = 4
"""Ring characters that must be read before a seal is judged pasted (a company seal, not an app's stamp)."""
SIZE_TOLERANCE = 0.07
"""Relative difference of the seal's width from the registered width tolerated (engravers cut to ±1 mm)."""
SIZE_TOLERANCE_PHOTO = 0.1
"""The same for a photographed seal sized through its letter's template (`SealObservation.size_by` 'template'):
genuine photographed letters measured 0.965-1.050 of their registered size (the geometric mean of the axes) on seeds
1175, 1201, 1205, 1207 and 1211 (219 letters); a photo's blur widens the outline. Seals cut 0.82, 1.14 and 1.2 times
the size measured 0.81, 1.14 and 1.21 (seed 1175)."""
SIZE_EVEN = 0.1
"""On a colourless page, how far the two axes of a seal of another size may disagree on the scale (as a ratio less
one): a seal cut to another size is scaled evenly, and an outline fitted to a fax's half ring is short along both
axes by different amounts (fresh seed 1199, a faxed invoice oval: 35.9 x 22.8 mm for 40 x 30)."""
READ_CONFIDENT = 0.8
"""Ring-text recognition score from which a reading is trusted for a finding."""
PLAIN_NATS = 12.0
"""How much more likely (natural log) the ring strip must be with one character as read than as registered, every
other character registered, before that character counts as engraved differently (`SealText.differences`).
Measured on 614 genuine and 26 re-engraved seals of c1000 (appeals 0-499): genuine OCR slips of scans and PDFs
reached 10.8; 12 kept all 614 quiet. With every rule below as it ended, 9 of the 26 are found (the look-alike
table alone, as it was, 3), and 8 of 17 with 0 of 550 genuine flagged on appeals 500-999 (bench/RESULTS.md)."""
PLAIN_NATS_PHOTO = 30.0
"""The same on a photograph: a phone's blur and glare made a genuine 澜 read as 晨 by 21 nats."""
WHOLE_RING = 0.75
"""Share of the registered text's length a reading must have before it can name another company."""
MAX_CHANGED = 2
"""Characters plainly changed beyond which a ring is another name, not the registered one re-engraved."""
LOOKALIKE_NATS = 0.2
"""The same for a pair in LOOKALIKES shown by the ring's best reading (`seals.read.verify` keeps such a reading
however close the registered text scores), on any capture: the strip need only favour it, by more than a genuine
photographed registry seal's 市 read as 币 by 0.11 nats (fresh seed 997, A-997-000001; this was 0.1 then). Re-engraved
look-alikes on seeds 7 and 907 showed 0.54 nats and more. On 620 genuine seals of
seeds 631, 643, 659 and 683 (330 photographed or of unknown capture) no best reading showed a table partner in place
of a registered character, nor did any final reading of 879 genuine seals of those and seeds 641 and 661; their
misreads are OCR confusions outside the table (岚 as 岗, 澜 as 润, 市 as 飞). The recognizer rates the two
characters of a pair close: 币 engraved for 市 on registry seals scored 0.3-5.9 nats over it. Once, on a phone photo
of seed 117, a genuine 达 was read as 这 by 6.3 nats (A-117-000149). The table is the generator's own
(samples/values.py SIMILAR): a forger's swap outside it needs PLAIN_NATS."""


def ring_name(read: str) -> str:
    """The name part of a ring reading: digits and Latin letters are the security code (or print) read into it
    ('70方贸易有限公司' on a fax, A-117-000044)."""
    return re.sub(r"[0-9A-Za-z]", "", canonical(read))


def part_of_registered(read: str, texts) -> str | None:
    """The registered text a reading is a piece of, in ring order from any start: a ring unwrapped from the wrong
    gap reads '有限公司星岚' for 星岚（杭州）电器有限公司, a faint one '图电有限公司' for 澜图电子商务（成都）有限公司.
    Such a reading is the registered seal read badly, never another company's seal. One character may differ
    when eight or more were read."""
    from rapidfuzz.distance import LCSseq

    r = ring_name(read)
    if not r:
        return None
    for text in texts:
        c = canonical(text or "")
        if not c or len(r) > len(c) + 1:
            continue
        # One lap of the ring from each start: characters taken from two laps would make a reordered name (成都澜图…
        # for 澜图…（成都）) a piece of the registered one.
        need = len(r) - (1 if len(r) >= 8 else 0)
        if any(LCSseq.similarity(r, c[k:] + c[:k]) >= need for k in range(len(c))):
            return text
    return None


PART_LEAST = 4
"""Characters a piece of the ring must hold before a look-alike in it is judged (`part_swaps`)."""


def part_swaps(read: str, text: str) -> list[tuple[str, str]]:
    """(registered, read) look-alike pairs when a reading shorter than the registered text is a piece of it, in ring
    order from any start, but for one or two of LOOKALIKES' swaps: a faint ring re-engraved with 工 for 公 read
    '成都）有限工司' for 澜图电子商务（成都）有限公司 (A-683-000082). Of 85 genuine seals of six generated corpora
    read in part, none was a piece of its text with a look-alike in it; [] otherwise."""
    r, c = ring_name(read), canonical(text or "")
    if len(r) < PART_LEAST or len(r) >= len(c):
        return []
    lap = c + c
    found = [s for k in range(len(c)) if (s := swapped_pairs(lap[k:k + len(r)], r, MAX_CHANGED)) is not None]
    return min(found, key=len) if found else []


PART_SWAP_NATS_PHOTO = 1.0
"""On a photograph (any file that names no scanner), how much more likely the strip must be with a look-alike than
with the registered character (`SealText.swap_gains`) before a ring read in part counts as re-engraved. A genuine
photographed 星岚科技 seal read in part as '岚料技（杭州有限公司', 科 as 料 by 0.61 nats, and scored 0.99
(A-907-000189). Re-engraved rings read in part on seeds 7 and 907 showed their look-alike by 2.38 (币 for 市,
A-907-000243) to 12.66 nats (工 for 公, A-907-000060). Whole readings are not held to it: there a re-engraved 币
showed by 0.54 on a photo (A-907-000196), as little as a genuine slip."""


def swap_shown(t) -> dict[tuple[str, str], float]:
    """(registered, read) look-alike pair -> the most nats by which the strip showed it (`SealText.swap_gains`)."""
    gains: dict[tuple[str, str], float] = {}
    for a, b, g in t.swap_gains:
        gains[(a, b)] = max(g, gains.get((a, b), g))
    return gains


def plainly_swapped(t, pairs: list[tuple[str, str]]) -> bool:
    """Whether the strip plainly shows every look-alike of `pairs` (PART_SWAP_NATS_PHOTO); False where it was not
    asked."""
    gains = swap_shown(t)
    return all(gains.get(pair, 0.0) >= PART_SWAP_NATS_PHOTO for pair in pairs)


def flat_ink(ink) -> bool:
    """Whether a seal's ink is one flat colour: round its ring where that was measured (any capture), else over all
    its pixels. The ring decides when it can: a genuine screenshot's seal, smoothed by the screen's scale, spread
    its ink 0.13 but varied 0.28 round its ring like any stamp (fresh seed 1031, A-1031-000012), while pasted seals
    vary 0.00-0.09 round theirs on every capture, whatever their spread (0.07-0.49 on seeds 907 and 1031)."""
    if ink.ring_variation is not None:
        return ink.ring_variation < PASTED_RING_FLAT
    return ink.ink_spread < PASTED_SPREAD


def pasted_severity(ink, text, binarised: bool) -> str | None:
    """'high' for flat ink that hides the print under it, 'medium' for flat ink whose hiding cannot be judged or
    is not seen, on a company seal whose ring text reads; None otherwise.

    Flat ink alone is not enough: app-drawn stamps (payment vouchers) are flat and genuine. A pasted cut-out also
    covers the text under it; ink stamped over text lets it show through. But an app draws its stamp over the
    screen's text too (7 of the 126 real Alipay and bank voucher stamps in realdata hid it): those stamps carry
    their words in straight rows, not round a ring, so a seal whose ring does not read as text is not judged.
    A ring read as four characters of noise is no ring: an Alipay stamp (realdata stamp_89.jpg) read '国三三长' at
    0.75 once its ring was judged flat, and another (stamp_118.jpg), flat all over, '成化国一' at 0.58 once ovals
    were unwrapped along the oval; the pasted seals of seed 619 read at 0.84 and up, the 23 found of seeds 1173
    and 1183 at 0.94 and up.
    Without the print test, flat ink with a readable ring is a 'medium' sign. That is the case on greyscale
    scans, where seal ink is as dark as toner and hiding cannot be measured: seed 7's three pasted seals on grey
    scans measured 0.06-0.09 spread, its 32 genuine ones 0.19 and up. A binarised page (a fax) makes every seal
    flat: there flatness proves nothing."""
    if ink is None or not flat_ink(ink):
        return None
    if text is None or len(canonical(text.ring)) < PASTED_RING_CHARS:
        return None
    if text.ring_score < READ_CONFIDENT:
        return None  # the ring may be noise read as characters
    if ink.text_under_hidden is not None and ink.text_under_hidden >= PASTED_HIDDEN:
        return "high"
    return None if binarised else "medium"


STAR_SMALL, STAR_LARGE = 0.75, 1.3
"""Star radius over the registered seal's outside which the star was cut anew. Genuine letters and licences of seed
641 measured 0.89-1.14 of their specimen, photos included; stars re-cut at 0.6 and 1.45 times measured 0.53-0.64
and 1.41-1.42, and a missing star 0."""
RING_THIN, RING_THICK = 0.62, 1.75
"""Border ring width over the registered seal's outside which the ring was cut anew. Genuine seals of seed 641
measured 0.70-0.96 of their specimen on scans, screenshots and PDFs and 1.05-1.23 on photos (a phone's blur widens
a thin stroke); rings cut 0.45 and 2.2 times as wide measured 0.43-0.55 and 2.13-2.15."""
SPAN_OFF = 16.0
"""Degrees by which the ring text's span may differ from the registered seal's. Genuine seals of seed 641 read whole
were within 2.5 degrees; re-engraved rings with another font and spacing were 22.5-23.5 off. On seeds 1175, 1201 and
1207 genuine seals judged (294) were within 13 degrees (a PDF export, A-1201-000100; all others within 10.5), and
re-engraved rings 19.5-28.5 off: the 20 used until then missed A-1207-000027 (19.5)."""


MEANT_SIMILAR = 80.0
"""Text similarity from which a ring read with slips (under TEXT_MATCH) is still the registered seal it matches by
image. A photographed 深圳宏图鸿运贸易有限公司 read '深圳宏有鸡运贸易有限公司' (83), its border ring cut twice as
wide, and was judged for nothing (A-1207-000095); another company's name with the same ending scores about 65."""


def meant_as(m, t, spec) -> bool:
    """A seal whose ring did not read as the registered seal's is still measured against it (size, shape, star,
    ring, span) when its image matches and its reading is a piece of that seal's text (a photo's faint arc read
    '体育用品有限司' for 铂骏（广州）体育用品有限公司, A-641-000021) or that text with slips (MEANT_SIMILAR): it
    claims to be that seal."""
    return t is not None and m.image_score >= IMAGE_MATCH and (
        part_of_registered(t.ring, [spec.text]) is not None or m.text_similarity >= MEANT_SIMILAR)


CODE_LEAST = 10
"""Characters of a seal's security code that must be read before the code alone can say which registered seal it is."""


def same_code(t, spec) -> bool:
    """Whether the security code along the seal's bottom arc reads as `spec`'s, but for one character: the seal is that
    registered seal whatever its ring was read as. A genuine seal of 成都天成晨光贸易有限公司 on a PDF export read
    '成都天成展九月限公司' at 0.9 and more, its code 5101078625201 for 5101078625291 (fresh seed 971, A-971-000023).
    Another company's code shares at most its region's first six digits."""
    code = re.sub(r"\D", "", t.code or "") if t is not None else ""
    return bool(spec.code) and len(code) >= CODE_LEAST and Levenshtein.distance(code, spec.code) <= 1


def slips_only(t) -> bool:
    """Whether the strip was compared with a registered text (`SealText.against`) and every character the reading
    substitutes in it is an OCR slip, far under PLAIN_NATS: the registered seal misread, not another name. A genuine
    photographed 星岚科技（杭州）有限公司 read '星岗科技（机限公司' (岗 for 岚 by 0.52 nats) was called unregistered
    (fresh seed 1009, A-1009-000047). Another company's name differs by characters the strip plainly shows, or by
    more than `plain_differences` looks at, which leaves no differences."""
    return bool(t is not None and t.against and t.differences) and \
        all(g < PLAIN_NATS for _, _, _, g in t.differences)


def engraving(o: SealObservation, enr, spec) -> dict[str, float | None]:
    """The seal's star, ring width and text span against its registered specimen's: 'star' and 'ring_width' as
    ratios (0 for a missing star), 'text_span' as a difference in degrees. None where they cannot be compared: a
    colourless page, a seal that is not plainly round, lies partly off the page or is too small, a specimen without a
    star, a ring too faint, and a text span where the ring was not read whole and with confidence (a faint end
    loses its characters and its span with them: A-659-000004 read '达东方贸易有限公司' for 苏州恒达东方贸易有限公司
    and spanned 34 degrees short) or where the seal has a label in the middle (合同专用章), whose ends reach into the
    text's band and move its gap (a genuine contract seal, A-659-000054, spanned 255 degrees for its specimen's 291)."""
    out: dict[str, float | None] = {"star": None, "ring_width": None, "text_span": None}
    og = o.geometry
    eg = enr.geometry if enr is not None else None
    if og is None or eg is None or enr.shape.shape != "circle" or plain_outline(o) != "circle" \
            or o.shape.inside_page < 0.97:
        return out
    if eg.star > 0:
        out["star"] = round(og.star / eg.star, 3)
    if og.ring_width and eg.ring_width:
        out["ring_width"] = round(og.ring_width / eg.ring_width, 3)
    t = o.text
    # The span only of a ring read as the registered text, in its order, and round on the page itself. A photo's
    # ring read from the middle of its name ('电器有限公司星岚杭州' for 星岚（杭州）电器有限公司, A-1201-000019) had its
    # gap inside the text and spanned 339 degrees; on a photo slanted into a 1.15 oval, a ring read whole spanned
    # 317 for 247 (A-1201-000035).
    if t is not None and t.ring_score >= READ_CONFIDENT and t.text_span > 0 and not spec.center_text \
            and o.match is not None and o.match.text_similarity >= TEXT_MATCH and plain_shape(o.shape) == "circle":
        if len(ring_name(t.ring)) >= len(ring_name(spec.text or "")):
            out["text_span"] = round(t.text_span - (360.0 - enr.gap[1]), 1)
    return out


def engraving_offs(e: dict[str, float | None]) -> dict[str, float | None]:
    """How far each is off, as model features: log ratios for star and ring (a missing star counts as a twentieth
    of the registered one), degrees for the span."""
    def log_off(v):
        return None if v is None else round(abs(float(np.log(max(v, 0.05)))), 3)

    span = e["text_span"]
    return {"seal.star_off": log_off(e["star"]), "seal.ring_width_off": log_off(e["ring_width"]),
            "seal.text_span_off": None if span is None else abs(span)}


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def plain_changes(t, photographed: bool) -> list[tuple[int, str, str, float]]:
    """The characters of a registered ring text the seal plainly shows engraved otherwise (see PLAIN_NATS): Chinese
    for Chinese only; a digit or letter in their place is the security code or print read into the ring."""
    if t is None or not t.against:
        return []
    plain = PLAIN_NATS_PHOTO if photographed else PLAIN_NATS
    changed = [(i, a, b, g) for i, a, b, g in t.differences if _cjk(a) and _cjk(b)
               and g >= (LOOKALIKE_NATS if frozenset((a, b)) in LOOKALIKE_PAIRS else plain)]
    # A forger re-engraving a seal changes a character or two; more is another name (seal.unregistered's case).
    return changed if len(changed) <= MAX_CHANGED else []


def _inside(u: dict, page: int, box) -> bool:
    x0, y0, x1, y1 = box
    bx0, by0, bx1, by1 = u["box"]
    return u["page"] == page and x0 <= (bx0 + bx1) / 2 <= x1 and y0 <= (by0 + by1) / 2 <= y1


def _across_middle(u: dict, o: SealObservation) -> bool:
    """Whether a code read on the page runs across a seal's middle, where an invoice seal prints its number."""
    x0, y0, x1, y1 = o.box
    bx0, by0, bx1, by1 = u["box"]
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    return u["page"] == o.page and abs(cx - (x0 + x1) / 2) <= 0.25 * (x1 - x0) and \
        abs(cy - (y0 + y1) / 2) <= 0.2 * (y1 - y0)


def red_ink(ctx: DocContext, u: dict) -> bool:
    """Whether a code read on the page is printed in red ink: a seal's line, not the invoice's black print."""
    if u["page"] >= len(ctx.document.pages):
        return False
    img = ctx.document.pages[u["page"]].image
    x0, y0, x1, y1 = (max(0, int(v)) for v in u["box"])
    crop = img[y0:y1, x0:x1].astype(np.int16)
    if crop.ndim != 3 or crop.size == 0:
        return False
    ink = channel_min(crop) < 170
    if ink.sum() < 20:
        return False
    redness = crop[:, :, 0] - np.maximum(crop[:, :, 1], crop[:, :, 2])
    return float((redness[ink] > 20).mean()) > RED_SHARE


def _codes_inside(ctx: DocContext, o) -> bool:
    """Whether the page's OCR read a whole code inside the seal's box."""
    found = ctx.fields.get("usccs")
    return found is not None and isinstance(found.value, list) and any(
        u.get("kind") == "uscc" and _inside(u, o.page, o.box) for u in found.value)


def _seller_code(ctx: DocContext, exclude) -> str | None:
    """The invoice seller's taxpayer code: the field, or else the one code printed on the page that is neither the
    buyer's nor `exclude`d (inside a seal; photos often lose the pairing of a code with its 纳税人识别号 label)."""
    for name in ("seller_uscc", "seller_taxpayer_read"):
        printed = ctx.fields.get(name)
        if printed is not None and isinstance(printed.value, str) and printed.value:
            return printed.value
    found = ctx.fields.get("usccs")
    buyer = ctx.fields.get("buyer_uscc")
    if found is None or not isinstance(found.value, list):
        return None
    others = set()
    for u in found.value:
        if u.get("kind") == "uscc" and u.get("valid") and not exclude(u) and \
                (buyer is None or u["code"] != buyer.value):
            others.add(u["code"])
    # With the buyer's code unread, two codes outside the seal could be either party's: nothing is judged.
    return others.pop() if len(others) == 1 and buyer is not None else None


def _issuer_misread(ctx: DocContext, read: str, entity: str) -> bool:
    """The issuer's name is a near miss of the seal's entity, and the licensor and seller checks take it for the
    OCR's slip (the entity's registered code or seal is on the document): 星岚 read as 星岗 on a genuine letter
    under 星岚's own seal (A-007-000293). Those checks own near misses; where they call one a look-alike company,
    this seal finding stands beside theirs."""
    # A name read word for word as another of the brand's own parties is that party, not a slip of this one: 星岚 has
    # 星岚（杭州）电器有限公司 and 星岚科技（杭州）有限公司, and a letter of the first stamped with the second's seal
    # was excused because that seal, the forgery itself, "confirmed" the second (A-907-000173).
    b = ctx.brand
    if b is not None and any(is_same(read, n) and not is_same(n, entity)
                             for n in [e.name for e in b.entities] + [d.name for d in b.distributors]):
        return False
    return best_match(read, [entity]).similarity >= NEAR_MISS and \
        party_confirmed(ctx, entity, ISSUER_CODES[ctx.kind])


def _others_seal(ctx: DocContext, t, specs) -> object | None:
    """The registered seal of an entity other than the document's issuer that a confident ring reading is a piece of
    (`part_of_registered`), when it is no piece of the issuer's own seals; None otherwise.

    A ring read in part cannot match a registered seal as a whole, and was then only ever judged as unregistered,
    which a part reading never is. But a part of another registered company's name is that company's seal: seed
    643's forged letters of 星岚 stamped with its distributor's seal read '70℃ 成都天成晨光贸易有限' on a fax (the code
    read into the ring, the last characters lost). The reading must hold three quarters of that seal's text."""
    field = ISSUER_FIELDS.get(ctx.kind)
    issuer = ctx.fields.get(field) if field else None
    if t is None or t.ring_score < READ_CONFIDENT or issuer is None or not isinstance(issuer.value, str) \
            or not issuer.value or (issuer.confidence or 1) < 0.9:
        return None
    own = [s.text for s in specs.values() if canonical(s.entity) == canonical(issuer.value)]
    # The issuer's own name as printed counts as its seal's text too: an issuer the pack does not register, or
    # whose name was read a character off, stamps with its own seal.
    if part_of_registered(t.ring, [*own, issuer.value]) is not None:
        return None
    name = ring_name(t.ring)
    for spec in specs.values():
        if canonical(spec.entity) == canonical(issuer.value) or not spec.text:
            continue
        if len(name) >= WHOLE_RING * len(canonical(spec.text)) and part_of_registered(t.ring, [spec.text]) \
                and best_match(issuer.value, [spec.entity]).similarity < NEAR_MISS:
            return spec
    return None


STRANGER_BELOW = 55.0
"""How like the issuer's name (best over the ring's starting points) a confident, whole reading that is no piece of
any registered seal or of the issuer's name may be before it names another company. Of 693 genuine letter and
invoice seals of six corpora, every such reading of eight or more characters scored 67 or more (a photo's
'润国电子商务（成都）有' for 澜图电子商务（成都）有限公司); 46 of 65 seals of other companies scored under 55."""
STRANGER_SCORE = 0.85
STRANGER_LEAST = 8


def _ring_likeness(read: str, name: str) -> float:
    """How like `name` a ring reading is, from whichever point of the ring the reading started."""
    r = ring_name(read)
    return max((best_match(r[i:] + r[:i], [name]).similarity for i in range(len(r))), default=0.0)


def _names_another(ctx: DocContext, t, specs) -> tuple[str, float] | None:
    """The issuer's name and the ring's likeness to it, when a confident reading of eight or more characters names
    a company that is neither the issuer nor any registered seal's: a seal the brand never registered (so no
    registered seal can be matched), e.g. a distributor's letter stamped with another company's seal (A-007-000286,
    a grey scan reading '70图上海).化妆品有限公司TE' for 深圳宏图鸿运贸易有限公司)."""
    field = ISSUER_FIELDS.get(ctx.kind)
    issuer = ctx.fields.get(field) if field else None
    if t is None or t.ring_score < STRANGER_SCORE or issuer is None or not isinstance(issuer.value, str) \
            or len(canonical(issuer.value)) < 6 or (issuer.confidence or 1) < 0.9 \
            or len(ring_name(t.ring)) < STRANGER_LEAST:
        return None
    if part_of_registered(t.ring, [*(s.text for s in specs.values()), issuer.value]) is not None:
        return None
    like = _ring_likeness(t.ring, issuer.value)
    return (issuer.value, like) if like < STRANGER_BELOW else None


class SealCheck(Check):
    """Seals present, readable, registered, of the right entity, size and shape, and not pasted."""

    id = "seal"
    version = "27"  # 10: a fax's taxpayer number compared only when it passes its check digit; a seal known by its
    # code; a look-alike in a ring read in part on a photo needs the strip to show it; another party's seal read in
    # part, or named word for word; a ring whose only substitutions are slips is never unregistered. 11: a look-alike
    # in the best reading needs LOOKALIKE_NATS of 0.2. 12: flat ink judged round the ring where it was measured.
    # 13: a middle line read in part is held to the seller's number; a colon or dash inside a number is a lost
    # character when nothing whole is read without it. 14: the middle line's ends found by a lighter cut (FAINT_INK)
    # 15: seals on colourless pages whose ring broke into dots (`find._broken_rings`); 16: and faxed invoice ovals,
    # and rings broken into several arcs; 17: a ring near a registered text read again wider (`read.WIDE_MARGIN`)
    # 18: a broken ring's centre also proposed at the radius its ink rings best (`find._outer_radius`); 19: no grey
    # outline that holds a QR code or barcode (`find._holds_code`); 20: a ring not read as registered is read again
    # with its faint ink stretched against the ink around it (`read._faint_reading`); 21: an oval's ring unwrapped
    # along the oval (`read._oval_strip`); 22: no seal judged pasted whose ring reads under READ_CONFIDENT; 23: an
    # oval's second reading also from a gap on its short axis; 24: a blank centre agrees with a seal without centre
    # text (`seals._centre_agrees`); 25: a photographed letter's seal sized through its template
    # (`template.paper_transform`); 26: a photographed seal judged round on its template's paper
    # (`seals.outline_ratio`); SPAN_OFF 16; a ring read with slips is the seal it matches by image (MEANT_SIMILAR);
    # 27: a ring read on its stretched faint side spans what the stretched ink spans (`read._faint_reading`)

    def run(self, ctx: DocContext) -> list[Finding]:
        obs = analyse_seals(ctx)
        specs = {s.id: s for s in ctx.brand.seals} if ctx.brand else {}
        out: list[Finding] = []
        for o in obs:
            out.extend(self._pasted(ctx, o))
            out.extend(self._taxpayer(ctx, o))
            if ctx.kind == "business_license":
                out.extend(self._registry(ctx, o))
                # A licence copy may also bear the brand's own seal ('与原件一致'): that one is checked as registered.
                if o.match is None or not is_match(o.match, o.text):
                    continue
            if o.match is None:
                continue
            out.extend(self._registered(ctx, o, specs))
        if ctx.kind == "purchase_invoice" and not any(f.id == "seal.taxpayer_mismatch" for f in out):
            out.extend(self._red_codes(ctx, obs))
        return out

    def _f(self, o: SealObservation, fid: str, severity: str, message: str, measured, expected) -> Finding:
        return Finding(id=fid, severity=severity, check=self.id, message=message, page=o.page, box=o.box,
                       measured=measured, expected=expected)

    def _taxpayer(self, ctx: DocContext, o: SealObservation) -> list[Finding]:
        """An invoice seal (发票专用章) carries its issuer's taxpayer number; it must be the invoice seller's."""
        middle = o.text.middle if o.text else ""
        if ctx.kind != "purchase_invoice" or not (taxpayer_no(middle) or taxpayer_part(middle)):
            return []
        if taxpayer_no(middle) is None and _codes_inside(ctx, o):
            return []  # the page's OCR read a whole number inside the seal: `_red_codes` judges that one
        seller = _seller_code(ctx, lambda u: _inside(u, o.page, o.box))
        fax = seller is not None and binarised(ctx.document.pages[o.page].image, o.box)
        return self.judge_middle(middle, seller, o.page, o.box, fax)

    def judge_middle(self, middle: str, seller: str | None, page: int, box, binarised_page: bool = False) \
            -> list[Finding]:
        """An invoice seal's middle line as read against the seller's printed number: whole, or read in part.
        Public for the table test (tests/seals/test_taxpayer_table.py), which holds the rule's cases."""
        seal_no = taxpayer_no(middle)
        part = taxpayer_part(middle) if seal_no is None else None
        if part is not None:
            return self._compare_part(part, seller, page, box, binarised_page)
        return self._compare_taxpayer(seal_no, seller, page, box, "Invoice seal", binarised_page)

    def _compare_part(self, part: str, seller: str | None, page: int, box, binarised_page: bool) -> list[Finding]:
        """A middle line read only in part is held to the seller's number wherever it could lie in it: a mismatch
        needs PART_FAR_SHARE of its characters to differ at the best place (on 477 genuine invoices of nine generated
        corpora, two seals were read in part, each the seller's number's start exactly; another region's
        company's number differed by 7 of 12). A
        company of the seller's own district shares the number's first 8 to 10 characters: its part is not told
        apart. Only against a seller's number that passes its check digit, and never on a fax, where a part proves
        nothing."""
        if seller is None or binarised_page or not cn_uscc.is_valid(seller.upper()):
            return []
        b = seller.upper()
        d = min(Levenshtein.distance(part, b[i:i + n]) for n in (len(part) - 1, len(part), len(part) + 1)
                for i in range(max(1, len(b) - n + 1)))
        if d < math.ceil(len(part) * PART_FAR_SHARE):
            return []
        return [Finding(id="seal.taxpayer_mismatch", severity="high", check=self.id, page=page, box=box,
                        message=f"Invoice seal's number was read in part, {part}, and appears nowhere in the invoice's "
                                f"seller {b} ({d} of its {len(part)} characters differ wherever it is laid)",
                        measured=part, expected=b)]

    def _red_codes(self, ctx: DocContext, obs: list[SealObservation]) -> list[Finding]:
        """The page's OCR also reads a seal's middle line when the seal itself was not found (faded ink, a
        seal over the form's red rules) or its own reading gave no number (an ellipse fitted askew cuts the
        line): a code in red ink outside every seal whose number was read is compared the same way."""
        found = ctx.fields.get("usccs")
        if found is None or not isinstance(found.value, list):
            return []
        read = [o for o in obs if o.text is not None and taxpayer_no(o.text.middle)]
        # A greyscale page has no red to tell the seal's line from the print: there a valid code across the middle
        # of a found seal whose own reading gave no number is the seal's (A-105-000184, a grey scan), unless it is
        # the buyer's. Valid only: an 18-digit bank account under the seal is read as a code too, never a valid one.
        grey = [o for o in obs if o.shape.ink == "grey" and o not in read]
        buyer = ctx.fields.get("buyer_uscc")
        red = [u for u in found.value if u.get("kind") == "uscc"
               and not any(_inside(u, o.page, o.box) for o in read)
               and (red_ink(ctx, u) or (u.get("valid") and any(_across_middle(u, o) for o in grey)
                                         and (buyer is None or u["code"] != buyer.value)))]
        if not red:
            return []
        seller = _seller_code(ctx, lambda u: u in red or any(_inside(u, o.page, o.box) for o in obs))
        out = []
        for u in red:
            what = "Red seal text" if red_ink(ctx, u) else "Text inside the seal"
            fax = seller is not None and binarised(ctx.document.pages[u["page"]].image, tuple(u["box"]))
            out.extend(self._compare_taxpayer(u["code"], seller, u["page"], tuple(u["box"]), what, fax))
        return out[:1]

    def _compare_taxpayer(self, seal_no: str | None, seller: str | None, page: int, box, what: str,
                          binarised_page: bool = False) -> list[Finding]:
        """A mismatch claimed only beyond what misreading explains (TAXPAYER_FAR, TAXPAYER_NEAR). On a black-and-white
        page (a fax) the seal's number must pass its check digit to be compared at all: the fax's dots turn its
        letters into digits, so a genuine 9131011544WHCXGCX7 read as 1131011544230760374, 9 of 18 apart (fresh
        seed 971, A-971-000005)."""
        if seal_no is None or seller is None or (binarised_page and not cn_uscc.is_valid(seal_no)):
            return []
        a, b = seal_no, seller.upper()
        d = Levenshtein.distance(a, b)
        both_valid = cn_uscc.is_valid(a) and cn_uscc.is_valid(b)
        if d < (TAXPAYER_NEAR if both_valid else TAXPAYER_FAR):
            return []
        return [Finding(id="seal.taxpayer_mismatch", severity="high", check=self.id, page=page, box=box,
                        message=f"{what} carries taxpayer no. {a}, but the invoice's seller is {b} "
                                f"({d} of {len(b)} characters differ)", measured=a, expected=b)]

    def _pasted(self, ctx: DocContext, o: SealObservation) -> list[Finding]:
        severity = pasted_severity(o.ink, o.text, binarised(ctx.document.pages[o.page].image, o.box))
        if severity is None:
            return []
        i = o.ink
        how = ("and it hides the print under it" if severity == "high" else
               "with a readable ring (whether it covers print could not be measured)")
        ring = "" if i.ring_variation is None else f", {i.ring_variation:.2f} round the ring"
        return [self._f(o, "seal.pasted", severity,
                        f"Seal ink is one flat colour (spread {i.ink_spread:.2f}{ring}) {how}; a stamped impression "
                        "varies with pressure: looks pasted from an image",
                        {"ink_spread": i.ink_spread, "ring_variation": i.ring_variation,
                         "text_under_hidden": i.text_under_hidden},
                        {"ink_spread": f">= {PASTED_SPREAD}", "ring_variation": f">= {PASTED_RING_FLAT}"})]

    def _registry(self, ctx: DocContext, o: SealObservation) -> list[Finding]:
        """A licence's seal is its registry's (seals/registry.py): near a name of its code's registry, but with a
        character plainly engraved otherwise, it is a made-up registry seal. Another region's real registry is no
        finding: a company that moves keeps its code and gets its new licence from the new registry."""
        t = o.text
        if t is None or not t.against:
            return []
        changed = plain_changes(t, not not_a_photo(ctx))
        if not changed:
            return []
        variant = list(canonical(t.against))
        for i, _a, b, _g in changed:
            if i < len(variant):
                variant[i] = b
        if is_registry_name(canonical(t.ring)) or is_registry_name("".join(variant)):
            return []
        code = licence_code(ctx) or ""
        what = "; ".join(f"character {i + 1} is {b} where it has {a} (the ring shows {b} {g:.0f} nats more likely)"
                         for i, a, b, g in changed)
        return [self._f(o, "seal.text_mismatch", "high",
                        f"Registry seal reads {t.ring}; the registry of the licence's region {code[2:8]} is "
                        f"{t.against}: {what}", t.ring, t.against)]

    def _registered(self, ctx: DocContext, o: SealObservation, specs) -> list[Finding]:
        m = o.match
        spec = specs[m.spec_id]
        t = o.text
        out: list[Finding] = []
        confident = t is not None and t.ring_score >= READ_CONFIDENT and len(canonical(t.ring)) >= 6
        # The table's swaps alone, only where the strip could not be asked (no per-character evidence).
        swaps = lookalike_swaps(t.ring, spec.text or "") \
            if t is not None and t.ring_score >= 0.6 and not t.differences else []
        if swaps:
            out.append(self._f(o, "seal.text_mismatch", "high",
                               f"Seal reads {t.ring}; registered seal {spec.id} reads {spec.text} "
                               f"(look-alike {', '.join(f'{a}→{b}' for a, b in swaps)})", t.ring, spec.text))
            return out
        changed = plain_changes(t, not not_a_photo(ctx))
        if changed:
            what = "; ".join(f"character {i + 1} is {b} where it has {a} (the ring shows {b} {g:.0f} nats more "
                             f"likely)" for i, a, b, g in changed)
            out.append(self._f(o, "seal.text_mismatch", "high",
                               f"Seal reads {t.ring}; registered seal reads {t.against}: {what}",
                               t.ring, t.against))
            return out
        part = part_swaps(t.ring, spec.text or "") if t is not None else []
        if part and not not_a_photo(ctx) and not plainly_swapped(t, part):
            part = []
        if part:
            shown = swap_shown(t)
            what = ", ".join(f"{b} for {a}" + (f" (the ring shows {b} {shown[(a, b)]:.1f} nats more likely)"
                                               if (a, b) in shown else "") for a, b in part)
            out.append(self._f(o, "seal.text_mismatch", "high",
                               f"Seal reads {t.ring}, a piece of registered seal {spec.id}'s text {spec.text} but "
                               f"with {what}: a look-alike engraved", t.ring, spec.text))
            return out
        if not is_match(m, t):
            other = _others_seal(ctx, t, specs)
            if other is not None:
                issuer_name = ctx.fields[ISSUER_FIELDS[ctx.kind]].value
                out.append(self._f(o, "seal.entity_mismatch", "high",
                                   f"Seal reads {t.ring}, which is registered seal {other.id} of {other.entity} "
                                   f"read in part, but the document is issued by {issuer_name}", other.entity,
                                   issuer_name))
                return out
            # Only the issuer's own seal belongs on a letter or an invoice; a licence bears the
            # registry's seal, which no brand registers.
            # Company names share their endings (贸易有限公司), so another company's seal still scores ~65.
            # A reading much shorter than the ring holds is a part read (A-113-000038, a photo: 成无成光贸易有 for
            # 成都天成晨光贸易有限公司): too little to say the name is another.
            if meant_as(m, t, spec) or same_code(t, spec):
                return self._cut(ctx, o, spec)
            whole = len(ring_name(t.ring)) >= WHOLE_RING * len(canonical(spec.text or "")) if t else False
            sure = confident and t.ring_score >= 0.9 and whole and not slips_only(t)
            if ctx.kind in ISSUER_FIELDS and sure and m.text_similarity < UNREGISTERED_BELOW \
                    and part_of_registered(t.ring, [s.text for s in specs.values()]) is None:
                out.append(self._f(o, "seal.unregistered", "high",
                                   f"Seal reads {t.ring}, which matches no registered seal of {ctx.brand.name}",
                                   t.ring, [s.text for s in specs.values()]))
                return out
            stranger = _names_another(ctx, t, specs)
            if stranger is not None:
                name, like = stranger
                out.append(self._f(o, "seal.entity_mismatch", "high",
                                   f"Seal reads {t.ring}: another company's name, neither the issuer {name} "
                                   f"({like:.0f}% alike) nor any registered seal of {ctx.brand.name}", t.ring, name))
            return out
        issuer = ctx.fields.get(ISSUER_FIELDS.get(ctx.kind, ""))
        if issuer is not None and isinstance(issuer.value, str) and issuer.value and \
                canonical(issuer.value) != canonical(spec.entity) and (issuer.confidence or 1) >= 0.9 \
                and (m.text_similarity >= 100 or m.image_score >= 0.85 or _others_seal(ctx, t, specs) is spec) \
                and not _issuer_misread(ctx, issuer.value, spec.entity):
            out.append(self._f(o, "seal.entity_mismatch", "high",
                               f"Seal is the registered seal of {spec.entity}, but the document is issued by "
                               f"{issuer.value}", spec.entity, issuer.value))
        out.extend(self._cut(ctx, o, spec))
        return out

    def _cut(self, ctx: DocContext, o: SealObservation, spec) -> list[Finding]:
        """Size, shape, star, border ring and text span against the registered seal's."""
        out: list[Finding] = []
        if o.size_mm and spec.size_mm and o.shape.inside_page >= 0.97:
            # A seal cut to another size is off along both axes, the same way; an outline fitted short along one
            # axis (a faint arc) is off along that one only: a genuine 40 x 30 mm invoice seal on a scan measured
            # 36.0 x 29.7 (A-007-000171).
            off = [w / want - 1 for w, want in zip(sorted(o.size_mm), sorted(spec.size_mm), strict=True)]
            even = o.shape.ink not in GREY_INKS or abs((1 + off[0]) / (1 + off[1]) - 1) <= SIZE_EVEN
            tolerance = SIZE_TOLERANCE_PHOTO if o.size_by == "template" else SIZE_TOLERANCE
            if all(abs(d) > tolerance for d in off) and off[0] * off[1] > 0 and even:
                how = " on the photo, scaled by the letter's template" if o.size_by == "template" else ""
                out.append(self._f(o, "seal.size_mismatch", "medium",
                                   f"Seal measures {o.size_mm[0]:.1f} x {o.size_mm[1]:.1f} mm{how}; registered seal "
                                   f"{spec.id} is {spec.size_mm[0]:.0f} x {spec.size_mm[1]:.0f} mm",
                                   list(o.size_mm), list(spec.size_mm)))
        ratio = outline_ratio(o)
        if o.shape.inside_page >= 0.97 and o.shape.ring_coverage >= 0.9 and (
                (spec.shape == "circle" and ratio > OVAL_ABOVE) or (spec.shape == "ellipse" and ratio < ROUND_BELOW)):
            out.append(self._f(o, "seal.shape_mismatch", "medium",
                               f"Seal is {'an ellipse' if ratio > 1.12 else 'a circle'}; registered seal "
                               f"{spec.id} is {'an ellipse' if spec.shape == 'ellipse' else 'a circle'}",
                               o.shape.shape, spec.shape))
        out.extend(self._engraving(ctx, o, spec))
        return out

    def _engraving(self, ctx: DocContext, o: SealObservation, spec) -> list[Finding]:
        """Star, border ring and text span cut unlike the registered seal's (a seal made by another engraver)."""
        enr = enrolled(ctx).get(spec.id)
        e = engraving(o, enr, spec)
        eg, og = (enr.geometry if enr else None), o.geometry
        out: list[Finding] = []
        star = e["star"]
        if star is not None and not STAR_SMALL <= star <= STAR_LARGE:
            what = "has no star" if og.star == 0 else f"has a star of radius {og.star:.2f} of the seal's"
            out.append(self._f(o, "seal.star_mismatch", "medium",
                               f"Seal {what}; registered seal {spec.id}'s star has radius {eg.star:.2f} of the seal's",
                               {"star_radius": og.star, "ratio": star}, {"star_radius": eg.star,
                                                                         "ratio": [STAR_SMALL, STAR_LARGE]}))
        ring = e["ring_width"]
        if ring is not None and not RING_THIN <= ring <= RING_THICK:
            out.append(self._f(o, "seal.ring_width_mismatch", "medium",
                               f"Seal's border ring is {og.ring_width:.3f} of its radius wide; registered seal "
                               f"{spec.id}'s is {eg.ring_width:.3f} ({ring:.2f} times)",
                               {"ring_width": og.ring_width, "ratio": ring},
                               {"ring_width": eg.ring_width, "ratio": [RING_THIN, RING_THICK]}))
        span = e["text_span"]
        if span is not None and abs(span) > SPAN_OFF:
            want = 360.0 - enr.gap[1]
            out.append(self._f(o, "seal.text_span_mismatch", "medium",
                               f"Seal's ring text spans {o.text.text_span:.0f} degrees; registered seal {spec.id}'s "
                               f"spans {want:.0f}", {"text_span": o.text.text_span},
                               {"text_span": want, "within": SPAN_OFF}))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        obs = analyse_seals(ctx)
        specs = {s.id: s for s in ctx.brand.seals} if ctx.brand else {}
        f: dict[str, float | None] = {"seal.count": float(len(obs))}
        keys = ("seal.text_similarity", "seal.image_score", "seal.min_sector", "seal.size_error_mm",
                "seal.ink_spread", "seal.edge_sharpness", "seal.text_under_hidden", "seal.ring_ink_variation",
                "seal.ring_read_score",
                "seal.lookalike_swaps", "seal.ring_coverage", "seal.ring_plain_nats", "seal.star_off",
                "seal.ring_width_off", "seal.text_span_off")
        f.update(dict.fromkeys(keys))
        if not obs:
            return f
        # The document's main seal: the largest one (the issuer's seal, not a small date stamp).
        o = obs[0]
        f["seal.ring_coverage"] = o.shape.ring_coverage
        if o.ink:
            f["seal.ink_spread"] = o.ink.ink_spread
            f["seal.edge_sharpness"] = o.ink.edge_sharpness
            f["seal.text_under_hidden"] = o.ink.text_under_hidden
            f["seal.ring_ink_variation"] = o.ink.ring_variation
        if o.text:
            f["seal.ring_read_score"] = o.text.ring_score
            # How plainly the ring shows a character other than the registered one: 0 when it reads as registered.
            cjk = [g for _, a, b, g in o.text.differences if _cjk(a) and _cjk(b)]
            if cjk:
                f["seal.ring_plain_nats"] = max(0.0, max(cjk))
            elif canonical(o.text.ring) in {canonical(x or "") for x in (
                    registry_names(licence_code(ctx)) if ctx.kind == "business_license"
                    else [s.text for s in specs.values()])}:
                f["seal.ring_plain_nats"] = 0.0
        m = o.match
        if m is not None:
            spec = specs[m.spec_id]
            f["seal.image_score"] = m.image_score
            f["seal.min_sector"] = m.min_sector
            if o.text:
                f["seal.text_similarity"] = m.text_similarity
                f["seal.lookalike_swaps"] = float(len(lookalike_swaps(o.text.ring, spec.text or "")))
            if o.size_mm and spec.size_mm:
                f["seal.size_error_mm"] = round(max(o.size_mm) - max(spec.size_mm), 2)
            if is_match(m, o.text) or meant_as(m, o.text, spec):
                f.update(engraving_offs(engraving(o, enrolled(ctx).get(m.spec_id), spec)))
        return f


__all__ = ["SealCheck", "enrolled", "lookalike_swaps", "seal_facts"]

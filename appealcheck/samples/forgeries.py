"""Forgery operations. Each turns a genuine document into a forged one and says what it touched.

Two families: *spec* operations change what is printed and re-render with the same seed (the
page differs from its genuine twin only where the change lands); *pixel* operations edit the
rendered page the way a forger edits a scan (copy characters, retype, paste a seal). Label
boxes come from the pixel difference with the genuine twin, so they cover every changed pixel.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image, ImageDraw

from . import seals as S
from . import values as V
from .brands import BRANDS
from .brands import brand as get_brand
from .documents import DocSpec, render
from .fonts import get_font
from .page import Rendered

OPS = (
    "seal_pasted",
    "seal_other_entity",
    "seal_text_altered",
    "seal_geometry",
    "field_copy_move",
    "field_retyped",
    "letter_reused",
    "wrong_template",
    "period_invalid",
    "uscc_bad_check",
    "invoice_math",
    "qr_mismatch",
    "licensor_unknown",
    "software_metadata",
    "serial_forger",
    "trademark_unknown",
    "receipt_locale",
    "store_unknown",
    "invoice_before_letter",
    "seal_taxpayer_wrong",
    "chain_broken",
)
"""Every forgery operation name that can appear in labels."""

EDIT_SOFTWARE = (
    "Adobe Photoshop CC 2019 (Windows)",
    "Adobe Photoshop 24.1 (Macintosh)",
    "美图秀秀",
    "PicsArt Photo Studio",
    "GIMP 2.10.34",
    "Adobe Acrobat Pro DC 23.1",
)


@dataclass(frozen=True)
class Forged:
    """The outcome of applying operations to a genuine spec."""

    twin: Rendered
    """The genuine page (same capture would apply)."""
    page: Rendered
    """The forged page."""
    spec: DocSpec
    """The forged spec (its fields are what is printed)."""
    ops: tuple[str, ...]
    software: str | None
    """Editing software written to the file's metadata, if the forger left it."""


def applicable(spec: DocSpec) -> list[str]:
    """Operations that make sense for this document."""
    k = spec.kind
    ops = ["field_copy_move", "field_retyped", "software_metadata"]
    if k == "authorization_letter":
        ops += [
            "seal_pasted",
            "seal_other_entity",
            "seal_text_altered",
            "seal_geometry",
            "letter_reused",
            "wrong_template",
            "period_invalid",
            "uscc_bad_check",
            "licensor_unknown",
        ]
        if cites_trademark(spec):
            ops.append("trademark_unknown")
        if spec.fields.get("parent_serial"):
            ops.append("chain_broken")
    elif k == "receipt":
        ops += ["receipt_locale", "store_unknown"]
    elif k == "purchase_invoice":
        ops += ["uscc_bad_check", "invoice_math"]
        if spec.seals:
            ops += ["seal_pasted", "seal_other_entity", "seal_text_altered"]
            if spec.seals[0].spec.middle_line:
                ops.append("seal_taxpayer_wrong")
        if spec.template.startswith("efapiao"):
            ops += ["qr_mismatch"]
    elif k == "business_license":
        ops += ["uscc_bad_check", "seal_text_altered"]
    return ops


# ------------------------------------------------------------------ spec operations


def _replace_seal(spec: DocSpec, new: S.SealSpec) -> DocSpec:
    return replace(spec, seals=(replace(spec.seals[0], spec=new),) + spec.seals[1:])


def seal_other_entity(spec: DocSpec, rng: random.Random) -> DocSpec:
    """Stamp with a real seal of an entity that is not the issuer."""
    own = spec.seals[0].spec
    cands = [s for b in BRANDS for s in b.seals if s.entity != own.entity and s.kind == own.kind]
    return _replace_seal(spec, rng.choice(sorted(cands, key=lambda s: s.id)))


def seal_text_altered(spec: DocSpec, rng: random.Random) -> DocSpec:
    """Re-engraved seal with one or two look-alike ring characters."""
    new = S.altered_text(spec.seals[0].spec, rng, rng.choice([1, 2]))
    if new.text == spec.seals[0].spec.text:  # nothing look-alike in the name: swap two characters
        t = list(new.text)
        t[1], t[2] = t[2], t[1]
        new = replace(new, text="".join(t))
    return _replace_seal(spec, new)


def seal_taxpayer_wrong(spec: DocSpec, rng: random.Random) -> DocSpec:
    """An invoice seal engraved with the issuer's name but a taxpayer number the forger made up."""
    region = rng.choice(sorted(V.REGIONS.values()))
    return _replace_seal(spec, replace(spec.seals[0].spec, middle_line=V.uscc(rng, region)))


def seal_geometry(spec: DocSpec, rng: random.Random) -> DocSpec:
    """A seal cut by the wrong engraver: size, star, font or ring width off."""
    s = spec.seals[0].spec
    which = rng.choice(["size", "star", "font", "ring"])
    if which == "size":
        k = rng.choice([0.82, 0.86, 1.14, 1.2])
        new = replace(s, size_mm=(s.size_mm[0] * k, s.size_mm[1] * k))
    elif which == "star":
        new = replace(s, star_scale=rng.choice([0.6, 1.45])) if rng.random() < 0.7 else replace(s, star=False)
    elif which == "font":
        new = replace(
            s, font="sans" if s.font != "sans" else "mono", span_deg=s.span_deg + rng.choice([-25, 25])
        )
    else:
        new = replace(s, ring_mm=s.ring_mm * rng.choice([2.2, 0.45]))
    return _replace_seal(spec, new)


def period_invalid(spec: DocSpec, rng: random.Random, submitted: dt.date) -> DocSpec:
    """Expired, reversed, impossible or over-long authorisation period."""
    f = dict(spec.fields)
    mode = rng.choice(["expired", "reversed", "impossible", "too_long"])
    if mode == "expired":
        end = submitted - dt.timedelta(days=rng.randint(10, 200))
        f["valid_to"] = V.cn_date(end)
    elif mode == "reversed":
        f["valid_to"] = V.cn_date(parse_cn_date(f["valid_from"]) - dt.timedelta(days=rng.randint(30, 300)))
    elif mode == "impossible":
        y = parse_cn_date(f["valid_to"]).year
        f["valid_to"] = f"{y}年{rng.choice(['02月30', '02月31', '04月31', '13月01', '06月31'])}日"
    else:
        f["valid_to"] = V.cn_date(parse_cn_date(f["valid_from"]) + dt.timedelta(days=365 * rng.choice([5, 8, 10])))
    f["period_fault"] = mode
    return replace(spec, fields=f)


def parse_cn_date(s: str) -> dt.date:
    return dt.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))


def uscc_bad_check(spec: DocSpec, rng: random.Random) -> DocSpec:
    """A USCC with a wrong check digit (typed by hand)."""
    key = {
        "authorization_letter": "licensee_uscc",
        "purchase_invoice": rng.choice(["seller_uscc", "buyer_uscc"]),
        "business_license": "uscc",
    }[spec.kind]
    f = dict(spec.fields)
    f[key] = V.bad_check(f[key], rng)
    return replace(spec, fields=f)


def invoice_math(spec: DocSpec, rng: random.Random) -> DocSpec:
    """Totals that do not add up, 大写 that disagrees with 小写, or a 合计 changed with its tax and total while
    the item lines above it still carry the first amount."""
    from .documents import qr_payload

    f = dict(spec.fields)
    total = int(round(float(f["total"]) * 100))
    r = rng.random()
    if r < 0.5:
        delta = rng.choice([100, 1000, 10000, 9000, 90]) * rng.choice([1, -1]) if total > 20000 else 1000
        if r < 0.2:
            # A careful forger: amount, tax at the printed rate, total and words all agree; only the lines (and the
            # QR code, which cannot be redrawn to pass the tax bureau's check) keep the invoice as it was issued.
            amount = int(round(float(f["amount"]) * 100)) + 100 * abs(delta)
            tax = int(round(amount * 0.13))
            f["qr_payload"] = qr_payload(f)
            f.update(amount=V.money(amount), tax=V.money(tax), total=V.money(amount + tax),
                     total_in_words=V.amount_in_words(amount + tax), math_fault="lines")
            return replace(spec, fields=f, options={**spec.options, "qr_payload": f["qr_payload"]})
        f["total"] = V.money(total + delta)
        f["total_in_words"] = V.amount_in_words(total + delta)  # forger fixed the words, not the sum
        f["math_fault"] = "sum"
    else:
        other = total + rng.choice([1000, 10000, 100000, -1000])
        f["total_in_words"] = V.amount_in_words(max(100, other))
        f["math_fault"] = "words"
    return replace(spec, fields=f)


def qr_mismatch(spec: DocSpec, rng: random.Random) -> DocSpec:
    """The QR code still carries the original invoice while the printed text was changed (or v.v.)."""
    from .documents import qr_payload

    f = dict(spec.fields)
    g = dict(f)
    if rng.random() < 0.5:
        g["amount"] = V.money(int(round(float(f["amount"]) * 100)) + rng.choice([1000, 5000, 20000]))
    else:
        g["invoice_no"] = f"{(int(f['invoice_no']) + rng.randint(1, 99999)) % 10**8:08d}"
    f["qr_payload"] = qr_payload(g)
    return replace(spec, fields=f, options={**spec.options, "qr_payload": f["qr_payload"]})


def licensor_unknown(spec: DocSpec, rng: random.Random) -> DocSpec:
    """A licensor the brand never heard of, with its own (genuine-looking) seal."""
    name, city = V.company(rng, trade=get_brand(spec.brand).trade)
    e_uscc = V.uscc(rng, V.REGIONS[city])
    f = dict(spec.fields, licensor=name, licensor_uscc=e_uscc)
    old = spec.seals[0].spec
    seal = replace(
        old,
        id="unregistered",
        entity=name,
        text=name,
        code=V.REGIONS[city] + f"{rng.randint(0, 9999999):07d}",
    )
    return _replace_seal(replace(spec, fields=f), seal)


def cites_trademark(spec: DocSpec) -> bool:
    """True when the letter's template prints the brand's trademark registration number."""
    t = next((t for t in get_brand(spec.brand).letters if t.id == spec.template), None)
    return t is not None and any("{trademark}" in c for c in t.clauses)


def trademark_unknown(spec: DocSpec, rng: random.Random) -> DocSpec:
    """A letter citing a registration number the brand does not hold: one digit off, or made up."""
    real = get_brand(spec.brand).trademarks[0]
    if rng.random() < 0.5:
        i = rng.randrange(1, len(real))
        new = real[:i] + rng.choice([d for d in "0123456789" if d != real[i]]) + real[i + 1 :]
    else:
        new = str(rng.randint(10_000_000, 59_999_999))
    return replace(spec, fields=dict(spec.fields, trademark=new))


_SYMBOL = {"GBP": "£", "USD": "$", "JPY": "¥", "CNY": "¥", "EUR": ""}


def receipt_locale(spec: DocSpec, rng: random.Random) -> DocSpec:
    """An overseas template filled with another country's habits: a foreign currency, or the date in another
    country's order (with a day past the 12th, so the order shows)."""
    f = dict(spec.fields)
    lang, cur = f["lang"], f["currency"]
    if rng.random() < 0.5:
        new = rng.choice([c for c in ("USD", "GBP", "EUR") if c != cur and not (lang == "ja" and c == "JPY")])

        def conv(s: str) -> str:
            digits = s.lstrip("£$¥€").replace(" ", "")
            if cur == "EUR":  # 1 234,56 -> 1,234.56
                digits = digits.replace(".", "").replace(",", ".")
            return ({"EUR": "€", "USD": "$", "GBP": "£"}[new]) + digits

        f["items"] = [dict(it, amount=conv(it["amount"])) for it in f["items"]]
        for k in ("subtotal", "tax", "total"):
            f[k] = conv(f[k])
        f["currency"] = new
        f["locale_fault"] = "currency"
    else:
        day, _, clock = f["date"].partition(" ")
        d = _receipt_day(day, lang, cur)
        d = d.replace(day=rng.randint(13, 28))
        us = lang == "en" and cur == "USD"
        order = "%d/%m/%Y" if us or lang in ("ja", "cn") else "%m/%d/%Y"
        f["date"] = d.strftime(order) + (f" {clock}" if clock else "")
        f["locale_fault"] = "date"
    return replace(spec, fields=f)


def _receipt_day(s: str, lang: str, cur: str) -> dt.date:
    if lang == "ja":
        y, rest = s.split("年")
        m, rest = rest.split("月")
        return dt.date(int(y), int(m), int(rest.rstrip("日")))
    if lang == "cn":
        return dt.date.fromisoformat(s)
    a, b, y = (int(x) for x in s.split("/"))
    return dt.date(y, a, b) if lang == "en" and cur == "USD" else dt.date(y, b, a)


def store_unknown(spec: DocSpec, rng: random.Random) -> DocSpec:
    """A receipt from a shop that does not sell the brand."""
    from .compose import OTHER_STORES

    name = rng.choice(OTHER_STORES[spec.fields["lang"]]).format(c=rng.choice(["上海", "杭州", "广州"]))
    return replace(spec, fields=dict(spec.fields, store=name))


def chain_broken(spec: DocSpec, rng: random.Random) -> DocSpec:
    """A distributor's letter that does not fit the brand's letter to that distributor: it cites another
    authorization serial, or grants beyond the distributor's own period."""
    f = dict(spec.fields)
    dist = next(d for d in get_brand(spec.brand).distributors if d.name == f["licensor"])
    if rng.random() < 0.5:
        head, _, num = f["parent_serial"].rpartition("-")
        f["parent_serial"] = f"{head}-{(int(num) + rng.randint(1, 900)) % 100000:05d}"
        f["chain_fault"] = "serial"
    else:
        f["valid_to"] = V.cn_date(dist.valid_to + dt.timedelta(days=rng.randint(30, 300)))
        f["chain_fault"] = "period"
    return replace(spec, fields=f)


def invoice_before_letter(spec: DocSpec, rng: random.Random, letter_start: dt.date) -> DocSpec:
    """An invoice dated before the seller's authorization began (stock bought before the seller was a reseller)."""
    issued = letter_start - dt.timedelta(days=rng.randint(20, 240))
    return replace(spec, fields=dict(spec.fields, issued_on=V.cn_date(issued)))


def wrong_template(spec: DocSpec, rng: random.Random) -> DocSpec:
    """Missing clause, moved blocks, the retired template, or the seal stamped where the brand never stamps it
    (over the clauses, or left of the signature block: a forger laying a seal image on a letter)."""
    b = get_brand(spec.brand)
    t = next(t for t in b.letters if t.id == spec.template)
    modes = ["drop_clause", "move_blocks"] + ([] if t.distributor else ["old_template"])
    mode = rng.choice(modes + (["seal_moved"] if spec.seals else []))
    if mode == "seal_moved":
        use = spec.seals[0]
        dx, dy = rng.choice([(-rng.uniform(85, 105), 0.0), (rng.uniform(-10, 10), -rng.uniform(95, 120))])
        return replace(spec, seals=(replace(use, dx=use.dx + dx, dy=use.dy + dy),) + spec.seals[1:])
    if mode == "drop_clause":
        return replace(spec, options={**spec.options, "drop_clause": rng.randrange(len(t.clauses))})
    if mode == "move_blocks":
        return replace(spec, options={**spec.options, "move_blocks": True})
    old = b.letter(distributor=False, current=False)
    return replace(
        spec,
        template=old.id,
        fields=dict(spec.fields, serial=spec.fields["serial"].replace(f"{b.en[:2]}-SQ-", f"{b.en[:2]}-")),
    )


# ------------------------------------------------------------------ pixel operations


def _bg(img: np.ndarray, box) -> tuple[int, int, int]:
    x0, y0, x1, y1 = box
    ring = np.concatenate(
        [img[max(0, y0 - 3) : y0, x0:x1].reshape(-1, 3), img[y1 : y1 + 3, x0:x1].reshape(-1, 3)]
    )
    if len(ring) == 0:
        return (255, 255, 255)
    return tuple(int(v) for v in np.median(ring, axis=0))


def _whiteout(img: np.ndarray, boxes, pad: int = 2) -> None:
    for b in boxes:
        x0, y0, x1, y1 = b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad
        img[y0:y1, x0:x1] = _bg(img, (x0, y0, x1, y1))


def _field_glyphs(page: Rendered, key: str):
    return [g for g in page.glyphs if g.field == key]


def copy_move(page: Rendered, key: str, new: str) -> Rendered:
    """Rebuild ``key`` from character images copied from elsewhere on the same page."""
    img = page.image.copy()
    olds = _field_glyphs(page, key)
    _whiteout(img, [g.box for g in olds])
    base = max(g.box[3] for g in olds)
    x = olds[0].box[0]
    gap = 1 if len(olds) < 2 else max(0, olds[1].box[0] - olds[0].box[2])
    donors = [g for g in page.glyphs if g.field != key]
    for ch in new:
        same = [g for g in donors if g.ch == ch and abs(g.size_px - olds[0].size_px) <= 2] or [
            g for g in donors if g.ch == ch
        ]
        if same:
            d = same[len(same) // 2]
            x0, y0, x1, y1 = d.box
            patch = page.image[y0:y1, x0:x1]
            # darken-only paste, as a clone brush set to "darken" would do
            dst = img[base - (y1 - y0) : base, x : x + (x1 - x0)]
            if dst.shape == patch.shape:
                np.minimum(dst, patch, out=dst)
            x += (x1 - x0) + gap
        else:
            x = _draw(img, x, base, ch, olds[0].family, olds[0].size_px, olds[0].fill) + gap
    glyphs = tuple(g for g in page.glyphs if g.field != key)
    return replace(page, image=img, glyphs=glyphs)


Box = tuple[int, int, int, int]


def clone_moves(page: Rendered, glyphs, new: str) -> list[tuple[Box, Box]] | None:
    """(donor box, target box) pairs that turn ``glyphs`` (one printed run) into ``new`` by cloning.

    Only characters that change are cloned, each from the same character in the same face and size
    elsewhere on the page and clear of the seals, as a careful forger picks it for a clone stamp. None when
    the run and ``new`` differ in length or a character has no such donor.
    """
    chars = [c for c in new if not c.isspace()]
    if len(chars) != len(glyphs):
        return None
    field = glyphs[0].field
    seals = [b for _, b in page.seal_boxes]

    def clear(b: Box) -> bool:
        return not any(b[0] < s[2] and s[0] < b[2] and b[1] < s[3] and s[1] < b[3] for s in seals)

    moves = []
    for g, ch in zip(glyphs, chars, strict=True):
        if g.ch == ch:
            continue
        same = [d for d in page.glyphs if d.ch == ch and d.field != field and d.family == g.family
                and abs(d.size_px - g.size_px) <= 1 and clear(d.box)]
        if not same:
            return None
        moves.append((same[len(same) // 2].box, g.box))
    return moves or None


def clone_after_capture(moves: list[tuple[Box, Box]], pad: int = 2) -> Callable[[np.ndarray, np.ndarray], None]:
    """An edit of captured pixels (see `capture.apply`): each target glyph's patch replaced by its donor's.

    The patch is the donor's ink box and its paper around, placed on the target's ink bottom and centre
    and wide enough to cover the old character, copied pixel for pixel as a clone stamp does.
    """

    def edit(img: np.ndarray, H: np.ndarray) -> None:
        h, w = img.shape[:2]
        src = img.copy()

        def to_img(x: float, y: float) -> tuple[float, float]:
            q = H @ np.array([x, y, 1.0])
            return q[0] / q[2], q[1] / q[2]

        for (d0, d1, d2, d3), (t0, t1, t2, t3) in moves:
            dx, dy = (t0 + t2) / 2 - (d0 + d2) / 2, t3 - d3
            # The rectangle on the target side (page pixels), covering the old ink and the donor's.
            r = (min(t0, d0 + dx) - pad, min(t1, d1 + dy) - pad, max(t2, d2 + dx) + pad, max(t3, d3 + dy) + pad)
            # All four corners: on a turned or photographed page the rectangle's image is a tilted quadrilateral.
            corners = [to_img(x, y) for x in (r[0], r[2]) for y in (r[1], r[3])]
            # Where the donor's anchor lands in the image decides the offset, in whole image pixels.
            src_at, dst_at = to_img((d0 + d2) / 2, d3), to_img((t0 + t2) / 2, t3)
            ox, oy = int(round(dst_at[0] - src_at[0])), int(round(dst_at[1] - src_at[1]))
            x0, y0 = int(np.floor(min(c[0] for c in corners))), int(np.floor(min(c[1] for c in corners)))
            x1, y1 = int(np.ceil(max(c[0] for c in corners))), int(np.ceil(max(c[1] for c in corners)))
            x0, y0 = max(x0, ox, 0), max(y0, oy, 0)
            x1, y1 = min(x1, w + ox, w), min(y1, h + oy, h)
            if x1 - x0 > 2 and y1 - y0 > 2:
                img[y0:y1, x0:x1] = src[y0 - oy:y1 - oy, x0 - ox:x1 - ox]

    return edit


def _draw(img: np.ndarray, x: int, base: int, s: str, family: str, size: int, fill) -> int:
    f = get_font(family, size)
    im = Image.fromarray(img)
    d = ImageDraw.Draw(im)
    d.text((x, base), s, font=f, fill=fill, anchor="ls")
    img[:] = np.asarray(im)
    return int(x + f.getlength(s))


def retype(page: Rendered, key: str, new: str, rng: random.Random) -> Rendered:
    """White out a field and type the new value in a near-identical font."""
    img = page.image.copy()
    olds = _field_glyphs(page, key)
    _whiteout(img, [g.box for g in olds])
    g0 = olds[0]
    family = {"sans": "sans_jp", "sans_bold": "sans", "mono": "sans", "serif": "sans"}.get(
        g0.family, "sans_jp"
    )
    if g0.family == "sans" and rng.random() < 0.5:
        family = "sans"  # same face, wrong size: the classic Word retype
    size = int(round(g0.size_px * rng.choice([0.94, 0.96, 1.04, 1.06])))
    fill = tuple(int(min(255, c + rng.choice([-12, 10, 18]))) for c in g0.fill)
    base = max(g.box[3] for g in olds if g.ch.isdigit() or "\u4e00" <= g.ch) if olds else g0.box[3]
    _draw(img, g0.box[0] + rng.choice([-1, 0, 1]), base + rng.choice([-1, 0, 1, 2]), new, family, size, fill)
    glyphs = tuple(g for g in page.glyphs if g.field != key)
    return replace(page, image=img, glyphs=glyphs)


def seal_pasted(spec: DocSpec, page_dpi: int, rng: random.Random) -> Rendered:
    """Render without the stamp, then paste the seal as a flat, hard-edged cut-out."""
    bare = render(replace(spec, seals=()), page_dpi)
    img = bare.image.copy()
    use = spec.seals[0]
    cx, cy = bare.seal_slots[use.slot]
    rgb = (rng.randint(215, 240), rng.randint(10, 40), rng.randint(20, 45))
    S.paste_flat(
        img,
        use.spec,
        page_dpi,
        (cx + rng.randint(-15, 15), cy + rng.randint(-15, 15)),
        rng.uniform(-20, 20),
        rgb,
    )
    return replace(bare, image=img)


def seal_block_after_capture(
    twin: Rendered, rng: random.Random
) -> tuple[Callable[[np.ndarray, np.ndarray], None], list[list[int]]] | None:
    """A seal cut with the paper round it out of another document's photo or scan and pasted on the captured file.

    The forger's usual way with a seal: crop the impression from a genuine document's picture (a rectangle,
    with its paper) and lay it on the unsealed page in an image editor. The crop is the genuine twin's
    impression with a margin, on the donor's paper: tinted, softened and grainy as another capture leaves it,
    then scaled onto the page where the seal belongs. Returns (the edit for `capture.apply`, the rectangle in
    page pixels), or None when the twin has no impression.
    """
    if not twin.seal_boxes:
        return None
    x0, y0, x1, y1 = twin.seal_boxes[0][1]
    h, w = twin.image.shape[:2]
    m = rng.uniform(0.08, 0.25) * max(x1 - x0, y1 - y0)
    r = [int(max(0, x0 - m)), int(max(0, y0 - m)), int(min(w, x1 + m)), int(min(h, y1 + m))]
    if r[2] - r[0] < 8 or r[3] - r[1] < 8:
        return None
    block = twin.image[r[1]:r[3], r[0]:r[2]].astype(np.float32)
    # The donor's paper: another sheet under other light (a tint of up to ~25 levels), the donor camera's blur
    # and grain. Drawn with the stage's generator, so the forged document's other draws are unchanged.
    tone = np.array([rng.uniform(0.88, 1.0), rng.uniform(0.86, 1.0), rng.uniform(0.8, 0.98)], np.float32)
    block = cv2.GaussianBlur(block * tone, (0, 0), rng.uniform(0.5, 1.3))
    seed = rng.randrange(2**31)
    block += np.random.default_rng(seed).standard_normal(block.shape).astype(np.float32) * rng.uniform(0.8, 3.0)
    patch = np.clip(block + 0.5, 0, 255).astype(np.uint8)

    def edit(img: np.ndarray, H: np.ndarray) -> None:
        pts = np.array([[r[0], r[1], 1.0], [r[2], r[1], 1.0], [r[0], r[3], 1.0], [r[2], r[3], 1.0]]) @ H.T
        xs, ys = pts[:, 0] / pts[:, 2], pts[:, 1] / pts[:, 2]
        X0, Y0 = max(0, int(round(xs.min()))), max(0, int(round(ys.min())))
        X1, Y1 = min(img.shape[1], int(round(xs.max()))), min(img.shape[0], int(round(ys.max())))
        if X1 - X0 < 4 or Y1 - Y0 < 4:
            return
        out = cv2.resize(patch, (X1 - X0, Y1 - Y0), interpolation=cv2.INTER_AREA)
        img[Y0:Y1, X0:X1] = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY) if img.ndim == 2 else out

    return edit, [r]


# ------------------------------------------------------------------ regions


def diff_boxes(a: np.ndarray, b: np.ndarray, pad: int = 3) -> list[list[int]]:
    """Boxes around every pixel that differs between two same-size pages (merged when close)."""
    if a.shape != b.shape:
        return [[0, 0, a.shape[1], a.shape[0]]]
    # Per-channel absolute difference, then the channel maximum, all in uint8 OpenCV calls: the
    # int16 numpy version cost ~60 ms per forged page.
    d = cv2.split(cv2.absdiff(a, b))
    m = cv2.max(cv2.max(d[0], d[1]), d[2])
    if not cv2.countNonZero(m):
        return []
    m = (m > 0).astype(np.uint8)
    k = max(3, a.shape[1] // 120)
    md = cv2.dilate(m, np.ones((k, k), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(md, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        boxes.append(
            [max(0, x - pad), max(0, y - pad), min(a.shape[1], x + w + pad), min(a.shape[0], y + h + pad)]
        )
    boxes.sort()
    return boxes

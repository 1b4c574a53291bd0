"""Build one appeal end to end: plan, render, forge, capture; returns files and its label."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, replace

import numpy as np
import yaml

from . import capture as C
from . import compose as P
from . import forgeries as F
from . import values as V
from .brands import BRANDS
from .documents import DocSpec, render
from .page import Rendered

_EPOCH = dt.date(2025, 1, 15)


@dataclass(frozen=True)
class AppealOut:
    """Everything one appeal writes."""

    appeal_id: str
    files: tuple[tuple[str, bytes], ...]
    label: dict


def _runs(page: Rendered, key: str) -> list[list]:
    """Single-line runs of a field's glyphs (multi-line runs are left alone by pixel edits)."""
    runs: list[list] = []
    prev = None
    for i, g in enumerate(page.glyphs):
        if g.field != key:
            prev = None
            continue
        if (
            prev is not None
            and prev[0] == i - 1
            and abs(page.glyphs[prev[0]].box[3] - g.box[3]) < g.size_px * 0.5
        ):
            runs[-1].append(g)
        else:
            runs.append([g])
        prev = (i,)
    return runs


def _pixel_field(page: Rendered, key: str, new: str, how: str, rng: random.Random) -> Rendered:
    runs = _runs(page, key)
    out = page
    for run in runs[:2]:
        sub = replace(
            out, glyphs=tuple(g if g not in run else replace(g, field="__edit__") for g in out.glyphs)
        )
        sub = F.copy_move(sub, "__edit__", new) if how == "copy" else F.retype(sub, "__edit__", new, rng)
        out = replace(sub, glyphs=tuple(g for g in sub.glyphs if g.field != "__edit__"))
    return out


def _edit_target(spec: DocSpec, rng: random.Random, submitted: dt.date) -> tuple[str, str, str]:
    """(field key, printed text now, replacement) for a copy-move or retype edit."""
    f = spec.fields
    if spec.kind == "authorization_letter":
        old = f["valid_to"]
        new = f"{int(old[:4]) + rng.choice([1, 2, 3])}{old[4:]}"
        return "valid_to", old, new
    if spec.kind == "purchase_invoice":
        total = int(round(float(f["total"]) * 100))
        new = total * rng.choice([2, 3, 5, 10]) + rng.choice([0, 100, 5000])
        return "total", f"¥{f['total']}", f"¥{V.money(new)}"
    if spec.kind == "receipt":
        t = f["total"]
        digits = [i for i, c in enumerate(t) if c.isdigit()]
        i = digits[0]
        return "total", t, t[:i] + str(min(9, int(t[i]) + rng.randint(1, 5))) + t[i + 1 :]
    old = f["founded"]
    return "founded", old, f"{int(old[:4]) - rng.choice([3, 5, 8])}{old[4:]}"


AFTER_CAPTURE_RATE = 0.5
"""Share of copy-move edits tried on the captured file (a scan or photo of a genuine document edited in
an image editor and saved again) rather than on the page before it was printed and captured. An edit
that changes the value's length (most invoice totals) or lacks a donor of the same face and size (a
receipt's total is printed larger than any other digit) is made before capture: about a third of all
copy-moves end up after capture, on letters and licences."""


SEAL_AFTER_CAPTURE_RATE = 0.5
"""Share of pasted seals laid on the captured file as a block cut from another document's picture, paper and all
(`forgeries.seal_block_after_capture`), rather than as a flat cut-out on the page before capture."""


def clone_plan(spec: DocSpec, twin: Rendered, rng: random.Random, submitted: dt.date):
    """A copy-move made on the captured file: (forged spec, donor/target boxes), or None when the edit
    changes the value's length or a character has no donor on the page (then it is made before capture).

    Draws from ``rng`` exactly as `forge` does for ``field_copy_move``.
    """
    key, _, new = _edit_target(spec, rng, submitted)
    runs = _runs(twin, key)
    if not runs:
        return None
    val = new.removeprefix("¥") if spec.kind == "purchase_invoice" else new
    moves = F.clone_moves(twin, runs[0], new)
    if moves is None:
        return None
    return replace(spec, fields=dict(spec.fields, **{key: val})), moves


def forge(
    spec: DocSpec,
    op: str,
    dpi: int,
    rng: random.Random,
    submitted: dt.date,
    other: P.Seller,
    letter_start: dt.date | None = None,
) -> tuple[Rendered, Rendered, DocSpec]:
    """Apply one operation; return (genuine twin page, forged page, forged spec)."""
    twin_spec = spec
    if op == "letter_reused":
        twin_spec = P.fill_licensee(spec, other)
        twin = render(twin_spec, dpi)
        page = twin
        for key in ("licensee", "licensee_uscc", "shop"):
            page = _pixel_field(page, key, spec.fields[key], "retype", rng)
        return twin, page, spec
    twin = render(spec, dpi)
    if op in ("field_copy_move", "field_retyped"):
        key, _, new = _edit_target(spec, rng, submitted)
        page = _pixel_field(twin, key, new, "copy" if op == "field_copy_move" else "retype", rng)
        val = new.removeprefix("¥") if spec.kind == "purchase_invoice" else new
        return twin, page, replace(spec, fields=dict(spec.fields, **{key: val}))
    if op == "seal_pasted":
        return twin, F.seal_pasted(spec, dpi, rng), spec
    if op == "software_metadata":
        return twin, twin, spec
    fn = {
        "seal_other_entity": F.seal_other_entity,
        "seal_text_altered": F.seal_text_altered,
        "seal_geometry": F.seal_geometry,
        "uscc_bad_check": F.uscc_bad_check,
        "invoice_math": F.invoice_math,
        "qr_mismatch": F.qr_mismatch,
        "licensor_unknown": F.licensor_unknown,
        "wrong_template": F.wrong_template,
        "trademark_unknown": F.trademark_unknown,
        "receipt_locale": F.receipt_locale,
        "store_unknown": F.store_unknown,
        "seal_taxpayer_wrong": F.seal_taxpayer_wrong,
        "chain_broken": F.chain_broken,
    }
    if op == "period_invalid":
        new = F.period_invalid(spec, rng, submitted)
    elif op == "invoice_before_letter":
        new = F.invoice_before_letter(spec, rng, letter_start)
    else:
        new = fn[op](spec, rng)
    return twin, render(new, dpi), new


# Documents per appeal as ``build`` plans them (cases 0.45/0.35/0.2 with 1-2, 2-3 and 1-2 documents,
# plus a licence with p=0.45); used to turn the appeal-level forged ratio into a per-document rate.
_DOCS_PER_APPEAL = {1: 0.1279, 2: 0.3920, 3: 0.3699, 4: 0.1103}


def doc_forgery_rate(forged_ratio: float) -> float:
    """Per-document forgery probability that makes about ``forged_ratio`` of appeals forged.

    Each document is forged independently at this one rate, so whether a document is forged says
    nothing about its kind, its appeal's size or its capture: a forged document is a draw from the
    same population as a genuine one, and only the forgery itself tells them apart.
    """
    if forged_ratio <= 0 or forged_ratio >= 1:
        return min(1.0, max(0.0, forged_ratio))
    lo, hi = 0.0, 1.0
    for _ in range(50):
        q = (lo + hi) / 2
        r = sum(w * (1 - (1 - q) ** n) for n, w in _DOCS_PER_APPEAL.items())
        lo, hi = (q, hi) if r < forged_ratio else (lo, q)
    return (lo + hi) / 2


def seller_letter_start(docs: list[DocSpec], s: P.Seller) -> dt.date | None:
    """When the seller's own authorization begins (the earlier of its letter's start and issue dates)."""
    for d in docs:
        if d.kind == "authorization_letter" and d.fields.get("licensee") == s.name:
            return min(F.parse_cn_date(d.fields["valid_from"]), F.parse_cn_date(d.fields["issued_on"]))
    return None


def build(
    seed: int,
    index: int,
    forged_ratio: float,
    forgers: tuple[P.SerialForger, ...],
    only_ops: tuple[str, ...] = (),
) -> AppealOut:
    """Generate appeal ``index`` of corpus ``seed``."""
    rng = random.Random(f"appeal-{seed}-{index}")
    # Forgery decisions and capture draws have their own streams: the appeal's documents and how
    # they are captured are the same whether or not something in it gets forged.
    frg = random.Random(f"forge-{seed}-{index}")
    cap_rng = np.random.default_rng([seed, index, 7])
    b = BRANDS[rng.randrange(len(BRANDS))]
    submitted = _EPOCH + dt.timedelta(days=rng.randint(0, 280))
    s = P.seller(rng, submitted)
    other = P.seller(rng, submitted)
    case = rng.choices(["direct", "distributor", "daigou"], [0.45, 0.35, 0.2])[0]
    live = [d for d in b.distributors if d.valid_from <= submitted <= d.valid_to]
    if case == "distributor" and not live:
        # A distributor whose own authorization has ended grants nothing genuine: the seller bought direct.
        case = "direct"
    docs: list[DocSpec] = []
    if case == "direct":
        docs.append(P.letter(b, b.entities[rng.randrange(2)], s, submitted, rng))
        if rng.random() < 0.75:
            docs.append(
                P.invoice(b, b.entities[rng.randrange(2)], s, submitted, rng)
                if rng.random() < 0.8
                else P.receipt(b, "cn", submitted, rng)
            )
    elif case == "distributor":
        d = live[rng.randrange(len(live))]
        own = P.distributor_own_letter(b, d, submitted, rng)
        docs += [own, P.letter(b, d, s, submitted, rng, True, own.fields["serial"])]
        if rng.random() < 0.7:
            docs.append(P.invoice(b, d, s, submitted, rng))
    else:
        docs.append(P.receipt(b, rng.choice(["en", "ja", "fr"]), submitted, rng))
        if rng.random() < 0.4:
            docs.append(P.receipt(b, rng.choice(["en", "ja", "fr"]), submitted, rng))
    if rng.random() < 0.45:
        docs.append(P.license_doc(s, rng))
    caps = [C.sample(cap_rng, d.kind) for d in docs]
    editors = random.Random(f"editor-{seed}-{index}")
    caps = [C.honest_editor(cp, editors) for cp in caps]
    rate = doc_forgery_rate(forged_ratio)
    targets = {j for j in range(len(docs)) if frg.random() < rate}
    # A brand-to-seller letter that gets forged is sometimes a serial forger's product: the same
    # forged letter sold to many sellers. Each brand has one forger per corpus.
    serial = None
    if case == "direct" and 0 in targets and frg.random() < 0.3:
        serial = next(f for f in forgers if f.brand == b.id)
    # A seller buys stock once it is a reseller: genuine invoices are dated within its own authorization, the
    # letter the appeal carries (a serial forger's when it was bought from one).
    letter_start = seller_letter_start([P.fill_licensee(serial.spec, s)] + docs[1:] if serial else docs, s)
    if letter_start is not None:
        for j, d in enumerate(docs):
            if d.kind == "purchase_invoice" and F.parse_cn_date(d.fields["issued_on"]) < letter_start:
                span = max(0, (submitted - letter_start).days - 3)
                day = letter_start + dt.timedelta(days=rng.randint(0, span))
                docs[j] = replace(d, fields=dict(d.fields, issued_on=V.cn_date(day)))
    appeal_id = f"A-{seed:03d}-{index:06d}"
    files, label_docs = [], []
    when = (submitted.year, submitted.month, submitted.day)
    for j, (spec, cp) in enumerate(zip(docs, caps, strict=True)):
        ops: list[str] = []
        software = None
        edit, resave, after = None, None, None
        if serial and j == 0:
            spec = P.fill_licensee(serial.spec, s)
            twin = render(P.fill_licensee(serial.genuine, s), cp.dpi)
            page = render(spec, cp.dpi)
            ops = ["serial_forger", serial.op]
        elif j in targets:
            choices = F.applicable(spec)
            if cp.format != "pdf":
                # An editor's name alone is a forgery only in a PDF, whose producer the issuer's software wrote: an
                # image that names an editor and differs in nothing else is what an honest crop leaves
                # (HONEST_EDITOR_RATE), so it is a genuine document and labelling it forged measured nothing.
                # On images the name still comes with a real edit (below).
                choices.remove("software_metadata")
            if spec.kind == "purchase_invoice" and letter_start is not None:
                choices.append("invoice_before_letter")
            if only_ops:
                choices = [o for o in choices if o in only_ops] or choices
            op = frg.choice(choices)
            stage_rng = random.Random(f"stage-{seed}-{index}-{j}")
            plan = None
            if op == "field_copy_move" and cp.style != "fax" and stage_rng.random() < AFTER_CAPTURE_RATE:
                page = twin = render(spec, cp.dpi)
                probe = random.Random()
                probe.setstate(frg.getstate())
                plan = clone_plan(spec, twin, probe, submitted)
            if plan is not None:
                frg.setstate(probe.getstate())
                spec, moves = plan
                edit = F.clone_after_capture(moves)
                # An editor saves at its own setting, often higher than the phone's or scanner's.
                resave = stage_rng.choice([80, 85, 90, 92, 95, 98])
                after = [list(b) for _, b in moves]
            else:
                twin, page, spec = forge(spec, op, cp.dpi, frg, submitted, other, letter_start)
                block = None
                if op == "seal_pasted" and cp.style != "fax" and stage_rng.random() < SEAL_AFTER_CAPTURE_RATE:
                    block = F.seal_block_after_capture(twin, stage_rng)
                if block is not None:
                    page = render(replace(spec, seals=()), cp.dpi)
                    edit, after = block
                    resave = stage_rng.choice([80, 85, 90, 92, 95, 98])
            ops = [op]
            if op != "software_metadata" and frg.random() < 0.2:
                ops.append("software_metadata")
            if "software_metadata" in ops:
                software = frg.choice(F.EDIT_SOFTWARE)
        else:
            page = twin = render(spec, cp.dpi)
        cap = C.apply(page.image, cp, software or cp.software, when, edit, resave)
        name = f"{j + 1:02d}_{spec.kind}.{cap.ext}"
        files.append((name, cap.data))
        regions = []
        for box in after if after is not None else F.diff_boxes(twin.image, page.image) if ops else []:
            regions.append({"op": ops[0], "page": 0, "box": C.map_box(cap.H, box, cap.size)})
        fields = {k: v for k, v in spec.fields.items() if k not in ("qr_crc",)}
        label_docs.append(
            {
                "file": name,
                "kind": spec.kind,
                "label": "forged" if ops else "genuine",
                "ops": ops,
                "regions": regions,
                "template_id": spec.template,
                "brand": spec.brand or b.id,
                "capture": {
                    "style": cp.style,
                    "dpi": cp.dpi,
                    "jpeg_quality": cp.jpeg_quality,
                    "format": cp.format,
                    "mode": cp.mode,
                },
                # Where a pixel edit was made: on the page before capture, or on the captured file.
                "stage": "after_capture" if after is not None else "before_capture" if page is not twin else None,
                "resaved_quality": resave if after is not None and cp.jpeg_quality is not None else None,
                "render_dpi": C.PDF_RENDER_DPI if cp.format == "pdf" else None,
                "page_size": list(cap.size),
                "sha256": hashlib.sha256(cap.data).hexdigest(),
                "fields": fields,
                # The impressions as stamped: a rocked stamp (partial > 0) left one side of its ring faint.
                "seals": [
                    {"id": u.spec.id, "partial": u.partial, "rotation": round(u.rotation, 2)} for u in spec.seals
                ],
            }
        )
    appeal = {
        "appeal_id": appeal_id,
        "brand": b.id,
        "submitted_at": submitted,
        "seller": {"name": s.name, "shop": s.shop, "uscc": s.uscc, "account": s.account},
        "documents": [{"file": d["file"], "kind": d["kind"]} for d in label_docs],
    }
    files.append(("appeal.yaml", yaml.safe_dump(appeal, allow_unicode=True, sort_keys=False).encode()))
    label = {
        "appeal_id": appeal_id,
        "brand": b.id,
        "label": "forged" if any(d["ops"] for d in label_docs) else "genuine",
        "serial_forger_id": serial.id if serial else None,
        "case": case,
        "documents": label_docs,
    }
    return AppealOut(appeal_id, tuple(files), label)

"""Write brand packs (DESIGN.md section 3) for the fictional brands."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from dataclasses import replace
from pathlib import Path

import yaml
from PIL import Image

from . import compose as P
from .brands import BRANDS, Brand
from .documents import render
from .seals import clean_png

_SPECIMEN_DPI = 100
"""Template specimens: enough to compare layout and fixed text, and small in the pack."""
_TEST_DPI = 120
"""Example appeals in a pack's tests/: 12 pt body text is 20 px high, comfortably OCR-able."""


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    # Level 6: level 9 took several seconds per pack for a few per cent fewer bytes.
    im.save(buf, "PNG", optimize=False, compress_level=6, transparency=im.info.get("transparency"))
    return buf.getvalue()


def _frac(box, w: int, h: int) -> list[float]:
    return [round(box[0] / w, 3), round(box[1] / h, 3), round(box[2] / w, 3), round(box[3] / h, 3)]


def write_pack(b: Brand, root: Path, known: list[dict]) -> None:
    """Write ``root/<brand>/`` with brand.yaml, rules.yaml, seals/, templates/ and tests/."""
    d = root / b.id
    for sub in ("seals", "templates", "tests"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    seals = []
    for s in b.seals:
        (d / "seals" / f"{s.id}.png").write_bytes(_png(clean_png(s, 300)))
        seals.append(
            {
                "id": s.id,
                "file": f"seals/{s.id}.png",
                "entity": s.entity,
                "kind": s.kind,
                "shape": s.shape,
                "size_mm": list(s.size_mm),
                "text": s.text,
                "center_text": s.center_text,
                "code": s.code,
            }
        )
    rng = random.Random(f"pack-{b.id}")
    sub = P.Seller("示例商贸有限公司", "91310115MA1K3YQX8R", "上海市", "示例旗舰店", "张三", {})
    templates = []
    for t in b.letters:
        if t.distributor:
            spec = P.letter(b, b.distributors[1], sub, dt.date(2025, 6, 1), rng, True, "XX-SQ-2024-00001")
        else:
            spec = P.letter(b, b.entities[0], sub, dt.date(2025, 6, 1), rng)
        spec = replace(spec, template=t.id)
        page = render(spec, _SPECIMEN_DPI)
        h, w = page.image.shape[:2]
        # Greyscale with 16 levels: checks compare layout and fixed text, which survive that, and
        # a clean page in 16 levels is smaller as PNG than as JPEG (no ringing around text).
        grey = Image.fromarray(page.image).convert("L").point(lambda v: v // 17 * 17)
        (d / "templates" / f"{t.id}.png").write_bytes(_png(grey))
        fields = []
        for name in (
            "licensor_sign",
            "licensee",
            "licensee_uscc",
            "platform",
            "shop",
            "valid_from",
            "valid_to",
            "issued_on",
            "serial",
        ):
            if name in page.fields:
                fields.append({"name": name, "box": _frac(page.fields[name][0], w, h)})
        cx, cy = page.seal_slots[0]
        r = 30 * _SPECIMEN_DPI / 25.4
        templates.append(
            {
                "id": t.id,
                "kind": "authorization_letter",
                "file": f"templates/{t.id}.png",
                "fixed_text": list(t.fixed_text),
                "fields": fields,
                "seal_box": _frac((cx - r, cy - r, cx + r, cy + r), w, h),
                "patterns": {"serial": f"^{t.serial_prefix}-\\d{{4}}-\\d{{5}}$"},
                "status": "current" if t.current else "retired",
            }
        )
    doc = {
        "schema_version": 1,
        "id": b.id,
        "name": b.en,
        "version": "1.0.0",
        "owner": f"brand-protection@{b.id}.example",
        "names": list(b.names),
        "entities": [{"name": e.name, "uscc": e.uscc, "role": e.role} for e in b.entities],
        "distributors": [
            {"name": e.name, "uscc": e.uscc, "valid_from": e.valid_from, "valid_to": e.valid_to}
            for e in b.distributors
        ],
        "seals": seals,
        "templates": templates,
        "known_forgeries": known,
        "trademarks": [{"number": n, "name": b.name, "classes": [_NICE_CLASS.get(b.id, 3)]} for n in b.trademarks],
        "stores": P.brand_stores(b),
        # No `thresholds`: the model's own, chosen for stated false-alarm rates, apply unless a brand overrides them
        # on purpose (0.4 / 0.8 here were the placeholder score's, and overrode the trained model's too).
        "policy": {
            "individuals_allowed": False,
            "max_validity_days": 730,
        },
    }
    (d / "brand.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    names = [e.name for e in b.entities] + [e.name for e in b.distributors]
    rules = {
        "schema_version": 1,
        "rules": [
            {
                "id": f"{b.id}.letter.no-exclusive",
                "title": f"Genuine {b.en} letters never grant exclusivity",
                "severity": "high",
                "applies_to": ["authorization_letter"],
                "when": 'doc.text.matches("(^|[^非])独家")',
                "message": f"Letter grants exclusivity; {b.en} never does",
                "status": "stable",
            },
            {
                "id": f"{b.id}.letter.closing-phrase",
                "title": "Letters end with 特此授权",
                "severity": "medium",
                "applies_to": ["authorization_letter"],
                "when": '!doc.text.contains("特此授权")',
                "message": "The closing phrase 特此授权 is missing",
                "status": "experimental",
            },
            {
                "id": f"{b.id}.invoice.known-seller",
                "title": "Stock invoices come from the brand or a distributor",
                "severity": "high",
                "applies_to": ["purchase_invoice"],
                # Fuzzy, not `in`: a name read a character off on a fax (成都天成展光 for 成都天成晨光, fresh seed
                # 1031) is the same issuer; a look-alike of a party's name is content.invoice_issuer_lookalike's.
                "when": f"fuzzy_in(doc.fields.seller_name, {json.dumps(names, ensure_ascii=False)}) < 80.0",
                "message": "Invoice issuer is neither the brand nor an authorised distributor",
                "status": "stable",
            },
        ],
    }
    (d / "rules.yaml").write_text(
        yaml.safe_dump(rules, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8"
    )
    _write_tests(b, d / "tests", sub)


def _write_tests(b: Brand, d: Path, sub: P.Seller) -> None:
    """Two example appeals: a clean one and one that trips every rule."""
    rng = random.Random(f"packtests-{b.id}")
    cases = {}
    for case, bad in (("clean-1", False), ("bad-1", True)):
        cd = d / case
        cd.mkdir(parents=True, exist_ok=True)
        letter = P.letter(b, b.entities[0], sub, dt.date(2025, 6, 1), rng)
        inv = P.invoice(b, b.entities[0], sub, dt.date(2025, 6, 1), rng)
        if bad:
            letter = replace(letter, options={"extra_clause": "本授权为独家授权。", "drop_clause": None,
                                              "no_closing": True})
            inv = replace(inv, fields=dict(inv.fields, seller_name="上海未知商贸有限公司"))
        for name, spec in (("letter.png", letter), ("invoice.png", inv)):
            # Clean exports from the brand's own system: 64 colours keep text and seal intact and
            # cost half the bytes of a JPEG of the same page.
            page = Image.fromarray(render(spec, _TEST_DPI).image).quantize(64)
            (cd / name).write_bytes(_png(page))
        appeal = {
            "appeal_id": f"{b.id}-{case}",
            "brand": b.id,
            "submitted_at": dt.date(2025, 6, 1),
            "seller": {"name": sub.name, "shop": sub.shop, "uscc": sub.uscc},
            "documents": [
                {"file": "letter.png", "kind": "authorization_letter"},
                {"file": "invoice.png", "kind": "purchase_invoice"},
            ],
        }
        (cd / "appeal.yaml").write_text(
            yaml.safe_dump(appeal, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        ids = [f"{b.id}.letter.no-exclusive", f"{b.id}.invoice.known-seller", f"{b.id}.letter.closing-phrase"]
        cases[case] = {"fires": ids if bad else [], "not_fires": [] if bad else ids}
    (d / "expected.yaml").write_text(
        yaml.safe_dump({"schema_version": 1, "cases": cases}, sort_keys=False), encoding="utf-8"
    )


_NICE_CLASS = {"lantu": 3, "bojun": 25, "xinglan": 11}
"""Nice class of each brand's goods: cosmetics, clothing and shoes, household appliances."""


def write_packs(root: Path, known: dict[str, list[dict]]) -> None:
    """Write every brand's pack under ``root``."""
    for b in BRANDS:
        write_pack(b, root, known.get(b.id, []))

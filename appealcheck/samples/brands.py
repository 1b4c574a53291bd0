"""Fictional brands: legal entities, distributors, registered seals and letter templates.

Brands are fixed (built from their own seed, not the corpus seed) so every corpus is judged
against the same brand packs and a split can hold out a whole brand.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from . import values as V
from .seals import SealSpec


@dataclass(frozen=True)
class Entity:
    """A legal entity that may issue documents."""

    name: str
    """Legal name as registered."""
    uscc: str
    """Unified social credit code (valid check digit)."""
    role: str
    """owner | subsidiary | distributor | outsider."""
    city: str
    """City of registration."""
    valid_from: dt.date | None = None
    """Start of a distributor's authorisation."""
    valid_to: dt.date | None = None
    """End of a distributor's authorisation."""


@dataclass(frozen=True)
class LetterTemplate:
    """Layout and wording of one authorisation-letter template."""

    id: str
    """Template id, stable across corpora."""
    brand: str
    """Brand id."""
    style: int
    """Layout family 0..2 (header, field table or paragraph, seal position)."""
    title: str
    """Title printed at the top."""
    clauses: tuple[str, ...]
    """Numbered clauses in order; ``{platform}`` etc. are filled per document."""
    fixed_text: tuple[str, ...]
    """Phrases every genuine letter of this template has."""
    serial_prefix: str
    """Serial number prefix; the pattern is ``<prefix>-YYYY-NNNNN``."""
    current: bool = True
    """False for a template the brand has retired."""
    distributor: bool = False
    """True for the distributor-to-seller letter."""
    font: str = "sans"
    """Body font family."""


@dataclass(frozen=True)
class Brand:
    """A fictional brand with everything a brand pack describes."""

    id: str
    name: str
    names: tuple[str, ...]
    en: str
    color: tuple[int, int, int]
    entities: tuple[Entity, ...]
    distributors: tuple[Entity, ...]
    seals: tuple[SealSpec, ...]
    letters: tuple[LetterTemplate, ...]
    products: tuple[str, ...]
    trade: str
    trademarks: tuple[str, ...] = ()
    """Trademark registration numbers; letters cite the first."""

    def seal_for(self, entity: str, kind: str = "official") -> SealSpec:
        """The registered seal of ``entity`` of ``kind`` (falls back to its official seal)."""
        for s in self.seals:
            if s.entity == entity and s.kind == kind:
                return s
        for s in self.seals:
            if s.entity == entity and s.kind == "official":
                return s
        raise KeyError(entity)

    def letter(self, distributor: bool, current: bool = True) -> LetterTemplate:
        """The letter template of the given kind (current or retired)."""
        for t in self.letters:
            if t.distributor == distributor and t.current == current:
                return t
        raise KeyError((distributor, current))


def entity_seals(e: Entity, rng: random.Random, prefix: str, kinds: tuple[str, ...]) -> list[SealSpec]:
    """Registered seals of one entity: official, contract, invoice as needed."""
    code = V.REGIONS.get(e.city, "310115") + "".join(rng.choice("0123456789") for _ in range(7))
    out = []
    for k in kinds:
        if k == "official":
            out.append(
                SealSpec(f"{prefix}-official", e.name, e.name, "official", "circle", (42.0, 42.0), "", code)
            )
        elif k == "contract":
            out.append(
                SealSpec(
                    f"{prefix}-contract",
                    e.name,
                    e.name,
                    "contract",
                    "circle",
                    (40.0, 40.0),
                    "合同专用章",
                    code[:-1] + "1",
                )
            )
        elif k == "invoice":
            out.append(
                SealSpec(
                    f"{prefix}-invoice",
                    e.name,
                    e.name,
                    "invoice",
                    "ellipse",
                    (40.0, 30.0),
                    "发票专用章",
                    "",
                    star=False,
                    middle_line=e.uscc,
                    ring_mm=1.0,
                    span_deg=185.0,
                )
            )
    return out


_CLAUSES_A = (
    "兹授权{licensee}（统一社会信用代码：{licensee_uscc}）在{platform}平台开设店铺，销售{brand}品牌{products}。",
    "被授权方须销售经{licensor}或其授权经销商供应的正品，不得销售假冒、仿冒商品。",
    "本授权书不得转让，被授权方不得以任何形式再次授权第三方。",
    "授权期限届满或被授权方违反上述约定，本授权自动终止。",
    "本授权所涉商标为第{trademark}号「{brand}」注册商标。",
)
_CLAUSES_B = (
    "{licensor}同意{licensee}在{platform}销售{brand}（{en}）品牌{products}。",
    "被授权方应遵守平台规则及国家法律法规，维护品牌形象。",
    "本授权为非独家授权，仅限于上述平台及店铺使用。",
    "本授权书复印件无效，涂改无效。",
    "本授权所涉商标为第{trademark}号「{brand}」注册商标。",
)
_CLAUSES_OLD = (
    "兹授权{licensee}在{platform}销售我司{brand}品牌{products}。",
    "被授权方不得销售假冒商品。",
    "本授权书复印件无效。",
)
_CLAUSES_DIST = (
    "{licensor}为{brand}品牌在中国大陆地区的授权经销商（授权编号：{parent_serial}）。",
    "现授权{licensee}（统一社会信用代码：{licensee_uscc}）在{platform}平台销售由我司供应的{brand}品牌{products}。",
    "被授权方不得销售非我司渠道商品，不得再次授权。",
    "本授权期限不超过我司自身的品牌授权期限。",
    "本授权所涉商标为第{trademark}号「{brand}」注册商标。",
)

_BRAND_DEFS = (
    # id, cn name, en, colour, owner trade, products, city, sub trade, letter style
    ("lantu", "澜图", "LANTU", (24, 70, 120), "化妆品", "护肤品及彩妆产品", "上海市", "电子商务", 0),
    ("bojun", "铂骏", "BOJUN", (150, 30, 30), "体育用品", "运动鞋服及配件", "广州市", "商贸", 1),
    ("xinglan", "星岚", "XINGLAN", (30, 110, 70), "电器", "小家电产品", "杭州市", "科技", 2),
)


def _build(defn: tuple, idx: int) -> Brand:
    bid, cn, en, color, trade, products, city, sub_trade, style = defn
    rng = random.Random(f"brand-{bid}")
    owner = Entity(
        f"{cn}（{city.removesuffix('市')}）{trade}有限公司", V.uscc(rng, V.REGIONS[city]), "owner", city
    )
    sub_city = rng.choice(sorted(V.REGIONS))
    sub = Entity(
        f"{cn}{sub_trade}（{sub_city.removesuffix('市')}）有限公司",
        V.uscc(rng, V.REGIONS[sub_city]),
        "subsidiary",
        sub_city,
    )
    dists = []
    for k in range(3):
        name, dcity = V.company(rng, trade="贸易")
        start = dt.date(2023 + (k % 2), 1 + 3 * k, 1)
        dists.append(
            Entity(
                name,
                V.uscc(rng, V.REGIONS[dcity]),
                "distributor",
                dcity,
                start,
                dt.date(start.year + 2, start.month, 1) - dt.timedelta(days=1),
            )
        )
    seals = entity_seals(owner, rng, f"{bid}", ("official", "contract", "invoice"))
    seals += entity_seals(sub, rng, f"{bid}-sub", ("official", "invoice"))
    for k, d in enumerate(dists):
        seals += entity_seals(d, rng, f"{bid}-dist{k + 1}", ("official", "invoice"))
    pfx = en[:2]
    clauses = (_CLAUSES_A, _CLAUSES_B, _CLAUSES_A)[style]
    title = ("品牌授权书", "授权书", "商标使用及销售授权书")[style]
    letters = (
        LetterTemplate(
            f"{bid}-letter-2024", bid, style, title, clauses, (title, "特此授权", clauses[2][:8]), f"{pfx}-SQ"
        ),
        LetterTemplate(
            f"{bid}-letter-2021",
            bid,
            (style + 1) % 3,
            "授权书",
            _CLAUSES_OLD,
            ("授权书", "特此授权"),
            f"{pfx}",
            current=False,
        ),
        LetterTemplate(
            f"{bid}-dist-letter-2024",
            bid,
            (style + 2) % 3,
            "经销商授权书",
            _CLAUSES_DIST,
            ("经销商授权书", "特此授权", "不得再次授权"),
            f"{pfx}-JX",
            distributor=True,
        ),
    )
    return Brand(
        bid,
        cn,
        (cn, en),
        en,
        color,
        (owner, sub),
        tuple(dists),
        tuple(seals),
        letters,
        tuple(products.split("及")),
        trade,
        _trademarks(bid),
    )


def _trademarks(bid: str) -> tuple[str, ...]:
    """Two eight-digit registration numbers, from their own stream so the brand's other draws stay as they were."""
    rng = random.Random(f"trademark-{bid}")
    return tuple(str(rng.randint(10_000_000, 59_999_999)) for _ in range(2))


BRANDS: tuple[Brand, ...] = tuple(_build(d, i) for i, d in enumerate(_BRAND_DEFS))
"""The fictional brands every corpus uses."""


def brand(bid: str) -> Brand:
    """Look a brand up by id."""
    for b in BRANDS:
        if b.id == bid:
            return b
    raise KeyError(bid)

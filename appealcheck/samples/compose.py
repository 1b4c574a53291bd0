"""Plan one appeal: the seller, its documents (genuine specs) and which forgery, if any."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from . import values as V
from .brands import BRANDS, Brand
from .documents import DocSpec, SealUse
from .seals import SealSpec

PLATFORMS = ("天猫", "京东", "抖音", "拼多多", "淘宝", "小红书")


@dataclass(frozen=True)
class Seller:
    """Who files the appeal."""

    name: str
    uscc: str
    city: str
    shop: str
    legal_rep: str
    account: dict


@dataclass(frozen=True)
class SerialForger:
    """One forged letter template sold to many sellers; only the licensee changes."""

    id: str
    brand: str
    spec: DocSpec
    """The forged template (licensee fields are filled per appeal)."""
    genuine: DocSpec
    """The same letter with the registered seal: the twin each copy is compared with."""
    op: str


def seller(rng: random.Random, submitted: dt.date) -> Seller:
    """A seller company with its shop and account signals."""
    name, city = V.company(rng)
    core = name.removeprefix(city.removesuffix("市"))[:2]
    acct = {
        "age_days": rng.choice([rng.randint(5, 90), rng.randint(90, 2000)]),
        "prior_violations": rng.choice([0, 0, 0, 1, 2, 3, 5]),
        "appeals_90d": rng.choice([0, 1, 1, 2, 3, 6]),
    }
    return Seller(
        name,
        V.uscc(rng, V.REGIONS[city]),
        city,
        f"{core}{rng.choice(['旗舰店', '专营店', '数码专营店', '美妆店', '生活馆'])}",
        V.person(rng),
        acct,
    )


def _serial(b: Brand, t_prefix: str, year: int, rng: random.Random) -> str:
    return f"{t_prefix}-{year}-{rng.randint(0, 99999):05d}"


def seal_use(s: SealSpec, rng: random.Random) -> SealUse:
    """A realistic placement of a seal impression."""
    return SealUse(
        s,
        0,
        rng.uniform(-4, 4),
        rng.uniform(-3, 3),
        rng.uniform(-18, 18),
        rng.choice([0.0, 0.0, 0.0, 0.15, 0.3]),
    )


def letter(
    b: Brand,
    licensor,
    licensee: Seller,
    submitted: dt.date,
    rng: random.Random,
    distributor: bool = False,
    parent_serial: str = "",
) -> DocSpec:
    """A genuine authorisation letter valid at ``submitted``."""
    t = b.letter(distributor=distributor)
    issued = submitted - dt.timedelta(days=rng.randint(20, 400))
    start = issued + dt.timedelta(days=rng.choice([0, 0, 1, 5]))
    end = start + dt.timedelta(days=rng.choice([364, 365, 729]) if not distributor else 364)
    if licensor.valid_to:
        end = min(end, licensor.valid_to)
        start = max(start, licensor.valid_from)
        # A distributor cannot authorise before it is authorised itself.
        issued = min(max(issued, licensor.valid_from), start)
    if end < submitted:
        end = submitted + dt.timedelta(days=rng.randint(30, 200))
        if licensor.valid_to:
            end = min(end, licensor.valid_to)  # never beyond the distributor's own authorization
    f = {
        "licensor": licensor.name,
        "licensor_uscc": licensor.uscc,
        "licensee": licensee.name,
        "licensee_uscc": licensee.uscc,
        "platform": rng.choice(PLATFORMS),
        "shop": licensee.shop,
        "valid_from": V.cn_date(start),
        "valid_to": V.cn_date(end),
        "issued_on": V.cn_date(issued),
        "serial": _serial(b, t.serial_prefix, issued.year, rng),
    }
    if distributor:
        f["parent_serial"] = parent_serial
    kind = "contract" if rng.random() < 0.3 else "official"
    return DocSpec(
        "authorization_letter",
        t.id,
        b.id,
        f,
        (seal_use(b.seal_for(licensor.name, kind), rng),),
        rng.randint(0, 2**31),
    )


def distributor_own_letter(b: Brand, dist, submitted: dt.date, rng: random.Random) -> DocSpec:
    """The brand's letter to the distributor, which the distributor forwards."""
    owner = b.entities[0]
    lic = Seller(dist.name, dist.uscc, dist.city, f"{b.name}授权经销", "", {})
    t = b.letter(distributor=False)
    f = {
        "licensor": owner.name,
        "licensor_uscc": owner.uscc,
        "licensee": dist.name,
        "licensee_uscc": dist.uscc,
        "platform": "全网",
        "shop": lic.shop,
        "valid_from": V.cn_date(dist.valid_from),
        "valid_to": V.cn_date(dist.valid_to),
        "issued_on": V.cn_date(dist.valid_from - dt.timedelta(days=7)),
        "serial": _serial(b, t.serial_prefix, dist.valid_from.year, random.Random(dist.uscc)),
    }
    return DocSpec(
        "authorization_letter", t.id, b.id, f, (seal_use(b.seal_for(owner.name), rng),), rng.randint(0, 2**31)
    )


_ITEMS = {
    "lantu": [
        ("*化妆品*{b}精华液", "30ml", "瓶", 26000),
        ("*化妆品*{b}保湿面霜", "50g", "瓶", 32000),
        ("*化妆品*{b}口红", "3.5g", "支", 18000),
    ],
    "bojun": [
        ("*鞋*{b}跑步鞋", "42码", "双", 59900),
        ("*服装*{b}运动T恤", "XL", "件", 19900),
        ("*鞋*{b}篮球鞋", "43码", "双", 89900),
    ],
    "xinglan": [
        ("*家用电器*{b}电水壶", "1.7L", "台", 19900),
        ("*家用电器*{b}空气炸锅", "5L", "台", 49900),
        ("*家用电器*{b}吹风机", "1800W", "台", 29900),
    ],
}


def _phone(rng: random.Random) -> str:
    return f"0{rng.randint(20, 999)}-{rng.randint(1000000, 89999999)}"


def invoice(b: Brand, issuer, buyer: Seller, submitted: dt.date, rng: random.Random) -> DocSpec:
    """A VAT invoice for stock the seller bought from the brand or a distributor."""
    electronic = rng.random() < 0.5
    special = rng.random() < 0.45
    template = ("efapiao-2019" if electronic else "vat-paper-2018") + ("-special" if special else "-normal")
    rate = 13
    items, amount, tax = [], 0, 0
    for name, sp, unit, price in rng.sample(_ITEMS[b.id], rng.randint(1, 3)):
        qty = rng.choice([20, 50, 100, 120, 200, 300])
        unit_ex = int(round(price / 1.13))
        amt = unit_ex * qty
        tx = int(round(amt * rate / 100))
        amount += amt
        tax += tx
        items.append(
            {
                "name": name.format(b=b.name),
                "spec": sp,
                "unit": unit,
                "qty": str(qty),
                "price": f"{unit_ex / 100:.2f}",
                "amount": V.money(amt),
                "rate": f"{rate}%",
                "tax": V.money(tx),
            }
        )
    total = amount + tax
    issued = submitted - dt.timedelta(days=rng.randint(5, 300))
    city = issuer.city.removesuffix("市")
    # The code's region and year, then (12 digits) a batch and the kind: 04 paper 普票, 11 electronic 普票, 13
    # electronic 专票; (10 digits, paper 专票) a batch digit, 1 for the kind, 3 copies, 0 for the computer form.
    # One draw either way, as before the codes were made real, so the rest of a seed's corpus is unchanged.
    region, yy = V.invoice_region(issuer.city), f"{issued.year % 100:02d}"
    kind = "13" if special else "11" if electronic else "04"
    f = {
        "invoice_code": f"0{region}{yy}{rng.randint(0, 99999) % 1000:03d}{kind}"
        if not special or electronic
        else f"{region}{yy}{rng.randint(1000, 9999) % 4 + 1}130",
        "invoice_no": f"{rng.randint(0, 99999999):08d}",
        "issued_on": V.cn_date(issued),
        "check_code": " ".join(f"{rng.randint(0, 99999):05d}" for _ in range(4)),
        "qr_crc": f"{rng.randint(0, 0xFFFF):04X}",
        "buyer_name": buyer.name,
        "buyer_uscc": buyer.uscc,
        "buyer_addr": f"{V.address(rng, buyer.city)} {_phone(rng)}",
        "buyer_bank": f"中国工商银行{buyer.city.removesuffix('市')}分行 {rng.randint(10**15, 10**16 - 1)}",
        "seller_name": issuer.name,
        "seller_uscc": issuer.uscc,
        "seller_addr": f"{V.address(rng, issuer.city)} {_phone(rng)}",
        "seller_bank": f"招商银行{city}分行 {rng.randint(10**15, 10**16 - 1)}",
        "items": items,
        "amount": V.money(amount),
        "tax": V.money(tax),
        "total": V.money(total),
        "total_in_words": V.amount_in_words(total),
        "region": city,
        "payee": V.person(rng),
        "reviewer": V.person(rng),
        "drawer": V.person(rng),
    }
    return DocSpec(
        "purchase_invoice",
        template,
        b.id,
        f,
        (seal_use(b.seal_for(issuer.name, "invoice"), rng),),
        rng.randint(0, 2**31),
    )


_STORES = {
    "en": [
        ("WESTBROOK & HALE", "87 Brompton Road, London SW1X 7XL", "GBP", "VAT 20%", 0.2),
        ("MADISON GRAND", "611 Fifth Avenue, New York NY 10022", "USD", "Sales Tax", 0.08875),
    ],
    "ja": [("銀座みつば百貨店", "東京都中央区銀座4-6-16", "JPY", "消費税", 0.1)],
    "fr": [("GALERIES LUMIÈRE", "40 Boulevard Haussmann, 75009 Paris", "EUR", "TVA", 0.2)],
    "cn": [("{b}品牌专柜（{c}店）", "{c}市中心商场二层", "CNY", None, 0.0)],
}
_STORE_COUNTRY = {"WESTBROOK & HALE": "GB", "MADISON GRAND": "US", "銀座みつば百貨店": "JP", "GALERIES LUMIÈRE": "FR"}
_CN_CITIES = ("上海", "杭州", "广州")
OTHER_STORES = {
    "en": ["HARLOW & FINCH OUTLET", "BAYSIDE DISCOUNT MART"],
    "ja": ["新宿ことぶき商店", "なにわ免税センター"],
    "fr": ["BOUTIQUE DU MARAIS", "GRAND BAZAR DE L'EST"],
    "cn": ["{c}名品折扣仓", "{c}潮流精品汇"],
}
"""Shops that do not sell the brand (a receipt from one is the `store_unknown` forgery)."""


def brand_stores(b: Brand) -> list[dict[str, str]]:
    """The shops a brand pack lists: every overseas store of the corpus and the brand's own counters."""
    out = [{"name": name, "country": _STORE_COUNTRY[name]} for lang in ("en", "ja", "fr") for name, *_ in _STORES[lang]]
    out += [{"name": _STORES["cn"][0][0].format(b=b.name, c=c), "country": "CN"} for c in _CN_CITIES]
    return out


_PAY = {
    "en": ["VISA ****4821", "MASTERCARD ****1187", "CASH"],
    "ja": ["クレジット", "現金"],
    "fr": ["CB VISA ****5532", "ESPECES"],
    "cn": ["微信支付", "支付宝", "银联卡"],
}


def receipt(b: Brand, lang: str, submitted: dt.date, rng: random.Random) -> DocSpec:
    """A till receipt: Chinese counter or an overseas department store (海外代购)."""
    store, addr, cur, _, rate = rng.choice(_STORES[lang])
    store = store.format(b=b.name, c=rng.choice(_CN_CITIES))
    addr = addr.format(c=rng.choice(_CN_CITIES))
    factor = {"CNY": 1, "GBP": 0.11, "USD": 0.14, "JPY": 21, "EUR": 0.13}[cur]
    items, sub = [], 0
    for name, _, _, price in rng.sample(_ITEMS[b.id], rng.randint(1, 3)):
        qty = rng.randint(1, 4)
        label = name.split("*")[-1].format(b=b.en if lang != "cn" else b.name)
        amt = (
            int(round(price * factor)) * qty
            if cur != "JPY"
            else int(round(price * factor / 10000)) * 100 * qty
        )
        sub += amt
        items.append(
            {
                "name": label if lang == "cn" else f"{b.en} {label[len(b.en) :] or 'ITEM'}"[:22],
                "qty": str(qty),
                "amount": _fmt_money(amt, cur),
            }
        )
    if lang in ("en", "fr", "ja") and cur != "USD":
        tax = int(round(sub - sub / (1 + rate)))  # prices include VAT
        total = sub
        subtotal = sub - tax
    else:
        tax = int(round(sub * rate))
        total = sub + tax
        subtotal = sub
    day = submitted - dt.timedelta(days=rng.randint(10, 200))
    date = {
        "en": day.strftime("%d/%m/%Y") if cur == "GBP" else day.strftime("%m/%d/%Y"),
        "ja": f"{day.year}年{day.month}月{day.day}日",
        "fr": day.strftime("%d/%m/%Y"),
        "cn": day.isoformat(),
    }[lang] + f" {rng.randint(10, 20)}:{rng.randint(0, 59):02d}"
    f = {
        "store": store,
        "store_addr": addr,
        "lang": lang,
        "currency": cur,
        "items": items,
        "subtotal": _fmt_money(subtotal, cur),
        "tax": _fmt_money(tax, cur),
        "total": _fmt_money(total, cur),
        "date": date,
        "receipt_no": f"{rng.randint(10**9, 10**10 - 1)}",
        "payment": rng.choice(_PAY[lang]),
        "tax_free": {"ja": "免税 Tax-Free", "fr": "Détaxe / Tax Free", "en": ""}.get(lang, ""),
    }
    tpl = f"receipt-{lang}-" + rng.choice(["mono", "serif"] if lang in ("en", "fr") else ["mono"])
    return DocSpec("receipt", tpl, b.id, f, (), rng.randint(0, 2**31))


def _fmt_money(v: int, cur: str) -> str:
    if cur == "JPY":
        return f"¥{v:,}"
    s = f"{v // 100:,}.{v % 100:02d}"
    return {"GBP": "£", "USD": "$", "EUR": "", "CNY": "¥"}[cur] + (
        s.replace(",", " ").replace(".", ",") if cur == "EUR" else s
    )


def license_doc(s: Seller, rng: random.Random) -> DocSpec:
    """The seller's own business licence with the registry's seal."""
    founded = dt.date(rng.randint(2012, 2023), rng.randint(1, 12), rng.randint(1, 28))
    city = s.city
    f = {
        "uscc": s.uscc,
        "name": s.name,
        "type": "有限责任公司（自然人投资或控股）",
        "legal_rep": s.legal_rep,
        "scope": "一般项目：互联网销售（除销售需要许可的商品）；化妆品零售；日用百货销售；"
        "服装服饰零售；家用电器销售；"
        "体育用品及器材零售；技术服务、技术开发、技术咨询。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
        "capital": f"{rng.choice([50, 100, 200, 500, 1000])}万元人民币",
        "founded": V.cn_date(founded),
        "term": f"{V.cn_date(founded)}至无固定期限",
        "address": V.address(rng, city),
        "issued_on": V.cn_date(founded + dt.timedelta(days=rng.randint(0, 600))),
    }
    dist = V.DISTRICTS[city][0]
    seal = SealSpec(
        f"amr-{V.REGIONS[city]}",
        f"{city}{dist}市场监督管理局",
        f"{city}{dist}市场监督管理局",
        "official",
        "circle",
        (42.0, 42.0),
        "",
        "",
    )
    use = SealUse(seal, 0, rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-10, 10), 0.0)
    return DocSpec("business_license", "license-2019", "", f, (use,), rng.randint(0, 2**31))


def serial_forgers(seed: int) -> tuple[SerialForger, ...]:
    """Three forgers per corpus, each selling one forged letter of one brand."""
    out = []
    for k in range(3):
        rng = random.Random(f"forger-{seed}-{k}")
        b = BRANDS[k % len(BRANDS)]
        dummy = Seller("某某有限公司", V.uscc(rng), "上海市", "某某店", "", {})
        g = letter(b, b.entities[rng.randrange(2)], dummy, dt.date(2025, 6, 1), rng)
        g = replace(g, fields=dict(g.fields, valid_to=V.cn_date(dt.date(2026, 12, 31))))
        from . import forgeries as F

        op = ["seal_text_altered", "seal_geometry", "seal_text_altered"][k]
        spec = F.seal_text_altered(g, rng) if op == "seal_text_altered" else F.seal_geometry(g, rng)
        out.append(SerialForger(f"SF-{seed}-{k + 1}", b.id, spec, g, op))
    return tuple(out)


def fill_licensee(spec: DocSpec, s: Seller) -> DocSpec:
    """A serial forger's template filled in for one buyer."""
    return replace(spec, fields=dict(spec.fields, licensee=s.name, licensee_uscc=s.uscc, shop=s.shop))

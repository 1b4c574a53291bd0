"""Document renderers: authorisation letters, VAT invoices, receipts, business licences.

Each renderer turns a :class:`DocSpec` (what is printed) into a :class:`~.page.Rendered` page.
Rendering is a pure function of the spec and the DPI, so a forged spec re-rendered with the same
seed differs from its genuine twin only where the forgery changed something.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import zxingcpp

from . import seals as S
from .brands import brand as get_brand
from .page import Page, Rendered
from .seals import SealSpec


@dataclass(frozen=True)
class SealUse:
    """One seal impression on a document."""

    spec: SealSpec
    slot: int = 0
    """Which of the template's seal positions it goes to."""
    dx: float = 0.0
    """Offset from the slot centre, mm."""
    dy: float = 0.0
    rotation: float = 0.0
    """Degrees, counter-clockwise."""
    partial: float = 0.0
    """0 = full impression; up to ~0.5 = one side barely inked."""


@dataclass(frozen=True)
class DocSpec:
    """Everything printed on a document; forgeries are mostly edits of this."""

    kind: str
    """authorization_letter | purchase_invoice | receipt | business_license."""
    template: str
    """Template id."""
    brand: str
    fields: dict
    """Printed field values (strings; invoice ``items`` is a list of dicts)."""
    seals: tuple[SealUse, ...] = ()
    seed: int = 0
    """Seeds the per-document render noise (ink, printer offset)."""
    options: dict = field(default_factory=dict)
    """Template deviations: ``drop_clause``, ``move_blocks``, ``qr_payload``."""


INK = (22, 22, 26)


def _finish(p: Page, spec: DocSpec, slots: list[tuple[float, float]]) -> Rendered:
    """Apply the seal impressions (multiply blend) and freeze the page."""
    img = np.array(p.im)
    rng = np.random.default_rng([spec.seed, 11])
    boxes = []
    slot_px = [(p.px(x), p.px(y)) for x, y in slots]
    for use in spec.seals:
        cx, cy = slots[use.slot]
        alpha = S.impression(use.spec, p.dpi, rng, use.rotation, use.partial)
        box = S.stamp(img, alpha, (p.px(cx + use.dx), p.px(cy + use.dy)), S.ink_color(rng))
        boxes.append((use.spec.id, box))
    return Rendered(
        img, p.dpi, tuple(p.glyphs), {k: list(v) for k, v in p.fields.items()}, tuple(boxes), tuple(slot_px)
    )


# ---------------------------------------------------------------- authorisation letters


def _fmt(s: str, f: dict) -> list[tuple[str, str | None]]:
    """Split a clause template into (text, field) runs so inline values keep their field tag."""
    out: list[tuple[str, str | None]] = []
    rest = s
    while "{" in rest:
        pre, _, tail = rest.partition("{")
        name, _, rest = tail.partition("}")
        if pre:
            out.append((pre, None))
        out.append((str(f.get(name, "")), name if name in _TAGGED else None))
    if rest:
        out.append((rest, None))
    return out


_TAGGED = {"licensee", "licensee_uscc", "licensor", "platform", "parent_serial"}


def render_letter(spec: DocSpec, dpi: int) -> Rendered:
    """An authorisation letter (brand or distributor to seller), A4 portrait."""
    b = get_brand(spec.brand)
    t = next(t for t in b.letters if t.id == spec.template)
    f = dict(spec.fields)
    f.setdefault("brand", b.name)
    f.setdefault("en", b.en)
    f.setdefault("products", "、".join(b.products))
    f.setdefault("trademark", b.trademarks[0] if b.trademarks else "")
    style = t.style
    p = Page(210, 297, dpi)
    body = t.font
    moved = bool(spec.options.get("move_blocks"))
    y = 22.0
    if style == 0:
        p.rect(0, 0, 210, 14, fill=b.color, outline=b.color)
        p.text(20, 3.5, b.name, "sans_bold", 16, (255, 255, 255))
        p.text(190, 4.2, b.en, "serif_bold", 14, (255, 255, 255), align="r")
        y = 30.0
    elif style == 2:
        p.rect(8, 8, 202, 289, w=0.8, outline=b.color)
        p.rect(10, 10, 200, 287, w=0.3, outline=b.color)
        p.text(105, 16, f"{b.name} {b.en}", "sans_bold", 12, b.color, align="m")
        y = 28.0
    p.text(
        105, y, t.title, "sans_bold", 24 if style != 1 else 22, INK, align="m", track=1.5 if style == 1 else 0
    )
    y += 14
    if style == 1:
        p.line(30, y - 2, 180, y - 2, 0.6)
        p.line(30, y - 1, 180, y - 1, 0.2)
    p.text(188, y, "编号：", "sans", 10.5, INK, align="r")
    p.text(188, y, "", "sans", 10.5)
    p.text(172 if style != 1 else 170, y, "", "sans", 10.5)
    p.text(188 - 0.1, y + 6, f["serial"], "serif", 10.5, INK, align="r", field="serial")
    y += 16
    rows = [
        ("授权方", "licensor"),
        ("被授权方", "licensee"),
        ("统一社会信用代码", "licensee_uscc"),
        ("授权平台", "platform"),
        ("店铺名称", "shop"),
    ]

    def table(y: float) -> float:
        for label, key in rows:
            if style == 2:
                p.rect(22, y - 2, 188, y + 7.5, w=0.25)
                p.line(70, y - 2, 70, y + 7.5, 0.25)
                p.text(25, y, label, "sans_bold", 11.5, INK)
                p.text(73, y, f[key], "sans", 11.5, INK, field=key)
                y += 9.5
            else:
                x = p.text(25, y, f"{label}：", "sans_bold" if style == 0 else body, 12, INK)
                p.text(x + 1, y, f[key], body, 12, INK, field=key)
                y += 9.5
        x = p.text(25, y, "授权期限：", "sans_bold" if style == 0 else body, 12, INK)
        x = p.text(x + 1, y, f["valid_from"], body, 12, INK, field="valid_from")
        x = p.text(x + 1, y, "至", body, 12, INK)
        p.text(x + 1, y, f["valid_to"], body, 12, INK, field="valid_to")
        return y + 14

    def clauses(y: float) -> float:
        drop = spec.options.get("drop_clause")
        n = 0
        for i, c in enumerate(t.clauses):
            if drop is not None and i == drop:
                continue
            n += 1
            y = p.para(25, y, 160, [(f"{n}. ", None), *_fmt(c, f)], pt=12, family=body, indent=0)
            y += 2.5
        extra = spec.options.get("extra_clause")
        if extra:
            y = p.para(25, y, 160, [(f"{n + 1}. {extra}", None)], pt=12, family=body, indent=0) + 2.5
        if spec.options.get("no_closing"):
            return y + 6
        return p.para(25, y + 2, 160, [("特此授权。", None)], pt=12, family=body) + 6

    if moved:
        y = table(clauses(y))
    else:
        y = clauses(table(y))
    # The signature block sits low on the page; the seal covers the licensor name and date.
    sy = max(y + 8, 215.0)
    sx = 118.0 if not moved else 25.0
    x = p.text(sx, sy, "授权方（盖章）：", body, 12, INK)
    p.text(sx, sy + 9, f["licensor"], body, 12, INK, field="licensor_sign")
    x = p.text(sx, sy + 20, "签发日期：", body, 12, INK)
    p.text(x + 1, sy + 20, f["issued_on"], body, 12, INK, field="issued_on")
    if style == 0:
        p.line(0, 285, 210, 285, 0.4, b.color)
        p.text(
            105,
            288,
            f"{b.entities[0].name}  品牌保护热线 400-820-{1000 + len(b.id) * 7}",
            "sans",
            8,
            (90, 90, 90),
            align="m",
        )
    return _finish(p, spec, [(sx + 36, sy + 12)])


# ---------------------------------------------------------------- VAT invoices

BROWN = (150, 86, 42)
EBROWN = (160, 72, 52)


def qr_array(payload: str) -> np.ndarray:
    """A QR code (black on white, 1 module quiet zone) as a uint8 array."""
    bc = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode)
    a = np.asarray(bc.to_image(scale=1, add_quiet_zones=False))
    return np.pad(a, 1, constant_values=255)


def qr_payload(f: dict) -> str:
    """The payload printed in an e-fapiao QR code: code, number, amount, date, check code."""
    date = f["issued_on"].replace("年", "").replace("月", "").replace("日", "")
    return f"01,10,{f['invoice_code']},{f['invoice_no']},{f['amount']},{date},{f['check_code']},{f['qr_crc']}"


def render_invoice(spec: DocSpec, dpi: int) -> Rendered:
    """A VAT invoice: paper 专票/普票 (``*-paper-*``) or an e-fapiao with a QR code (``efapiao-*``)."""
    f = spec.fields
    electronic = spec.template.startswith("efapiao")
    special = "special" in spec.template
    col = EBROWN if electronic else BROWN
    W, H = (210, 140) if electronic else (240, 140)
    p = Page(W, H, dpi, (255, 255, 255) if electronic else (250, 248, 240))
    rng = np.random.default_rng([spec.seed, 5])
    # Paper invoices are pre-printed forms filled by a dot-matrix printer: values sit off-register.
    ox, oy = (0.0, 0.0) if electronic else (float(rng.uniform(-1.5, 1.5)), float(rng.uniform(-1.0, 1.0)))
    val = "sans" if electronic else "mono"
    city = f.get("region", "上海")
    if electronic:
        title = f"{city}增值税电子{'专用' if special else '普通'}发票"
    else:
        title = f"{city}增值税{'专用' if special else '普通'}发票"
    p.text(W / 2, 8, title, "sans_bold", 17, col, align="m", track=0.6)
    p.line(W / 2 - 45, 17.5, W / 2 + 45, 17.5, 0.4, col)
    p.line(W / 2 - 45, 18.5, W / 2 + 45, 18.5, 0.4, col)
    payload = spec.options.get("qr_payload") or qr_payload(f)
    qr_box = p.paste_gray(qr_array(payload), 10, 5, 20)
    p.fields["qr"] = [qr_box]
    rx = W - 68
    labels = [
        ("发票代码", "invoice_code"),
        ("发票号码", "invoice_no"),
        ("开票日期", "issued_on"),
        ("校 验 码", "check_code"),
    ]
    for i, (lab, key) in enumerate(labels):
        yy = 6 + i * 5
        x = p.text(rx, yy, f"{lab}：", "sans", 9, col)
        p.text(x + 1 + ox, yy + oy, f[key], val, 9.5, INK, field=key)
    top, left, right = 28.0, 8.0, W - 8.0
    p.rect(left, top, right, H - 14, w=0.4, outline=col)
    # buyer block
    p.line(left, top + 22, right, top + 22, 0.3, col)
    p.line(left + 8, top, left + 8, top + 22, 0.3, col)
    p.text(left + 2, top + 3, "购", "sans", 10, col)
    p.text(left + 2, top + 9, "买", "sans", 10, col)
    p.text(left + 2, top + 15, "方", "sans", 10, col)
    blk = [
        ("名        称", "buyer_name"),
        ("纳税人识别号", "buyer_uscc"),
        ("地 址、电 话", "buyer_addr"),
        ("开户行及账号", "buyer_bank"),
    ]
    for i, (lab, key) in enumerate(blk):
        yy = top + 1 + i * 5.2
        x = p.text(left + 10, yy, f"{lab}：", "sans", 8.5, col)
        p.text(x + 1 + ox, yy + oy, f.get(key, ""), val, 9, INK, field=key)
    p.line(right - 62, top, right - 62, top + 22, 0.3, col)
    p.text(right - 60, top + 8, "密\n码\n区"[0], "sans", 9, col)
    crng = np.random.default_rng([spec.seed, 9])
    for i in range(4):
        s = "".join(crng.choice(list("0123456789<>*/+-"), 27))
        p.text(right - 55, top + 1.5 + i * 5, s, "mono", 8, INK)
    # items table
    ty = top + 22
    cols = [left, left + 58, left + 80, left + 92, left + 106, left + 128, left + 152, left + 166, right]
    heads = ["货物或应税劳务、服务名称", "规格型号", "单位", "数 量", "单 价", "金 额", "税率", "税 额"]
    if electronic:
        heads[0] = "项目名称"
    for i, h in enumerate(heads):
        p.text((cols[i] + cols[i + 1]) / 2, ty + 1.2, h, "sans", 8, col, align="m")
    p.line(left, ty + 6, right, ty + 6, 0.25, col)
    for c in cols[1:-1]:
        p.line(c, ty, c, ty + 46, 0.25, col)
    for k, it in enumerate(f["items"]):
        yy = ty + 8 + k * 5 + oy
        cells = [
            it["name"],
            it["spec"],
            it["unit"],
            it["qty"],
            it["price"],
            it["amount"],
            it["rate"],
            it["tax"],
        ]
        for i, c in enumerate(cells):
            if i == 0:
                p.text(cols[0] + 1.5 + ox, yy, c, val, 8.5, INK, field=f"item{k}_name")
            else:
                p.text(cols[i + 1] - 1.5 + ox, yy, c, val, 8.5, INK, align="r", field=f"item{k}_{i}")
    sy = ty + 40
    p.text(cols[0] + 20, sy, "合        计", "sans", 9, col, align="m")
    p.text(cols[6] - 1.5 + ox, sy + oy, f"¥{f['amount']}", val, 9, INK, align="r", field="amount")
    p.text(right - 1.5 + ox, sy + oy, f"¥{f['tax']}", val, 9, INK, align="r", field="tax")
    p.line(left, ty + 46, right, ty + 46, 0.3, col)
    yy = ty + 47.5
    x = p.text(left + 2, yy, "价税合计（大写）", "sans", 9, col)
    p.text(
        x + 4 + ox,
        yy + oy,
        "ⓧ" + f["total_in_words"],
        val if electronic else "sans",
        9.5,
        INK,
        field="total_in_words",
    )
    x = p.text(right - 48, yy, "（小写）", "sans", 9, col)
    p.text(x + 1 + ox, yy + oy, f"¥{f['total']}", val, 9.5, INK, field="total")
    p.line(left, ty + 53, right, ty + 53, 0.3, col)
    sy = ty + 53
    p.line(left + 8, sy, left + 8, H - 14, 0.3, col)
    for i, ch in enumerate("销售方"):
        p.text(left + 2, sy + 2.5 + i * 6, ch, "sans", 10, col)
    blk = [
        ("名        称", "seller_name"),
        ("纳税人识别号", "seller_uscc"),
        ("地 址、电 话", "seller_addr"),
        ("开户行及账号", "seller_bank"),
    ]
    for i, (lab, key) in enumerate(blk):
        yy = sy + 1 + i * 5.2
        x = p.text(left + 10, yy, f"{lab}：", "sans", 8.5, col)
        p.text(x + 1 + ox, yy + oy, f.get(key, ""), val, 9, INK, field=key)
    p.line(right - 62, sy, right - 62, H - 14, 0.3, col)
    p.text(right - 60, sy + 2, "备", "sans", 9, col)
    p.text(right - 60, sy + 12, "注", "sans", 9, col)
    fy = H - 11
    for i, (lab, key) in enumerate([("收款人", "payee"), ("复核", "reviewer"), ("开票人", "drawer")]):
        x = p.text(left + 2 + i * 48, fy, f"{lab}：", "sans", 9, col)
        p.text(x + 1, fy, f.get(key, ""), "sans", 9, INK, field=key)
    p.text(right - 40, fy, "销售方：（章）", "sans", 9, col)
    return _finish(p, spec, [(right - 28, H - 20)])


# ---------------------------------------------------------------- receipts

_REC = {
    "cn": {
        "title": "销售小票",
        "no": "单号",
        "date": "日期",
        "item": "商品",
        "qty": "数量",
        "amt": "金额",
        "sub": "小计",
        "tax": None,
        "total": "合计",
        "paid": "实收",
        "pay": "支付方式",
        "thanks": "谢谢惠顾，欢迎再次光临",
    },
    "en": {
        "title": "SALES RECEIPT",
        "no": "Receipt No",
        "date": "Date",
        "item": "Item",
        "qty": "Qty",
        "amt": "Amount",
        "sub": "Subtotal",
        "tax": "VAT 20%",
        "total": "TOTAL",
        "paid": "Paid",
        "pay": "Payment",
        "thanks": "Thank you for shopping with us",
    },
    "ja": {
        "title": "領収書",
        "no": "伝票番号",
        "date": "日付",
        "item": "品名",
        "qty": "数量",
        "amt": "金額",
        "sub": "小計",
        "tax": "消費税 10%",
        "total": "合計",
        "paid": "お預り",
        "pay": "お支払",
        "thanks": "ご来店ありがとうございました",
    },
    "fr": {
        "title": "TICKET DE CAISSE",
        "no": "Ticket n°",
        "date": "Date",
        "item": "Article",
        "qty": "Qté",
        "amt": "Montant",
        "sub": "Total HT",
        "tax": "TVA 20%",
        "total": "Total TTC",
        "paid": "Payé",
        "pay": "Paiement",
        "thanks": "Merci de votre visite",
    },
}


def render_receipt(spec: DocSpec, dpi: int) -> Rendered:
    """A till receipt, 80 mm roll; Chinese shop or overseas department store."""
    f = spec.fields
    lang = f["lang"]
    L = _REC[lang]
    n = len(f["items"])
    H = 120 + 9 * n
    p = Page(80, H, dpi, (252, 251, 247))
    fam = "mono" if lang in ("cn", "ja") else ("serif" if "serif" in spec.template else "mono")
    head = "serif_bold" if lang in ("en", "fr") else "sans_bold"
    y = 6.0
    p.text(40, y, f["store"], head, 13, INK, align="m", field="store")
    y += 7
    p.text(40, y, f["store_addr"], fam, 7.5, INK, align="m")
    y += 5
    p.text(40, y, L["title"], "sans_bold" if lang in ("cn", "ja") else head, 10, INK, align="m")
    y += 7
    x = p.text(5, y, f"{L['no']}: ", fam, 8, INK)
    p.text(x, y, f["receipt_no"], fam, 8, INK, field="receipt_no")
    y += 4.5
    x = p.text(5, y, f"{L['date']}: ", fam, 8, INK)
    p.text(x, y, f["date"], fam, 8, INK, field="date")
    y += 5
    p.text(5, y, "-" * 44, "mono", 8, INK)
    y += 4
    p.text(5, y, L["item"], fam, 8, INK)
    p.text(52, y, L["qty"], fam, 8, INK, align="r")
    p.text(75, y, L["amt"], fam, 8, INK, align="r")
    y += 5
    for k, it in enumerate(f["items"]):
        p.text(5, y, it["name"], fam, 8, INK, field=f"item{k}_name")
        y += 4.2
        p.text(52, y, it["qty"], fam, 8, INK, align="r")
        p.text(75, y, it["amount"], fam, 8, INK, align="r", field=f"item{k}_amount")
        y += 4.8
    p.text(5, y, "-" * 44, "mono", 8, INK)
    y += 4.5
    cur = f["currency"]
    if L["tax"]:
        p.text(5, y, L["sub"], fam, 8.5, INK)
        p.text(75, y, f["subtotal"], fam, 8.5, INK, align="r", field="subtotal")
        y += 4.8
        p.text(5, y, L["tax"], fam, 8.5, INK)
        p.text(75, y, f["tax"], fam, 8.5, INK, align="r", field="tax")
        y += 5
    p.text(5, y, f"{L['total']} {cur}", "sans_bold" if lang in ("cn", "ja") else fam, 11, INK)
    p.text(75, y, f["total"], "sans_bold" if lang in ("cn", "ja") else fam, 11, INK, align="r", field="total")
    y += 7
    p.text(5, y, f"{L['pay']}: {f['payment']}", fam, 8, INK)
    y += 4.5
    if f.get("tax_free"):
        p.text(5, y, f["tax_free"], fam, 8, INK)
        y += 4.5
    p.text(5, y, "-" * 44, "mono", 8, INK)
    y += 5
    p.text(40, y, L["thanks"], fam, 8, INK, align="m")
    y += 6
    # A barcode of the receipt number, as tills print.
    bc = zxingcpp.create_barcode(f["receipt_no"], zxingcpp.BarcodeFormat.Code128)
    a = np.asarray(bc.to_image(scale=2, add_quiet_zones=False))
    from PIL import Image

    bw = p.px(56)
    img = Image.fromarray(a).resize((bw, p.px(9)), Image.NEAREST).convert("RGB")
    p.im.paste(img, (p.px(12), p.px(y)))
    return _finish(p, spec, [(55, y - 20)])


# ---------------------------------------------------------------- business licence


def render_license(spec: DocSpec, dpi: int) -> Rendered:
    """A business licence (营业执照, 副本), landscape."""
    f = spec.fields
    W, H = 297, 210
    p = Page(W, H, dpi, (253, 250, 242))
    red = (178, 52, 40)
    p.rect(6, 6, W - 6, H - 6, w=2.2, outline=red)
    p.rect(10, 10, W - 10, H - 10, w=0.5, outline=red)
    p.text(W / 2, 24, "营 业 执 照", "sans_bold", 40, INK, align="m")
    p.text(W / 2, 46, "（副        本）", "sans", 14, INK, align="m")
    p.text(22, 36, "统一社会信用代码", "sans", 11, INK)
    p.text(22, 42, f["uscc"], "sans_bold", 12, INK, field="uscc")
    qr = qr_array(f"http://www.gsxt.gov.cn/index.html?uniscid={f['uscc']}")
    p.paste_gray(qr, W - 52, 24, 30)
    p.text(W - 37, 56, "扫描二维码登录“国家企业信用", "sans", 7, INK, align="m")
    p.text(W - 37, 60, "信息公示系统”了解更多登记、", "sans", 7, INK, align="m")
    p.text(W - 37, 64, "备案、许可、监管信息。", "sans", 7, INK, align="m")
    left = [("名        称", "name"), ("类        型", "type"), ("法定代表人", "legal_rep")]
    right = [
        ("注 册 资 本", "capital"),
        ("成 立 日 期", "founded"),
        ("营 业 期 限", "term"),
        ("住        所", "address"),
    ]
    y = 78.0
    for lab, key in left:
        p.text(30, y, lab, "sans_bold", 12, INK)
        p.text(68, y, f[key], "sans", 12, INK, field=key)
        y += 10
    p.text(30, y, "经 营 范 围", "sans_bold", 12, INK)
    p.para(68, y, 90, [(f["scope"], "scope")], pt=10.5, indent=0, leading=1.6)
    y = 78.0
    for lab, key in right:
        p.text(165, y, lab, "sans_bold", 12, INK)
        if key == "address":
            p.para(200, y, 78, [(f[key], key)], pt=11.5, indent=0, leading=1.5)
        else:
            p.text(200, y, f[key], "sans", 12, INK, field=key)
        y += 10
    p.text(200, 160, "登 记 机 关", "sans_bold", 12, INK)
    p.text(232, 180, f["issued_on"], "sans", 12, INK, field="issued_on", align="m")
    p.text(W / 2, H - 20, "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn", "sans", 8, INK, align="m")
    p.text(W / 2, H - 15, "国家市场监督管理总局监制", "sans", 8, INK, align="m")
    return _finish(p, spec, [(236, 168)])


RENDERERS = {
    "authorization_letter": render_letter,
    "purchase_invoice": render_invoice,
    "receipt": render_receipt,
    "business_license": render_license,
}


def render(spec: DocSpec, dpi: int) -> Rendered:
    """Render any document spec."""
    return RENDERERS[spec.kind](spec, dpi)

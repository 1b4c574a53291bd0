"""Realistic test pages drawn with a CJK font from PyPI: letters, invoices with seals, receipts.

The tests that prove features OCR these with the real engine, so the text must look like print:
anti-aliased glyphs at 150-200 dpi, a seal in translucent red multiplied over the text.
"""

from __future__ import annotations

import math
from pathlib import Path

import noto_cjk_sans_otc
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = str(Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc")
A4_150 = (1240, 1754)


def font(size: int) -> ImageFont.FreeTypeFont:
    """Simplified-Chinese face of Noto Sans CJK."""
    return ImageFont.truetype(FONT, size, index=2)


def text_page(lines: list[tuple[int, int, str, int]], size=A4_150, bg=(252, 252, 250)) -> Image.Image:
    """A page with (x, y, text, font size) lines in near-black ink."""
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    for x, y, t, s in lines:
        d.text((x, y), t, font=font(s), fill=(25, 25, 30))
    return img


def seal(diameter: int, ring_text: str, center_text: str = "", color=(215, 40, 45)) -> Image.Image:
    """An RGBA round seal: outer ring, text along the arc, star, optional centre text."""
    scale = 3
    D = diameter * scale
    img = Image.new("L", (D, D), 0)
    d = ImageDraw.Draw(img)
    w = max(2, D // 28)
    d.ellipse((w, w, D - w, D - w), outline=255, width=w)
    # Star.
    cx = cy = D / 2
    r_out, r_in = D * 0.13, D * 0.05
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        r = r_out if i % 2 == 0 else r_in
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    d.polygon(pts, fill=255)
    # Ring text from about 210 to 330 degrees over the top.
    f = font(int(D * 0.11))
    n = len(ring_text)
    span = 240
    for i, ch in enumerate(ring_text):
        ang = math.radians(-90 - span / 2 + span * (i + 0.5) / n)
        r = D / 2 - w * 2 - D * 0.075
        glyph = Image.new("L", (int(D * 0.14), int(D * 0.14)), 0)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(ang) - 90, resample=Image.BICUBIC, expand=True)
        x = cx + r * math.cos(ang) - glyph.width / 2
        y = cy + r * math.sin(ang) - glyph.height / 2
        img.paste(255, (int(x), int(y)), glyph)
    if center_text:
        d.text((cx, cy + D * 0.25), center_text, font=font(int(D * 0.08)), fill=255, anchor="mm")
    img = img.resize((diameter, diameter), Image.LANCZOS)
    rng = np.random.default_rng(len(ring_text))
    alpha = np.asarray(img, dtype=np.float32) / 255.0
    # Uneven ink: a real impression's pressure varies across it (one side pressed harder, the pad unevenly inked),
    # and the paper's grain speckles it. A seal of one flat colour is what a pasted image looks like.
    pressure = Image.fromarray((rng.uniform(0, 255, size=(4, 4))).astype(np.uint8)).resize(
        (diameter, diameter), Image.BICUBIC)
    alpha *= 0.55 + 0.45 * np.asarray(pressure, dtype=np.float32) / 255.0
    alpha *= rng.uniform(0.85, 1.0, size=alpha.shape).astype(np.float32)
    rgba = np.zeros((diameter, diameter, 4), np.uint8)
    rgba[..., :3] = color
    rgba[..., 3] = (alpha * 235).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def stamp(page: Image.Image, seal_img: Image.Image, xy: tuple[int, int]) -> Image.Image:
    """Multiply a seal onto a page, so black text under it shows through as real ink does."""
    base = np.asarray(page, dtype=np.float32) / 255.0
    s = np.asarray(seal_img, dtype=np.float32) / 255.0
    x, y = xy
    h, w = s.shape[:2]
    region = base[y:y + h, x:x + w]
    a = s[..., 3:4]
    ink = s[..., :3]
    region[:] = region * (1 - a) + region * ink * a
    return Image.fromarray((base * 255).astype(np.uint8), "RGB")


def letter(licensee="深圳市启航贸易有限公司", period="2024年1月1日至2025年12月31日",
           licensor="艾克米(中国)有限公司", licensor_uscc="91310000MA1FL0XD32",
           issued="2024年1月1日", with_seal=True) -> Image.Image:
    """An authorization letter (授权书) with the licensor's seal over the signature block."""
    L = [
        (520, 140, "授 权 书", 56),
        (120, 300, "编号：AC-2024-00017", 28),
        (120, 370, f"授权方：{licensor}", 30),
        (120, 425, f"统一社会信用代码：{licensor_uscc}", 30),
        (120, 480, f"被授权方：{licensee}", 30),
        (120, 580, "兹授权被授权方在天猫平台销售艾克米品牌系列产品，", 30),
        (120, 630, "并使用相关商标及产品图片进行宣传推广。", 30),
        (120, 700, f"授权期限：{period}", 30),
        (120, 770, "本授权书不得转让，复印无效。特此授权。", 30),
        (700, 1100, f"授权方：{licensor}", 28),
        (700, 1160, f"日期：{issued}", 28),
    ]
    page = text_page(L)
    if with_seal:
        page = stamp(page, seal(300, licensor, "合同专用章"), (760, 990))
    return page


def invoice_with_seal() -> Image.Image:
    """A VAT invoice (增值税普通发票) whose seller seal sits over the seller's name and code."""
    L = [
        (380, 60, "增值税普通发票", 48),
        (820, 150, "发票代码：031001900111", 24),
        (820, 190, "发票号码：12345678", 24),
        (820, 230, "开票日期：2024年03月15日", 24),
        (60, 300, "购买方", 26),
        (200, 300, "名称：深圳市启航贸易有限公司", 26),
        (200, 345, "纳税人识别号：91440300MA5G9BKX58", 26),
        (60, 440, "货物或应税劳务名称    数量    单价    金额    税率    税额", 24),
        (60, 490, "*日用品*艾克米保温杯    100    88.50    8850.00    13%    1150.50", 24),
        (60, 560, "合计    ¥8850.00    ¥1150.50", 26),
        (60, 620, "价税合计（大写）壹万元零伍角", 26),
        (700, 620, "（小写）¥10000.50", 26),
        (60, 720, "销售方", 26),
        (200, 720, "名称：上海锦程贸易有限公司", 26),
        (200, 765, "纳税人识别号：91310115MA1H7XWJ5N", 26),
    ]
    page = text_page(L, size=(1240, 900))
    return stamp(page, seal(220, "上海锦程贸易有限公司", "发票专用章"), (300, 660))


def receipt() -> Image.Image:
    """A narrow shop receipt in English."""
    L = [
        (70, 40, "HARBOUR CITY STORE", 34),
        (70, 100, "Receipt No: 20240315-0042", 22),
        (70, 140, "Date: 2024-03-15  14:32", 22),
        (40, 220, "ACME Travel Mug", 24), (380, 220, "29.90", 24),
        (40, 265, "ACME Bottle 500ml", 24), (380, 265, "15.50", 24),
        (40, 330, "Subtotal", 24), (380, 330, "45.40", 24),
        (40, 375, "Tax", 24), (380, 375, "3.63", 24),
        (40, 430, "TOTAL", 30), (360, 430, "USD 49.03", 30),
        (70, 520, "Thank you for shopping!", 22),
    ]
    return text_page(L, size=(520, 1200))


def phone_photo(page: Image.Image, angle: float = 7.0) -> Image.Image:
    """A page photographed by phone: rotated, on a darker desk, uneven light, slight blur."""
    w, h = page.size
    canvas = Image.new("RGB", (int(w * 1.15), int(h * 1.15)), (90, 85, 80))
    canvas.paste(page, (int(w * 0.075), int(h * 0.075)))
    rot = canvas.rotate(angle, resample=Image.BICUBIC, fillcolor=(90, 85, 80))
    arr = np.asarray(rot, dtype=np.float32)
    yy, xx = np.mgrid[0:arr.shape[0], 0:arr.shape[1]]
    light = 0.82 + 0.18 * (xx / arr.shape[1])
    arr = np.clip(arr * light[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(arr).filter(ImageFilter.GaussianBlur(0.6))


def with_qr(page: Image.Image, payload: str, xy=(40, 20), size=150) -> Image.Image:
    """Paste a QR code (as printed on e-fapiao) onto a page."""
    import zxingcpp

    qr = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode).to_image(scale=4, add_quiet_zones=True)
    qr = Image.fromarray(np.asarray(qr)).convert("RGB").resize((size, size), Image.NEAREST)
    out = page.copy()
    out.paste(qr, xy)
    return out

"""A page canvas laid out in millimetres that remembers where every character and field went."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from .fonts import fake_stroke, get_font, has_glyphs

Box = tuple[int, int, int, int]


@functools.lru_cache(maxsize=16384)
def _glyph_mask(family: str, size_px: int, stroke: int, ch: str) -> tuple[Image.Image | None, Box]:
    """Coverage mask of one character and its box relative to the pen position (top-left anchor).

    Pages are drawn one character at a time (so forgers and labels know every glyph box); asking
    FreeType for each of thousands of characters per page dominated render time, so masks are
    rendered once per process and pasted.
    """
    f = get_font(family, size_px)
    bb = tuple(int(v) for v in f.getbbox(ch, stroke_width=stroke, anchor="la"))
    w, h = bb[2] - bb[0], bb[3] - bb[1]
    if w <= 0 or h <= 0:
        return None, bb
    m = Image.new("L", (w, h), 0)
    ImageDraw.Draw(m).text((-bb[0], -bb[1]), ch, font=f, fill=255, stroke_width=stroke, stroke_fill=255)
    return m, bb


@functools.lru_cache(maxsize=16384)
def advance(family: str, size_px: int, ch: str) -> float:
    """Pen advance of one character in pixels (cached: layout asks for it per character)."""
    return get_font(family, size_px).getlength(ch)


@dataclass(frozen=True)
class Glyph:
    """One drawn character: forgers copy these, tests check boxes against them."""

    ch: str
    box: Box
    family: str
    size_px: int
    fill: tuple[int, int, int]
    field: str | None


@dataclass
class Page:
    """Mutable drawing surface; becomes a :class:`Rendered` when finished."""

    w_mm: float
    h_mm: float
    dpi: int
    bg: tuple[int, int, int] = (255, 255, 255)
    glyphs: list[Glyph] = field(default_factory=list)
    fields: dict[str, list[Box]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.im = Image.new("RGB", (self.px(self.w_mm), self.px(self.h_mm)), self.bg)
        self.draw = ImageDraw.Draw(self.im)

    def px(self, mm: float) -> int:
        """Millimetres to pixels at this page's DPI."""
        return int(round(mm * self.dpi / 25.4))

    def size_px(self, pt: float) -> int:
        """Points to pixels."""
        return max(6, int(round(pt * self.dpi / 72)))

    def _add_field(self, name: str | None, box: Box) -> None:
        if name:
            self.fields.setdefault(name, []).append(box)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        family: str = "sans",
        pt: float = 11,
        fill=(20, 20, 20),
        align: str = "l",
        field: str | None = None,
        track: float = 0.0,
    ) -> float:
        """Draw one line at (x, y) mm (top of the line); return its right edge in mm."""
        if not s:
            return x
        if not has_glyphs(family, s):
            family = "sans"
        size = self.size_px(pt)
        f = get_font(family, size)
        stroke = fake_stroke(family)
        trk = self.px(track)
        widths = [advance(family, size, c) + trk for c in s]
        total = sum(widths) - trk
        X = self.px(x) - (total / 2 if align == "m" else total if align == "r" else 0)
        Y = self.px(y)
        asc, desc = f.getmetrics()
        cx = X
        for c, w in zip(s, widths, strict=True):
            if not c.isspace():
                # Glyphs land on whole pixels (the pen still advances fractionally) so masks can be cached.
                mask, bb = _glyph_mask(family, size, stroke, c)
                xi = int(cx)
                if mask is not None:
                    self.im.paste(fill, (xi + bb[0], Y + bb[1]), mask)
                box = (xi + bb[0], Y + bb[1], xi + bb[2] + 1, Y + bb[3] + 1)
                self.glyphs.append(Glyph(c, box, family, f.size, fill, field))
            cx += w
        self._add_field(field, (int(X), Y, int(cx - trk) + 1, Y + asc + desc))
        return (cx - trk) * 25.4 / self.dpi

    def para(
        self,
        x: float,
        y: float,
        width: float,
        parts: list[tuple[str, str | None]],
        pt: float = 11,
        family: str = "sans",
        leading: float = 1.75,
        indent: float = 2.0,
        fill=(20, 20, 20),
    ) -> float:
        """Lay out a wrapped paragraph of (text, field) runs; return the y below it (mm)."""
        size = self.size_px(pt)
        line_h = pt * 0.3528 * leading
        cx = x + indent * pt * 0.3528
        cy = y
        for text, fld in parts:
            for c in text:
                w = advance(family, size, c) * 25.4 / self.dpi
                if cx + w > x + width and c not in "，。；、）":
                    cx, cy = x, cy + line_h
                self.text(cx, cy, c, family, pt, fill, field=fld)
                cx += w
        return cy + line_h

    def line(self, x0: float, y0: float, x1: float, y1: float, w: float = 0.3, fill=(40, 40, 40)) -> None:
        """A straight rule, ``w`` mm thick."""
        self.draw.line(
            [(self.px(x0), self.px(y0)), (self.px(x1), self.px(y1))], fill=fill, width=max(1, self.px(w))
        )

    def rect(
        self, x0: float, y0: float, x1: float, y1: float, w: float = 0.3, outline=(40, 40, 40), fill=None
    ) -> None:
        """A rectangle in mm."""
        self.draw.rectangle(
            [self.px(x0), self.px(y0), self.px(x1), self.px(y1)],
            outline=outline,
            width=max(1, self.px(w)),
            fill=fill,
        )

    def paste_gray(self, arr: np.ndarray, x: float, y: float, size: float) -> Box:
        """Paste a black-and-white image (e.g. a QR code) ``size`` mm wide at (x, y) mm."""
        n = self.px(size)
        img = Image.fromarray(arr).resize((n, n), Image.NEAREST).convert("RGB")
        self.im.paste(img, (self.px(x), self.px(y)))
        return (self.px(x), self.px(y), self.px(x) + n, self.px(y) + n)


@dataclass(frozen=True)
class Rendered:
    """A finished page before capture, with everything the forgeries and labels need."""

    image: np.ndarray
    """RGB uint8 page."""
    dpi: int
    glyphs: tuple[Glyph, ...]
    fields: dict[str, list[Box]]
    """Field name -> boxes (pixels) where its value was printed."""
    seal_boxes: tuple[tuple[str, Box], ...]
    """(seal id, box) of every impression."""
    seal_slots: tuple[tuple[float, float], ...]
    """Where each seal is centred (pixels): pasted seals go there too."""

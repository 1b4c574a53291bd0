"""Font lookup for the sample renderer.

Fonts come from PyPI packages so the corpus renders the same on every machine:

- ``noto-cjk-sans-otc`` (OFL): Noto Sans CJK SC Regular and Noto Sans Mono CJK SC (required).
- ``noto-cjk-sans-jp-bold`` (OFL): a bold CJK face (optional; without it bold is faked by stroking).
- ``font-source-serif-pro`` (OFL): Latin serif in several weights for foreign receipts (optional).

No CJK serif face is published on PyPI, so "serif" Chinese text falls back to the sans face; the
Latin serif covers the serif receipts and headings of the English/French templates.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from PIL import ImageFont

# Face indices inside NotoSansCJK-Regular.ttc: 0 JP, 2 SC, 7 Mono SC.
_TTC_INDEX = {"sans": 2, "sans_jp": 0, "mono": 7}


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def font_files() -> dict[str, tuple[Path, int]]:
    """Map a family name to (file, face index) for every family this machine has."""
    out: dict[str, tuple[Path, int]] = {}
    base = _package_dir("noto_cjk_sans_otc")
    if base is None:
        raise RuntimeError("noto-cjk-sans-otc is required: pip install noto-cjk-sans-otc")
    ttc = base / "NotoSansCJK-Regular.ttc"
    for fam, idx in _TTC_INDEX.items():
        out[fam] = (ttc, idx)
    bold = _package_dir("noto_cjk_sans_jp_bold")
    if bold is not None and (bold / "NotoSansCJKjp-Bold.otf").exists():
        out["sans_bold"] = (bold / "NotoSansCJKjp-Bold.otf", 0)
    serif = _package_dir("font_source_serif_pro")
    if serif is not None:
        for weight, fname in (
            ("serif", "SourceSerifPro-Regular.otf"),
            ("serif_bold", "SourceSerifPro-Bold.otf"),
            ("serif_light", "SourceSerifPro-Light.ttf"),
            ("serif_semibold", "SourceSerifPro-Semibold.ttf"),
        ):
            p = serif / "files" / fname
            if p.exists():
                out[weight] = (p, 0)
    return out


# Families that must fall back when an optional package is absent; the stroke width fakes weight.
_FALLBACK = {
    "sans_bold": ("sans", 1),
    "serif": ("sans", 0),
    "serif_bold": ("sans", 1),
    "serif_light": ("sans", 0),
    "serif_semibold": ("sans", 1),
}


@functools.lru_cache(maxsize=512)
def get_font(family: str, size_px: int) -> ImageFont.FreeTypeFont:
    """Return a cached Pillow font of ``family`` at ``size_px`` pixels."""
    files = font_files()
    if family not in files:
        family = _FALLBACK.get(family, ("sans", 0))[0]
    path, idx = files[family]
    return ImageFont.truetype(str(path), max(6, int(size_px)), index=idx)


def fake_stroke(family: str) -> int:
    """Extra stroke width to emulate a missing bold face."""
    if family in font_files():
        return 0
    return _FALLBACK.get(family, ("sans", 0))[1]


def has_glyphs(family: str, text: str) -> bool:
    """True when ``family`` can draw all of ``text`` (Latin serif faces lack CJK)."""
    if family.startswith("serif"):
        return all(ord(c) < 0x2E80 for c in text)
    return True

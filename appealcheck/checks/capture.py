"""How a document was captured, as far as its file says: checks that cannot trust a phone photo's geometry ask here."""

from __future__ import annotations

import re

from appealcheck.checks.interface import DocContext

_PHONE_SCANNER = re.compile(r"camscanner|扫描全能王|adobe scan|office lens|microsoft lens|genius scan|scanbot|"
                            r"scanner pro|tapscanner|tiny ?scanner|vflat|夸克扫描|全能扫描", re.IGNORECASE)
"""Phone apps that make a photo look like a scan: their pages are photographs."""
_SCANNER = re.compile(r"scan|epson|canon|brother|fujitsu|kyocera|ricoh|xerox|lexmark|\bhp\b|twain|wia", re.IGNORECASE)


def not_a_photo(ctx: DocContext) -> bool:
    """The capture is known not to be a phone photo: a PDF, or metadata naming a scanner. A camera in EXIF says
    photo, but chat apps strip EXIF from the photos they forward, so a file that says nothing counts as a photo."""
    info = ctx.document.info
    names = " ".join(v for v in (info.software, info.producer, info.creator) if v)
    if info.camera or _PHONE_SCANNER.search(names):
        return False
    return info.format == "pdf" or bool(_SCANNER.search(names))

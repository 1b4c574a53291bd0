"""What the file itself says: editing software named in its metadata.

A first piece of file forensics; EXIF/XMP depth, PDF revisions and pixel traces come with the forensics checks.
"""

from __future__ import annotations

import re

from appealcheck.checks.interface import Check, DocContext
from appealcheck.models import Finding

EDITORS = re.compile(r"photoshop|gimp|meitu|美图|canva|pixlr|affinity|paint\.net|picsart|snapseed|fotor|"
                     r"illustrator|coreldraw|inkscape|acrobat pro|foxit phantom|pdf-?xchange editor|稿定|醒图|wps图片",
                     re.IGNORECASE)


class EditingSoftware(Check):
    """Image or PDF metadata naming an image editor: a genuine scan or photo is not edited."""

    id = "file.software"

    def _hits(self, ctx: DocContext) -> list[tuple[str, str]]:
        info = ctx.document.info
        fields = {"software": info.software, "producer": info.producer, "creator": info.creator}
        extra = ("ProcessingSoftware", "HostComputer")
        fields.update({f"metadata.{k}": v for k, v in info.metadata.items() if k in extra})
        return [(k, v) for k, v in fields.items() if v and EDITORS.search(v)]

    def run(self, ctx: DocContext) -> list[Finding]:
        page = ctx.document.pages[0]
        # Low: genuine scans are often cropped in an editor (all 26 real receipts in realdata were saved by
        # Photoshop). The model weighs it with everything else; alone it never makes a document suspicious.
        return [Finding(id="file.editing_software", severity="low", check=self.id,
                        message=f"File metadata ({key}) names editing software: {value}",
                        page=0, box=(0, 0, page.width, page.height), measured=value, expected="a scanner, camera or "
                        "invoicing system")
                for key, value in self._hits(ctx)]

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        return {"file.software.editor": 1.0 if self._hits(ctx) else 0.0}

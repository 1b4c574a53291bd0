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
    version = "2"

    def _hits(self, ctx: DocContext) -> list[tuple[str, str]]:
        info = ctx.document.info
        fields = {"software": info.software, "producer": info.producer, "creator": info.creator}
        extra = ("ProcessingSoftware", "HostComputer")
        fields.update({f"metadata.{k}": v for k, v in info.metadata.items() if k in extra})
        return [(k, v) for k, v in fields.items() if v and EDITORS.search(v)]

    def run(self, ctx: DocContext) -> list[Finding]:
        page = ctx.document.pages[0]
        pdf = ctx.document.info.format == "pdf"
        out = []
        for key, value in self._hits(ctx):
            # Low on an image: genuine scans and photos are often cropped in an editor (all 26 real receipts in
            # realdata were saved by Photoshop); the model weighs it with everything else, and alone it never
            # makes a document suspicious. Medium on a PDF: a scanner, an office suite or an invoicing system
            # writes a genuine one, and a PDF written by an image or PDF editor had its pages opened and saved
            # again there.
            severity = "medium" if pdf and key in ("producer", "creator") else "low"
            message = f"File metadata ({key}) names editing software: {value}"
            if severity == "medium":
                message += "; the PDF was written there, so its pages were opened and saved again in an editor"
            out.append(Finding(id="file.editing_software", severity=severity, check=self.id, message=message,
                               page=0, box=(0, 0, page.width, page.height), measured=value,
                               expected="a scanner, office suite or invoicing system" if pdf
                               else "a scanner, camera or invoicing system"))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        return {"file.software.editor": 1.0 if self._hits(ctx) else 0.0}

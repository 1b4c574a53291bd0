"""Forensic checks: file structure (file.forensics) and page pixels (pixel.forensics).

Both wrap `appealcheck.forensics`; the analysis of a document is kept on the check instance for the
last document seen, because the pipeline calls `run` and then `measure` on the same document.
"""

from __future__ import annotations

from appealcheck.checks.interface import Check, DocContext, LastWork
from appealcheck.forensics import Report, Signal
from appealcheck.forensics.file import analyse_file
from appealcheck.forensics.pixel import PixelParams, PixelReport, analyse_page, heatmap_png
from appealcheck.models import Document, Finding


def _findings(rep: Report, check: str, doc: Document) -> list[Finding]:
    out = [_finding(s, check) for s in rep.signals]
    if rep.unchecked:
        page = doc.pages[0]
        # What could not be checked is a finding of its own (info): a reviewer sees the gap, the model does not.
        out.append(Finding(id=f"{check}.unchecked", severity="info", check=check, page=0,
                           box=(0, 0, page.width, page.height), message="Not checked: " + "; ".join(rep.unchecked),
                           measured=list(rep.unchecked), expected=None))
    return out


def _finding(s: Signal, check: str) -> Finding:
    return Finding(id=s.id, severity=s.severity, message=s.message, check=check, page=s.page, box=s.box,
                   measured=s.measured, expected=s.expected)


class FileForensics(Check):
    """EXIF/XMP and PDF structure: re-saves, incremental updates, overlaid images, JavaScript, edit history."""

    id = "file.forensics"
    version = "2"

    def __init__(self) -> None:
        self._last: LastWork[Report] = LastWork()

    def analyse(self, doc: Document) -> Report:
        """The file report for `doc` (cached for the last document)."""
        return self._last.get(lambda: analyse_file(doc), doc)

    def run(self, ctx: DocContext) -> list[Finding]:
        return _findings(self.analyse(ctx.document), self.id, ctx.document)

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        return dict(self.analyse(ctx.document).features)


LOWER_IS_STRONGER = frozenset({"pixel.forensics.copy_move_gap"})
"""Pixel measures whose evidence grows as they fall (a repeat's difference over the page's other repeats')."""


class PixelForensics(Check):
    """Noise inconsistency, copy-move, pasted blocks and the JPEG history on every page; JPEG grid features for
    JPEG files."""

    id = "pixel.forensics"
    version = "16"  # 14: pasted blocks proposed by parallel sides; gradients and one printed inner side allowed;
    # a repeat whose keypoints lie on one line (two dashed rules) is not judged by its distance; a repeat exactly
    # in its twin's column or row only when within a level; the desk is not a noisy region; a rectangle two of
    # whose sides run on past its corners (a header band on the sheet's edge) is no pasted block. 15: on a page
    # without noise a copy's lines are counted over all its ink the same at the shift; faxes' copies judged so.
    # 16: a block off the page on one side whose opposite side runs on spans the sheet (paste._spans_sheet)

    def __init__(self, params: PixelParams | None = None) -> None:
        self.params = params or PixelParams()
        self._last: LastWork[list[PixelReport]] = LastWork()

    def analyse(self, doc: Document) -> list[PixelReport]:
        """One report per page (cached for the last document)."""
        return self._last.get(
            lambda: [analyse_page(p, self.params, jpeg=doc.info.format == "jpeg") for p in doc.pages], doc)

    def run(self, ctx: DocContext) -> list[Finding]:
        reps = self.analyse(ctx.document)
        merged = Report(signals=tuple(s for r in reps for s in r.report.signals),
                        unchecked=tuple(u for r in reps for u in r.report.unchecked))
        return _findings(merged, self.id, ctx.document)

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        # Features are per document: the page with the strongest evidence speaks for it (the highest value, or
        # the lowest for a measure where lower is stronger).
        out: dict[str, float | None] = {}
        for r in self.analyse(ctx.document):
            for k, v in r.report.features.items():
                sign = -1 if k in LOWER_IS_STRONGER else 1
                if v is not None and (out.get(k) is None or sign * v > sign * out[k]):  # type: ignore[operator]
                    out[k] = v
                else:
                    out.setdefault(k, v)
        return out

    def heatmaps(self, ctx: DocContext) -> dict[int, bytes]:
        """Page index -> small PNG: the noise-inconsistency map with pixel findings outlined."""
        out = {}
        for page, rep in zip(ctx.document.pages, self.analyse(ctx.document), strict=True):
            png = heatmap_png(page, rep)
            if png:
                out[page.index] = png
        return out


def heatmaps(ctx: DocContext) -> dict[int, bytes]:
    """Page index -> PNG heatmap for the HTML report (runs the pixel analysis if needed)."""
    return PixelForensics().heatmaps(ctx)

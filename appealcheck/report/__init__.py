"""Reports: self-contained HTML with the evidence drawn on the pages."""

from appealcheck.report.html import render_appeal, render_index, write_appeal_report, write_batch_report

__all__ = ["render_appeal", "render_index", "write_appeal_report", "write_batch_report"]

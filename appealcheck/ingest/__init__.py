"""Ingest: appeals (folder, file, .zip) into documents of page images, with file metadata."""

from appealcheck.ingest.appeal import load_appeal
from appealcheck.ingest.files import read_document

__all__ = ["load_appeal", "read_document"]

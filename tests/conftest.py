"""Shared fixtures: one real OCR scanner per test session, with its own cache folder."""

from __future__ import annotations

import datetime as dt
import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Tests never read or write the user's OCR cache."""
    os.environ["APPEALCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("ocr-cache"))
    yield


@pytest.fixture(scope="session")
def scanner(_isolated_cache):
    """The real engine (RapidOCR), loaded once; submitted_at fixed so validity checks are stable."""
    from appealcheck.api import Scanner, ScanOptions

    return Scanner(ScanOptions(today=dt.date(2024, 6, 1)))

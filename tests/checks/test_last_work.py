"""A check's work is shared between `run` and `measure` for one document, and never handed to the next one."""

from __future__ import annotations

import pytest

from appealcheck.checks import text as text_check
from appealcheck.checks.interface import LastWork


class _Doc:
    """Something as short-lived as a batch's document: made, analysed, freed."""


def test_work_is_done_once_for_the_same_objects():
    memo: LastWork[int] = LastWork()
    calls = []
    doc, brand = _Doc(), object()
    for _ in range(3):
        assert memo.get(lambda: calls.append(1) or len(calls), doc, brand) == 1
    assert memo.get(lambda: 99, doc, object()) == 99  # another brand pack: worked out again


def test_a_freed_documents_work_is_never_given_to_the_next():
    # CPython gives a freed object's id() to the next object of its size at once: a cache keyed by id() handed
    # the letters of tests/checks/test_text.py each other's findings on CI.
    memo: LastWork[int] = LastWork()
    for i in range(200):
        assert memo.get(lambda i=i: i, _Doc()) == i


def test_the_text_check_measures_each_document_it_is_given(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(text_check, "analyse", lambda ctx: ctx.n)

    class Ctx:
        def __init__(self, n: int) -> None:
            self.n = n

    check = text_check.TextConsistency()
    for n in range(200):
        ctx = Ctx(n)
        assert check.report(ctx) == n and check.report(ctx) == n  # type: ignore[arg-type]

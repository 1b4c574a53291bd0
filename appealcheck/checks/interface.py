"""What a check sees and returns."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from appealcheck.models import Appeal, Document, FieldValue, Finding, PageText

if TYPE_CHECKING:
    from appealcheck.ocr.reader import PageReader
    from appealcheck.rules.pack import BrandPack


def field_date(f: FieldValue | None) -> dt.date | None:
    """A date field ('YYYY-MM-DD') as a date, or None when it was not read."""
    if f is None or not isinstance(f.value, str):
        return None
    try:
        return dt.date.fromisoformat(f.value)
    except ValueError:
        return None


T = TypeVar("T")


class LastWork(Generic[T]):
    """What a check worked out for the last document it saw, so that `run` and `measure` share one analysis.

    It holds the objects the work was for and compares them by identity. Not by `id()`: Python gives a freed
    object's id to the next one, and a batch's next document was handed the previous document's findings.
    """

    def __init__(self) -> None:
        self._of: tuple[object, ...] = ()
        self._value: T | None = None

    def get(self, compute: Callable[[], T], *of: object) -> T:
        """The work for `of` (the document and whatever else it depends on), computed once."""
        if not (self._of and len(of) == len(self._of) and all(a is b for a, b in zip(of, self._of, strict=True))):
            self._value, self._of = compute(), of
        return self._value  # type: ignore[return-value]


@dataclass(frozen=True, eq=False)
class DocContext:
    """One document with everything earlier stages learned about it."""

    appeal: Appeal
    document: Document
    kind: str
    fields: dict[str, FieldValue]
    ocr: tuple[PageText, ...]
    brand: BrandPack | None
    reader: PageReader | None = None
    """The scanner's OCR reader (with its cache), for checks that read other images such as template specimens."""

    @property
    def text(self) -> str:
        """All OCR text of the document, pages separated by form feeds."""
        return "\f".join(p.text for p in self.ocr)

    @property
    def submitted_at(self) -> dt.date | None:
        """The date validity is judged at."""
        try:
            return dt.date.fromisoformat(self.appeal.submitted_at) if self.appeal.submitted_at else None
        except ValueError:
            return None

    def date(self, name: str) -> dt.date | None:
        """A date field as a date, or None when it was not read."""
        return field_date(self.fields.get(name))


class Check(ABC):
    """A check: a stable id (stored in outputs, never renamed), parameters in __init__, one method."""

    id: str = "abstract"
    applies_to: tuple[str, ...] = ()
    """Document kinds it reads; empty means all."""

    version: str = "1"
    """Bumped whenever the check's output for the same document can change (part of feature-cache keys)."""

    @abstractmethod
    def run(self, ctx: DocContext) -> list[Finding]:
        """Read one document; return findings (empty when nothing is wrong or nothing could be read)."""

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        """Numeric measurements for the model, named '<check id>.<what>'. None means 'could not measure'."""
        return {}

"""appeal.yaml: the optional manifest of an appeal (DESIGN.md section 2), validated at the edge."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from appealcheck.errors import InputError
from appealcheck.safeyaml import YamlProblem, load_yaml_file

KINDS = ("authorization_letter", "purchase_invoice", "receipt", "business_license", "other")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountSignals(_Strict):
    """Behaviour signals about the seller's account: numbers only."""

    model_config = ConfigDict(extra="allow", frozen=True)
    age_days: float | None = Field(default=None, ge=0)
    prior_violations: float | None = Field(default=None, ge=0)
    appeals_90d: float | None = Field(default=None, ge=0)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_only(cls, v: object) -> object:
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise ValueError("must be a number")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("must be a finite number (not .inf or .nan)")
        return v


class SellerModel(_Strict):
    """Who filed the appeal."""

    name: str | None = None
    shop: str | None = None
    uscc: str | None = None
    account: AccountSignals | None = None


class DocumentEntry(_Strict):
    """One listed document."""

    file: str = Field(min_length=1, max_length=500)
    kind: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str | None) -> str | None:
        if v is not None and v not in KINDS:
            raise ValueError(f"unknown kind {v!r}; use one of {', '.join(KINDS)}")
        return v

    @field_validator("file")
    @classmethod
    def _relative(cls, v: str) -> str:
        p = Path(v)
        if p.is_absolute() or ".." in p.parts:
            raise ValueError("must be a path inside the appeal folder (no '..', not absolute)")
        return v


class Manifest(_Strict):
    """appeal.yaml."""

    appeal_id: str | None = Field(default=None, max_length=200)
    brand: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    submitted_at: dt.date | None = None
    seller: SellerModel | None = None
    documents: list[DocumentEntry] | None = None

    @field_validator("appeal_id", mode="before")
    @classmethod
    def _id_text(cls, v: object) -> object:
        return str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field; remove it or check its spelling"
        parts.append(f"field '{where}': {msg}")
    return "; ".join(parts)


def load_manifest(path: Path, display: str) -> Manifest:
    """Read and validate appeal.yaml; raises InputError naming the field that is wrong."""
    try:
        data = load_yaml_file(path)
    except YamlProblem as exc:
        where = f" (line {exc.line})" if exc.line else ""
        raise InputError(display, f"{exc}{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(display, "must be a mapping of fields (appeal_id, brand, seller, documents)")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise InputError(display, _describe(exc)) from None

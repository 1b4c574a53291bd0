"""Brand packs (DESIGN.md section 3): find one by id and load its brand.yaml, validated.

Packs come from outside: YAML aliases are refused, unknown keys are errors, and file references
must stay inside the pack.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from appealcheck.errors import PackError
from appealcheck.rules.yamlpos import load_located

Fraction = float


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _inside(v: str) -> str:
    p = Path(v)
    if p.is_absolute() or ".." in p.parts:
        raise ValueError("must be a path inside the pack (no '..', not absolute)")
    return v


class Entity(_Strict):
    """A legal entity that may issue the brand's documents."""

    name: str
    uscc: str | None = None
    role: str | None = None


class Distributor(_Strict):
    """An authorized reseller and the period its authorization covers."""

    name: str
    uscc: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class SealSpec(_Strict):
    """A registered seal."""

    id: str
    file: str
    entity: str
    kind: Literal["official", "contract", "finance", "invoice", "legal", "other"] = "official"
    shape: Literal["circle", "ellipse"] = "circle"
    size_mm: tuple[float, float] | None = None
    text: str | None = None
    center_text: str | None = ""
    code: str | None = None
    _file = field_validator("file")(_inside)


class TemplateField(_Strict):
    """A variable region of a template."""

    name: str
    box: tuple[Fraction, Fraction, Fraction, Fraction]

    @field_validator("box")
    @classmethod
    def _fractions(cls, v: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        if not all(0.0 <= c <= 1.0 for c in v) or v[0] >= v[2] or v[1] >= v[3]:
            raise ValueError("box must be [x0, y0, x1, y1] fractions of the page in 0..1 with x0<x1, y0<y1")
        return v


class TemplateSpec(_Strict):
    """A genuine document layout the brand registered."""

    id: str
    kind: str
    file: str
    fixed_text: list[str] = Field(default_factory=list)
    fields: list[TemplateField] = Field(default_factory=list)
    seal_box: tuple[Fraction, Fraction, Fraction, Fraction] | None = None
    patterns: dict[str, str] = Field(default_factory=dict)
    status: Literal["current", "retired"] = "current"
    """'retired': the brand replaced this layout; a document on it dated after the change is suspect."""
    _file = field_validator("file")(_inside)


class Trademark(_Strict):
    """A registered trademark the brand's letters may cite (商标注册号)."""

    number: str = Field(pattern=r"^[0-9]{5,10}$")
    """The registration number as digits only: 第12345678号 is "12345678"."""
    name: str | None = None
    classes: list[int] = Field(default_factory=list)
    """Nice classes the registration covers (1-45)."""


COUNTRIES = ("CN", "JP", "US", "GB", "FR", "DE", "IT", "ES", "KR", "HK")
"""Countries whose receipt formats (currency, date order) the content checks know."""


class Store(_Strict):
    """A shop that sells the brand's goods: receipts from other shops are suspect when the brand lists its shops."""

    name: str = Field(min_length=2)
    country: Literal[COUNTRIES] | None = None  # type: ignore[valid-type]
    """ISO 3166 alpha-2 code; it sets the currency and date order its receipts must use."""


class KnownForgery(_Strict):
    """A fingerprint of a document known to be forged."""

    sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    phash: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{36}$")
    """144-bit pHash of a forged seal image as 36 hex digits (`appealcheck rules fingerprint FILE` prints them)."""
    region: Literal["seal"] = "seal"
    """What the pHash is of. Only seals: a page hash cannot tell a forged letter from the genuine letters of its
    template, which differ from it in a name or a date."""
    note: str | None = None


class Thresholds(_Strict):
    """Score thresholds for verdicts."""

    suspicious: float = Field(default=0.4, ge=0, le=1)
    forged: float = Field(default=0.8, ge=0, le=1)


class Policy(_Strict):
    """The brand's policy."""

    individuals_allowed: bool = False
    max_validity_days: int | None = Field(default=None, gt=0)
    thresholds: Thresholds | None = None


class BrandPack(_Strict):
    """brand.yaml."""

    schema_version: Literal[1]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+([-+].*)?$")
    owner: str | None = None
    names: list[str] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    distributors: list[Distributor] = Field(default_factory=list)
    seals: list[SealSpec] = Field(default_factory=list)
    templates: list[TemplateSpec] = Field(default_factory=list)
    known_forgeries: list[KnownForgery] = Field(default_factory=list)
    trademarks: list[Trademark] = Field(default_factory=list)
    """When listed, a letter citing any other registration number is suspect."""
    stores: list[Store] = Field(default_factory=list)
    """When listed, a receipt from any other shop is suspect."""
    policy: Policy = Field(default_factory=Policy)
    root: str = Field(default="", exclude=True)
    """Folder the pack was loaded from (not part of the file)."""


def search_paths(extra: list[Path] | None = None) -> list[Path]:
    """Where packs are looked for: --rules dirs, $APPEALCHECK_RULES, ./rules, the repo's rules/."""
    paths = list(extra or [])
    env = os.environ.get("APPEALCHECK_RULES")
    if env:
        paths += [Path(p) for p in env.split(os.pathsep) if p]
    paths.append(Path.cwd() / "rules")
    paths.append(Path(__file__).resolve().parents[2] / "rules")
    seen, out = set(), []
    for p in paths:
        key = str(p.resolve()) if p.exists() else str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def find_pack(brand_id: str, extra: list[Path] | None = None) -> Path:
    """The folder of a brand pack by id."""
    for base in search_paths(extra):
        cand = base / brand_id
        if (cand / "brand.yaml").is_file():
            return cand
    where = ", ".join(str(p) for p in search_paths(extra))
    raise PackError(f"no brand pack '{brand_id}' found (looked in {where}); pass --rules DIR or fix the brand id")


MAX_PACK_FILES = 5000
"""Files a pack may hold (seals, templates and test cases included)."""
MAX_PACK_BYTES = 1 << 30
"""Total size of a pack's files."""


def check_tree(folder: Path) -> None:
    """Refuse a pack folder holding symlinks or special files, or too many or too large files.

    A link could point outside the pack (a pack must not read outside its folder) and would make a
    signature cover something else than what is loaded, so links are refused wherever they point.
    """
    folder = Path(folder)
    if folder.is_symlink():
        raise PackError(f"{folder}: the pack folder is a symlink; use the real folder")
    if not folder.is_dir():
        raise PackError(f"{folder}: not a folder; a brand pack is a folder holding brand.yaml")
    problems: list[str] = []
    count = total = 0
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                problems.append(f"{p}: symlinks are not allowed in a pack (this one points to "
                                f"{os.readlink(p)}); copy the file in instead")
            elif not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                problems.append(f"{p}: not a regular file or folder")
            elif stat.S_ISREG(st.st_mode):
                count += 1
                total += st.st_size
        if count > MAX_PACK_FILES or total > MAX_PACK_BYTES:
            raise PackError(f"{folder}: the pack holds more than {MAX_PACK_FILES} files or "
                            f"{MAX_PACK_BYTES >> 20} MB; keep only what the rules and tests need")
    if problems:
        raise PackError("\n".join(problems[:50]))


def load_pack(folder: Path) -> BrandPack:
    """Load and validate brand.yaml of a pack; PackError lists every problem as file:line: message."""
    from appealcheck.rules.celfuncs import check_pattern  # imports RE2; only needed when a pack loads

    folder = Path(folder)
    path = folder / "brand.yaml"
    if not path.is_file() and not path.is_symlink():
        raise PackError(f"{path}: missing; a brand pack needs brand.yaml")
    check_tree(folder)
    located = load_located(path)
    data = located.data
    if not isinstance(data, dict):
        raise PackError(f"{path}:1: must be a mapping (schema_version, id, name, version, ...)")
    try:
        pack = BrandPack.model_validate({**data, "root": str(folder)})
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key; remove it or check its spelling"
            elif err["type"] == "missing":
                msg = "required; add it"
            msgs.append(f"{located.where(err['loc'])}: field '{where}': {msg}")
        raise PackError("\n".join(msgs)) from None
    problems = []
    root = folder.resolve()
    for group, specs in (("seals", pack.seals), ("templates", pack.templates)):
        for i, spec in enumerate(specs):
            at = located.where((group, i, "file"))
            f = (folder / spec.file).resolve()
            try:
                f.relative_to(root)
            except ValueError:
                problems.append(f"{at}: '{spec.file}' leaves the pack folder")
                continue
            if not f.is_file():
                problems.append(f"{at}: '{spec.id}' names file '{spec.file}', which does not exist")
    for i, t in enumerate(pack.templates):
        for name, pattern in t.patterns.items():
            why = check_pattern(pattern)
            if why:
                problems.append(f"{located.where(('templates', i, 'patterns', name))}: pattern for '{name}': {why}")
    if problems:
        raise PackError("\n".join(problems))
    return pack

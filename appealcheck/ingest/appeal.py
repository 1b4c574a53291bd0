"""An appeal from a folder, a single document file, or a .zip of a folder.

A document that cannot be read becomes a DocumentFailure (data), so the rest of the appeal is
still read; a problem with the appeal as a whole (no documents, bad manifest, bad zip) raises.
"""

from __future__ import annotations

import datetime as dt
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from appealcheck.errors import InputError
from appealcheck.ingest.files import DOCUMENT_SUFFIXES, read_document
from appealcheck.ingest.manifest import Manifest, load_manifest
from appealcheck.models import Appeal, Document, DocumentFailure, Seller

MANIFEST = "appeal.yaml"
MAX_DOCUMENTS = 200
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_TOTAL = 500 * 1024 * 1024
MAX_ZIP_RATIO = 200
"""A member that inflates more than this many times is a zip bomb, not a scan."""


@contextmanager
def open_appeal_root(path: Path) -> Iterator[Path]:
    """Yield a folder holding the appeal: the folder itself, or a safe extraction of a .zip."""
    if path.is_file() and path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="appealcheck-zip-") as tmp:
            _extract_zip(path, Path(tmp))
            yield Path(tmp)
    else:
        yield path


def _extract_zip(path: Path, dest: Path) -> None:
    name = path.name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(name, f"not a readable .zip ({exc})") from None
    with zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise InputError(name, f"zip has {len(members)} entries; the limit is {MAX_ZIP_MEMBERS}")
        total = 0
        for m in members:
            p = PurePosixPath(m.filename.replace("\\", "/"))
            if p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]):
                raise InputError(name, f"zip entry '{m.filename}' points outside the archive; refusing it")
            if stat.S_ISLNK(m.external_attr >> 16):
                raise InputError(name, f"zip entry '{m.filename}' is a symbolic link; refusing it")
            total += m.file_size
            if total > MAX_ZIP_TOTAL:
                raise InputError(name, f"zip inflates to more than {MAX_ZIP_TOTAL // 2**20} MB; refusing it")
            if m.compress_size and m.file_size / max(m.compress_size, 1) > MAX_ZIP_RATIO and m.file_size > 1 << 20:
                raise InputError(name, f"zip entry '{m.filename}' inflates {m.file_size // m.compress_size}x "
                                       "(a zip bomb?); refusing it")
        for m in members:
            if m.is_dir():
                continue
            target = dest.joinpath(*PurePosixPath(m.filename.replace("\\", "/")).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            # Stream with a hard cap: the sizes in the directory can lie.
            written = 0
            try:
                with zf.open(m) as src, target.open("wb") as out:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > m.file_size or written > MAX_ZIP_TOTAL:
                            raise InputError(name, f"zip entry '{m.filename}' is larger than it claims; refusing it")
                        out.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise InputError(name, f"zip entry '{m.filename}' is corrupt ({exc})") from None
            except RuntimeError as exc:  # zipfile raises this for encrypted members
                raise InputError(name, f"zip entry '{m.filename}' cannot be read ({exc})") from None


def _list_documents(root: Path) -> list[Path]:
    found = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
            continue
        if p.is_symlink():
            continue
        if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES:
            found.append(p)
    return found


def load_appeal(path: Path, brand: str | None = None, today: dt.date | None = None) -> Appeal:
    """Ingest an appeal. `brand` overrides appeal.yaml; `today` is the default submitted_at."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "does not exist")
    with open_appeal_root(path) as root:
        return _load(path, root, brand, today)


def _load(original: Path, root: Path, brand: str | None, today: dt.date | None) -> Appeal:
    manifest = Manifest()
    if root.is_file():
        entries = [(root, root.name, None)]
        default_id = root.stem
    else:
        default_id = original.stem if original.is_file() else original.resolve().name
        mpath = root / MANIFEST
        if mpath.is_file():
            manifest = load_manifest(mpath, f"{original.name}/{MANIFEST}" if original.is_file() else str(mpath))
        if manifest.documents:
            if len(manifest.documents) > MAX_DOCUMENTS:
                raise InputError(MANIFEST, f"lists {len(manifest.documents)} documents; the limit is {MAX_DOCUMENTS}")
            entries = [(root / e.file, e.file, e.kind) for e in manifest.documents]
        else:
            files = _list_documents(root)
            if len(files) > MAX_DOCUMENTS:
                raise InputError(str(original), f"holds {len(files)} documents; the limit is {MAX_DOCUMENTS}")
            entries = [(p, p.relative_to(root).as_posix(), None) for p in files]
        if not entries:
            raise InputError(str(original), "holds no documents (.jpg .png .tif .bmp .webp .pdf)")
    documents: list[Document] = []
    failures: list[DocumentFailure] = []
    root_resolved = root.resolve() if root.is_dir() else None
    for p, name, kind in entries:
        if root_resolved is not None:
            try:
                p.resolve().relative_to(root_resolved)
            except ValueError:
                failures.append(DocumentFailure(name, "points outside the appeal folder"))
                continue
            if not p.is_file():
                failures.append(DocumentFailure(name, "is listed in appeal.yaml but not in the folder"))
                continue
        try:
            documents.append(read_document(p, name, kind))
        except InputError as exc:
            failures.append(DocumentFailure(name, exc.problem))
    seller = manifest.seller
    account = {}
    if seller and seller.account:
        account = {k: float(v) for k, v in seller.account.model_dump().items() if v is not None}
    submitted = manifest.submitted_at or today or dt.date.today()
    return Appeal(
        appeal_id=manifest.appeal_id or default_id,
        root=str(original),
        brand=brand or manifest.brand,
        submitted_at=submitted.isoformat(),
        seller=Seller(name=seller.name if seller else None, shop=seller.shop if seller else None,
                      uscc=seller.uscc if seller else None, account=account),
        documents=tuple(documents),
        failures=tuple(failures),
    )


__all__ = ["load_appeal", "open_appeal_root", "MANIFEST"]

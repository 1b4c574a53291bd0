"""Pack signatures: ed25519 over a canonical digest of every file in the pack.

The digest is the SHA-256 of a manifest: one line per file, `<sha256 hex>  <relative POSIX path>\\n`,
sorted by path, after the header line `appealcheck-pack-v1`. SIGNATURE itself is left out; links
and special files are refused (pack.check_tree), so what is signed is exactly what is loaded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from appealcheck.errors import PackError
from appealcheck.rules.pack import check_tree

SIGNATURE_FILE = "SIGNATURE"
_HEADER = b"appealcheck-pack-v1\n"
_MAX_SIGNATURE_BYTES = 4096


@dataclass(frozen=True)
class Signed:
    """A verified signature."""

    key_id: str
    """First 16 hex digits of the SHA-256 of the raw public key."""
    digest: str
    trusted: bool
    """True when the key came from a keyring; False when only the key inside SIGNATURE was used."""


def manifest(folder: Path) -> bytes:
    """The canonical manifest of a pack's files (what is signed)."""
    folder = Path(folder)
    check_tree(folder)
    lines = []
    for dirpath, _dirs, files in os.walk(folder, followlinks=False):
        for name in files:
            p = Path(dirpath) / name
            rel = p.relative_to(folder).as_posix()
            if rel == SIGNATURE_FILE:
                continue
            if "\n" in rel:
                raise PackError(f"{p}: a file name with a line break cannot be signed; rename it")
            h = hashlib.sha256()
            with p.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            lines.append(f"{h.hexdigest()}  {rel}\n".encode())
    lines.sort(key=lambda b: b.split(b"  ", 1)[1])
    return _HEADER + b"".join(lines)


def digest(folder: Path) -> str:
    """SHA-256 hex of the manifest."""
    return hashlib.sha256(manifest(folder)).hexdigest()


def key_id(public: Ed25519PublicKey) -> str:
    """Short id of a public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def keygen(out: Path) -> tuple[Path, Path]:
    """Write OUT.key (private, PEM, mode 0600) and OUT.pub (public, PEM); refuses to overwrite."""
    out = Path(out)
    priv_path, pub_path = out.with_name(out.name + ".key"), out.with_name(out.name + ".pub")
    for p in (priv_path, pub_path):
        if p.exists():
            raise PackError(f"{p}: exists; choose another name (keys are never overwritten)")
    out.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    pub_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return priv_path, pub_path


def _load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise PackError(f"{path}: not a readable unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PackError(f"{path}: not an ed25519 key; make one with 'appealcheck rules keygen'")
    return key


def _load_public(data: bytes, where: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise PackError(f"{where}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise PackError(f"{where}: not an ed25519 public key")
    return key


def load_keyring(keyring: Path) -> dict[str, Ed25519PublicKey]:
    """Trusted public keys: every *.pub file of a folder (or one .pub file), by key id."""
    keyring = Path(keyring)
    files = sorted(keyring.glob("*.pub")) if keyring.is_dir() else [keyring]
    keys = {}
    for f in files:
        if f.is_symlink() or not f.is_file():
            continue
        k = _load_public(f.read_bytes()[:_MAX_SIGNATURE_BYTES], str(f))
        keys[key_id(k)] = k
    if not keys:
        raise PackError(f"{keyring}: no public keys (*.pub) found; add the brand's .pub file")
    return keys


def sign(folder: Path, key_file: Path) -> Path:
    """Sign a pack: writes folder/SIGNATURE. Returns its path."""
    folder = Path(folder)
    key = _load_private(key_file)
    m = manifest(folder)
    pub = key.public_key()
    doc = {
        "schema_version": 1,
        "algorithm": "ed25519",
        "key_id": key_id(pub),
        "public_key": pub.public_bytes(serialization.Encoding.PEM,
                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
        "digest": hashlib.sha256(m).hexdigest(),
        "signature": base64.b64encode(key.sign(m)).decode(),
    }
    out = folder / SIGNATURE_FILE
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return out


def verify(folder: Path, keyring: Path | None = None) -> Signed:
    """Check folder/SIGNATURE against the pack's files. With a keyring, the key must be in it.

    Raises PackError naming SIGNATURE and the reason (missing, malformed, changed files, untrusted key).
    """
    folder = Path(folder)
    path = folder / SIGNATURE_FILE
    if path.is_symlink() or not path.is_file():
        raise PackError(f"{path}: missing; sign the pack with 'appealcheck rules sign {folder} --key KEY'")
    raw = path.read_bytes()
    if len(raw) > _MAX_SIGNATURE_BYTES:
        raise PackError(f"{path}:1: larger than {_MAX_SIGNATURE_BYTES} bytes; not a signature file")
    try:
        doc = json.loads(raw)
        kid, sig = str(doc["key_id"]), base64.b64decode(doc["signature"], validate=True)
        if doc.get("algorithm") != "ed25519" or doc.get("schema_version") != 1:
            raise ValueError("unsupported algorithm or schema_version")
    except (ValueError, KeyError, TypeError) as exc:
        raise PackError(f"{path}:1: malformed signature file ({exc}); sign the pack again") from None
    if keyring is not None:
        keys = load_keyring(keyring)
        if kid not in keys:
            raise PackError(f"{path}:1: signed by key {kid}, which is not in the keyring {keyring}")
        pub, trusted = keys[kid], True
    else:
        pub, trusted = _load_public(str(doc.get("public_key", "")).encode(), f"{path}:1"), False
        if key_id(pub) != kid:
            raise PackError(f"{path}:1: key_id does not match the public key")
    m = manifest(folder)
    try:
        pub.verify(sig, m)
    except InvalidSignature:
        raise PackError(f"{path}:1: signature does not verify: the pack's files changed after signing, "
                        "or it was signed with another key") from None
    return Signed(key_id=kid, digest=hashlib.sha256(m).hexdigest(), trusted=trusted)


def verify_pack(folder: Path, keyring: Path) -> None:
    """For `scan --require-signed --keyring DIR`: PackError unless the pack is signed by a key in the keyring."""
    verify(folder, keyring)

"""`appealcheck rules ...`: write, validate, lint, test, list, sign and verify brand packs.

Thin: each command calls appealcheck.rules and prints. Problems are PackError (exit 3), which
cli.main prints as one block.
"""

from __future__ import annotations

from pathlib import Path

import click

from appealcheck.errors import PackError

_DIR = click.Path(file_okay=False, path_type=Path)


@click.group()
def rules() -> None:
    """Brand packs: write, validate, lint, test, sign and share them.

    \b
    Example:
      appealcheck rules new acme && appealcheck rules test rules/acme
    """


@rules.command("new")
@click.argument("brand_id")
@click.option("--dir", "root", type=_DIR, default=Path("rules"), show_default=True,
              help="Folder to create the pack in.")
@click.option("--name", help="Brand name as printed (default: the id in capitals).")
def new(brand_id: str, root: Path, name: str | None) -> None:
    """Scaffold a pack with example rules and test cases that pass.

    \b
    Example:
      appealcheck rules new acme --dir rules --name ACME
    """
    from appealcheck.rules.scaffold import new_pack

    folder = new_pack(root, brand_id, name)
    click.echo(f"created {folder}: edit brand.yaml and rules.yaml, then run 'appealcheck rules test {folder}'")


@rules.command("validate")
@click.argument("folders", nargs=-1, required=True, type=_DIR)
def validate_cmd(folders: tuple[Path, ...]) -> None:
    """Check schema and compile every rule; print every problem as file:line: message.

    \b
    Example:
      appealcheck rules validate rules/acme
    Exit: 0 valid, 3 invalid.
    """
    from appealcheck.rules.lint import validate

    problems = []
    for f in folders:
        try:
            v = validate(f)
            click.echo(f"ok: {f} ({v.id} {v.version}, {v.rules} rules, {v.cases} test cases)")
        except PackError as exc:
            problems.append(exc.message)
    if problems:
        raise PackError("\n".join(problems))


@rules.command("lint")
@click.argument("folder", type=_DIR)
def lint_cmd(folder: Path) -> None:
    """Find likely mistakes: unknown fact names, rules with no test, ids outside the brand.

    \b
    Example:
      appealcheck rules lint rules/acme
    Exit: 0 clean, 3 invalid or with lint issues.
    """
    from appealcheck.rules.lint import lint

    issues = lint(folder)
    if issues:
        raise PackError("\n".join(str(i) for i in issues) + f"\n{len(issues)} lint issue(s)")
    click.echo(f"ok: {folder}: no lint issues")


@rules.command("test")
@click.argument("folder", type=_DIR)
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here (for CI).")
@click.option("--case", "cases", multiple=True, help="Run only this case (repeatable).")
@click.option("--ocr", type=click.Choice(["rapidocr", "paddle", "none"]), default="rapidocr", show_default=True,
              help="OCR engine for cases that are appeal folders.")
@click.option("--save-facts", is_flag=True,
              help="Write tests/<case>.facts.json for folder cases, so later runs need no OCR.")
@click.option("-v", "--verbose", is_flag=True, help="Also list rules that failed to evaluate on a case.")
def test_cmd(folder: Path, junit: Path | None, cases: tuple[str, ...], ocr: str, save_facts: bool,
             verbose: bool) -> None:
    """Run tests/expected.yaml: which rules must fire and must not fire on each case.

    \b
    A case is tests/<case>.facts.json (output of 'appealcheck facts': instant) or an appeal folder
    tests/<case>/ (real OCR, about 2 s a page).
    \b
    Example:
      appealcheck rules test rules/acme --junit rules-acme.xml
    Exit: 0 all passed, 3 a case failed or the pack is invalid.
    """
    from appealcheck.rules.pack import load_pack
    from appealcheck.rules.packtest import describe, junit_xml, run_tests

    results = run_tests(folder, ocr=ocr, save_facts=save_facts, only=list(cases) or None)
    for r in results:
        mark = "pass" if r.passed else "FAIL"
        click.echo(f"{mark}  {r.case:30} {describe(r) if not r.passed else 'fired: ' + (', '.join(r.fired) or '-')}"
                   f"  ({r.seconds:.2f} s)")
        if verbose:
            for e in r.rule_errors:
                click.echo(f"      not evaluated: {e}")
    if junit:
        junit.write_text(junit_xml(load_pack(folder).id, results), encoding="utf-8")
    failed = [r for r in results if not r.passed]
    if not results:
        raise PackError(f"{folder / 'tests' / 'expected.yaml'}: no test cases; add some (see docs/rules.md)")
    if failed:
        raise PackError(f"{folder}: {len(failed)} of {len(results)} test case(s) failed")
    click.echo(f"ok: {len(results)} case(s) passed")


@rules.command("list")
@click.option("--rules", "rules_dirs", multiple=True, type=_DIR, help="Extra folder holding packs (repeatable).")
def list_cmd(rules_dirs: tuple[Path, ...]) -> None:
    """List every pack found: id, version, owner, rule count, signed or not.

    \b
    Example:
      appealcheck rules list --rules /srv/brand-packs
    """
    from appealcheck.rules.lint import validate
    from appealcheck.rules.pack import search_paths
    from appealcheck.rules.signing import SIGNATURE_FILE

    seen = set()
    for base in search_paths(list(rules_dirs)):
        if not base.is_dir():
            continue
        for folder in sorted(p for p in base.iterdir() if (p / "brand.yaml").is_file()):
            if folder.name in seen:
                continue  # an earlier search path shadows it, as find_pack does
            seen.add(folder.name)
            signed = "signed" if (folder / SIGNATURE_FILE).is_file() else "unsigned"
            try:
                v = validate(folder)
                click.echo(f"{v.id:16} {v.version:10} {v.owner or '-':36} {v.rules:4} rules  {signed:8} {folder}")
            except PackError as exc:
                first = exc.message.splitlines()[0]
                click.echo(f"{folder.name:16} {'INVALID':10} {first}")
    if not seen:
        click.echo("no packs found (looked in " + ", ".join(str(p) for p in search_paths(list(rules_dirs))) + ")")


@rules.command("facts")
@click.option("--markdown", is_flag=True, help="As a Markdown table (the one in docs/rules.md).")
def facts_cmd(markdown: bool) -> None:
    """List the facts rules can read, and the helper functions.

    \b
    Example:
      appealcheck rules facts --markdown
    """
    from appealcheck.rules.celfuncs import HELPERS
    from appealcheck.rules.facts import FACTS, markdown_table

    if markdown:
        click.echo(markdown_table())
        return
    for f in FACTS:
        click.echo(f"{f.name:36} {f.type:8} {f.description}")
    click.echo()
    for h in HELPERS:
        click.echo(f"{h.signature:40} {h.description}")


@rules.command("fingerprint")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def fingerprint_cmd(files: tuple[Path, ...]) -> None:
    """Print known_forgeries entries for forged files: the file's sha256 and each seal's pHash.

    Paste the lines under `known_forgeries:` in brand.yaml. The sha256 catches the exact file. Seal lines are
    printed commented out: uncomment only the forged seal's. A page may also carry seals that are the same
    image on every genuine copy (an invoice's 发票监制章, a licence's registration seal), and listing one of those
    would flag every genuine document that carries it.

    \b
    Example:
      appealcheck rules fingerprint forged-letter.jpg >> fingerprints.yaml
    """
    import json

    from appealcheck.checks.phash import seal_fingerprints
    from appealcheck.ingest.files import read_document
    from appealcheck.seals.find import find_seals

    for path in files:
        doc = read_document(path, path.name)
        note = json.dumps(path.name, ensure_ascii=False)
        click.echo(f"- {{sha256: {doc.info.sha256}, note: {note}}}")
        seals = [s for p in doc.pages for s in find_seals(p.image, p.index, dpi=p.dpi)]
        for fp in seal_fingerprints(doc.pages, seals):
            where = json.dumps(f"{path.name} page {fp.page + 1} seal at {list(fp.box)}", ensure_ascii=False)
            click.echo(f"# - {{phash: \"{fp.phash}\", region: seal, note: {where}}}   # uncomment if this seal "
                       "is the forged one")


@rules.command("keygen")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def keygen_cmd(out: Path) -> None:
    """Make an ed25519 key pair: OUT.key (private, keep it secret) and OUT.pub (share it).

    \b
    Example:
      appealcheck rules keygen keys/acme
    """
    from appealcheck.rules.signing import keygen

    priv, pub = keygen(out)
    click.echo(f"wrote {priv} (private: keep it secret) and {pub} (public: give it to platforms)")


@rules.command("sign")
@click.argument("folder", type=_DIR)
@click.option("--key", "key_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Private key from 'rules keygen'.")
def sign_cmd(folder: Path, key_file: Path) -> None:
    """Validate the pack, then sign every file in it (writes FOLDER/SIGNATURE).

    \b
    Example:
      appealcheck rules sign rules/acme --key keys/acme.key
    """
    from appealcheck.rules.lint import validate
    from appealcheck.rules.signing import sign

    validate(folder)  # never sign a pack that cannot load
    out = sign(folder, key_file)
    click.echo(f"signed {folder}: {out}")


@rules.command("verify")
@click.argument("folder", type=_DIR)
@click.option("--keyring", type=click.Path(path_type=Path),
              help="Folder of trusted *.pub keys (or one .pub file). Without it only integrity is checked.")
def verify_cmd(folder: Path, keyring: Path | None) -> None:
    """Check FOLDER/SIGNATURE against the pack's files (and a keyring of trusted keys).

    \b
    Example:
      appealcheck rules verify rules/acme --keyring trusted-keys/
    Exit: 0 verified, 3 missing, changed or untrusted.
    """
    from appealcheck.rules.signing import verify

    s = verify(folder, keyring)
    trust = "a trusted key" if s.trusted else "the key inside SIGNATURE (no --keyring: integrity only)"
    click.echo(f"ok: {folder} verified, key {s.key_id} from {trust}, digest {s.digest[:16]}")

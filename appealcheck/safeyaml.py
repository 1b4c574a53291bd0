"""YAML from outside (appeal manifests, brand packs), loaded without aliases and within size limits.

PyYAML's safe_load of a few hundred bytes of nested aliases is instant, but walking the result
explodes in time and memory; so aliases are refused before the document is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_YAML_BYTES = 2_000_000
MAX_DEPTH = 40

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that keeps dates as text, so the schema (which knows the field name) parses them."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _Base.yaml_implicit_resolvers.items()
}


class YamlProblem(ValueError):
    """A YAML file that is refused. `line` is 1-based where known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def load_yaml_text(text: str) -> Any:
    """Parse YAML text, refusing aliases, deep nesting and oversized input."""
    if len(text.encode("utf-8", "replace")) > MAX_YAML_BYTES:
        raise YamlProblem(f"file is larger than {MAX_YAML_BYTES // 1_000_000} MB")
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise YamlProblem("YAML aliases (*name) are not allowed; write the value out", line)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", line)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlProblem(f"not valid YAML: {exc.problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}") from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise YamlProblem(f"a value cannot be read ({exc})") from None


def load_yaml_file(path: Path) -> Any:
    """Read and parse a YAML file (see load_yaml_text)."""
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise YamlProblem(f"file is {size} bytes; the limit is {MAX_YAML_BYTES}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(f"not UTF-8 text (byte {exc.start})") from None
    return load_yaml_text(text)

"""Pack YAML loaded with the line of every key, so each error can say file:line.

The safety checks (no aliases, size and depth caps) run first in appealcheck.safeyaml; only then is
the text composed a second time to learn where each value sits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from appealcheck.errors import PackError
from appealcheck.safeyaml import MAX_DEPTH, MAX_YAML_BYTES, YamlProblem, load_yaml_file

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """A YAML file's data and where each part of it starts (1-based lines)."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    """Path of keys and indexes -> line of the key (or of the list item)."""
    value_lines: dict[Loc, tuple[int, bool]] = field(default_factory=dict)
    """Path -> (line where a scalar value starts, whether it is a block scalar '|' or '>')."""

    def line(self, loc: Loc) -> int | None:
        """Line of `loc`, or of its nearest enclosing part when `loc` itself is absent (a missing key)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def where(self, loc: Loc) -> str:
        """'file:line' for `loc` (just 'file' when no line is known)."""
        n = self.line(loc)
        return f"{self.path}:{n}" if n else str(self.path)


def _prescan(path: Path) -> None:
    """Refuse aliases and deep nesting with their line (safeyaml refuses them too, but its message loses the line)."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            return  # load_yaml_file refuses it without reading it
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # load_yaml_file reports it
    depth = 0
    try:
        for ev in yaml.parse(text, Loader=_Base):
            line = ev.start_mark.line + 1 if ev.start_mark else 0
            if isinstance(ev, yaml.AliasEvent):
                raise PackError(f"{path}:{line}: YAML aliases (*name) are not allowed; write the value out")
            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise PackError(f"{path}:{line}: nesting deeper than {MAX_DEPTH} levels")
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # load_yaml_file reports it with its line


def load_located(path: Path) -> Located:
    """Load a pack YAML file safely, with line numbers; PackError names the file and line."""
    _prescan(path)
    try:
        data = load_yaml_file(path)
    except FileNotFoundError:
        raise PackError(f"{path}: missing") from None
    except YamlProblem as exc:
        line = f":{exc.line}" if exc.line else ""
        raise PackError(f"{path}{line}: {exc}") from None
    lines: dict[Loc, int] = {(): 1}
    values: dict[Loc, tuple[int, bool]] = {}
    # Composing is safe now: aliases were refused and size and depth are capped.
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Base)
    stack: list[tuple[Loc, yaml.Node]] = [((), root)] if root is not None else []
    while stack:
        loc, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark.line)
                sub = (*loc, key)
                lines[sub] = k.start_mark.line + 1
                stack.append((sub, v))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                sub = (*loc, i)
                lines[sub] = v.start_mark.line + 1
                stack.append((sub, v))
        elif isinstance(node, yaml.ScalarNode):
            values[loc] = (node.start_mark.line + 1, node.style in ("|", ">"))
    return Located(path=path, data=data, lines=lines, value_lines=values)

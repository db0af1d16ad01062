"""Reading hand-edited files so that every problem can point at a file and a line, and nothing raises.

A curator's mistake (a list where a mapping belongs, a file saved as Latin-1, a key written twice,
a file pasted in a thousand times) must come back as a message, never as a traceback: `/reload`
reads the same files in the live bot.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

# Largest file `check` and `/reload` read: the shipped briefing's largest file is about 40 kB and each
# article under 10 kB. Anything bigger is refused unread, naming this limit (briefings/README.md).
MAX_FILE_BYTES = 4 * 1024 * 1024


class LineDict(dict[Any, Any]):
    """A mapping that remembers the line it starts on in its file (1-based)."""

    line: int = 0


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# libyaml's parser when PyYAML was built with it (about 20 times faster); same safe constructors.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe loading, plus: mappings remember their line, a key written twice is a problem, merge keys
    are refused."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[YamlProblem] = []


class _AliasRefusingLoader(_LineLoader):
    """For text that may hold anchors: aliases are refused before they are expanded (an alias bomb
    would otherwise grow without end). A separate class, as checking every node costs a third more."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._seen_nodes: set[int] = set()

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An alias is the same node met twice.
        if id(node) in self._seen_nodes and not isinstance(node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&name, *name) are not supported: write the value out", node.start_mark
            )
        self._seen_nodes.add(id(node))
        return super().construct_object(node, deep=deep)


# Where an anchor (&name) could start a YAML token; prose such as "R&D" does not match.
_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:?-])&[^\s\[\]{},]", re.MULTILINE)
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    keys = [key_node.value for key_node, _ in node.value if isinstance(key_node, yaml.ScalarNode)]
    if len(set(keys)) != len(keys) or "<<" in keys:
        _check_keys(loader, node)
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def _check_keys(loader: _LineLoader, node: yaml.MappingNode) -> None:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            raise yaml.constructor.ConstructorError(
                None, None, "merge keys (<<) are not supported: write the keys out", key_node.start_mark
            )
        if isinstance(key_node, yaml.ScalarNode):
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                message = f"key '{key}' is written twice (first on line {seen[key]}); the first would be lost"
                loader.problems.append(YamlProblem(message, line))
            else:
                seen[key] = line


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: Path) -> str:
    """A file's text, or a YamlProblem saying why it cannot be read (size, encoding, permissions…)."""
    try:
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file (a broken link, a device or a pipe?)"
            raise YamlProblem(f"cannot read: {what}", None)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlProblem(
                f"file too large: {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes "
                f"({MAX_FILE_BYTES // (1024 * 1024)} MiB) per file",
                None,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise YamlProblem(f"cannot read: {exc.strerror or exc}", None) from exc
    if len(data) > MAX_FILE_BYTES:  # grew between stat and read
        raise YamlProblem(f"file too large: the limit is {MAX_FILE_BYTES:,} bytes per file", None)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlProblem(f"not UTF-8 text ({exc.reason} at byte {exc.start}): save the file as UTF-8", line) from exc


def read_yaml(path: Path) -> tuple[Any, list[YamlProblem]]:
    """Read and parse one YAML file (see parse_yaml)."""
    return parse_yaml(read_text(path))


def parse_yaml(text: str) -> tuple[Any, list[YamlProblem]]:
    """Parse YAML text: its data and the problems that still let it be used (keys written twice).

    Raises YamlProblem when the text cannot be used at all.
    """
    loader: _LineLoader | None = None
    try:
        # _LineLoader is a SafeLoader: no arbitrary objects.
        loader = _AliasRefusingLoader(text) if _ANCHOR.search(text) else _LineLoader(text)
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context:
            problem = f"{exc.problem} ({exc.context})"
        raise YamlProblem(f"YAML syntax error: {problem}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {_one_line(str(exc))}", getattr(exc, "line", None)) from exc
    except RecursionError as exc:
        raise YamlProblem("YAML nested too deeply", None) from exc
    finally:
        if loader is not None:
            loader.dispose()
    return data, loader.problems


def _one_line(text: str) -> str:
    return " ".join(text.split())

"""Reading YAML: the one parser for every YAML file coursekit reads.

PyYAML's wheels carry libyaml, whose parser reads the same YAML with the same line marks about
ten times faster than PyYAML's pure-Python one (which was most of ``coursekit check``'s CPU); the
pure-Python parser is used where libyaml is missing.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["LOADER", "parse", "safe_load"]

#: The safe loader: libyaml's where PyYAML has it.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """The data of a YAML document (``yaml.safe_load`` with :data:`LOADER`)."""
    return yaml.load(text, Loader=LOADER)


def parse(text: str) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML document and its node tree (for line numbers), from one parse;
    ``yaml.YAMLError`` if it is not valid YAML.

    >>> data, node = parse("a:\\n  - x\\n")
    >>> data, node.value[0][1].start_mark.line
    ({'a': ['x']}, 1)
    """
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        return (None if node is None else loader.construct_document(node)), node
    finally:
        loader.dispose()

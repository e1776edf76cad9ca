"""coursekit: sources, datasets, quizzes and maps for the course *Russia in Central Asia*.

Submodules load lazily so that ``import coursekit`` stays fast.
"""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

# jsonschema (which coursekit.quiz and nbformat import) builds rfc3987_syntax's Earley grammars when
# it is imported: about 2 s of CPU in every kernel and grading process, for its "iri" format checks,
# which no coursekit or Jupyter schema uses (python-jsonschema/jsonschema#1428, #1392). Unless
# something imported it already, jsonschema is told that package is absent; its other checks stay.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

try:
    __version__ = version("coursekit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

_SUBMODULES = {"sources", "data", "quiz", "maps", "assignments", "cli"}
# public shortcut -> (module, attribute)
_SHORTCUTS = {
    "excerpt": ("sources", "excerpt"),
    "load": ("data", "load"),
    "check": ("quiz", "check"),
}

__all__ = sorted(_SUBMODULES | set(_SHORTCUTS) | {"__version__"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"coursekit.{name}")
    if name in _SHORTCUTS:
        module, attribute = _SHORTCUTS[name]
        return getattr(importlib.import_module(f"coursekit.{module}"), attribute)
    raise AttributeError(f"module 'coursekit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__

"""Which Python names a code cell binds and which it reads (a static, conservative look)."""

from __future__ import annotations

import ast
from functools import lru_cache

__all__ = ["cell_names"]


@lru_cache(maxsize=4096)
def _python_source(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return source
    return TransformerManager().transform_cell(source)


def cell_names(source: str) -> tuple[set[str], set[str]] | None:
    """Return ``(bound, read)`` for a cell's code, or ``None`` if it does not parse.

    ``read`` holds names the cell uses without binding them anywhere in the cell.

    >>> bound, read = cell_names("import pandas as pd\\nanswer = pd.Series(counts).max()")
    >>> sorted(bound), sorted(read)
    (['answer', 'pd'], ['counts'])
    >>> cell_names("answer = (") is None
    True
    """
    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return None
    bound: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            bound.add(node.name)
            bound.update(a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg))
        elif isinstance(node, ast.Lambda):
            bound.update(a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound, loaded - bound

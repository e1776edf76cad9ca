"""Locate the files coursekit ships: datasets, cleaned seeds and quiz data.

In an installed wheel they live inside the package (``coursekit/_data`` ...); in an editable
checkout they are the repository's own ``data/``, ``seeds/`` and ``chapters/quizzes/`` folders.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["read_csv_text", "resource_path", "write_atomic"]

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent.parent

# kind -> environment variable that, when set, names the folder to use instead (used by tests
# and by `coursekit grade`/`edition` on books other than this one)
_OVERRIDES = {"data": "COURSEKIT_DATA_DIR", "seeds": "COURSEKIT_SEEDS_DIR",
              "quizzes": "COURSEKIT_QUIZZES_DIR"}

# packaged name -> folder in the repository
_KINDS = {
    "data": ("_data", "data"),
    "seeds": ("_seeds", "seeds"),
    "quizzes": ("_quizzes", "chapters/quizzes"),
}


def resource_path(kind: str, *parts: str) -> Path:
    """Return the path of a shipped file or folder.

    >>> resource_path("data").name in {"_data", "data"}
    True
    >>> resource_path("images")
    Traceback (most recent call last):
        ...
    KeyError: "unknown resource kind 'images'; expected one of: data, quizzes, seeds"
    """
    if kind not in _KINDS:
        raise KeyError(f"unknown resource kind {kind!r}; expected one of: {', '.join(sorted(_KINDS))}")
    override = os.environ.get(_OVERRIDES[kind])
    if override:
        return Path(override).joinpath(*parts)
    packaged, in_repo = _KINDS[kind]
    base = _PACKAGE_DIR / packaged
    if not base.is_dir():
        base = _REPO_ROOT / in_repo
    return base.joinpath(*parts)


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, or bytes) to ``path`` through a temporary file and a
    rename, so that readers never see a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(content, bytes):
        tmp.write_bytes(content)
    else:
        tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


def read_csv_text(path: Path, what: str) -> str:
    """The text of the user's CSV file ``path`` (a BOM is dropped); a missing file or one that
    is not UTF-8 raises an error naming ``path`` and ``what`` it should be."""
    from coursekit.errors import InputError

    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such {what} file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the {what} as "
                         "UTF-8 CSV") from None

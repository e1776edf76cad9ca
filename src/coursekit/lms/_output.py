"""Where an export may go: only where asked, never into a book, written atomically.

Exports carry answer keys, so they are instructor files: ``--out`` must name a file outside
any Jupyter Book (a folder holding ``_config.yml`` and ``_toc.yml``, the book's source and its
``_build``), an existing file is replaced only with ``force``, and the file appears whole or not
at all (temporary file + rename).
"""

from __future__ import annotations

from pathlib import Path

from .._resources import write_atomic

__all__ = ["check_out", "write_out"]


def _book_root(path: Path) -> Path | None:
    for folder in [path, *path.parents]:
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return None


def check_out(out: Path, *, force: bool = False, suffixes: tuple[str, ...] = ()) -> Path:
    """Validate the output path; return it resolved. ``ValueError``/``FileExistsError``
    explain what is wrong."""
    out = Path(out)
    if suffixes and out.suffix.lower() not in suffixes:
        raise ValueError(f"--out {out}: expected a file name ending in {' or '.join(suffixes)}")
    resolved = out.expanduser().resolve()
    if resolved.is_dir():
        raise ValueError(f"--out {out}: is a folder; give a file name")
    book = _book_root(resolved.parent)
    if book is not None:
        raise ValueError(f"--out {out}: inside the book at {book}; exports contain answer keys "
                         "and must not be written into the book's source or build folders. "
                         "Write them to an instructor folder outside the book")
    if resolved.exists() and not force:
        raise FileExistsError(f"--out {out}: exists; pass --force to replace it")
    return resolved


def write_out(out: Path, content: bytes | str, *, force: bool = False,
              suffixes: tuple[str, ...] = ()) -> Path:
    """Check ``out`` and write ``content`` to it atomically."""
    path = check_out(out, force=force, suffixes=suffixes)
    write_atomic(path, content)
    return path

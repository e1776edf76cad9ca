"""Verified excerpts: a quotation, its record and location, rendered as an attributed quotation."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from ._locate import Location, PassageNotFound, _locate_with_text, locate
from ._records import SourceRecord, UnknownSource, record

_CSS = """\
.ck-excerpt{margin:1.25em 0;padding:.75em 1em;border-left:4px solid #1f5f8b;
background:rgba(31,95,139,.06);color:inherit;border-radius:0 4px 4px 0}
.ck-excerpt blockquote{margin:0;padding:0;border:0;background:none;font-size:1em;color:inherit}
.ck-excerpt blockquote p{margin:0;white-space:pre-wrap}
.ck-excerpt figcaption{margin-top:.6em;font-size:.92em;color:inherit}
.ck-excerpt figcaption a{color:#0b4f7c;text-decoration:underline}
.ck-excerpt .ck-excerpt-note{margin:.5em 0 0;font-size:.92em;font-style:italic}
html[data-theme="dark"] .ck-excerpt{border-left-color:#7fb8e0;background:rgba(127,184,224,.10)}
html[data-theme="dark"] .ck-excerpt figcaption a{color:#9fd0f5}
body[data-jp-theme-light="false"] .ck-excerpt{border-left-color:#7fb8e0}
body[data-jp-theme-light="false"] .ck-excerpt figcaption a{color:#9fd0f5}
"""


@dataclass(frozen=True)
class Excerpt:
    """A verified quotation: the verbatim ``text``, its source ``record`` and ``location``."""

    text: str
    record: SourceRecord
    location: Location
    note: str | None = field(default=None)

    @property
    def citation(self) -> str:
        """``Author (date), “Title”, section “…”, paragraph N``."""
        loc = self.location
        parts = [f"{self.record.author_label} ({self.record.display_date})",
                 f"“{self.record.title}”"]
        if loc.section and loc.kind == "body":
            parts.append(f"section “{loc.section}”")
        parts.append(loc.label)
        return ", ".join(parts)

    def __str__(self) -> str:
        out = f"“{self.text}”\n— {self.citation}"
        if self.note:
            out += f"\n({self.note})"
        return out

    def _repr_html_(self) -> str:
        r, loc = self.record, self.location
        esc = html.escape
        caption = (
            f"— {esc(r.author_label)} ({esc(r.display_date)}), <cite>{esc(r.title)}</cite>"
        )
        if loc.section and loc.kind == "body":
            caption += f", section “{esc(loc.section)}”"
        caption += (
            f', <a href="{esc(loc.href)}">{esc(loc.label)}</a>'
        )
        note = f'<p class="ck-excerpt-note">{esc(self.note)}</p>' if self.note else ""
        return (
            f"<style>{_CSS}</style>"
            f'<figure class="ck-excerpt">'
            f'<blockquote cite="{esc(loc.href)}"><p>{esc(self.text)}</p></blockquote>'
            f"<figcaption>{caption}</figcaption>{note}</figure>"
        )

    def to_markdown(self) -> str:
        """The excerpt as a Markdown block quote with its attribution (MyST-safe)."""
        r, loc = self.record, self.location
        where = f", section “{escape_myst(loc.section)}”" if loc.section and loc.kind == "body" else ""
        lines = [
            f"> {escape_myst(self.text)}",
            ">",
            f"> — {escape_myst(r.author_label)} ({escape_myst(r.display_date)}), "
            f"*{escape_myst(r.title)}*{where}, [{loc.label}]({loc.href})",
        ]
        if self.note:
            lines += [">", f"> {escape_myst(self.note)}"]
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def excerpt(source_id: str, passage: str, *, note: str | None = None) -> Excerpt:
    """Return a verified excerpt of ``source_id``; it renders as an attributed quotation.

    ``passage`` is the full text or ``"first words ... last words"``; see :func:`locate`.

    >>> ex = excerpt("evsikov-shafir-2011", "the exclusion of Russia ... nor feasible")
    >>> ex.text
    'the exclusion of Russia from the area is neither desirable nor feasible'
    >>> print(ex)
    “the exclusion of Russia from the area is neither desirable nor feasible”
    — Egor Evsikov and Leonid Shafir (c. 2010–2011), “Joint Security Cooperation or Regional \
Disintegration? Why the West Should Engage Russia in Central Asia”, paragraph 1
    """
    loc, text = _locate_with_text(source_id, passage)
    return Excerpt(text, record(source_id), loc, note)


def excerpt_calls(code: str) -> list[tuple[str, str | None]]:
    """The ``(source_id, passage)`` of every ``excerpt("<id>", "<passage>")`` call in ``code``
    (``passage`` is None when it is not a literal string). Code that does not parse gives [].

    >>> excerpt_calls('ck.excerpt("gusev-2019", "three main goals")\\nx = 1')
    [('gusev-2019', 'three main goals')]
    """
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        if name == "excerpt" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            second = node.args[1] if len(node.args) > 1 else None
            passage = second.value if isinstance(second, ast.Constant) else None
            calls.append((first.value, passage if isinstance(passage, str) else None))
    return calls


def verify_notebook_excerpts(path: Path | str) -> list[str]:
    """Check every literal ``excerpt(...)`` call in a notebook's code cells without running it;
    return one message per problem (cell number, source id and the closest passage)."""
    import json

    path = Path(path)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    problems = []
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code":
            continue
        for source_id, passage in excerpt_calls("".join(cell["source"])):
            if passage is None:
                continue
            try:
                locate(source_id, passage)
            except (PassageNotFound, UnknownSource) as exc:
                problems.append(f"{path.name}, cell {number}: {exc}")
    return problems



# --------------------------------------------------------------------------------------------
# MyST text (also used by the generated book pages)

_ALWAYS = set("\\`*_[]{}<$|~&")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\]\[]*[^\s<>\]\[.,;:)(\"'”’]")


def escape_myst(text: str) -> str:
    """Return MyST Markdown that renders exactly ``text`` (with web addresses as links).

    Markdown/MyST punctuation that could start markup is backslash-escaped
    (``\\ ` * _ [ ] { } < $ | ~ &``); ``#``, ``+``, ``-``, ``=``, ``>`` and ``:`` at the start,
    and a number followed by ``.`` or ``)`` at the start, are escaped too. A web address
    becomes an explicit link whose text is the address exactly as written (so that linkify
    neither cuts it at an escape nor rewrites it), pointing to the address (``http://`` is
    added to a bare ``www.`` address for the link target only). An address holding ``&``
    stays plain text, because myst-parser 3 would double-escape it in the link target.

    >>> escape_myst("pays 4.5$ mln *and* a_b")
    'pays 4.5\\\\$ mln \\\\*and\\\\* a\\\\_b'
    >>> escape_myst("see <http://x.org/a_b>.")
    'see \\\\<[http://x.org/a\\\\_b](<http://x.org/a_b>)>.'
    >>> escape_myst("# 1. - x"), escape_myst("1. x")
    ('\\\\# 1. - x', '1\\\\. x')
    """
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        url = m.group(0)
        if "&" in url:
            # myst-parser 3 HTML-escapes link targets twice (``&`` -> ``&amp;amp;``): such an
            # address is shown as plain text, with ``:`` and ``.`` escaped so linkify skips it.
            out.append("".join("\\" + ch if ch in ":." else ch for ch in _escape_plain(url)))
        else:
            target = url if url.startswith("http") else f"http://{url}"
            out.append(f"[{_escape_plain(url)}](<{target}>)")
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    result = "".join(out)
    if re.match(r"[#+\-=>:]", result):
        result = "\\" + result
    elif m2 := re.match(r"(\d+)([.)])(\s|$)", result):
        result = m2.group(1) + "\\" + result[len(m2.group(1)) :]
    return result


def _escape_plain(text: str) -> str:
    return "".join("\\" + ch if ch in _ALWAYS else ch for ch in text)

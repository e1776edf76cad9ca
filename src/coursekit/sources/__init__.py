"""The five source texts: their records, a paragraph corpus and verified excerpts.

What is shipped, and why
------------------------
Only one of the five sources carries an open licence: Rashidov (2005), marked CC BY on
CyberLeninka. The other four state no licence; the course may quote them briefly, with
attribution, for teaching and criticism, but not republish them. So:

* a clone of the course repository holds every full text in ``seeds/<id>.txt`` (cleaned by
  ``scripts/clean_seeds.py``); the book build and the tests check every quotation exactly
  against them;
* the installed package (and so Colab, Binder and any notebook run outside the repository)
  carries ``records.yml``, the full text of each source whose record says
  ``full_text_shipped: true`` (Rashidov only) and ``quoted.json``: the passages the course
  quotes (chapter excerpts, dataset quotations, quiz passages, map routes), each with its
  paragraph number, written by ``python -m coursekit._sourcepages``;
* the book's source pages print the full text of Rashidov and, for the others, the record,
  where to read the original and the quoted passages with their ¶ anchors.

:func:`excerpt` and :func:`locate` therefore work the same everywhere for every quotation the
course makes. A passage outside the shipped ones, in an installed package, raises
:class:`FullTextNotShipped` (a :class:`PassageNotFound`), which says that the full text is not
shipped and where the original can be read; :func:`corpus` warns (:class:`PartialTextWarning`)
when some texts are present only as quoted passages.

Code reads the files through ``coursekit._resources.resource_path("seeds", ...)``; the seed
format is described in ``coursekit/sources/_text.py`` and the matching rules in
``coursekit/sources/_locate.py``. The book pages are written at build time by
``coursekit._sourcepages``, not by this runtime module.

>>> loc = locate("gusev-2019", "Russia’s foreign policy in Central Asia has three main goals.")
>>> (loc.kind, loc.paragraph, loc.anchor)
('body', 2, 'gusev-2019-p2')
>>> excerpt("gusev-2019", "The third is ... (EAEU)").text
'The third is strengthening the integration institutions of the Eurasian Economic Union (EAEU)'
"""

from __future__ import annotations

from ._excerpt import Excerpt, escape_myst, excerpt, excerpt_calls, verify_notebook_excerpts
from ._locate import FullTextNotShipped, Location, PassageNotFound, locate, verify_quote
from ._records import (
    SOURCE_IDS,
    SeedFormatError,
    SourceRecord,
    UnknownSource,
    record,
    records,
)
from ._text import PartialTextWarning, bibliography, corpus, full_text_available, parse_seed

__all__ = [
    "SOURCE_IDS",
    "Excerpt",
    "FullTextNotShipped",
    "Location",
    "PartialTextWarning",
    "PassageNotFound",
    "SeedFormatError",
    "SourceRecord",
    "UnknownSource",
    "bibliography",
    "corpus",
    "escape_myst",
    "excerpt",
    "excerpt_calls",
    "full_text_available",
    "locate",
    "parse_seed",
    "record",
    "records",
    "verify_notebook_excerpts",
    "verify_quote",
]

# Public classes show (and doctests name) them as coursekit.sources.<Name>.
for _cls in (Excerpt, FullTextNotShipped, Location, PartialTextWarning, PassageNotFound,
             SeedFormatError, SourceRecord, UnknownSource):
    _cls.__module__ = __name__
del _cls

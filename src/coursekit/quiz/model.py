"""Question types: small dataclasses that validate themselves and score one answer.

Each type has ``from_dict`` / ``to_dict`` (the YAML form, shared with exercise checks through
``_records._DictForm``), ``validate()`` (semantic checks the JSON Schema cannot express),
``score(answer) -> Score``, ``spec()`` (what the browser gets: the answer key only for
self-check questions, never for graded ones) and ``text_lines()`` (its plain-text form).
Adding a type: see "Adding a question type" in CONTRIBUTING.md.

Answer formats (what ``score`` and ``coursekit.quiz.check`` accept, and what the browser records):

========== ===================================== ==============================================
type       answer                                partial credit
========== ===================================== ==============================================
single     option id, ``"b"``                    no
multiple   list of option ids, ``["a", "c"]``    (right picks - wrong picks) / right options,
                                                 at least 0
truefalse  ``True`` / ``False``                  no
numeric    a number or text such as ``"7,500"``  no
text       a string                              no
matching   ``{item id: choice id}``              fraction of items matched correctly
ordering   list of item ids, first to last       fraction of item *pairs* in the right relative
                                                 order (one item out of place costs little)
evidence   sentence number (0-based) or the      no
           sentence's text
========== ===================================== ==============================================
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._records import Option, Reply, Score, _DictForm, options
from ._records import unique as _unique
from ._scoring import normalise_text, number_matches, pairwise_order, parse_number, sentences
from .errors import QuizFileError, _Invalid
from .sources_link import attribution, resolve

__all__ = [
    "QUESTION_TYPES",
    "STANCES",
    "Evidence",
    "Matching",
    "MultipleAnswer",
    "Numeric",
    "Option",
    "Ordering",
    "Question",
    "QuizFileError",
    "Reply",
    "Score",
    "ShortText",
    "SingleChoice",
    "TrueFalse",
]


#: Evidence stances and how a prompt says them ("Which sentence ... the claim?").
STANCES: dict[str, str] = {"supports": "supports", "contradicts": "contradicts",
                           "undermines": "undermines", "irrelevant": "is irrelevant to"}


def _pick(feedback: str, fallback: str) -> str:
    return feedback or fallback


@dataclass(kw_only=True)
class Question(_DictForm):
    """Fields every question has. Subclasses add their own and implement ``score``."""

    type: ClassVar[str] = ""
    id: str
    prompt: str
    explanation: str = ""
    reference: dict[str, str] | str | None = None
    points: float = 1
    graded: bool = False
    feedback_right: str = ""
    feedback_wrong: str = ""
    hint: str = ""
    skill: str = ""

    _family: ClassVar[str] = "question"

    @classmethod
    def _kinds(cls) -> Mapping[str, type[Question]]:
        return QUESTION_TYPES

    # -- checks ---------------------------------------------------------------------------
    def validate(self) -> None:
        """Raise ``_Invalid(field, message)`` for a mistake the schema cannot see."""
        if not str(self.prompt).strip():
            raise _Invalid("prompt", "the prompt is empty")
        if self.points <= 0:
            raise _Invalid("points", f"points must be positive, got {self.points!r}")
        if isinstance(self.reference, Mapping):
            resolve(self.reference, "reference")

    def respond(self, answer: Any, attempt: int = 1) -> Reply:
        """What a reader sees after checking ``answer`` on try number ``attempt`` (1-based):
        the score and feedback; the ``hint`` after a first wrong try; the ``explanation``
        (and reference) only after a right answer or from the second try on."""
        outcome = self.score(answer)
        reveal = outcome.correct or attempt >= 2
        reference = self._reference_text() if reveal and self.reference is not None else ""
        return Reply(outcome, hint="" if reveal else self.hint,
                     explanation=self.explanation if reveal else "", reference=reference)

    def _right_wrong(self, ok: bool, fraction: float | None = None) -> Score:
        fraction = (1.0 if ok else 0.0) if fraction is None else fraction
        return Score(fraction, self.feedback_right if fraction >= 1 else self.feedback_wrong)

    # -- what the browser gets --------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        """JSON for the front-end. Graded questions carry no key, feedback or explanation."""
        out: dict[str, Any] = {"id": self.id, "type": self.type, "prompt": self.prompt,
                               "points": self.points, "graded": self.graded}
        out.update(self._public())
        if not self.graded:
            out["key"] = self._key()
            out["hint"] = self.hint
            out["feedback_right"] = self.feedback_right
            out["feedback_wrong"] = self.feedback_wrong
            out["explanation"] = self.explanation
            if self.reference is not None:
                out["reference"] = self._reference_text()
        return out

    def _public(self) -> dict[str, Any]:
        return {}

    def _key(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _reference_text(self) -> str:
        if isinstance(self.reference, str):
            return f"Dataset: {self.reference}"
        return attribution(self.reference["source"], self.reference["passage"])

    # -- plain text -------------------------------------------------------------------------
    def text_lines(self) -> list[str]:  # pragma: no cover - abstract
        """What a reader of :func:`coursekit.quiz.render.text` sees below the prompt (no key)."""
        raise NotImplementedError


@dataclass(kw_only=True)
class _Choice(Question):
    options: list[Option] = field(default_factory=list)

    @classmethod
    def _convert(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs["options"] = options(kwargs.get("options", []))
        return kwargs

    def _option_ids(self) -> list[str]:
        return [o.id for o in self.options]

    def _check_keys(self, keys: Sequence[str]) -> None:
        _unique(self._option_ids(), "options")
        for key in keys:
            if key not in self._option_ids():
                raise _Invalid("answer", f"answer {key!r} is not an option id; expected one of "
                               f"{', '.join(self._option_ids())}")

    def _public(self) -> dict[str, Any]:
        keep = ("id", "text") if self.graded else ("id", "text", "feedback")
        return {"options": [{k: getattr(o, k) for k in keep} for o in self.options]}

    def text_lines(self) -> list[str]:
        return [f"   {chr(97 + i)}) {o.text}" for i, o in enumerate(self.options)]


@dataclass(kw_only=True)
class SingleChoice(_Choice):
    """One right option among several."""

    type: ClassVar[str] = "single"
    answer: str = ""

    def validate(self) -> None:
        super().validate()
        if len(self.options) < 2:
            raise _Invalid("options", "a single-choice question needs at least two options")
        _unique(self._option_ids(), "options")
        if not self.keyed:
            return
        if not self.answer:
            raise _Invalid("answer", "no correct answer given")
        self._check_keys([self.answer])

    def _score(self, answer: Any) -> Score:
        chosen = next((o for o in self.options if o.id == answer), None)
        ok = answer == self.answer
        return Score(1.0 if ok else 0.0,
                     _pick(chosen.feedback if chosen else "",
                           self.feedback_right if ok else self.feedback_wrong))

    def _key(self) -> Any:
        return self.answer


@dataclass(kw_only=True)
class MultipleAnswer(_Choice):
    """Select all that apply; partial credit (right picks - wrong picks) / right options."""

    type: ClassVar[str] = "multiple"
    shape: ClassVar[str] = "list"
    answer: list[str] = field(default_factory=list)

    def validate(self) -> None:
        super().validate()
        _unique(self._option_ids(), "options")
        if not self.keyed:
            return
        if not self.answer:
            raise _Invalid("answer", "no correct answer given")
        _unique(self.answer, "answer")
        self._check_keys(self.answer)

    def _score(self, answer: Any) -> Score:
        if isinstance(answer, str) or not isinstance(answer, Sequence | set | frozenset):
            return Score(0.0, "Select one or more options.")
        picked = set(answer)
        key = set(self.answer)
        fraction = max(0.0, (len(picked & key) - len(picked - key)) / len(key))
        notes = [o.feedback for o in self.options if o.id in picked and o.feedback]
        base = self.feedback_right if fraction >= 1 else self.feedback_wrong
        return Score(fraction, " ".join([*notes, base]).strip())

    def _key(self) -> Any:
        return list(self.answer)

    def text_lines(self) -> list[str]:
        return ["   Select all that apply.", *super().text_lines()]


@dataclass(kw_only=True)
class TrueFalse(Question):
    """A statement to judge; ``feedback_right``/``feedback_wrong`` explain each outcome."""

    type: ClassVar[str] = "truefalse"
    shape: ClassVar[str] = "boolean"
    answer: bool = True

    def validate(self) -> None:
        super().validate()
        if self.keyed and not isinstance(self.answer, bool):
            raise _Invalid("answer", f"expected true or false, got {self.answer!r}")

    def _score(self, answer: Any) -> Score:
        if not isinstance(answer, bool):
            return Score(0.0, "Answer True or False.")
        return self._right_wrong(answer == self.answer)

    def _key(self) -> Any:
        return self.answer

    def text_lines(self) -> list[str]:
        return ["   True or false?"]


@dataclass(kw_only=True)
class Numeric(Question):
    """A number, right within ``tolerance`` of ``answer`` or inside ``range``; ``unit`` is
    shown next to the input box."""

    type: ClassVar[str] = "numeric"
    shape: ClassVar[str] = "number"
    answer: float | None = None
    tolerance: float = 0.0
    range: list[float] | None = None
    unit: str = ""

    def validate(self) -> None:
        super().validate()
        if self.tolerance < 0:
            raise _Invalid("tolerance", f"must be >= 0, got {self.tolerance!r}")
        if not self.keyed:
            return
        if (self.answer is None) == (self.range is None):
            raise _Invalid("answer", "give either `answer` (with `tolerance`) or `range`")
        if self.answer is not None and (isinstance(self.answer, bool)
                                        or not isinstance(self.answer, int | float)):
            raise _Invalid("answer", f"expected a number, got {self.answer!r}")
        if self.range is not None and (len(self.range) != 2 or self.range[0] > self.range[1]):
            raise _Invalid("range", f"expected [low, high] with low <= high, got {self.range!r}")

    def _score(self, answer: Any) -> Score:
        value = parse_number(answer, self.unit)
        if value is None:
            return Score(0.0, f"Could not read a number from {answer!r}.")
        return self._right_wrong(
            number_matches(value, self.answer, self.tolerance, self.range))

    def _public(self) -> dict[str, Any]:
        return {"unit": self.unit}

    def text_lines(self) -> list[str]:
        return [f"   Answer: ____ {self.unit}".rstrip()]

    def _key(self) -> Any:
        if self.range is not None:
            return {"range": list(self.range)}
        return {"answer": self.answer, "tolerance": self.tolerance}


@dataclass(kw_only=True)
class ShortText(Question):
    """A word or phrase; compared with ``accept`` ignoring case, spacing and diacritics."""

    type: ClassVar[str] = "text"
    accept: list[str] = field(default_factory=list)

    def validate(self) -> None:
        super().validate()
        if self.keyed and not [a for a in self.accept if normalise_text(a)]:
            raise _Invalid("accept", "no correct answer given")

    def _score(self, answer: Any) -> Score:
        if not isinstance(answer, str):
            return Score(0.0, "Type an answer.")
        return self._right_wrong(normalise_text(answer) in self._key())

    def _key(self) -> Any:
        return sorted({normalise_text(a) for a in self.accept})

    def text_lines(self) -> list[str]:
        return ["   Answer: ____"]


@dataclass(kw_only=True)
class Matching(Question):
    """Match each item to one of ``choices``; partial credit per item."""

    type: ClassVar[str] = "matching"
    shape: ClassVar[str] = "mapping"
    items: list[dict[str, str]] = field(default_factory=list)  # {id, text, match}
    choices: list[Option] = field(default_factory=list)

    @classmethod
    def _convert(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs["choices"] = options(kwargs.get("choices", []))
        kwargs["items"] = [dict(i) for i in kwargs.get("items", [])]
        return kwargs

    def validate(self) -> None:
        super().validate()
        if not self.items:
            raise _Invalid("items", "no items to match")
        _unique([i["id"] for i in self.items], "items")
        _unique([c.id for c in self.choices], "choices")
        ids = [c.id for c in self.choices]
        for n, item in enumerate(self.items if self.keyed else []):
            if not item.get("match"):
                raise _Invalid(f"items[{n}].match", "no correct answer given")
            if item["match"] not in ids:
                raise _Invalid(f"items[{n}].match", f"{item['match']!r} is not a choice id; "
                               f"expected one of {', '.join(ids)}")

    def _score(self, answer: Any) -> Score:
        if not isinstance(answer, Mapping):
            return Score(0.0, "Choose a match for every item.")
        right = sum(1 for i in self.items if answer.get(i["id"]) == i["match"])
        return self._right_wrong(False, right / len(self.items))

    def _public(self) -> dict[str, Any]:
        return {"items": [{"id": i["id"], "text": i["text"]} for i in self.items],
                "choices": [{"id": c.id, "text": c.text} for c in self.choices]}

    def _key(self) -> Any:
        return {i["id"]: i["match"] for i in self.items}

    def text_lines(self) -> list[str]:
        return [*(f"   {i + 1}. {item['text']} -> ____" for i, item in enumerate(self.items)),
                "   Choices: " + "; ".join(c.text for c in self.choices)]

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["items"] = [dict(i) for i in self.items]
        return out


@dataclass(kw_only=True)
class Ordering(Question):
    """Put ``items`` (listed here in the right order) in order; partial credit is the
    fraction of item pairs in the right relative order. The browser shows them in a fixed
    shuffled order derived from the question id."""

    type: ClassVar[str] = "ordering"
    shape: ClassVar[str] = "list"
    items: list[Option] = field(default_factory=list)

    @classmethod
    def _convert(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs["items"] = options(kwargs.get("items", []))
        return kwargs

    def validate(self) -> None:
        super().validate()
        if len(self.items) < 2:
            raise _Invalid("items", "an ordering question needs at least two items")
        _unique([i.id for i in self.items], "items")

    def _score(self, answer: Any) -> Score:
        if isinstance(answer, str) or not isinstance(answer, Sequence):
            return Score(0.0, "Give the items as a list, first to last.")
        return self._right_wrong(False, pairwise_order(list(answer), self._key()))

    def shuffled(self) -> list[Option]:
        """The display order: sorted by a hash of question and item id, never the answer."""
        order = sorted(self.items,
                       key=lambda i: hashlib.sha256(f"{self.id}/{i.id}".encode()).hexdigest())
        if order == self.items:
            order = order[1:] + order[:1]
        return order

    def _public(self) -> dict[str, Any]:
        return {"items": [{"id": i.id, "text": i.text} for i in self.shuffled()]}

    def _key(self) -> Any:
        return [i.id for i in self.items]

    def text_lines(self) -> list[str]:
        return ["   Put in order:", *(f"   - {i.text}" for i in self.shuffled())]


@dataclass(kw_only=True)
class Evidence(Question):
    """Find the sentence of a verified excerpt that ``supports`` a claim, ``contradicts`` or
    ``undermines`` it, or is ``irrelevant`` to it.

    ``excerpt`` is ``{source: <seed id>, passage: "..."}``, checked with
    ``coursekit.sources.excerpt``; ``answer`` is the right sentence (or a fragment found in
    exactly one sentence).
    """

    type: ClassVar[str] = "evidence"
    shape: ClassVar[str] = "sentence"
    claim: str = ""
    stance: str = "supports"
    excerpt: dict[str, str] = field(default_factory=dict)
    answer: str = ""
    _sentences: list[str] = field(default_factory=list, init=False, repr=False, compare=False)
    _index: int = field(default=-1, init=False, repr=False, compare=False)
    _attribution: str = field(default="", init=False, repr=False, compare=False)

    def validate(self) -> None:
        super().validate()
        if self.stance not in STANCES:
            raise _Invalid("stance", f"expected one of {', '.join(STANCES)}, got {self.stance!r}")
        text, self._attribution = resolve(self.excerpt, "excerpt")
        self._sentences = sentences(text)
        if not self.keyed:
            return
        if not self.answer:
            raise _Invalid("answer", "no correct answer given")
        hits = [n for n, s in enumerate(self._sentences)
                if normalise_text(self.answer) in normalise_text(s)]
        if len(hits) != 1:
            found = "no sentence" if not hits else f"{len(hits)} sentences"
            raise _Invalid("answer", f"{found} of the excerpt contain {self.answer!r}; quote "
                           "part of exactly one sentence")
        self._index = hits[0]

    @property
    def sentence_list(self) -> list[str]:
        """The excerpt split into the sentences the reader chooses from."""
        if self._index < 0:
            self.validate()
        return list(self._sentences)

    def _score(self, answer: Any) -> Score:
        options = self.sentence_list
        if isinstance(answer, str):
            hits = [n for n, s in enumerate(options)
                    if normalise_text(answer) and normalise_text(answer) in normalise_text(s)]
            answer = hits[0] if len(hits) == 1 else None
        if isinstance(answer, bool) or not isinstance(answer, int):
            return Score(0.0, "Choose one sentence of the excerpt.")
        return self._right_wrong(answer == self._index)

    def _public(self) -> dict[str, Any]:
        return {"claim": self.claim, "stance": self.stance, "sentences": self.sentence_list,
                "attribution": self._attribution}

    def _key(self) -> Any:
        return self._index

    def text_lines(self) -> list[str]:
        return [f"   Claim: {self.claim}", f"   Which sentence {STANCES[self.stance]} the claim?",
                *(f"   ({i + 1}) {s}" for i, s in enumerate(self.sentence_list)),
                f"   — {self._attribution}"]


QUESTION_TYPES: dict[str, type[Question]] = {
    cls.type: cls
    for cls in (SingleChoice, MultipleAnswer, TrueFalse, Numeric, ShortText, Matching,
                Ordering, Evidence)
}

"""What question types and exercise checks share: the YAML form (``from_dict``/``to_dict``),
the :class:`Score` of one answer and the :class:`Option` of a choice."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from .bank import MissingKeyError
from .errors import _Invalid

__all__ = ["Option", "Reply", "Score", "options", "unique"]

RIGHT, WRONG, PARTLY = "Correct.", "Not quite.", "Partly correct"
_T = TypeVar("_T", bound="_DictForm")


@dataclass(frozen=True)
class Score:
    """How one answer fared: ``fraction`` of the points (0-1), a verdict and feedback text."""

    fraction: float
    feedback: str = ""

    @property
    def correct(self) -> bool:
        return self.fraction >= 1.0

    @property
    def verdict(self) -> str:
        if self.correct:
            return RIGHT
        if self.fraction > 0:
            return f"{PARTLY} ({int(self.fraction * 100 + 0.5)}%)."
        return WRONG

    def __str__(self) -> str:
        return f"{self.verdict} {self.feedback}".strip()


@dataclass(frozen=True)
class Reply:
    """What a reader sees after one try: the :class:`Score` (verdict and feedback), then
    either the ``hint`` (after a first wrong try) or the ``explanation`` and ``reference``
    (after a right answer or a second try). Never both."""

    score: Score
    hint: str = ""
    explanation: str = ""
    reference: str = ""

    @property
    def correct(self) -> bool:
        return self.score.correct

    def lines(self) -> list[str]:
        """The reply as paragraphs: verdict and feedback, then hint or explanation."""
        return [text for text in (str(self.score),
                                  self.hint and f"Hint: {self.hint}",
                                  self.explanation and f"Explanation: {self.explanation}",
                                  self.reference and f"Source: {self.reference}") if text]

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True)
class Option:
    """A choice in a single/multiple-choice question or a right-hand side in matching."""

    id: str
    text: str
    feedback: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Option:
        return cls(id=str(data["id"]), text=str(data["text"]), feedback=data.get("feedback", ""))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v != ""}


def options(values: Sequence[Option | Mapping[str, Any]]) -> list[Option]:
    """``values`` as :class:`Option` objects (YAML mappings are converted)."""
    return [v if isinstance(v, Option) else Option.from_dict(v) for v in values]


def unique(ids: Sequence[str], field_name: str) -> None:
    """``_Invalid`` naming the first id of ``ids`` that repeats an earlier one."""
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            raise _Invalid(f"{field_name}[{i}].id", f"duplicate id {item!r}")
        seen.add(item)


@dataclass(kw_only=True)
class _DictForm:
    """What questions and exercise checks share: a family of dataclasses told apart by a
    ``type`` class attribute, with a YAML form, and scored only when their key is loaded.

    A family's base names its registry (``_kinds``) and what it calls its members
    (``_family``, e.g. "question"); ``from_dict`` on the base builds the member ``type``
    names, and on a member checks that ``type`` names it.
    """

    type: ClassVar[str] = ""
    _family: ClassVar[str] = ""
    #: The answer's shape (see ``coursekit.quiz.bank.shape_problem``): what ``check``
    #: verifies without a key.
    shape: ClassVar[str] = "text"
    id: str
    #: False for an assessed item loaded without its bank entry (it cannot be scored).
    keyed: bool = field(default=True, init=False, repr=False, compare=False)

    @classmethod
    def _kinds(cls) -> Mapping[str, type[_DictForm]]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def from_dict(cls: type[_T], data: Mapping[str, Any]) -> _T:
        """Build the class named by ``data["type"]`` from its YAML form."""
        kinds = cls._kinds()
        kind = kinds.get(data.get("type", ""))
        if kind is None:
            raise _Invalid("type", f"unknown {cls._family} type {data.get('type')!r}; expected "
                           f"one of {', '.join(kinds)}")
        if cls.type and kind is not cls:
            raise _Invalid("type", f"expected type {cls.type!r}, got {data['type']!r}")
        names = {f.name for f in dataclasses.fields(kind) if f.init}  # type: ignore[arg-type]
        return kind(**kind._convert({k: v for k, v in data.items() if k in names}))  # type: ignore[return-value]

    @classmethod
    def _convert(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Turn nested YAML values into their objects (options, items); default: as is."""
        return kwargs

    def to_dict(self) -> dict[str, Any]:
        """The YAML form (defaults left out)."""
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if not f.init or f.name in out or value == f.default or value in ("", None):
                continue
            if isinstance(value, list):
                value = [v.to_dict() if hasattr(v, "to_dict") else v for v in value]
            out[f.name] = value
        return out

    def score(self, answer: Any) -> Score:
        """Score one answer (``MissingKeyError`` for an assessed item loaded without its
        bank entry)."""
        if not self.keyed:
            raise MissingKeyError(self.id, self.id.rsplit("-", 2)[0])
        return self._score(answer)

    def _score(self, answer: Any) -> Score:  # pragma: no cover - abstract
        raise NotImplementedError

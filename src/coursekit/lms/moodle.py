"""Quiz banks as Moodle XML (import into the question bank as "Moodle XML format").

The structure follows Moodle's own documentation of the format: MoodleDocs, "Moodle XML
format", https://docs.moodle.org/21/en/Moodle_XML_format (same text in the pages for other
Moodle versions): a ``<quiz>`` of ``<question type="...">`` elements, each with ``<name>``,
``<questiontext format="html">``, ``<generalfeedback>``, ``<defaultgrade>`` and per type:
``multichoice`` (``<single>``, ``<answer fraction="...">`` with ``<feedback>``, and
``correctfeedback``/``partiallycorrectfeedback``/``incorrectfeedback``), ``truefalse``,
``numerical`` (``<answer>`` with ``<tolerance>``), ``shortanswer`` (``<usecase>``) and
``matching`` (``<subquestion>`` with ``<answer>``); a ``<question type="category">`` before each
chapter's questions puts them in the category ``$course$/coursekit/<chapter>``.

Ordering questions use the ``ordering`` question type, which is a plugin (qtype_ordering,
https://moodle.org/plugins/qtype_ordering), not one of the types the format page documents:
a Moodle without that plugin rejects those questions (the report says so for each). Its answers
are listed in the right order with ``fraction`` holding the position, as the plugin writes them.

Mapping: single and evidence -> ``multichoice`` with ``single`` true; multiple ->
``multichoice`` with ``single`` false, +100/right for each right option and -100/right for each
wrong one (Moodle bounds the total at 0, which is coursekit's (right - wrong) / right);
truefalse -> ``truefalse``; numeric -> ``numerical`` (a range becomes its midpoint with half
its width as tolerance); text -> ``shortanswer``; matching -> ``matching`` (choices that match
no item become distractors); ordering -> ``ordering`` (plugin).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..quiz import Quiz
from ._items import Item, Report, collect, fmt, html, xml_bytes
from ._output import export_file

__all__ = ["document", "export"]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _text(parent: ET.Element, tag: str, text: str, rich: bool = True, **attrs: str) -> None:
    el = _sub(parent, tag, format="html" if rich else "plain_text", **attrs)
    _sub(el, "text", html(text) if rich else text)


def _answer(q: ET.Element, text: str, fraction: float, feedback: str = "",
            rich: bool = False) -> ET.Element:
    answer = _sub(q, "answer", fraction=fmt(round(fraction, 5)),
                  format="html" if rich else "plain_text")
    _sub(answer, "text", html(text) if rich else text)
    if feedback:
        _text(answer, "feedback", feedback)
    return answer


def _question(item: Item, report: Report) -> ET.Element:
    kinds = {"choice": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
             "numeric": "numerical", "text": "shortanswer", "matching": "matching",
             "ordering": "ordering"}
    q = ET.Element("question", type=kinds[item.kind])
    _sub(_sub(q, "name"), "text", item.id)
    _text(q, "questiontext", item.prompt)
    _text(q, "generalfeedback", item.explanation)
    _sub(q, "defaultgrade", fmt(item.points))
    _sub(q, "penalty", "0")
    _sub(q, "hidden", "0")
    if item.kind in ("choice", "multiple", "matching", "ordering"):
        _text(q, "correctfeedback", item.feedback_right)
        _text(q, "partiallycorrectfeedback", item.feedback_wrong)
        _text(q, "incorrectfeedback", item.feedback_wrong)
    if item.kind in ("choice", "multiple"):
        _sub(q, "single", "true" if item.kind == "choice" else "false")
        _sub(q, "shuffleanswers", "false")
        _sub(q, "answernumbering", "abc")
        share = 100 / len(item.correct)
        for option in item.options:
            right = option.id in item.correct
            fraction = (100 if right else 0) if item.kind == "choice" else (
                share if right else -share)
            _answer(q, option.text, fraction, option.feedback, rich=True)
        if item.kind == "multiple" and 100 % len(item.correct):
            report.note(item.id, f"multiple answers: each option is worth 100/{len(item.correct)}"
                        " percent, written with 5 decimals")
    elif item.kind == "truefalse":
        for value in ("true", "false"):
            right = value == item.correct[0]
            _answer(q, value, 100 if right else 0,
                    item.feedback_right if right else item.feedback_wrong)
    elif item.kind == "numeric":
        assert item.low is not None and item.high is not None
        value = item.exact if item.exact is not None else (item.low + item.high) / 2
        tolerance = item.tolerance if item.exact is not None else (item.high - item.low) / 2
        answer = _answer(q, fmt(value), 100, item.feedback_right)
        _sub(answer, "tolerance", fmt(tolerance))
    elif item.kind == "text":
        _sub(q, "usecase", "0")
        for accepted in item.accept:
            _answer(q, accepted, 100, item.feedback_right)
    elif item.kind == "matching":
        _sub(q, "shuffleanswers", "true")
        texts = {t.id: t.text for t in item.targets}
        for option in item.options:
            sub = _sub(q, "subquestion", format="html")
            _sub(sub, "text", html(option.text))
            _sub(_sub(sub, "answer"), "text", texts[item.matches[option.id]])
        for target in item.targets:
            if target.id not in item.matches.values():
                sub = _sub(q, "subquestion", format="html")
                _sub(sub, "text", "")
                _sub(_sub(sub, "answer"), "text", target.text)
        if len(set(texts.values())) != len(texts):
            report.note(item.id, "matching: two choices have the same text; Moodle tells "
                        "answers apart by text")
    else:  # ordering (plugin)
        _sub(q, "layouttype", "VERTICAL")
        _sub(q, "selecttype", "ALL")
        _sub(q, "selectcount", str(len(item.correct)))
        _sub(q, "gradingtype", "ABSOLUTE_POSITION")
        _sub(q, "showgrading", "SHOW")
        texts = {o.id: o.text for o in item.options}
        for position, ident in enumerate(item.correct, start=1):
            _answer(q, texts[ident], position, rich=True)
        report.note(item.id, "ordering needs the Moodle plugin qtype_ordering (not a standard "
                    "Moodle XML type); graded per item in its absolute position, while "
                    "coursekit gives credit per pair in the right relative order")
    if item.kind in ("numeric", "text") and item.feedback_wrong:
        report.note(item.id, "feedback for a wrong answer is not exported: Moodle numerical "
                    "and short-answer questions carry feedback only on the answers they accept")
    return q


def document(quizzes: list[Quiz], report: Report | None = None) -> tuple[bytes, Report]:
    """The Moodle XML file's bytes and the report."""
    report = report or Report("moodle")
    root = ET.Element("quiz")
    for quiz, items in collect(quizzes, report):
        category = _sub(root, "question", type="category")
        _sub(_sub(category, "category"), "text", f"$course$/coursekit/{quiz.name}")
        for item in items:
            root.append(_question(item, report))
    return xml_bytes(root), report


def export(quizzes: list[Quiz], out: Path, *, force: bool = False) -> Report:
    """Write ``out`` (a Moodle XML .xml file); return what could not be mapped."""
    return export_file(document, quizzes, out, force=force, suffixes=(".xml",))

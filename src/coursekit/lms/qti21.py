"""Quiz banks as an IMS QTI 2.1 content package.

The package is a zip: ``imsmanifest.xml`` (IMS Content Packaging 1.1, resources of type
``imsqti_item_xmlv2p1`` and ``imsqti_test_xmlv2p1``), one ``assessmentItem`` per question under
``items/`` and one ``assessmentTest`` per chapter under ``tests/``, in the namespace
``http://www.imsglobal.org/xsd/imsqti_v2p1`` (IMS Question & Test Interoperability v2.1).

Every item declares ``RESPONSE`` (with its ``correctResponse``), ``SCORE``, ``MAXSCORE`` (the
points) and ``FEEDBACK``; its ``responseProcessing`` is written out (no template) so that partial
credit matches coursekit's: multiple answers through a ``mapping`` of +points/right and
-points/right per option, bounded at 0 (exactly coursekit's (right - wrong) / right); matching
through a ``mapping`` of directed pairs; numeric answers as ``gte``/``lte`` bounds. Feedback is
``modalFeedback`` (``correct``/``incorrect``) and the explanation a ``modalFeedback`` always
shown.

Mapping: single, truefalse and evidence -> ``choiceInteraction`` (maxChoices 1); multiple ->
``choiceInteraction`` (maxChoices 0); numeric and text -> ``textEntryInteraction``; matching ->
``matchInteraction``; ordering -> ``orderInteraction``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from coursekit.errors import InputError

from ..quiz import Quiz
from ._items import Item, Report, collect, fmt, xml_bytes
from ._items import html as html_text
from ._output import Resource, content_package, export_file

__all__ = ["NS", "export", "package"]

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
SCHEMA = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _ident(value: str) -> str:
    if not _NCNAME.match(value):
        raise InputError(f"identifier {value!r} is not valid in QTI 2.1 (letters, digits, "
                         "'_', '-', '.', starting with a letter or '_')")
    return value


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _flow(parent: ET.Element, text: str) -> None:
    """Plain text as ``<p>`` children of ``parent``."""
    fragment = ET.fromstring(f"<div>{html_text(text)}</div>")
    parent.extend(list(fragment))


def _value(parent: ET.Element, text: str) -> None:
    _sub(parent, "value", text)


def _set(parent: ET.Element, name: str, expr: ET.Element) -> None:
    _sub(parent, "setOutcomeValue", identifier=name).append(expr)


def _base(tag: str, value: str) -> ET.Element:
    el = ET.Element("baseValue", baseType=tag)
    el.text = value
    return el


def _var(name: str) -> ET.Element:
    return ET.Element("variable", identifier=name)


def _declarations(root: ET.Element, item: Item) -> None:
    kinds = {"choice": ("single", "identifier"), "truefalse": ("single", "identifier"),
             "multiple": ("multiple", "identifier"), "numeric": ("single", "float"),
             "text": ("single", "string"), "matching": ("multiple", "directedPair"),
             "ordering": ("ordered", "identifier")}
    cardinality, base = kinds[item.kind]
    decl = _sub(root, "responseDeclaration", identifier="RESPONSE", cardinality=cardinality,
                baseType=base)
    correct = _sub(decl, "correctResponse")
    if item.kind == "numeric":
        _value(correct, fmt(item.exact if item.exact is not None else (item.low + item.high) / 2))
    elif item.kind == "text":
        _value(correct, item.accept[0])
        mapping = _sub(decl, "mapping", defaultValue="0")
        for accepted in item.accept:
            _sub(mapping, "mapEntry", mapKey=accepted, mappedValue=fmt(item.points),
                 caseSensitive="false")
    elif item.kind == "matching":
        mapping = _sub(decl, "mapping", defaultValue="0", lowerBound="0",
                       upperBound=fmt(item.points))
        for source, target in item.matches.items():
            _value(correct, f"{_ident(source)} {_ident(target)}")
            _sub(mapping, "mapEntry", mapKey=f"{source} {target}",
                 mappedValue=fmt(item.points / len(item.matches)))
    else:
        for key in item.correct:
            _value(correct, _ident(key))
        if item.kind == "multiple":
            share = item.points / len(item.correct)
            mapping = _sub(decl, "mapping", defaultValue="0", lowerBound="0",
                           upperBound=fmt(item.points))
            for option in item.options:
                _sub(mapping, "mapEntry", mapKey=option.id,
                     mappedValue=fmt(share if option.id in item.correct else -share))
    for name, base_type, default in (("SCORE", "float", "0"), ("MAXSCORE", "float",
                                     fmt(item.points)), ("FEEDBACK", "identifier", None)):
        out = _sub(root, "outcomeDeclaration", identifier=name, cardinality="single",
                   baseType=base_type)
        if default is not None:
            _value(_sub(out, "defaultValue"), default)


def _body(root: ET.Element, item: Item) -> None:
    body = _sub(root, "itemBody")
    _flow(body, item.prompt)
    if item.kind in ("choice", "truefalse", "multiple"):
        inter = _sub(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false",
                     maxChoices="0" if item.kind == "multiple" else "1")
        for option in item.options:
            _sub(inter, "simpleChoice", option.text, identifier=_ident(option.id))
    elif item.kind in ("numeric", "text"):
        _sub(_sub(body, "p"), "textEntryInteraction", responseIdentifier="RESPONSE",
             expectedLength="20")
    elif item.kind == "matching":
        inter = _sub(body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="false",
                     maxAssociations=str(len(item.options)))
        left, right = _sub(inter, "simpleMatchSet"), _sub(inter, "simpleMatchSet")
        for option in item.options:
            _sub(left, "simpleAssociableChoice", option.text, identifier=_ident(option.id),
                 matchMax="1")
        for target in item.targets:
            _sub(right, "simpleAssociableChoice", target.text, identifier=_ident(target.id),
                 matchMax=str(len(item.options)))
    else:
        inter = _sub(body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="false")
        for option in item.options:
            _sub(inter, "simpleChoice", option.text, identifier=_ident(option.id))


def _processing(root: ET.Element, item: Item, report: Report) -> None:
    proc = _sub(root, "responseProcessing")
    if item.kind in ("multiple", "matching", "text"):
        _set(proc, "SCORE", ET.Element("mapResponse", identifier="RESPONSE"))
    else:
        cond = _sub(_sub(proc, "responseCondition"), "responseIf")
        if item.kind == "numeric":
            test = _sub(cond, "and")
            for tag, bound in (("gte", item.low), ("lte", item.high)):
                el = _sub(test, tag)
                el.extend([_var("RESPONSE"), _base("float", fmt(bound))])
        else:
            test = _sub(cond, "match")
            test.extend([_var("RESPONSE"), ET.Element("correct", identifier="RESPONSE")])
        _set(cond, "SCORE", _var("MAXSCORE"))
        if item.kind == "ordering":
            report.note(item.id, "ordering: QTI 2.1 scores the whole order (all or nothing); "
                        "coursekit gives credit per pair in the right relative order")
    feedback = _sub(proc, "responseCondition")
    right = _sub(feedback, "responseIf")
    test = _sub(right, "gte")
    test.extend([_var("SCORE"), _var("MAXSCORE")])
    _set(right, "FEEDBACK", _base("identifier", "correct"))
    _set(_sub(feedback, "responseElse"), "FEEDBACK", _base("identifier", "incorrect"))
    for ident, text, show in (("correct", item.feedback_right, "show"),
                              ("incorrect", item.feedback_wrong, "show"),
                              ("correct", item.explanation, "show"),
                              ("incorrect", item.explanation, "show")):
        if text:
            fb = _sub(root, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier=ident,
                      showHide=show)
            _flow(fb, text)
    if any(o.feedback for o in item.options):
        report.note(item.id, "per-option feedback is not written to QTI 2.1 (it would need "
                    "one feedback outcome per option); right/wrong feedback is kept")


def assessment_item(item: Item, report: Report) -> bytes:
    """One ``assessmentItem`` document."""
    root = ET.Element("assessmentItem", {
        "xmlns": NS, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:schemaLocation": f"{NS} {SCHEMA}", "identifier": _ident(item.id),
        "title": item.id, "adaptive": "false", "timeDependent": "false"})
    _declarations(root, item)
    _body(root, item)
    _processing(root, item, report)
    return xml_bytes(root)


def _test(quiz: Quiz, items: list[Item]) -> bytes:
    root = ET.Element("assessmentTest", {
        "xmlns": NS, "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:schemaLocation": f"{NS} {SCHEMA}", "identifier": _ident(quiz.name),
        "title": quiz.title})
    part = _sub(root, "testPart", identifier=f"{quiz.name}-part", navigationMode="nonlinear",
                submissionMode="simultaneous")
    section = _sub(part, "assessmentSection", identifier=f"{quiz.name}-section",
                   title=quiz.title, visible="true")
    for item in items:
        _sub(section, "assessmentItemRef", identifier=item.id, href=f"../items/{item.id}.xml")
    return xml_bytes(root)


def package(quizzes: list[Quiz], report: Report | None = None) -> tuple[bytes, Report]:
    """The content package's bytes and the report."""
    report = report or Report("qti21")
    resources = []
    for quiz, items in collect(quizzes, report):
        resources += [Resource(_ident(item.id), "imsqti_item_xmlv2p1", f"items/{item.id}.xml",
                               assessment_item(item, report)) for item in items]
        resources.append(Resource(f"test-{quiz.name}", "imsqti_test_xmlv2p1",
                                  f"tests/{quiz.name}.xml", _test(quiz, items),
                                  tuple(item.id for item in items)))
    return (content_package("coursekit-qti21", CP_NS, ("QTIv2.1 Package", "1.0.0"), resources),
            report)


def export(quizzes: list[Quiz], out: Path, *, force: bool = False) -> Report:
    """Write ``out`` (a .zip content package); return what could not be mapped."""
    return export_file(package, quizzes, out, force=force, suffixes=(".zip",))

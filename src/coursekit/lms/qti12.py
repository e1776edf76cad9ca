"""Quiz banks as QTI 1.2 in the dialect Canvas (Classic Quizzes) imports.

Canvas publishes no specification of its QTI dialect. The structure written here follows
Canvas's own importer and the Canvas-exported files in its test fixtures (repository
instructure/canvas-lms, folder ``gems/plugins/qti_exporter``,
https://github.com/instructure/canvas-lms/tree/master/gems/plugins/qti_exporter) and text2qti,
"Create quizzes in QTI format for Canvas from Markdown-based plain text"
(https://github.com/gpoore/text2qti): a zip with ``imsmanifest.xml`` (resource type
``imsqti_xmlv1p2``) and one ``<questestinterop>`` assessment per chapter; every ``<item>`` names
its Canvas type in ``itemmetadata/qtimetadata`` (``question_type``, ``points_possible``), its
choices in ``presentation`` and its key as ``respcondition``s setting ``SCORE`` (0-100), with
``itemfeedback`` ``general_fb`` (explanation), ``correct_fb``, ``general_incorrect_fb`` and
``<answer>_fb``. Canvas imports the zip as course content of type QTI.

Mapping: single and evidence -> ``multiple_choice_question``; multiple ->
``multiple_answers_question``; truefalse -> ``true_false_question``; numeric ->
``numerical_question`` (exact answer with margin, or a range); text ->
``short_answer_question``; matching -> ``matching_question``; ordering -> ``matching_question``
pairing each item with its position (Classic Quizzes have no ordering type).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..quiz import Quiz
from ._items import Choice, Item, Report, collect, fmt, html, xml_bytes
from ._output import Resource, content_package, export_file

__all__ = ["NS", "export", "package"]

NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
TYPES = {"choice": "multiple_choice_question", "multiple": "multiple_answers_question",
         "truefalse": "true_false_question", "numeric": "numerical_question",
         "text": "short_answer_question", "matching": "matching_question",
         "ordering": "matching_question"}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _mattext(parent: ET.Element, text: str, rich: bool = True) -> None:
    material = _sub(parent, "material")
    _sub(material, "mattext", html(text) if rich else text,
         texttype="text/html" if rich else "text/plain")


def _meta(item: ET.Element, fields: dict[str, str]) -> None:
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _feedback(item: ET.Element, ident: str, text: str) -> None:
    if text:
        fb = _sub(item, "itemfeedback", ident=ident)
        _mattext(_sub(fb, "flow_mat"), text)


def _condition(proc: ET.Element, *, score: str | None = None, action: str = "Set",
               feedback: str | None = None, cont: str = "No") -> ET.Element:
    cond = _sub(proc, "respcondition", **{"continue": cont})
    var = _sub(cond, "conditionvar")
    if score is not None:
        _sub(cond, "setvar", score, action=action, varname="SCORE")
    if feedback:
        _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=feedback)
    return var


def _choices(pres: ET.Element, ident: str, options: list, cardinality: str) -> None:
    lid = _sub(pres, "response_lid", ident=ident, rcardinality=cardinality)
    render = _sub(lid, "render_choice")
    for option in options:
        _mattext(_sub(render, "response_label", ident=option.id), option.text, rich=False)


def _item(item: Item, report: Report) -> ET.Element:
    el = ET.Element("item", ident=item.id, title=item.id)
    fields = {"question_type": TYPES[item.kind], "points_possible": fmt(item.points)}
    if item.kind in ("choice", "multiple", "truefalse"):
        fields["original_answer_ids"] = ",".join(o.id for o in item.options)
    _meta(el, fields)
    pres = _sub(el, "presentation")
    _mattext(pres, item.prompt)
    proc = _sub(el, "resprocessing")
    _sub(_sub(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
         vartype="Decimal")
    right = "correct_fb" if item.feedback_right else None
    wrong = "general_incorrect_fb" if item.feedback_wrong else None
    if item.explanation:
        _condition(proc, feedback="general_fb", cont="Yes").append(ET.Element("other"))
    if item.kind in ("choice", "truefalse", "multiple"):
        _choices(pres, "response1", item.options,
                 "Multiple" if item.kind == "multiple" else "Single")
        for option in item.options:
            if option.feedback:
                var = _condition(proc, feedback=f"{option.id}_fb", cont="Yes")
                _sub(var, "varequal", option.id, respident="response1")
        var = _condition(proc, score="100", feedback=right)
        if item.kind == "multiple":
            group = _sub(var, "and")
            for option in item.options:
                target = group if option.id in item.correct else _sub(group, "not")
                _sub(target, "varequal", option.id, respident="response1")
            report.note(item.id, "multiple answers: Canvas applies its own partial-credit rule "
                        "for wrong picks, which may differ from (right - wrong) / right")
        else:
            _sub(var, "varequal", item.correct[0], respident="response1")
    elif item.kind in ("numeric", "text"):
        resp = _sub(pres, "response_str", ident="response1", rcardinality="Single")
        _sub(resp, "render_fib", fibtype="Decimal" if item.kind == "numeric" else "String")
        var = _condition(proc, score="100", feedback=right)
        if item.kind == "text":
            for accepted in item.accept:
                _sub(var, "varequal", accepted, respident="response1")
        elif item.exact is not None:
            either = _sub(var, "or")
            _sub(either, "varequal", fmt(item.exact), respident="response1")
            both = _sub(either, "and")
            _sub(both, "vargte", fmt(item.low), respident="response1")
            _sub(both, "varlte", fmt(item.high), respident="response1")
        else:
            _sub(var, "vargte", fmt(item.low), respident="response1")
            _sub(var, "varlte", fmt(item.high), respident="response1")
    else:  # matching, ordering
        if item.kind == "ordering":
            targets = [Choice(f"pos{n}", str(n)) for n in range(1, len(item.correct) + 1)]
            pairs = {i: f"pos{n}" for n, i in enumerate(item.correct, start=1)}
            report.note(item.id, "ordering exported as matching each item to its position "
                        "1..n (Canvas Classic Quizzes have no ordering type); credit is per item "
                        "in the right position, not per pair in the right relative order")
        else:
            targets, pairs = item.targets, item.matches
        share = fmt(100 / len(item.options))
        for option in item.options:
            lid = _sub(pres, "response_lid", ident=f"response_{option.id}")
            _mattext(lid, option.text, rich=False)
            render = _sub(lid, "render_choice")
            for target in targets:
                _mattext(_sub(render, "response_label", ident=target.id), target.text,
                         rich=False)
            var = _condition(proc, score=share, action="Add", cont="Yes")
            _sub(var, "varequal", pairs[option.id], respident=f"response_{option.id}")
    if wrong and item.kind not in ("matching", "ordering"):
        _condition(proc, feedback=wrong, cont="Yes").append(ET.Element("other"))
    _feedback(el, "general_fb", item.explanation)
    _feedback(el, "correct_fb", item.feedback_right)
    _feedback(el, "general_incorrect_fb", item.feedback_wrong)
    for option in item.options:
        _feedback(el, f"{option.id}_fb", option.feedback)
    return el


def _assessment(quiz: Quiz, items: list[Item], report: Report) -> bytes:
    root = ET.Element("questestinterop", xmlns=NS)
    assessment = _sub(root, "assessment", ident=quiz.name, title=quiz.title)
    section = _sub(assessment, "section", ident="root_section")
    for item in items:
        section.append(_item(item, report))
    return xml_bytes(root)


def package(quizzes: list[Quiz], report: Report | None = None) -> tuple[bytes, Report]:
    """The zip file's bytes and the report."""
    report = report or Report("qti12")
    resources = []
    for quiz, items in collect(quizzes, report):
        href = f"{quiz.name}/{quiz.name}.xml"
        resources.append(Resource(quiz.name, "imsqti_xmlv1p2", href,
                                  _assessment(quiz, items, report)))
    return content_package("coursekit-qti12", CP_NS, ("IMS Content", "1.1.3"), resources), report


def export(quizzes: list[Quiz], out: Path, *, force: bool = False) -> Report:
    """Write ``out`` (a .zip to import into Canvas); return what could not be mapped."""
    return export_file(package, quizzes, out, force=force, suffixes=(".zip",))

"""LMS exports read back with an independent parser.

Every chapter's quiz is exported with the repository's instructor bank to QTI 1.2 (Canvas), a
QTI 2.1 content package and Moodle XML; each file is then parsed here with ElementTree and XPath
against the structure the formats document (not with the writers' code) and compared, item by
item, with the quiz as ``coursekit.quiz.load`` sees it: ids, prompts, options, keys, points, and
for QTI 2.1 and Moodle the partial credit of every possible answer to a multiple-answer or
matching question. No registry package ships the IMS QTI 2.1 XSD, so the QTI 2.1 files are
checked structurally here rather than against the schema.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from coursekit import lms
from coursekit.cli import main
from coursekit.quiz import (
    Evidence,
    Matching,
    MultipleAnswer,
    Numeric,
    Ordering,
    ShortText,
    SingleChoice,
    TrueFalse,
    load,
)

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "instructor-bank"
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters" / "quizzes").glob("ch*.yml"))
Q12 = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
Q21 = {"q": "http://www.imsglobal.org/xsd/imsqti_v2p1"}
CP21 = {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1"}


def plain(markup: str | None) -> str:
    """Text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup or "")).split())


def words(text: str) -> str:
    return " ".join(str(text).split())


@pytest.fixture(scope="module")
def quizzes():
    return {name: load(ROOT / "chapters" / "quizzes" / f"{name}.yml", bank=BANK)
            for name in CHAPTERS}


@pytest.fixture(scope="module")
def questions(quizzes):
    return {q.id: q for quiz in quizzes.values() for q in quiz.questions}


@pytest.fixture(scope="module")
def exported(tmp_path_factory, quizzes):
    out = tmp_path_factory.mktemp("exports")
    reports = {}
    for fmt, name in (("qti12", "canvas.zip"), ("qti21", "qti21.zip"), ("moodle", "moodle.xml")):
        reports[fmt] = lms.export_quizzes(fmt, CHAPTERS, out / name, bank=BANK, book=ROOT)
    return out, reports


def evidence_index(q: Evidence) -> int:
    hits = [n for n in range(len(q.sentence_list)) if q.score(n).correct]
    assert len(hits) == 1
    return hits[0]


def test_all_eight_types_are_in_the_bank(questions):
    kinds = {type(q) for q in questions.values()}
    assert kinds == {SingleChoice, MultipleAnswer, TrueFalse, Numeric, ShortText, Matching,
                     Ordering, Evidence}


def test_reports_list_every_question_and_every_check(exported, quizzes, questions):
    _, reports = exported
    checks = {c.id for quiz in quizzes.values() for c in quiz.checks}
    for fmt, report in reports.items():
        assert report.items == [q.id for quiz in quizzes.values() for q in quiz.questions], fmt
        assert {n.item for n in report.skipped} == checks, fmt
        noted = {n.item for n in report.notes}
        for q in questions.values():
            if isinstance(q, Evidence | Ordering) or (isinstance(q, Numeric) and q.unit):
                assert q.id in noted, (fmt, q.id)
    moodle_notes = [n.what for n in reports["moodle"].notes]
    assert any("qtype_ordering" in w for w in moodle_notes)
    assert "not exported" in str(reports["qti12"]) and "ch02-ex-4" in str(reports["qti12"])


# -- QTI 1.2 (Canvas) ---------------------------------------------------------------------------

def read_qti12(path: Path) -> dict[str, dict]:
    items: dict[str, dict] = {}
    with zipfile.ZipFile(path) as zf:
        manifest = ET.fromstring(zf.read("imsmanifest.xml"))
        hrefs = [r.get("href") for r in manifest.iter() if r.tag.endswith("resource")
                 and r.get("type") == "imsqti_xmlv1p2"]
        assert hrefs
        for href in hrefs:
            root = ET.fromstring(zf.read(href))
            for item in root.findall(".//q:item", Q12):
                meta = {f.findtext("q:fieldlabel", namespaces=Q12):
                        f.findtext("q:fieldentry", namespaces=Q12)
                        for f in item.findall(".//q:qtimetadatafield", Q12)}
                pres = item.find("q:presentation", Q12)
                entry = {"type": meta["question_type"], "points": float(meta["points_possible"]),
                         "prompt": plain(pres.findtext("q:material/q:mattext", namespaces=Q12)),
                         "labels": {}, "right": [], "feedback": {}}
                for lid in pres.findall("q:response_lid", Q12):
                    entry["labels"][lid.get("ident")] = {
                        "text": lid.findtext("q:material/q:mattext", namespaces=Q12),
                        "choices": {lab.get("ident"): lab.findtext(".//q:mattext",
                                                                   namespaces=Q12)
                                    for lab in lid.findall(".//q:response_label", Q12)}}
                for cond in item.findall("q:resprocessing/q:respcondition", Q12):
                    setvar = cond.find("q:setvar", Q12)
                    if setvar is None:
                        continue
                    var = cond.find("q:conditionvar", Q12)
                    entry["right"].append({
                        "action": setvar.get("action"), "score": float(setvar.text),
                        "equal": [(e.get("respident"), e.text) for e in var.iter()
                                  if e.tag.endswith("varequal")],
                        "not": [e.text for n in var.iter() if n.tag.endswith("not")
                                for e in n.iter() if e.tag.endswith("varequal")],
                        "gte": [float(e.text) for e in var.iter() if e.tag.endswith("vargte")],
                        "lte": [float(e.text) for e in var.iter() if e.tag.endswith("varlte")]})
                for fb in item.findall("q:itemfeedback", Q12):
                    entry["feedback"][fb.get("ident")] = plain(fb.findtext(".//q:mattext",
                                                                           namespaces=Q12))
                items[item.get("ident")] = entry
    return items


def test_qti12_reads_back_item_by_item(exported, questions):
    out, _ = exported
    items = read_qti12(out / "canvas.zip")
    assert list(items) == list(questions)
    for qid, q in questions.items():
        got = items[qid]
        assert got["points"] == q.points, qid
        assert got["prompt"].startswith(words(q.prompt)), qid
        if q.explanation:
            assert got["feedback"]["general_fb"] == words(q.explanation), qid
        if q.feedback_right:
            assert got["feedback"]["correct_fb"] == words(q.feedback_right), qid
        rule = got["right"]
        if isinstance(q, SingleChoice | MultipleAnswer | TrueFalse | Evidence):
            (lid,) = got["labels"].values()
            full = [r for r in rule if r["score"] == 100]
            assert len(full) == 1, qid
            picked = [v for _, v in full[0]["equal"] if v not in full[0]["not"]]
        if isinstance(q, SingleChoice):
            assert got["type"] == "multiple_choice_question"
            assert lid["choices"] == {o.id: o.text for o in q.options}
            assert picked == [q.answer]
            for o in q.options:
                if o.feedback:
                    assert got["feedback"][f"{o.id}_fb"] == words(o.feedback)
        elif isinstance(q, MultipleAnswer):
            assert got["type"] == "multiple_answers_question"
            assert lid["choices"] == {o.id: o.text for o in q.options}
            assert set(picked) == set(q.answer)
            assert set(full[0]["not"]) == {o.id for o in q.options} - set(q.answer)
        elif isinstance(q, TrueFalse):
            assert got["type"] == "true_false_question"
            assert {v.lower() for v in lid["choices"].values()} == {"true", "false"}
            assert lid["choices"][picked[0]].lower() == str(q.answer).lower()
        elif isinstance(q, Evidence):
            assert got["type"] == "multiple_choice_question"
            assert list(lid["choices"].values()) == q.sentence_list
            assert words(q.claim) in got["prompt"]
            assert list(lid["choices"]).index(picked[0]) == evidence_index(q)
        elif isinstance(q, Numeric):
            assert got["type"] == "numerical_question"
            (r,) = rule
            if q.range is not None:
                assert (r["gte"], r["lte"]) == ([q.range[0]], [q.range[1]]), qid
            else:
                assert float(r["equal"][0][1]) == q.answer
                assert (r["gte"], r["lte"]) == ([q.answer - q.tolerance],
                                                [q.answer + q.tolerance]), qid
            if q.unit:
                assert q.unit in got["prompt"]
        elif isinstance(q, ShortText):
            assert got["type"] == "short_answer_question"
            (r,) = rule
            assert {v for _, v in r["equal"]} == {a.strip() for a in q.accept}
        elif isinstance(q, Matching):
            assert got["type"] == "matching_question"
            assert {k.removeprefix("response_"): v["text"] for k, v in got["labels"].items()} \
                == {i["id"]: i["text"] for i in q.items}
            for lid in got["labels"].values():
                assert lid["choices"] == {c.id: c.text for c in q.choices}
            key = {resp.removeprefix("response_"): value for r in rule
                   for resp, value in r["equal"]}
            assert key == {i["id"]: i["match"] for i in q.items}
            assert sum(r["score"] for r in rule) == pytest.approx(100)
        elif isinstance(q, Ordering):
            assert got["type"] == "matching_question"
            texts = {k.removeprefix("response_"): v for k, v in got["labels"].items()}
            assert {k: v["text"] for k, v in texts.items()} == {i.id: i.text for i in q.items}
            position = {resp.removeprefix("response_"):
                        int(texts[resp.removeprefix("response_")]["choices"][value])
                        for r in rule for resp, value in r["equal"]}
            assert sorted(position, key=position.get) == [i.id for i in q.items]


# -- QTI 2.1 ------------------------------------------------------------------------------------

def read_qti21(path: Path) -> tuple[dict[str, ET.Element], dict[str, list[str]]]:
    items, tests = {}, {}
    with zipfile.ZipFile(path) as zf:
        manifest = ET.fromstring(zf.read("imsmanifest.xml"))
        for res in manifest.findall("cp:resources/cp:resource", CP21):
            assert res.find("cp:file", CP21).get("href") == res.get("href")
            root = ET.fromstring(zf.read(res.get("href")))
            if res.get("type") == "imsqti_item_xmlv2p1":
                assert root.tag == f"{{{Q21['q']}}}assessmentItem"
                assert root.get("identifier") == res.get("identifier")
                items[root.get("identifier")] = root
            else:
                assert res.get("type") == "imsqti_test_xmlv2p1"
                refs = root.findall(".//q:assessmentItemRef", Q21)
                assert all(r.get("href") == f"../items/{r.get('identifier')}.xml" for r in refs)
                tests[root.get("identifier")] = [r.get("identifier") for r in refs]
    return items, tests


def mapped(decl: ET.Element, keys: list[str]) -> float:
    """QTI 2.1 mapResponse: sum of mapped values (each key once), within the bounds."""
    mapping = decl.find("q:mapping", Q21)
    values = {e.get("mapKey"): float(e.get("mappedValue"))
              for e in mapping.findall("q:mapEntry", Q21)}
    total = sum(values.get(k, float(mapping.get("defaultValue", 0))) for k in set(keys))
    if mapping.get("lowerBound") is not None:
        total = max(total, float(mapping.get("lowerBound")))
    if mapping.get("upperBound") is not None:
        total = min(total, float(mapping.get("upperBound")))
    return total


def test_qti21_reads_back_item_by_item(exported, questions, quizzes):
    out, _ = exported
    items, tests = read_qti21(out / "qti21.zip")
    assert list(items) == list(questions)
    assert tests == {name: [q.id for q in quiz.questions] for name, quiz in quizzes.items()}
    for qid, q in questions.items():
        root = items[qid]
        maxscore = root.find("q:outcomeDeclaration[@identifier='MAXSCORE']", Q21)
        assert float(maxscore.findtext(".//q:value", namespaces=Q21)) == q.points, qid
        body = root.find("q:itemBody", Q21)
        prompt = " ".join(words("".join(p.itertext())) for p in body.findall("q:p", Q21))
        assert words(prompt).startswith(words(q.prompt)), qid
        decl = root.find("q:responseDeclaration[@identifier='RESPONSE']", Q21)
        correct = [v.text for v in decl.findall("q:correctResponse/q:value", Q21)]
        feedback = {(m.get("identifier"), words("".join(m.itertext())))
                    for m in root.findall("q:modalFeedback", Q21)}
        if q.feedback_right:
            assert ("correct", words(q.feedback_right)) in feedback, qid
        if q.feedback_wrong:
            assert ("incorrect", words(q.feedback_wrong)) in feedback, qid
        choices = {c.get("identifier"): c.text for c in body.iter()
                   if c.tag.endswith("simpleChoice")}
        if isinstance(q, SingleChoice | MultipleAnswer):
            assert choices == {o.id: o.text for o in q.options}
            inter = body.find(".//q:choiceInteraction", Q21)
            assert inter.get("maxChoices") == ("1" if isinstance(q, SingleChoice) else "0")
        if isinstance(q, SingleChoice):
            assert correct == [q.answer]
        elif isinstance(q, MultipleAnswer):
            assert set(correct) == set(q.answer)
            for size in range(len(q.options) + 1):
                for picks in itertools.combinations([o.id for o in q.options], size):
                    want = q.score(list(picks)).fraction * q.points
                    assert mapped(decl, list(picks)) == pytest.approx(want), (qid, picks)
        elif isinstance(q, TrueFalse):
            assert choices[correct[0]].lower() == str(q.answer).lower()
        elif isinstance(q, Evidence):
            assert list(choices.values()) == q.sentence_list
            assert list(choices).index(correct[0]) == evidence_index(q)
        elif isinstance(q, Numeric):
            assert decl.get("baseType") == "float"
            bounds = {e.tag.split("}")[1]: float(e.findtext("q:baseValue", namespaces=Q21))
                      for e in root.iter() if e.tag.endswith(("}gte", "}lte"))
                      and e.find("q:baseValue", Q21) is not None}
            low, high = (q.range if q.range is not None
                         else (q.answer - q.tolerance, q.answer + q.tolerance))
            assert bounds == {"gte": low, "lte": high}, qid
        elif isinstance(q, ShortText):
            keys = {e.get("mapKey") for e in decl.findall("q:mapping/q:mapEntry", Q21)}
            assert keys == {a.strip() for a in q.accept}
            assert all(e.get("caseSensitive") == "false"
                       for e in decl.findall("q:mapping/q:mapEntry", Q21))
        elif isinstance(q, Matching):
            sets = body.findall(".//q:simpleMatchSet", Q21)
            assert [{c.get("identifier"): c.text for c in s} for s in sets] == [
                {i["id"]: i["text"] for i in q.items}, {c.id: c.text for c in q.choices}]
            assert dict(v.split() for v in correct) == {i["id"]: i["match"] for i in q.items}
            for answer in ({i["id"]: i["match"] for i in q.items},
                           {i["id"]: q.choices[0].id for i in q.items}, {}):
                pairs = [f"{k} {v}" for k, v in answer.items()]
                want = q.score(answer).fraction * q.points
                assert mapped(decl, pairs) == pytest.approx(want), (qid, answer)
        elif isinstance(q, Ordering):
            assert decl.get("cardinality") == "ordered"
            assert correct == [i.id for i in q.items]
            assert set(choices.items()) == {(i.id, i.text) for i in q.items}
            assert list(choices) != correct, "display order must not give the answer away"


# -- Moodle XML ---------------------------------------------------------------------------------

def test_moodle_xml_reads_back_item_by_item(exported, questions, quizzes):
    out, _ = exported
    root = ET.parse(out / "moodle.xml").getroot()
    assert root.tag == "quiz"
    categories = [q.findtext("category/text") for q in root.findall("question")
                  if q.get("type") == "category"]
    assert categories == [f"$course$/coursekit/{name}" for name in quizzes]
    found = {q.findtext("name/text"): q for q in root.findall("question")
             if q.get("type") != "category"}
    assert list(found) == list(questions)
    for qid, q in questions.items():
        el = found[qid]
        assert float(el.findtext("defaultgrade")) == q.points, qid
        assert plain(el.findtext("questiontext/text")).startswith(words(q.prompt)), qid
        assert plain(el.findtext("generalfeedback/text")) == words(q.explanation or ""), qid
        answers = [(plain(a.findtext("text")), float(a.get("fraction")),
                    plain(a.findtext("feedback/text"))) for a in el.findall("answer")]
        kind = el.get("type")
        if isinstance(q, SingleChoice | Evidence):
            assert kind == "multichoice" and el.findtext("single") == "true"
            texts = ([o.text for o in q.options] if isinstance(q, SingleChoice)
                     else q.sentence_list)
            assert [a[0] for a in answers] == [words(t) for t in texts]
            right = ([o.id for o in q.options].index(q.answer) if isinstance(q, SingleChoice)
                     else evidence_index(q))
            assert [a[1] for a in answers] == [100 if n == right else 0
                                               for n in range(len(texts))]
        elif isinstance(q, MultipleAnswer):
            assert kind == "multichoice" and el.findtext("single") == "false"
            assert [a[0] for a in answers] == [words(o.text) for o in q.options]
            fraction = dict(zip([o.id for o in q.options], [a[1] for a in answers],
                                strict=True))
            for size in range(len(q.options) + 1):
                for picks in itertools.combinations([o.id for o in q.options], size):
                    got = max(0.0, sum(fraction[p] for p in picks)) / 100
                    assert got == pytest.approx(q.score(list(picks)).fraction, abs=1e-4)
        elif isinstance(q, TrueFalse):
            assert kind == "truefalse"
            assert {a[0]: a[1] for a in answers} == {str(q.answer).lower(): 100,
                                                     str(not q.answer).lower(): 0}
        elif isinstance(q, Numeric):
            assert kind == "numerical"
            (a,) = el.findall("answer")
            value, tolerance = float(a.findtext("text")), float(a.findtext("tolerance"))
            low, high = (q.range if q.range is not None
                         else (q.answer - q.tolerance, q.answer + q.tolerance))
            assert (value - tolerance, value + tolerance) == pytest.approx((low, high))
        elif isinstance(q, ShortText):
            assert kind == "shortanswer" and el.findtext("usecase") == "0"
            assert {a[0] for a in answers} == {a.strip() for a in q.accept}
            assert all(a[1] == 100 for a in answers)
        elif isinstance(q, Matching):
            assert kind == "matching"
            pairs = [(plain(s.findtext("text")), s.findtext("answer/text"))
                     for s in el.findall("subquestion")]
            texts = {c.id: c.text for c in q.choices}
            assert [p for p in pairs if p[0]] == [(words(i["text"]), texts[i["match"]])
                                                  for i in q.items]
            assert {p[1] for p in pairs} == set(texts.values())
        elif isinstance(q, Ordering):
            assert kind == "ordering"
            ordered = [a[0] for a in sorted(answers, key=lambda a: a[1])]
            assert ordered == [words(i.text) for i in q.items]


# -- refusals and errors ------------------------------------------------------------------------

def test_exports_never_go_into_a_book_and_never_overwrite(tmp_path):
    book = tmp_path / "book"
    (book / "_build").mkdir(parents=True)
    (book / "_config.yml").write_text("title: x\n")
    (book / "_toc.yml").write_text("root: intro\n")
    for target in (book / "keys.xml", book / "_build" / "keys.xml"):
        with pytest.raises(ValueError, match="inside the book"):
            lms.export_quizzes("moodle", ["ch01"], target, bank=BANK, book=ROOT)
        assert not target.exists()
    with pytest.raises(ValueError, match="inside the book"):
        lms.export_quizzes("moodle", ["ch01"], ROOT / "chapters" / "keys.xml", bank=BANK,
                           book=ROOT)
    out = tmp_path / "ch01.xml"
    out.write_text("keep me")
    with pytest.raises(FileExistsError, match="--force"):
        lms.export_quizzes("moodle", ["ch01"], out, bank=BANK, book=ROOT)
    assert out.read_text() == "keep me"
    with pytest.raises(ValueError, match=r"\.zip"):
        lms.export_quizzes("qti12", ["ch01"], tmp_path / "ch01.xml", bank=BANK, book=ROOT)
    assert [p.name for p in tmp_path.iterdir()] == ["book", "ch01.xml"]


def test_assessed_items_need_the_bank_and_chapters_must_exist(tmp_path):
    with pytest.raises(ValueError, match=r"ch01-q-2.*--bank"):
        lms.export_quizzes("qti21", ["ch01"], tmp_path / "a.zip", book=ROOT)
    with pytest.raises(FileNotFoundError, match="ch99"):
        lms.export_quizzes("qti21", ["ch99"], tmp_path / "a.zip", bank=BANK, book=ROOT)
    with pytest.raises(FileNotFoundError, match="no-bank"):
        lms.export_quizzes("qti21", ["ch01"], tmp_path / "a.zip", bank=tmp_path / "no-bank",
                           book=ROOT)
    with pytest.raises(ValueError, match="unknown format"):
        lms.export_quizzes("scorm", ["ch01"], tmp_path / "a.zip", bank=BANK, book=ROOT)
    assert not list(tmp_path.iterdir())


# -- grades -------------------------------------------------------------------------------------

GRADES = """student,item,points,max_points,feedback
Иван,ch01-q-2,1,1,Correct.
Иван,ch01-ex-2,0.5,2,"Partly, see notes"
Пётр,ch01-q-2,0,1,Not quite.
Пётр,ch01-ex-2,2,2,Correct.
张伟,ch01-q-2,1,1,Correct.
张伟,ch01-ex-2,1.25,2,Partly
"""
ROSTER = """submission,student,name,canvas_id,sis_user_id,sis_login_id,section,email,idnumber
ivan,Иван,"Petrov, Ivan",101,S1,ivan.p,A,ivan@example.edu,1001
petr,Пётр,"Sidorov, Pëtr",102,S2,petr.s,A,petr@example.edu,1002
wei,张伟,"Zhang, Wei",103,S3,wei.z,B,wei@example.edu,1003
ana,Ana,"Lopez, Ana",104,S4,ana.l,B,ana@example.edu,1004
"""


@pytest.fixture()
def term(tmp_path):
    folder = tmp_path / "ch01-grades"
    folder.mkdir()
    (folder / "grades.csv").write_text(GRADES, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return folder / "grades.csv", tmp_path / "roster.csv"


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert b"\r\n" in raw
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def test_canvas_grades_csv_has_the_import_columns(term, tmp_path):
    grades, roster = term
    report = lms.export_grades("canvas", grades, roster, tmp_path / "canvas.csv")
    rows = read_csv(tmp_path / "canvas.csv")
    assert list(rows[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                             "ch01-grades"]
    assert rows == [
        {"Student": "Petrov, Ivan", "ID": "101", "SIS User ID": "S1", "SIS Login ID": "ivan.p",
         "Section": "A", "ch01-grades": "1.5"},
        {"Student": "Sidorov, Pëtr", "ID": "102", "SIS User ID": "S2",
         "SIS Login ID": "petr.s", "Section": "A", "ch01-grades": "2"},
        {"Student": "Zhang, Wei", "ID": "103", "SIS User ID": "S3", "SIS Login ID": "wei.z",
         "Section": "B", "ch01-grades": "2.25"},
        {"Student": "Lopez, Ana", "ID": "104", "SIS User ID": "S4", "SIS Login ID": "ana.l",
         "Section": "B", "ch01-grades": ""}]
    assert report.max_points == 3 and report.ungraded == ["Ana"]
    assert "Ana" in str(report)


def test_moodle_grades_csv_maps_by_idnumber_and_email(term, tmp_path):
    grades, roster = term
    lms.export_grades("moodle", grades, roster, tmp_path / "moodle.csv", assignment="Quiz 1")
    rows = read_csv(tmp_path / "moodle.csv")
    assert list(rows[0]) == ["ID number", "Email address", "Quiz 1"]
    assert {r["Email address"]: r["Quiz 1"] for r in rows} == {
        "ivan@example.edu": "1.5", "petr@example.edu": "2", "wei@example.edu": "2.25",
        "ana@example.edu": ""}
    assert [r["ID number"] for r in rows] == ["1001", "1002", "1003", "1004"]


@pytest.mark.parametrize("grades_text, roster_text, message", [
    (GRADES + "Мария,ch01-q-2,1,1,x\n", ROSTER, "not on the roster.*Мария"),
    (GRADES + "Иван,ch01-q-2,1,1,again\n", ROSTER, "line 8.*second row.*line 2"),
    (GRADES.replace("0.5,2", "lots,2"), ROSTER, "line 3.*'points'.*'lots'"),
    (GRADES.replace("0.5,2", "3,2"), ROSTER, "line 3.*exceed"),
    (GRADES.replace("1.25,2", "1.25,3"), ROSTER, "worth 3"),
    ("student,points\n", ROSTER, "line 1.*item, max_points"),
    (GRADES, "student,name\nИван,Ivan\n", "canvas_id or sis_user_id or sis_login_id"),
    (GRADES, ROSTER + "ivan2,Иван,,105,,,,,\n", "line 6.*already on line 2"),
    (GRADES, ROSTER.replace("102,S2", "101,S2"), "canvas_id '101' is also given to 'Иван'"),
])
def test_bad_grades_or_roster_are_errors_naming_the_line(tmp_path, grades_text, roster_text,
                                                          message):
    (tmp_path / "grades.csv").write_text(grades_text, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(roster_text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        lms.export_grades("canvas", tmp_path / "grades.csv", tmp_path / "roster.csv",
                          tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_a_latin1_roster_is_refused(term, tmp_path):
    grades, _ = term
    (tmp_path / "latin1.csv").write_bytes("student,email\nPëtr,p@x\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        lms.export_grades("moodle", grades, tmp_path / "latin1.csv", tmp_path / "m.csv")


# -- command line -------------------------------------------------------------------------------

def test_cli_exports_quizzes_and_grades(tmp_path, term, capsys):
    assert main(["export", "qti21", "--book", str(ROOT), "--chapter", "ch01,ch02",
                 "--bank", str(BANK), "--out", str(tmp_path / "q.zip")]) == 0
    printed = capsys.readouterr().out
    count = sum(len(load(name).questions) for name in ("ch01", "ch02"))  # every question
    assert f"qti21: {count} question(s) written" in printed and "ch01-q-4: ordering" in printed
    items, _ = read_qti21(tmp_path / "q.zip")
    assert len(items) == count
    grades, roster = term
    assert main(["export", "grades", "--format", "canvas", "--grades", str(grades),
                 "--roster", str(roster), "--out", str(tmp_path / "g.csv")]) == 0
    assert "on the roster without grades" in capsys.readouterr().out
    assert main(["export", "grades", "--format", "canvas", "--grades", str(grades),
                 "--roster", str(roster), "--out", str(tmp_path / "g.csv")]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["export", "moodle", "--book", str(ROOT), "--chapter", "all",
                 "--out", str(tmp_path / "all.xml")]) == 0
    found = [q.findtext("name/text") for q in ET.parse(tmp_path / "all.xml").getroot()
             if q.get("type") != "category"]
    assert {f[:4] for f in found} == set(CHAPTERS)


def test_the_grading_roster_with_lms_columns_serves_both_commands(term):
    """One roster file: ``coursekit grade --roster`` reads submission -> student, the export
    reads student -> LMS ids from the same file."""
    from coursekit.assignments._roster import load_roster

    _, roster = term
    graded = load_roster(roster)
    assert graded.lookup("petr") == "Пётр" and graded.lookup("wei") == "张伟"
    people = lms.gradebook.read_roster(roster, "moodle")
    assert set(graded.ids.values()) == set(people)

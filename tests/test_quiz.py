"""coursekit.quiz: validation errors, scoring of every type, rendering, widget state, check()."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from _support import CHAPTER_IDS

import coursekit
from coursekit import quiz
from coursekit.quiz import loader
from coursekit.quiz._scoring import normalise_text, pairwise_order, parse_number, sentences

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
BAD = FIXTURES / "bad"
CH90 = FIXTURES / "quizzes" / "ch90.yml"
BANK = FIXTURES / "bank"


@pytest.fixture(scope="module")
def demo() -> quiz.Quiz:
    return quiz.load("demo")


@pytest.fixture
def fixture_quizzes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``resource_path("quizzes", ...)`` find the fixture quizzes (ch90.yml)."""
    real = loader.resource_path

    def fake(kind: str, *parts: str) -> Path:
        return FIXTURES.joinpath("quizzes", *parts) if kind == "quizzes" else real(kind, *parts)

    monkeypatch.setattr(loader, "resource_path", fake)


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("name", "item_id", "field", "line", "words"),
    [
        ("no-answer.yml", "ch01-q-1", "answer", 9, "no correct answer"),
        ("key-not-option.yml", "ch01-q-1", "answer", 9, "'c' is not an option id"),
        ("match-not-choice.yml", "ch01-q-4", "items[1].match", 8, "'three' is not a choice id"),
        ("unknown-type.yml", "ch01-q-1", "type", 4, "'essay' is not one of"),
        ("duplicate-id.yml", "ch01-q-1", "id", 7, "duplicate id"),
        ("missing-excerpt.yml", "ch01-q-1", "excerpt.passage", 9, "excerpt not verified"),
        ("typo-field.yml", "ch01-q-1", "explaination", 7, "'explaination' was unexpected"),
        ("ch01.yml", "ch02-q-1", "id", 3, "must start with 'ch01-'"),
    ],
)
def test_each_authoring_mistake_names_file_line_id_and_field(name, item_id, field, line, words):
    with pytest.raises(quiz.QuizFileError) as info:
        quiz.load(BAD / name)
    err = info.value
    assert isinstance(err, ValueError)
    assert (Path(err.file).name, err.item_id, err.field, err.line) == (name, item_id, field, line)
    message = str(err)
    assert message.startswith(f"{BAD / name}, line {line}, item {item_id!r}, field {field!r}: ")
    assert words in message


def test_schema_is_the_file_actually_used(tmp_path: Path):
    schema = json.loads(loader.SCHEMA_PATH.read_text())
    assert schema["$defs"]["question"]["properties"]["type"]["enum"] == list(quiz.QUESTION_TYPES)
    bad = tmp_path / "quiz.yml"
    bad.write_text("title: T\nquestions:\n  - id: ch01-q-1\n    type: truefalse\n"
                   "    answer: true\n")
    with pytest.raises(quiz.QuizFileError, match="field 'prompt': 'prompt' is a required"):
        quiz.load(bad)
    bad.write_text("title: T\nquestions:\n  - {id: ch1-q-1, type: truefalse, prompt: P, "
                   "answer: true}\n")
    with pytest.raises(quiz.QuizFileError, match=r"field 'id': 'ch1-q-1' does not match"):
        quiz.load(bad)


def test_yaml_is_read_by_libyaml_with_line_marks():
    """Every YAML file coursekit reads goes through ``coursekit._yaml``: libyaml's parser (the
    pinned PyYAML wheel has it), one parse giving the data and the line of each node."""
    from coursekit import _yaml, _yamlschema

    assert yaml.__with_libyaml__ and _yaml.LOADER is yaml.CSafeLoader
    data, node = _yaml.parse("title: T\nquestions:\n  - id: a\n  - id: b\n")
    assert data == {"title": "T", "questions": [{"id": "a"}, {"id": "b"}]}
    assert _yamlschema.line_of(node, ["questions", 1, "id"]) == 4
    with pytest.raises(yaml.YAMLError):
        _yaml.parse("a: [1, 2\n")


def test_remembered_validation_is_only_for_the_very_same_data(monkeypatch: pytest.MonkeyPatch):
    """``_yamlschema.errors`` remembers results by the data's exact form: the same data again
    is not validated again, and data that differs in one value, or only in its type, is."""
    from coursekit import _yamlschema
    from coursekit._yaml import safe_load

    text = loader.quiz_path("demo").read_text(encoding="utf-8")
    data = safe_load(text)
    assert _yamlschema.errors(data, loader.SCHEMA_PATH) == []
    calls = []
    real = _yamlschema._validator
    monkeypatch.setattr(_yamlschema, "_validator", lambda s: calls.append(s) or real(s))
    assert _yamlschema.errors(safe_load(text), loader.SCHEMA_PATH) == []
    assert calls == []  # the same file read again: remembered
    for change in ("ch1-q-1", 1, True):  # a bad id; an int and a bool where text belongs
        changed = json.loads(json.dumps(data))
        changed["questions"][0]["id"] = change
        found = _yamlschema.errors(changed, loader.SCHEMA_PATH)
        assert [list(e.absolute_path) for e in found][:1] == [["questions", 0, "id"]], change
    assert len(calls) == 3
    text_title = json.loads(json.dumps(data))
    text_title["title"] = 1.0  # a float where text belongs: not the remembered int or bool
    assert _yamlschema.errors(text_title, loader.SCHEMA_PATH) != []



def test_broken_yaml_and_unknown_quiz(tmp_path: Path):
    bad = tmp_path / "broken.yml"
    bad.write_text("title: T\nquestions:\n  - id: [unclosed\n")
    with pytest.raises(quiz.QuizFileError, match=r"broken\.yml, line \d+: not valid YAML"):
        quiz.load(bad)
    with pytest.raises(FileNotFoundError, match=r"known quizzes: .*demo"):
        quiz.load("ch99")


def test_python_built_quiz_is_validated_like_a_file():
    options = [quiz.Option("a", "A"), quiz.Option("b", "B")]
    with pytest.raises(quiz.QuizFileError, match="item 'ch01-q-1', field 'answer'"):
        quiz.Quiz([quiz.SingleChoice(id="ch01-q-1", prompt="P", options=options, answer="z")])
    built = quiz.Quiz(
        [quiz.SingleChoice(id="ch01-q-1", prompt="P", options=options, answer="b"),
         quiz.Numeric(id="ch01-q-2", prompt="N", answer=2.5, tolerance=0.1, unit="km")],
        title="Built", name="ch01")
    assert built["ch01-q-2"].score("2,45 km").correct
    again = quiz.loader.validate_data(yaml.safe_load(yaml.safe_dump(built.to_dict())),
                                      name="ch01")
    assert again.to_dict() == built.to_dict()


def test_every_shipped_quiz_file_is_valid():
    folder = coursekit._resources.resource_path("quizzes")
    files = sorted(folder.glob("*.yml"))
    assert "demo.yml" in [f.name for f in files]
    for path in files:
        loaded = quiz.load(path)
        assert loaded.questions or loaded.checks, path


def test_demo_has_one_question_of_every_type(demo):
    assert sorted(q.type for q in demo.questions) == sorted(quiz.QUESTION_TYPES)


# ------------------------------------------------------------------------------ scoring
def test_shared_normalisation_rules():
    assert normalise_text("  TÁSHKENT\u00a0 ") == "tashkent"
    assert normalise_text("Górecki’s") == "gorecki's"
    assert [parse_number(s) for s in ("7,500", "7 500", "2,5", "−3", "1e3", "seven")] == [
        7500, 7500, 2.5, -3, 1000, None]
    assert parse_number("40 %", unit="%") == 40
    assert pairwise_order(["c", "b", "a"], ["a", "b", "c"]) == 0
    assert pairwise_order(["a", "c", "b"], ["a", "b", "c"]) == pytest.approx(2 / 3)
    assert pairwise_order(["a"], ["a", "b", "c"]) == 0  # missing items earn nothing


def test_sentences_keep_initials_and_closing_brackets():
    text = ('Despite regret, V. Putin is pragmatic. He acted (Lo, 2015). "Rules" apply? '
            "Yes.")
    assert sentences(text) == ["Despite regret, V. Putin is pragmatic.", "He acted (Lo, 2015).",
                               '"Rules" apply?', "Yes."]
    # a footnote mark after the full stop still ends the sentence
    assert sentences("He seized the chance.³⁶ In a brisk manner, he acted.⁴ Done.") == [
        "He seized the chance.³⁶", "In a brisk manner, he acted.⁴", "Done."]


@pytest.mark.parametrize(
    ("qid", "answer", "fraction", "feedback"),
    [
        ("demo-q-1", "kant", 1, "places the CSTO's permanent base in Kant"),
        ("demo-q-1", "tashkent", 0, "not a CSTO base"),
        ("demo-q-2", ["china", "kazakhstan", "uzbekistan"], 1, "All three"),
        ("demo-q-2", ["china", "kazakhstan"], 2 / 3, "The essay lists Russia"),
        ("demo-q-2", ["china", "kazakhstan", "iran"], 1 / 3, "Iran is not in"),
        ("demo-q-2", ["turkmenistan", "iran"], 0, "Turkmenistan is not in"),
        ("demo-q-2", "china", 0, "Select one or more"),
        ("demo-q-3", True, 1, "(Laruelle, 2008)"),
        ("demo-q-3", False, 0, "Read the sentence again"),
        ("demo-q-3", "true", 0, "Answer True or False"),
        ("demo-q-4", 7500, 1, "the essay's figure"),
        ("demo-q-4", "7,500 personnel", 1, "the essay's figure"),
        ("demo-q-4", "7501", 0, "largest military facility"),
        ("demo-q-4", "lots", 0, "Could not read a number"),
        ("demo-q-5", "  táshKENT ", 1, "Yes, Tashkent"),
        ("demo-q-5", "Dushanbe", 0, "Find the sentence"),
        ("demo-q-6", {"atc": "moscow", "rats": "tashkent", "csto-base": "kant",
                      "us-base": "manas"}, 1, "All four"),
        ("demo-q-6", {"atc": "moscow", "rats": "kant", "csto-base": "tashkent",
                      "us-base": "astana"}, 0.25, "Astana"),
        ("demo-q-7", ["atc", "kant", "rats", "astana", "osh"], 1, "2000, 2002"),
        ("demo-q-7", ["kant", "atc", "rats", "astana", "osh"], 0.9, "pairs of events"),
        ("demo-q-7", ["osh", "astana", "rats", "kant", "atc"], 0, "pairs of events"),
        ("demo-q-8", 1, 1, "avoided intervention"),
        ("demo-q-8", "One proof of this argument", 1, "avoided intervention"),
        ("demo-q-8", 0, 0, "look for the one about June"),
    ],
)
def test_scoring_every_type_with_partial_credit(demo, qid, answer, fraction, feedback):
    outcome = demo[qid].score(answer)
    assert outcome.fraction == pytest.approx(fraction)
    assert feedback in outcome.feedback
    expected = "Correct." if fraction == 1 else "Not quite." if fraction == 0 else "Partly"
    assert str(outcome).startswith(expected)


def test_score_result_for_grading(demo, tmp_path: Path):
    responses = {"demo-q-1": "kant", "demo-q-2": ["china"], "demo-q-7": ["atc"], "x-q-9": 1}
    result = quiz.score(demo, responses)
    assert result.points == pytest.approx(1 + 1 / 3 + 0)
    assert result.max_points == 8 and result.answered == 3
    assert result.items["demo-q-4"].feedback == "Not quite. No answer."
    assert result.unknown == ["x-q-9"]
    saved = tmp_path / "answers.json"
    saved.write_text(json.dumps({"quiz": "demo", "responses": responses}))
    assert quiz.score(demo, saved).to_dict() == result.to_dict()
    saved.write_text(json.dumps({"quiz": "ch01", "responses": responses}))
    with pytest.raises(ValueError, match="answers are for quiz 'ch01', not 'demo'"):
        quiz.score(demo, saved)


# ------------------------------------------------------------------------------ checks
@pytest.mark.parametrize(
    ("item_id", "answer", "expected", "printed"),
    [
        ("ch90-ex-1", 7540, True, "Correct. Good."),
        ("ch90-ex-1", 7600.0, False, "Not quite. Recount."),
        ("ch90-ex-1", "n/a", False, "Expected a number"),
        ("ch90-ex-2", 2.5, True, "Correct."),
        ("ch90-ex-3", " kant AIR base", True, "Correct."),
        ("ch90-ex-4", {"China", "russia", "Kazakhstan"}, True, "Correct."),
        ("ch90-ex-4", ["China", "Russia", "Iran"], False, "1 expected item(s) missing, 1 unexpected"),
        ("ch90-ex-5", [2000, 2002, 2004], True, "Correct."),
        ("ch90-ex-5", [2000, 2004], False, "Expected 3 items, got 2"),
        ("ch90-ex-6", [["Kant", 2002], ["Tashkent", 2004], ["Moscow", 2000]], True, "Correct."),
        ("ch90-ex-6", [{"place": "Kant", "year": 2002}], False, "Expected 3 rows, got 1"),
        ("ch90-ex-7", [["Kant", 2002], ["Moscow", 2000]], False, "Not quite."),
        ("ch90-ex-7", [["moscow", 2000.4], ["Kant", 2002]], True, "Correct."),
        ("ch90-q-3", "a", True, "Alpha it is."),
    ],
)
def test_check_prints_feedback_and_returns_bool(fixture_quizzes, capsys, item_id, answer,
                                                expected, printed):
    assert quiz.check(item_id, answer) is expected
    out = capsys.readouterr().out
    assert out.startswith(f"{item_id}: ") and printed in out


def test_check_accepts_dataframes_and_is_the_package_shortcut(fixture_quizzes, capsys):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"year": [2000, 2002, 2004], "place": ["Moscow", "Kant", "Tashkent"],
                          "extra": [1, 2, 3]})
    assert coursekit.check is quiz.check
    assert coursekit.check("ch90-ex-6", frame) is True
    assert coursekit.check("ch90-ex-6", frame.drop(columns="place")) is False
    assert "Column(s) missing: place" in capsys.readouterr().out


def test_check_of_an_assessed_item_checks_its_shape_and_reveals_nothing(fixture_quizzes,
                                                                        capsys):
    assert quiz.check("ch90-q-1", "b") is False  # the right answer: still not confirmed
    right = capsys.readouterr().out
    assert quiz.check("ch90-q-1", "a") is False
    assert capsys.readouterr().out == right and "SECRET" not in right
    assert right == "ch90-q-1: graded by your instructor; your answer has the right form.\n"
    assert quiz.check("ch90-q-2", "fifteen") is False
    out = " ".join(capsys.readouterr().out.split())
    assert "graded by your instructor" in out and "expected a number, got str" in out


def test_check_refuses_bad_ids(fixture_quizzes):
    with pytest.raises(ValueError, match="not an exercise or question id"):
        quiz.check("ch9-ex-1", 1)
    with pytest.raises(KeyError, match="'ch90-ex-99' is not in quiz 'ch90'"):
        quiz.check("ch90-ex-99", 1)


# ------------------------------------------------------------------------------ rendering
def test_rendering_is_deterministic(demo):
    first = quiz.load("demo")
    for a, b in ((demo.html(), first.html()), (demo.text(), first.text())):
        assert a == b
    bundle = demo._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}  # no kernel here: no widget view
    for text in bundle.values():
        assert not re.search(r"0x[0-9a-f]{6,}|[0-9a-f]{8}-[0-9a-f]{4}-|\d{4}-\d\d-\d\dT", text)


def test_html_is_self_contained_and_namespaced(demo):
    page = demo.html()
    assert 'id="ck-quiz-demo"' in page and 'id="ck-quiz-demo-2"' in demo.html(key="2")
    assert 'id="ck-quiz-demo-again"' in quiz.show("demo", key="again")._repr_mimebundle_()[
        "text/html"]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "import " not in page.split('<script type="module">')[1]  # no module fetches
    assert (Path(quiz.__file__).parent / "static" / "quiz.js").read_text() in page
    spec = json.loads(re.search(r'class="ck-quiz-spec">(.*?)</script>', page).group(1))
    assert spec["ns"] == "demo" and len(spec["questions"]) == 8
    # self-check keys are in the JSON only, not in the readable fallback
    assert spec["questions"][0]["key"] == "kant"


def test_graded_answers_never_reach_the_html():
    graded = quiz.load(CH90)
    page = graded.html() + graded.text()
    assert "SECRET" not in page
    spec = json.loads(re.search(r'class="ck-quiz-spec">(.*?)</script>', page).group(1))
    for q in spec["questions"][:2]:
        assert q["graded"] is True
        assert not {"key", "explanation", "feedback_right", "feedback_wrong"} & set(q)
        assert all(set(o) == {"id", "text"} for o in q.get("options", []))
    assert spec["questions"][2]["key"] == "a"


def test_text_shows_questions_without_answers(demo):
    text = demo.text()
    assert text.startswith("Try it: a quiz on one source (8 questions)\n")
    assert "   a) Kant, Kyrgyzstan" in text and "Answer: ____ personnel" in text
    assert "Russian interests in the region”, paragraph 2" in text
    # ordering is shown shuffled, never in the answer order
    order = [line[5:] for line in text.splitlines() if line.startswith("   - ")]
    assert order != [i.text for i in demo["demo-q-7"].items] and len(order) == 5


def test_evidence_attribution_is_the_excerpt_citation():
    """The quiz reaches coursekit.sources through sources_link only: the attribution is the
    verified excerpt's citation, and an unknown source or a misquoted passage is an authoring
    error naming the field."""
    passage = ("One proof of this argument is that Russia avoided intervention Kyrgyzstan-Uzbek "
               "clashes in southern Kyrgyzstan during clashes June 2010")
    q = quiz.Evidence(id="ch01-q-1", prompt="P", claim="C", answer="avoided intervention",
                      excerpt={"source": "unsigned-essay", "passage": passage})
    quiz.Quiz([q])
    assert q.spec()["attribution"] == coursekit.excerpt("unsigned-essay", passage).citation
    assert q.score(0).correct
    q.excerpt = {"source": "unsigned-essay", "passage": "Russia intervened at once."}
    with pytest.raises(quiz.QuizFileError, match=r"field 'excerpt\.passage': excerpt not verified"):
        quiz.Quiz([q])
    q.excerpt = {"source": "no-such-source", "passage": passage}
    with pytest.raises(quiz.QuizFileError, match=r"field 'excerpt\.source': unknown source "
                       r"'no-such-source': unknown source"):
        quiz.Quiz([q])


# ------------------------------------------------------------------------------ widget
def test_widget_state_flows_back_to_python(demo, monkeypatch, tmp_path: Path):
    from coursekit.quiz import widget

    live = quiz.load("demo")
    monkeypatch.setattr(widget, "in_kernel", lambda: True)
    bundle = live._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain", "application/vnd.jupyter.widget-view+json"}
    w = live.widget
    assert w.spec == demo.spec() and w._esm == (widget.STATIC / "quiz.js").read_text()
    # what quiz.js sends after the reader checks two answers
    w.responses = {"demo-q-1": "kant", "demo-q-6": {"atc": "moscow"}}
    assert live.responses == {"demo-q-1": "kant", "demo-q-6": {"atc": "moscow"}}
    assert live.score.points == pytest.approx(1.25) and live.score.max_points == 8
    saved = live.save(tmp_path / "answers.json")
    written = json.loads(saved.read_text())  # a response file (coursekit.quiz.responses)
    assert (written["format"], written["quiz"], written["responses"]) == (
        "coursekit-responses", "demo", w.responses)
    assert quiz.score(demo, saved).points == pytest.approx(1.25)


def test_graded_questions_are_left_out_of_the_live_score(monkeypatch):
    from coursekit.quiz import widget

    monkeypatch.setattr(widget, "in_kernel", lambda: True)
    graded = quiz.load(CH90)
    graded.widget.responses = {"ch90-q-1": "b", "ch90-q-3": "a"}
    assert list(graded.score.items) == ["ch90-q-3"]
    with pytest.raises(quiz.MissingKeyError, match=r"ch90-q-1 is assessed .* bank=Path"):
        quiz.score(graded, graded.responses)  # no bank: the key is not there to score with
    keyed = quiz.load(CH90, bank=BANK)
    assert quiz.score(keyed, graded.responses).points == 3  # grading sees everything


def test_in_a_live_kernel_the_bundle_offers_html_text_and_the_widget():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from coursekit import quiz\nq = quiz.show('demo')\nq"),
        nbformat.v4.new_code_cell("q.widget.responses = {'demo-q-5': 'Tashkent'}\n"
                                  "print(q.score)"),
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    shown, printed = (c.outputs for c in nb.cells)
    data = shown[0]["data"]
    assert set(data) == {"text/html", "text/plain", "application/vnd.jupyter.widget-view+json"}
    assert data["text/html"] == quiz.load("demo").html()
    assert printed[0]["text"] == "demo: 1 / 8 points (1 of 8 answered)\n"
    # the widget model (its state is saved in the notebook) carries the spec and the JS
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    (model,) = [m for m in state.values() if m["model_name"] == "AnyModel"]
    assert model["state"]["spec"]["name"] == "demo" and "export default" in model["state"]["_esm"]


def test_book_config_keeps_widget_javascript_off_the_cdn():
    """myst-nb loads require.js and the ipywidgets html-manager from CDNs on any page whose
    notebook saved widget state, unless ``nb_ipywidgets_js`` is empty. The quiz needs neither
    (its text/html is self-contained)."""
    config = yaml.safe_load((Path(__file__).parent.parent / "_config.yml").read_text())
    sphinx = config["sphinx"]["config"]
    assert ["html", "application/vnd.jupyter.widget-view+json", 35] in sphinx[
        "nb_mime_priority_overrides"]
    assert sphinx.get("nb_ipywidgets_js") == {}, (
        "add `nb_ipywidgets_js: {}` under sphinx: config: in _config.yml")


# ------------------------------------------------------------------ public and private parts
REPO = Path(__file__).resolve().parent.parent
REPO_BANK = REPO / "instructor-bank"


def _patterns(node: object) -> set[str]:
    """Every id pattern of a JSON Schema (``pattern`` of ``id`` and of ``propertyNames``)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("id", "quiz", "propertyNames") and isinstance(value, dict) and "pattern" in value:
                found.add(value["pattern"])
            found |= _patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= _patterns(value)
    return found


def test_schema_id_patterns_agree_with_coursekit_ids():
    from coursekit import ids

    schema, bank = (_patterns(json.loads(p.read_text()))
                    for p in (loader.SCHEMA_PATH, loader.BANK_SCHEMA_PATH))
    assert schema == {ids.QUESTION_PATTERN, ids.EXERCISE_PATTERN}
    assert bank == {ids.QUIZ_PATTERN, ids.ITEM_PATTERN}
    for good in ("ch01-q-1", "demo-ex-12"):
        assert ids.ITEM_RE.match(good)
    for bad in ("ch1-q-1", "ch01-q-x", "ch01-qq-1", "ch٠١-q-1", "ch01-q-١"):  # Arabic digits
        assert not ids.ITEM_RE.match(bad)
    from coursekit.assignments import tags

    assert tags.ITEM_ID_RE is ids.ITEM_RE and tags.EXERCISE_ID_RE is ids.EXERCISE_RE


def test_private_fields_of_the_bank_are_the_ones_a_public_file_forbids():
    bank_fields = set(loader.private_fields())
    public_forbidden = set(loader._forbidden())
    renamed = {"feedback": "option_feedback", "match": "matches"}
    assert {renamed.get(f, f) for f in public_forbidden} | {"solution", "notes"} == bank_fields


def _write(tmp_path: Path, text: str, name: str = "ch01.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


QUESTION = "title: T\nquestions:\n  - id: ch01-q-1\n    type: {type}\n    prompt: P\n{rest}"


@pytest.mark.parametrize(("qtype", "rest", "field", "line", "words"), [
    ("essay", "    answer: a\n", "type", 4, "'essay' is not one of: single, multiple"),
    ("numeric", "    answer: 5\n    tolerance: -1\n", "tolerance", 7, "less than the minimum of 0"),
    ("truefalse", "    answer: 'yes'\n", "answer", 6, "expected true or false, got str 'yes'"),
    ("numeric", "    answer: about five\n", "answer", 6, "expected a number, got str 'about five'"),
    ("single", "    options: [{id: a, text: A}, {id: b, text: B}]\n    answer: [a]\n", "answer", 7,
     "expected text, got ['a']"),
    ("numeric", "    graded: true\n    answer: 5\n", "answer", 7,
     "`answer` is private for an assessed item (graded: true); move it to the instructor bank"),
    ("single", "    graded: true\n    options: [{id: a, text: A, feedback: hint}, {id: b, text: B}]\n",
     "options[0].feedback", 7, "`feedback` is private"),
    ("text", "    graded: true\n    explanation: why\n", "explanation", 7, "`explanation` is private"),
    ("ordering", "    graded: true\n    items: [{id: a, text: A}, {id: b, text: B}]\n", "type", 4,
     "an ordering question cannot be assessed"),
])
def test_quiz_file_errors_name_the_real_field(tmp_path, qtype, rest, field, line, words):
    """Not "Unevaluated properties are not allowed ('answer', ...)" (issue 12, part 8)."""
    path = _write(tmp_path, QUESTION.format(type=qtype, rest=rest))
    with pytest.raises(quiz.QuizFileError) as info:
        quiz.load(path)
    err = info.value
    assert (err.item_id, err.field, err.line) == ("ch01-q-1", field, line), str(err)
    assert words in str(err) and "Unevaluated" not in str(err)


def test_an_assessed_check_in_a_public_file_has_no_expected_value(tmp_path):
    path = _write(tmp_path, "title: T\nchecks:\n  - {id: ch01-ex-1, type: numeric, graded: true,"
                  " expected: 5}\n")
    with pytest.raises(quiz.QuizFileError, match=r"line 3, item 'ch01-ex-1', field 'expected': "
                       r"`expected` is private"):
        quiz.load(path)


def test_a_quiz_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "ch01.yml"
    path.write_bytes("title: T\nquestions: []\n# Café\n".encode("latin-1"))
    with pytest.raises(quiz.QuizFileError) as info:
        quiz.load(path)
    assert info.value.file == str(path) and info.value.line == 3
    assert "not UTF-8 text (byte 0xe9" in str(info.value)
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "ch90.yml").write_bytes(b"quiz: ch90\nitems: {}\n# \xff\n")
    with pytest.raises(quiz.QuizFileError, match=r"bank/ch90\.yml, line 3: not UTF-8"):
        quiz.load(CH90, bank=bank)


def test_without_the_bank_an_assessed_item_is_graded_by_the_instructor():
    public = quiz.load(CH90)
    for item_id in ("ch90-q-1", "ch90-q-2"):
        item = public[item_id]
        assert item.graded and not item.keyed
        with pytest.raises(quiz.MissingKeyError, match=f"{item_id} is assessed"):
            item.score("b")
        assert "key" not in item.spec()
    assert "graded by your instructor" in public.text()
    assert "graded by your instructor" in (Path(quiz.__file__).parent / "static" / "quiz.js").read_text()
    keyed = quiz.load(CH90, bank=BANK)
    assert keyed.bank == BANK / "ch90.yml" and keyed["ch90-q-1"].keyed
    assert keyed["ch90-q-1"].score("b").correct and not keyed["ch90-q-1"].score("a").correct
    assert keyed["ch90-q-1"].score("a").feedback == "SECRET-FEEDBACK-A"
    assert keyed["ch90-q-2"].score(15).correct and not keyed["ch90-q-2"].score(25).correct
    assert keyed.private["ch90-q-1"]["notes"] == "SECRET-MARKING-NOTE"
    # the merged quiz still shows nothing private to the browser
    assert "SECRET" not in keyed.html() + keyed.text()


BANK_TEXT = """quiz: ch90
items:
  ch90-q-1:
    answer: b
  ch90-q-2:
    range: [10, 20]
"""


@pytest.mark.parametrize(("change", "item_id", "field", "line", "words"), [
    (("    answer: b\n", "    answer: z\n"), "ch90-q-1", "answer", 4, "'z' is not an option id"),
    (("    answer: b\n", "    answer: b\n    expected: 3\n"), "ch90-q-1", "expected", 5,
     "a single question has no private field `expected`"),
    (("    answer: b\n", "    answer: b\n    option_feedback: {q: x}\n"), "ch90-q-1",
     "option_feedback.q", 5, "'q' is not an option id"),
    (("    range: [10, 20]\n", "    range: [20, 10]\n"), "ch90-q-2", "range", 6, "low <= high"),
    (("    range: [10, 20]\n", "    range: [10, 20]\n    tolerance: -2\n"), "ch90-q-2",
     "tolerance", 7, "less than the minimum of 0"),
    (("    range: [10, 20]\n", "    range: [10, 20]\n  ch90-q-3:\n    answer: a\n"), "ch90-q-3",
     None, 8, "practice item"),
    (("    range: [10, 20]\n", "    range: [10, 20]\n  ch90-q-9:\n    answer: a\n"), "ch90-q-9",
     None, 8, "no item 'ch90-q-9'"),
    (("  ch90-q-2:\n    range: [10, 20]\n", ""), None, "items", 3,
     "no private part for the assessed item(s) ch90-q-2"),
    (("quiz: ch90", "quiz: ch08"), None, "quiz", 1, "this bank is for quiz 'ch08', not 'ch90'"),
    (("    answer: b\n", "    anwser: b\n"), "ch90-q-1", "anwser", 4, "'anwser' was unexpected"),
])
def test_bank_errors_name_bank_file_line_item_and_field(tmp_path, change, item_id, field, line,
                                                        words):
    bank = _write(tmp_path, BANK_TEXT.replace(*change), "ch90.yml")
    with pytest.raises(quiz.QuizFileError) as info:
        quiz.load(CH90, bank=bank)
    err = info.value
    assert (err.file, err.item_id, err.field, err.line) == (str(bank), item_id, field, line), str(err)
    assert words in str(err)


def test_a_bank_folder_without_the_quiz_file(tmp_path):
    with pytest.raises(quiz.QuizFileError, match=r"empty/ch90\.yml: no bank file for quiz "
                       r"'ch90', which has assessed items \(ch90-q-1, ch90-q-2\)"):
        quiz.load(CH90, bank=tmp_path / "empty")
    assert len(quiz.load("demo", bank=tmp_path / "empty")) == 8  # nothing assessed: fine


@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_every_chapter_has_assessed_and_practice_items(chapter):
    public = quiz.load(chapter)
    items = [*public.questions, *public.checks]
    assessed = [i for i in items if i.graded]
    assert len([q for q in public.questions if q.graded]) >= 2
    assert [c for c in public.checks if c.graded], "one data task per chapter is assessed"
    assert len(items) - len(assessed) >= 5, "practice items stay public"
    assert not [i for i in assessed if i.keyed] and all(i.keyed for i in items if not i.graded)
    keyed = quiz.load(chapter, bank=REPO_BANK)
    assert all(i.keyed for i in [*keyed.questions, *keyed.checks])
    assert set(keyed.private) == {i.id for i in assessed}
    for check in keyed.checks:
        if check.graded:
            assert keyed.private[check.id].get("solution"), "the model solution is in the bank"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTER_IDS)
def test_model_solutions_in_the_bank_pass_their_checks(chapter):
    """The chapter's code up to an assessed check, then the bank's model solution, then the
    bank's check: fully right (the public notebook no longer holds the solution)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from coursekit.assignments._execute import GradingKernelManager

    keyed = quiz.load(chapter, bank=REPO_BANK)
    (path,) = (REPO / "chapters").glob(f"{chapter[2:]}-*.ipynb")
    chapter_nb = nbformat.read(path, as_version=4)
    for check in (c for c in keyed.checks if c.graded):
        at = next(n for n, c in enumerate(chapter_nb.cells)
                  if c.metadata.get("coursekit", {}).get("id") == check.id
                  and c.metadata["coursekit"].get("role") == "check")
        code = re.findall(r"```python\n(.*?)\n```", keyed.private[check.id]["solution"], re.S)
        assert code, f"{check.id}: no python block in the bank's model solution"
        score = (f"from pathlib import Path\nfrom coursekit import quiz as _q\n"
                 f"print('SCORE', _q.load({chapter!r}, bank=Path({str(REPO_BANK)!r}))"
                 f"[{check.id!r}].score(answer).fraction)")
        cells = [nbformat.v4.new_code_cell(c.source) for c in chapter_nb.cells[:at]
                 if c.cell_type == "code"]
        run = nbformat.v4.new_notebook(cells=[*cells, *map(nbformat.v4.new_code_cell, code),
                                              nbformat.v4.new_code_cell(score)])
        # the kernel that grading runs a notebook in (no debugger: ~0.5 s less per chapter)
        nbclient.NotebookClient(run, timeout=300, kernel_manager_class=GradingKernelManager,
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        printed = "".join(o.get("text", "") for o in run.cells[-1].outputs)
        assert printed.strip() == "SCORE 1.0", f"{check.id}: {printed!r}"

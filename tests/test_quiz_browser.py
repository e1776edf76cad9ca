"""The quiz front-end in headless Chromium, offline: every question type answered by mouse and
by keyboard, wrong and right; two quizzes on one page; graded answers; dark mode; the browser's
scores equal Python's."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from _support import cached_offline_context, favicon_miss, serve_directory

from coursekit import quiz

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "fixtures" / "quiz" / "quizzes" / "ch90.yml"
# The pydata theme's stylesheet, so the quiz is tested in the book's colours (light and dark).
THEME_CSS = "theme/pydata_sphinx_theme/static/styles/pydata-sphinx-theme.css"

PAGE = """<!DOCTYPE html>
<html lang="en" data-theme="light"><head><meta charset="utf-8">
<title>Quiz test page</title><link rel="stylesheet" href="theme.css">
<style>body {{ background: var(--pst-color-background); color: var(--pst-color-text-base); }}
main {{ max-width: 52rem; margin: 1rem auto; }}</style></head>
<body><main class="bd-article"><h1>Quizzes</h1>
<p>Text before.</p>{demo}<p>Between the quizzes.</p>{second}</main>
<script>window.ckEvents = [];
document.addEventListener("ck-quiz-change", (e) => window.ckEvents.push(e.detail));</script>
</body></html>"""


@pytest.fixture(scope="module")
def quizzes() -> dict[str, quiz.Quiz]:
    return {"demo": quiz.load("demo"), "ch90": quiz.load(FIXTURE)}


@pytest.fixture(scope="module")
def site(tmp_path_factory, quizzes):
    root = tmp_path_factory.mktemp("quizpage")
    css = resources.files("pydata_sphinx_theme").joinpath(THEME_CSS)
    if not css.is_file():
        pytest.fail(f"pydata_sphinx_theme has no {THEME_CSS}: has the theme's layout changed?")
    (root / "theme.css").write_bytes(css.read_bytes())
    (root / "index.html").write_text(
        PAGE.format(demo=quizzes["demo"].html(), second=quizzes["ch90"].html()), "utf-8")
    server, url = serve_directory(root)
    yield url
    server.shutdown()


@pytest.fixture
def page(chromium, site):
    """The test page with every request outside its server refused and recorded."""
    blocked, errors = [], []
    context = cached_offline_context(chromium, site, blocked, viewport={"width": 1000, "height": 900})
    pg = context.new_page()
    pg.on("console", lambda m: errors.append(m.text)
          if m.type == "error" and not favicon_miss(m, site) else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{site}/index.html")
    pg.wait_for_selector("form.ck-quiz >> nth=1")
    yield pg
    assert blocked == [], f"requests left localhost: {blocked}"
    assert errors == [], errors
    context.close()


def question(page, qid):
    return page.locator(f'fieldset[data-question="{qid}"]')


def feedback(page, qid) -> str:
    """The feedback text, without the decorative (aria-hidden) mark."""
    return question(page, qid).locator(".ck-feedback").inner_text().lstrip("✓✗◐ ")


def press_tab_until(page, selector: str, limit: int = 12) -> None:
    """Move keyboard focus with Tab until it is on an element matching ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def check_by_keyboard(page) -> None:
    press_tab_until(page, "button.ck-check")
    style = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert style == "solid", "keyboard focus must be visible"
    page.keyboard.press("Enter")


def test_every_type_by_mouse_and_keyboard(page, quizzes):
    # single choice: mouse (wrong), then arrow keys (right)
    q1 = question(page, "demo-q-1")
    q1.get_by_label("Tashkent, Uzbekistan").click()
    q1.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-1").startswith("Not quite. Tashkent is where")
    q1.get_by_label("Tashkent, Uzbekistan").focus()
    page.keyboard.press("ArrowUp")
    check_by_keyboard(page)
    assert feedback(page, "demo-q-1").startswith("Correct. The essay places")
    assert "Explanation:" in feedback(page, "demo-q-1")
    assert "Source: Unknown author (after 2018)" in feedback(page, "demo-q-1")

    # multiple answer: partial credit by mouse, then Space/Shift+Tab
    q2 = question(page, "demo-q-2")
    for name in ("China", "Kazakhstan", "Iran"):
        q2.get_by_label(name).click()
    q2.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-2").startswith("Partly correct (33%). Iran is not in")
    q2.get_by_label("Iran").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # Uzbekistan
    check_by_keyboard(page)
    assert feedback(page, "demo-q-2").startswith("Correct. All three")

    # true/false
    q3 = question(page, "demo-q-3")
    q3.get_by_label("False").click()
    q3.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-3").startswith("Not quite. Read the sentence again")
    q3.get_by_label("False").focus()
    page.keyboard.press("ArrowLeft")
    check_by_keyboard(page)
    assert feedback(page, "demo-q-3").startswith("Correct. Right: the sentence")

    # numeric: typed with a thousands separator, Enter checks
    q4 = question(page, "demo-q-4")
    q4.get_by_label("Your answer (a number)").fill("7400")
    q4.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-4").startswith("Not quite.")
    q4.get_by_label("Your answer (a number)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("7,500")
    page.keyboard.press("Enter")
    assert feedback(page, "demo-q-4").startswith("Correct. That is the essay's figure.")
    assert q4.locator(".ck-unit").inner_text() == "personnel"

    # short text: case, spaces and accents ignored
    q5 = question(page, "demo-q-5")
    q5.get_by_label("Your answer").fill("Dushanbe")
    q5.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-5").startswith("Not quite. Find the sentence")
    q5.get_by_label("Your answer").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("  TÁSHKENT ")
    page.keyboard.press("Enter")
    assert feedback(page, "demo-q-5").startswith("Correct. Yes, Tashkent.")

    # matching: native selects; one right of four, then type-ahead from the keyboard
    q6 = question(page, "demo-q-6")
    selects = q6.locator("select")
    for n, value in enumerate(["moscow", "kant", "tashkent", "astana"]):
        selects.nth(n).select_option(value)
    q6.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-6").startswith("Partly correct (25%).")
    selects.nth(1).focus()
    for n, word in enumerate(["Tashkent", "Kant", "Manas"]):
        if n:
            page.keyboard.press("Tab")
        page.keyboard.type(word)
    assert [selects.nth(i).input_value() for i in range(4)] == ["moscow", "tashkent", "kant",
                                                                "manas"]
    check_by_keyboard(page)
    assert feedback(page, "demo-q-6").startswith("Correct. All four")

    # ordering: Up/Down buttons by mouse (partial), then keyboard-only with announcements
    q7 = question(page, "demo-q-7")
    q7.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-7").split(" ")[0] in {"Partly", "Not"}
    key = [i.id for i in quizzes["demo"]["demo-q-7"].items]
    texts = {i.id: i.text for i in quizzes["demo"]["demo-q-7"].items}
    for target, item in enumerate(key):
        current = q7.locator("li").evaluate_all("(els) => els.map((e) => e.dataset.id)")
        steps = current.index(item) - target
        if steps <= 0:
            continue
        q7.get_by_role("button", name=f"Move up: {texts[item]}").focus()
        for _ in range(steps):
            page.keyboard.press("Enter")
            page.wait_for_function(
                "(id) => document.activeElement.closest('li')?.dataset.id === id", arg=item)
        announced = q7.locator(".ck-sr-only").inner_text()
        assert announced == f"“{texts[item]}” moved to position {target + 1} of {len(key)}."
    check_by_keyboard(page)
    assert feedback(page, "demo-q-7").startswith("Correct. This is the order")

    # find the evidence: a sentence of the verified excerpt
    q8 = question(page, "demo-q-8")
    q8.locator("label.ck-sentence").nth(0).click()
    q8.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-8").startswith("Not quite. That sentence is about")
    page.keyboard.press("Shift+Tab")  # back onto the checked radio
    page.keyboard.press("ArrowDown")
    check_by_keyboard(page)
    assert feedback(page, "demo-q-8").startswith("Correct. Yes: this sentence says")
    total = page.locator(".ck-total").first.inner_text()
    assert total == "Self-check score: 8 / 8 (8 of 8 questions checked)."

    # The browser scored every attempt exactly as Python does.
    events = page.evaluate("() => window.ckEvents")
    assert len(events) == 16
    demo = quizzes["demo"]
    for event in events:
        for qid, fraction in event["score"]["fractions"].items():
            python = demo[qid].score(event["responses"][qid]).fraction
            assert fraction == pytest.approx(python), (qid, event["responses"][qid])
    assert quiz.score(demo, events[-1]["responses"]).points == 8


def test_hint_at_the_first_wrong_try_and_the_explanation_only_later(page, quizzes):
    q1 = question(page, "demo-q-1")
    hint = quizzes["demo"]["demo-q-1"].hint
    q1.get_by_label("Tashkent, Uzbekistan").click()
    q1.get_by_role("button", name="Check answer").click()
    first = feedback(page, "demo-q-1")
    assert first.startswith("Not quite. Tashkent is where") and f"Hint: {hint}" in first
    assert "Explanation:" not in first and "Source:" not in first
    assert "Kant, Kyrgyzstan, in" not in first  # neither feedback nor hint gives the key away
    q1.get_by_label("Moscow, Russia").click()
    q1.get_by_role("button", name="Check answer").click()
    second = feedback(page, "demo-q-1")
    assert second.startswith("Not quite. Moscow is where") and "Hint:" not in second
    assert "Explanation:" in second and "Source: Unknown author" in second
    # a right answer at the first try shows the explanation at once, and no hint
    q3 = question(page, "demo-q-3")
    q3.get_by_label("True").click()
    q3.get_by_role("button", name="Check answer").click()
    assert feedback(page, "demo-q-3").startswith("Correct.")
    assert "Explanation:" in feedback(page, "demo-q-3")
    assert "Hint:" not in feedback(page, "demo-q-3")
    # the book's rule is Python's rule
    assert str(quizzes["demo"]["demo-q-1"].respond("tashkent", 1)).endswith(f"Hint: {hint}")


def test_second_quiz_graded_and_independent(page):
    q1 = question(page, "demo-q-1")
    q1.get_by_label("Kant, Kyrgyzstan").click()
    g1 = question(page, "ch90-q-1")
    assert "(2 points, graded by your instructor)" in g1.locator("legend").inner_text()
    g1.get_by_label("Right option").click()
    g1.get_by_role("button", name="Submit answer").click()
    text = feedback(page, "ch90-q-1")
    assert text.startswith("Answer noted on this page only. This question is graded")
    g2 = question(page, "ch90-q-2")
    g2.get_by_label("Your answer (a number)").fill("15 %")
    page.keyboard.press("Enter")
    assert feedback(page, "ch90-q-2").startswith("Answer noted on this page only.")
    # the two quizzes share nothing: the demo's choice is untouched, ids are unique
    assert q1.get_by_label("Kant, Kyrgyzstan").is_checked()
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map((e) => e.id)")
    assert len(ids) == len(set(ids))
    last = page.evaluate("() => window.ckEvents.at(-1)")
    assert last["quiz"] == "ch90" and last["responses"] == {"ch90-q-1": "b", "ch90-q-2": "15 %"}
    assert last["score"]["possible"] == 1  # graded questions are not tallied in the browser
    assert "SECRET" not in page.content()


def _contrast(page, fg_selector: str, bg_selector: str) -> float:
    return page.evaluate(
        """([fg, bg]) => {
          const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
            .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
          const a = lum(rgb(getComputedStyle(document.querySelector(fg)).color));
          const b = lum(rgb(getComputedStyle(document.querySelector(bg)).backgroundColor));
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""", [fg_selector, bg_selector])


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_theme_colours_and_accessibility(page, theme, axe_source: str):
    page.evaluate("(t) => { document.documentElement.dataset.theme = t; }", theme)
    for qid, label in (("demo-q-1", "Moscow, Russia"), ("demo-q-3", "True")):
        question(page, qid).get_by_label(label).click()
        question(page, qid).get_by_role("button", name="Check answer").click()
    colours = page.evaluate("""() => {
        const q = getComputedStyle(document.querySelector('.ck-quiz'));
        const root = getComputedStyle(document.documentElement);
        return [q.color, q.backgroundColor,
                root.getPropertyValue('--pst-color-text-base').trim()];
    }""")
    assert colours[0] != colours[1]
    if theme == "dark":
        assert colours[1] != "rgb(255, 255, 255)"  # the quiz follows the theme's background
    assert _contrast(page, ".ck-quiz .ck-prompt", ".ck-quiz") >= 4.5
    assert _contrast(page, "fieldset[data-question='demo-q-1'] .ck-verdict", ".ck-quiz") >= 4.5
    # the coloured marks (✗ wrong, ✓ right) are graphics: 3:1
    assert _contrast(page, "fieldset[data-question='demo-q-1'] .ck-mark", ".ck-quiz") >= 3
    assert _contrast(page, "fieldset[data-question='demo-q-3'] .ck-mark", ".ck-quiz") >= 3
    page.add_script_tag(content=axe_source)
    found = page.evaluate("""async () => {
        const r = await axe.run(document.querySelectorAll('.ck-quiz-root'));
        return r.violations.map((v) => ({id: v.id, impact: v.impact,
            nodes: v.nodes.map((n) => `${n.target} ${n.any.map((a) => a.message)}`)}));
    }""")
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(found)


def test_fallback_text_is_replaced_once_scripts_run(page):
    assert page.locator(".ck-quiz-fallback").count() == 0
    assert page.locator("form.ck-quiz").count() == 2
    assert page.locator("fieldset.ck-question").count() == 11
    assert page.locator("fieldset legend").count() == 11


# ------------------------------------------------------------------ keeping and handing in
BANK = FIXTURE.parent.parent / "bank"


def test_answers_are_kept_downloaded_and_cleared(page, tmp_path):
    """The fixture quiz ch90 (two assessed questions): answers survive a reload, the download
    needs a name, is a valid response file and scores in Python; Clear asks first."""
    import jsonschema

    from coursekit.quiz.responses import SCHEMA_PATH, book_version

    g1, g2 = question(page, "ch90-q-1"), question(page, "ch90-q-2")
    g1.get_by_label("Right option").check()  # no Submit pressed: kept all the same
    g2.get_by_label("Your answer (a number)").fill("15 %")
    panel = page.locator("#ck-quiz-ch90 .ck-handin")
    assert panel.get_attribute("role") == "group"
    page.reload()
    page.wait_for_selector("form.ck-quiz >> nth=1")
    g1, g2 = question(page, "ch90-q-1"), question(page, "ch90-q-2")
    assert g1.get_by_label("Right option").is_checked()
    assert g2.get_by_label("Your answer (a number)").input_value() == "15 %"
    status = panel.locator(".ck-handin-status")
    assert status.inner_text().startswith("Your answers to 2 questions were kept")

    # no name: nothing downloads, the name field says why and takes the focus
    panel.get_by_role("button", name="Download my answers").click()
    name = panel.get_by_label("Your name")
    assert name.get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => document.activeElement.classList.contains('ck-name')")
    assert status.text_content() == "Type your name before you download your answers."
    assert "ck-sr-only" in status.get_attribute("class")  # shown beside the field already
    assert panel.locator(".ck-error").inner_text() == status.text_content()
    page.keyboard.type("Иван Петров")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "russia-in-central-asia-ch90-answers.json"
    assert status.inner_text().startswith("Downloaded your answers to 2 questions")
    payload = json.loads(saved.read_text(encoding="utf-8"))
    jsonschema.validate(payload, json.loads(SCHEMA_PATH.read_text()))
    fixture = quiz.load(FIXTURE)
    assert payload["book_version"] == book_version(fixture)
    assert payload["book_version"] == page.locator("#ck-quiz-ch90").get_attribute(
        "data-book-version")
    assert (payload["quiz"], payload["name"]) == ("ch90", "Иван Петров")
    assert payload["responses"] == {"ch90-q-1": "b", "ch90-q-2": "15 %"}
    assert quiz.score(quiz.load(FIXTURE, bank=BANK), saved).points == 3

    # Clear: cancelled, nothing changes; confirmed, answers and name go, also after a reload
    page.once("dialog", lambda d: d.dismiss())
    panel.get_by_role("button", name="Clear my answers").click()
    assert status.inner_text() == "Nothing was cleared."
    assert g1.get_by_label("Right option").is_checked()
    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.accept()))
    panel.get_by_role("button", name="Clear my answers").focus()
    page.keyboard.press("Enter")
    assert messages and messages[0].startswith("Clear all your answers to “Fixture quiz ch90”")
    assert status.inner_text() == "Cleared your answers and your name."
    assert page.evaluate("() => document.activeElement.classList.contains('ck-clear')")
    assert not g1.get_by_label("Right option").is_checked() and name.input_value() == ""
    page.reload()
    page.wait_for_selector("form.ck-quiz >> nth=1")
    assert not question(page, "ch90-q-1").get_by_label("Right option").is_checked()
    assert question(page, "ch90-q-2").get_by_label("Your answer (a number)").input_value() == ""


def test_kept_answers_belong_to_one_version_of_the_book(page):
    """Answers are keyed by course, book version and quiz: kept under another version of the
    book, they are not filled in; under this version, they are."""
    question(page, "ch90-q-1").get_by_label("Right option").check()
    version = page.locator("#ck-quiz-ch90").get_attribute("data-book-version")
    key = f"coursekit:russia-in-central-asia:{version}:ch90"
    other = "coursekit:russia-in-central-asia:0.0.1+000000000000:ch90"
    assert key in page.evaluate("() => Object.keys(localStorage)")
    page.evaluate("([k, o]) => { localStorage.setItem(o, localStorage.getItem(k)); "
                  "localStorage.removeItem(k); }", [key, other])
    page.reload()
    page.wait_for_selector("form.ck-quiz >> nth=1")
    assert not question(page, "ch90-q-1").get_by_label("Right option").is_checked()
    page.evaluate("([k, o]) => localStorage.setItem(k, localStorage.getItem(o))", [key, other])
    page.reload()
    page.wait_for_selector("form.ck-quiz >> nth=1")
    assert question(page, "ch90-q-1").get_by_label("Right option").is_checked()

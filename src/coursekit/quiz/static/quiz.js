// coursekit quiz front-end: one ES module for the anywidget (JupyterLab) and the built book.
// anywidget calls render({model, el}); the book's inline <script type="module"> calls the
// same render() with staticModel(spec, meta), a tiny stand-in for the widget model.
// In the book a reader's answers are kept in localStorage (per course, book version and quiz)
// and "Download my answers" saves a response file: the format of coursekit/quiz/responses.py
// (responses-schema.json), which Quiz.save() writes too.
// Scoring rules mirror coursekit/quiz/_scoring.py and model.py (checked by the browser test).
// Nothing here touches globals: every id is namespaced by quiz and question id.

const RIGHT = "Correct.";
const WRONG = "Not quite.";
let renders = 0;

// ---------------------------------------------------------------- scoring (mirrors Python)
const QUOTES = { "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ",
  "\u2009": " ", "\u202f": " " };
const fold = (s) => String(s).replace(/[\u2018\u2019\u201c\u201d\u00a0\u2009\u202f]/g,
  (c) => QUOTES[c]);

export function normaliseText(text) {
  return fold(text).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .split(/\s+/).filter(Boolean).join(" ");
}

export function parseNumber(value, unit = "") {
  if (typeof value === "number") return value;
  let text = fold(value).replace(/\u2212/g, "-").split(/\s+/).filter(Boolean).join(" ");
  if (unit && text.toLowerCase().endsWith(unit.toLowerCase())) {
    text = text.slice(0, -unit.length).trim();
  }
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?\d{1,3}([ ,]\d{3})+(\.\d+)?$/.test(text)) return Number(text.replace(/[ ,]/g, ""));
  if (/^[+-]?\d+,\d+$/.test(text)) return Number(text.replace(",", "."));
  return null;
}

export function pairwiseOrder(answer, key) {
  const pos = new Map(answer.map((id, i) => [id, i]));
  let pairs = 0;
  let right = 0;
  for (let i = 0; i < key.length; i++) {
    for (let j = i + 1; j < key.length; j++) {
      pairs += 1;
      if (pos.has(key[i]) && pos.has(key[j]) && pos.get(key[i]) < pos.get(key[j])) right += 1;
    }
  }
  return pairs ? right / pairs : 1;
}

function numberMatches(value, key) {
  if (Number.isNaN(value)) return false;
  if (key.range) return key.range[0] <= value && value <= key.range[1];
  return Math.abs(value - key.answer) <= key.tolerance + 1e-9 * Math.max(1, Math.abs(key.answer));
}

// Returns {fraction, feedback}; q is a self-check question (its spec has a key).
export function scoreAnswer(q, answer) {
  const rw = (fraction, extra = []) => ({
    fraction,
    feedback: [...extra, fraction >= 1 ? q.feedback_right : q.feedback_wrong]
      .filter(Boolean).join(" "),
  });
  switch (q.type) {
    case "single": {
      const opt = q.options.find((o) => o.id === answer);
      const ok = answer === q.key;
      const fb = (opt && opt.feedback) || (ok ? q.feedback_right : q.feedback_wrong);
      return { fraction: ok ? 1 : 0, feedback: fb || "" };
    }
    case "multiple": {
      const key = new Set(q.key);
      const hits = answer.filter((a) => key.has(a)).length;
      const fraction = Math.max(0, (hits - (answer.length - hits)) / key.size);
      const notes = q.options.filter((o) => answer.includes(o.id) && o.feedback)
        .map((o) => o.feedback);
      return rw(fraction, notes);
    }
    case "truefalse":
      return rw(answer === q.key ? 1 : 0);
    case "numeric": {
      const value = parseNumber(answer, q.unit);
      if (value === null) return { fraction: 0, feedback: `Could not read a number from "${answer}".` };
      return rw(numberMatches(value, q.key) ? 1 : 0);
    }
    case "text":
      return rw(q.key.includes(normaliseText(answer)) ? 1 : 0);
    case "matching": {
      const ids = Object.keys(q.key);
      return rw(ids.filter((id) => answer[id] === q.key[id]).length / ids.length);
    }
    case "ordering":
      return rw(pairwiseOrder(answer, q.key));
    case "evidence":
      return rw(answer === q.key ? 1 : 0);
    default:
      return { fraction: 0, feedback: `Unknown question type ${q.type}.` };
  }
}

export function verdict(fraction) {
  if (fraction >= 1) return RIGHT;
  if (fraction > 0) return `Partly correct (${Math.floor(fraction * 100 + 0.5)}%).`;
  return WRONG;
}

// ---------------------------------------------------------------- DOM helpers
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
}

const slug = (s) => String(s).replace(/[^A-Za-z0-9_-]/g, "-");
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

// Each builder returns {node, get(): answer or null if incomplete, set(answer)}.
function choiceControl(q, base, multiple) {
  const inputs = [];
  const list = h("div", { class: "ck-options" }, q.options.map((o) => {
    const input = h("input", { type: multiple ? "checkbox" : "radio", name: `${base}-opt`,
      value: o.id, id: `${base}-opt-${slug(o.id)}` });
    inputs.push(input);
    return h("label", { class: "ck-option", for: input.id }, input, h("span", { text: o.text }));
  }));
  return {
    node: list,
    get() {
      const picked = inputs.filter((i) => i.checked).map((i) => i.value);
      if (!picked.length) return null;
      return multiple ? picked : picked[0];
    },
    set(answer) {
      const want = new Set(multiple ? answer : [answer]);
      inputs.forEach((i) => { i.checked = want.has(i.value); });
    },
  };
}

function trueFalseControl(q, base) {
  const make = (value, label) => {
    const input = h("input", { type: "radio", name: `${base}-tf`, value,
      id: `${base}-tf-${value}` });
    return [input, h("label", { class: "ck-option", for: input.id }, input,
      h("span", { text: label }))];
  };
  const [yes, yesLabel] = make("true", "True");
  const [no, noLabel] = make("false", "False");
  return {
    node: h("div", { class: "ck-options ck-inline" }, yesLabel, noLabel),
    get: () => (yes.checked ? true : no.checked ? false : null),
    set(answer) { yes.checked = answer === true; no.checked = answer === false; },
  };
}

function textControl(q, base, numeric, onEnter) {
  const input = h("input", { type: "text", id: `${base}-input`, class: "ck-text",
    autocomplete: "off", spellcheck: "false", inputmode: numeric ? "decimal" : null,
    maxlength: 10000 });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); onEnter(); }
  });
  const label = h("label", { for: input.id }, numeric ? "Your answer (a number)" : "Your answer");
  const unit = numeric && q.unit ? h("span", { class: "ck-unit", text: q.unit }) : null;
  return {
    node: h("div", { class: "ck-text-row" }, label, input, unit),
    get: () => (input.value.trim() ? input.value : null),
    set(answer) { input.value = answer ?? ""; },
  };
}

function matchingControl(q, base) {
  const selects = {};
  const rows = q.items.map((item, n) => {
    const select = h("select", { id: `${base}-match-${slug(item.id)}`, class: "ck-select" },
      h("option", { value: "", text: "Choose…" }),
      q.choices.map((c) => h("option", { value: c.id, text: c.text })));
    selects[item.id] = select;
    return h("div", { class: "ck-match-row" },
      h("label", { for: select.id }, `${n + 1}. ${item.text}`), select);
  });
  return {
    node: h("div", { class: "ck-matching" }, rows),
    get() {
      const out = {};
      for (const [id, s] of Object.entries(selects)) { if (s.value) out[id] = s.value; }
      return Object.keys(out).length === q.items.length ? out : null;
    },
    set(answer) {
      for (const [id, s] of Object.entries(selects)) s.value = (answer || {})[id] ?? "";
    },
  };
}

function orderingControl(q, base, announce, changed) {
  const text = new Map(q.items.map((i) => [i.id, i.text]));
  let order = q.items.map((i) => i.id);
  const list = h("ol", { class: "ck-order", id: `${base}-order` });
  const draw = (focusId, focusDir) => {
    list.replaceChildren(...order.map((id, n) => {
      const up = h("button", { type: "button", class: "ck-move", "data-dir": "up",
        "aria-label": `Move up: ${text.get(id)}`, disabled: n === 0 }, "↑ Up");
      const down = h("button", { type: "button", class: "ck-move", "data-dir": "down",
        "aria-label": `Move down: ${text.get(id)}`, disabled: n === order.length - 1 }, "↓ Down");
      up.addEventListener("click", () => move(id, -1));
      down.addEventListener("click", () => move(id, 1));
      const li = h("li", { class: "ck-order-item", "data-id": id },
        h("span", { class: "ck-order-pos", "aria-hidden": "true", text: `${n + 1}.` }),
        h("span", { class: "ck-order-text", text: text.get(id) }),
        h("span", { class: "ck-move-group" }, up, down));
      if (id === focusId) {
        const want = focusDir < 0 ? up : down;
        queueMicrotask(() => (want.disabled ? (focusDir < 0 ? down : up) : want).focus());
      }
      return li;
    }));
  };
  const move = (id, dir) => {
    const from = order.indexOf(id);
    const to = from + dir;
    if (to < 0 || to >= order.length) return;
    order = [...order];
    [order[from], order[to]] = [order[to], order[from]];
    draw(id, dir);
    announce(`“${text.get(id)}” moved to position ${to + 1} of ${order.length}.`);
    changed();
  };
  draw();
  return {
    node: list,
    get: () => [...order],
    set(answer) {
      if (answer === null) { order = q.items.map((i) => i.id); draw(); }
      if (Array.isArray(answer) && answer.length === order.length) { order = [...answer]; draw(); }
    },
  };
}

function evidenceControl(q, base) {
  const inputs = q.sentences.map((s, n) => h("input", { type: "radio", name: `${base}-ev`,
    value: String(n), id: `${base}-ev-${n}`, class: "ck-sentence-input" }));
  const quote = h("blockquote", { class: "ck-quiz-excerpt" },
    h("p", {}, q.sentences.map((s, n) => h("label", { class: "ck-sentence", for: inputs[n].id },
      inputs[n], h("span", { text: s }), " "))),
    q.attribution ? h("footer", { text: `— ${q.attribution}` }) : null);
  return {
    node: h("div", { class: "ck-evidence" },
      h("p", { class: "ck-claim" }, h("strong", { text: "Claim: " }), q.claim),
      h("p", { class: "ck-hint", text: `Select the sentence that ${STANCES[q.stance]
        || STANCES.supports} the claim.` }),
      quote),
    get() {
      const hit = inputs.find((i) => i.checked);
      return hit ? Number(hit.value) : null;
    },
    set(answer) { inputs.forEach((i, n) => { i.checked = n === answer; }); },
  };
}

// How the evidence prompt says each stance (coursekit/quiz/model.py STANCES).
const STANCES = { supports: "supports", contradicts: "contradicts", undermines: "undermines",
  irrelevant: "is irrelevant to" };

// What a reader sees after one try (mirrors Question.respond in model.py): the verdict and
// feedback; the hint after a first wrong try; the explanation and source only after a right
// answer or from the second try on. Never both hint and explanation.
export function reply(q, answer, attempt) {
  const { fraction, feedback } = scoreAnswer(q, answer);
  const reveal = fraction >= 1 || attempt >= 2;
  return { fraction, feedback, hint: reveal ? "" : q.hint || "",
    explanation: reveal ? q.explanation || "" : "", reference: reveal ? q.reference || "" : "" };
}

const HINTS = {
  single: "Choose one answer.",
  multiple: "Select all that apply.",
  truefalse: "True or false?",
  numeric: "",
  text: "",
  matching: "Choose a match for each item.",
  ordering: "Use the Up and Down buttons to put the items in order, first at the top.",
  evidence: "",
};

// ---------------------------------------------------------------- keeping and handing in
const FORMAT = "coursekit-responses";
const FORMAT_VERSION = 1;

// localStorage for one quiz of one version of the book; null where storage is refused.
function answerStore(course, version, ns) {
  const key = `coursekit:${course}:${version}:${ns}`;
  try {
    const probe = `${key}:probe`;
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
  } catch (e) {
    return null;
  }
  return {
    key,
    read() {
      try {
        const saved = JSON.parse(window.localStorage.getItem(key) || "null");
        return saved && typeof saved === "object" ? saved : null;
      } catch (e) {
        return null;
      }
    },
    write(state) {
      try { window.localStorage.setItem(key, JSON.stringify(state)); return true; }
      catch (e) { return false; }
    },
    clear() { try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ } },
  };
}

// The response file (coursekit/quiz/responses-schema.json).
export function responseFile({ course, quiz, bookVersion, name, responses, savedAt }) {
  return { format: FORMAT, format_version: FORMAT_VERSION, course, quiz,
    book_version: bookVersion, name: name.trim(), saved_at: savedAt || new Date().toISOString(),
    responses: { ...responses } };
}

function download(filename, payload) {
  const blob = new Blob([`${JSON.stringify(payload, null, 2)}\n`], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---------------------------------------------------------------- the quiz
function render({ model, el }) {
  const spec = model.get("spec");
  renders += 1;
  const ns = `ck-${slug(spec.ns || spec.name)}-v${renders}`;
  const isStatic = Boolean(model.get("static"));
  const course = model.get("course") || "";
  const bookVersion = model.get("book_version") || "";
  const store = isStatic && course && bookVersion
    ? answerStore(course, bookVersion, spec.ns || spec.name) : null;
  const kept = store ? store.read() : null;
  const responses = { ...(model.get("responses") || {}), ...((kept && kept.responses) || {}) };
  let studentName = (kept && typeof kept.name === "string" ? kept.name : null)
    ?? model.get("student_name") ?? "";
  const results = {}; // question id -> fraction (self-check only)
  const controls = {}; // question id -> control
  const tries = {}; // question id -> checks on this page (hint first, explanation later)
  const selfCheck = spec.questions.filter((q) => !q.graded);
  const possible = selfCheck.reduce((sum, q) => sum + q.points, 0);

  const total = h("p", { class: "ck-total", role: "status", "aria-live": "polite" });
  const updateTotal = () => {
    const earned = selfCheck.reduce((s, q) => s + (results[q.id] ?? 0) * q.points, 0);
    const answered = Object.keys(results).length;
    total.textContent = selfCheck.length
      ? `Self-check score: ${+earned.toFixed(2)} / ${possible} ` +
        `(${answered} of ${plural(selfCheck.length, "question")} checked).`
      : "";
    return { earned, possible, answered, fractions: { ...results } };
  };

  const status = h("p", { class: "ck-handin-status", id: `${ns}-status`, role: "status",
    "aria-live": "polite" });
  // `shown: false` announces a message that is already on screen elsewhere (beside a field)
  const announce = (message, shown = true) => {
    status.classList.toggle("ck-sr-only", !shown);
    status.textContent = message;
  };

  // Keep every change: in the kernel (widget state) and, in the book, in this browser.
  const persist = () => {
    model.set("responses", { ...responses });
    model.set("student_name", studentName);
    model.save_changes();
    if (store && !store.write({ name: studentName, responses, saved_at: new Date().toISOString() })) {
      announce("This browser did not keep your answers: download them before you leave.");
    }
  };

  const publish = () => {
    const score = updateTotal();
    persist();
    model.set("score", score);
    model.save_changes();
    el.dispatchEvent(new CustomEvent("ck-quiz-change", { bubbles: true,
      detail: { quiz: spec.name, responses: { ...responses }, score } }));
  };

  const record = (id) => {
    const answer = controls[id].get();
    if (answer === null) delete responses[id];
    else responses[id] = answer;
    persist();
  };

  const form = h("form", { class: "ck-quiz", novalidate: true, "aria-label": spec.title });
  form.addEventListener("submit", (e) => e.preventDefault());
  form.append(h("p", { class: "ck-title", text: spec.title }));
  const onEdit = (e) => {
    const fieldset = e.target.closest && e.target.closest("fieldset.ck-question");
    if (fieldset && controls[fieldset.dataset.question]) record(fieldset.dataset.question);
  };
  form.addEventListener("change", onEdit);
  form.addEventListener("input", onEdit);

  spec.questions.forEach((q, index) => {
    const base = `${ns}-${slug(q.id)}`;
    const feedback = h("div", { class: "ck-feedback", id: `${base}-feedback`, role: "status",
      "aria-live": "polite" });
    const live = h("p", { class: "ck-sr-only", "aria-live": "polite", id: `${base}-live` });
    const check = () => onCheck();
    let control;
    if (q.type === "single" || q.type === "multiple") control = choiceControl(q, base, q.type === "multiple");
    else if (q.type === "truefalse") control = trueFalseControl(q, base);
    else if (q.type === "numeric" || q.type === "text") control = textControl(q, base, q.type === "numeric", check);
    else if (q.type === "matching") control = matchingControl(q, base);
    else if (q.type === "ordering") {
      control = orderingControl(q, base, (msg) => { live.textContent = msg; }, () => record(q.id));
    } else if (q.type === "evidence") control = evidenceControl(q, base);
    else control = { node: h("p", { text: `Unsupported question type ${q.type}.` }), get: () => null, set() {} };
    controls[q.id] = control;
    if (responses[q.id] !== undefined) control.set(responses[q.id]);

    const points = `${q.points} ${q.points === 1 ? "point" : "points"}${q.graded ? ", graded by your instructor" : ""}`;
    const button = h("button", { type: "button", class: "ck-check",
      "aria-describedby": feedback.id }, q.graded ? "Submit answer" : "Check answer");
    const fieldset = h("fieldset", { class: `ck-question ck-type-${q.type}`, id: base,
      "data-question": q.id },
      h("legend", {}, h("span", { class: "ck-number", text: `Question ${index + 1} ` }),
        h("span", { class: "ck-points", text: `(${points}) ` }),
        h("span", { class: "ck-prompt", text: q.prompt })),
      HINTS[q.type] ? h("p", { class: "ck-hint", text: HINTS[q.type] }) : null,
      control.node, h("div", { class: "ck-actions" }, button), live, feedback);

    function onCheck() {
      const answer = control.get();
      fieldset.classList.remove("ck-right", "ck-wrong", "ck-partial", "ck-recorded");
      if (answer === null) {
        feedback.replaceChildren(h("p", { class: "ck-verdict", text: "Please answer first." }));
        return;
      }
      responses[q.id] = answer;
      if (q.graded) {
        // an assessed item: kept for handing in, never judged here
        fieldset.classList.add("ck-recorded");
        feedback.replaceChildren(h("p", { class: "ck-verdict", text: isStatic
          ? "Answer noted on this page only. This question is graded by your instructor, " +
            "so no feedback is shown. Your answer is saved in this browser; to hand it in, " +
            "use “Download my answers” below."
          : "Answer recorded. This question is graded by your instructor, so no feedback " +
            "is shown here." }));
        publish();
        return;
      }
      tries[q.id] = (tries[q.id] || 0) + 1;
      const { fraction, feedback: text, hint, explanation, reference } = reply(q, answer,
        tries[q.id]);
      results[q.id] = fraction;
      fieldset.classList.add(fraction >= 1 ? "ck-right" : fraction > 0 ? "ck-partial" : "ck-wrong");
      const mark = fraction >= 1 ? "✓" : fraction > 0 ? "◐" : "✗";
      feedback.replaceChildren(...[
        h("p", { class: "ck-verdict" }, h("span", { class: "ck-mark", "aria-hidden": "true",
          text: `${mark} ` }), verdict(fraction), text ? ` ${text}` : ""),
        hint ? h("p", { class: "ck-hint-text" }, h("strong", { text: "Hint: " }), hint,
          " Try again: the explanation appears after your next try.") : null,
        explanation ? h("p", { class: "ck-explanation" },
          h("strong", { text: "Explanation: " }), explanation) : null,
        reference ? h("p", { class: "ck-reference", text: `Source: ${reference}` }) : null,
      ].filter(Boolean));
      publish();
    }
    button.addEventListener("click", check);
    form.append(fieldset);
  });

  form.append(total);
  updateTotal();
  form.append(handInPanel());
  el.replaceChildren(form);
  return () => { el.replaceChildren(); };

  // "Your answers": name, Download my answers, Clear my answers, and a live status line.
  function handInPanel() {
    const titleId = `${ns}-handin-title`;
    const nameInput = h("input", { type: "text", id: `${ns}-name`, class: "ck-text ck-name",
      autocomplete: "name", spellcheck: "false", maxlength: 200,
      "aria-describedby": `${ns}-name-help ${ns}-name-error` });
    nameInput.value = studentName;
    const nameError = h("p", { class: "ck-error", id: `${ns}-name-error` });
    nameInput.addEventListener("input", () => {
      studentName = nameInput.value;
      if (studentName.trim()) { nameError.textContent = ""; nameInput.removeAttribute("aria-invalid"); }
      persist();
    });
    nameInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); downloadButton.click(); }
    });
    const downloadButton = h("button", { type: "button", class: "ck-download" },
      "Download my answers");
    const clearButton = h("button", { type: "button", class: "ck-clear" }, "Clear my answers");
    downloadButton.addEventListener("click", () => {
      const name = nameInput.value.trim();
      if (!name) {
        nameError.textContent = "Type your name before you download your answers.";
        nameInput.setAttribute("aria-invalid", "true");
        nameInput.focus();
        announce("Type your name before you download your answers.", false);
        return;
      }
      const count = Object.keys(responses).length;
      if (!count) {
        announce("There are no answers to download yet: answer a question first.");
        return;
      }
      const filename = `${course || "course"}-${slug(spec.name)}-answers.json`;
      download(filename, responseFile({ course, quiz: spec.name, bookVersion, name,
        responses }));
      announce(`Downloaded your answers to ${plural(count, "question")} as ${filename}. ` +
        "Hand in this file as your instructor asks.");
    });
    clearButton.addEventListener("click", () => {
      const sure = window.confirm(`Clear all your answers to “${spec.title}” and your name ` +
        `from this ${store ? "browser" : "page"}? This cannot be undone.`);
      if (!sure) { announce("Nothing was cleared."); return; }
      for (const id of Object.keys(responses)) delete responses[id];
      for (const id of Object.keys(results)) delete results[id];
      for (const id of Object.keys(tries)) delete tries[id];
      Object.values(controls).forEach((c) => c.set(null));
      form.querySelectorAll("fieldset.ck-question").forEach((f) => {
        f.classList.remove("ck-right", "ck-wrong", "ck-partial", "ck-recorded");
      });
      form.querySelectorAll(".ck-feedback").forEach((f) => f.replaceChildren());
      studentName = "";
      nameInput.value = "";
      nameError.textContent = "";
      nameInput.removeAttribute("aria-invalid");
      updateTotal();
      persist();
      if (store) store.clear();
      announce("Cleared your answers and your name.");
      clearButton.focus();
    });
    const count = Object.keys(responses).length;
    if (kept && count) {
      status.textContent = `Your answers to ${plural(count, "question")} were kept in this ` +
        "browser and are filled in above.";
    }
    const keep = store
      ? "Your answers are kept in this browser (on this device only) as you type."
      : isStatic ? "This browser does not keep answers: download them before you leave."
        : "Your answers are kept in this notebook's kernel.";
    return h("div", { class: "ck-handin", role: "group", "aria-labelledby": titleId },
      h("p", { class: "ck-handin-title", id: titleId, text: "Your answers" }),
      h("p", { class: "ck-hint", id: `${ns}-name-help`, text: `${keep} To hand them in, type ` +
        "your name, download the file and hand it in as your instructor asks." }),
      h("div", { class: "ck-text-row" }, h("label", { for: nameInput.id }, "Your name"),
        nameInput),
      nameError,
      h("div", { class: "ck-actions" }, downloadButton, " ", clearButton),
      status);
  }
}

// A stand-in for the anywidget model in the book (no kernel): state kept in a Map.
export function staticModel(spec, meta = {}) {
  const state = new Map([["spec", spec], ["responses", {}], ["score", {}], ["static", true],
    ["course", meta.course || ""], ["book_version", meta.bookVersion || ""],
    ["student_name", ""]]);
  return {
    get: (key) => state.get(key),
    set: (key, value) => { state.set(key, value); },
    save_changes() {},
    on() {},
    off() {},
  };
}

export { render };
export default { render };

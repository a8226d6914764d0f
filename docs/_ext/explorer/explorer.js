// The step-size and momentum explorer: controls, the path over the contours, the value per
// step and the factor per eigen-direction, all redrawn from one run whenever a control moves.
// EXPLORER_DATA is replaced by the numbers the site build computes with gdtutor.

import { scaleLinear, scaleLog } from "d3-scale";
import { METHODS, rate, run } from "./iterate.js";

const DATA = EXPLORER_DATA; // eslint-disable-line no-undef
// Contour pictures sit next to this script, wherever the site is opened from.
const BASE = document.currentScript ? document.currentScript.src : document.baseURI;
const SVG = "http://www.w3.org/2000/svg";
const METHOD_NAMES = {
  gd: "gradient descent",
  momentum: "heavy-ball momentum",
  nesterov: "Nesterov momentum",
  adam: "Adam",
};
const HAS_MOMENTUM = new Set(["momentum", "nesterov"]);
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
// Size of the value and factor charts, in SVG units (they scale with the page).
const W = 360;
const H = 240;
const M = { left: 56, right: 12, top: 12, bottom: 40 };
const FACTOR_TOP = 2; // factors above this are drawn at the top edge
// How long a slider or a typed start must stay still before what it changed is announced.
const QUIET_MS = 600;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (parent) parent.append(node);
  return node;
}

function text(parent, x, y, content, attrs = {}) {
  const node = svg("text", { x, y, ...attrs }, parent);
  node.textContent = content;
  return node;
}

/** A number to `digits` significant digits, without trailing zeros, with a true minus. */
function fmt(value, digits = 4) {
  if (!Number.isFinite(value)) return String(value).replace("-", "−");
  if (value === 0) return "0";
  const abs = Math.abs(value);
  const s =
    abs >= 1e-3 && abs < 1e6
      ? String(Number(value.toPrecision(digits)))
      : value.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return s.replace(/e\+?/, "e").replace(/-/g, "−");
}

/** A factor per step, with digits enough that one below 1 (or above it) does not read as 1. */
function fmtFactor(rate) {
  let digits = 4;
  while (rate !== 1 && digits < 12 && Number(rate.toPrecision(digits)) === 1) digits++;
  return fmt(rate, digits);
}

function powerOfTen(exponent) {
  if (exponent === 0) return "1";
  if (exponent === 1) return "10";
  return `10${[...String(exponent)].map((c) => SUPERSCRIPT[c]).join("")}`;
}

function logTicks(scale) {
  const [lo, hi] = scale.domain();
  const first = Math.ceil(Math.log10(lo) - 1e-9);
  const last = Math.floor(Math.log10(hi) + 1e-9);
  if (last - first < 1) {
    const format = scale.tickFormat(4);
    return scale.ticks(4).map((t) => [t, fmt(Number(format(t)))]).filter(([, s]) => s !== "");
  }
  // At most six ticks, a round number of decades apart, on multiples of that number.
  const every = [1, 2, 3, 5, 10, 20, 50, 100].find((n) => (last - first) / n <= 5) ?? 200;
  const ticks = [];
  for (let k = Math.floor(last / every) * every; k >= first; k -= every) {
    ticks.push([10 ** k, powerOfTen(k)]);
  }
  return ticks;
}

function axes(parent, x, y, { xTicks, yTicks, xLabel, yLabel }) {
  const [x0, x1] = x.range();
  const [y0, y1] = y.range();
  const g = svg("g", { class: "gdt-ex-axes" }, parent);
  svg("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1, class: "gdt-ex-frame" }, g);
  for (const [value, label] of xTicks) {
    const px = x(value);
    svg("line", { x1: px, x2: px, y1: y0, y2: y0 + 4 }, g);
    const tick = text(g, px, y0 + 17, label, { "text-anchor": "middle" });
    // A label at the right end ("1000" steps) ends at its tick rather than past the chart.
    const box = tick.getBBox();
    if (box.width && box.x + box.width > W) tick.setAttribute("text-anchor", "end");
  }
  const tickLeft = [];
  for (const [value, label] of yTicks) {
    const py = y(value);
    svg("line", { x1: x0 - 4, x2: x0, y1: py, y2: py }, g);
    const tick = text(g, x0 - 6, py + 4, label, { "text-anchor": "end" });
    const box = tick.getBBox();
    if (box.width) tickLeft.push(box.x);
  }
  text(g, (x0 + x1) / 2, y0 + 33, xLabel, { "text-anchor": "middle", class: "gdt-ex-label" });
  // The axis label 12 from the edge (the margin leaves room for tick labels as long as
  // 10⁻⁴⁵, float32's smallest), or further left where a tick label reaches that far.
  const lx = Math.max(9, Math.min(12, Math.min(...tickLeft) - 3));
  text(g, lx, (y0 + y1) / 2, yLabel, {
    "text-anchor": "middle",
    class: "gdt-ex-label",
    transform: `rotate(-90 ${lx} ${(y0 + y1) / 2})`,
  });
}

/** A label for a mark at `px` on a chart, `gap` beside it at height `y`. It stays inside the
 * axes, on the side of the mark with room for it, on a backing of the background where the
 * curve passes under it. */
function markLabel(chart, px, gap, y, words, cls) {
  const left = px > (M.left + W - M.right) / 2;
  backed(text(chart, left ? px - gap : px + gap, y, words, { "text-anchor": left ? "end" : "start", class: cls }));
}

/** A backing of the background behind a label, so that no line runs through it; its box. */
function backed(label) {
  const box = label.getBBox();
  label.parentNode.insertBefore(
    svg("rect", { x: box.x - 2, y: box.y - 1, width: box.width + 4, height: box.height + 2, class: "gdt-ex-label-back" }),
    label,
  );
  return box;
}

/** The value at each step, [step, value], with the end point's value unless it overflowed. */
function valueSeries(result) {
  const series = result.values.map((v, i) => [i, v]);
  if (overflowStep(result) === null) series.push([result.points.length, result.endValue]);
  return series;
}

/** The runs of steps whose value is 0, or below it (float32's rounding of terms too small
 * for it can add up to a few of its smallest numbers below 0), as [first step, last step]
 * pairs. */
function zeroRuns(series) {
  const runs = [];
  for (const [i, v] of series) {
    if (!(v <= 0)) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs;
}

/** The values below 0 in a run of zeros. */
function belowZero(series, [from, to]) {
  return series.slice(from, to + 1).map(([, v]) => v).filter((v) => v < 0);
}

/** The run of zeros to name: the one that lasts to the last step, if one does; else the
 * first; null if there is none. */
function namedZeros(runs, last) {
  if (!runs.length) return null;
  const final = runs[runs.length - 1];
  return final[1] === last ? final : runs[0];
}

/** The steps of a run of zeros in words: "at step 3" or "at steps 3–7" (to the run's last
 * step, not "from step 3": a longer run can leave 0 again). */
function zeroSteps([from, to]) {
  return to === from ? `at step ${from}` : `at steps ${from}–${to}`;
}

/** Whether two boxes (from getBBox) are apart, with `gap` between them. */
function apart(a, b, gap = 1) {
  return a.x + a.width + gap <= b.x || b.x + b.width + gap <= a.x || a.y + a.height + gap <= b.y || b.y + b.height + gap <= a.y;
}

/** Clip the segment p–q to a rectangle (Liang–Barsky); null if it misses it. */
function clip([px, py], [qx, qy], [left, top, right, bottom]) {
  let t0 = 0;
  let t1 = 1;
  const dx = qx - px;
  const dy = qy - py;
  for (const [p, q] of [
    [-dx, px - left],
    [dx, right - px],
    [-dy, py - top],
    [dy, bottom - py],
  ]) {
    if (p === 0) {
      if (q < 0) return null;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  if (t0 > t1) return null;
  return [
    [px + t0 * dx, py + t0 * dy],
    [px + t1 * dx, py + t1 * dy],
  ];
}

/** An SVG path through the points, clipped to a box around the plot so that a path that
 * runs off to astronomically large coordinates is still drawn as leaving the plot. With
 * `escape`, the path ends at its first point outside that box: the later points of a
 * diverging run are so far away that their segments would only cross the plot as noise. */
function pathThrough(pixels, box, escape) {
  const [l, t, r, b] = box;
  const w = r - l;
  const h = b - t;
  const around = [l - w, t - h, r + w, b + h];
  let d = "";
  let last = null;
  for (let i = 1; i < pixels.length; i++) {
    const seg = clip(pixels[i - 1], pixels[i], around);
    if (seg) {
      const [a, c] = seg.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`);
      d += a === last ? `L${c}` : `M${a}L${c}`;
      last = c;
    }
    if (escape && !inside(pixels[i], around)) break;
  }
  return d;
}

function inside([x, y], [l, t, r, b]) {
  return x >= l && x <= r && y >= t && y <= b;
}

/** "1 step", "2 steps". */
function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * The number a reader typed in a start field, or NaN. A decimal comma ("1,5") reads as a
 * point, the minus sign the page prints ("−8", "1e−4") as a hyphen, and full-width digits
 * as digits. Anything that is not one plain decimal number ("-", "1e", "0x10", "1,000.5") is
 * NaN, and so is a comma that may group thousands ("1,000", "-12,500"; "0,125" is a
 * decimal); a number too large for a float ("1e400") reads as Infinity, which a caller
 * refuses as not finite.
 */
function parseStart(text) {
  const plain = text.normalize("NFKC").trim().replace(/\u2212/g, "-");
  if (/^[+-]?[1-9]\d{0,2},\d{3}$/.test(plain)) return NaN;
  const point = plain.includes(".") ? plain : plain.replace(",", ".");
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(point) ? Number(point) : NaN;
}

/** `value` kept within [lo, hi]. */
function clamp(value, [lo, hi]) {
  return Math.min(Math.max(value, lo), hi);
}

/** Whether a run overflowed or ended higher than it started. */
function diverging(result) {
  return result.diverged || !Number.isFinite(result.endValue) || result.endValue > result.values[0];
}

/** The step at which the value overflowed: where the run stopped, or the point after its
 * last step (gdtutor's loops record no value there, so such a run did not stop early). */
function overflowStep(result) {
  if (result.diverged) return result.stoppedAt;
  return Number.isFinite(result.endValue) ? null : result.points.length;
}

function slider(id, label, attrs) {
  const input = el("input", { type: "range", id, ...attrs });
  // The slider itself says its value (aria-valuetext); the readout is not announced again.
  const output = el("output", { for: id, id: `${id}-out`, "aria-live": "off" });
  return { row: el("div", { class: "gdt-ex-row" }, el("label", { for: id }, label), input, output), input, output };
}

function select(id, label, options) {
  const input = el("select", { id });
  for (const [value, name] of options) input.append(el("option", { value }, name));
  return { row: el("div", { class: "gdt-ex-row" }, el("label", { for: id }, label), input), input };
}

function mount(root, index) {
  const id = `gdt-explorer-${index}`;
  const objectives = DATA.objectives;
  const state = { ...DATA.presets[0].settings, start: [...DATA.presets[0].settings.start] };

  // -- controls ------------------------------------------------------------------------
  const objective = select(
    `${id}-objective`,
    "Objective",
    Object.entries(objectives).map(([key, o]) => [key, o.label]),
  );
  const method = select(
    `${id}-method`,
    "Method",
    METHODS.map((m) => [m, METHOD_NAMES[m]]),
  );
  const lr = slider(`${id}-lr`, "Learning rate α", {
    min: Math.log10(DATA.lr.min),
    max: Math.log10(DATA.lr.max),
    step: DATA.lr.step,
    "aria-describedby": `${id}-lr-help`,
  });
  const beta = slider(`${id}-beta`, "Momentum β", { min: 0, max: DATA.momentum.max, step: 0.01 });
  const steps = slider(`${id}-steps`, "Steps", { min: 1, max: DATA.steps.max, step: 1 });
  const startInputs = [0, 1].map((i) =>
    // A text field, not type="number": Chromium reads a decimal comma in a number field as
    // nothing ("1,5" became 15), and a phone's decimal keypad has no minus sign.
    el("input", { type: "text", id: `${id}-x${i + 1}`, autocomplete: "off", spellcheck: "false" }),
  );
  // Says when a typed start lay off the plot and was moved to its edge: for each field, the
  // value typed there that was off the plot, if any, or NOT_A_NUMBER while the field holds
  // no number the run can start from (empty, "-", 1e400).
  const startNote = el("p", { class: "gdt-ex-start-note", id: `${id}-start-note`, "aria-live": "polite" });
  const NOT_A_NUMBER = "not a number";
  // An edit that ended with no finite number in its field: the run went back to its start
  // from before the edit (a value typed on the way, "1e99" of "1e999", is not kept).
  const WENT_BACK = "went back";
  const typedOff = [null, null];
  // Each field's start when its edit began (null between edits).
  const before = [null, null];
  const clearStartNote = () => {
    typedOff.fill(null);
    announce(startNote, "");
  };
  // The note on both fields, x₁'s first.
  const startNoteText = () => {
    const view = objectives[state.objective];
    return typedOff
      .map((typed, j) => {
        if (typed === null) return "";
        const name = `x${"₁₂"[j]}`;
        if (typed === NOT_A_NUMBER) {
          return `${name} holds no finite number: the run starts at ${name} = ${fmt(state.start[j])}.`;
        }
        if (typed === WENT_BACK) {
          return `${name} held no finite number: the run starts at ${name} = ${fmt(state.start[j])}, as before.`;
        }
        const [lo, hi] = j === 0 ? view.xlim : view.ylim;
        return (
          `${name} = ${fmt(typed)} is off the plot: the run starts at its edge, ` +
          `${name} = ${fmt(state.start[j])} (the plot shows ${fmt(lo)} to ${fmt(hi)}).`
        );
      })
      .filter(Boolean)
      .join(" ");
  };
  startInputs.forEach((input) => input.setAttribute("aria-describedby", startNote.id));
  const start = el(
    "fieldset",
    { class: "gdt-ex-start" },
    el("legend", {}, "Start point (or click the contour plot)"),
    el("label", { for: startInputs[0].id }, "x₁"),
    startInputs[0],
    el("label", { for: startInputs[1].id }, "x₂"),
    startInputs[1],
    startNote,
  );
  // Read as the slider's description only, not again as loose text after the form.
  const lrHelp = el("span", { id: `${id}-lr-help`, class: "gdt-ex-hidden", "aria-hidden": "true" }, "logarithmic: each arrow-key step changes α by about 2 %");
  const form = el(
    "form",
    { class: "gdt-ex-controls", "aria-label": "Explorer settings" },
    objective.row,
    method.row,
    lr.row,
    beta.row,
    steps.row,
    start,
    lrHelp,
  );
  form.addEventListener("submit", (event) => event.preventDefault());

  const presetNote = el("p", { class: "gdt-ex-note", "aria-live": "polite" });
  const presets = el("div", { class: "gdt-ex-presets", role: "group", "aria-label": "Presets from the lessons" }, el("span", {}, "Try:"));
  DATA.presets.forEach((preset, i) => {
    const button = el("button", { type: "button", "data-preset": String(i) }, preset.label);
    button.addEventListener("click", () => {
      Object.assign(state, preset.settings, { start: [...preset.settings.start] });
      presetNote.textContent = preset.note;
      clearStartNote();
      syncControls();
      render();
    });
    presets.append(button);
  });

  // -- views ---------------------------------------------------------------------------
  const image = el("img", { alt: "", width: "1", height: "1", draggable: "false" });
  const overlay = svg("svg", { class: "gdt-ex-overlay", role: "img" });
  const plot = el("div", { class: "gdt-ex-plot" }, image, overlay);
  const pathCaption = el("figcaption", {});
  const valuesSvg = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "gdt-ex-chart gdt-ex-values" });
  const factorsSvg = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "gdt-ex-chart gdt-ex-factors" });
  const factorNote = el("p", { class: "gdt-ex-factor-note" });
  const factorCaption = el("figcaption", {});
  const factorFigure = el("figure", { class: "gdt-ex-figure gdt-ex-factor-figure" }, factorsSvg, factorNote, factorCaption);
  const status = el("p", { class: "gdt-ex-status", role: "status", "aria-live": "polite" });
  const views = el(
    "div",
    { class: "gdt-ex-views" },
    el("figure", { class: "gdt-ex-figure" }, plot, pathCaption),
    el("figure", { class: "gdt-ex-figure" }, valuesSvg, el("figcaption", {}, "The value at each step, on a log axis.")),
    factorFigure,
  );
  root.replaceChildren(form, presets, presetNote, status, views);

  // -- events --------------------------------------------------------------------------
  // A preset's note describes the preset's run: once a setting changes, it goes.
  const leavePreset = () => {
    presetNote.textContent = "";
  };
  objective.input.addEventListener("change", () => {
    state.objective = objective.input.value;
    state.start = [...objectives[state.objective].start];
    leavePreset();
    clearStartNote();
    syncControls();
    render();
  });
  method.input.addEventListener("change", () => {
    state.method = method.input.value;
    leavePreset();
    syncControls();
    render();
  });
  lr.input.addEventListener("input", () => {
    state.lr = 10 ** Number(lr.input.value);
    leavePreset();
    render(true);
  });
  beta.input.addEventListener("input", () => {
    state.momentum = Number(beta.input.value);
    leavePreset();
    render(true);
  });
  steps.input.addEventListener("input", () => {
    state.steps = Number(steps.input.value);
    leavePreset();
    render(true);
  });
  // A typed start is kept within the plot's axes, so that the run always starts where it
  // can be seen: while typing the run starts at the nearest edge and a note says so; when
  // the field is left (or Enter is pressed) it shows the start that was used.
  startInputs.forEach((input, i) => {
    // An edit begins when the field takes the focus (or, without it, at its first input) and
    // ends when the field is left; a field left as it was fires no change event.
    input.addEventListener("focus", () => {
      before[i] = state.start[i];
    });
    input.addEventListener("blur", () => {
      before[i] = null;
    });
    input.addEventListener("input", () => {
      if (before[i] === null) before[i] = state.start[i];
      // A note that a field went back is about an edit that has ended.
      typedOff.forEach((typed, j) => {
        if (typed === WENT_BACK) typedOff[j] = null;
      });
      leavePreset();
      const value = parseStart(input.value);
      if (Number.isFinite(value)) {
        const view = objectives[state.objective];
        const limits = i === 0 ? view.xlim : view.ylim;
        state.start[i] = clamp(value, limits);
        typedOff[i] = state.start[i] === value ? null : value;
        announce(startNote, startNoteText(), true);
        render(true);
      } else {
        // Being typed ("-", "1e"), emptied, or too large for a number (1e400): the run starts
        // where it did before the edit (not where a value typed on the way, 1e99 of 1e999,
        // moved it), and the note says so rather than name an earlier value.
        typedOff[i] = NOT_A_NUMBER;
        const moved = state.start[i] !== before[i];
        state.start[i] = before[i];
        announce(startNote, startNoteText(), true);
        if (moved) render(true);
      }
    });
    input.addEventListener("change", () => {
      if (typedOff[i] === NOT_A_NUMBER) {
        // The edit ended with no number the run can start from: the run starts where it did
        // before the edit, and the note stays to say so.
        typedOff[i] = WENT_BACK;
        announce(startNote, startNoteText());
      }
      // The field now shows the start the run uses. Enter ends the edit in the field, which
      // keeps the focus: a next edit begins from this start.
      input.value = String(state.start[i]);
      before[i] = document.activeElement === input ? state.start[i] : null;
    });
  });
  overlay.addEventListener("click", (event) => {
    const view = objectives[state.objective];
    const bounds = overlay.getBoundingClientRect();
    const px = ((event.clientX - bounds.left) / bounds.width) * view.size[0];
    const py = ((event.clientY - bounds.top) / bounds.height) * view.size[1];
    if (!inside([px, py], view.box)) return;
    const { x, y } = dataScales(view);
    // Two decimals: a start a reader can type in again and read in the inputs.
    state.start = [x.invert(px), y.invert(py)].map((v) => Math.round(v * 100) / 100);
    leavePreset();
    clearStartNote();
    syncControls();
    render();
  });

  function syncControls() {
    objective.input.value = state.objective;
    method.input.value = state.method;
    lr.input.value = String(Math.log10(state.lr));
    // Without momentum the slider stands at 0 (it stood at the β kept for a method with
    // momentum, beside its readout's "—").
    beta.input.value = HAS_MOMENTUM.has(state.method) ? String(state.momentum) : "0";
    beta.input.disabled = !HAS_MOMENTUM.has(state.method);
    steps.input.value = String(state.steps);
    const view = objectives[state.objective];
    startInputs.forEach((input, i) => {
      input.value = String(state.start[i]);
    });
    image.src = new URL(view.image, BASE).href;
    image.width = view.size[0];
    image.height = view.size[1];
    image.alt = `Contour lines of the ${view.label} ${view.formula}, x₁ from ${view.xlim[0]} to ${view.xlim[1]}, x₂ from ${view.ylim[0]} to ${view.ylim[1]}`;
    overlay.setAttribute("viewBox", `0 0 ${view.size[0]} ${view.size[1]}`);
    pathCaption.textContent = `The path over the contours of f(x) = ${view.formula}; the circle is the start, the cross the end (where it lies on the plot), the ringed dot the minimum. Click to move the start.`;
  }

  // A slider moved by its arrow keys, or a start being typed, changes the run at every step:
  // the status (and the note on a start off the plot) shows each change at once, but is
  // announced once the control has been still for QUIET_MS, not once per step (a screen
  // reader would queue each message).
  const quiet = new Map(); // each live region's pending announcement
  function announce(region, message, moving = false) {
    clearTimeout(quiet.get(region));
    region.setAttribute("aria-live", moving ? "off" : "polite");
    region.textContent = message;
    if (moving) {
      quiet.set(
        region,
        setTimeout(() => {
          region.setAttribute("aria-live", "polite");
          // New text in the live region: what a screen reader announces.
          quiet.set(region, setTimeout(() => region.replaceChildren(...(message ? [message] : [])), 50));
        }, QUIET_MS),
      );
    }
  }

  function render(moving = false) {
    const result = run(state.objective, state.method, state, DATA.constants);
    lr.output.textContent = fmt(state.lr);
    beta.output.textContent = HAS_MOMENTUM.has(state.method) ? fmt(state.momentum) : "—";
    steps.output.textContent = String(state.steps);
    // Screen readers hear α itself, not the slider's position on its log scale.
    lr.input.setAttribute("aria-valuetext", `α = ${fmt(state.lr)}`);
    beta.input.setAttribute(
      "aria-valuetext",
      HAS_MOMENTUM.has(state.method) ? `β = ${fmt(state.momentum)}` : `not used by ${METHOD_NAMES[state.method]}`,
    );
    drawPath(result);
    // The value at each step, and its runs of steps at 0 or below: drawn, then told.
    const series = valueSeries(result);
    const zeros = zeroRuns(series);
    drawValues(result, series, zeros);
    drawFactors();
    describe(result, series, zeros, moving);
  }

  function dataScales(view) {
    const [l, t, r, b] = view.box;
    return { x: scaleLinear(view.xlim, [l, r]), y: scaleLinear(view.ylim, [b, t]) };
  }

  function drawPath(result) {
    const view = objectives[state.objective];
    const { x, y } = dataScales(view);
    const [l, t, r, b] = view.box;
    overlay.replaceChildren();
    const clipId = `${id}-clip`;
    svg("rect", { x: l, y: t, width: r - l, height: b - t }, svg("clipPath", { id: clipId }, overlay));
    const g = svg("g", { "clip-path": `url(#${clipId})` }, overlay);
    const pixels = [...result.points, result.end].map(([u, v]) => [x(u), y(v)]);
    svg("path", { d: pathThrough(pixels, view.box, diverging(result)), class: "gdt-ex-path" }, g);
    if (pixels.length <= 61) {
      for (const [px, py] of pixels) svg("circle", { cx: px, cy: py, r: 2.2, class: "gdt-ex-dot" }, g);
    }
    const [sx, sy] = pixels[0];
    svg("circle", { cx: sx, cy: sy, r: 5, class: "gdt-ex-start-mark" }, g);
    const [ex, ey] = pixels[pixels.length - 1];
    if (inside([ex, ey], view.box)) {
      svg("path", { d: `M${ex - 5},${ey - 5}L${ex + 5},${ey + 5}M${ex - 5},${ey + 5}L${ex + 5},${ey - 5}`, class: "gdt-ex-end-mark" }, g);
    }
    // The minimum: a dot in a ring, which shows around the end's cross when a run ends there.
    const [mx, my] = view.minimum;
    svg("circle", { cx: x(mx), cy: y(my), r: 9, class: "gdt-ex-minimum-ring" }, g);
    svg("circle", { cx: x(mx), cy: y(my), r: 2.5, class: "gdt-ex-minimum" }, g);
    overlay.dataset.points = String(pixels.length);
    overlay.setAttribute(
      "aria-label",
      `Path of ${plural(result.points.length, "recorded point")} from (${fmt(state.start[0])}, ${fmt(state.start[1])})`,
    );
  }

  /** The factor per step of the direction of curvature `lambda`, at the current settings. */
  const factorAt = (lambda) => rate(state.method, state.lr, state.momentum, lambda);

  function drawValues(result, series, zeros) {
    valuesSvg.replaceChildren();
    const overflow = overflowStep(result);
    const positive = series.map(([, v]) => v).filter((v) => v > 0);
    let lo = positive.length ? Math.min(...positive) : 1e-10;
    let hi = positive.length ? Math.max(...positive) : 1;
    if (hi / lo < 10) [lo, hi] = [lo / 3, hi * 3];
    // Values of 0 are drawn on the bottom edge, labelled 0: room for it below the smallest
    // positive value, and no other tick label beside it.
    if (zeros.length) lo /= 30;
    const x = scaleLinear([0, state.steps], [M.left, W - M.right]);
    const y = scaleLog([lo, hi], [H - M.bottom, M.top]).nice();
    const floor = y.domain()[0];
    const yTicks = zeros.length
      ? [...logTicks(y).filter(([t]) => y(t) < y(floor) - 12), [floor, "0"]]
      : logTicks(y);
    axes(valuesSvg, x, y, {
      // Steps are whole numbers: a short run gets no ticks at 0.2, 0.4, ….
      xTicks: x
        .ticks(5)
        .filter(Number.isInteger)
        .map((t) => [t, String(t)]),
      yTicks,
      xLabel: "step",
      yLabel: "f(x)",
    });
    // A value of 0 or below (the minimum itself, or float32's rounding of terms too small for it)
    // has no place on a log axis: the curve drops to the bottom edge there, its steps at 0
    // are a dashed line along that edge, and a label names them.
    const at = ([i, v]) => `${x(i).toFixed(2)},${y(Math.max(v, floor)).toFixed(2)}`;
    const bothZero = (k) => k > 0 && series[k - 1][1] <= 0 && series[k][1] <= 0;
    const d = series.map((p, k) => `${k && !bothZero(k) ? "L" : "M"}${at(p)}`).join("");
    svg("path", { d, class: "gdt-ex-curve" }, valuesSvg);
    for (const [from, to] of zeros.filter(([from, to]) => to > from)) {
      svg("path", { d: `M${x(from).toFixed(2)},${y(floor).toFixed(2)}H${x(to).toFixed(2)}`, class: "gdt-ex-zero" }, valuesSvg);
    }
    const last = series.length ? series[series.length - 1][0] : 0;
    const named = namedZeros(zeros, last);
    if (named) {
      const words = `f ${belowZero(series, named).length ? "≤" : "="} 0 ${zeroSteps(named)}`;
      // Over the steps at 0, where the curve lies on the edge, if they leave room for it.
      const [a, b] = [x(named[0]), x(named[1])];
      if (b - a > 110) text(valuesSvg, (a + b) / 2, y(floor) - 6, words, { "text-anchor": "middle", class: "gdt-ex-zero-label" });
      else markLabel(valuesSvg, a, 4, y(floor) - 6, words, "gdt-ex-zero-label");
    }
    if (overflow !== null && series.length) {
      // The value at the overflow step is off the chart: a cross marks that step at the top
      // of the axes, one step after the curve's last (finite) value.
      const px = x(overflow);
      const py = M.top + 6;
      svg("path", { d: `M${px - 5},${py - 5}L${px + 5},${py + 5}M${px - 5},${py + 5}L${px + 5},${py - 5}`, class: "gdt-ex-stop" }, valuesSvg);
      markLabel(valuesSvg, px, 9, py + 16, `overflow at step ${overflow}`, "gdt-ex-warn");
    }
    valuesSvg.dataset.points = String(series.length);
    valuesSvg.setAttribute(
      "aria-label",
      `Value per step on a log axis, from ${fmt(series[0]?.[1] ?? NaN)} to ${fmt(series[series.length - 1]?.[1] ?? NaN)}`,
    );
  }

  function drawFactors() {
    factorsSvg.replaceChildren();
    const view = objectives[state.objective];
    factorFigure.classList.toggle("gdt-ex-no-chart", state.method === "adam");
    if (state.method === "adam") {
      factorsSvg.style.display = "none";
      factorNote.textContent =
        "Adam divides each coordinate's step by a running root mean square of its gradients, so its step is not a fixed linear map: it has no factor per direction to draw.";
      factorCaption.textContent = "";
      return;
    }
    factorsSvg.style.display = "";
    const lambdas = view.eigenvalues;
    const x = scaleLog([DATA.lr.min, DATA.lr.max], [M.left, W - M.right]);
    const y = scaleLinear([0, FACTOR_TOP], [H - M.bottom, M.top]);
    svg("rect", { x: M.left, y: y(1), width: W - M.left - M.right, height: y(0) - y(1), class: "gdt-ex-stable" }, factorsSvg);
    axes(factorsSvg, x, y, {
      xTicks: logTicks(x),
      yTicks: [0, 0.5, 1, 1.5, 2].map((t) => [t, String(t)]),
      xLabel: "learning rate α",
      yLabel: "factor per step",
    });
    const clipId = `${id}-factor-clip`;
    svg("rect", { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom }, svg("clipPath", { id: clipId }, factorsSvg));
    const g = svg("g", { "clip-path": `url(#${clipId})` }, factorsSvg);
    const alphas = Array.from({ length: 241 }, (_, k) => DATA.lr.min * (DATA.lr.max / DATA.lr.min) ** (k / 240));
    const distinct = lambdas.filter((l, i) => i === 0 || Math.abs(l - lambdas[i - 1]) > 1e-9 * l);
    const rates = distinct.map(factorAt);
    const drawn = []; // the box of each straight piece of every line drawn, for the labels
    distinct.forEach((lambda, i) => {
      const points = alphas.map((a) => [x(a), y(Math.min(rate(state.method, a, state.momentum, lambda), FACTOR_TOP * 1.05))]);
      const d = points.map(([u, v], k) => `${k ? "L" : "M"}${u.toFixed(2)},${v.toFixed(2)}`).join("");
      svg("path", { d, class: `gdt-ex-rate gdt-ex-c${i}` }, g);
      points.slice(1).forEach(([u, v], k) => {
        const [u0, v0] = points[k];
        drawn.push([Math.min(u0, u), Math.max(u0, u), Math.min(v0, v), Math.max(v0, v)]);
      });
    });
    const marks = state.method === "gd" ? [[view.bestLr, "α*", -3], [view.maxStableLr, "2/λmax", 3]] : [];
    for (const [value] of marks) {
      svg("line", { x1: x(value), x2: x(value), y1: M.top, y2: H - M.bottom, class: "gdt-ex-mark" }, g);
    }
    const px = x(state.lr);
    svg("line", { x1: px, x2: px, y1: M.top, y2: H - M.bottom, class: "gdt-ex-now" }, g);
    rates.forEach((r, i) => {
      svg("circle", { cx: px, cy: y(Math.min(r, FACTOR_TOP)), r: 4, class: `gdt-ex-rate-dot gdt-ex-c${i}` }, g);
    });
    // The labels go on top, each with a halo of the background. A region's label goes at the
    // left of the chart, or else at the first place to the right where no line runs through
    // it (the lines at α, α* and 2/λmax, and the curves). α* and 2/λmax, often close
    // together, go on two rows, each lower still where it would cover the label of the
    // unstable region.
    for (const v of [px, ...marks.map(([value]) => x(value))]) drawn.push([v, v, M.top, H - M.bottom]);
    const region = (baseline, content) => {
      const node = text(factorsSvg, M.left + 4, baseline, content, { class: "gdt-ex-region" });
      const box = node.getBBox();
      const clear = (left) =>
        drawn.every(([x0, x1, y0, y1]) => x1 < left - 4 || x0 > left + box.width + 4 || y1 < box.y - 2 || y0 > box.y + box.height + 2);
      for (let left = M.left + 4; left + box.width <= W - M.right - 4; left += 2) {
        if (clear(left)) {
          node.setAttribute("x", left);
          return node.getBBox();
        }
      }
      // No room anywhere: at the left, on a backing of what lies behind it (in the stable
      // region, the band), which hides the lines where they pass.
      if (backed(node).y > y(1)) {
        const band = node.previousSibling.cloneNode();
        band.setAttribute("class", "gdt-ex-stable");
        node.before(band);
      }
      return box;
    };
    region(y(0) - 5, "stable: shrinks");
    const taken = [region(M.top + 12, "unstable: grows")];
    marks.forEach(([value, label, side], row) => {
      const anchor = side < 0 ? "end" : "start";
      const name = svg("text", { x: x(value) + side, y: M.top + 12 + 14 * row, class: "gdt-ex-region", "text-anchor": anchor }, g);
      name.textContent = label;
      let box = name.getBBox();
      for (let lower = 1; lower <= 4 && !taken.every((t) => apart(box, t)); lower++) {
        name.setAttribute("y", M.top + 12 + 14 * (row + lower));
        box = name.getBBox();
      }
      taken.push(box);
      // A steep curve can pass right through the label: a backing of the background hides it.
      backed(name);
    });
    const names = distinct.map((l) => (distinct.length === 1 && lambdas.length > 1 ? `λ₁ = λ₂ = ${fmt(l)}` : `λ = ${fmt(l)}`));
    const parts = rates.map((r, i) => `${fmtFactor(r)} (${names[i]})`);
    const worst = Math.max(...rates);
    // On a quadratic the factors hold everywhere; elsewhere (Rosenbrock) only near the point
    // whose Hessian they come from: far from it a run can climb, or settle, whatever they say.
    const near = view.curvatureAt ? ` near ${view.curvatureAt}` : "";
    let verdict = `all below 1, so${near} every direction shrinks; the slowest, ${fmtFactor(worst)}, sets the pace`;
    const onMinimum = state.start.every((v, i) => v === view.minimum[i]);
    if (worst >= 1 && onMinimum) verdict = `${fmtFactor(worst)} is not below 1, so that direction does not shrink; this run starts on the minimum, where the gradient is 0, and stays there`;
    else if (worst >= 1 && near) verdict = `${fmtFactor(worst)} is not below 1, so${near} that direction does not shrink: the run cannot settle on the minimum`;
    else if (worst >= 1) verdict = `${fmtFactor(worst)} is not below 1, so that direction does not shrink and the run ${worst > 1 ? "diverges" : "never settles"}`;
    factorNote.textContent = `At α = ${fmt(state.lr)}: ${parts.join(", ")}; ${verdict}.`;
    factorNote.dataset.factors = JSON.stringify(rates);
    const what = state.method === "gd" ? "|1 − αλ|" : `the spectral radius of ${METHOD_NAMES[state.method]} at β = ${fmt(state.momentum)}`;
    const where = view.curvatureAt ? ` of the Hessian at ${view.curvatureAt}, where the function is close to a quadratic` : "";
    factorCaption.textContent = `Factor per step, ${what}, for each eigen-direction${where}, against α; the shaded band is the stable region.`;
    // A short name: the paragraph right after the chart says the factors at α.
    factorsSvg.setAttribute("aria-label", "Chart of the factor per step against α, for each eigen-direction");
  }

  function describe(result, series, runs, moving) {
    const view = objectives[state.objective];
    const { x, y } = dataScales(view);
    const leaves = [...result.points, result.end].some(([u, v]) => !inside([x(u), y(v)], view.box));
    let message;
    if (result.diverged) {
      const what = Number.isNaN(result.endValue) ? "was not a number" : "overflowed float32";
      message =
        `Diverged: at step ${result.stoppedAt} the value ${what} (its largest number is ` +
        `${fmt(DATA.float32Max)}), so the run stopped there, as gdtutor's loops do.`;
    } else {
      const first = result.values[0];
      // Non-breaking spaces keep each "=" with what it names and its value.
      const end = `After ${plural(state.steps, "step")}: x\u00a0=\u00a0(${fmt(result.end[0])}, ${fmt(result.end[1])}), f(x)\u00a0=\u00a0${fmt(result.endValue)}.`;
      if (overflowStep(result) !== null) {
        message =
          `${end} The value overflowed float32 (its largest number is ${fmt(DATA.float32Max)}) ` +
          `at this last point: this run diverges.`;
      } else {
        // A value above the start's after a few steps is not yet divergence (heavy ball's
        // first swings climb): where the factors say every direction shrinks, say only that.
        // They say what a run does on a quadratic only: Adam has none, and Rosenbrock's hold
        // near its minimum alone; there the value is only compared with the start's.
        const linear = state.method !== "adam" && !view.curvatureAt;
        const shrinks = linear && view.eigenvalues.every((lambda) => factorAt(lambda) < 1);
        if (!diverging(result)) message = end;
        else if (!linear) message = `${end} The value is above the start's, ${fmt(first)}, at this step.`;
        else if (shrinks) message = `${end} The value is above the start's ${fmt(first)} so far; every direction's factor is below 1, so with more steps it shrinks.`;
        else message = `${end} The value grew from ${fmt(first)}: this run diverges, and with more steps it would overflow float32.`;
      }
    }
    const zeros = namedZeros(runs, series.length - 1);
    if (zeros) {
      const step = zeros[0];
      const below = belowZero(series, zeros);
      const allBelow = below.length === zeros[1] - zeros[0] + 1;
      const [mx, my] = view.minimum;
      const atMinimum = (k) => {
        const [u, v] = k < result.points.length ? result.points[k] : result.end;
        return u === mx && v === my;
      };
      const coarse = `the terms of its formula are so small that float32 keeps them only to whole multiples of its smallest positive number, ${fmt(DATA.float32Min, 2)}`;
      const negative = below.length ? `${fmt(Math.min(...below))}, below 0, though f itself is never negative` : "";
      let why = "the point is the minimum itself";
      if (atMinimum(step) && below.length) {
        why += `; at ${plural(below.length, "later step")} it has moved off again, and as ${coarse}, the value there comes out as low as ${negative}`;
      } else if (!atMinimum(step)) {
        let sum = "they add up to 0";
        if (allBelow) sum = `they add up to a little below 0, as low as ${negative}`;
        else if (below.length) sum += `, or ${below.length === 1 ? "at one step" : `at ${below.length} steps`} to as low as ${negative}`;
        why = `the point there is not the minimum, but ${coarse}, and rounded that coarsely ${sum}`;
        // A run that goes on to land on the minimum (heavy ball's) says when.
        let lands = step + 1;
        while (lands < series.length && !atMinimum(lands)) lands++;
        if (lands < series.length) why += `; at step ${lands} the point reaches the minimum itself`;
      }
      const when = zeroSteps(zeros);
      const what = allBelow ? "below 0" : below.length ? "0 or below" : "0";
      message += ` The value is ${what} ${when}: ${why}; on the log axis the curve drops to its bottom edge there.`;
      // The chart shows every run of zeros; the words name one, and count the others.
      const others = runs.filter((run) => run !== zeros);
      if (others.length) {
        const count = others.reduce((n, [from, to]) => n + to - from + 1, 0);
        const low = others.flatMap((run) => belowZero(series, run));
        const least = low.length ? `, as low as ${fmt(Math.min(...low))}` : "";
        message += ` It is also ${low.length ? "0 or below" : "0"} at ${plural(count, "other step")}${least}.`;
      }
    }
    if (leaves) message += " The path leaves the plot.";
    announce(status, message, moving);
    // The exact settings and outcome, for readers' tools and the site's tests.
    Object.assign(status.dataset, {
      objective: state.objective,
      method: state.method,
      lr: String(state.lr),
      momentum: String(state.momentum),
      steps: String(state.steps),
      startX: String(state.start[0]),
      startY: String(state.start[1]),
      diverged: String(result.diverged),
      stoppedAt: String(result.stoppedAt ?? ""),
      recorded: String(result.points.length),
      endX: String(result.end[0]),
      endY: String(result.end[1]),
      endValue: String(result.endValue),
      leaves: String(leaves),
    });
  }

  syncControls();
  render();
}

function init() {
  document.querySelectorAll(".gdt-explorer").forEach((root, i) => mount(root, i));
}

// For readers who want to run the explorer's iterations from the browser console, and for
// the site's tests, which compare them with torch.
window.gdtutorExplorer = { data: DATA, run: (objective, method, settings) => run(objective, method, settings, DATA.constants), rate, fmt };

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

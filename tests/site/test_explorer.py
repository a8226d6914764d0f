"""The step-size explorer on the theory page, tested in a real browser as a reader uses it.

Its own JavaScript iterations are run for a table of settings and compared with gdtutor's
torch runs; its sliders are moved with the keyboard and the mouse, a start is clicked on the
contour plot, and what it then shows is checked against torch again. It is also opened from
a copy of the site on disk, in Chromium and in Firefox ESR, with no network.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gdtutor import gradient_descent, hessian, optimize, parabola, rosenbrock, skewed
from gdtutor.stepsize import contraction_factors, step_size_bounds
from tests.site.conftest import DESKTOP, HTML, PHONE, contrast

PAGE = "theory/step_size.html"
ASSETS = HTML / "_static" / "explorer"
BUDGET = 80 * 1024  # bytes of script, data and style the explorer may add to a page
FIREFOX = "/usr/bin/firefox-esr"
OBJECTIVES = {"parabola": parabola, "skewed": skewed, "rosenbrock": rosenbrock}
MINIMA = {"parabola": (0.0, 0.0), "skewed": (0.0, 0.0), "rosenbrock": (1.0, 1.0)}
STARTS = {
    "parabola": [(8.0, 8.0), (-3.5, 6.25)],
    "skewed": [(8.0, 8.0), (-8.0, 4.0)],
    "rosenbrock": [(-1.2, 1.0), (1.8, 1.5)],
}
# The explorer runs in float32, as the course does. Its points may differ from torch's by
# float32 rounding: a few units of float32's epsilon relative to the size of the run.
ROUNDING = 8 * float(np.finfo(np.float32).eps)
ID = "#gdt-explorer-0"


@dataclass(frozen=True)
class Case:
    objective: str
    method: str
    lr: float
    momentum: float
    start: tuple[float, float]
    steps: int = 300

    def settings(self) -> dict:
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "start": list(self.start),
            "steps": self.steps,
        }


def torch_run(objective: str, method: str, lr: float, momentum: float, start, steps: int):  # type: ignore[no-untyped-def]
    """gdtutor's run of these settings, in float32 (a list start takes torch's default dtype)."""
    f = OBJECTIVES[objective]
    start = [float(start[0]), float(start[1])]
    if method == "gd":
        return gradient_descent(f, start, lr=lr, steps=steps)
    if method == "adam":
        return optimize(f, start, "Adam", lr=lr, steps=steps)
    nesterov = method == "nesterov"
    return optimize(f, start, "SGD", lr=lr, steps=steps, momentum=momentum, nesterov=nesterov)


def _table() -> list[Case]:
    """Each objective × method at a few learning rates (fractions and multiples of the
    largest stable step of gradient descent, so that some runs diverge), momenta and starts."""
    cases = []
    for objective, starts in STARTS.items():
        edge = step_size_bounds(hessian(OBJECTIVES[objective], at=MINIMA[objective])).max_stable_lr
        for start, factor in itertools.product(starts, (0.05, 0.9, 1.1)):
            cases.append(Case(objective, "gd", factor * edge, 0.0, start))
        for method, start, factor, beta in itertools.product(
            ("momentum", "nesterov"), starts, (0.1, 1.0, 2.5), (0.5, 0.9)
        ):
            cases.append(Case(objective, method, factor * edge, beta, start))
        for start, lr in itertools.product(starts, (0.01, 0.1)):
            cases.append(Case(objective, "adam", lr, 0.0, start))
    return cases


TABLE = _table()


def mismatch(js: dict, run) -> float:  # type: ignore[no-untyped-def]
    """The largest difference between the explorer's run and torch's, in units of float32's
    epsilon times the run's size; infinite if they stop at different steps."""
    if js["diverged"] != run.diverged or len(js["points"]) != len(run.points):
        return math.inf
    worst = 0.0
    pairs = [
        (np.array(js["points"], dtype=float).reshape(-1, 2), run.points),
        (np.array(js["values"], dtype=float), run.values),
        (np.array(js["end"], dtype=float), run.end_point),
    ]
    eps = float(np.finfo(np.float32).eps)
    for mine, theirs in pairs:
        if theirs.size:
            scale = max(1.0, float(np.abs(theirs).max()))
            worst = max(worst, float(np.abs(mine - theirs).max()) / (eps * scale))
    return worst


@pytest.fixture(scope="module")
def page(browser, site_url: str):  # type: ignore[no-untyped-def]
    """The theory page at desktop width, with every request outside the site refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    problems: list[str] = []

    def route(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith((site_url, "data:")):
            route.continue_()
        else:
            problems.append(f"request outside the site: {route.request.url}")
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    page.goto(f"{site_url}/{PAGE}", wait_until="load")
    page.wait_for_selector(".gdt-ex-status[data-diverged]")
    page.problems = problems
    yield page
    context.close()


def shown(page) -> dict:  # type: ignore[no-untyped-def]
    """What the explorer shows: its settings and outcome, its readouts and its curves."""
    return page.evaluate(
        """() => {
          const root = document.querySelector('.gdt-explorer');
          const status = root.querySelector('.gdt-ex-status');
          return {
            ...status.dataset,
            text: status.textContent,
            outputs: [...root.querySelectorAll('output')].map(o => o.textContent),
            path: root.querySelector('.gdt-ex-path').getAttribute('d'),
            curve: root.querySelector('.gdt-ex-curve').getAttribute('d'),
            factors: root.querySelector('.gdt-ex-factor-note').textContent,
          };
        }"""
    )


def numbers(text: str) -> list[float]:
    return [float(s.replace("−", "-")) for s in re.findall(r"−?\d+(?:\.\d+)?(?:e−?\d+)?", text)]


def assert_matches_torch(view: dict):  # type: ignore[no-untyped-def]
    """The run the explorer shows is torch's run of the settings it shows."""
    run = torch_run(
        view["objective"],
        view["method"],
        float(view["lr"]),
        float(view["momentum"]),
        (float(view["startX"]), float(view["startY"])),
        int(view["steps"]),
    )
    assert view["diverged"] == str(run.diverged).lower()
    assert int(view["recorded"]) == len(run)
    end = np.array([float(view["endX"]), float(view["endY"])])
    scale = max(1.0, float(np.abs(run.points).max()))
    assert np.abs(end - run.end_point).max() <= ROUNDING * scale, (end, run.end_point)
    if run.diverged:
        assert f"at step {len(run)} " in view["text"]
    else:
        value = float(OBJECTIVES[view["objective"]](torch.tensor(run.end_point)))
        assert float(view["endValue"]) == pytest.approx(value, rel=ROUNDING, abs=1e-30)
        # The sentence a reader sees: "After N steps: x = (x1, x2), f(x) = v."
        steps, x1, x2, *rest = numbers(view["text"])
        assert steps == int(view["steps"])
        assert [x1, x2] == pytest.approx(run.end_point, rel=1e-3, abs=1e-4)
        if math.isfinite(value):
            assert rest[0] == pytest.approx(value, rel=1e-3, abs=1e-4)
        else:  # overflowed at the point after the last step, where no value is recorded
            assert "f(x)\u00a0=\u00a0Infinity. The value overflowed float32" in view["text"]
    return run


# -- size and self-containment -------------------------------------------------------------


def test_script_data_and_style_fit_the_budget() -> None:
    files = [ASSETS / "explorer.js", ASSETS / "explorer.css"]
    total = sum(f.stat().st_size for f in files)
    assert total <= BUDGET, f"the explorer's script, data and style take {total} bytes"


def test_bundle_names_nothing_outside_the_site() -> None:
    script = (ASSETS / "explorer.js").read_text(encoding="utf-8")
    urls = set(re.findall(r"https?://[^\s\"'`)]+", script))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls


def test_contour_pictures_map_exactly_to_the_axes() -> None:
    """The data's axes box sits on the pictures' black axes frame, pixel for pixel."""
    from PIL import Image

    html = (HTML / PAGE).read_text(encoding="utf-8")
    assert 'class="gdt-explorer"' in html
    data = _data_from_bundle()
    for name, view in data["objectives"].items():
        with Image.open(ASSETS / view["image"]) as picture:
            pixels = np.asarray(picture.convert("L"), dtype=float)
        assert list(pixels.shape[::-1]) == view["size"], name
        left, top, right, bottom = view["box"]
        rows = slice(round(top) + 5, round(bottom) - 5)
        cols = slice(round(left) + 5, round(right) - 5)
        # matplotlib snaps the frame's lines to whole pixels: the dark line lies within a
        # pixel of each edge of the box (the contours themselves are not snapped).
        for edge in (left, right):
            darkest = min(pixels[rows, c].mean() for c in range(int(edge) - 1, int(edge) + 2))
            assert darkest < 80, (name, "vertical edge", edge)
        for edge in (top, bottom):
            darkest = min(pixels[r, cols].mean() for r in range(int(edge) - 1, int(edge) + 2))
            assert darkest < 80, (name, "horizontal edge", edge)
        assert pixels[rows, int(left) - 4].mean() > 200, name
        assert pixels[int(top) - 4, cols].mean() > 200, name


def _data_from_bundle() -> dict:
    """The numbers the build wrote into the bundle, read back by running it in Node."""
    script = ASSETS / "explorer.js"
    program = (
        "globalThis.window = globalThis; globalThis.document = {readyState: 'complete', "
        "querySelectorAll: () => [], currentScript: null, baseURI: 'file:///'};"
        f"require({str(script)!r}); console.log(JSON.stringify(window.gdtutorExplorer.data));"
    )
    out = subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True)
    import json

    return json.loads(out.stdout)


# -- parity with torch -------------------------------------------------------------------


def test_iterations_match_torch(page) -> None:  # type: ignore[no-untyped-def]
    runs = page.evaluate(
        "cases => cases.map(c => window.gdtutorExplorer.run(c.objective, c.method, c.settings))",
        [{"objective": c.objective, "method": c.method, "settings": c.settings()} for c in TABLE],
    )
    worst = {}
    for case, js in zip(TABLE, runs, strict=True):
        run = torch_run(case.objective, case.method, case.lr, case.momentum, case.start, case.steps)
        worst[case] = mismatch(js, run)
    bad = {c: w for c, w in worst.items() if w > 8}
    assert bad == {}, f"{len(bad)} of {len(TABLE)} runs differ from torch: {bad}"
    # The table covers runs that converge and runs that overflow float32.
    diverged = [js["diverged"] for js in runs]
    assert any(diverged) and not all(diverged)
    assert {c.method for c in TABLE} == {"gd", "momentum", "nesterov", "adam"}


def test_adams_path_on_rosenbrock_at_a_large_rate_parts_from_torchs(page) -> None:  # type: ignore[no-untyped-def]
    """The page's one exception to "to float32 rounding": Adam on Rosenbrock at α = 1 starts
    as torch's run, and last-bit differences of its square root grow until the paths part."""
    start = [
        float(v) for v in page.evaluate("window.gdtutorExplorer.data.objectives.rosenbrock.start")
    ]
    settings = {"lr": 1.0, "momentum": 0.0, "start": start, "steps": 1000}
    js = page.evaluate("s => window.gdtutorExplorer.run('rosenbrock', 'adam', s)", settings)
    run = torch_run("rosenbrock", "adam", 1.0, 0.0, start, 1000)
    gaps = np.abs(np.array(js["points"], dtype=float).reshape(-1, 2) - run.points).max(axis=1)
    eps = float(np.finfo(np.float32).eps)
    assert gaps[:10].max() <= 8 * eps * max(1.0, float(np.abs(run.points[:10]).max())), gaps[:10]
    # Where the two square roots round alike (it depends on the CPU torch runs on), the paths
    # do not part; where they do not, the differences grow.
    if gaps.any():
        assert gaps.max() > 1e-2, gaps.max()
    text = (HTML / PAGE).read_text(encoding="utf-8")
    assert "on Rosenbrock at large α such differences grow over a run until its" in text


def test_presets_are_torch_runs_of_the_lessons_settings(page) -> None:  # type: ignore[no-untyped-def]
    data = page.evaluate("window.gdtutorExplorer.data")
    presets = {p["label"].split(" =")[0].split(":")[0]: p["settings"] for p in data["presets"]}
    valley = step_size_bounds(hessian(skewed, at=(0.0, 0.0)))
    low, high = valley.eigenvalues
    assert presets["Course α"]["lr"] == 0.001
    assert presets["Best step α*"]["lr"] == pytest.approx(2 / (low + high), rel=1e-12)
    assert presets["Best step α*"]["lr"] == pytest.approx(0.02, rel=1e-12)
    assert presets["Just past 2/λmax"]["lr"] == pytest.approx(1.1 * 2 / high, rel=1e-12)
    polyak = presets["Polyak's heavy ball"]
    root_kappa = math.sqrt(high / low)
    assert polyak["lr"] == pytest.approx(4 / (math.sqrt(high) + math.sqrt(low)) ** 2)
    assert polyak["momentum"] == pytest.approx(((root_kappa - 1) / (root_kappa + 1)) ** 2)
    for settings in presets.values():
        js = page.evaluate("s => window.gdtutorExplorer.run(s.objective, s.method, s)", settings)
        run = torch_run(
            settings["objective"],
            settings["method"],
            settings["lr"],
            settings["momentum"],
            settings["start"],
            settings["steps"],
        )
        assert mismatch(js, run) <= 8, settings
        assert js["diverged"] == (settings is presets["Just past 2/λmax"])


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_factors_are_the_spectral_radii_of_the_update(page, method: str) -> None:  # type: ignore[no-untyped-def]
    """The factor plot's rates against numpy's eigenvalues of each method's iteration matrix
    on one eigen-direction (state: the component and, with momentum, the buffer)."""
    lambdas = [7.5, 20.0, 92.4]
    grid = list(itertools.product([1e-4, 0.003, 0.02, 0.03, 0.2], [0.0, 0.3, 0.9], lambdas))
    rates = page.evaluate(
        "([method, grid]) => grid.map(([a, b, l]) => window.gdtutorExplorer.rate(method, a, b, l))",
        [method, grid],
    )
    for (lr, beta, lam), rate in zip(grid, rates, strict=True):
        if method == "gd":
            expected = contraction_factors([[lam]], lr)[0]
        elif method == "momentum":  # buf ← β buf + λc;  c ← c − α buf
            m = np.array([[1 - lr * lam, -lr * beta], [lam, beta]])
            expected = np.abs(np.linalg.eigvals(m)).max()
        else:  # buf ← β buf + λc;  c ← c − α (λc + β buf)
            m = np.array([[1 - lr * lam * (1 + beta), -lr * beta**2], [lam, beta]])
            expected = np.abs(np.linalg.eigvals(m)).max()
        assert rate == pytest.approx(expected, rel=1e-9, abs=1e-12), (lr, beta, lam)


# -- as a reader uses it -----------------------------------------------------------------


def _reset(page) -> dict:  # type: ignore[no-untyped-def]
    page.click("[data-preset='0']")
    return shown(page)


def test_loads_without_errors_or_outside_requests(page) -> None:  # type: ignore[no-untyped-def]
    view = _reset(page)
    assert page.problems == []
    assert page.evaluate(
        "() => { const i = document.querySelector('.gdt-ex-plot img'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    # The first preset is the course's run of lesson 4.
    assert (view["objective"], view["method"], float(view["lr"])) == ("skewed", "gd", 0.001)
    assert_matches_torch(view)


def test_every_control_is_labelled_and_native(page) -> None:  # type: ignore[no-untyped-def]
    _reset(page)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('.gdt-explorer input, .gdt-explorer select')]
            .filter(e => e.labels.length === 0 || !e.labels[0].textContent.trim())
            .map(e => e.id)"""
    )
    assert unlabelled == []
    # Native range inputs: keyboard-operable, with their labels as accessible names.
    for name in ("Learning rate α", "Momentum β", "Steps"):
        assert page.get_by_role("slider", name=name, exact=True).count() == 1
    assert page.get_by_role("button").filter(has_text="Polyak's heavy ball").count() == 1


def assert_setting_follows(slider, label: str, before: dict, after: dict) -> None:  # type: ignore[no-untyped-def]
    """The setting a slider controls took the slider's value, and its readout changed."""
    key = {"Learning rate α": "lr", "Steps": "steps", "Momentum β": "momentum"}[label]
    value = float(slider.input_value())
    expected = 10**value if key == "lr" else value  # α's slider is logarithmic
    assert float(after[key]) == pytest.approx(expected, rel=1e-12)
    assert after[key] != before[key]
    assert after["outputs"] != before["outputs"]


@pytest.mark.parametrize(
    ("label", "keys"),
    [
        ("Learning rate α", ["ArrowRight"] * 40),
        ("Learning rate α", ["PageUp"]),
        ("Steps", ["ArrowLeft"] * 7),
        ("Steps", ["Home"]),
        ("Momentum β", ["ArrowLeft"] * 12),
    ],
)
def test_keyboard_moves_a_slider(page, label: str, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    before = _reset(page)
    if label == "Momentum β":
        page.get_by_label("Method").select_option("momentum")
        before = shown(page)
    slider = page.get_by_label(label, exact=True)
    start_value = float(slider.input_value())
    slider.focus()
    for key in keys:
        page.keyboard.press(key)
    after = shown(page)
    assert float(slider.input_value()) != start_value
    assert_setting_follows(slider, label, before, after)
    assert after["path"] != before["path"]
    assert after["curve"] != before["curve"]
    assert after["text"] != before["text"]
    assert_matches_torch(after)


@pytest.mark.parametrize("label", ["Learning rate α", "Momentum β", "Steps"])
def test_mouse_drags_a_slider(page, label: str) -> None:  # type: ignore[no-untyped-def]
    _reset(page)
    page.get_by_label("Method").select_option("nesterov")
    before = shown(page)
    slider = page.get_by_label(label, exact=True)
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    # Press on the track at a fifth of its width, drag to three fifths, let go.
    page.mouse.move(box["x"] + 0.2 * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.6 * box["width"], y, steps=5)
    page.mouse.up()
    after = shown(page)
    low, high = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
    fraction = (float(slider.input_value()) - low) / (high - low)
    assert 0.5 < fraction < 0.7
    assert_setting_follows(slider, label, before, after)
    assert after["path"] != before["path"] and after["curve"] != before["curve"]
    assert_matches_torch(after)


def test_click_on_the_contours_moves_the_start(page) -> None:  # type: ignore[no-untyped-def]
    before = _reset(page)
    target = (-5.0, 5.0)
    data = page.evaluate("window.gdtutorExplorer.data.objectives.skewed")
    overlay = page.locator(".gdt-ex-overlay")
    box = overlay.bounding_box()
    left, top, right, bottom = data["box"]
    (x0, x1), (y0, y1) = data["xlim"], data["ylim"]
    px = left + (target[0] - x0) / (x1 - x0) * (right - left)
    py = bottom - (target[1] - y0) / (y1 - y0) * (bottom - top)
    scale = box["width"] / data["size"][0]
    overlay.click(position={"x": px * scale, "y": py * scale})
    after = shown(page)
    # One screen pixel is about 0.06 in these units; the start is rounded to 0.01.
    start = (float(after["startX"]), float(after["startY"]))
    assert start == pytest.approx(target, abs=0.1)
    assert (float(page.input_value(f"{ID}-x1")), float(page.input_value(f"{ID}-x2"))) == start
    circle = page.locator(".gdt-ex-start-mark")
    assert float(circle.get_attribute("cx")) == pytest.approx(px, abs=2)
    assert float(circle.get_attribute("cy")) == pytest.approx(py, abs=2)
    assert after["path"] != before["path"] and after["curve"] != before["curve"]
    assert after["text"] != before["text"]
    assert_matches_torch(after)


def test_typed_start_point(page) -> None:  # type: ignore[no-untyped-def]
    _reset(page)
    page.get_by_label("x₁").fill("-6.5")
    page.get_by_label("x₂").fill("2")
    view = shown(page)
    assert (float(view["startX"]), float(view["startY"])) == (-6.5, 2.0)
    assert_matches_torch(view)


def test_typed_start_off_the_plot_is_kept_on_its_edge(page) -> None:  # type: ignore[no-untyped-def]
    """A start typed far off the plot (x₁ = 1e9) runs from the plot's edge, says so next to
    the inputs, and shows the start it used once the field is left."""
    _reset(page)
    data = page.evaluate("window.gdtutorExplorer.data.objectives.skewed")
    (_, x_high), (y_low, _) = data["xlim"], data["ylim"]
    note = page.locator(".gdt-ex-start-note")
    assert note.is_hidden()
    page.get_by_label("x₁").fill("1e9")
    view = shown(page)
    assert float(view["startX"]) == x_high
    assert note.is_visible() and "off the plot" in note.text_content()
    page.get_by_label("x₁").press("Tab")
    assert float(page.input_value(f"{ID}-x1")) == x_high
    page.get_by_label("x₂").fill("-50")
    page.get_by_label("x₂").press("Enter")
    view = shown(page)
    assert (float(view["startX"]), float(view["startY"])) == (x_high, y_low)
    assert float(page.input_value(f"{ID}-x2")) == y_low
    # The start circle is drawn on the plot's corner, not somewhere off the picture.
    _, _, right, bottom = data["box"]
    circle = page.locator(".gdt-ex-start-mark")
    assert float(circle.get_attribute("cx")) == pytest.approx(right, abs=1e-6)
    assert float(circle.get_attribute("cy")) == pytest.approx(bottom, abs=1e-6)
    assert_matches_torch(view)
    # A start on the plot is taken as typed, and the note keeps only x₂'s sentence; with x₂
    # on the plot too, the note goes.
    page.get_by_label("x₁").fill("-2.5")
    assert float(shown(page)["startX"]) == -2.5
    assert note.text_content().startswith("x₂ = −50 is off the plot")
    page.get_by_label("x₂").fill("3")
    assert note.is_hidden()


def _value_ticks(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The step labels under the value chart's x axis."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              '.gdt-ex-values .gdt-ex-axes > text[text-anchor="middle"]:not(.gdt-ex-label)')]
            .map(t => t.textContent)"""
    )


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_a_short_run_counts_whole_steps(page, steps: int) -> None:  # type: ignore[no-untyped-def]
    _reset(page)
    slider = page.get_by_label("Steps", exact=True)
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(steps - 1):
        page.keyboard.press("ArrowRight")
    view = shown(page)
    assert int(view["steps"]) == steps
    noun = "step" if steps == 1 else "steps"
    assert view["text"].startswith(f"After {steps} {noun}: x")
    ticks = _value_ticks(page)
    assert ticks == [str(k) for k in range(steps + 1)], ticks
    assert_matches_torch(view)


def test_past_the_largest_stable_step_shows_divergence(page) -> None:  # type: ignore[no-untyped-def]
    _reset(page)
    page.get_by_role("button", name="Just past 2/λmax").click()
    view = shown(page)
    run = assert_matches_torch(view)
    assert run.diverged and view["diverged"] == "true"
    assert view["text"].startswith(f"Diverged: at step {len(run)} the value overflowed float32")
    assert view["leaves"] == "true"
    assert page.locator(".gdt-ex-stop").count() == 1  # the value curve ends with a cross
    # The curve rises and stops before the right edge of its axis.
    xs = [float(m) for m in re.findall(r"[ML]([\d.]+),", view["curve"])]
    ys = [float(m) for m in re.findall(r",([\d.]+)", view["curve"])]
    assert len(xs) == len(run) and ys[-1] < ys[0] and xs[-1] < 0.9 * 360
    assert "1.2 is not below 1" in view["factors"]

    # The same with the keyboard: α to the end of its scale on the round bowl.
    page.get_by_label("Objective").select_option("parabola")
    page.get_by_label("Learning rate α", exact=True).focus()
    page.keyboard.press("End")
    view = shown(page)
    assert view["diverged"] == "true" and float(view["lr"]) == 1.0
    assert_matches_torch(view)


def test_an_overflow_after_the_last_step_is_drawn_and_told(page) -> None:  # type: ignore[no-untyped-def]
    """A run whose value overflows at the point after its last step (which gdtutor's loops do
    not record, so the run did not stop early) says so, and its value chart ends with the
    overflow cross, as a run that stopped does, without a broken curve or console error."""
    _reset(page)
    page.get_by_role("button", name="Just past 2/λmax").click()
    stopped = assert_matches_torch(shown(page))
    assert stopped.diverged
    before = len(page.problems)
    page.get_by_label("Steps", exact=True).fill(str(len(stopped)))
    view = shown(page)
    run = assert_matches_torch(view)
    assert not run.diverged and len(run) == len(stopped)
    assert view["endValue"] == "Infinity" and "this run diverges" in view["text"]
    assert "NaN" not in view["curve"] and len(re.findall("[ML]", view["curve"])) == len(run)
    assert page.locator(".gdt-ex-stop").count() == 1
    assert page.locator(".gdt-ex-warn").text_content() == f"overflow at step {len(run)}"
    _assert_cross_one_step_after_the_curve(page, view)
    assert page.problems[before:] == []


def _frame(page) -> tuple[float, float, float, float]:  # type: ignore[no-untyped-def]
    """The value chart's axes: left, top, right, bottom."""
    return tuple(
        page.evaluate(
            "(() => { const f = document.querySelector('.gdt-ex-values .gdt-ex-frame').getBBox();"
            " return [f.x, f.y, f.x + f.width, f.y + f.height]; })()"
        )
    )


def test_a_value_that_rounds_to_zero_is_named_not_drawn_as_a_floor(page) -> None:  # type: ignore[no-untyped-def]
    """Polyak's heavy ball drives the quadratic's value below float32's smallest number: from
    that step the value is 0, which a log axis cannot place. The curve drops to the bottom
    edge there; the steps at 0 are a dashed line along it, and a label says from which step."""
    _reset(page)
    page.get_by_role("button", name="Polyak's heavy ball").click()
    page.get_by_label("Objective").select_option("skewed")
    page.get_by_label("Steps", exact=True).fill("500")
    view = shown(page)
    run = assert_matches_torch(view)
    values = np.append(run.values, float(OBJECTIVES["skewed"](torch.tensor(run.end_point))))
    first = int(np.flatnonzero(values == 0)[0])
    assert 0 < first < len(run) and (values[first:] == 0).all() and (values[:first] > 0).all()
    assert len(re.findall("[ML]", view["curve"])) == len(values)
    assert view["curve"].count("L") == first  # drawn down to the first 0, not along the edge
    left, _, right, bottom = _frame(page)
    dashed = page.locator(".gdt-ex-zero").get_attribute("d")
    start, y, end = (
        float(v) for v in re.fullmatch(r"M([\d.]+),([\d.]+)H([\d.]+)", dashed).groups()
    )
    assert y == pytest.approx(bottom, abs=0.01) and left < start < end == pytest.approx(right)
    assert page.locator(".gdt-ex-zero-label").text_content() == f"f = 0 at steps {first}–500"
    points = np.asarray([*run.points, run.end_point], dtype=np.float64)
    lands = int(np.flatnonzero((points == 0).all(axis=1))[0])
    assert (
        f"The value is 0 at steps {first}–500: the point there is not the minimum, but the terms "
        "of its formula are so small that float32 keeps them only to whole multiples of its "
        "smallest positive number, 1.4e−45, and rounded that coarsely they add up to 0; at "
        f"step {lands} the point reaches the minimum itself" in view["text"]
    )
    # As it says, at every step with the value 0: before the minimum, the exact value is
    # above 0 and each term is below float32's smallest normal number (where its numbers are
    # whole multiples of the smallest one); from step `lands` on, the point is the minimum.
    assert first < lands and (points[lands:] == 0).all()
    for x, y in points[first:lands]:
        terms = np.array([x * x, -3 * x * y, 4 * y * y])
        assert terms.sum() > 0 and (abs(terms) < np.finfo(np.float32).smallest_normal).all()
    assert float(np.nextafter(np.float32(0), np.float32(1))) == pytest.approx(1.4e-45, rel=0.01)
    assert _crowded_labels(page) == []


def test_a_value_that_rounds_below_zero_is_named_with_the_zeros(page) -> None:  # type: ignore[no-untyped-def]
    """The terms of the quadratic, each a whole multiple of float32's smallest number, can add
    up to a little below 0 (torch's run does too): those steps are named with the zeros, and
    drawn on the bottom edge with them."""
    view = _settings(page, "skewed", "gd", "-2.1", 1000)
    run = assert_matches_torch(view)
    assert (run.values < 0).any()  # torch's run goes below 0 as well
    start = [float(view["startX"]), float(view["startY"])]
    settings = {"lr": float(view["lr"]), "momentum": 0.0, "start": start, "steps": 1000}
    js = page.evaluate("s => window.gdtutorExplorer.run('skewed', 'gd', s)", settings)
    values = np.array([*js["values"], js["endValue"]], dtype=float)
    first = int(np.flatnonzero(values > 0)[-1]) + 1  # from here on, 0 or below
    below = values[first:][values[first:] < 0]
    assert len(below) > 0 and first < 1000
    smallest = "−" + f"{-below.min():.3e}".replace("e-", "e−")
    assert page.locator(".gdt-ex-zero-label").text_content() == f"f ≤ 0 at steps {first}–1000"
    assert (
        f"The value is 0 or below at steps {first}–1000: the point there is not the minimum, but "
        in view["text"]
    ), view["text"]
    many = "at one step" if len(below) == 1 else f"at {len(below)} steps"
    assert (
        f"they add up to 0, or {many} to as low as {smallest}, below 0, though f itself is "
        "never negative;" in view["text"]
    ), view["text"]
    # The last dashed line along the bottom edge covers that run, negative steps too.
    dashed = page.locator(".gdt-ex-zero").last.get_attribute("d")
    start, _, end = (
        float(v) for v in re.fullmatch(r"M([\d.]+),([\d.]+)H([\d.]+)", dashed).groups()
    )
    left, _, right, _ = _frame(page)
    assert start == pytest.approx(left + (right - left) * first / 1000, abs=0.02)
    assert end == pytest.approx(right, abs=0.02)


def test_the_other_steps_at_zero_or_below_are_counted(page) -> None:  # type: ignore[no-untyped-def]
    """Nesterov on the skewed valley: the value is 0 or below from some step to the end, and
    before that at a few other steps (one of them below 0); the words count those too."""
    _reset(page)
    page.get_by_label("Method").select_option("nesterov")
    page.get_by_label("Learning rate α", exact=True).fill("-2.84")
    page.get_by_label("Momentum β", exact=True).fill("0.9")
    page.get_by_label("Steps", exact=True).fill("1000")
    view = shown(page)
    assert_matches_torch(view)
    settings = {
        "lr": float(view["lr"]),
        "momentum": float(view["momentum"]),
        "start": [float(view["startX"]), float(view["startY"])],
        "steps": 1000,
    }
    js = page.evaluate("s => window.gdtutorExplorer.run('skewed', 'nesterov', s)", settings)
    values = np.array([*js["values"], js["endValue"]], dtype=float)
    first = int(np.flatnonzero(values > 0)[-1]) + 1
    earlier = values[:first][values[:first] <= 0]
    assert len(earlier) > 0 and (earlier < 0).any(), "the case no longer has earlier zeros"
    assert f"at steps {first}–1000:" in view["text"]
    least = "−" + f"{-earlier.min():.3e}".replace("e-", "e−")
    steps = "1 other step" if len(earlier) == 1 else f"{len(earlier)} other steps"
    assert f" It is also 0 or below at {steps}, as low as {least}." in view["text"], view["text"]


def test_a_factor_just_below_1_does_not_read_as_1(page) -> None:  # type: ignore[no-untyped-def]
    """At α = 1e−4 Rosenbrock's slow direction shrinks by 0.99996 per step: shown with the
    digits that keep it below 1, as the sentence says it is."""
    view = _settings(page, "rosenbrock", "gd", "-4", 10)
    shown_factors = [float(f) for f in re.findall(r"(\d+(?:\.\d+)?) \(λ", view["factors"])]
    assert len(shown_factors) == 2 and "all below 1" in view["factors"], view["factors"]
    assert all(f < 1 for f in shown_factors), view["factors"]
    slowest = re.search(r"the slowest, (\S+), sets the pace", view["factors"])
    assert slowest and float(slowest[1]) == max(shown_factors) < 1


def test_a_run_started_on_the_minimum_stays_there_and_says_so(page) -> None:  # type: ignore[no-untyped-def]
    view = _settings(page, "rosenbrock", "gd", "-2.6", 100, start=(1, 1))
    run = assert_matches_torch(view)
    assert (run.points == 1).all()
    assert "The value is 0 at steps 0–100: the point is the minimum itself" in view["text"]
    assert view["factors"].endswith(
        "is not below 1, so that direction does not shrink; this run starts on the minimum, "
        "where the gradient is 0, and stays there."
    ), view["factors"]


def test_zeros_that_last_to_the_end_are_named_and_the_edge_is_labelled_0(page) -> None:  # type: ignore[no-untyped-def]
    """At alpha* on the quadratic the value underflows to 0 (in the explorer's float32
    arithmetic it comes back for a step first, which torch's does not): the label and the
    status name the run of zeros that lasts to the end, within a step or two of torch's; the
    bottom edge is the axis's 0, with no other tick label beside it."""
    _reset(page)
    page.get_by_role("button", name="Best step α* = 0.02").click()
    page.get_by_label("Steps", exact=True).fill("1000")
    view = shown(page)
    run = assert_matches_torch(view)
    values = np.append(run.values, float(OBJECTIVES["skewed"](torch.tensor(run.end_point))))
    last = int(np.flatnonzero(values != 0)[-1]) + 1  # the zeros that last to the end
    label = page.locator(".gdt-ex-zero-label").text_content()
    shown_from = int(re.fullmatch(r"f = 0 at steps (\d+)–1000", label)[1])
    assert abs(shown_from - last) <= 2, (shown_from, last)
    assert (
        f"The value is 0 at steps {shown_from}–1000: the point there is not the minimum, but "
        "the "
        "terms of its formula are so small" in view["text"]
    )
    ticks = page.evaluate(
        """() => [...document.querySelectorAll('.gdt-ex-values .gdt-ex-axes text')]
              .filter((t) => t.getAttribute('text-anchor') === 'end'
                && Number(t.getAttribute('x')) < t.ownerSVGElement.viewBox.baseVal.width / 4)
              .map((t) => [t.textContent, Number(t.getAttribute('y'))])"""
    )
    _, _, _, bottom = _frame(page)
    zeros = [y for label, y in ticks if label == "0"]
    assert zeros == [pytest.approx(bottom + 4, abs=0.01)]
    assert all(y < bottom + 4 - 12 for label, y in ticks if label != "0"), ticks
    assert _crowded_labels(page) == []


def test_a_climb_that_the_factors_say_will_shrink_is_not_called_divergence(page) -> None:  # type: ignore[no-untyped-def]
    """Heavy ball's first swings climb above the start's value; its factors are all below 1."""
    _reset(page)
    page.get_by_role("button", name="Polyak's heavy ball").click()
    page.get_by_label("Steps", exact=True).fill("2")
    view = shown(page)
    run = assert_matches_torch(view)
    assert float(view["endValue"]) > run.values[0] and not run.diverged
    assert "diverges" not in view["text"]
    assert "every direction's factor is below 1, so with more steps it shrinks" in view["text"]


def _settings(page, objective: str, method: str, log_lr: str, steps: int, start=None) -> dict:  # type: ignore[no-untyped-def]
    _reset(page)
    page.get_by_label("Objective").select_option(objective)
    page.get_by_label("Method").select_option(method)
    page.get_by_label("Learning rate α", exact=True).fill(log_lr)
    page.get_by_label("Steps", exact=True).fill(str(steps))
    if start is not None:
        page.get_by_label("x₁").fill(str(start[0]))
        page.get_by_label("x₂").fill(str(start[1]))
    return shown(page)


def test_rosenbrocks_factors_speak_of_its_minimum_only(page) -> None:  # type: ignore[no-untyped-def]
    """Rosenbrock's factors are those of the Hessian at its minimum. Just past 2/λmax there,
    gradient descent neither settles nor overflows (it bounces across the valley): the words
    say the run cannot settle on the minimum, not that it diverges."""
    view = _settings(page, "rosenbrock", "gd", "-2.6", 1000)
    run = assert_matches_torch(view)
    assert not run.diverged and view["diverged"] == "false"
    assert (
        "is not below 1, so near the minimum (1, 1) that direction does not shrink: the run "
        "cannot settle on the minimum." in view["factors"]
    ), view["factors"]
    assert "diverges" not in view["factors"] + view["text"]
    # It does not settle: over its last 200 steps it stays away from the minimum.
    gaps = np.abs(run.points[-200:] - np.array([1.0, 1.0])).max(axis=1)
    assert gaps.min() > 1e-2, gaps.min()


def _compared_with_the_start(view: dict, run) -> None:  # type: ignore[no-untyped-def]
    """The status ends by comparing the value with the start's, and predicts nothing."""
    said = re.search(r"The value is above the start's, (\S+), at this step\.( |$)", view["text"])
    assert said, view["text"]
    assert numbers(said[1])[0] == pytest.approx(run.values[0], rel=1e-3)
    assert float(view["endValue"]) > run.values[0]
    assert not re.search("shrinks|diverges|overflow", view["text"]), view["text"]


def test_a_climb_on_rosenbrock_is_not_foretold_by_its_minimums_factors(page) -> None:  # type: ignore[no-untyped-def]
    """Below 2/λmax at the minimum, but from a start where the valley is far steeper, gradient
    descent climbs and overflows at step 6: after 5 steps the words only compare the value
    with the start's (the factors, all below 1, hold near the minimum only)."""
    view = _settings(page, "rosenbrock", "gd", "-2.72", 5, start=(-1.5, 3))
    _compared_with_the_start(view, assert_matches_torch(view))
    assert "all below 1, so near the minimum (1, 1) every direction shrinks" in view["factors"]
    page.get_by_label("Steps", exact=True).fill("1000")
    longer = shown(page)
    assert_matches_torch(longer)
    assert longer["text"].startswith("Diverged: at step 6 "), longer["text"]


@pytest.mark.parametrize("steps", [1, 20])
def test_adams_climb_is_not_called_divergence(page, steps: int) -> None:  # type: ignore[no-untyped-def]
    """Adam's first swings on Rosenbrock at α = 1 climb above the start's value; the run goes
    on to end near the minimum, so the words only compare the value with the start's."""
    view = _settings(page, "rosenbrock", "adam", "0", steps)
    assert float(view["lr"]) == 1.0
    run = torch_run("rosenbrock", "adam", 1.0, 0.0, (view["startX"], view["startY"]), steps)
    _compared_with_the_start(view, run)
    page.get_by_label("Steps", exact=True).fill("1000")
    assert float(shown(page)["endValue"]) < 0.1


@pytest.mark.parametrize("steps", [1, 10])
def test_a_run_that_lands_on_the_minimum_drops_to_the_edge(page, steps: int) -> None:  # type: ignore[no-untyped-def]
    """On the round bowl α* = 1/λ lands on the minimum in one step: f is 0 itself there. The
    curve still shows the drop, and the words say why f is 0."""
    _reset(page)
    page.get_by_role("button", name="Round bowl, α* = 0.05").click()
    page.get_by_label("Steps", exact=True).fill(str(steps))
    view = shown(page)
    run = assert_matches_torch(view)
    assert run.end_point.tolist() == [0.0, 0.0]
    assert view["curve"].count("L") == 1  # from the start's value down to the edge
    when = f"at steps 1–{steps}" if steps > 1 else "at step 1"
    assert f"The value is 0 {when}: the point is the minimum itself" in view["text"]
    assert page.locator(".gdt-ex-zero-label").text_content() == f"f = 0 {when}"
    left, _, right, _ = _frame(page)
    for dashed in page.locator(".gdt-ex-zero").all():
        xs = [float(v) for v in re.findall(r"[MH]([\d.]+)", dashed.get_attribute("d"))]
        assert left <= min(xs) and max(xs) <= right + 0.01
    assert page.locator(".gdt-ex-zero").count() == (1 if steps > 1 else 0)
    assert _crowded_labels(page) == []
    # The end's cross sits on the minimum; the minimum's ring shows around it.
    boxes = page.evaluate(
        """() => ['.gdt-ex-end-mark', '.gdt-ex-minimum-ring', '.gdt-ex-minimum'].map(
             (s) => { const b = document.querySelector(s).getBBox();
                      return [b.x + b.width / 2, b.y + b.height / 2, b.width]; })"""
    )
    (cx, cy, cross), (rx, ry, ring), (dx, dy, dot) = boxes
    assert (rx, ry) == pytest.approx((cx, cy), abs=0.01) == (dx, dy)
    assert ring > cross + 4 and dot < cross


def _assert_cross_one_step_after_the_curve(page, view: dict) -> None:  # type: ignore[no-untyped-def]
    """The overflow cross marks the step that overflowed: one step right of the curve's last
    point, at the top of the axes; its label has a backing over the curve."""
    xs = [float(m) for m in re.findall(r"[ML]([\d.]+),", view["curve"])]
    cross = page.locator(".gdt-ex-stop").get_attribute("d")
    left, top = (float(v) for v in re.match(r"M([\d.]+),([\d.]+)", cross).groups())
    step = (xs[-1] - xs[0]) / (len(xs) - 1) if len(xs) > 1 else None
    if step:
        assert left + 5 == pytest.approx(xs[-1] + step, abs=0.01), (left, xs[-3:])
    frame = page.evaluate("document.querySelector('.gdt-ex-values .gdt-ex-frame').getBBox().y")
    assert frame <= top + 5 <= frame + 12
    assert page.locator(".gdt-ex-values .gdt-ex-label-back").count() == 1


def _warning_within_axes(page) -> bool:  # type: ignore[no-untyped-def]
    """Whether the value chart's overflow label lies inside its axes, left to right."""
    return page.evaluate(
        """() => {
          const chart = document.querySelector('.gdt-ex-values');
          const label = chart.querySelector('.gdt-ex-warn').getBBox();
          const frame = chart.querySelector('.gdt-ex-frame').getBBox();
          return label.x >= frame.x && label.x + label.width <= frame.x + frame.width;
        }"""
    )


@pytest.mark.parametrize("steps", [10, 200])
def test_the_overflow_label_stays_inside_the_chart(page, steps: int) -> None:  # type: ignore[no-untyped-def]
    """Early (Rosenbrock, gradient descent, alpha near 0.05: overflow within a few steps) or
    late in the run, the label beside the overflow cross stays between the axes."""
    _reset(page)
    page.get_by_label("Objective").select_option("rosenbrock")
    page.get_by_label("Method").select_option("gd")
    page.get_by_label("Learning rate α", exact=True).fill(str(math.log10(0.05)))
    page.get_by_label("Steps", exact=True).fill(str(steps))
    view = shown(page)
    assert view["diverged"] == "true"
    assert_matches_torch(view)
    assert _warning_within_axes(page)
    _assert_cross_one_step_after_the_curve(page, view)
    _reset(page)
    page.get_by_role("button", name="Just past 2/λmax").click()
    assert _warning_within_axes(page)
    _assert_cross_one_step_after_the_curve(page, shown(page))


def test_sliders_tell_screen_readers_their_values(page) -> None:  # type: ignore[no-untyped-def]
    """The log-scale learning-rate slider says alpha, not its position on the scale; the
    momentum slider says when the method has no momentum; the readouts beside the sliders
    are not announced a second time."""
    _reset(page)
    page.get_by_label("Method").select_option("gd")
    lr = page.get_by_label("Learning rate α", exact=True)
    shown_lr = page.locator(f"{ID}-lr-out").text_content()
    assert lr.get_attribute("aria-valuetext") == f"α = {shown_lr}"
    beta = page.get_by_label("Momentum β", exact=True)
    assert beta.is_disabled()
    assert beta.get_attribute("aria-valuetext") == "not used by gradient descent"
    # Its thumb stands at 0, not at the β kept for a method with momentum.
    assert beta.input_value() == "0"
    page.get_by_label("Method").select_option("momentum")
    shown_beta = page.locator(f"{ID}-beta-out").text_content()
    assert beta.get_attribute("aria-valuetext") == f"β = {shown_beta}"
    assert float(beta.input_value()) == float(shown_beta) > 0
    lr.focus()
    page.keyboard.press("ArrowRight")
    assert (
        lr.get_attribute("aria-valuetext") == f"α = {page.locator(f'{ID}-lr-out').text_content()}"
    )
    assert page.locator(".gdt-explorer output:not([aria-live='off'])").count() == 0


def test_a_moving_slider_is_announced_once_it_stops(page) -> None:  # type: ignore[no-untyped-def]
    """Each arrow-key step of a slider reruns the run: the status shows each one at once, but
    its live region is off until the slider has been still for a moment, then it announces
    the last status once; a menu's choice is announced at once."""
    _reset(page)
    lr = page.get_by_label("Learning rate α", exact=True)
    lr.focus()
    status = page.locator(".gdt-ex-status")
    page.evaluate(
        """() => {
          const status = document.querySelector('.gdt-ex-status');
          window.liveChanges = [];
          new MutationObserver(() => window.liveChanges.push(
            [status.getAttribute('aria-live'), status.textContent])
          ).observe(status, { childList: true, characterData: true, subtree: true });
        }"""
    )
    # Four steps of the slider, as its arrow key makes them, in one go: what the status
    # shows and whether it is live, after each (no wait between them can pass the quiet time).
    steps = page.evaluate(
        """() => {
          const slider = document.activeElement;
          const status = document.querySelector('.gdt-ex-status');
          return [1, 2, 3, 4].map(() => {
            slider.stepUp();
            slider.dispatchEvent(new Event('input', { bubbles: true }));
            return [status.getAttribute('aria-live'), status.textContent];
          });
        }"""
    )
    texts = [text for _, text in steps]
    assert [live for live, _ in steps] == ["off"] * 4
    # The status follows each step (α changed, so the run's end did).
    assert len(set(texts)) == 4, texts
    page.wait_for_function(
        "document.querySelector('.gdt-ex-status').getAttribute('aria-live') === 'polite'"
    )
    page.wait_for_function("window.liveChanges.at(-1)[0] === 'polite'")
    changes = page.evaluate("window.liveChanges")
    announced = [text for live, text in changes if live == "polite"]
    assert announced == [texts[-1]], changes
    page.get_by_label("Method").select_option("nesterov")
    assert status.get_attribute("aria-live") == "polite"
    assert page.evaluate("window.liveChanges.at(-1)") == ["polite", shown(page)["text"]]


def test_a_start_being_typed_off_the_plot_is_announced_once_it_stops(page) -> None:  # type: ignore[no-untyped-def]
    """The note on a start typed off the plot changes with each key (x₁ = 15, then 150): it
    shows each at once, and its live region announces the last once typing has paused."""
    _reset(page)
    typed = page.evaluate(
        """() => {
          const input = document.querySelector('#gdt-explorer-0-x1');
          const note = document.querySelector('.gdt-ex-start-note');
          window.noteChanges = [];
          new MutationObserver(() => window.noteChanges.push(
            [note.getAttribute('aria-live'), note.textContent])
          ).observe(note, { childList: true, characterData: true, subtree: true });
          return ['1', '15', '150'].map((value) => {
            input.value = value;
            input.dispatchEvent(new Event('input', { bubbles: true }));
            return [note.getAttribute('aria-live'), note.textContent];
          });
        }"""
    )
    assert [live for live, _ in typed] == ["off"] * 3, typed
    notes = [text for _, text in typed]
    assert notes[0] == "" and "x₁ = 15 is off the plot" in notes[1], notes
    assert "x₁ = 150 is off the plot" in notes[2], notes
    page.wait_for_function("(window.noteChanges.at(-1) || [])[0] === 'polite'")
    announced = [text for live, text in page.evaluate("window.noteChanges") if live == "polite"]
    assert announced == [notes[2]], announced
    # A preset chosen while a note waits to be announced clears it, and it stays cleared.
    page.evaluate(
        """() => {
          const input = document.querySelector('#gdt-explorer-0-x1');
          input.value = '250';
          input.dispatchEvent(new Event('input', { bubbles: true }));
          document.querySelector("[data-preset='0']").click();
        }"""
    )
    page.wait_for_timeout(800)
    assert page.locator(".gdt-ex-start-note").text_content() == ""


def test_a_note_on_a_start_off_the_plot_names_each_field_off_it(page) -> None:  # type: ignore[no-untyped-def]
    """x₁ = 12, then x₂ = −12: both start at the edge, and the note names both (it named the
    last field typed in only); x₂ = 3 then leaves x₁'s sentence (it cleared the note, though
    the run still started at x₁ = 10)."""
    _reset(page)

    def typed(field: str, value: str) -> str:
        return page.evaluate(
            """([field, value]) => {
              const input = document.querySelector(`#gdt-explorer-0-${field}`);
              input.value = value;
              input.dispatchEvent(new Event('input', { bubbles: true }));
              return document.querySelector('.gdt-ex-start-note').textContent;
            }""",
            [field, value],
        )

    typed("x1", "12")
    both = typed("x2", "-12")
    assert both == (
        "x₁ = 12 is off the plot: the run starts at its edge, x₁ = 10 (the plot shows −10 to "
        "10). x₂ = −12 is off the plot: the run starts at its edge, x₂ = −10 (the plot shows "
        "−10 to 10)."
    ), both
    assert typed("x2", "3") == both.split(" x₂")[0]
    assert typed("x1", "4") == ""
    page.locator("[data-preset='0']").click()
    assert page.locator(".gdt-ex-start-note").text_content() == ""


def test_a_start_field_without_a_number_is_named_not_an_earlier_value(page) -> None:  # type: ignore[no-untyped-def]
    """Typing 1e400 (too large for a number: the field reads as empty) left the note on
    the 1e40 typed on the way ("x₁ = 1e40 is off the plot"), and so did a field emptied or
    holding "-": the note says the field holds no number and where the run starts, which is
    where it started before the edit (it kept the edge that 1e40 moved the start to, and once
    the field was left the note went, leaving an unexplained 10); the note stays."""
    _reset(page)

    def typed(value: str, event: str = "input") -> str:
        return page.evaluate(
            """([value, event]) => {
              const input = document.querySelector('#gdt-explorer-0-x1');
              if (event === 'input') input.value = value;
              input.dispatchEvent(new Event(event, { bubbles: true }));
              return document.querySelector('.gdt-ex-start-note').textContent;
            }""",
            [value, event],
        )

    assert typed("1e40").startswith("x₁ = 1e40 is off the plot: the run starts at its edge")
    # The run starts where it did before the edit, not at the edge where 1e40 moved it.
    assert typed("1e400") == "x₁ holds no finite number: the run starts at x₁ = 8."
    assert float(shown(page)["startX"]) == 8
    went_back = "x₁ held no finite number: the run starts at x₁ = 8, as before."
    assert typed("", "change") == went_back
    assert float(page.input_value(f"{ID}-x1")) == 8 and float(shown(page)["startX"]) == 8
    page.wait_for_timeout(800)  # the note stays
    assert page.locator(".gdt-ex-start-note").text_content() == went_back
    assert typed("") == "x₁ holds no finite number: the run starts at x₁ = 8."
    assert typed("-2.5") == ""
    assert float(shown(page)["startX"]) == -2.5
    assert typed("", "change") == "" and float(page.input_value(f"{ID}-x1")) == -2.5


def test_the_path_caption_says_the_end_is_marked_where_it_lies_on_the_plot(page) -> None:  # type: ignore[no-untyped-def]
    """A run that leaves the plot has no cross drawn: the caption does not promise one."""
    _reset(page)
    caption = page.locator(".gdt-ex-plot + figcaption").text_content()
    assert "the cross the end (where it lies on the plot)" in caption, caption


def test_adam_and_rosenbrock_explain_their_factor_plots(page) -> None:  # type: ignore[no-untyped-def]
    _reset(page)
    page.get_by_label("Objective").select_option("rosenbrock")
    caption = page.locator(".gdt-ex-factors + .gdt-ex-factor-note + figcaption").text_content()
    assert "Hessian at the minimum (1, 1)" in caption
    hessian_rates = contraction_factors(hessian(rosenbrock, at=(1.0, 1.0)), 0.001)
    assert [
        float(r)
        for r in page.evaluate(
            "JSON.parse(document.querySelector('.gdt-ex-factor-note').dataset.factors)"
        )
    ] == pytest.approx(hessian_rates.tolist(), rel=1e-9)
    page.get_by_label("Method").select_option("adam")
    assert page.locator(".gdt-ex-factors").is_hidden()
    assert "no factor per direction" in page.locator(".gdt-ex-factor-note").text_content()
    assert page.get_by_label("Momentum β", exact=True).is_disabled()
    assert_matches_torch(shown(page))


def _colours_in(page, theme: str, parts: dict[str, tuple[str, str]]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The page's background and each part's colour (its selector's CSS property), in
    ``theme``; the page goes back to the light theme after."""
    _reset(page)
    page.evaluate(f"document.documentElement.dataset.theme = {theme!r}")
    try:
        return page.evaluate(  # type: ignore[no-any-return]
            """(parts) => {
              const colours = {background: getComputedStyle(document.body).backgroundColor};
              for (const [name, [selector, property]] of Object.entries(parts)) {
                colours[name] = getComputedStyle(document.querySelector(selector))[property];
              }
              return colours;
            }""",
            parts,
        )
    finally:
        page.evaluate("document.documentElement.dataset.theme = 'light'")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_is_readable_in_both_themes(page, theme: str) -> None:  # type: ignore[no-untyped-def]
    texts = {
        "chart label": (".gdt-ex-values text", "fill"),
        "status": (".gdt-ex-status", "color"),
        "control label": (".gdt-ex-row label", "color"),
        "readout": (".gdt-ex-row output", "color"),
        "preset": (".gdt-ex-presets button", "color"),
    }
    colours = _colours_in(
        page, theme, {**texts, "preset background": (".gdt-ex-presets button", "backgroundColor")}
    )
    for name in texts:
        colour = colours[name]
        background = colours["preset background" if name == "preset" else "background"]
        assert contrast(colour, background) >= 4.5, (theme, name, colour, background)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_lines_stand_out_from_the_page_and_the_stable_band(page, theme: str) -> None:  # type: ignore[no-untyped-def]
    """WCAG's 3:1 for graphics: each line of the charts against the page, and against the
    band of stable steps that the factor curves and the current step's line cross."""
    lines = {
        "factor curve 1": (".gdt-ex-rate.gdt-ex-c0", "stroke"),
        "factor curve 2": (".gdt-ex-rate.gdt-ex-c1", "stroke"),
        "current step": (".gdt-ex-now", "stroke"),
        "value curve": (".gdt-ex-curve", "stroke"),
    }
    colours = _colours_in(page, theme, {**lines, "band": (".gdt-ex-stable", "fill")})
    page_rgb = [int(c) for c in re.findall(r"[\d.]+", colours["background"])[:3]]
    *band_rgb, alpha = (float(c) for c in re.findall(r"[\d.]+", colours["band"])[:4])
    band = "rgb({}, {}, {})".format(
        *(round(c * alpha + p * (1 - alpha)) for c, p in zip(band_rgb, page_rgb, strict=True))
    )
    for name in lines:
        for ground in (colours["background"], band):
            assert contrast(colours[name], ground) >= 3, (theme, name, colours[name], ground)


def test_a_screen_reader_hears_each_text_once(page) -> None:  # type: ignore[no-untyped-def]
    """The factor chart is named briefly (its name was the paragraph below it, heard twice),
    and the α slider's help is its description, not loose text after the form."""
    _reset(page)
    tree = page.locator(".gdt-explorer").aria_snapshot()
    note = page.locator(".gdt-ex-factor-note").text_content()
    assert note.startswith("At α = ") and tree.count(note[:30]) == 1, tree
    assert "arrow-key" not in tree
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.get_by_label("Learning rate α", exact=True)).to_have_accessible_description(
        re.compile("each arrow-key step changes α by about 2 %")
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_path_stands_out_on_the_contour_picture(page, theme: str) -> None:  # type: ignore[no-untyped-def]
    """WCAG's 3:1 for graphics: the path, its dots and its start against the contour picture
    as shown, whose ground stays light in dark mode (the theme dims it; the path's dark-mode
    red was 2:1 on it)."""
    _reset(page)
    page.evaluate(f"document.documentElement.dataset.theme = {theme!r}")
    try:
        shot = Image.open(io.BytesIO(page.locator(".gdt-ex-plot").screenshot())).convert("RGB")
        _, ground = max(shot.getcolors(maxcolors=1 << 20))
        path = page.evaluate("getComputedStyle(document.querySelector('.gdt-ex-path')).stroke")
    finally:
        page.evaluate("document.documentElement.dataset.theme = 'light'")
    assert contrast(path, "rgb({}, {}, {})".format(*ground)) >= 3, (theme, path, ground)


@pytest.mark.parametrize("width", [320, 390, 800, 1024, 1280, 1440])
def test_each_menu_shows_its_longest_choice_whole(browser, site_url: str, width: int) -> None:  # type: ignore[no-untyped-def]
    """On the narrowest screen WCAG's reflow asks for (320 CSS px) too: "gradient descent"
    was cut to "gradient desc"."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{site_url}/{PAGE}", wait_until="load")
    page.wait_for_selector(".gdt-ex-status[data-diverged]")
    menus = page.evaluate(
        """() => [...document.querySelectorAll('.gdt-explorer select')].map((menu) => {
          const style = getComputedStyle(menu);
          const pen = document.createElement('canvas').getContext('2d');
          pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          const widths = [...menu.options].map((option) => pen.measureText(option.text).width);
          const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
          return {id: menu.id, text: Math.max(...widths), room: menu.clientWidth - padding};
        })"""
    )
    context.close()
    assert len(menus) == 2
    # The room left of the menu's arrow (about 20 px) holds the longest choice, with a margin
    # for another browser's fonts.
    cut = [menu for menu in menus if menu["text"] > menu["room"] - 20 - 16]
    assert cut == [], cut


def test_usable_on_a_phone(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(f"{site_url}/{PAGE}", wait_until="load")
    page.wait_for_selector(".gdt-ex-status[data-diverged]")
    widths = page.evaluate(
        """() => {
          const root = document.querySelector('.gdt-explorer');
          const parts = [root, ...root.querySelectorAll('figure, .gdt-ex-row, .gdt-ex-presets')];
          return {
            overflow: root.scrollWidth - root.clientWidth,
            page: document.documentElement.scrollWidth - innerWidth,
            outside: parts.filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).length,
            plot: root.querySelector('.gdt-ex-plot').getBoundingClientRect().width,
          };
        }"""
    )
    assert widths["overflow"] <= 0 and widths["page"] <= 0 and widths["outside"] == 0, widths
    assert widths["plot"] >= 300, widths
    before = shown(page)
    # A tap a third of the way into the plotting area (the overlay's clip rectangle), in
    # the overlay's own CSS pixels, wherever the layout puts the axes on this screen.
    spot = page.evaluate(
        """() => {
          const overlay = document.querySelector('.gdt-ex-overlay');
          const box = overlay.querySelector('clipPath rect');
          const [, , w, h] = overlay.getAttribute('viewBox').split(' ').map(Number);
          const shown = overlay.getBoundingClientRect();
          const at = (name) => Number(box.getAttribute(name));
          return {
            x: (at('x') + at('width') / 3) * shown.width / w,
            y: (at('y') + at('height') / 3) * shown.height / h,
          };
        }"""
    )
    page.locator(".gdt-ex-overlay").tap(position=spot)
    after = shown(page)
    assert (after["startX"], after["startY"]) != (before["startX"], before["startY"])
    assert_matches_torch(after)
    context.close()


@pytest.mark.parametrize(("viewport", "least"), [(PHONE, 36), (DESKTOP, 24)])
def test_controls_are_large_enough_to_tap(browser, site_url: str, viewport, least: int) -> None:  # type: ignore[no-untyped-def]
    """Every slider, menu, number field and preset is at least `least` CSS pixels tall:
    about a fingertip on a phone, and no less than WCAG's 24 px target anywhere."""
    context = browser.new_context(viewport=viewport, has_touch=viewport is PHONE)
    page = context.new_page()
    page.goto(f"{site_url}/{PAGE}", wait_until="load")
    page.wait_for_selector(".gdt-ex-status[data-diverged]")
    heights = page.evaluate(
        """() => [...document.querySelectorAll(
              '.gdt-explorer input, .gdt-explorer select, .gdt-ex-presets button')]
            .map(e => [e.id || e.textContent, e.getBoundingClientRect().height])"""
    )
    context.close()
    assert len(heights) == 3 + 2 + 2 + 5  # three sliders, two menus, two fields, presets
    small = [(name, height) for name, height in heights if height < least]
    assert small == [], small


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1024, "height": 900}, DESKTOP])
def test_views_fill_each_row(browser, site_url: str, viewport) -> None:  # type: ignore[no-untyped-def]
    """No view sits alone beside an empty column: each row of the views' grid reaches
    across the whole width the explorer has."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{site_url}/{PAGE}", wait_until="load")
    page.wait_for_selector(".gdt-ex-status[data-diverged]")
    layout = page.evaluate(
        """() => {
          const box = e => { const r = e.getBoundingClientRect();
                             return [r.left, r.top, r.right, r.bottom]; };
          const views = document.querySelector('.gdt-ex-views');
          return {views: box(views), figures: [...views.children].map(box),
                  chart: box(document.querySelector('.gdt-ex-factors')),
                  note: box(document.querySelector('.gdt-ex-factor-note'))};
        }"""
    )
    context.close()
    left, _, right, _ = layout["views"]
    rows: dict[int, list] = {}
    for figure in layout["figures"]:
        rows.setdefault(round(figure[1]), []).append(figure)
    for row in rows.values():
        assert min(f[0] for f in row) == pytest.approx(left, abs=1)
        assert max(f[2] for f in row) == pytest.approx(right, abs=1), (viewport, layout)
    if viewport is DESKTOP:
        # Two columns: the contours beside the values; the factors below, their note beside.
        assert len(rows) == 2, layout
        assert layout["note"][0] >= layout["chart"][2], layout


def test_works_from_a_copy_on_disk_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "site"
    shutil.copytree(HTML, copy)
    context = browser.new_context(offline=True)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto((copy / PAGE).as_uri(), wait_until="load")
    page.wait_for_selector(".gdt-ex-status[data-diverged]")
    page.get_by_label("Objective").select_option("rosenbrock")
    # The new contour picture loads from disk after the change: wait for it.
    page.wait_for_function(
        "() => { const i = document.querySelector('.gdt-ex-plot img'); "
        "return i.complete && i.naturalWidth > 0 && i.src.startsWith('file:') "
        "&& i.src.includes('rosenbrock'); }"
    )
    assert_matches_torch(shown(page))
    context.close()
    assert problems == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []


def test_firefox_esr_draws_it_from_disk(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Firefox ESR (Debian's package) opens a copy of the site and draws the explorer."""
    from PIL import Image

    if not Path(FIREFOX).is_file():
        pytest.fail(f"Firefox ESR not found at {FIREFOX}: install Debian's firefox-esr")
    copy = tmp_path / "site"
    shutil.copytree(HTML, copy)
    # Firefox's --screenshot shows the top of the page: make the window as tall as the page
    # is down to the end of the explorer (measured in Chromium at the same width).
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    measure = context.new_page()
    measure.goto((copy / PAGE).as_uri(), wait_until="load")
    top, bottom = measure.evaluate(
        "() => { const r = document.querySelector('.gdt-ex-plot').getBoundingClientRect(); "
        "return [r.top + scrollY, r.bottom + scrollY]; }"
    )
    context.close()
    height = int(bottom) + 400
    profile = tmp_path / "profile"
    profile.mkdir()
    shot = tmp_path / "firefox.png"
    subprocess.run(
        [FIREFOX, "--headless", "--no-remote", "--profile", str(profile),
         f"--window-size=1280,{height}", "--screenshot", str(shot), (copy / PAGE).as_uri()],
        capture_output=True, timeout=120, check=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    with Image.open(shot) as picture:
        pixels = np.asarray(picture.convert("RGB"), dtype=int)
    plot = pixels[max(0, int(top) - 300) : int(bottom) + 300]
    # The path is drawn in #d62728 over the contour picture, whose lines are viridis colours.
    red = (np.abs(plot - [214, 39, 40]) < 40).all(axis=-1)
    colourful = (plot.max(axis=-1) - plot.min(axis=-1)) > 60
    assert red.sum() > 300, "Firefox drew no path"
    assert (colourful & ~red).sum() > 3000, "Firefox shows no contour picture"


def _crowded_labels(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Pairs of labels that overlap in either chart, and labels that leave the chart."""
    return page.evaluate(
        """() => {
          const found = [];
          for (const chart of document.querySelectorAll('.gdt-ex-values, .gdt-ex-factors')) {
            if (chart.style.display === 'none') continue;
            const view = chart.viewBox.baseVal;
            const labels = [...chart.querySelectorAll('text')].filter((t) => t.textContent.trim());
            const box = (t) => {
              // The box as drawn: a rotated label's box, turned with it.
              const b = t.getBBox(), m = t.getCTM(), s = chart.getCTM().inverse().multiply(m);
              const corners = [[b.x, b.y], [b.x + b.width, b.y + b.height]].map(([x, y]) =>
                new DOMPoint(x, y).matrixTransform(s));
              const xs = corners.map((p) => p.x), ys = corners.map((p) => p.y);
              return {
                x: Math.min(...xs), y: Math.min(...ys),
                w: Math.abs(xs[1] - xs[0]), h: Math.abs(ys[1] - ys[0]),
              };
            };
            const boxes = labels.map(box);
            boxes.forEach((a, i) => {
              if (a.x < view.x - 0.5 || a.x + a.w > view.x + view.width + 0.5) {
                found.push(`${chart.classList[0]}: '${labels[i].textContent}' leaves the chart`);
              }
              boxes.slice(i + 1).forEach((b, j) => {
                const overlap = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
                const over = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
                // Font boxes: a line's box is taller than its letters; 2 px of it may touch.
                if (overlap > 2 && over > 2) {
                  const names = [labels[i], labels[i + 1 + j]].map((t) => t.textContent);
                  found.push(`${chart.classList[0]}: '${names[0]}' over '${names[1]}'`);
                }
              });
            });
          }
          return found;
        }"""
    )


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_no_label_covers_another(page, objective: str) -> None:  # type: ignore[no-untyped-def]
    """In both charts, at every preset and on every objective: the value axis's label clears
    tick labels as long as 10⁻²³, and the α* and 2/λmax marks clear the unstable region's
    label (on Rosenbrock, α* lies under it)."""
    _reset(page)
    presets = page.locator("[data-preset]").count()
    for k in range(presets):
        page.click(f"[data-preset='{k}']")
        page.get_by_label("Objective").select_option(objective)
        for steps in ("10", "500", "1000"):
            page.get_by_label("Steps", exact=True).fill(steps)
            assert _crowded_labels(page) == [], (k, objective, steps)


@pytest.mark.parametrize("method", ["gd", "momentum"])
@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_no_line_shows_through_a_regions_label(page, objective: str, method: str) -> None:  # type: ignore[no-untyped-def]
    """Wherever α is on its slider, no line of the factor chart (the curves, and the lines at
    α, α* and 2/λmax) is drawn through the labels of the stable and unstable regions, unless
    a backing hides it there (at the default α the line at α ran through the last letters of
    both labels)."""
    _reset(page)
    page.get_by_label("Objective").select_option(objective)
    page.get_by_label("Method").select_option(method)
    # One call for the whole sweep: the slider's input event redraws the chart at once.
    crossed = page.evaluate(
        """(positions) => {
          const slider = document.querySelector('.gdt-explorer input[type=range]');
          const chart = document.querySelector('.gdt-ex-factors');
          const [low, high] = [Number(slider.min), Number(slider.max)];
          const covers = (c, b) => c.x <= b.x && c.y <= b.y &&
            c.x + c.width >= b.x + b.width && c.y + c.height >= b.y + b.height;
          const crossed = [];
          for (let k = 0; k < positions; k++) {
            slider.value = String(low + ((high - low) * k) / (positions - 1));
            slider.dispatchEvent(new Event('input', { bubbles: true }));
            const verticals = [...chart.querySelectorAll('.gdt-ex-now, .gdt-ex-mark')]
              .map((line) => line.x1.baseVal.value);
            const curves = [...chart.querySelectorAll('.gdt-ex-rate')];
            const backs = [...chart.querySelectorAll('rect.gdt-ex-label-back')];
            for (const t of chart.querySelectorAll('.gdt-ex-region')) {
              if (!/stable/.test(t.textContent)) continue;
              const b = t.getBBox();
              // A backing drawn after the lines and before the label hides them there.
              if (backs.some((r) => covers(r.getBBox(), b) &&
                  r.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
              // A curve spans the chart, so one that runs through the label crosses the edge
              // of its box: the points along the edge, 1.5 apart, find it.
              const edge = [];
              const [right, bottom] = [b.x + b.width, b.y + b.height];
              for (let x = b.x; x <= right; x += 1.5) edge.push([x, b.y], [x, bottom]);
              for (let y = b.y; y <= bottom; y += 1.5) edge.push([b.x, y], [right, y]);
              const through = verticals.some((x) => x > b.x - 2 && x < b.x + b.width + 2) ||
                edge.some(([x, y]) => curves.some((c) => c.isPointInStroke(new DOMPoint(x, y))));
              if (through) crossed.push(`${t.textContent} at α = 10^${slider.value}`);
            }
          }
          return crossed;
        }""",
        41,
    )
    assert crossed == []


def test_every_alpha_the_slider_shows_fits_its_column(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """The value "1.023e−4" (eight characters) ran past its column on a phone, out of line with
    the values below it: each of the slider's positions is shown within its column, on the
    narrowest phone (the column has the same width on any phone)."""
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(f"{site_url}/{PAGE}", wait_until="load")
    page.wait_for_selector(".gdt-ex-status[data-diverged]")
    spilled = page.evaluate(
        """() => {
          // Each position's value as the explorer writes it (its own fmt), set in the column
          // and measured; then the longest is checked to be what the explorer itself shows.
          const slider = document.querySelector('#gdt-explorer-0-lr');
          const output = slider.closest('.gdt-ex-row').querySelector('output');
          const spilled = [];
          const [min, max, step] = [slider.min, slider.max, slider.step].map(Number);
          const range = document.createRange();
          let longest = null;
          for (let k = 0; k <= Math.round((max - min) / step); k++) {
            slider.value = String(min + k * step);
            const text = window.gdtutorExplorer.fmt(10 ** Number(slider.value));
            output.textContent = text;
            range.selectNodeContents(output);
            const width = range.getBoundingClientRect().width;
            if (Math.max(width, output.scrollWidth) > output.clientWidth + 0.5) spilled.push(text);
            if (!longest || width > longest.width) longest = { value: slider.value, text, width };
          }
          slider.value = longest.value;
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          return { spilled, longest: longest.text, shown: output.textContent };
        }"""
    )
    context.close()
    assert spilled["spilled"] == [], spilled
    assert spilled["shown"] == spilled["longest"] and len(spilled["longest"]) == 8, spilled


def test_a_presets_note_goes_once_a_setting_changes(page) -> None:  # type: ignore[no-untyped-def]
    """The note of "Just past 2/λmax" says the run grows every step until it overflows; once
    α is lowered the run converges, and the note (which stayed) said otherwise. A change of
    α, β, the steps or the start clears it, as a change of objective or method did."""
    note = page.locator(".gdt-explorer .gdt-ex-note")
    controls = {
        "lr": f"{ID}-lr",
        "beta": f"{ID}-beta",
        "steps": f"{ID}-steps",
        "x1": f"{ID}-x1",
    }
    past_edge = next(
        k for k in range(page.locator("[data-preset]").count())
        if "2/λmax" in page.locator(f"[data-preset='{k}']").text_content()
    )  # fmt: skip
    for name, control in controls.items():
        page.click(f"[data-preset='{past_edge}']")
        assert "overflows" in note.text_content(), name
        page.evaluate(
            """(id) => {
              const input = document.querySelector(id);
              input.value = input.type === 'range' ? String(Number(input.min)) : '3';
              input.dispatchEvent(new Event('input', { bubbles: true }));
            }""",
            control,
        )
        assert note.text_content() == "", name
    page.click(f"[data-preset='{past_edge}']")
    page.locator(".gdt-ex-overlay").click()  # its middle: inside the plot
    assert note.text_content() == ""


def test_a_start_field_goes_back_to_its_start_from_this_edit_with_the_keyboard(page) -> None:  # type: ignore[no-untyped-def]
    """An edit that leaves a field as it was fires no change event: the next edit, after the
    objective changed, went back to the start from that older edit (8, off Rosenbrock's
    plot), saying "as before". With real keys: each edit begins when the field takes the
    focus."""
    _reset(page)
    field = page.locator(f"{ID}-x1")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    page.keyboard.press("Backspace")
    page.keyboard.type("8")
    page.keyboard.press("Tab")  # left as it was: no change event
    page.get_by_label("Objective").select_option("rosenbrock")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Tab")
    assert page.locator(".gdt-ex-start-note").text_content() == (
        "x₁ held no finite number: the run starts at x₁ = −1.2, as before."
    )
    assert float(page.input_value(f"{ID}-x1")) == -1.2
    page.get_by_label("Objective").select_option("skewed")


@pytest.mark.parametrize(
    ("keys", "start"),
    [
        ("1,5", 1.5),
        ("−3", -3.0),
        (" 2.25 ", 2.25),
        ("-,5", -0.5),
        ("1e0", 1.0),
        ("−2.5e−1", -0.25),  # as the page writes numbers, the exponent's minus too
        ("0,125", 0.125),
        ("１，５", 1.5),  # full-width, as some input methods type
    ],
)
def test_a_start_typed_as_readers_write_numbers_is_read_as_they_mean_it(  # type: ignore[no-untyped-def]
    page, keys: str, start: float
) -> None:
    """A decimal comma ("1,5", as much of Europe writes 1.5) read as 15 in Chromium's number
    field, which then moved the start to the plot's edge; the minus sign the page's notes
    print ("−10") was not a number at all. Typed with real keys."""
    _reset(page)
    field = page.locator(f"{ID}-x1")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(keys)
    assert float(shown(page)["startX"]) == start
    assert page.locator(".gdt-ex-start-note").text_content() == ""
    page.keyboard.press("Tab")
    assert float(page.input_value(f"{ID}-x1")) == start


@pytest.mark.parametrize(
    "keys", ["1,000.5", "1.5.2", "0x10", "1,5,2", "e5", "--2", "1,000", "-2,500"]
)
def test_a_start_that_is_no_plain_number_is_named_as_none(page, keys: str) -> None:  # type: ignore[no-untyped-def]
    """What is not one decimal number is not guessed at, nor a comma that may group thousands
    ("1,000" read as 1): the run keeps its start and the note says the field holds no
    number."""
    _reset(page)
    field = page.locator(f"{ID}-x1")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(keys)
    assert float(shown(page)["startX"]) == 8
    assert page.locator(".gdt-ex-start-note").text_content() == (
        "x₁ holds no finite number: the run starts at x₁ = 8."
    )

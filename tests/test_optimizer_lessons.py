"""What lessons 5 and 7 teach about torch.optim, checked; and lesson 7's script shows the race
(its notebook's player is checked with the other notebooks, in tests/site/test_downloads.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
import torch

from gdtutor import hessian, optimize, skewed
from gdtutor.answers import notebook_skewed
from gdtutor.stepsize import step_size_bounds

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "docs" / "_build" / "html" / "_downloads"
START = [8.0, 8.0]


def _value_factor(values: np.ndarray, last: int = 300) -> float:
    slope = np.polyfit(np.arange(last), np.log(np.asarray(values[-last:], dtype=float)), 1)[0]
    return float(np.exp(slope))


@pytest.fixture(scope="module")
def adamw_run() -> dict[str, np.ndarray]:
    """Lesson 5's AdamW run, lr 1, with its state read after every step."""
    x = torch.tensor(START, requires_grad=True)
    optimizer = torch.optim.AdamW([x], lr=1)
    beta2 = optimizer.param_groups[0]["betas"][1]
    lengths, root_v, values = [], [], []
    for t in range(1, 501):
        before = x.detach().clone()
        optimizer.zero_grad()
        value = skewed(x)
        value.backward()
        optimizer.step()
        values.append(value.item())
        lengths.append(torch.linalg.norm(x.detach() - before).item())
        root_v.append((optimizer.state[x]["exp_avg_sq"] / (1 - beta2**t)).sqrt().tolist())
    return {"lengths": np.array(lengths), "root_v": np.array(root_v), "values": np.array(values)}


def test_adamw_steps_about_lr_only_at_the_start(adamw_run: dict[str, np.ndarray]) -> None:
    lengths = adamw_run["lengths"]
    assert 1.0 < lengths[0] < 1.5  # about lr = 1 in each coordinate: √2 at most
    assert lengths[50] < 0.1 and lengths[100] < 0.01 and lengths[-1] < 1e-11
    assert lengths[0] / lengths[-1] > 1e12
    # while the effective learning rates change by far less
    growth = adamw_run["root_v"][0] / adamw_run["root_v"][-1]
    assert (growth > 1).all() and (growth < 30).all()
    np.testing.assert_allclose(adamw_run["root_v"][-1], [11.3, 23.3], atol=0.05)


def test_adamw_late_value_factor_is_beta1_times_the_decay(adamw_run: dict) -> None:
    assert _value_factor(adamw_run["values"]) == pytest.approx(0.9 * (1 - 0.01), rel=0.01)
    no_decay = optimize(skewed, START, "AdamW", lr=1.0, steps=500, weight_decay=0.0)
    assert _value_factor(no_decay.values) == pytest.approx(0.9, rel=0.01)


def test_adamw_late_roots_are_complex_in_both_directions(adamw_run: dict) -> None:
    # x_{t+1} = (d + β1 − (1 − β1) α D H) x_t − β1 d x_{t−1}, D = diag(1/√v̂), d = 1 − αλ
    beta1, lr, decay = 0.9, 1.0, 0.01
    d = 1 - lr * decay
    scaled = np.diag(1 / adamw_run["root_v"][-1]) @ hessian(skewed, at=(0.0, 0.0))
    for mu in np.linalg.eigvals(scaled).real:
        trace = d + beta1 - (1 - beta1) * lr * mu
        assert trace**2 < 4 * beta1 * d


def test_weight_decay_lowers_the_final_value_many_times() -> None:
    with_decay = optimize(skewed, START, "AdamW", lr=1.0, steps=500)
    without = optimize(skewed, START, "AdamW", lr=1.0, steps=500, weight_decay=0.0)
    ratio = skewed(without.end_point) / skewed(with_decay.end_point)
    assert 50 < ratio < 80  # the lesson prints 64


def test_sgd_at_its_best_step_overtakes_adamw() -> None:
    best = step_size_bounds(hessian(skewed, at=(0.0, 0.0))).best_lr
    assert best / 0.001 == pytest.approx(20)
    adamw = optimize(skewed, START, "AdamW", lr=1.0, steps=500)
    sgd = optimize(skewed, START, "SGD", lr=best, steps=500)
    caught_up = int(np.argmax(sgd.values <= skewed(adamw.end_point)))
    assert 0 < caught_up < 500
    # AdamW is the lowest of the three runs until the step the lesson prints, from which SGD
    # at its best step is below both others at every step.
    slow = optimize(skewed, START, "SGD", lr=0.001, steps=500)
    others = np.minimum(slow.values, adamw.values)
    overtakes = int(np.flatnonzero(sgd.values >= others)[-1]) + 1
    assert 1 < overtakes < 10
    assert (sgd.values[overtakes:] < others[overtakes:]).all()
    early = slice(1, overtakes)  # after the start, which all three share
    assert (adamw.values[early] < np.minimum(sgd.values, slow.values)[early]).all()
    # The lesson's curve ends where the value comes out as 0, at a point that is not the
    # minimum, because its terms are so small that float32 keeps them only to whole multiples
    # of its smallest positive number (they are below float32's smallest normal number).
    first = int(np.flatnonzero(sgd.values == 0)[0])
    assert (sgd.values[first:] == 0).all() and (sgd.values[:first] > 0).all()
    for x, y in np.asarray(sgd.points[first:], dtype=np.float64):
        terms = np.array([x * x, -3 * x * y, 4 * y * y])
        assert terms.sum() > 0 and (abs(terms) < np.finfo(np.float32).smallest_normal).all()
    # Written with matrix products, as the notebook writes it, some of these values come out
    # as a small multiple of float32's smallest positive number instead (as the lesson says).
    with torch.no_grad():
        matrix_form = np.array([notebook_skewed(torch.tensor(p)) for p in sgd.points[first:]])
    tiny = np.nextafter(np.float32(0), np.float32(1))
    assert (matrix_form == 0).any() and (matrix_form != 0).any()
    assert (matrix_form >= 0).all() and (matrix_form <= 100 * tiny).all()
    assert skewed(slow.end_point) > 1e20 * skewed(adamw.end_point)


def test_zero_grad_sets_the_gradient_to_none() -> None:
    x = torch.tensor(START, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=0.001)
    skewed(x).backward()
    optimizer.zero_grad()
    assert x.grad is None
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'zero_'"):
        x.grad.zero_()


# -- lesson 7's downloads ----------------------------------------------------------------------

RACE = "plot_07_optimizers_race"
# Replaces pyplot.show with a check that a live animation of an open figure is there to be
# shown, which is what an interactive window needs to play it.
PROBE = """
import gc, runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.animation import Animation

shown = []
def show(*args, **kwargs):
    live = [a for a in gc.get_objects() if isinstance(a, Animation)]
    shown.append(sum(plt.fignum_exists(a._fig.number) for a in live))
plt.show = show
runpy.run_path(sys.argv[1], run_name="__main__")  # its animation is deleted on return
gc.collect()
assert any(shown), f"plt.show() found no live animation: {shown}"
print("shown", shown[-1])
"""


def _download(suffix: str) -> Path:
    found = sorted(BUILT.glob(f"*/{RACE}{suffix}"))
    if not found:
        pytest.skip("the site is not built (docs/_build/html)")
    return found[0]


@pytest.mark.site
def test_race_script_shows_the_animation(tmp_path: Path) -> None:
    script = _download(".py")
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "shown 1" in result.stdout
    # With no window to play it in, matplotlib warns, as the lesson says it will.
    assert "Animation was deleted without rendering anything" in result.stderr
    assert "warns at the end that the animation was deleted" in " ".join(
        script.read_text(encoding="utf-8").replace("#", " ").split()
    )


@pytest.mark.site
def test_race_script_saves_the_race_as_the_lesson_says(tmp_path: Path) -> None:
    # Where no window can open, the lesson says to add one line to save the race instead.
    script = tmp_path / f"{RACE}.py"
    line = 'animation.save("race.gif", writer="pillow")'
    script.write_text(_download(".py").read_text(encoding="utf-8") + f"\n{line}\n")
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, script.name], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Animation was deleted" not in result.stderr
    with PIL.Image.open(tmp_path / "race.gif") as gif:
        assert gif.n_frames > 10 and gif.size[0] > 300
    assert f"``{line}``" in _download(".py").read_text(encoding="utf-8")  # as the lesson says


def test_lesson_6_opens_with_how_far_lesson_5s_rate_was_below_sgds_best() -> None:
    """ "that 0.001 was twenty times below SGD's best step": α* = 2 / (λmin + λmax)."""
    best = step_size_bounds(hessian(skewed, at=(0.0, 0.0))).best_lr
    assert best / 0.001 == pytest.approx(20)
    intro = (ROOT / "gallery" / "plot_06_optimizers_compared.py").read_text("utf-8")
    assert "beat SGD with learning rate 0.001, but that 0.001 was twenty times below SGD's" in (
        " ".join(intro.split())
    )

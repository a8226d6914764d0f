r"""
=================================
Seven optimizers, compared fairly
=================================

In :ref:`lesson 5 <sphx_glr_auto_examples_plot_05_torch_optim.py>`, AdamW with learning rate 1
beat SGD with learning rate 0.001, but that 0.001 was twenty times below SGD's best step.
This lesson gives seven ``torch.optim`` optimizers the same treatment: each is tuned with
the same number of trials, over its own knobs, on the skewed quadratic and on Rosenbrock's banana,
from the same three starts. You will see who wins, by how much, and what such a comparison
cannot tell you.
"""

# %%
# The contestants and their rules
# -------------------------------
#
# Each optimizer turns the gradient :math:`g_t = \nabla f(x_t)` into a step. With learning
# rate :math:`\alpha`, and every operation taken coordinate by coordinate:
#
# - **SGD**: :math:`x_{t+1} = x_t - \alpha g_t`.
# - **SGD + momentum** (heavy ball): :math:`b_t = \beta b_{t-1} + g_t`,
#   :math:`x_{t+1} = x_t - \alpha b_t`.
# - **Nesterov**: the same :math:`b_t`, but :math:`x_{t+1} = x_t - \alpha (g_t + \beta b_t)`.
# - **RMSprop**: :math:`v_t = \rho v_{t-1} + (1 - \rho) g_t^2`,
#   :math:`x_{t+1} = x_t - \alpha g_t / (\sqrt{v_t} + \epsilon)`.
# - **Adagrad**: :math:`s_t = s_{t-1} + g_t^2`,
#   :math:`x_{t+1} = x_t - \alpha g_t / (\sqrt{s_t} + \epsilon)`.
# - **Adam**: running means :math:`m_t, v_t` of :math:`g_t` and :math:`g_t^2` with rates
#   :math:`\beta_1, \beta_2`, bias-corrected to :math:`\hat m_t, \hat v_t`;
#   :math:`x_{t+1} = x_t - \alpha \hat m_t / (\sqrt{\hat v_t} + \epsilon)`.
# - **AdamW**: Adam's step from the decayed point,
#   :math:`x_{t+1} = (1 - \alpha\lambda) x_t - \alpha \hat m_t / (\sqrt{\hat v_t} + \epsilon)`.
#
# The :ref:`update rules page <theory-update-rules>` writes each of them out in a few lines
# of plain torch, in :mod:`gdtutor.rules`, and checks them against ``torch.optim``.

# %%
# The problems and the score
# --------------------------
#
# The first problem is the skewed quadratic of
# :ref:`sphx_glr_auto_examples_plot_04_skewed_valley.py`. The second is Rosenbrock's
# banana, :math:`f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2`: a narrow valley bent into a
# banana, whose floor leads to the minimum at (1, 1), where :math:`f = 0`; unlike the
# quadratic, its curvature changes from point to point. A run's *gap* is its value minus
# the minimum value, 0 for both functions. A run has
# *arrived* once its gap stays within the problem's tolerance until the end of its budget.
# Optimizers are ranked by when they arrive from their *worst* start, and those that
# arrive equally soon, or never, by their worst final gap.
from gdtutor.compare import CONTENDERS, PROBLEMS

for name, problem in PROBLEMS.items():
    starts = ", ".join(str(tuple(s)) for s in problem.starts.tolist())
    print(f"{name}: {problem.steps} steps from {starts}; tolerance {problem.tol:g}")

# %%
# The same number of trials for everyone
# --------------------------------------
#
# Every optimizer gets the same number of settings, and spends them on its own knobs: the
# learning rate, spread evenly on a log axis over the range printed below, and, where it
# has one, the momentum :math:`\beta` (Adam's :math:`\beta_1`). The other options keep
# torch's defaults; AdamW's weight decay :math:`\lambda` keeps :math:`\alpha\lambda` well
# below 1 on the whole grid, so it always pulls the point towards the origin and never past
# it. The grids also hold the settings that the :ref:`theory pages <theory>` derive for the
# Hessian at each minimum: the best fixed step :math:`\alpha^\star` and Polyak's heavy-ball
# :math:`\alpha` and :math:`\beta`.
import torch

from gdtutor import hessian
from gdtutor.compare import search_grid
from gdtutor.stepsize import heavy_ball, step_size_bounds

for name, problem in PROBLEMS.items():
    h = hessian(problem.objective, at=problem.minimizer)
    polyak = heavy_ball(h)
    print(f"{name}: best fixed step {step_size_bounds(h).best_lr:.4g}, ", end="")
    print(f"heavy ball lr {polyak.lr:.4g} and momentum {polyak.momentum:.4g}")
for label in CONTENDERS:
    grid = search_grid(label, PROBLEMS["skewed"])
    shape = " × ".join(f"{len(values)} {knob}" for knob, values in grid.items())
    print(f"{label + ':':16} {shape}")
decay = torch.optim.AdamW([torch.zeros(1)]).defaults["weight_decay"]
largest = max(max(search_grid("AdamW", problem)["lr"]) for problem in PROBLEMS.values())
print(f"AdamW: weight decay {decay}, largest lr × weight decay {largest * decay:.2g}")
every_lr = [
    lr
    for problem in PROBLEMS.values()
    for label in CONTENDERS
    for lr in search_grid(label, problem)["lr"]
]
print(f"learning rates from {min(every_lr):g} to {max(every_lr):g}")

# %%
# The sweep
# ---------
#
# :func:`gdtutor.compare.tune` runs every setting from every start, all at once as the rows
# of one tensor, with the rules of :mod:`gdtutor.rules`, and picks each optimizer's best
# setting by the score above. The starts are float64, which keeps rounding small for most
# runs, not all: in the rerun with ``torch.optim`` below, from Rosenbrock's first start, two
# of the seven paths part from ``torch.optim``'s, where a difference in float64's last digit
# has grown until it matters.
from gdtutor.compare import tune

sweeps = {(problem, label): tune(label, problem) for problem in PROBLEMS for label in CONTENDERS}
print(f"{len(sweeps)} sweeps of {len(sweeps['skewed', 'SGD'].settings)} settings × 3 starts")

# %%
# The results
# -----------
#
# The chosen settings, best first: the steps after which the gap stayed within the
# tolerance, from each start ("never" if it had not by the end), and the worst final gap.


def score(problem, label):
    sweep = sweeps[problem, label]
    return sweep.worst_steps[sweep.best_index], sweep.worst_gaps[sweep.best_index]


def ranking(problem):
    return sorted(CONTENDERS, key=lambda label: score(problem, label))


def knobs(settings):
    """The knobs that were tuned: lr, and momentum or Adam's β1 (β2 keeps torch's default)."""
    shown = {k: v for k, v in settings.items() if k != "nesterov"}
    if "betas" in shown:
        shown["β1"] = shown.pop("betas")[0]
    return ", ".join(f"{k} {v:.3g}" for k, v in shown.items())


for problem in PROBLEMS:
    print(
        f"\n{problem}:\n{'optimizer':15}  {'chosen setting':27} {'steps to arrive':>17}  worst gap"
    )
    for label in ranking(problem):
        sweep = sweeps[problem, label]
        counts = sweep.steps_to_tol[sweep.best_index]
        arrived = " ".join(f"{c:5.0f}" if c < float("inf") else "never" for c in counts)
        gap = sweep.worst_gaps[sweep.best_index]
        print(f"{label:15}  {knobs(sweep.best_settings):27} {arrived}  {gap:8.1e}")


# %%
# What the table shows
# --------------------
#
# Heavy-ball momentum wins both problems, by a wide margin. On the quadratic its best
# setting has Polyak's momentum and a learning rate within a grid step of Polyak's (the grid
# holds Polyak's own setting too, at which a finite run is a little slower, as the
# :ref:`momentum page <theory-momentum>` explains with the rate it derives), and it arrives
# in fewer than half the steps of tuned plain SGD.
#
# Tuned plain SGD arrives no later than tuned Adam on the quadratic. A step per coordinate
# gains little on this valley, whose axes are rotated (the
# :ref:`step-size page <theory-step-size-diagonal>` computes how little), and after its first
# steps Adam's pace is set by :math:`\beta_1` rather than by the valley's shape: lesson 5
# showed that where the roots of its two-step recurrence are complex, the value falls by
# :math:`\beta_1` per step whatever the curvature. The factors printed below, by which the
# value fell per step between steps 20 and 60, are close to the chosen :math:`\beta_1 = 0.7`
# for Adam; for SGD at its chosen learning rate they lie between the factors of its two
# eigen-directions, the squares of those the step-size page derives (the value is quadratic in
# the point), depending on how much of each direction a start has left. So the value of both
# falls by a factor of about 0.7 per step, and they arrive together. SGD's learning rate lies
# just below the best fixed step :math:`\alpha^\star`: :math:`\alpha^\star` has the smallest
# rate in the long run, but from these starts a slightly smaller step gets within the
# tolerance a few steps sooner.
#
# AdamW's weight decay pulls the point towards the origin: that is the quadratic's minimum,
# and there AdamW arrives before Adam; Rosenbrock's minimum is (1, 1), and there it never
# arrives while Adam does. On Rosenbrock only heavy-ball momentum, Nesterov and Adam arrive
# within the budget; the others are ranked by how close they got.
import numpy as np

from gdtutor import skewed
from gdtutor.compare import sweep
from gdtutor.stepsize import contraction_factors


def arrival(problem, label):
    steps = score(problem, label)[0]
    return f"{steps:.0f} steps" if np.isfinite(steps) else "never"


for problem in PROBLEMS:
    first, second = ranking(problem)[:2]
    print(f"{problem}: {first} {arrival(problem, first)}, next {second} ", end="")
    print(f"{arrival(problem, second)}; ", end="")
    print(", ".join(f"{name} {arrival(problem, name)}" for name in ("SGD", "Adam", "AdamW")))

for label in ("Adam", "SGD"):
    values = sweeps["skewed", label].best_values
    factors = (values[:, 60] / values[:, 20]) ** (1 / 40)
    print(f"{label}: the value fell by {' '.join(f'{f:.3f}' for f in factors)} per step")
sgd = sweeps["skewed", "SGD"]
h = hessian(skewed, at=PROBLEMS["skewed"].minimizer)
shallow, steep = contraction_factors(h, sgd.best_lr) ** 2  # the step-size page's factors
print(f"SGD at lr {sgd.best_lr:.4g}: {shallow:.3f} along the floor, {steep:.3f} across it")
star = step_size_bounds(h).best_lr
at_star = sweep(skewed, "SGD", {"lr": [star]}, sgd.starts, sgd.steps, tol=sgd.tol)
print(
    f"SGD arrives after {sgd.steps_to_tol[sgd.best_index].astype(int).tolist()} steps at lr ",
    end="",
)
print(f"{sgd.best_lr:.4g}, after {at_star.steps_to_tol[0].astype(int).tolist()} at α* = {star:.4g}")

# %%
# After the budget
# ----------------
#
# A run has arrived when its gap stays within the tolerance *until the end of its budget*;
# the table says nothing about the steps after it. Here every chosen setting that arrived
# runs for half its budget again, with the same rules, and each start gets the step at which
# its gap left the tolerance after the budget, with the step of its smallest gap in brackets,
# or "stays".
print(f"{'problem':10} {'optimizer':15}  {'up to':>5}  from each start: left after step (closest)")
for (problem, label), result in sweeps.items():
    if not np.isfinite(result.worst_steps[result.best_index]):
        continue
    settings = dict(result.best_settings)
    lr = settings.pop("lr")
    optimizer = CONTENDERS[label][0]
    steps = result.steps * 3 // 2
    longer = sweep(
        PROBLEMS[problem].objective,
        optimizer,
        {"lr": [lr]},
        result.starts,
        steps,
        tol=result.tol,
        **settings,
    )
    outside = longer.best_values[:, result.steps + 1 :] - result.target > result.tol
    closest = np.argmin(longer.best_values, axis=1)
    left = [
        f"{np.argmax(o) + result.steps + 1:5d} ({c:4d})" if o.any() else f"{'stays':>12}"
        for o, c in zip(outside, closest, strict=True)
    ]
    print(f"{problem:10} {label:15}  {steps:5d}  {' '.join(left)}")

# %%
# The fixed-step methods stay, and so does Adagrad, whose sum of squared gradients never
# shrinks, so that its effective learning rate :math:`\alpha / \sqrt{s}` never grows. RMSprop
# on the quadratic leaves from every start, AdamW on the quadratic and Adam on Rosenbrock
# from one start each. These three divide the step by :math:`\sqrt{v}`. Once the point has
# settled, its gradients are far too small to add anything to :math:`v`: what is left of
# :math:`v` is the large squared gradients of the first steps, fading. RMSprop's :math:`v`
# (``torch.optim``'s :math:`\rho = 0.99`) loses 1 % of them every step. Adam's and AdamW's
# :math:`\hat v` (:math:`\beta_2 = 0.999`, divided by :math:`1 - \beta_2^t`) is a weighted
# mean of all the squared gradients so far, so it falls far more slowly, roughly as
# :math:`1/t` over the first several hundred steps. Either way the effective learning rate
# grows until the steps overshoot along the valley's steep direction by more than they
# correct. Whether and when that happens depends on the learning rate and on the momentum
# too: Adam and AdamW average their steps, which stay stable up to a larger effective step
# (printed below for the quadratic's chosen settings), so that at their settings most of
# their runs stay. Where a start's smallest gap comes before the budget's end, the run was
# already past its closest approach while the table counted it as arrived, as RMSprop's and
# AdamW's runs from (8, 8) were (for RMSprop the start of its worst gap in the table).
# Another budget can change more than the order of
# close results.
#
# For RMSprop on the quadratic the moment can be pinned down. Its step is
# :math:`x_{t+1} = x_t - \alpha D_t H x_t` with :math:`D_t` the diagonal matrix of
# :math:`1 / (\sqrt{v_t} + \epsilon)`, so, as on the :ref:`step-size page <theory-step-size>`
# with :math:`\alpha D_t` in place of :math:`\alpha`, the steep component grows once the
# largest eigenvalue of :math:`\alpha D_t H` passes 2. Below, for each start, the step at
# which it first does, the step of the smallest gap, and the step after which the gap left the
# tolerance: the component is tiny when it starts to grow, so the gap leaves over a hundred
# steps later. (With Adam's momentum :math:`\beta_1`, lesson 5's two-step recurrence stays
# stable until that eigenvalue passes :math:`2 (1 + \beta_1) / (1 - \beta_1)` instead of 2;
# AdamW's decay :math:`\alpha\lambda` lowers that limit to
# :math:`(1 + \beta_1) (2 - \alpha\lambda) / (1 - \beta_1)`.)
from gdtutor.rules import rmsprop

result = sweeps["skewed", "RMSprop"]
h = hessian(skewed, at=PROBLEMS["skewed"].minimizer)
for start in result.starts:
    x, state, largest, gaps = torch.tensor(start), {}, [], []
    for _ in range(result.steps * 3 // 2):
        x.requires_grad_(True)
        value = skewed(x)
        (grad,) = torch.autograd.grad(value, x)
        gaps.append(value.item())
        with torch.no_grad():
            x = rmsprop(x, grad, state, lr=result.best_lr)
        d = result.best_lr / (state["square_avg"].sqrt().numpy() + 1e-8)  # α D_t, diagonal
        largest.append(np.linalg.eigvals(d[:, None] * h).real.max())
    gaps.append(skewed(x).item())
    passes = np.argmax(np.array(largest) > 2) + 1
    closest = np.argmin(gaps)
    leaves = np.argmax(np.array(gaps[result.steps + 1 :]) > result.tol) + result.steps + 1
    print(f"from {tuple(start.tolist())}: largest eigenvalue of α D H above 2 at step ", end="")
    print(f"{passes}, smallest gap after step {closest}, outside the tolerance after {leaves}")
for label in ("Adam", "AdamW"):
    chosen = sweeps["skewed", label]
    name, options = CONTENDERS[label]
    # torch.optim fills in the settings not chosen: AdamW's weight decay is its default.
    made = getattr(torch.optim, name)([torch.zeros(1)], **options, **chosen.best_settings)
    beta1, decay = made.defaults["betas"][0], chosen.best_lr * made.defaults["weight_decay"]
    limit = (1 + beta1) * (2 - decay) / (1 - beta1)
    print(f"{label}'s limit at β1 = {beta1}, αλ = {decay:.4f}: {limit:.2f}")

# %%
# How much the choice of settings matters
# ---------------------------------------
#
# For each learning rate, the best score over the optimizer's other knob: on the quadratic
# the steps to arrive, on Rosenbrock the worst final gap, since most never arrive there. Both
# are the worst of the three starts, so a line stops where, at that learning rate, every
# setting failed from at least one start: none arrived from all three (on the quadratic), or
# each diverged from one of them (on Rosenbrock). A gap inside a line is such a learning rate
# too; nothing is cut off or clipped. A big dot marks the chosen
# setting; on Rosenbrock the optimizers that arrive were ranked by their steps to arrive,
# so their dots need not sit at the lowest point of a curve of final gaps. A curve with a
# wide, flat bottom forgives a badly chosen learning rate.
import matplotlib.pyplot as plt

MEASURES = {"skewed": "worst_steps", "rosenbrock": "worst_gaps"}
TITLES = {
    "skewed": "Skewed quadratic: steps to arrive, by learning rate",
    "rosenbrock": "Rosenbrock: worst final gap, by learning rate",
}
fig, axes = plt.subplots(2, 1, figsize=(6.4, 8.6), sharex=True, layout="constrained")
for ax, (problem, measure) in zip(axes, MEASURES.items(), strict=True):
    for i, label in enumerate(CONTENDERS):
        sweep = sweeps[problem, label]
        values = getattr(sweep, measure)
        lrs = np.unique(sweep.lrs)
        best = np.array([values[sweep.lrs == lr].min() for lr in lrs])
        ax.plot(lrs, np.where(np.isfinite(best), best, np.nan), color=f"C{i}", label=label)
        ax.plot(sweep.best_lr, values[sweep.best_index], "o", color=f"C{i}", ms=8)
    ax.set(xscale="log")
    ax.set_title(TITLES[problem], fontsize="medium")
axes[0].set(ylabel="steps to arrive (worst start)", ylim=(0, PROBLEMS["skewed"].steps))
axes[1].set(yscale="log", ylabel="worst final gap", xlabel="learning rate")
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside lower center", ncols=3)
plt.show()

# %%
# The sweep's runs are torch.optim's runs
# ---------------------------------------
#
# Rerunning each chosen setting on Rosenbrock with :func:`gdtutor.optimize`, the
# ``torch.optim`` loop of lesson 5, from the first start: the paths agree to rounding,
# except RMSprop's and AdamW's, which part from about the middle of the run (the step
# printed): from there, a difference in the last digit grows step by step until the two
# paths go their own ways. Each row also gives the final gap from this start, in the sweep
# and in the rerun.
from gdtutor import optimize, rosenbrock

reruns = {}
print(f"{'optimizer':15}  largest difference  apart by 1e-9 at step  final gap: sweep    rerun")
for label, (optimizer, _) in CONTENDERS.items():
    sweep = sweeps["rosenbrock", label]
    settings = dict(sweep.best_settings)
    lr = settings.pop("lr")
    rerun = optimize(rosenbrock, sweep.starts[0], optimizer, lr=lr, steps=1000, **settings)
    gap = np.abs(np.vstack([rerun.points, rerun.end_point]) - sweep.best_points[0]).max(axis=1)
    parted = np.flatnonzero(gap > 1e-9)
    when = str(parted[0]) if parted.size else "never"
    reruns[label] = float(rosenbrock(rerun.end_point.astype(float))) - sweep.target
    final = sweep.final_gaps[sweep.best_index, 0]
    print(f"{label:15}  {gap.max():18.0e}  {when:>21}  {final:16.1e}  {reruns[label]:7.1e}")

# %%
# Where the last digits decide the path, they decide the choice too. AdamW's rerun ends,
# from this one start, with a larger gap than the sweep's second-best AdamW setting has from
# its worst start: computed with ``torch.optim``'s arithmetic, the sweep could have chosen
# another setting for AdamW. Its row in the table above, setting and gap, is this
# computation's; that at this setting it ends far from the minimum holds for both runs,
# whose final gaps are hundreds of times the tolerance. RMSprop's rows rest on the last
# digits in the same way: on Rosenbrock its chosen learning rate beats the next best by a
# few percent here, among neighbors whose gaps jump up and down (its curve in the figure
# above), and on the quadratic its worst gap comes from a start whose path, as the section
# on the steps after the budget showed, is already heading out of the tolerance when the
# budget ends.
sweep = sweeps["rosenbrock", "AdamW"]
for rank, i in enumerate(np.argsort(sweep.worst_gaps)[:2], start=1):
    print(f"AdamW setting {rank}: {knobs(sweep.settings[i])}, worst gap {sweep.worst_gaps[i]:.1e}")
print(f"AdamW's chosen setting rerun with torch.optim, first start: gap {reruns['AdamW']:.1e}")
print(f"the tolerance: {sweep.tol:.0e}")

# %%
# The paths at the chosen settings
# --------------------------------
#
# One panel per optimizer, the three starts in three colors: blue, orange and green, in the
# order printed at the top of this page. Where paths run together, as they do along
# Rosenbrock's valley floor, the one drawn last covers the others, so that an earlier
# start's path shows only where it leaves them.
# On the quadratic, SGD zigzags
# across the valley floor all the way down the valley, its swings shrinking slowly.
# Momentum's swings are wider at first (its first one ends farther from the floor than its
# start was) but die out sooner, so fewer of them can be seen; Nesterov's die out sooner
# still. The adaptive methods cross the floor visibly a few times at most (Adam's and
# AdamW's paths go on crossing it well over a hundred times, and RMSprop's from one start dozens of
# times, in swings far too small to see): they
# scale each coordinate's step, so their steps leave the gradient's direction from the first
# one on, where SGD's and momentum's first steps follow it.
from gdtutor.plotting import plot_contours, plot_trajectory, trajectory_legend

VIEWS = {
    "skewed": {"xlim": (-10, 10), "ylim": (-10, 10), "spacing": "sqrt"},
    "rosenbrock": {"xlim": (-2, 2.5), "ylim": (-1, 3.5), "spacing": "log"},
}
# Ticks inside the limits, so that neighboring panels' labels do not run together.
TICKS = {"skewed": [-5, 0, 5], "rosenbrock": [-1, 0, 1, 2]}


def small_multiples(problem, title):
    view = VIEWS[problem]
    shared = {"sharex": True, "sharey": True, "layout": "constrained"}
    fig, axes = plt.subplots(3, 3, figsize=(6.4, 7.2), **shared)
    for ax, label in zip(axes.flat, CONTENDERS, strict=False):
        sweep = sweeps[problem, label]
        plot_contours(ax, PROBLEMS[problem].objective, levels=7, colors="0.75", **view)
        for j, points in enumerate(sweep.best_points):
            plot_trajectory(ax, points, color=f"C{j}", marker="", linewidth=1)
        ax.set(xlim=view["xlim"], ylim=view["ylim"], xlabel="", ylabel="")
        ax.set_title(label, fontsize="medium")
        ax.set(xticks=TICKS[problem], yticks=TICKS[problem])
    for ax in axes[-1, 1:]:  # the legend's cell and an empty one
        ax.set_axis_off()
    for ax in axes[-2, 1:]:  # the panels above them have none below
        ax.tick_params(labelbottom=True)
    trajectory_legend(axes[-1, 1], loc="center")
    fig.suptitle(title)
    plt.show()


small_multiples("skewed", "Skewed quadratic: by very different roads")

# %%
# On Rosenbrock the valley floor is long and curved, and its steep walls limit a fixed step
# (the :ref:`theory page <theory-step-size>` computes the condition number at the minimum:
# in the thousands). Plain SGD, at its best learning rate, follows the floor most of the
# way but ends short of the minimum. The :ref:`explorer <theory-explorer>` runs momentum,
# Nesterov and Adam on this banana from any start you click.
small_multiples("rosenbrock", "Rosenbrock: the long curved floor separates them")
# sphinx_gallery_thumbnail_number = 3
for label in ("SGD", "SGD + momentum", "Adam"):
    distance = np.linalg.norm(sweeps["rosenbrock", label].best_points[0] - 1.0, axis=1)
    print(f"{label + ':':16} distance to (1, 1) from {distance[0]:.2f} down to {distance[-1]:.1e}")

# %%
# What this comparison can and cannot show
# ----------------------------------------
#
# It shows, for two deterministic two-variable problems with exact gradients, these budgets,
# these starts and these grids, how fast each optimizer gets there at its best settings and
# how sensitive it is to them. It cannot show how they behave with noisy mini-batch
# gradients, in millions of dimensions, or what a trained model does on new data; a finer
# grid or other knobs could reorder close results, and another budget could change more than
# their order (three chosen settings leave the tolerance within half a budget after it). And
# a problem can flatter an optimizer: AdamW's pull towards the origin is a gift only where
# the minimum is the origin.

# %%
# Conclusion
# ----------
#
# Compare optimizers at their own best settings, found with the same effort for each, from
# several starts, under one budget, and look at the whole sweep, not only its minimum.
# Next, :ref:`sphx_glr_auto_examples_plot_07_optimizers_race.py` animates the Rosenbrock
# runs; the :ref:`momentum theory page <theory-momentum>` explains why heavy-ball momentum
# wins on a quadratic.

r"""
=================================
Seven optimizers, compared fairly
=================================

In :ref:`sphx_glr_auto_examples_plot_05_torch_optim.py` AdamW with learning rate 1 beat SGD
with learning rate 0.001 by many orders of magnitude, but both learning rates were picked by
hand. This lesson gives seven ``torch.optim`` optimizers the same treatment: the same grid
of learning rates, the same step budget and the same three start points, on the skewed
quadratic and on Rosenbrock's banana. You will see how much the verdict depends on the
learning rate, who wins where, and what such a comparison cannot tell you.
"""

# %%
# The contestants and the rules
# -----------------------------
#
# Every optimizer keeps torch's defaults except the learning rate (momentum 0.9 where there
# is momentum). The grid has two learning rates per decade from 1e-4 to 100, the same for
# everyone. A run's *gap* is its value minus the minimum value (0 for both functions); the
# tolerance says what counts as "arrived" within the problem's step budget.
import numpy as np

from gdtutor import rosenbrock, skewed
from gdtutor.compare import CONTENDERS, SWEEP_LRS

PROBLEMS = {  # objective, start points, step budget, tolerance on the gap
    "skewed": (skewed, [[8.0, 8.0], [-8.0, 4.0], [2.0, -8.0]], 500, 1e-6),
    "rosenbrock": (rosenbrock, [[-1.2, 1.0], [-0.5, 2.5], [1.8, 1.5]], 1000, 1e-4),
}

# %%
# The sweep
# ---------
#
# :func:`gdtutor.compare.sweep_lr` runs one optimizer at every learning rate from every
# start and picks a learning rate by a fixed rule: the one after which the gap stays below
# the tolerance soonest *from every start*; if none gets there, the one with the smallest
# gap from its worst start. Judging by the worst start means a learning rate that is lucky
# from one start cannot win. The starts are float64, so that rounding plays no part.
from gdtutor.compare import sweep_lr

sweeps = {}
for problem, (objective, starts, steps, tol) in PROBLEMS.items():
    for name, (optimizer, options) in CONTENDERS.items():
        sweeps[problem, name] = sweep_lr(
            objective, optimizer, SWEEP_LRS, np.array(starts), steps, tol=tol, **options
        )
print(f"{len(sweeps)} sweeps of {len(SWEEP_LRS)} learning rates × 3 starts")

# %%
# Final gap against learning rate
# -------------------------------
#
# Each line is one optimizer's worst final gap over the three starts; a line leaves the top
# where the runs blow up, and the big dot marks the chosen learning rate. Read the width of
# each valley as much as its depth: a wide valley forgives a badly chosen learning rate.
import matplotlib.pyplot as plt

FLOOR, CEILING = 1e-30, 1e6  # far below every tolerance, far above every start
fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.4), layout="constrained")
for ax, (problem, (*_, tol)) in zip(axes, PROBLEMS.items(), strict=True):
    lowest = tol
    for i, name in enumerate(CONTENDERS):
        sweep = sweeps[problem, name]
        gaps = np.maximum(sweep.worst_gaps, FLOOR)
        ax.plot(sweep.lrs, gaps, color=f"C{i}", marker=".", label=name)
        ax.plot(sweep.best_lr, gaps[sweep.best_index], "o", color=f"C{i}", ms=9)
        lowest = min(lowest, gaps.min())
    ax.axhline(tol, color="k", linestyle=":", linewidth=1, label="tolerance")
    ax.set(xscale="log", yscale="log", ylim=(lowest / 10, CEILING))
    ax.set(xlabel="learning rate", ylabel="worst final gap")
    ax.set_title(f"{problem}: a best lr for each")
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside lower center", ncols=4)
plt.show()

# %%
# The results
# -----------
#
# At the chosen learning rates: the worst final gap and, per start, the number of steps
# after which the gap stayed below the tolerance ("never" if it had not by the end).
for problem, (_, _, steps, tol) in PROBLEMS.items():
    print(f"\n{problem}: {steps} steps, tolerance {tol:g}")
    print(f"{'optimizer':>15} {'lr':>8} {'worst gap':>10}   steps to tolerance")
    for name in CONTENDERS:
        sweep = sweeps[problem, name]
        counts = sweep.steps_to_tol[sweep.best_index]
        reached = " ".join(f"{c:5.0f}" if np.isfinite(c) else "never" for c in counts)
        gap = sweep.worst_gaps[sweep.best_index]
        print(f"{name:>15} {sweep.best_lr:8.3g} {gap:10.1e}   {reached}")

# %%
# The sweep's runs are gdtutor.optimize's runs
# --------------------------------------------
#
# To be fast, the sweep moves all learning rates and starts at once, as rows of one tensor.
# Rerunning one chosen setting with :func:`gdtutor.optimize`, the loop of lesson 5, gives
# the same run up to rounding:
from gdtutor import optimize

sweep = sweeps["rosenbrock", "Adam"]
start, lr = sweep.starts[0], sweep.best_lr
rerun = optimize(rosenbrock, start, "Adam", lr=lr, steps=sweep.steps)
difference = np.abs(rerun.points - sweep.best_runs[0].points).max()
print(f"Adam, lr {lr:.3g}: largest point difference {difference:.1e}")

# %%
# The paths at the chosen learning rates
# --------------------------------------
#
# One panel per optimizer, the three starts in three colours. On the quadratic everybody
# arrives; how they travel differs. Momentum overshoots and rings, the adaptive methods take
# steps of about ``lr`` per coordinate and cut corners. AdamW's panel looks wild for a
# reason the last section explains.
from gdtutor.plotting import plot_contours, plot_trajectory

VIEWS = {
    "skewed": {"xlim": (-10, 10), "ylim": (-10, 10), "spacing": "sqrt"},
    "rosenbrock": {"xlim": (-2, 2.5), "ylim": (-1, 3.5), "spacing": "log"},
}


def small_multiples(problem, title):
    objective, *_ = PROBLEMS[problem]
    view = VIEWS[problem]
    fig, axes = plt.subplots(
        2, 4, figsize=(8.4, 4.6), sharex=True, sharey=True, layout="constrained"
    )
    for ax, name in zip(axes.flat, CONTENDERS, strict=False):
        sweep = sweeps[problem, name]
        plot_contours(ax, objective, levels=7, colors="0.75", **view)
        for j, run in enumerate(sweep.best_runs):
            plot_trajectory(ax, run, color=f"C{j}", marker="", linewidth=1)
        ax.set(xlim=view["xlim"], ylim=view["ylim"], xlabel="", ylabel="")
        ax.set_title(f"{name}, lr {sweep.best_lr:.3g}", fontsize="small")
        ax.tick_params(labelsize="small")
    axes.flat[-1].set_axis_off()
    fig.suptitle(title)


small_multiples("skewed", "Skewed quadratic: all arrive, by very different roads")

# %%
# On Rosenbrock the valley floor is long and curved, and its steep walls limit a fixed step
# (the :ref:`theory page <theory-step-size>` computes the condition number at the minimum:
# in the thousands). Plain SGD has barely started along the floor when its budget runs out.
# The :ref:`explorer <theory-explorer>` runs momentum, Nesterov and Adam on this banana from
# any start you click.
small_multiples("rosenbrock", "Rosenbrock: the long curved floor separates them")
# sphinx_gallery_thumbnail_number = 3

# %%
# The gap along the way
# ---------------------
#
# The gap per step from the first start, at the chosen learning rates. Momentum methods,
# RMSprop and Adam do not descend monotonically: they overshoot, turn and come back.
from gdtutor.plotting import plot_values

fig, axes = plt.subplots(1, 2, figsize=(8.4, 4), layout="constrained")
for ax, problem in zip(axes, PROBLEMS, strict=True):
    first = [sweeps[problem, name].best_runs[0] for name in CONTENDERS]
    plot_values(ax, *first, log=True, labels=list(CONTENDERS), linewidth=1)
    start = tuple(first[0].points[0].tolist())
    ax.set(ylabel="gap", title=f"{problem}, from {start}")
axes[1].legend(fontsize="small")
plt.show()

# %%
# What this comparison can and cannot show
# ----------------------------------------
#
# It shows, for two deterministic two-variable problems with exact gradients, this budget,
# these starts and this grid, how low each optimizer gets at its best learning rate and how
# sensitive it is to that choice. It cannot show how they behave with noisy mini-batch
# gradients, in millions of dimensions, or on what a trained model does on new data; a
# finer grid, other defaults or another budget could reorder close results. And it can
# flatter: AdamW's weight decay multiplies the point by 1 − lr × weight_decay every step, a
# pull towards the origin. On the skewed quadratic the origin *is* the minimum, and AdamW's
# winning learning rate sits at the top of the grid, where that factor is 0: every step
# throws the point away and keeps only Adam's move. On Rosenbrock, whose minimum is (1, 1),
# the same pull costs it. With ``weight_decay=0``, AdamW is Adam:
import torch

weight_decay = torch.optim.AdamW([torch.zeros(1)]).defaults["weight_decay"]
for problem in PROBLEMS:
    adam, adamw = sweeps[problem, "Adam"], sweeps[problem, "AdamW"]
    gaps = adam.worst_gaps[adam.best_index], adamw.worst_gaps[adamw.best_index]
    factor = 1 - adamw.best_lr * weight_decay
    print(f"{problem:>10}: worst gap Adam {gaps[0]:.1e}, AdamW {gaps[1]:.1e}")
    print(f"{'':>10}  AdamW's lr {adamw.best_lr:.3g}: 1 - lr × wd = {factor:.3g}")

# %%
# Conclusion
# ----------
#
# Compare optimizers at their own best learning rates, from several starts, under one
# budget, and look at the whole sweep, not only its minimum. Next,
# :ref:`sphx_glr_auto_examples_plot_07_optimizers_race.py` animates these runs on
# Rosenbrock; the :ref:`theory page <theory-step-size>` explains the limits of a fixed step.
# API used: :func:`gdtutor.compare.sweep_lr` (and its record :class:`gdtutor.compare.Sweep`),
# :func:`gdtutor.optimize`, :func:`gdtutor.skewed`, :func:`gdtutor.rosenbrock`,
# :func:`gdtutor.plotting.plot_contours`, :func:`gdtutor.plotting.plot_trajectory` and
# :func:`gdtutor.plotting.plot_values`.

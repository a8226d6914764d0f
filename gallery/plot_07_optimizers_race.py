r"""
======================================
The optimizers race through the banana
======================================

A still picture of a path hides its timing: where an optimizer hurries, where it hesitates,
where it overshoots and comes back. This lesson animates the seven optimizers of
:ref:`sphx_glr_auto_examples_plot_06_optimizers_compared.py` on Rosenbrock's function,
each at the settings its tuning chose, all from the classic start (-1.2, 1).
"""

# %%
# The runs of lesson 6
# --------------------
#
# :func:`gdtutor.compare.tune` gives the same sweeps as in lesson 6, on the same problem
# (:data:`gdtutor.compare.PROBLEMS`); each sweep keeps the paths of its chosen setting, the
# first from (-1.2, 1).
import numpy as np

from gdtutor.compare import CONTENDERS, PROBLEMS, tune

problem = PROBLEMS["rosenbrock"]
paths = {}  # the points after 0, 1, …, problem.steps steps from (-1.2, 1)
for name in CONTENDERS:
    sweep = tune(name, "rosenbrock")
    paths[name] = sweep.best_points[0]
    knobs = [f"{k} {v}" for k, v in sweep.best_settings.items() if k != "lr"]
    final = sweep.best_values[0, -1]
    parts = [f"lr {sweep.best_lr:.3g}", *knobs, f"final value {final:.1e}"]
    print(f"{name + ':':16} {', '.join(parts)}")

# %%
# One frame
# ---------
#
# A frame draws every path up to the same step, with a dot at its head. Time speeds up as
# the animation goes on (the frames are spaced evenly in the logarithm of the step), so the
# first, fast moves and the long crawl along the valley floor both get their share.
frames = np.unique(np.geomspace(1, problem.steps, 22).astype(int))


def draw(step):
    for line, head, path in zip(lines, heads, paths.values(), strict=True):
        x, y = path[: step + 1].T
        line.set_data(x, y)
        head.set_data(x[-1:], y[-1:])
    ax.set_title(f"Rosenbrock from (-1.2, 1): step {step} of {problem.steps}")
    return [*lines, *heads]


# %%
# The race
# --------
#
# A notebook's player embeds every frame as an image, so there are few of them, stored as
# JPEG (this page stores them as sharper PNG images), and the margins are fixed rather than
# recomputed for every frame. Use the controls to pause, step through or slow down the
# frames. Run as a script, this lesson opens a window that plays
# the race; in a notebook, it shows the same player as this page. Where no window can open
# (no display, or ``MPLBACKEND=Agg`` as the install page suggests for saving figures),
# matplotlib warns at the end that the animation was deleted without rendering anything
# (the script does keep it in a variable, as the warning advises: nothing could draw it);
# keep the race as a file instead: add ``animation.save("race.gif", writer="pillow")`` as
# the script's last line, and it writes ``race.gif`` in the folder it runs in.
import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

from gdtutor.plotting import plot_contours

plt.rcParams["animation.frame_format"] = "jpeg"
fig, ax = plt.subplots(figsize=(5.4, 5.6), dpi=72)
fig.subplots_adjust(left=0.12, right=0.96, bottom=0.27, top=0.93)
view = {"xlim": (-2, 2), "ylim": (-1, 3), "spacing": "log", "colors": "0.8"}
plot_contours(ax, problem.objective, levels=10, **view)
ax.plot(*problem.minimizer, "kP", markersize=9, label="minimum (1, 1)")
lines, heads = [], []
for i, name in enumerate(paths):
    lines += ax.plot([], [], color=f"C{i}", linewidth=1.2, label=name)
    heads += ax.plot([], [], "o", color=f"C{i}", mec="k", zorder=3)
# The legend goes below the plot, where it hides no path.
fig.legend(loc="lower center", fontsize="small", ncols=3)
animation = FuncAnimation(fig, draw, frames=frames, interval=250)


def in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


if in_notebook():
    from IPython.display import HTML, display

    display(HTML(animation.to_jshtml()))
    plt.close(fig)  # the player replaces the still figure
else:
    plt.show()

# %%
# What to notice
# --------------
#
# Adam's first steps throw it far out of the valley, yet it is halfway to the minimum after
# two steps and ends closest to it, though it was nearest at an earlier step (the table
# below), and at this setting its gap climbs back out of lesson 6's tolerance within 500
# steps after the 1000 (lesson 6's runs after the budget say when). Heavy-ball momentum
# gathers speed along the floor, overshoots its bends, and ends second closest. Plain SGD
# and Adagrad creep along the floor in steps that no longer turn back, and end farther from
# the minimum than momentum, Nesterov, RMSprop and Adam. (AdamW is left out: here it ends
# nearer than both, but lesson 6's rerun of its run with ``torch.optim`` ends farther out
# than both.) RMSprop creeps too at first; then, from some 600 steps on, every step turns
# back across the floor, and in that zigzag it still gains on the minimum, ending closer
# than SGD and Adagrad. AdamW, tuned on the same grid as Adam and held back by its weight
# decay's pull towards the origin, comes nearest the minimum about halfway through the run;
# then bursts of steps back and forth across the floor throw it back along the valley, and
# it ends farther out than it was then.
#
# Below, for each path: the step at which it first got halfway to the minimum, the step at
# which it came nearest and how near, how far from the minimum it ended, the last step that
# turned back (a step turns back when it points against the step before it), and the step
# from which every step turned back, if that went on for over 100 steps. RMSprop's and
# AdamW's paths from about the middle of the run on magnify rounding (lesson 6's rerun with
# ``torch.optim`` parts from them there), so their digits are those of this computation,
# not of every one. As lesson 6 said, this is one start on one deterministic toy problem:
# it shows how the update rules move, not which one will train your model best.
print(
    f"{'optimizer':15}  halfway  nearest (at step)       ends  last turn back  all turn back from"
)
for name, path in paths.items():
    distance = np.linalg.norm(path - problem.minimizer, axis=1)
    halfway = np.flatnonzero(distance < distance[0] / 2)[0]
    nearest = distance.argmin()
    steps = np.diff(path, axis=0)  # steps[k - 1] goes from point k - 1 to point k
    back = (steps[1:] * steps[:-1]).sum(axis=1) < 0  # [k]: step k + 2 turns back
    last_back = np.flatnonzero(back)[-1] + 2 if back.any() else 0
    streak = np.flatnonzero(~back)[-1] + 3 if not back.all() else 2  # all turn back from here
    all_back = f"{streak:4d}" if streak < problem.steps - 100 else "   -"
    print(
        f"{name:15}  {halfway:7d}  {distance[nearest]:.1e} (step {nearest:4d})"
        f"  {distance[-1]:.1e}  {last_back:14d}  {all_back:>18}"
    )


# %%
# Conclusion
# ----------
#
# Back to :ref:`sphx_glr_auto_examples_plot_06_optimizers_compared.py` for the numbers behind
# the picture, or on to the :ref:`theory pages <theory>` for why a fixed step must be small
# in a valley this narrow and what momentum does about it.

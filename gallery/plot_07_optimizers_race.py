r"""
======================================
The optimizers race through the banana
======================================

A still picture of a path hides its timing: where an optimizer hurries, where it hesitates,
where it overshoots and comes back. This lesson animates the seven optimizers of
:ref:`sphx_glr_auto_examples_plot_06_optimizers_compared.py` on Rosenbrock's function,
each at the learning rate its sweep chose, all from the classic start (-1.2, 1).
"""

# %%
# The same sweep as before
# ------------------------
#
# The contestants, the grid of learning rates, the starts and the budget of lesson 6, so that
# each optimizer runs at the learning rate that lesson chose for it.
import numpy as np

from gdtutor import rosenbrock
from gdtutor.compare import CONTENDERS, SWEEP_LRS, sweep_lr

STARTS = np.array([[-1.2, 1.0], [-0.5, 2.5], [1.8, 1.5]])
STEPS = 1000
paths = {}  # the points after 0, 1, …, STEPS steps from (-1.2, 1)
for name, (opt, options) in CONTENDERS.items():
    sweep = sweep_lr(rosenbrock, opt, SWEEP_LRS, STARTS, STEPS, tol=1e-4, **options)
    run = sweep.best_runs[0]
    paths[name] = np.vstack([run.points, run.end_point])
    value = rosenbrock(run.end_point)
    print(f"{name:>15}: lr {sweep.best_lr:8.3g}, final value {value:.1e}")

# %%
# One frame
# ---------
#
# A frame draws every path up to the same step, with a dot at its head. Time speeds up as
# the animation goes on (the frames are spaced evenly in the logarithm of the step), so the
# first, fast moves and the long crawl along the valley floor both get their share.
frames = np.unique(np.geomspace(1, STEPS, 22).astype(int))


def draw(step):
    for line, head, path in zip(lines, heads, paths.values(), strict=True):
        x, y = path[: step + 1].T
        line.set_data(x, y)
        head.set_data(x[-1:], y[-1:])
    ax.set_title(f"Rosenbrock from (-1.2, 1): step {step} of {STEPS}")
    return [*lines, *heads]


# %%
# The race
# --------
#
# The page embeds every frame as an image, so there are few of them, stored as JPEG, and the
# margins are fixed rather than recomputed for every frame. Use the controls to pause, step
# through or slow down the frames. In a notebook of your own,
# ``IPython.display.HTML(animation.to_jshtml())`` shows the same player.
import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

from gdtutor.plotting import plot_contours

plt.rcParams["animation.frame_format"] = "jpeg"
fig, ax = plt.subplots(figsize=(5.4, 4.6), dpi=72)
fig.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.93)
view = {"xlim": (-2, 2), "ylim": (-1, 3), "spacing": "log", "colors": "0.8"}
plot_contours(ax, rosenbrock, levels=10, **view)
ax.plot(1, 1, "k*", markersize=12)
lines, heads = [], []
for i, name in enumerate(paths):
    lines += ax.plot([], [], color=f"C{i}", linewidth=1.2, label=name)
    heads += ax.plot([], [], "o", color=f"C{i}", mec="k", zorder=3)
ax.legend(loc="lower right", fontsize="small", ncols=2)
animation = FuncAnimation(fig, draw, frames=frames, interval=250)

# %%
# What to notice
# --------------
#
# Plain SGD, held back by the steep walls, creeps along the valley floor and never gets
# halfway. SGD with momentum races along the floor, overshooting on the way. Adagrad's
# first steps jump far, then shrink as its sum of squared gradients grows. RMSprop keeps
# jittering across the floor; Adam settles at the minimum; AdamW stops short of it, held
# back by the weight decay that pulls towards the origin. As lesson 6 said, this is one
# start on one deterministic toy problem: it shows how the update rules move, not which
# one will train your model best.
for name, path in paths.items():
    distance = np.linalg.norm(path - [1.0, 1.0], axis=1)
    closer = np.flatnonzero(distance < distance[0] / 2)
    halfway = f"after {closer[0]:3d} steps" if closer.size else "never"
    print(f"{name:>15}: halfway {halfway}, ends {distance[-1]:.1e} away")

# %%
# Conclusion
# ----------
#
# Back to :ref:`sphx_glr_auto_examples_plot_06_optimizers_compared.py` for the numbers behind
# the picture, or on to the :ref:`theory page <theory-step-size>` for why a fixed step must
# be small in a valley this narrow. API used: :func:`gdtutor.compare.sweep_lr`,
# :func:`gdtutor.rosenbrock` and :func:`gdtutor.plotting.plot_contours`.

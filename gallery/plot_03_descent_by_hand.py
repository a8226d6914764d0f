r"""
========================
Gradient descent by hand
========================

The gradient points uphill, so a small step against it goes downhill. This lesson writes
that step in four lines of torch, runs it on the round bowl :math:`f(x_1, x_2) = 10\,(x_1^2 +
x_2^2)` from :math:`(8, 8)` with learning rate :math:`\alpha = 0.001`, and explains why the
value, drawn on a log axis, falls along a straight line.
"""

# %%
# The update rule
# ---------------
#
# Gradient descent repeats
#
# .. math:: w^{t+1} = w^{t} - \alpha\, \nabla f(w^{t}).
#
# For the bowl, :math:`\nabla f(w) = 20\, w`, so one step is
# :math:`w^{t+1} = (1 - 20\alpha)\, w^{t}`: every step multiplies the point by the same
# factor, and the value, which is quadratic in the point, by :math:`(1 - 20\alpha)^2`.

# %%
# The objective and one step
# --------------------------
#
# The step has four parts: compute the value, ``backward()`` to put the gradient in
# ``x.grad``, move ``x`` against it, and zero ``x.grad`` because torch adds new gradients to
# old ones (see :ref:`sphx_glr_auto_examples_plot_01_autograd_basics.py`). The move happens
# inside ``torch.no_grad()``: it is not part of the function to differentiate, and while
# torch is recording it refuses any in-place change to a leaf that requires grad. It must
# change ``x`` in place (``x -= ...``): ``x = x - ...`` makes a new tensor, named ``x``
# only inside the function, and leaves the caller's ``x`` where it was. The new tensor has
# no gradient, so the next line, ``x.grad.zero_()``, stops the run with
# ``AttributeError: 'NoneType' object has no attribute 'zero_'``.
import torch


def function_parabola(x):
    # sphinx_gallery_solution_begin = "the parabola's value"
    return 10 * (x[0] ** 2 + x[1] ** 2)
    # sphinx_gallery_solution_end


def make_gradient_step(function, x):
    # sphinx_gallery_solution_begin = "one gradient step with α = 0.001"
    value = function(x)
    value.backward()
    with torch.no_grad():
        x -= 0.001 * x.grad
    x.grad.zero_()
    # sphinx_gallery_solution_end


# %%
# 500 steps from (8, 8)
# ---------------------
#
# The :ref:`course notebook <course-notebook>`'s
# parabola cell does not say how many steps to take; this page takes 500, as
# its other runs do. Each point and its value are recorded *before* the step. ``answer``
# keeps both histories under the keys ``var_history_parabola`` and ``fn_history_parabola``,
# and the lesson's exercise saves it to ``.answer.json`` for the checker. Everything
# below is drawn and measured from this run, so in the exercise it shows *your* step.
import numpy as np

answer = {}
x = torch.tensor([8.0, 8.0], requires_grad=True)
var_history, fn_history = [], []
for _ in range(500):
    var_history.append(x.detach().numpy().copy())
    fn_history.append(function_parabola(x).item())
    make_gradient_step(function_parabola, x)

answer["var_history_parabola"] = var_history
answer["fn_history_parabola"] = fn_history
points, values = np.array(var_history), np.array(fn_history)
print(f"first value {values[0]:.1f}, last value {values[-1]:.3g}")

# %%
# The path over the contours
# --------------------------
#
# On a round bowl the negative gradient points straight at the minimum, so the path is a
# straight line. The steps shrink as the slope flattens: each is :math:`20\alpha` times the
# distance left, as the dots, one every 10 steps, show.
import matplotlib.pyplot as plt

from gdtutor import parabola
from gdtutor.plotting import plot_contours, plot_trajectory, trajectory_legend

fig, ax = plt.subplots(figsize=(6.4, 5.6), layout="constrained")
plot_contours(ax, parabola, (-10, 10), (-10, 10))
label = "gradient descent, α = 0.001"
plot_trajectory(ax, points, color="C3", markevery=10, label=label)
# Below the bowl, where it hides none of it.
trajectory_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2)
ax.set_title("Straight to the center, in ever shorter steps")
plt.show()

# %%
# The value per step, on a linear and a log axis
# ----------------------------------------------
#
# On the linear axis the value seems to stop changing after the first stretch of steps. The
# log axis shows that it never slows down in *relative* terms: the curve is a straight line.
from gdtutor.plotting import plot_values

fig, (lin, log) = plt.subplots(2, 1, figsize=(6.4, 6), sharex=True, layout="constrained")
plot_values(lin, values)
lin.set(title="Linear axis: seems to stall", xlabel="")
plot_values(log, values, log=True)
log.set_title("Log axis: a straight line")
plt.show()
# sphinx_gallery_thumbnail_number = 2

# %%
# Why the line is straight
# ------------------------
#
# After :math:`t` steps the value is :math:`f(w^t) = (1 - 20\alpha)^{2t} f(w^0)`, so
# :math:`\log_{10} f(w^t)` is linear in :math:`t` with slope
# :math:`2 \log_{10}(1 - 20\alpha)`. Below, the predicted per-step factors,
# :math:`1 - 20\alpha` for the point and its square for the value, next to the ones
# measured by fitting a line to the run's log-values: :math:`10^{\text{slope}}` for the
# value and its square root for the point (over the finite values above 0: a faster run,
# with another :math:`\alpha`, can round its value to 0, whose log is not defined, and a
# run that diverges overflows to infinity).
factor = 1 - 20 * 0.001
steps = np.flatnonzero(np.isfinite(values) & (values > 0))
print(f"{'per-step factor':16} {'predicted':>10} {'measured':>10}")
if len(steps) >= 2:
    slope, _ = np.polyfit(steps, np.log10(values[steps]), 1)
    print(f"{'of the point':16} {factor:10.6f} {np.sqrt(10**slope):10.6f}")
    print(f"{'of the value':16} {factor**2:10.6f} {10**slope:10.6f}")
else:
    print(f"no line to fit: {len(steps)} of the {len(values)} values are finite and above 0")

# %%
# When the step is too large
# --------------------------
#
# The same formula says when descent fails: :math:`|1 - 20\alpha| > 1` for
# :math:`\alpha > 0.1`, and then each step *grows* the distance to the minimum.
# :func:`gdtutor.gradient_descent` runs the loop above for any step size and stops a run
# whose value stops being a finite number: at :math:`\alpha = 0.11` the value grows every
# step until it is too large for float32, the number type of these lessons. The next
# lessons use it instead of repeating the loop. The
# :ref:`explorer on the theory page <theory-explorer>` lets you drag α past 0.1 and watch
# it.
from gdtutor import gradient_descent

too_big = gradient_descent(parabola, [8.0, 8.0], lr=0.11, steps=500)
print(f"α = 0.11: {too_big.message}")

# %%
# Conclusion
# ----------
#
# A gradient step is four lines: value, ``backward()``, an untracked in-place update, and
# zeroing the gradient. On a round bowl it shrinks the distance to the minimum by the same
# factor every step, a straight line on a log axis. Next,
# :ref:`sphx_glr_auto_examples_plot_04_skewed_valley.py` runs the same step in a valley that
# is not round, where the path bends.

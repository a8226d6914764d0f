r"""
==========================
torch.optim: SGD and AdamW
==========================

``torch.optim`` puts update rules behind one loop: ``zero_grad``, value, ``backward``,
``step``. This lesson writes that loop for ``SGD`` and proves it is the hand-written step of
the earlier lessons, then swaps in ``AdamW``, whose path through the skewed valley of
:ref:`sphx_glr_auto_examples_plot_04_skewed_valley.py` looks nothing like it. Comparing the
two shows what adaptive, per-coordinate steps and weight decay do.
"""

# %%
# The SGD loop
# ------------
#
# The notebook's exercise: an ``SGD`` optimizer with learning rate 0.001 over ``x``, then 500
# times: zero the gradients (they accumulate otherwise, see
# :ref:`sphx_glr_auto_examples_plot_01_autograd_basics.py`), compute the value,
# ``backward()``, ``step()``. The notebook records the point *after* ``step()`` next to the
# value computed *before* it. ``answer`` holds the histories under the notebook's keys; the
# exercise version of this page saves it to ``.answer.json`` for the checker.
import torch

from gdtutor.answers import notebook_skewed as function_skewed

answer = {}
start = [8.0, 8.0]
x = torch.tensor(start, requires_grad=True)
var_history, fn_history = [], []

# sphinx_gallery_solution_begin = "the SGD optimizer"
optimizer = torch.optim.SGD([x], lr=0.001)
# sphinx_gallery_solution_end

for _ in range(500):
    # sphinx_gallery_solution_begin = "one SGD step"
    optimizer.zero_grad()
    function_result = function_skewed(x)
    function_result.backward()
    optimizer.step()
    # sphinx_gallery_solution_end
    var_history.append(x.detach().cpu().numpy().copy())
    fn_history.append(function_result.detach().cpu().numpy().copy())

answer["var_history_3"] = var_history
answer["fn_history_3"] = fn_history

# %%
# SGD is the hand-written step
# ----------------------------
#
# Without momentum, ``SGD.step()`` does :math:`x \leftarrow x - \alpha\, \nabla f(x)`, the
# update of :ref:`sphx_glr_auto_examples_plot_03_descent_by_hand.py`. Running
# :func:`gdtutor.gradient_descent`, which is that hand-written loop, gives the same numbers up
# to float32 rounding (machine epsilon printed for scale). It records each point before its
# step, so its points from the second on are the ones the loop above took after each step:
import numpy as np

from gdtutor import gradient_descent

by_hand = gradient_descent(function_skewed, start, lr=0.001, steps=500)
after_each_step = np.concatenate([by_hand.points[1:], by_hand.end_point[None]])
point_gap = np.abs(np.array(var_history) - after_each_step).max()
value_gap = np.abs(np.array(fn_history) / by_hand.values - 1).max()
print(f"largest point difference          {point_gap:.1e}")
print(f"largest relative value difference {value_gap:.1e}")
eps = torch.finfo(torch.float32).eps
print(f"float32 machine epsilon           {eps:.1e}")

# %%
# The AdamW loop
# --------------
#
# The same cycle with ``AdamW`` and learning rate 1: only the line that builds the optimizer
# changes.
x = torch.tensor(start, requires_grad=True)
var_history, fn_history = [], []

# sphinx_gallery_solution_begin = "the AdamW optimizer"
optimizer = torch.optim.AdamW([x], lr=1)
# sphinx_gallery_solution_end

for _ in range(500):
    # sphinx_gallery_solution_begin = "one AdamW step"
    optimizer.zero_grad()
    function_result = function_skewed(x)
    function_result.backward()
    optimizer.step()
    # sphinx_gallery_solution_end
    var_history.append(x.detach().cpu().numpy().copy())
    fn_history.append(function_result.detach().cpu().numpy().copy())

answer["var_history_4"] = var_history
answer["fn_history_4"] = fn_history

# %%
# AdamW steps about ``lr`` in every coordinate
# --------------------------------------------
#
# AdamW divides a running mean of the gradient, :math:`\hat m`, by the root of a running
# mean of its square, :math:`\hat v`, coordinate by coordinate, and separately shrinks
# :math:`x` by its weight decay :math:`\lambda`:
#
# .. math:: x \leftarrow x - \text{lr}\,\big(\lambda\, x + \hat m / (\sqrt{\hat v} + \epsilon)\big).
#
# At the first step :math:`\hat m / \sqrt{\hat v}` is the sign of the gradient, so each
# coordinate moves by about ``lr`` however large its gradient. Torch's default
# :math:`\lambda`, read from the optimizer:
weight_decay = optimizer.param_groups[0]["weight_decay"]
print(f"AdamW default weight_decay = {weight_decay}")
v = torch.tensor(start, requires_grad=True)
function_skewed(v).backward()
lr = optimizer.param_groups[0]["lr"]
predicted = -lr * (weight_decay * v.detach() + v.grad.sign())
move = answer["var_history_4"][0] - 8.0
print(f"gradient at the start ({v.grad[0]:.0f}, {v.grad[1]:.0f})")
print(f"first AdamW move      ({move[0]:+.4f}, {move[1]:+.4f})")
print(f"predicted first move  ({predicted[0]:+.4f}, {predicted[1]:+.4f})")

# %%
# Side by side
# ------------
#
# :func:`gdtutor.optimize` runs the same cycle and records each point next to its own value,
# which is what the plots need. SGD's step is proportional to the gradient, so it crawls
# along the shallow valley floor; AdamW's steps keep their size where the gradient is small.
import matplotlib.pyplot as plt

from gdtutor import optimize, skewed
from gdtutor.plotting import plot_contours, plot_trajectory, plot_values

sgd = optimize(skewed, start, "SGD", lr=0.001, steps=500)
adamw = optimize(skewed, start, "AdamW", lr=1.0, steps=500)
runs = {"SGD, lr = 0.001": (sgd, "C3"), "AdamW, lr = 1": (adamw, "C0")}
fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
left, right = axes
plot_contours(left, skewed, fit_to=[sgd, adamw])
for label, (run, color) in runs.items():
    plot_trajectory(left, run, color=color, label=label)
    plot_values(right, run, log=True, labels=[label], color=color)
left.legend(loc="lower right")
left.set_title("SGD bends and crawls; AdamW swings in")
right.legend()
right.set_title("AdamW ends many orders of magnitude lower")
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# What the difference teaches
# ---------------------------
#
# The two learning rates mean different things: for SGD a step is ``lr`` times the gradient,
# and ``lr = 1`` would explode; for AdamW ``lr`` is roughly the step length itself. AdamW's
# weight decay multiplies :math:`x` by :math:`1 - \text{lr}\,\lambda` every step, a pull
# towards the origin: here that is also the minimum, so it barely matters, but in a model it
# is a regulariser that trades loss for smaller weights.
no_decay = optimize(skewed, start, "AdamW", lr=1, steps=500, weight_decay=0)
finals = {"SGD": sgd, "AdamW": adamw, "AdamW, no decay": no_decay}
for name, run in finals.items():
    value = skewed(run.end_point)
    print(f"{name:>15}: f after 500 steps = {value:.4g}")
too_big = optimize(skewed, start, "SGD", lr=1.0, steps=500)
print(f"SGD with lr = 1: {too_big.message}")

# %%
# Conclusion
# ----------
#
# ``torch.optim`` turns the four-line step into ``zero_grad / value / backward / step``;
# with SGD it is the same arithmetic, with AdamW each coordinate gets its own step size.
# Back to :ref:`the list of lessons <lessons>`.

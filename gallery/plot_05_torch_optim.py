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
# The :ref:`course notebook <course-notebook>`'s
# exercise: an ``SGD`` optimizer with learning rate 0.001 over ``x``,
# then 500 times: zero the gradients (they accumulate otherwise, see
# :ref:`sphx_glr_auto_examples_plot_01_autograd_basics.py`), compute the value as
# ``function_result`` (the name the recording lines use), ``function_result.backward()``,
# ``optimizer.step()``. As in the course notebook, each step appends the point *after*
# ``step()`` and the value computed *before* it. ``answer`` holds the histories under the
# course notebook's keys, and the lesson's exercise saves it to ``.answer.json`` for the
# checker. ``function_skewed`` is lesson 4's function written as the course notebook writes it,
# with matrix products, so that the histories round as the notebook's do; the runs of
# :func:`gdtutor.optimize` further down use :func:`gdtutor.skewed`, the same function written
# out term by term.
import torch

from gdtutor.answers import notebook_skewed as function_skewed

answer = {}
start = [8.0, 8.0]
x = torch.tensor(start, requires_grad=True)
var_history, fn_history = [], []

# sphinx_gallery_solution_begin = "optimizer = SGD over x with lr 0.001"
optimizer = torch.optim.SGD([x], lr=0.001)
# sphinx_gallery_solution_end

for _ in range(500):
    # sphinx_gallery_solution_begin = "one SGD step, the value as function_result"
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
# update of :ref:`sphx_glr_auto_examples_plot_03_descent_by_hand.py`.
# :func:`gdtutor.gradient_descent`, which is that hand-written loop, records each point
# before its step; its points from the second on, then its end point, are the points after
# each step. They agree with the SGD loop's up to float32 rounding (machine epsilon printed
# for scale):
import numpy as np

from gdtutor import gradient_descent

by_hand = gradient_descent(function_skewed, start, lr=0.001, steps=500)
after_each_step = np.vstack([by_hand.points[1:], by_hand.end_point])
if len(var_history) == len(after_each_step):
    point_gap = np.abs(np.array(var_history) - after_each_step).max()
    value_gap = np.abs(np.array(fn_history) / by_hand.values - 1).max()
    print(f"largest point difference          {point_gap:.1e}")
    print(f"largest relative value difference {value_gap:.1e}")
else:  # an exercise whose loop records more or fewer steps than the course's 500
    print(f"the SGD loop recorded {len(var_history)} points, not {len(after_each_step)}")
eps = torch.finfo(torch.float32).eps
print(f"float32 machine epsilon           {eps:.1e}")

# %%
# ``zero_grad()`` sets the gradient to ``None``
# ---------------------------------------------
#
# ``optimizer.zero_grad()`` does not fill ``x.grad`` with zeros: by default
# (``set_to_none=True``) it sets it to ``None``, and the next ``backward()`` stores a fresh
# gradient there. Code that zeroes the gradient itself afterwards, as lesson 3's step does,
# fails:
print(f"x.grad after the last step: {x.grad}")
optimizer.zero_grad()
print(f"after optimizer.zero_grad(): {x.grad}")
try:
    x.grad.zero_()
except AttributeError as error:
    print(f"x.grad.zero_() then fails: {error}")

# %%
# The AdamW loop
# --------------
#
# The same cycle with ``AdamW`` and learning rate 1: only the line that builds the optimizer
# changes.
x = torch.tensor(start, requires_grad=True)
var_history, fn_history = [], []

# sphinx_gallery_solution_begin = "optimizer = AdamW over x with lr 1"
optimizer = torch.optim.AdamW([x], lr=1)
# sphinx_gallery_solution_end

for _ in range(500):
    # sphinx_gallery_solution_begin = "one AdamW step, the value as function_result"
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
# AdamW's update rule
# -------------------
#
# AdamW keeps two running means per coordinate, of the gradient :math:`g_t` and of its
# square, with decay rates :math:`\beta_1` and :math:`\beta_2`; divides both by their bias
# correction (the means start at zero, so early on they are too small); and moves each
# coordinate by the learning rate :math:`\alpha` times their ratio. Separately, it shrinks
# the point by its weight decay :math:`\lambda`:
#
# .. math::
#
#    m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t,
#
#    v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2,
#
#    \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t},
#
#    x_{t+1} = (1 - \alpha\lambda)\, x_t - \alpha\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} .
#
# The decay is *decoupled*: it never enters :math:`m` and :math:`v`. ``Adam``'s own
# ``weight_decay`` instead adds :math:`\lambda x_t` to the gradient, where the division by
# :math:`\sqrt{\hat v_t}` rescales it (the :ref:`update rules page <theory-update-rules>`
# writes both out). At the first step :math:`\hat m_1 / \sqrt{\hat v_1}` is the sign of the
# gradient, so each coordinate moves by about ``lr`` however large its gradient is:
group = torch.optim.AdamW([x], lr=1).param_groups[0]  # the settings of the run above
lr, (beta1, beta2), decay = group["lr"], group["betas"], group["weight_decay"]
print(f"AdamW defaults: beta1 = {beta1}, beta2 = {beta2}, weight_decay = {decay}")
v = torch.tensor(start, requires_grad=True)
function_skewed(v).backward()
predicted = (1 - lr * decay) * v.detach() - lr * v.grad.sign()
first = answer["var_history_4"][0]
print(f"gradient at the start ({v.grad[0]:.0f}, {v.grad[1]:.0f})")
print(f"first AdamW point     ({first[0]:.4f}, {first[1]:.4f})")
print(f"predicted             ({predicted[0]:.4f}, {predicted[1]:.4f})")

# %%
# The steps shrink, the memory stays
# ----------------------------------
#
# That first step is not the rule for the whole run. The loop below reruns AdamW and reads
# its state, ``optimizer.state[x]``, after every step: the length of the step, and
# :math:`\alpha / \sqrt{\hat v_t}`, the step each coordinate takes per unit of averaged
# gradient, its *effective learning rate*.
x = torch.tensor(start, requires_grad=True)
optimizer = torch.optim.AdamW([x], lr=1)
lengths, effective_lr = [], []
for t in range(1, 501):
    before = x.detach().clone()
    optimizer.zero_grad()
    function_skewed(x).backward()
    optimizer.step()
    lengths.append(torch.linalg.norm(x.detach() - before).item())
    v_hat = optimizer.state[x]["exp_avg_sq"] / (1 - beta2**t)
    effective_lr.append((lr / (v_hat.sqrt() + group["eps"])).tolist())
for t in (0, 50, 100, 499):
    lr_1, lr_2 = effective_lr[t]
    print(f"step {t:3}: length {lengths[t]:.2g}, effective lr ({lr_1:.2g}, {lr_2:.2g})")
root_v = lr / np.array(effective_lr[-1])
print(f"sqrt(v_hat) at the end: ({root_v[0]:.1f}, {root_v[1]:.1f})")
growth = np.array(effective_lr[-1]) / np.array(effective_lr[0])
print(f"over the run: step length x {lengths[-1] / lengths[0]:.0e}, ", end="")
print(f"effective lr x {growth.round(1)}")

# %%
# So ``lr`` is the step length only at the start. The effective learning rates change far
# less than the step length: with :math:`\beta_2 = 0.999`, :math:`v` averages the squared
# gradients of the last thousand steps or so, longer than this run, and still remembers the
# large gradients of its first steps. The shrinking steps come from the shrinking
# :math:`\hat m_t`.
import matplotlib.pyplot as plt

fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 6.4), sharex=True, layout="constrained")
top.semilogy(lengths, color="C0")
top.axhline(lr, color="k", linestyle=":", label="lr")
top.set(ylabel="step length")
top.set_title("Steps of about lr only at the start", fontsize="medium")
top.legend()
bottom.semilogy(np.array(effective_lr), label=["$x_1$", "$x_2$"])
bottom.set(xlabel="step", ylabel=r"$\alpha / \sqrt{\hat v_t}$")
bottom.set_title("Effective learning rates change far less", fontsize="medium")
bottom.legend()
plt.show()

# %%
# Late in the run, momentum with a fixed scale
# --------------------------------------------
#
# Once :math:`\hat v` changes slowly, AdamW is heavy-ball momentum (a step along a running,
# decaying sum of past gradients rather than the current one alone; lesson 6 and the
# :ref:`momentum page <theory-momentum>` treat it fully) with a step scaled per coordinate.
# Eliminating :math:`m` from the rule (with :math:`m`'s bias correction
# :math:`1 - \beta_1^t` near 1; :math:`v`'s is part of :math:`\hat v`, and so of :math:`D`)
# gives
#
# .. math::
#
#    \begin{aligned}
#    x_{t+1} &= \big(1 - \alpha\lambda + \beta_1 - (1 - \beta_1)\,\alpha D H\big)\, x_t \\
#    &\quad - \beta_1 (1 - \alpha\lambda)\, x_{t-1}, \\
#    D &= \operatorname{diag}(1/\sqrt{\hat v}),
#    \end{aligned}
#
# a two-step recurrence whose two roots multiply to :math:`\beta_1(1 - \alpha\lambda)`. When
# they are complex, as they are here in both directions, both have the size
# :math:`\sqrt{\beta_1(1 - \alpha\lambda)}`, so the value, which is quadratic in the point,
# falls by :math:`\beta_1(1 - \alpha\lambda)` per step, whatever the curvature. A straight
# line fitted to the log of the value over the
# last 300 steps measures that factor:


def value_factor(values, last=300):
    slope = np.polyfit(np.arange(last), np.log(np.asarray(values[-last:], dtype=float)), 1)[0]
    return np.exp(slope)


with_decay = value_factor(answer["fn_history_4"])
print(f"value factor per step: measured {with_decay:.4f}, ", end="")
print(f"beta1 * (1 - lr * weight_decay) = {beta1 * (1 - lr * decay):.4f}")

# %%
# This is weight decay's real effect here. It shrinks the point by
# :math:`1 - \alpha\lambda = 0.99` every step; without it, the late factor is
# :math:`\beta_1 = 0.9`. A hundredth per step compounds over hundreds of steps, and since the
# origin is this function's minimum, the pull helps. In a model, where the origin is not the
# minimum, the same pull is a regularizer that trades loss for smaller weights.
from gdtutor import optimize, skewed

adamw = optimize(skewed, start, "AdamW", lr=1.0, steps=500)
no_decay = optimize(skewed, start, "AdamW", lr=1.0, steps=500, weight_decay=0.0)
without = value_factor(no_decay.values)
final, final_no_decay = skewed(adamw.end_point), skewed(no_decay.end_point)
print(f"without decay: measured {without:.4f}, beta1 = {beta1}")
print(f"f after 500 steps: {final:.2e} with decay, {final_no_decay:.2e} without")
print(f"weight decay makes the final value {final_no_decay / final:.0f} times lower")

# %%
# Why AdamW beat SGD at 0.001
# ---------------------------
#
# SGD's step is ``lr`` times the gradient, so its learning rate means something else, and
# 0.001 is not SGD's best. The :ref:`theory page <theory-step-size>` computes the best fixed
# step for this function, :math:`\alpha^\star = 2 / (\lambda_{\min} + \lambda_{\max})`, where
# :math:`\lambda_{\min}` and :math:`\lambda_{\max}` are the smallest and largest eigenvalues
# of its Hessian (its curvatures; this :math:`\lambda` is not the weight decay above); at
# that step SGD overtakes AdamW.
from gdtutor import hessian
from gdtutor.stepsize import step_size_bounds

best = step_size_bounds(hessian(skewed, at=(0.0, 0.0))).best_lr
sgd = optimize(skewed, start, "SGD", lr=0.001, steps=500)
sgd_best = optimize(skewed, start, "SGD", lr=best, steps=500)
caught_up = int(np.argmax(sgd_best.values <= final))
print(f"best fixed step {best:.3g}, {best / 0.001:.0f} times the lesson's 0.001")
print(f"f after 500 steps: SGD at 0.001 {skewed(sgd.end_point):.3f}, AdamW {final:.2e}")
print(f"SGD at {best:.3g} reaches AdamW's final value after {caught_up} steps")

# %%
# The three runs together
# -----------------------
#
# :func:`gdtutor.optimize` runs the same cycle and records each point next to its own value, as
# the plots need. SGD at 0.001 moves by a small multiple of the gradient, so it crawls along the
# shallow valley floor; AdamW swings in along a path of its own and is the lowest of the three
# until the step printed below, from which SGD at its best step, zig-zagging across the valley,
# stays below both other curves. Its point then comes so close to the minimum that the terms of
# the formula are tiny: float32 keeps them only to whole multiples of its smallest positive
# number (printed below), and rounded that coarsely they add up to 0. From the step at which its
# value first comes out as 0 (printed below) it is 0 at every step (the line after that counts
# them), though the point is not the minimum, and its curve drops off the bottom of the log
# axis. How the terms round depends on how the formula is written: at the same points,
# ``function_skewed``'s matrix products do not always add up to 0 (the last line counts the
# steps where they do and prints the other values, small multiples of that smallest number).
from gdtutor.plotting import plot_contours, plot_trajectory, plot_values, trajectory_legend

runs = {
    "SGD, lr = 0.001": (sgd, "C3"),
    "AdamW, lr = 1": (adamw, "C0"),
    f"SGD, lr = {best:.3g}": (sgd_best, "C2"),
}
fig, (top, bottom) = plt.subplots(
    2, 1, figsize=(6.4, 8.6), height_ratios=[1.2, 1], layout="constrained"
)
plot_contours(top, skewed, fit_to=[sgd, adamw])
for label, (run, color) in runs.items():
    plot_trajectory(top, run, color=color, label=label)
    plot_values(bottom, run, log=True, labels=[label], color=color)
# One legend for both panels, below them, where it hides no path.
legend = trajectory_legend(top)
fig.legend(
    legend.legend_handles,
    [text.get_text() for text in legend.get_texts()],
    loc="outside lower center",
    ncols=2,
)
legend.remove()
top.set_title("SGD at 0.001 crawls; AdamW swings in", fontsize="medium")
bottom.set_title("At its best step, SGD soon leads", fontsize="medium")
plt.show()
others = np.minimum(sgd.values, adamw.values)
behind = np.flatnonzero(sgd_best.values >= others)
print(f"SGD at {best:.3g} is below both other runs from step {behind[-1] + 1} on")
print(f"float32's smallest positive number: {np.nextafter(np.float32(0), np.float32(1)):.2g}")
first_zero = np.flatnonzero(sgd_best.values == 0)[0]
print(f"its value first comes out as 0 at step {first_zero}")
late = sgd_best.values[first_zero:]
print(f"from then on: 0 at {np.sum(late == 0)} of the {len(late)} steps")
with torch.no_grad():
    matrix_form = np.array([function_skewed(torch.tensor(p)) for p in sgd_best.points[first_zero:]])
tiny_values = ", ".join(f"{v:.2g}" for v in np.unique(matrix_form[matrix_form != 0]))
print(f"as function_skewed writes it: 0 at {np.sum(matrix_form == 0)} of them, else {tiny_values}")
# sphinx_gallery_thumbnail_number = 2

# %%
# Conclusion
# ----------
#
# ``torch.optim`` turns the four-line step into ``zero_grad / value / backward / step``.
# With SGD it is the same arithmetic; AdamW keeps running means, and its ``lr`` is the step
# length only at the start. A learning rate means something different for each optimizer,
# so comparing them at one hand-picked value compares the picks:
# :ref:`sphx_glr_auto_examples_plot_06_optimizers_compared.py` tunes every optimizer first.

r"""
===============
A skewed valley
===============

The course notebook's second function is a quadratic whose contours are tilted, stretched
ellipses. The gradient step of :ref:`sphx_glr_auto_examples_plot_03_descent_by_hand.py`,
run for 500 steps from :math:`(8, 8)` with :math:`\alpha = 0.001`, no longer heads straight
for the minimum: its path bends. This lesson explains the bend with the Hessian's two
eigen-directions and predicts the value curve step by step.
"""

# %%
# The function
# ------------
#
# The :ref:`course notebook <course-notebook>` writes :math:`f(v) = 10\, v^\top G v` with
#
# .. math::
#
#    G = \begin{pmatrix}1 & -1\\ 1 & 1\end{pmatrix}
#        \begin{pmatrix}1 & 0\\ 0 & 4\end{pmatrix}
#      = \begin{pmatrix}1 & -4\\ 1 & 4\end{pmatrix},
#
#    f(x_1, x_2) = 10\,(x_1^2 - 3 x_1 x_2 + 4 x_2^2).
#
# :func:`gdtutor.skewed` computes the expanded form, which also evaluates a whole grid of
# points at once; :func:`gdtutor.answers.notebook_skewed` keeps the course notebook's matrix
# products. On random points they agree up to float32 rounding:
import torch

from gdtutor import skewed
from gdtutor.answers import notebook_skewed as function_skewed
from gdtutor.objectives import SKEWED_G

print("G =", SKEWED_G.tolist())
torch.manual_seed(0)
points = 10 * torch.rand(100, 2) - 5
gaps = [abs(skewed(p) / function_skewed(p) - 1) for p in points]
print(f"largest relative difference on 100 points: {max(gaps):.1e}")

# %%
# 500 hand-written steps
# ----------------------
#
# The course notebook's exercise: the four-line step of lesson 3 once more, changing ``x``
# in place as there (``x = x - ...`` stops the run with lesson 3's ``AttributeError: 'NoneType'
# object has no attribute 'zero_'``).


def make_gradient_step(function, x):
    # sphinx_gallery_solution_begin = "one gradient step with α = 0.001"
    value = function(x)
    value.backward()
    with torch.no_grad():
        x -= 0.001 * x.grad
    x.grad.zero_()
    # sphinx_gallery_solution_end


# %%
# Then 500 steps from :math:`(8, 8)`, recording the point and its value *before* each step.
# ``answer`` holds the histories under the course notebook's keys, and the lesson's exercise
# saves it to ``.answer.json`` for the checker.

answer = {}
x = torch.tensor([8.0, 8.0], requires_grad=True)
var_history, fn_history = [], []
for _ in range(500):
    var_history.append(x.detach().cpu().numpy().copy())
    fn_history.append(function_skewed(x).detach().cpu().numpy().copy())
    make_gradient_step(function_skewed, x)

answer["var_history_2"] = var_history
answer["fn_history_2"] = fn_history

# %%
# Where the run ends
# ------------------
#
# Everything below is drawn from this run, so in the exercise it shows *your* step. The
# course notebook records each point *before* its step, so the last recorded point is the one
# after 499 steps; the point after the 500th step is not in the history (lesson 5 and the
# explorer report the value there, which is a little lower).
import numpy as np

points, values = np.array(var_history), np.array(fn_history)
end = points[-1]
print(f"after 499 steps: x = {end.round(4)}, f(x) = {values[-1]:.4f}")

# %%
# Why the gradient is :math:`10\,(G + G^\top)\,v`
# -----------------------------------------------
#
# Write :math:`f(v) = 10 \sum_{i,j} v_i\, G_{ij}\, v_j` and differentiate by
# :math:`v_k`, as lesson 2 did entry by entry: :math:`\partial v_i / \partial v_k` is 1 for
# :math:`i = k` and 0 otherwise, so
#
# .. math::
#
#    \begin{aligned}
#    \frac{\partial f}{\partial v_k}
#    &= 10 \sum_{i,j} G_{ij} \Big( \frac{\partial v_i}{\partial v_k}\, v_j
#      + v_i\, \frac{\partial v_j}{\partial v_k} \Big) \\
#    &= 10 \Big( \sum_j G_{kj}\, v_j + \sum_i G_{ik}\, v_i \Big) \\
#    &= 10\, \big( (G v)_k + (G^\top v)_k \big).
#    \end{aligned}
#
# So :math:`\nabla f(v) = 10\,(G + G^\top)\, v`: only the symmetric part of :math:`G` counts,
# and since :math:`G` is not symmetric this is not :math:`20\, G v`, as the one-variable
# rule :math:`(g x^2)' = 2 g x` might suggest. Torch agrees at the start point:
v = torch.tensor([8.0, 8.0], requires_grad=True)
skewed(v).backward()
G = torch.tensor(SKEWED_G, dtype=torch.float32)
print(f"torch:          {v.grad.tolist()}")
print(f"10 (G + Gᵀ) v:  {(10 * (G + G.T) @ v.detach()).tolist()}")
print(f"20 G v (wrong): {(20 * G @ v.detach()).tolist()}")

# %%
# The Hessian's eigen-directions explain the bend
# -----------------------------------------------
#
# The *Hessian* is the matrix of second derivatives,
# :math:`H_{kl} = \partial^2 f / \partial v_k \partial v_l`: differentiating the gradient
# once more gives the constant :math:`H = 10\,(G + G^\top)`. An *eigenvector* :math:`u` of
# :math:`H` is a direction that :math:`H` only stretches, :math:`H u = \lambda u`, by its
# *eigenvalue* :math:`\lambda`, the curvature of :math:`f` along :math:`u`. A symmetric
# matrix has orthogonal eigenvectors (the :ref:`theory page <theory-step-size>` uses them
# throughout); here :math:`u_1, u_2` with eigenvalues :math:`\lambda_1 < \lambda_2`.
# Writing the point after :math:`t` steps as :math:`v^t = c_1^t u_1 + c_2^t u_2` (the
# superscript counts steps), and since the gradient is :math:`H v`, a
# step is :math:`c_i^{t+1} = (1 - \alpha \lambda_i)\, c_i^t`: two independent shrinking
# factors. The printed step counts show the steep component dying out early while the
# shallow one sets the pace for the rest of the run: the path drops down the valley's steep
# wall, roughly along :math:`u_2`, then creeps along its floor, :math:`u_1`, to the minimum.
import matplotlib.pyplot as plt

from gdtutor import hessian
from gdtutor.plotting import plot_contours, plot_trajectory, trajectory_legend

lam, u = np.linalg.eigh(hessian(skewed, at=(0.0, 0.0)))
print("λ       u                 1 - αλ  steps to shrink tenfold")
for i in range(2):
    factor = 1 - 0.001 * lam[i]
    tenfold = np.log(0.1) / np.log(factor)
    direction = str(u[:, i].round(3))
    print(f"{lam[i]:<6.2f}  {direction:16}  {factor:.4f}  {tenfold:.0f}")

fig, ax = plt.subplots(figsize=(6.4, 7.0), layout="constrained")
plot_contours(ax, skewed, (-10, 10), (-10, 10))
ax.set(xticks=range(-10, 11, 5), yticks=range(-10, 11, 5))
for i, style in enumerate(["--", ":"]):
    label = f"$u_{i + 1}$, $\\lambda_{i + 1}$ = {lam[i]:.1f}"
    ax.axline((0, 0), u[:, i], color="k", linestyle=style, label=label)
plot_trajectory(ax, points, color="C3", label="gradient descent, α = 0.001")
# The legend goes below the plot, which then takes the figure's whole width.
trajectory_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2)
fig.suptitle("Down the steep wall along u₂, then along the floor u₁", size="medium")
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# The value curve, predicted
# --------------------------
#
# Since :math:`f(v) = \tfrac12 \sum_i \lambda_i c_i^2`, the value after :math:`t` steps is
#
# .. math:: f(v^t) = \tfrac12 \sum_i \lambda_i \big(c_i^0\, (1 - \alpha\lambda_i)^t\big)^2,
#
# two straight lines on a log axis: a steep one that dominates early and a shallow one that
# takes over.
# In the :ref:`explorer <theory-explorer>` you can change α and watch both factors and the
# bend of the path move.
from gdtutor.plotting import plot_values

t = np.arange(len(values))
c = (u.T @ points[0]) * (1 - 0.001 * lam) ** t[:, None]
predicted = 0.5 * (lam * c**2).sum(axis=1)
fig, ax = plt.subplots(layout="constrained")
plot_values(ax, values, log=True, labels=["measured"], lw=3, alpha=0.5)
ax.plot(t, predicted, "k--", label=r"predicted, $\lambda_1, \lambda_2$")
ax.legend()
ax.set_title("A fast drop across the valley, then a slow crawl along it", size="medium")
plt.show()

# %%
# Conclusion
# ----------
#
# In an elongated valley one learning rate must suit two curvatures: small enough for the
# steep direction not to swing ever wider, and therefore slow along the shallow one. Next,
# :ref:`sphx_glr_auto_examples_plot_05_torch_optim.py` runs the same function with
# ``torch.optim``'s SGD — the same step — and with AdamW, which adapts its step per
# coordinate.

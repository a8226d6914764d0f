r"""
=================================
The gradient of a matrix function
=================================

The gradient of a number with respect to a matrix is a matrix of the same shape: one
partial derivative per entry. This lesson derives it by hand for
:math:`f(X) = 10 \sum_{i,j} x_{ij}^2`, checks that torch computes the same matrix, and then
opens the graph of functions that ``backward()`` walked to get there.
"""

# %%
# The derivative by hand
# ----------------------
#
# Differentiate with respect to one entry :math:`x_{kl}`. Of all the squares in the sum,
# only :math:`x_{kl}^2` depends on it, because :math:`\partial x_{ij} / \partial x_{kl}` is 1
# when :math:`(i, j) = (k, l)` and 0 otherwise:
#
# .. math::
#
#    \begin{aligned}
#    \frac{\partial f}{\partial x_{kl}}
#    &= 10 \sum_{i,j} \frac{\partial}{\partial x_{kl}}\, x_{ij}^2 \\
#    &= 10 \sum_{i,j} 2\, x_{ij} \frac{\partial x_{ij}}{\partial x_{kl}} \\
#    &= 10 \cdot 2\, x_{kl} = 20\, x_{kl}.
#    \end{aligned}
#
# Entry by entry, the gradient is :math:`\nabla_X f(X) = 20 X`.

# %%
# Torch's answer
# --------------
#
# The :ref:`course notebook <course-notebook>`'s
# :math:`3 \times 4` matrix :math:`X` asks for gradients; computing
# :math:`f(X)` as ``function`` (the name the cells below use) and calling
# ``function.backward()`` leaves :math:`\nabla_X f` in ``X.grad``; without that call
# ``X.grad`` stays ``None``, and the line after it stops with ``AttributeError: 'NoneType'
# object has no attribute 'clone'``. The dict ``answer`` collects results under the course
# notebook's keys, and the lesson's exercise saves it to ``.answer.json`` for the checker.
import torch

answer = {}
X = torch.tensor(
    [
        [1.0, 2.0, 3.0, 4.0],
        [5.0, 6.0, 7.0, 8.0],
        [9.0, 10.0, 11.0, 12.0],
    ],
    requires_grad=True,
)

# sphinx_gallery_solution_begin = "function = 10 * the sum of squares of X, then its backward"
function = 10 * (X**2).sum()
function.backward()
# sphinx_gallery_solution_end

answer["X_grad"] = X.grad.clone().numpy()
print(X.grad, "<- gradient")

# %%
# Hand and torch agree
# --------------------
#
# Every entry of :math:`X` is a small integer, so :math:`20 X` is exact in float32 and the two
# should agree to the last bit.
gap = (X.grad - 20 * X.detach()).abs().max().item()
print(f"largest |torch - 20 X| = {gap:.1e}")

# %%
# The functions in the graph, in backward order
# ---------------------------------------------
#
# ``function.grad_fn`` is the node that made ``function``; its ``next_functions`` are pairs
# ``(node, output index)`` for each input, with ``None`` for an input that needs no gradient
# (the constant 10). Following the first input each time walks the graph the way
# ``backward()`` does: the reverse of the order in which :math:`f` was computed
# (square, sum, times 10). The last node, ``AccumulateGrad``, holds ``X`` itself.
from gdtutor.graph import grad_fn_chain


def name(fn):
    return type(fn).__name__ if fn is not None else None


node = function.grad_fn
while node.next_functions:
    inputs = [name(n) for n, _ in node.next_functions]
    print(f"{name(node):15} inputs: {inputs}")
    node = node.next_functions[0][0]
print(f"{name(node):15} holds X: {node.variable is X}")
print(" -> ".join(grad_fn_chain(function)))

# %%
# What each node passes down
# --------------------------
#
# ``backward()`` starts with :math:`\partial f / \partial f = 1` and each node applies its
# local derivative: times 10, spread to every entry by the sum, times :math:`2X` by the
# square. What reaches ``AccumulateGrad`` is the :math:`20 X` derived above. The notes hold
# for the graph that ``10 * (X**2).sum()`` builds (times 10, sum, square); the same
# :math:`f` written with other operations (``X * X``, say, or the 10 inside the sum) builds
# another graph, which is drawn without them.
import matplotlib.pyplot as plt

from gdtutor.graph import grad_fn_tree
from gdtutor.plotting import plot_graph

fig, ax = plt.subplots(figsize=(5, 3.6), layout="constrained")
boxes = plot_graph(ax, grad_fn_tree(function))
passes = [
    "receives 1, sends 10",
    "sends 10 to all 12 entries",
    r"sends $10 \cdot 2X = 20X$",
    "adds $20X$ into X.grad",
]
note = {"textcoords": "offset points", "va": "center", "color": "0.3"}
if grad_fn_chain(function) == ["MulBackward0", "SumBackward0", "PowBackward0", "AccumulateGrad"]:
    for box, text in zip(boxes, passes, strict=True):
        ax.annotate(text, box.get_position(), xytext=(75, 0), **note)
    ax.set_xlim(-0.55, 1.9)  # the boxes at the left, their notes beside them
else:
    print("this f builds a different graph from 10 * (X**2).sum(): drawn without the notes")
    if torch.allclose(X.grad, 20 * X.detach()):
        print("its gradient is 20 X, as it should be (the same f written another way, or one")
        print("that differs from it only by a constant)")
    else:
        print(f"its gradient is not 20 X (off by {gap:.1e}): check how f is written")
ax.set_title("backward() walks from the result down to X")
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Conclusion
# ----------
#
# The gradient of a scalar with respect to a matrix is a matrix of partial derivatives,
# here :math:`20 X`, and torch builds it by walking the graph of ``grad_fn`` nodes from the
# result back to the leaf. Next, :ref:`sphx_glr_auto_examples_plot_03_descent_by_hand.py`
# uses such a gradient to take steps downhill.

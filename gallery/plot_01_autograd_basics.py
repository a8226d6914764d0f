r"""
===============
Autograd basics
===============

Torch can differentiate any number computed from tensors that ask for it. This lesson shows
how: ``requires_grad``, ``backward()`` and ``.grad``. You will see why ``.grad`` is ``None``
until ``backward()`` runs, which tensors keep a gradient (the *leaves*) and which do not, and
why gradients *add up* across ``backward()`` calls — the reason every descent loop in the
later lessons zeroes them.
"""

# %%
# Ask for gradients
# -----------------
#
# ``requires_grad=True`` tells torch to record every operation done with a tensor, so that it
# can later run the chain rule backwards through them. Only floating-point and complex
# tensors may ask: the :ref:`course notebook <course-notebook>`'s
# ``torch.tensor(10, requires_grad=True)`` makes an
# integer tensor, which torch refuses. Until a ``backward()`` call has reached them, the
# gradients are ``None``: not zero, but "not computed yet".
import torch

try:
    torch.tensor(10, requires_grad=True)
except RuntimeError as error:
    print(f"integer tensor refused:\n  {error}")
z = torch.tensor(1 + 2j, requires_grad=True)
print(f"complex tensor accepted: requires_grad = {z.requires_grad}")

# %%
# ``backward()`` fills ``.grad``
# ------------------------------
#
# For :math:`L = x + y` the partial derivatives are :math:`\partial L / \partial x = 1` and
# :math:`\partial L / \partial y = 1`. Calling ``backward()`` on the result computes them and
# stores each in the ``.grad`` of the tensor it belongs to. The dict ``answer`` keeps the two
# gradients under the key ``xy_grad``, and the lesson's exercise saves it to
# ``.answer.json`` for the checker. (The leaves are made in this cell: run again, in a
# notebook, it starts from no gradient, not from what the cells below added.)
x = torch.tensor(10.0, requires_grad=True)
y = torch.tensor(5.0, requires_grad=True)
print(f"before backward(): x.grad = {x.grad}, y.grad = {y.grad}")
answer = {}

# sphinx_gallery_solution_begin = "x + y and its backward"
loss = x + y
loss.backward()
# sphinx_gallery_solution_end

answer["xy_grad"] = [x.grad.item(), y.grad.item()]
print(f"after backward(): x.grad = {x.grad:.1f}, y.grad = {y.grad:.1f}")

# %%
# Leaves keep a gradient, intermediate results do not
# ---------------------------------------------------
#
# A tensor you create is a *leaf*; a tensor computed from tensors that require grad is not,
# and carries a ``grad_fn`` that knows how to pass gradients back to its inputs.
# ``backward()`` computes the gradient with respect to every intermediate result on its way
# down, hands it on and frees it: only leaves — the things you would update — store theirs.
# ``retain_grad()`` asks torch to keep one intermediate gradient too. Here :math:`c = ab`
# and :math:`\mathrm{out} = c^2`, so :math:`\partial\,\mathrm{out}/\partial c = 2c`,
# :math:`\partial\,\mathrm{out}/\partial a = 2cb` and
# :math:`\partial\,\mathrm{out}/\partial b = 2ca`.
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
c = a * b
out = c**2
c.retain_grad()
out.backward()

print("tensor  is_leaf  grad_fn        grad")
for name, t in {"a": a, "b": b, "c": c, "out": out}.items():
    node = type(t.grad_fn).__name__ if t.grad_fn is not None else None
    grad = t.grad if t.is_leaf or t.retains_grad else "not kept"
    print(f"{name:6}  {t.is_leaf!s:7}  {node!s:13}  {grad}")

# %%
# The graph that ``backward()`` walked
# ------------------------------------
#
# Following ``grad_fn`` from ``out`` gives the graph below: one node per operation, and one
# ``AccumulateGrad`` node per leaf — the node that adds the incoming gradient into the leaf's
# ``.grad``. ``c`` has no such node, which is why it needs ``retain_grad()``.
import matplotlib.pyplot as plt

from gdtutor.graph import grad_fn_tree
from gdtutor.plotting import plot_graph

fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
boxes = plot_graph(ax, grad_fn_tree(out))
for box, leaf in zip(boxes[-2:], ["leaf a", "leaf b"], strict=True):
    x_box, y_box = box.get_position()
    ax.text(x_box, y_box - 0.5, leaf, ha="center", color="C0")
ax.set_title("Only the leaves a and b end in AccumulateGrad", fontsize="medium")
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Gradients accumulate
# --------------------
#
# ``AccumulateGrad`` *adds*: a second ``backward()`` adds its gradient to the one already in
# ``.grad``. That is useful when one update should combine several losses, but a descent step
# wants the gradient at the current point only — so the loops of the next lessons clear it
# each step, with ``x.grad.zero_()`` or with ``optimizer.zero_grad()``, which sets ``.grad``
# back to ``None`` rather than to zeros (:ref:`lesson 5
# <sphx_glr_auto_examples_plot_05_torch_optim.py>` shows it). Each call below builds
# :math:`xy` anew, because ``backward()`` frees the graph it has walked; each adds
# :math:`\partial (xy)/\partial x = y` to ``x.grad``.
x.grad.zero_()
for call in range(1, 4):
    (x * y).backward()
    print(f"after backward() call {call}: x.grad = {x.grad.item():.1f}")

x.grad.zero_()
print(f"after x.grad.zero_():    x.grad = {x.grad.item():.1f}")

# %%
# Walking a graph twice, and results that are not one number
# ----------------------------------------------------------
#
# To call ``backward()`` twice on the *same* graph, ask the first call to keep it with
# ``retain_graph=True``; without it the second call fails, because the values the graph
# saved for the backward pass are gone. And ``backward()`` with no argument only works
# for a single number: for a tensor result, pass a tensor of the same shape, :math:`w`, and
# torch computes the gradient of :math:`\sum_i w_i\, \mathrm{result}_i`.
v = torch.tensor([1.0, 2.0], requires_grad=True)
square = (v**2).sum()
square.backward(retain_graph=True)
square.backward()  # the graph is still there: the gradient 2v is added a second time
print(f"after two backward() calls: v.grad = {v.grad.tolist()}")
triple = 3 * v
try:
    triple.backward()
except RuntimeError as error:
    print(f"a result of shape {tuple(triple.shape)}: {error}")
v.grad = None
triple.backward(torch.ones_like(triple))
print(f"with a tensor of ones: v.grad = {v.grad.tolist()}")

# %%
# Changing a tensor behind autograd's back
# ----------------------------------------
#
# A descent step changes the point in place, and that change must not be recorded. Inside
# ``torch.no_grad()`` the change is not recorded but still counted: every tensor has a
# version number that in-place operations raise, and ``backward()`` refuses to use a saved
# tensor that changed since it was saved. Changing ``.data`` (as the course notebook does)
# skips that count too, so a gradient that needs the old value is computed from the new one,
# silently wrong.
# Here :math:`b = a^2` saves :math:`a`; after :math:`a` grows by 1, the gradient
# :math:`2a` of :math:`\sum b` is computed from the new :math:`a`:
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a**2
with torch.no_grad():
    a += 1
try:
    b.sum().backward()
except RuntimeError as error:
    print(f"no_grad: refused ({str(error).split(':')[0]})")
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a**2
a.data += 1
b.sum().backward()
print(f".data: no error, gradient {a.grad.tolist()} where 2a was [2.0, 4.0]")

# %%
# Conclusion
# ----------
#
# A tensor with ``requires_grad=True`` records what is computed from it; ``backward()`` walks
# that record from the result down to the leaves and *adds* each gradient into the leaf's
# ``.grad``. Next, :ref:`sphx_glr_auto_examples_plot_02_matrix_gradient.py` differentiates a
# function of a whole matrix and checks torch's answer against one derived by hand.

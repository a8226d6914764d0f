r"""The update rules of ``torch.optim``'s common optimizers, written out in plain torch.

Each rule takes the point :math:`x_t`, the gradient :math:`g_t = \nabla f(x_t)` and a
dictionary that carries the optimizer's memory from one step to the next, and returns the
next point :math:`x_{t+1}`. The keyword arguments are ``torch.optim``'s, with its defaults,
so ``rule(x, g, state, **settings)`` takes the step that ``torch.optim`` takes with
``settings``, up to float rounding.

Only arithmetic is used, so a setting may also be a tensor that broadcasts against ``x``:
one call then steps many runs with different settings at once, as
:func:`gdtutor.compare.sweep` does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import torch

__all__ = ["RULES", "adagrad", "adam", "adamw", "rmsprop", "sgd"]

State = dict[str, Any]


def sgd(
    x: torch.Tensor,
    grad: torch.Tensor,
    state: State,
    *,
    lr: Any = 0.001,
    momentum: Any = 0.0,
    nesterov: bool = False,
) -> torch.Tensor:
    r"""Gradient descent, with heavy-ball or Nesterov momentum.

    .. math::

       b_t = \beta\, b_{t-1} + g_t,

       x_{t+1} = x_t - \alpha\, b_t \quad\text{or, with Nesterov,}

       x_{t+1} = x_t - \alpha\,(g_t + \beta\, b_t),

    with :math:`b_{-1} = 0`; :math:`\beta = 0` is plain gradient descent.

    Examples
    --------
    >>> import torch
    >>> state = {}
    >>> sgd(torch.tensor([1.0]), torch.tensor([2.0]), state, lr=0.1, momentum=0.9)
    tensor([0.8000])
    >>> sgd(torch.tensor([0.8]), torch.tensor([2.0]), state, lr=0.1, momentum=0.9)
    tensor([0.4200])
    """
    buffer = state["momentum_buffer"] = momentum * state.get("momentum_buffer", 0.0) + grad
    direction = grad + momentum * buffer if nesterov else buffer
    return x - lr * direction


def rmsprop(
    x: torch.Tensor,
    grad: torch.Tensor,
    state: State,
    *,
    lr: Any = 0.01,
    alpha: Any = 0.99,
    eps: float = 1e-8,
) -> torch.Tensor:
    r"""RMSprop: each coordinate's step divided by a running root mean square of its gradient.

    .. math::

       v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2,

       x_{t+1} = x_t - \alpha_{\text{lr}}\, \frac{g_t}{\sqrt{v_t} + \epsilon},

    elementwise, with :math:`v_{-1} = 0`.

    Examples
    --------
    >>> import torch
    >>> rmsprop(torch.tensor([1.0]), torch.tensor([2.0]), {}, lr=0.01)
    tensor([0.9000])
    """
    square_avg = state["square_avg"] = alpha * state.get("square_avg", 0.0) + (1 - alpha) * grad**2
    return x - lr * grad / (square_avg.sqrt() + eps)


def adagrad(
    x: torch.Tensor,
    grad: torch.Tensor,
    state: State,
    *,
    lr: Any = 0.01,
    eps: float = 1e-10,
) -> torch.Tensor:
    r"""Adagrad: each coordinate's step divided by the root of its summed squared gradients.

    .. math::

       s_t = s_{t-1} + g_t^2,

       x_{t+1} = x_t - \alpha\, \frac{g_t}{\sqrt{s_t} + \epsilon},

    elementwise, with :math:`s_{-1} = 0`. The sum never shrinks, so each coordinate's
    effective learning rate :math:`\alpha / \sqrt{s_t}` never grows (its step can still grow
    with the gradient).

    Examples
    --------
    >>> import torch
    >>> adagrad(torch.tensor([1.0]), torch.tensor([2.0]), {}, lr=0.5)
    tensor([0.5000])
    """
    total = state["sum"] = state.get("sum", 0.0) + grad**2
    return x - lr * grad / (total.sqrt() + eps)


def adam(
    x: torch.Tensor,
    grad: torch.Tensor,
    state: State,
    *,
    lr: Any = 0.001,
    betas: tuple[Any, Any] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: Any = 0.0,
) -> torch.Tensor:
    r"""Adam, whose ``weight_decay`` is an L2 penalty added to the gradient.

    .. math::

       g_t \leftarrow g_t + \lambda\, x_t

       m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t,

       \hat m_t = \frac{m_t}{1 - \beta_1^{t}},

       v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2,

       \hat v_t = \frac{v_t}{1 - \beta_2^{t}},

       x_{t+1} = x_t - \alpha\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    elementwise, with :math:`m_0 = v_0 = 0` and :math:`t = 1, 2, \dots` counting the steps.

    Examples
    --------
    >>> import torch
    >>> adam(torch.tensor([1.0]), torch.tensor([2.0]), {}, lr=0.1)  # a first step is ±lr
    tensor([0.9000])
    """
    beta1, beta2 = betas
    grad = grad + weight_decay * x
    t = state["step"] = state.get("step", 0) + 1
    m = state["exp_avg"] = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * grad
    v = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / (v_hat.sqrt() + eps)


def adamw(
    x: torch.Tensor,
    grad: torch.Tensor,
    state: State,
    *,
    lr: Any = 0.001,
    betas: tuple[Any, Any] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: Any = 0.01,
) -> torch.Tensor:
    r"""AdamW: Adam's step taken from the point shrunk by the decoupled weight decay.

    .. math::

       x_{t+1} = (1 - \alpha\lambda)\, x_t
       - \alpha\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    with :math:`\hat m_t, \hat v_t` of :func:`adam` computed from the gradient alone: the
    decay never enters the moments. Its factor :math:`1 - \alpha\lambda` pulls the point
    towards the origin when :math:`\alpha\lambda < 1`; for :math:`1 < \alpha\lambda < 2`
    it still shrinks the point but flips it past the origin, and from
    :math:`\alpha\lambda = 2` on it no longer shrinks it.

    Examples
    --------
    >>> import torch
    >>> adamw(torch.tensor([1.0]), torch.tensor([2.0]), {}, lr=0.1, weight_decay=0.5)
    tensor([0.8500])
    """
    return adam(x * (1 - lr * weight_decay), grad, state, lr=lr, betas=betas, eps=eps)


#: The rules by the name of the ``torch.optim`` class that takes the same steps.
RULES: Mapping[str, Callable[..., torch.Tensor]] = MappingProxyType(
    {"SGD": sgd, "RMSprop": rmsprop, "Adagrad": adagrad, "Adam": adam, "AdamW": adamw}
)

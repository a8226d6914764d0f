"""Look inside autograd: the graph of ``grad_fn`` nodes that ``backward()`` walks.

Every tensor computed from a tensor that requires grad carries a ``grad_fn``: the node that
knows how to pass gradients back to its inputs. ``grad_fn.next_functions`` lists the nodes of
those inputs, down to ``AccumulateGrad`` nodes, which add the gradient into a leaf's ``.grad``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

__all__ = ["GraphNode", "grad_fn_chain", "grad_fn_tree", "render_graph"]


@dataclass(frozen=True)
class GraphNode:
    """One node of an autograd graph.

    Attributes
    ----------
    name : str
        The node's class name, e.g. ``"MulBackward0"``.
    children : tuple of GraphNode
        The nodes of its inputs, in ``next_functions`` order (constants left out).
    leaf_shape : tuple of int or None
        For an ``AccumulateGrad`` node, the shape of the leaf tensor it feeds.
    """

    name: str
    children: tuple[GraphNode, ...] = ()
    leaf_shape: tuple[int, ...] | None = None


def _root(result: torch.Tensor) -> Any:
    if not isinstance(result, torch.Tensor):
        raise TypeError(f"result must be a torch tensor, got {type(result).__name__}")
    if result.grad_fn is None:
        why = "a leaf tensor" if result.requires_grad else "a tensor that does not require grad"
        raise ValueError(
            f"result must be computed from a tensor with requires_grad=True so that it has a "
            f"grad_fn, got {why}"
        )
    return result.grad_fn


def _node(fn: Any, depth: int, max_depth: int, budget: list[int]) -> GraphNode:
    # Shared subgraphs are unfolded into copies, which can grow exponentially (y = y * y
    # repeated); the budget turns that into a clear error instead of a hang.
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError(
            "result's autograd graph unfolds into more than max_nodes nodes; "
            "pass a larger max_nodes or inspect a smaller expression"
        )
    variable = getattr(fn, "variable", None)
    shape = tuple(variable.shape) if isinstance(variable, torch.Tensor) else None
    if depth >= max_depth:
        return GraphNode(type(fn).__name__, (), shape)
    children = tuple(
        _node(child, depth + 1, max_depth, budget)
        for child, _ in fn.next_functions
        if child is not None
    )
    return GraphNode(type(fn).__name__, children, shape)


def grad_fn_tree(result: torch.Tensor, *, max_depth: int = 64, max_nodes: int = 1000) -> GraphNode:
    """Return the autograd graph behind ``result`` as a tree of :class:`~gdtutor.graph.GraphNode`.

    Parameters
    ----------
    result : torch.Tensor
        A tensor computed from tensors with ``requires_grad=True``.
    max_depth : int, optional
        Nodes deeper than this are shown without their children.
    max_nodes : int, optional
        The most nodes the unfolded tree may have (a node reached along two paths counts
        twice).

    Returns
    -------
    GraphNode
        The node of ``result.grad_fn`` and, recursively, those of its inputs.

    Raises
    ------
    TypeError
        If ``result`` is not a tensor.
    ValueError
        If ``result`` has no ``grad_fn`` (a leaf, or not computed with gradients), or the
        tree would have more than ``max_nodes`` nodes.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> tree = grad_fn_tree((x * x).sum())
    >>> tree.name, [child.name for child in tree.children]
    ('SumBackward0', ['MulBackward0'])
    """
    return _node(_root(result), 0, max_depth, [max_nodes])


def grad_fn_chain(result: torch.Tensor) -> list[str]:
    """Return the node names met by following the first input of each node from ``result``.

    For ``10 * (X ** 2).sum()`` this is the order in which the course notebook prints them by
    hand with ``grad_fn.next_functions[0][0]``.

    Parameters
    ----------
    result : torch.Tensor
        A tensor computed from tensors with ``requires_grad=True``.

    Returns
    -------
    list of str
        Node class names, from ``result.grad_fn`` down to an ``AccumulateGrad``.

    Raises
    ------
    TypeError, ValueError
        As :func:`~gdtutor.graph.grad_fn_tree`.

    Examples
    --------
    >>> import torch
    >>> X = torch.ones(3, 4, requires_grad=True)
    >>> grad_fn_chain(10 * (X**2).sum())
    ['MulBackward0', 'SumBackward0', 'PowBackward0', 'AccumulateGrad']
    """
    names = []
    fn = _root(result)
    while fn is not None:
        names.append(type(fn).__name__)
        fn = next((child for child, _ in fn.next_functions if child is not None), None)
    return names


def render_graph(result: torch.Tensor | GraphNode) -> str:
    """Draw the autograd graph behind ``result`` as an indented text tree.

    Parameters
    ----------
    result : torch.Tensor or GraphNode
        A tensor with a ``grad_fn``, or a tree from :func:`~gdtutor.graph.grad_fn_tree`.

    Returns
    -------
    str
        One line per node; ``AccumulateGrad`` lines show the leaf's shape.

    Raises
    ------
    TypeError, ValueError
        As :func:`~gdtutor.graph.grad_fn_tree`.

    Examples
    --------
    >>> import torch
    >>> X = torch.ones(3, 4, requires_grad=True)
    >>> print(render_graph(10 * (X**2).sum()))
    MulBackward0
    └── SumBackward0
        └── PowBackward0
            └── AccumulateGrad  (leaf of shape (3, 4))
    """
    root = result if isinstance(result, GraphNode) else grad_fn_tree(result)
    lines: list[str] = []

    def label(node: GraphNode) -> str:
        return (
            node.name
            if node.leaf_shape is None
            else f"{node.name}  (leaf of shape {node.leaf_shape})"
        )

    def walk(node: GraphNode, prefix: str) -> None:
        for i, child in enumerate(node.children):
            last = i == len(node.children) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{label(child)}")
            walk(child, prefix + ("    " if last else "│   "))

    lines.append(label(root))
    walk(root, "")
    return "\n".join(lines)

"""The autograd graph behind a value: the chain the notebook prints by hand, and whole trees."""

from __future__ import annotations

import pytest
import torch

from gdtutor import skewed
from gdtutor.graph import GraphNode, grad_fn_chain, grad_fn_tree, render_graph

# The 3 × 4 matrix of the notebook's first gradient exercise.
NOTEBOOK_X = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]


def _notebook_function() -> torch.Tensor:
    X = torch.tensor(NOTEBOOK_X, requires_grad=True)
    return 10 * (X**2).sum()


def _branching() -> torch.Tensor:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0, 5.0], requires_grad=True)
    return (x * y[:2] + x.sin()).sum()


def test_chain_is_what_the_notebook_prints_by_hand() -> None:
    function = _notebook_function()
    by_hand = [
        function.grad_fn,
        function.grad_fn.next_functions[0][0],
        function.grad_fn.next_functions[0][0].next_functions[0][0],
        function.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0],
    ]
    by_hand = [type(fn).__name__ for fn in by_hand]
    chain = grad_fn_chain(function)
    assert chain == ["MulBackward0", "SumBackward0", "PowBackward0", "AccumulateGrad"]
    assert chain == by_hand


def test_tree_of_a_branching_expression() -> None:
    tree = grad_fn_tree(_branching())
    assert tree.name == "SumBackward0"
    (add,) = tree.children
    assert add.name == "AddBackward0"
    mul, sin = add.children
    assert (mul.name, sin.name) == ("MulBackward0", "SinBackward0")
    x_leaf, y_slice = mul.children
    assert (x_leaf.name, x_leaf.leaf_shape, x_leaf.children) == ("AccumulateGrad", (2,), ())
    assert y_slice.name == "SliceBackward0"
    assert [(n.name, n.leaf_shape) for n in y_slice.children] == [("AccumulateGrad", (3,))]
    assert [(n.name, n.leaf_shape) for n in sin.children] == [("AccumulateGrad", (2,))]
    assert all(node.leaf_shape is None for node in (tree, add, mul, sin, y_slice))


def test_constants_are_left_out() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    tree = grad_fn_tree((x * torch.ones(2)).sum())
    assert [child.name for child in tree.children[0].children] == ["AccumulateGrad"]


@pytest.mark.parametrize(("max_depth", "depth"), [(0, 0), (1, 1), (2, 2), (64, 3)])
def test_max_depth_cuts_the_tree(max_depth, depth) -> None:
    def height(node: GraphNode) -> int:
        return 1 + max((height(child) for child in node.children), default=-1)

    assert height(grad_fn_tree(_notebook_function(), max_depth=max_depth)) == depth


def test_render_graph_of_the_notebook_function() -> None:
    assert render_graph(_notebook_function()) == "\n".join(
        [
            "MulBackward0",
            "└── SumBackward0",
            "    └── PowBackward0",
            "        └── AccumulateGrad  (leaf of shape (3, 4))",
        ]
    )


def test_render_graph_of_a_tree_and_its_tensor_agree() -> None:
    result = _branching()
    text = render_graph(result)
    assert text == render_graph(grad_fn_tree(result))
    assert text == "\n".join(
        [
            "SumBackward0",
            "└── AddBackward0",
            "    ├── MulBackward0",
            "    │   ├── AccumulateGrad  (leaf of shape (2,))",
            "    │   └── SliceBackward0",
            "    │       └── AccumulateGrad  (leaf of shape (3,))",
            "    └── SinBackward0",
            "        └── AccumulateGrad  (leaf of shape (2,))",
        ]
    )


def test_every_leaf_of_skewed_is_its_one_input() -> None:
    v = torch.tensor([8.0, 8.0], requires_grad=True)
    lines = render_graph(skewed(v)).splitlines()
    leaves = [line for line in lines if "AccumulateGrad" in line]
    assert leaves
    assert all(line.endswith("(leaf of shape (2,))") for line in leaves)
    assert grad_fn_chain(skewed(v))[-1] == "AccumulateGrad"


@pytest.mark.parametrize("func", [grad_fn_chain, grad_fn_tree, render_graph])
@pytest.mark.parametrize(
    ("result", "error", "match"),
    [
        (torch.ones(2, requires_grad=True), ValueError, r"has a grad_fn, got a leaf tensor"),
        (torch.ones(2).sum(), ValueError, r"got a tensor that does not require grad"),
        (
            torch.ones(2, requires_grad=True).sum().detach(),
            ValueError,
            r"result must be computed from a tensor with requires_grad=True",
        ),
        ([1.0, 2.0], TypeError, r"result must be a torch tensor, got list"),
        (None, TypeError, r"result must be a torch tensor, got NoneType"),
    ],
    ids=["leaf", "no-grad", "detached", "list", "None"],
)
def test_bad_results(func, result, error, match) -> None:
    with pytest.raises(error, match=match):
        func(result)


def test_tree_refuses_a_graph_that_unfolds_exponentially():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(30):
        y = y * y
    with pytest.raises(ValueError, match="more than max_nodes nodes"):
        grad_fn_tree(y)
    assert grad_fn_tree(y, max_depth=3).name == "MulBackward0"

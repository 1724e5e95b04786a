"""Small helpers the test modules share."""

import jax
import numpy as np

#: The last step an int32 count (optax's) can reach.
INT_MAX = 2**31 - 1


@jax.jit
def evaluate(schedule, t):
    """A schedule at steps ``t``; one compilation per schedule structure, whatever its values."""
    return schedule(t)


def hlo_ops(fn, *args) -> int:
    """Operations in the lowered (StableHLO) program of ``jax.jit(fn)(*args)``."""
    return sum(1 for line in jax.jit(fn).lower(*args).as_text().splitlines() if " = " in line)


def assert_same_tree(a, b):
    """``a`` and ``b`` have one structure (kinds, static fields) and bit-identical leaves of one dtype."""
    leaves_a, def_a = jax.tree.flatten(a)
    leaves_b, def_b = jax.tree.flatten(b)
    assert def_a == def_b
    for x, y in zip(leaves_a, leaves_b, strict=True):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y, strict=True)

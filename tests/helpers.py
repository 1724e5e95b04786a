"""Small helpers the test modules share."""

import jax

#: The last step an int32 count (optax's) can reach.
INT_MAX = 2**31 - 1


@jax.jit
def evaluate(schedule, t):
    """A schedule at steps ``t``; one compilation per schedule structure, whatever its values."""
    return schedule(t)


def hlo_ops(fn, *args) -> int:
    """Operations in the lowered (StableHLO) program of ``jax.jit(fn)(*args)``."""
    return sum(1 for line in jax.jit(fn).lower(*args).as_text().splitlines() if " = " in line)

"""`Schedule`: an immutable PyTree (a `Tree`) that maps a step to a value.

A concrete schedule is a short final subclass that declares its fields and
implements `_evaluate`; the PyTree mechanics live in `_pytree`.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from ._arith import Step
from ._pytree import Tree


class Schedule(Tree):
    r"""Base class of every lrjax schedule: a callable, immutable PyTree.

    A schedule maps an optimizer step to a value, ``schedule(step) -> Array``,
    so it can be passed anywhere optax accepts a schedule
    (``optax.adamw(learning_rate=lrjax.cosine(1e-3, 10_000))``).

    **Leaves and structure.** Every numeric hyperparameter (values, rates,
    powers, durations, boundaries) is a PyTree leaf, so a schedule passed as an
    argument to a jitted function can change any of them without recompiling,
    and `jax.vmap`, `jax.grad` and sharding apply to them like to any array.
    Only structure is static: the kind of schedule, the number of pieces, shape
    names such as ``"cosine"`` and flags such as ``staircase``.

    **Steps.** ``step`` may be a Python number, a NumPy or JAX scalar, or an
    array of any shape; the result has the same shape. Integer steps (optax's
    int32 counts) use exact integer arithmetic for floors, remainders and
    boundary comparisons wherever durations are whole numbers, so every step up
    to ``2**31 - 1`` is handled exactly. Steps below 0 behave as step 0.

    **Dtype.** Results have the floating dtype of the hyperparameters: float32
    by default, float64 when ``jax_enable_x64`` is on and they were given as
    float64 (Python numbers then become float64).

    **Validation.** Constructors check concrete arguments and raise
    `ValueError` naming the argument, the value and what is allowed. Traced
    arguments (inside `jit` or `vmap`) cannot be checked; a traced value out of
    range is clamped to the nearest allowed value (a negative duration acts as
    0, a non-positive period, timescale or divisor as 1, a negative rate or
    factor as 0), so outputs stay finite for every step (given finite inputs;
    unsorted traced boundaries give finite but meaningless values). Rebuilding a schedule from
    its leaves (as JAX does inside transformations) never re-runs conversion
    or validation.

    >>> import jax, lrjax
    >>> s = lrjax.cosine(init=1.0, steps=100)
    >>> print(s(50), jax.jit(lambda s: s(100))(s))
    0.49999997 0.0
    >>> jax.tree.leaves(s)
    [Array(1., dtype=float32), Array(100., dtype=float32), Array(0., dtype=float32), Array(1., dtype=float32)]
    """

    def __call__(self, step: ArrayLike) -> jax.Array:
        dtype = self.dtype
        t = Step.of(jnp.asarray(step), dtype)
        out = jnp.asarray(self._evaluate(t), dtype)
        return jnp.broadcast_to(out, jnp.broadcast_shapes(out.shape, t.whole.shape))

    def _evaluate(self, t: Step) -> jax.Array:
        """Value at the non-negative step ``t``. Combinators call it on their children."""
        raise NotImplementedError

    # Algebra: every operator builds a schedule (see `_algebra`); numbers become constants.
    def __add__(self, other: Any) -> Schedule:
        return _algebra().add(self, other)

    def __radd__(self, other: Any) -> Schedule:
        return _algebra().add(other, self)

    def __sub__(self, other: Any) -> Schedule:
        return _algebra().add(self, -other)

    def __rsub__(self, other: Any) -> Schedule:
        return _algebra().add(other, -self)

    def __mul__(self, other: Any) -> Schedule:
        return _algebra().multiply(self, other)

    def __rmul__(self, other: Any) -> Schedule:
        return _algebra().multiply(other, self)

    def __truediv__(self, other: Any) -> Schedule:
        return _algebra().divide(self, other)

    def __neg__(self) -> Schedule:
        return _algebra().multiply(-1.0, self)

    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the hyperparameters, which results take."""
        floats = [x for x in jax.tree.leaves(self) if jnp.issubdtype(jnp.result_type(x), jnp.floating)]
        return jnp.result_type(*floats) if floats else jnp.result_type(float)


def _algebra() -> Any:
    from . import _algebra  # imported late: _algebra subclasses Schedule

    return _algebra

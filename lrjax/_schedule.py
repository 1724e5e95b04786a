"""`Schedule`, the base of every schedule, with its algebra (constants, sums, products) and `Preset`.

A kind of schedule is a short final subclass: a `Schedule` whose value needs
its own formula (``_evaluate``), or a `Preset`, a named composition of other
schedules (``compose``). Both declare their fields once (`lrjax._fields`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import _fields as f
from ._arith import Step, concrete
from ._fields import Param, declare
from ._tree import Tree, batch_axes, batch_shape, number, write

#: Draws a schedule as HTML for Jupyter; set by `_notebook`, which sits in a layer above this one.
display: Callable[[Any], str] | None = None


class Schedule(Tree):
    r"""Base class of every lrjax schedule: a callable, immutable PyTree.

    A schedule maps an optimizer step to a value, ``schedule(step) -> Array``,
    so it can be passed anywhere optax accepts a schedule
    (``optax.adamw(learning_rate=lrjax.cosine(1e-3, steps=10_000))``).

    **Leaves and structure.** Every numeric hyperparameter (values, rates,
    powers, durations, boundaries) is a PyTree leaf, so a schedule passed as an
    argument to a jitted function can change any of them without recompiling,
    and `jax.vmap`, `jax.grad` and sharding apply to them like to any array.
    Durations are exact `Duration`s. Only structure is static: the
    kind of schedule, the number of pieces, shape names such as ``"cosine"``,
    flags such as ``staircase``, and what was decided from concrete values
    when the schedule was built (a duration known to be whole, an exponent
    known to be 1, how `restart` finds its cycle).

    **Steps.** ``step`` may be a Python number, a NumPy or JAX scalar, or an
    array of any shape; the result has the same shape. Integer steps (optax's
    int32 counts) use exact integer arithmetic for offsets, remainders and
    boundary comparisons wherever durations are whole numbers, so every step up
    to ``2**31 - 1`` is handled exactly. Steps below 0 behave as step 0.

    **Dtype.** Results have the floating dtype of the hyperparameters: float32
    by default, float64 when ``jax_enable_x64`` is on and they were given as
    float64 (Python numbers then become float64).

    **Validation.** Constructors check concrete arguments and raise
    `ValueError` naming the argument, the value and what is allowed. Traced
    arguments (inside `jit` or `vmap`) cannot be checked; a traced value out of
    range is clamped to the nearest allowed value (a negative duration acts as
    0, a non-positive period or divisor as 1, a negative rate or factor as 0),
    so outputs stay finite for every step (given finite inputs; unsorted
    traced boundaries give finite but meaningless values). Rebuilding a
    schedule from its leaves (as JAX does inside transformations) never re-runs
    conversion or validation.

    >>> import jax, lrjax
    >>> s = lrjax.cosine(1.0, steps=100)
    >>> print(s(50), jax.jit(lambda s: s(100))(s))
    0.5 0.0
    """

    def __call__(self, step: ArrayLike) -> jax.Array:
        """The value at ``step``: shaped like ``step``, preceded by the batch axes of a stacked schedule."""
        batch = batch_shape(self)
        if batch:
            evaluate = Schedule.__call__
            for _ in batch:
                evaluate = jax.vmap(evaluate, in_axes=(batch_axes(self, batch), None))
            return evaluate(self, step)
        dtype = self.dtype
        t = Step.of(jnp.asarray(step), dtype)
        out = jnp.asarray(self._evaluate(t), dtype)
        return jnp.broadcast_to(out, jnp.broadcast_shapes(out.shape, t.whole.shape))

    def _evaluate(self, t: Step) -> jax.Array:
        """Value at the non-negative step ``t``. Combinators call it on their children."""
        raise NotImplementedError

    def __add__(self, other: Any) -> Schedule:
        return Sum(self, other)

    def __radd__(self, other: Any) -> Schedule:
        return Sum(other, self)

    def __sub__(self, other: Any) -> Schedule:
        return Sum(self, -other)

    def __rsub__(self, other: Any) -> Schedule:
        return Sum(other, -self)

    def __mul__(self, other: Any) -> Schedule:
        return Product(self, other)

    def __rmul__(self, other: Any) -> Schedule:
        return Product(other, self)

    def __truediv__(self, other: Any) -> Schedule:
        v = concrete(other) if not isinstance(other, Schedule) else None
        if isinstance(other, Schedule):
            raise ValueError("divide: dividing by a schedule is not supported; multiply by a schedule of reciprocals")
        if v is not None and (not np.issubdtype(np.asarray(v).dtype, np.number) or np.any(v == 0)):
            raise ValueError(f"divide: divisor must be a non-zero number, got {other!r}")
        divisor = _NUMBER.convert("divide", "divisor", other)
        return Product(self, 1 / jnp.where(divisor == 0, 1, divisor))  # a traced 0 acts as 1

    def __neg__(self) -> Schedule:
        return Product(-1.0, self)

    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the hyperparameters, which results take."""
        floats = [x for x in jax.tree.leaves(self) if jnp.issubdtype(jnp.result_type(x), jnp.floating)]
        return jnp.result_type(*floats) if floats else jnp.result_type(float)

    def _repr_html_(self) -> str | None:
        """Jupyter's display: the expression and a small SVG curve, drawn by `display` (None: the plain repr)."""
        return None if display is None else display(self)


class _Undecided:
    """The structure of a preset not yet flattened or evaluated."""

    def __repr__(self) -> str:
        return "undecided"


_UNDECIDED = _Undecided()


class _Structure:
    """A preset's decided structure (a PyTreeDef) as static metadata, comparable with anything.

    JAX compares static metadata when it looks up compiled functions, and a
    PyTreeDef compared with None (the general structure) raises instead of
    being unequal.
    """

    __slots__ = ("treedef",)

    def __init__(self, treedef: Any):
        self.treedef = treedef

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Structure) and self.treedef == other.treedef

    def __hash__(self) -> int:
        return hash(self.treedef)

    def __repr__(self) -> str:
        return repr(self.treedef)


#: How a plain number argument is converted (``s / 4``, a number where a schedule goes).
_NUMBER = Param("value")


class Preset(Schedule):
    """A named composition: its fields are declared as any kind's, and its value is ``compose()``'s.

    It prints, parses and round-trips through configs under its own name, while
    it evaluates exactly as the composition it names.

    >>> import lrjax
    >>> s = lrjax.warmup_cosine(1.0, warmup_steps=10, total_steps=110)
    >>> isinstance(s, lrjax.Preset), s
    (True, warmup_cosine(peak=1.0, warmup_steps=10, total_steps=110))
    >>> s.compose()
    warmup(cosine(init=1.0, steps=100), steps=10)
    >>> print(s(60), s.compose()(60))
    0.5 0.5
    """

    #: The structure of ``compose()`` when the preset was built: what the
    #: composition decided from concrete values (a known exponent, how a
    #: restart finds its cycle) holds when the preset's leaves are traced.
    #: It is found when the preset is first flattened (traced, passed to a jitted
    #: function, stacked) or evaluated, not when it is built, so building stays cheap.
    structure: Any = f.derived()

    def __check_init__(self) -> None:
        object.__setattr__(self, "structure", _UNDECIDED)

    def compose(self) -> Schedule:
        raise NotImplementedError

    def decided(self) -> Any:
        """The structure of ``compose()`` for these values (None: the general one)."""
        if self.structure is _UNDECIDED:
            structure = _Structure(jax.tree.structure(self.compose()))
            object.__setattr__(self, "structure", structure)  # a cache, not a change
        return None if self.structure is None else self.structure.treedef

    def composed(self) -> Schedule:
        """``compose()``, with the structure decided when the preset was built."""
        tree = self.compose()
        structure = self.decided()
        if structure is None:
            return tree
        return jax.tree.unflatten(structure, jax.tree.leaves(tree))

    def _evaluate(self, t: Step) -> jax.Array:
        return self.composed()._evaluate(t)


def as_schedule(where: str, name: str, x: Any) -> Schedule:
    """``x`` if it is a schedule, a `constant` if it is a number; otherwise a ValueError."""
    if isinstance(x, Schedule):
        return x
    if isinstance(x, Tree) or callable(x):
        hint = "; wrap a jittable function with lrjax.from_fn" if callable(x) and not isinstance(x, Tree) else ""
        raise ValueError(f"{where}: {name} must be an lrjax schedule or a number, got {x!r}{hint}")
    return constant(_NUMBER.convert(where, name, x))


def _as_schedules(where: str, name: str, xs: Any) -> tuple[Schedule, ...]:
    if isinstance(xs, (Schedule, str)) or not isinstance(xs, Sequence) or not xs:
        raise ValueError(f"{where}: {name} must be a non-empty sequence of schedules, got {xs!r}")
    return tuple(as_schedule(where, f"{name}[{i}]", x) for i, x in enumerate(xs))


def schedule() -> Any:
    """A schedule field (a number is taken as a constant)."""
    return declare(Param("schedule", to_schedule=as_schedule), dataclasses.MISSING)


def schedules() -> Any:
    """A field holding a non-empty sequence of schedules (numbers are taken as constants)."""
    return declare(Param("schedules", to_schedule=_as_schedules), dataclasses.MISSING)


class constant(Schedule):  # noqa: N801
    """The same value at every step.

    .. math:: v(t) = value

    >>> import lrjax
    >>> print(lrjax.constant(0.1)(1000))
    0.1
    """

    value: jax.Array = f.value()

    def _evaluate(self, t: Step) -> jax.Array:
        return jnp.asarray(self.value)  # a NumPy leaf: sums and products of constants compute in JAX, as everything else


class _Binary(Schedule):
    """``left(t) <op> right(t)``: what ``s1 + s2``, ``s * c``, ``-s`` and ``s / c`` build.

    Not a public constructor: expressions write it as the operator, configs as
    a node of ``"type": "+"`` or ``"*"``.
    """

    symbol: ClassVar[str]
    left: Schedule = schedule()
    right: Schedule = schedule()

    def write(self) -> str:
        return f"({_operand(self.left, self.right)} {self.symbol} {_operand(self.right, self.left)})"


def _operand(s: Schedule, other: Schedule) -> str:
    """A scalar constant is written as a number, unless the other side is a constant too (then nothing would be a schedule)."""
    if isinstance(s, constant) and not isinstance(other, constant):
        n = number(s.value, _NUMBER)
        if n is not None and not isinstance(n, list):
            return repr(n)
    return write(s)


class Sum(_Binary):
    name = "+"
    symbol: ClassVar[str] = "+"

    def _evaluate(self, t: Step) -> jax.Array:
        return self.left._evaluate(t) + self.right._evaluate(t)


class Product(_Binary):
    name = "*"
    symbol: ClassVar[str] = "*"

    def _evaluate(self, t: Step) -> jax.Array:
        return self.left._evaluate(t) * self.right._evaluate(t)

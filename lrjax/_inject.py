"""Schedules inside optimizer state: scheduled hyperparameters that can be swapped, stacked and logged."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

import jax
import jax.numpy as jnp

from . import _flax
from ._fields import Param
from ._schedule import Schedule

if TYPE_CHECKING:  # imported where used: `lrjax.parse` and the command do not load optax
    import optax

_flax.install()


#: How a numeric hyperparameter is converted to a leaf.
_NUMBER = Param("value")


def increment(count: jax.Array) -> jax.Array:
    """``count + 1``, saturating at the int32 maximum (as optax's counts do)."""
    return jnp.where(count < jnp.iinfo(jnp.int32).max, count + 1, count)


def _values(sources: dict[str, Any], evaluated: dict[str, Callable[[jax.Array], Any]], count: jax.Array) -> dict[str, jax.Array]:
    """The value at ``count`` of each hyperparameter in the state (``sources``) and of each callable the optimizer evaluates."""
    values = {k: v(count) if isinstance(v, Schedule) else v for k, v in sources.items()}
    return {**values, **{k: jnp.asarray(f(count)) for k, f in evaluated.items()}}


class InjectState(NamedTuple):
    """The state of an `inject` optimizer: the step count, the schedules, the values used and the inner state.

    >>> import jax.numpy as jnp, optax, lrjax
    >>> tx = lrjax.inject(optax.sgd)(learning_rate=lrjax.linear(1.0, 0.0, steps=10))
    >>> state = tx.init(jnp.zeros(2))
    >>> _, state = tx.update(jnp.ones(2), state)
    >>> print(state.count, state.hyperparams["learning_rate"])
    1 1.0
    """

    count: jax.Array
    #: Each dynamic hyperparameter as given: an lrjax schedule (its leaves are state leaves) or a number.
    schedules: dict[str, Any]
    #: The values the last update used (before any update: those the first will use).
    hyperparams: dict[str, jax.Array]
    inner_state: Any


def inject(
    optimizer_factory: Callable[..., optax.GradientTransformation], static_args: str | Iterable[str] = ()
) -> Callable[..., optax.GradientTransformationExtraArgs]:
    """Like ``optax.inject_hyperparams``, with lrjax schedules kept in the optimizer state.

    ``inject(optax.adamw)(learning_rate=lrjax.warmup_cosine(...), weight_decay=1e-4)``
    builds the optimizer anew at every update from the values at the current
    count. Each lrjax schedule and each number (int, float, array) is stored in
    ``state.schedules``, so:

    - replacing a schedule in a state by another of the same structure (other
      peak, other warmup length) runs the already-compiled update;
    - stacking the states of N schedules (`stack`) and ``jax.vmap``-ing the
      update trains N configurations in one compile;
    - any hyperparameter can be scheduled (momentum, Adam's ``b1``, weight decay).

    Any other callable of the count, such as an optax schedule, is evaluated
    at every update and logged, as ``optax.inject_hyperparams`` does; it is
    part of the optimizer, not of the state, so it cannot be swapped
    (`set_schedules`) or stacked. ``state.hyperparams`` holds the values the
    last update used, for logging (see also `hyperparams`).

    Names in ``static_args`` are passed to the factory unchanged (static), and
    so are bools and None. Any other value that is not a number raises
    ``ValueError`` naming the hyperparameter (``learning_rate="1e-3"``), at
    build time. The first update uses count 0.

    >>> import jax.numpy as jnp, optax, lrjax
    >>> tx = lrjax.inject(optax.sgd)(learning_rate=lrjax.linear(1.0, 0.0, steps=10), momentum=0.9)
    >>> state = tx.init(jnp.zeros(2))
    >>> updates, state = tx.update(jnp.ones(2), state)
    >>> print(float(state.hyperparams["learning_rate"]), float(updates[0]))
    1.0 -1.0
    """
    import optax

    static_names = {static_args} if isinstance(static_args, str) else set(static_args)

    def build(**hyperparams: Any) -> optax.GradientTransformationExtraArgs:
        static, dynamic, evaluated = {}, {}, {}
        for name, value in hyperparams.items():
            if name in static_names or value is None or isinstance(value, bool):
                static[name] = value
            elif isinstance(value, Schedule):
                dynamic[name] = value
            elif callable(value):
                evaluated[name] = value
            else:
                dynamic[name] = _number(name, value)

        def init(params: Any) -> InjectState:
            _flax.register_if_imported()
            count = jnp.zeros([], jnp.int32)
            values = _values(dynamic, evaluated, count)
            inner = optimizer_factory(**static, **values).init(params)
            return InjectState(count=count, schedules=dynamic, hyperparams=values, inner_state=inner)

        def update(updates: Any, state: InjectState, params: Any = None, **extra_args: Any):
            values = _values(state.schedules, evaluated, state.count)
            inner = optax.with_extra_args_support(optimizer_factory(**static, **values))
            updates, inner_state = inner.update(updates, state.inner_state, params, **extra_args)
            return updates, InjectState(increment(state.count), state.schedules, values, inner_state)

        return optax.GradientTransformationExtraArgs(init, update)

    return build


def _number(name: str, value: Any) -> jax.Array:
    try:
        return _NUMBER.convert("inject", name, value)
    except ValueError as e:
        hint = f"; if the optimizer takes {name} as a fixed option, name it in static_args"
        raise ValueError(f"{e} (hyperparameters are lrjax schedules, numbers or callables of the count){hint}") from None


class ScaleByScheduleState(NamedTuple):
    count: jax.Array
    schedule: Schedule


def scale_by_schedule(schedule: Schedule) -> optax.GradientTransformation:
    """Multiplies updates by ``schedule(count)``, with the schedule kept in the state.

    The counterpart of ``optax.scale_by_schedule`` whose schedule can be
    replaced, stacked and vmapped like any state leaf.

    >>> import jax.numpy as jnp, lrjax
    >>> tx = lrjax.scale_by_schedule(lrjax.piecewise_constant([1.0, 0.5], boundaries=[1]))
    >>> state, steps = tx.init(jnp.zeros(1)), []
    >>> for _ in range(2):
    ...     updates, state = tx.update(jnp.ones(1), state)
    ...     steps.append(float(updates[0]))
    >>> steps
    [1.0, 0.5]
    """
    import optax

    if not isinstance(schedule, Schedule):
        raise ValueError(f"scale_by_schedule: schedule must be an lrjax schedule, got {schedule!r}")

    def init(params: Any) -> ScaleByScheduleState:
        del params
        _flax.register_if_imported()
        return ScaleByScheduleState(jnp.zeros([], jnp.int32), schedule)

    def update(updates: Any, state: ScaleByScheduleState, params: Any = None):
        del params
        step_size = state.schedule(state.count)
        updates = jax.tree.map(lambda u: u * step_size.astype(u.dtype), updates)
        return updates, ScaleByScheduleState(increment(state.count), state.schedule)

    return optax.GradientTransformation(init, update)



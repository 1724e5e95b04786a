"""Reading and replacing the scheduled hyperparameters anywhere in an optimizer state.

Both functions walk the state as a PyTree (``chain`` tuples, ``multi_transform``
dicts, ``masked`` wrappers, nested `inject`) down to the states of lrjax's
transforms: `InjectState`, ``scale_by_schedule``'s and ``scale_by_plateau``'s.
They also walk a flax nnx ``Optimizer``'s ``opt_state``, whose leaves are nnx
Variables, without importing flax.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from . import _flax
from ._fields import Param
from ._inject import InjectState, ScaleByScheduleState
from ._plateau import ScaleByPlateauState
from ._schedule import Schedule, constant
from ._tree import Tree

_STATES = (InjectState, ScaleByScheduleState, ScaleByPlateauState)
#: optax.inject_hyperparams's states, read for logging only: their schedules are closures, not state.
_OPTAX_INJECT = tuple(getattr(optax, n) for n in ("InjectHyperparamsState", "InjectStatefulHyperparamsState") if hasattr(optax, n))
_NUMBER = Param("value")


class _Entry(NamedTuple):
    path: tuple[Any, ...]  #: key path of the lrjax state holding the hyperparameter
    name: str  #: the hyperparameter's name in that state
    value: Any
    swappable: bool


def hyperparams(opt_state: Any) -> dict[str, jax.Array]:
    """Every scheduled hyperparameter in an optimizer state, by a readable path: for logging.

    The values are those the last update used (before the first update: those
    it will use), from every `inject` state (its ``hyperparams``, including
    callables it evaluates) and every ``optax.inject_hyperparams`` state, every `scale_by_schedule` (``"step_size"``) and
    every `scale_by_plateau` (``"learning_rate"``, the schedule times the scale,
    and ``"plateau_scale"``). Names are the hyperparameter's name, prefixed by
    the dict keys on the way to it, such as the group names of
    ``optax.multi_transform`` (``"backbone/learning_rate"``); where two would
    share a name, both are named by their whole key path
    (``"1/inner_state/learning_rate"``). Works on stacked states (values gain the batch
    axes), inside ``jit``, and on a flax nnx ``Optimizer``'s ``opt_state``.

    >>> import jax.numpy as jnp, optax, lrjax
    >>> tx = optax.multi_transform(
    ...     {"backbone": lrjax.inject(optax.sgd)(learning_rate=lrjax.linear(0.1, 0.0, steps=10)),
    ...      "head": lrjax.inject(optax.sgd)(learning_rate=1.0, momentum=0.5)},
    ...     {"w": "backbone", "b": "head"})
    >>> state = tx.init({"w": jnp.zeros(2), "b": jnp.zeros(())})
    >>> {name: round(float(value), 6) for name, value in lrjax.hyperparams(state).items()}
    {'backbone/learning_rate': 0.1, 'head/learning_rate': 1.0, 'head/momentum': 0.5}
    """
    _flax.register_if_imported()
    entries: list[_Entry] = []
    _walk(opt_state, (), lambda state, path: _read(state, path, entries))
    return {name: _pure(entry.value) for name, entry in zip(_names(entries), entries)}


def set_schedules(opt_state: Any, schedules: Mapping[str, Any] | None = None, /, **named: Any) -> Any:
    """``opt_state`` with the named schedules replaced wherever they occur: same type, new schedules.

    A name is a hyperparameter's name (``learning_rate=...`` replaces it in
    every `inject` state that has it, and the schedule of every
    ``scale_by_plateau``; ``step_size=...`` that of every `scale_by_schedule`)
    or a name as `hyperparams` gives it, passed in a dict
    (``{"backbone/learning_rate": ...}``) to replace one occurrence. Values are
    lrjax schedules or numbers. The values `hyperparams` reports change with
    the next update (they are those the last update used).

    - Another schedule of the same structure (other peak, other warmup length)
      runs the already-compiled update: only leaves change.
    - Another structure (a cosine where a warmup-cosine was) works too, with
      one new compilation of the step.
    - A name that occurs nowhere raises ``ValueError`` listing the names that
      do; so does a hyperparameter `inject` evaluates from a callable (an
      optax schedule), which is part of the optimizer, not of the state.

    On a flax nnx ``Optimizer`` assign the result back:
    ``optimizer.opt_state = lrjax.set_schedules(optimizer.opt_state, learning_rate=s)``.
    The new leaves are wrapped in nnx Variables like the ones they replace
    (assigning raw arrays instead makes the next update fail with "Cannot set
    key ... on immutable node"), so the same structure does not retrace
    ``nnx.jit`` either.

    >>> import jax.numpy as jnp, optax, lrjax
    >>> tx = lrjax.inject(optax.sgd)(learning_rate=lrjax.warmup_cosine(1e-3, warmup_steps=10, total_steps=100))
    >>> state = lrjax.set_schedules(tx.init(jnp.zeros(2)), learning_rate=lrjax.constant(0.5))
    >>> _, state = tx.update(jnp.ones(2), state, jnp.zeros(2))
    >>> print(state.schedules["learning_rate"], lrjax.hyperparams(state)["learning_rate"])
    constant(value=0.5) 0.5
    """
    _flax.register_if_imported()
    wanted = {**(schedules or {}), **named}
    entries: list[_Entry] = []
    _walk(opt_state, (), lambda state, path: _read(state, path, entries))
    full = _names(entries)
    targets: dict[tuple[tuple[Any, ...], str], Any] = {}
    for key, value in wanted.items():
        matches = [e for e, name in zip(entries, full) if key in (name, e.name)]
        if not matches or not any(e.swappable for e in matches):
            raise ValueError(_unknown(key, matches, entries, full))
        for e in matches:
            targets[(e.path, e.name)] = value
    return _walk(opt_state, (), lambda state, path: _replace(state, path, targets))


def _walk(node: Any, path: tuple[Any, ...], visit: Callable[[Any, tuple[Any, ...]], Any]) -> Any:
    """Rebuilds ``node`` with ``visit(state, path)`` applied to each lrjax state in it (outer states first)."""
    if isinstance(node, (InjectState, *_OPTAX_INJECT)):
        node = visit(node, path)
        return node._replace(inner_state=_walk(node.inner_state, (*path, jax.tree_util.GetAttrKey("inner_state")), visit))
    if isinstance(node, _STATES):
        return visit(node, path)
    if _is_variable(node) or isinstance(node, Tree):
        return node
    pairs, treedef = jax.tree_util.tree_flatten_with_path(node, is_leaf=lambda x: x is not node)
    if len(pairs) == 1 and pairs[0][0] == ():
        return node  # a leaf
    return jax.tree_util.tree_unflatten(treedef, [_walk(child, (*path, *key), visit) for key, child in pairs])


def _read(state: Any, path: tuple[Any, ...], entries: list[_Entry]) -> Any:
    if isinstance(state, InjectState):
        entries.extend(_Entry(path, name, value, name in state.schedules) for name, value in state.hyperparams.items())
    elif isinstance(state, _OPTAX_INJECT):
        entries.extend(_Entry(path, name, value, False) for name, value in state.hyperparams.items())
    elif isinstance(state, ScaleByScheduleState):
        count = jnp.maximum(_pure(state.count) - 1, 0)  # the step the last update used
        entries.append(_Entry(path, "step_size", _pure(state.schedule)(count), True))
    else:
        entries.append(_Entry(path, "learning_rate", state.learning_rate, True))
        entries.append(_Entry(path, "plateau_scale", state.plateau.scale, False))
    return state


def _replace(state: Any, path: tuple[Any, ...], targets: dict[tuple[tuple[Any, ...], str], Any]) -> Any:
    if isinstance(state, _OPTAX_INJECT):
        return state
    if isinstance(state, InjectState):
        swapped = {name: _new(name, state.schedules[name], targets[path, name], state.count, False)
                   for name in state.schedules if (path, name) in targets}
        return state._replace(schedules={**state.schedules, **swapped}) if swapped else state
    name = "step_size" if isinstance(state, ScaleByScheduleState) else "learning_rate"
    if (path, name) not in targets:
        return state
    return state._replace(schedule=_new(name, state.schedule, targets[path, name], state.count, True))


def _new(name: str, old: Any, value: Any, prototype: Any, schedule_only: bool) -> Any:
    """``value`` as a state leaf or schedule, with leaves wrapped like ``old``'s (nnx Variables) if they were."""
    if not isinstance(value, Schedule):
        if callable(value) or isinstance(value, (str, bool)) or value is None:
            raise ValueError(f"set_schedules: {name} must be an lrjax schedule or a number, got {value!r}")
        value = constant(value) if schedule_only else _NUMBER.convert("set_schedules", name, value)
    old_leaves = jax.tree.leaves(old, is_leaf=_is_variable)
    variables = [v for v in (*old_leaves, prototype) if _is_variable(v)]
    if not variables:
        return value
    new_leaves, treedef = jax.tree.flatten(value)
    if treedef == jax.tree.structure(_pure(old)):
        # Same structure: each new leaf in a copy of the Variable it replaces (same type and metadata).
        wrapped = [o.replace(value=n) for o, n in zip(old_leaves, new_leaves)]
    else:
        wrapped = [type(variables[0])(n) for n in new_leaves]
    return jax.tree.unflatten(treedef, wrapped)


def _names(entries: list[_Entry]) -> list[str]:
    short = ["/".join([*(_key(k) for k in e.path if isinstance(k, jax.tree_util.DictKey)), e.name]) for e in entries]
    whole = ["/".join([*(_key(k) for k in e.path), e.name]) for e in entries]
    return [w if short.count(s) > 1 else s for s, w in zip(short, whole)]


def _key(key: Any) -> str:
    for attribute in ("name", "key", "idx"):
        if hasattr(key, attribute):
            return str(getattr(key, attribute))
    return str(key)


def _unknown(key: str, matches: list[_Entry], entries: list[_Entry], full: list[str]) -> str:
    swappable = sorted({n for e, name in zip(entries, full) if e.swappable for n in (name, e.name)})
    if matches:
        return (
            f"set_schedules: {key} is not a schedule in the state (it is computed by the optimizer: a callable "
            f"inject or optax.inject_hyperparams evaluates, or the plateau controller's scale); the schedules are {swappable}"
        )
    return f"set_schedules: no schedule named {key!r} in the state; the schedules are {swappable}"


def _is_variable(x: Any) -> bool:
    nnx = sys.modules.get("flax.nnx")  # without flax imported there are no nnx Variables
    return nnx is not None and isinstance(x, nnx.Variable)


def _pure(tree: Any) -> Any:
    """``tree`` with nnx Variables replaced by their values."""
    return jax.tree.map(lambda x: x.get_value() if _is_variable(x) else x, tree, is_leaf=_is_variable)

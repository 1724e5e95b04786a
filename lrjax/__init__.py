"""lrjax: learning-rate schedules as PyTrees, for JAX and optax.

Every schedule is an immutable PyTree whose numeric hyperparameters are leaves:
it drops into any optax optimizer, and it can be vmapped, differentiated and
changed inside a jitted training step without recompiling.

The package is layered; no module imports one above it:

1. mechanics: ``_arith`` (exact steps and durations), ``_fields`` (declaring
   hyperparameters), ``_tree`` (the PyTree base, expressions), ``_schedule``
   (``Schedule``, constants, sums and products, ``Preset``), ``_shapes``;
2. schedules: primitives (``_anneal``, ``_decay``, ``_piecewise``,
   ``_cyclical``, ``_noise``, ``_from_fn``), combinators (``_join``,
   ``_ramps``, ``_cycle``, ``_algebra``) and ``_presets``;
3. compat: ``lrjax.compat``, one module per peer, built from the schedules;
4. training: ``_inject``, ``_plateau``, ``_sweep``, ``_hyperparams`` and
   ``_flax`` (flax.serialization handlers, registered once flax is imported);
5. I/O: ``_registry`` (the public kinds by name), ``_expression``,
   ``_config``, ``_curves``;
6. presentation: the command (``_cli``, ``_demo``) and the Jupyter display (``_notebook``).

A kind is a class only where composition cannot express it; a named
composition is a ``Preset`` (see CONTRIBUTING.md).
"""

# The public API: each name and the module that defines it, imported on first use, so that
# ``import lrjax`` (and the command's ``--help`` and argument errors) loads no JAX, and a name
# loads only what it needs (``lrjax.parse`` does not import optax).
_PUBLIC: dict[str, str] = {
    "compat": "lrjax.compat",
    "blend": "._algebra",
    "clip": "._algebra",
    "per_epoch": "._algebra",
    "shift": "._algebra",
    "cosine": "._anneal",
    "linear": "._anneal",
    "polynomial": "._anneal",
    "tanh": "._anneal",
    "Duration": "._arith",
    "from_config": "._config",
    "to_config": "._config",
    "plot": "._curves",
    "values": "._curves",
    "cycle": "._cycle",
    "restart": "._cycle",
    "cyclic": "._cyclical",
    "one_cycle": "._cyclical",
    "one_cycle_momentum": "._cyclical",
    "exponential": "._decay",
    "inverse_sqrt": "._decay",
    "inverse_time": "._decay",
    "multistep": "._decay",
    "step_decay": "._decay",
    "parse": "._expression",
    "LRFinderResult": "._find_lr",
    "find_lr": "._find_lr",
    "from_fn": "._from_fn",
    "hyperparams": "._hyperparams",
    "set_schedules": "._hyperparams",
    "InjectState": "._inject",
    "inject": "._inject",
    "scale_by_schedule": "._inject",
    "join": "._join",
    "noise": "._noise",
    "piecewise_constant": "._piecewise",
    "piecewise_linear": "._piecewise",
    "PlateauState": "._plateau",
    "plateau": "._plateau",
    "scale_by_plateau": "._plateau",
    "sgdr": "._presets",
    "warmup_cosine": "._presets",
    "warmup_inverse_sqrt": "._presets",
    "warmup_linear": "._presets",
    "wsd": "._presets",
    "cooldown": "._ramps",
    "warmup": "._ramps",
    "Preset": "._schedule",
    "Schedule": "._schedule",
    "constant": "._schedule",
    "grid": "._sweep",
    "shard_sweep": "._sweep",
    "stack": "._sweep",
}

__all__ = list(_PUBLIC)


def __getattr__(name: str):
    import importlib

    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'lrjax' has no attribute {name!r}")
    importlib.import_module("._notebook", __name__)  # draws schedules in Jupyter
    if module.startswith("lrjax."):
        value = importlib.import_module(module)
    else:
        value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


__version__ = "0.2.0"

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

# The public API, imported on first use: ``import lrjax`` (and the command's
# ``--help`` and argument errors) does not load JAX until a name is used.
def _load() -> None:
    from . import _notebook as _notebook  # draws schedules in Jupyter
    from . import compat as compat
    from ._algebra import blend as blend
    from ._algebra import clip as clip
    from ._algebra import per_epoch as per_epoch
    from ._algebra import shift as shift
    from ._anneal import cosine as cosine
    from ._anneal import linear as linear
    from ._anneal import polynomial as polynomial
    from ._anneal import tanh as tanh
    from ._arith import Duration as Duration
    from ._config import from_config as from_config
    from ._config import to_config as to_config
    from ._curves import plot as plot
    from ._curves import values as values
    from ._cycle import cycle as cycle
    from ._cycle import restart as restart
    from ._cyclical import cyclic as cyclic
    from ._cyclical import one_cycle as one_cycle
    from ._cyclical import one_cycle_momentum as one_cycle_momentum
    from ._decay import exponential as exponential
    from ._decay import inverse_sqrt as inverse_sqrt
    from ._decay import inverse_time as inverse_time
    from ._decay import multistep as multistep
    from ._decay import step_decay as step_decay
    from ._expression import parse as parse
    from ._find_lr import LRFinderResult as LRFinderResult
    from ._find_lr import find_lr as find_lr
    from ._from_fn import from_fn as from_fn
    from ._hyperparams import hyperparams as hyperparams
    from ._hyperparams import set_schedules as set_schedules
    from ._inject import InjectState as InjectState
    from ._inject import inject as inject
    from ._inject import scale_by_schedule as scale_by_schedule
    from ._join import join as join
    from ._noise import noise as noise
    from ._piecewise import piecewise_constant as piecewise_constant
    from ._piecewise import piecewise_linear as piecewise_linear
    from ._plateau import PlateauState as PlateauState
    from ._plateau import plateau as plateau
    from ._plateau import scale_by_plateau as scale_by_plateau
    from ._presets import sgdr as sgdr
    from ._presets import warmup_cosine as warmup_cosine
    from ._presets import warmup_inverse_sqrt as warmup_inverse_sqrt
    from ._presets import warmup_linear as warmup_linear
    from ._presets import wsd as wsd
    from ._ramps import cooldown as cooldown
    from ._ramps import warmup as warmup
    from ._schedule import Preset as Preset
    from ._schedule import Schedule as Schedule
    from ._schedule import constant as constant
    from ._sweep import grid as grid
    from ._sweep import shard_sweep as shard_sweep
    from ._sweep import stack as stack
    globals().update({name: value for name, value in locals().items()})


__all__ = [
    "compat",
    "blend",
    "clip",
    "per_epoch",
    "shift",
    "cosine",
    "linear",
    "polynomial",
    "tanh",
    "Duration",
    "from_config",
    "to_config",
    "plot",
    "values",
    "cycle",
    "restart",
    "cyclic",
    "one_cycle",
    "one_cycle_momentum",
    "exponential",
    "inverse_sqrt",
    "inverse_time",
    "multistep",
    "step_decay",
    "parse",
    "LRFinderResult",
    "find_lr",
    "from_fn",
    "hyperparams",
    "set_schedules",
    "InjectState",
    "inject",
    "scale_by_schedule",
    "join",
    "noise",
    "piecewise_constant",
    "piecewise_linear",
    "PlateauState",
    "plateau",
    "scale_by_plateau",
    "sgdr",
    "warmup_cosine",
    "warmup_inverse_sqrt",
    "warmup_linear",
    "wsd",
    "cooldown",
    "warmup",
    "Preset",
    "Schedule",
    "constant",
    "grid",
    "shard_sweep",
    "stack",
]


_loading = False


def __getattr__(name: str):
    global _loading
    if name in __all__ and not _loading:  # while loading, `from . import compat` imports the subpackage
        _loading = True
        try:
            _load()
        finally:
            _loading = False
        return globals()[name]
    raise AttributeError(f"module 'lrjax' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


__version__ = "0.2.0"

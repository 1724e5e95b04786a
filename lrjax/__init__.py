"""lrjax: learning-rate schedules as PyTrees, for JAX and optax.

Every schedule is an immutable PyTree whose numeric hyperparameters are leaves:
it drops into any optax optimizer, and it can be vmapped, differentiated and
changed inside a jitted training step without recompiling.
"""

from . import compat as compat
from ._algebra import blend as blend
from ._algebra import clip as clip
from ._algebra import per_epoch as per_epoch
from ._algebra import shift as shift
from ._anneal import constant as constant
from ._anneal import cosine as cosine
from ._anneal import linear as linear
from ._anneal import polynomial as polynomial
from ._anneal import tanh as tanh
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
from ._inject import InjectState as InjectState
from ._inject import inject as inject
from ._inject import scale_by_schedule as scale_by_schedule
from ._join import join as join
from ._noise import noise as noise
from ._piecewise import piecewise_constant as piecewise_constant
from ._piecewise import piecewise_linear as piecewise_linear
from ._plateau import Plateau as Plateau
from ._plateau import PlateauState as PlateauState
from ._plateau import plateau as plateau
from ._plateau import scale_by_plateau as scale_by_plateau
from ._presets import sgdr as sgdr
from ._presets import warmup_cosine as warmup_cosine
from ._presets import warmup_inverse_sqrt as warmup_inverse_sqrt
from ._presets import warmup_linear as warmup_linear
from ._ramps import cooldown as cooldown
from ._ramps import warmup as warmup
from ._schedule import Schedule as Schedule
from ._sweep import grid as grid
from ._sweep import shard_sweep as shard_sweep
from ._sweep import stack as stack
from ._wsd import wsd as wsd

__version__ = "0.1.0"

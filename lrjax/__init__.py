"""lrjax: learning-rate schedules as PyTrees, for JAX and optax.

Every schedule is an immutable PyTree whose numeric hyperparameters are leaves:
it drops into any optax optimizer, and it can be vmapped, differentiated and
changed inside a jitted training step without recompiling.
"""

from ._anneal import constant as constant
from ._anneal import cosine as cosine
from ._anneal import linear as linear
from ._anneal import polynomial as polynomial
from ._anneal import tanh as tanh
from ._cyclical import cyclic as cyclic
from ._cyclical import one_cycle as one_cycle
from ._cyclical import one_cycle_momentum as one_cycle_momentum
from ._decay import exponential as exponential
from ._decay import inverse_sqrt as inverse_sqrt
from ._decay import inverse_time as inverse_time
from ._decay import multistep as multistep
from ._decay import step_decay as step_decay
from ._from_fn import from_fn as from_fn
from ._piecewise import piecewise_constant as piecewise_constant
from ._piecewise import piecewise_linear as piecewise_linear
from ._schedule import Schedule as Schedule
from ._wsd import wsd as wsd

__version__ = "0.1.0"

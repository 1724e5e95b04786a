import os

import jax
from hypothesis import settings

# Silent int/float or float32/float64 promotion inside lrjax should fail loudly.
jax.config.update("jax_numpy_dtype_promotion", "strict")

# First calls compile, so per-example time says nothing about correctness; in CI
# the examples are derandomized so that a run can be reproduced exactly.
settings.register_profile("lrjax", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("lrjax")

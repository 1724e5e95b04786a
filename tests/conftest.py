import jax

# Silent int/float or float32/float64 promotion inside lrjax should fail loudly.
jax.config.update("jax_numpy_dtype_promotion", "strict")

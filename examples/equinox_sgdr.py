"""lrjax with equinox: warm restarts (sgdr) in the optimizer state of an eqx.filter_jit
training step, which compiles once even when the schedule is replaced."""

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

import lrjax

x = jax.random.normal(jax.random.key(0), (128, 4))
y = x @ jnp.arange(1.0, 5.0)
traces = 0

model = eqx.nn.MLP(4, "scalar", width_size=16, depth=1, key=jax.random.key(1))
optimizer = lrjax.inject(optax.adam)(learning_rate=lrjax.sgdr(1e-2, period=10, mult=2.0))
state = optimizer.init(eqx.filter(model, eqx.is_array))


@eqx.filter_jit
def train_step(model, state):
    global traces
    traces += 1
    loss, grads = eqx.filter_value_and_grad(lambda m: jnp.mean((jax.vmap(m)(x) - y) ** 2))(model)
    updates, state = optimizer.update(grads, state, eqx.filter(model, eqx.is_array))
    return eqx.apply_updates(model, updates), state, loss


restarts, previous = [], 0.0
for step in range(70):
    model, state, loss = train_step(model, state)
    lr = float(lrjax.hyperparams(state)["learning_rate"])  # the lr this step used
    if lr > previous and step:
        restarts.append(step)  # the lr jumps back to the peak
    previous = lr
print(f"restarts at steps {restarts}, loss {float(loss):.4f}")

state = lrjax.set_schedules(state, learning_rate=lrjax.sgdr(3e-3, period=10, mult=2.0))  # a lower peak, same structure
model, state, loss = train_step(model, state)
print(f"lr after the swap {float(lrjax.hyperparams(state)['learning_rate']):.6f}")
print(f"train_step was traced {traces} time(s)")

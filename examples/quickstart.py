"""lrjax quickstart: an lrjax schedule in optax.adamw inside a jitted training
loop, a different schedule without recompiling, and a vmapped sweep."""

import jax
import jax.numpy as jnp
import optax

import lrjax

x = jax.random.normal(jax.random.key(0), (256, 8))
y = x @ jnp.arange(8.0)
traces = 0


@jax.jit
def train(schedule):
    """300 adamw steps on a least-squares problem; the schedule is an argument."""
    global traces
    traces += 1  # Python runs this only when jax traces (and then compiles) the step

    optimizer = optax.adamw(learning_rate=schedule)
    params = jnp.zeros(8)

    def step(carry, _):
        params, state = carry
        loss, grads = jax.value_and_grad(lambda w: jnp.mean((x @ w - y) ** 2))(params)
        updates, state = optimizer.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), loss

    _, losses = jax.lax.scan(step, (params, optimizer.init(params)), length=300)
    return losses[-1]


# 1. Any lrjax schedule is an optax schedule.
print("wsd       final loss:", train(lrjax.wsd(peak=0.1, warmup_steps=30, stable_steps=170, decay_steps=100)))
# 2. Other values, same structure: no recompilation.
print("wsd'      final loss:", train(lrjax.wsd(peak=0.3, warmup_steps=60, stable_steps=140, decay_steps=100)))
# 3. A sweep over the warmup length (traced!) in one vmapped, jitted call.
warmups = jnp.array([0, 10, 50, 100])
sweep = jax.vmap(lambda w: train(lrjax.wsd(peak=0.1, warmup_steps=w, stable_steps=200 - w, decay_steps=100)))
for w, loss in zip(warmups, sweep(warmups)):
    print(f"warmup {int(w):3d} final loss: {float(loss):.2e}")
print(f"train() was traced {traces} time(s) for 6 schedules; the 4-way sweep ran as one program")

"""Per-layer learning rates with optax.multi_transform: each group has its own lrjax
schedule, logged by group name with lrjax.hyperparams."""

import jax
import jax.numpy as jnp
import optax

import lrjax

x = jax.random.normal(jax.random.key(0), (128, 8))
y = jnp.tanh(x @ jnp.linspace(-1.0, 1.0, 8))[:, None]
k1, k2 = jax.random.split(jax.random.key(1))
params = {"backbone": {"w": 0.3 * jax.random.normal(k1, (8, 16))}, "head": {"w": 0.3 * jax.random.normal(k2, (16, 1))}}

peak = lrjax.warmup_cosine(1e-2, warmup_steps=10, total_steps=60)
optimizer = optax.multi_transform(
    {
        "backbone": lrjax.inject(optax.adamw)(learning_rate=0.1 * peak, weight_decay=1e-4),  # a tenth of the head's lr
        "head": lrjax.inject(optax.adamw)(learning_rate=peak, weight_decay=0.0),
    },
    {"backbone": "backbone", "head": "head"},
)


@jax.jit
def train_step(params, state):
    def loss_fn(p):
        return jnp.mean((jnp.tanh(x @ p["backbone"]["w"]) @ p["head"]["w"] - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    updates, state = optimizer.update(grads, state, params)
    return optax.apply_updates(params, updates), state, loss


state = optimizer.init(params)
for step in range(1, 61):
    params, state, loss = train_step(params, state)
    if step in (5, 30, 60):
        logged = ", ".join(f"{name} {float(v):.6f}" for name, v in lrjax.hyperparams(state).items())
        print(f"step {step}: loss {float(loss):.4f}, {logged}")

# Swap only the backbone's schedule: a name from lrjax.hyperparams, in a dict.
state = lrjax.set_schedules(state, {"backbone/learning_rate": lrjax.constant(1e-4)})
params, state, loss = train_step(params, state)
print(f"after freezing the backbone lr: {float(lrjax.hyperparams(state)['backbone/learning_rate']):.6f}")

"""``lrjax demo``: one jitted, vmapped training step trains a small MLP under 18 schedules at once."""

from __future__ import annotations

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ._algebra import blend
from ._anneal import cosine
from ._inject import inject
from ._presets import wsd
from ._ramps import warmup
from ._schedule import Schedule
from ._sweep import grid

FAMILIES = ("cosine", "wsd", "constant")


def spirals(key: jax.Array, n: int, classes: int) -> tuple[jax.Array, jax.Array]:
    """``n`` noisy points on ``classes`` interleaved spiral arms, in 2-D: a deterministic toy task."""
    k_class, k_radius, k_noise = jax.random.split(key, 3)
    label = jax.random.randint(k_class, (n,), 0, classes)
    radius = jax.random.uniform(k_radius, (n,))
    angle = 8.0 * radius + 2 * jnp.pi * label / classes + 0.3 * jax.random.normal(k_noise, (n,))
    return jnp.stack([radius * jnp.sin(angle), radius * jnp.cos(angle)], axis=1), label


def init_mlp(key: jax.Array, sizes: tuple[int, ...]) -> list[tuple[jax.Array, jax.Array]]:
    keys = jax.random.split(key, len(sizes) - 1)
    return [
        (jax.random.normal(k, (m, n)) * jnp.sqrt(2.0 / m), jnp.zeros(n))
        for k, m, n in zip(keys, sizes[:-1], sizes[1:])
    ]


def mlp(params: list[tuple[jax.Array, jax.Array]], x: jax.Array) -> jax.Array:
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def cross_entropy(params, x, y) -> jax.Array:
    return optax.softmax_cross_entropy_with_integer_labels(mlp(params, x), y).mean()


def schedule(family: str, peak: float, warmup_steps: int, total: int) -> Schedule:
    """Every family in one structure, so that all configurations stack into one sweep.

    A blend selects cosine decay (weight 0) or warmup-stable-decay (weight 1,
    the last 20% a linear decay); a cosine whose end equals its peak is constant.
    """
    n = total - warmup_steps
    end = peak if family == "constant" else 0.01 * peak
    stable_then_decay = wsd(peak, warmup_steps=0, stable_steps=0.8 * n, decay_steps=0.2 * n, end=0.01 * peak)
    return warmup(blend(cosine(peak, end, steps=n), stable_then_decay, weight=float(family == "wsd")), steps=warmup_steps)


def run(steps: int = 600, out: str | None = "lrjax-demo.png", chunk: int = 50) -> int:
    """Trains, prints the table and (with matplotlib) writes the figure; returns the number of compilations."""
    x, y = spirals(jax.random.key(0), 1024, classes=5)
    x_train, y_train, x_test, y_test = x[:512], y[:512], x[512:], y[512:]
    schedules, configs = grid(
        lambda family, peak, warmup: schedule(family, peak, warmup, steps),
        family=FAMILIES, peak=[3e-3, 1e-2, 3e-2], warmup=[0, steps // 6],
    )
    n = len(configs)
    sizes = (2, 32, 32, 5)
    params0 = init_mlp(jax.random.key(1), sizes)
    # The optimizer reads each configuration's schedule from its own state.
    states = jax.vmap(lambda s: inject(optax.adam)(learning_rate=s).init(params0))(schedules)
    optimizer = inject(optax.adam)(learning_rate=jax.tree.map(lambda leaf: leaf[0], schedules))
    params = jax.tree.map(lambda p: jnp.broadcast_to(p, (n, *p.shape)), params0)
    compiles = 0

    @jax.jit
    @jax.vmap
    def train_chunk(params, state):
        nonlocal compiles
        compiles += 1  # Python runs this only while tracing

        def step(carry, _):
            params, state = carry
            loss, grads = jax.value_and_grad(cross_entropy)(params, x_train, y_train)
            updates, state = optimizer.update(grads, state, params)
            return (optax.apply_updates(params, updates), state), loss

        (params, state), losses = jax.lax.scan(step, (params, state), length=chunk)
        return params, state, losses

    print(f"lrjax demo: an MLP ({'-'.join(map(str, sizes))}) on {sizes[-1]}-class spirals, {n} learning-rate schedules trained side by side, "
          f"{steps} adam steps each, in one jitted, vmapped step", flush=True)
    start, history = time.perf_counter(), []
    for done in range(chunk, steps + 1, chunk):
        params, states, losses = train_chunk(params, states)
        history.append(np.asarray(losses))
        bar = "#" * (30 * done // steps)
        print(f"\r[{bar:<30}] {done}/{steps} steps  {time.perf_counter() - start:5.1f} s", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    history = np.concatenate(history, axis=1)

    logits = jax.vmap(mlp, in_axes=(0, None))(params, x_test)
    accuracy = np.asarray((logits.argmax(-1) == y_test).mean(-1))
    lr_end = np.asarray(states.hyperparams["learning_rate"])
    print("\n| family   | peak   | warmup | final loss | test accuracy | lr at end |")
    print("|----------|--------|-------:|-----------:|--------------:|----------:|")
    for i in np.argsort(history[:, -1], kind="stable"):
        c = configs[i]
        print(f"| {c['family']:<8} | {c['peak']:<6g} | {c['warmup']:>6} | {history[i, -1]:>10.4f} | "
              f"{accuracy[i]:>13.1%} | {lr_end[i]:>9.2e} |")
    print(f"\nthe training step compiled {compiles} time{'s' if compiles != 1 else ''} for {n} configurations")
    if out:
        _plot(schedules, configs, history, steps, out)
    return compiles


def _plot(schedules, configs, history, steps: int, out: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(pip install 'lrjax[plot]' to also get the figure)")
        return
    t = jnp.arange(steps)
    lrs = np.asarray(jax.vmap(lambda s: s(t))(schedules))
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    for i, c in enumerate(configs):
        label = f"{c['family']} {c['peak']:g} w{c['warmup']}"
        style = {"cosine": "-", "wsd": "--", "constant": ":"}[c["family"]]
        left.plot(lrs[i], style, label=label, linewidth=1.2)
        right.plot(history[i], style, linewidth=1.0)
    left.set(title="learning rate", xlabel="step", yscale="log")
    right.set(title="training loss", xlabel="step", yscale="log")
    left.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")

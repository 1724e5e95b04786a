"""Float64 re-derivations of the peers' own schedule algorithms, one step at a time.

Each function follows the peer's documented semantics (shared/reference/
optax.md and peers.md) literally: the same branches, the same clamping, the
same off-by-ones, with one exception noted where it applies: cycle indexes are
computed by walking the cycles, where the peers' float logarithms misround at
some restarts. Where tests/reference.py already re-derives a peer (torch's
one-cycle and cyclic schedules, the cycle walk), it is called. Nothing here
uses lrjax.
"""

import bisect
import math

import numpy as np

from . import reference as ref


def power(a, b):
    """``a ** b``, inf where it overflows (as float arithmetic does)."""
    try:
        return a**b
    except OverflowError:
        return math.inf


def cycle_index(t, period, mult):
    """(i, position in cycle i, length of cycle i), from the restart reference's exact cycle walk."""
    i, start, length = ref.restart_cycle(t, period, mult)
    return i, t - start, float(length)


# optax ------------------------------------------------------------------------------------------------


def optax_polynomial(t, init_value, end_value, power, transition_steps, transition_begin=0):
    if transition_steps <= 0:
        return init_value
    begin = max(transition_begin, 0)
    c = min(max(t - begin, 0), transition_steps)
    return (init_value - end_value) * (1 - c / transition_steps) ** power + end_value


def optax_linear(t, init_value, end_value, transition_steps, transition_begin=0):
    return optax_polynomial(t, init_value, end_value, 1.0, transition_steps, transition_begin)


def optax_piecewise_constant(t, init_value, boundaries_and_scales=None):
    v = init_value
    for b, s in sorted((boundaries_and_scales or {}).items()):
        if t >= b:
            v *= s
    return v


def optax_exponential(t, init_value, transition_steps, decay_rate, transition_begin=0, staircase=False, end_value=None):
    if transition_steps <= 0 or decay_rate == 0:
        return init_value
    begin = max(transition_begin, 0)
    p = (t - begin) / transition_steps
    if staircase:
        p = math.floor(p)
    v = init_value if t - begin <= 0 else init_value * power(decay_rate, p)
    if end_value is not None:
        v = max(v, end_value) if decay_rate < 1 else min(v, end_value)
    return v


def optax_cosine(t, init_value, decay_steps, alpha=0.0, exponent=1.0):
    c = min(t, decay_steps)
    return init_value * ((1 - alpha) * (0.5 * (1 + math.cos(math.pi * c / decay_steps))) ** exponent + alpha)


def optax_piecewise_interpolate(t, interpolate_type, init_value, boundaries_and_scales=None):
    items = sorted((boundaries_and_scales or {}).items())
    bounds = [0] + [b for b, _ in items]
    values = [init_value]
    for _, s in items:
        values.append(values[-1] * s)
    if t >= bounds[-1]:
        return values[-1]
    for i in range(len(bounds) - 1):
        if bounds[i] <= t < bounds[i + 1]:
            pct = (t - bounds[i]) / max(bounds[i + 1] - bounds[i], 1)
            a, b = values[i], values[i + 1]
            if interpolate_type == "linear":
                return a + (b - a) * pct
            return b + (a - b) / 2 * (math.cos(math.pi * pct) + 1)
    return 0.0


def optax_linear_onecycle(t, transition_steps, peak_value, pct_start=0.3, pct_final=0.85, div_factor=25.0, final_div_factor=1e4):
    knots = {int(pct_start * transition_steps): div_factor, int(pct_final * transition_steps): 1.0 / div_factor,
             transition_steps: 1.0 / final_div_factor}
    return optax_piecewise_interpolate(t, "linear", peak_value / div_factor, knots)


def optax_cosine_onecycle(t, transition_steps, peak_value, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    knots = {int(pct_start * transition_steps): div_factor, int(transition_steps): 1.0 / (div_factor * final_div_factor)}
    return optax_piecewise_interpolate(t, "cosine", peak_value / div_factor, knots)


def optax_warmup_constant(t, init_value, peak_value, warmup_steps):
    return optax_linear(t, init_value, peak_value, warmup_steps)


def optax_warmup_cosine(t, init_value, peak_value, warmup_steps, decay_steps, end_value=0.0, exponent=1.0):
    if t < warmup_steps:
        return optax_linear(t, init_value, peak_value, warmup_steps)
    alpha = 0.0 if peak_value == 0 else end_value / peak_value
    return optax_cosine(t - warmup_steps, peak_value, decay_steps - warmup_steps, alpha, exponent)


def optax_warmup_exponential(t, init_value, peak_value, warmup_steps, transition_steps, decay_rate, transition_begin=0,
                             staircase=False, end_value=None):
    if t < warmup_steps:
        return optax_linear(t, init_value, peak_value, warmup_steps)
    return optax_exponential(t - warmup_steps, peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value)


def optax_join(t, schedules, boundaries):
    """optax's join_schedules: for each boundary in turn, where(t < b, the value so far, the next schedule at t - b)."""
    value = schedules[0](t)
    for b, schedule in zip(boundaries, schedules[1:]):
        value = value if t < b else schedule(t - b)
    return value


def optax_sgdr(t, cosine_kwargs):
    start = 0
    for i, kwargs in enumerate(cosine_kwargs):
        if t < start + kwargs["decay_steps"] or i == len(cosine_kwargs) - 1:
            return optax_warmup_cosine(t - start, **kwargs)
        start += kwargs["decay_steps"]


# torch (closed forms; the step() path for warm restarts) ------------------------------------------------


def torch_step(t, base_lr, step_size, gamma=0.1):
    return base_lr * gamma ** (t // step_size)


def torch_multistep(t, base_lr, milestones, gamma=0.1):
    return base_lr * gamma ** bisect.bisect_right(sorted(milestones), t)


def torch_constant(t, base_lr, factor=1 / 3, total_iters=5):
    return base_lr * (factor if t < total_iters else 1.0)


def torch_linear(t, base_lr, start_factor=1 / 3, end_factor=1.0, total_iters=5):
    return base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)


def torch_exponential(t, base_lr, gamma):
    return base_lr * power(gamma, t)


def torch_polynomial(t, base_lr, total_iters=5, power=1.0):
    return base_lr * (1 - min(t, total_iters) / total_iters) ** power


def torch_cosine_annealing(t, base_lr, T_max, eta_min=0.0):  # noqa: N803
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def torch_warm_restarts(t, base_lr, T_0, T_mult=1, eta_min=0.0):  # noqa: N803
    """torch's step(): T_cur += 1, wrap and grow in integers; taken a whole cycle at a time (the same counts)."""
    t_cur, t_i, left = 0, int(T_0), int(t)
    if T_mult == 1:
        t_cur = left % t_i  # every wrap subtracts T_0 and T_i stays T_0
    else:
        while left >= t_i - t_cur:  # the steps up to the next wrap: it happens
            left -= t_i - t_cur
            t_cur, t_i = 0, t_i * int(T_mult)
        t_cur += left
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2


def torch_cyclic(t, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular", gamma=1.0, scale_fn=None,
                 scale_mode="cycle"):
    """torch's CyclicLR: the built-in modes are the torch re-derivation in reference.py; a scale_fn replaces the amplitude."""
    if scale_fn is None:
        return float(ref.cyclic(np.float64(t), base_lr, max_lr, step_size_up, step_size_down, mode, gamma))
    up = float(step_size_up)
    total = up + (float(step_size_down) if step_size_down is not None else up)
    cycle = math.floor(1 + t / total)
    triangle = ref.cyclic(np.float64(t), 0.0, 1.0, step_size_up, step_size_down)
    return base_lr + (max_lr - base_lr) * float(triangle) * scale_fn(cycle if scale_mode == "cycle" else t)


def torch_cyclic_momentum(t, base_momentum=0.8, max_momentum=0.9, **kwargs):
    return torch_cyclic(t, max_momentum, base_momentum, **kwargs)


def torch_one_cycle(t, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3, anneal_strategy="cos",
                    div_factor=25.0, final_div_factor=1e4, three_phase=False):
    """torch's OneCycleLR phases (reference.py), held after the last step where torch raises."""
    n = total_steps if total_steps is not None else epochs * steps_per_epoch
    shape = "cosine" if anneal_strategy == "cos" else "linear"
    return float(ref.one_cycle([t], max_lr, n, pct_start, div_factor, final_div_factor, shape, three_phase)[0])


def torch_one_cycle_momentum(t, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3, anneal_strategy="cos",
                             base_momentum=0.85, max_momentum=0.95, three_phase=False):
    n = total_steps if total_steps is not None else epochs * steps_per_epoch
    shape = "cosine" if anneal_strategy == "cos" else "linear"
    return float(ref.one_cycle_momentum([t], n, base_momentum, max_momentum, pct_start, shape, three_phase)[0])


# timm (step_update(t), t_in_epochs=False) ----------------------------------------------------------------


def _timm(t, base_lr, warmup_t, warmup_lr_init, warmup_prefix, curve, warmup_target=None):
    if t < warmup_t:
        target = base_lr if warmup_target is None else warmup_target
        return warmup_lr_init + t * (target - warmup_lr_init) / warmup_t
    if warmup_prefix:
        t = t - warmup_t
    return curve(t)


def _timm_cycles(t, base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, shape):
    i, t_curr, t_i = cycle_index(t, t_initial, cycle_mul)
    if i >= cycle_limit:
        return lr_min
    return lr_min + (base_lr * cycle_decay**i - lr_min) * shape(t_curr, t_i)


def timm_cosine(t, base_lr, t_initial, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=1, warmup_t=0,
                warmup_lr_init=0.0, warmup_prefix=False, k_decay=1.0):
    def shape(tc, ti):
        return 0.5 * (1 + math.cos(math.pi * tc**k_decay / ti**k_decay))

    return _timm(t, base_lr, warmup_t, warmup_lr_init, warmup_prefix,
                 lambda u: _timm_cycles(u, base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, shape))


def timm_poly(t, base_lr, t_initial, power=0.5, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=1, warmup_t=0,
              warmup_lr_init=0.0, warmup_prefix=False, k_decay=1.0):
    def shape(tc, ti):
        return (1 - tc**k_decay / ti**k_decay) ** power

    return _timm(t, base_lr, warmup_t, warmup_lr_init, warmup_prefix,
                 lambda u: _timm_cycles(u, base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, shape))


def timm_tanh(t, base_lr, t_initial, lb=-7.0, ub=3.0, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=1, warmup_t=0,
              warmup_lr_init=0.0, warmup_prefix=False):
    def shape(tc, ti):
        r = tc / ti
        return 0.5 * (1 - math.tanh(lb * (1 - r) + ub * r))

    def curve(u):
        return _timm_cycles(u, base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, shape)

    return _timm(t, base_lr, warmup_t, warmup_lr_init, warmup_prefix, curve, None if warmup_prefix else curve(warmup_t))


def timm_step(t, base_lr, decay_t, decay_rate=1.0, warmup_t=0, warmup_lr_init=0.0, warmup_prefix=True):
    return _timm(t, base_lr, warmup_t, warmup_lr_init, warmup_prefix, lambda u: base_lr * decay_rate ** (u // decay_t))


def timm_multistep(t, base_lr, decay_t, decay_rate=1.0, warmup_t=0, warmup_lr_init=0.0, warmup_prefix=True):
    return _timm(t, base_lr, warmup_t, warmup_lr_init, warmup_prefix,
                 lambda u: base_lr * decay_rate ** bisect.bisect_right(decay_t, u + 1))


# Hugging Face transformers (base_lr * lr_lambda(t)) -----------------------------------------------------


def _hf_warm(t, w):
    return t / max(1, w)


def hf_constant(t, base_lr):
    return base_lr


def hf_constant_warmup(t, base_lr, num_warmup_steps):
    return base_lr * (_hf_warm(t, num_warmup_steps) if t < num_warmup_steps else 1.0)


def hf_linear(t, base_lr, num_warmup_steps, num_training_steps):
    if t < num_warmup_steps:
        return base_lr * _hf_warm(t, num_warmup_steps)
    return base_lr * max(0.0, (num_training_steps - t) / max(1, num_training_steps - num_warmup_steps))


def hf_cosine(t, base_lr, num_warmup_steps, num_training_steps, num_cycles=0.5):
    if t < num_warmup_steps:
        return base_lr * _hf_warm(t, num_warmup_steps)
    p = (t - num_warmup_steps) / max(1, num_training_steps - num_warmup_steps)
    return base_lr * max(0.0, 0.5 * (1 + math.cos(math.pi * num_cycles * 2.0 * p)))


def hf_hard_restarts(t, base_lr, num_warmup_steps, num_training_steps, num_cycles=1):
    if t < num_warmup_steps:
        return base_lr * _hf_warm(t, num_warmup_steps)
    p = (t - num_warmup_steps) / max(1, num_training_steps - num_warmup_steps)
    if p >= 1.0:
        return 0.0
    return base_lr * max(0.0, 0.5 * (1 + math.cos(math.pi * ((num_cycles * p) % 1.0))))


def hf_polynomial(t, base_lr, num_warmup_steps, num_training_steps, lr_end=1e-7, power=1.0):
    if t < num_warmup_steps:
        return base_lr * _hf_warm(t, num_warmup_steps)
    if t > num_training_steps:
        return lr_end
    remaining = 1 - (t - num_warmup_steps) / (num_training_steps - num_warmup_steps)
    return (base_lr - lr_end) * remaining**power + lr_end


def hf_inverse_sqrt(t, base_lr, num_warmup_steps, timescale=None):
    if timescale is None:
        timescale = num_warmup_steps or 10_000
    if t < num_warmup_steps:
        return base_lr * _hf_warm(t, num_warmup_steps)
    return base_lr / math.sqrt((t + timescale - num_warmup_steps) / timescale)


def hf_cosine_min_lr(t, base_lr, num_warmup_steps, num_training_steps, num_cycles=0.5, min_lr=None, min_lr_rate=None):
    rate = min_lr / base_lr if min_lr is not None else min_lr_rate
    if t < num_warmup_steps:
        return base_lr * _hf_warm(t, num_warmup_steps)
    p = (t - num_warmup_steps) / max(1, num_training_steps - num_warmup_steps)
    factor = 0.5 * (1 + math.cos(math.pi * num_cycles * 2.0 * p))
    return base_lr * max(0.0, factor * (1 - rate) + rate)


def hf_wsd(t, base_lr, num_warmup_steps, num_decay_steps, num_training_steps=None, num_stable_steps=None,
           warmup_type="linear", decay_type="cosine", min_lr_ratio=0.0, num_cycles=0.5):
    w, d = num_warmup_steps, num_decay_steps
    s = num_stable_steps if num_stable_steps is not None else num_training_steps - w - d
    m = min_lr_ratio
    if t < w:
        q = t / max(1, w)
        f = {"linear": q, "cosine": 0.5 * (1 - math.cos(math.pi * q)), "1-sqrt": 1 - math.sqrt(1 - q)}[warmup_type]
        return base_lr * max(0.0, f * (1 - m) + m)
    if t < w + s:
        return base_lr
    if t < w + s + d:
        q = (t - w - s) / max(1, d)
        f = {"linear": 1 - q, "cosine": 0.5 * (1 + math.cos(math.pi * num_cycles * 2.0 * q)), "1-sqrt": 1 - math.sqrt(q)}[decay_type]
        return base_lr * max(0.0, f * (1 - m) + m)
    return base_lr * m


# Keras 3 and TF1 ------------------------------------------------------------------------------------------


def keras_exponential(t, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    p = t / decay_steps
    return initial_learning_rate * power(decay_rate, math.floor(p) if staircase else p)


def keras_piecewise(t, boundaries, values):
    for b, v in zip(boundaries, values):
        if t <= b:
            return v
    return values[-1]


def keras_polynomial(t, initial_learning_rate, decay_steps, end_learning_rate=1e-4, power=1.0, cycle=False):
    if cycle:
        horizon = decay_steps * (1.0 if t == 0 else math.ceil(t / decay_steps))
    else:
        horizon, t = decay_steps, min(t, decay_steps)
    return (initial_learning_rate - end_learning_rate) * (1 - t / horizon) ** power + end_learning_rate


def keras_inverse_time(t, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    p = t / decay_steps
    return initial_learning_rate / (1 + decay_rate * (math.floor(p) if staircase else p))


def keras_cosine(t, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    def decay(lr, s):
        return lr * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha)

    if warmup_target is None:
        return decay(initial_learning_rate, min(t, decay_steps))
    s = min(t, decay_steps + warmup_steps)
    if s < warmup_steps:
        return initial_learning_rate + (warmup_target - initial_learning_rate) * s / warmup_steps
    return decay(warmup_target, s - warmup_steps)


def keras_cosine_restarts(t, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
    i, position, length = cycle_index(t, first_decay_steps, t_mul)
    f = position / length
    return initial_learning_rate * ((1 - alpha) * m_mul**i * 0.5 * (1 + math.cos(math.pi * f)) + alpha)


def tf_natural_exp(t, learning_rate, decay_steps, decay_rate, staircase=False):
    p = t / decay_steps
    return learning_rate * math.exp(-decay_rate * (math.floor(p) if staircase else p))


def tf_linear_cosine(t, learning_rate, decay_steps, num_periods=0.5, alpha=0.0, beta=0.001):
    s = min(t, decay_steps)
    linear = (decay_steps - s) / decay_steps
    cosine = 0.5 * (1 + math.cos(math.pi * 2 * num_periods * s / decay_steps))
    return learning_rate * ((alpha + linear) * cosine + beta)


# torch: the schedulers of issue 14, stepped as torch steps them ----------------------------------------


def torch_multiplicative(t, base_lr, lr_lambda):
    """MultiplicativeLR: the constructor leaves the lr; step j multiplies it by lr_lambda(j)."""
    lr = base_lr
    for j in range(1, int(t) + 1):
        lr *= lr_lambda(j)
    return lr


def torch_multiplicative_at(steps, base_lr, lr_lambda):
    """`torch_multiplicative` at many steps in one pass of torch's steps (step j multiplies by lr_lambda(j))."""
    wanted = sorted({int(t) for t in steps})
    lr, j, at = base_lr, 0, {}
    for t in wanted:
        while j < t:
            j += 1
            lr *= lr_lambda(j)
        at[t] = lr
    return np.array([at[int(t)] for t in steps])


def torch_swalr(t, base_lr, swa_lr, anneal_epochs=10, anneal_strategy="cos"):
    """SWALR's get_lr, one step at a time: recover the lr it started from, then mix it with swa_lr."""
    def anneal(x):
        return (1 - math.cos(math.pi * x)) / 2 if anneal_strategy == "cos" else x

    lr = base_lr
    for step in range(int(t) + 1):  # step 0 is the constructor's
        s = max(1, step) if anneal_epochs == 0 else step
        prev_alpha = anneal(max(0, min(1, (s - 1) / max(1, anneal_epochs))))
        start = swa_lr if prev_alpha == 1 else (lr - prev_alpha * swa_lr) / (1 - prev_alpha)
        alpha = anneal(max(0, min(1, s / max(1, anneal_epochs))))
        lr = swa_lr * alpha + start * (1 - alpha)
        if prev_alpha == 1:  # start is swa_lr and alpha 1: every later step gives swa_lr again
            break
    return lr


def torch_plateau(metrics, lr, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0,
                  eps=1e-8, best=None, bad=0, cooldown_counter=0):
    """ReduceLROnPlateau.step(metric) for each metric, from a saved (lr, best, bad, cooldown_counter); the lr after each."""
    if best is None:
        best = math.inf if mode == "min" else -math.inf
    lrs = []
    for m in metrics:
        if mode == "min":
            better = m < best * (1 - threshold) if threshold_mode == "rel" else m < best - threshold
        else:
            better = m > best * (threshold + 1) if threshold_mode == "rel" else m > best + threshold
        if better:
            best, bad = m, 0
        else:
            bad += 1
        if cooldown_counter > 0:
            cooldown_counter -= 1
            bad = 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            if lr - new > eps:
                lr = new
            cooldown_counter, bad = cooldown, 0
        lrs.append(lr)
    return lrs


def hf_cosine_min_lr_rate(t, base_lr, num_warmup_steps, num_training_steps, num_cycles=0.5, min_lr=None, min_lr_rate=None,
                          warmup_lr_rate=None):
    rate = min_lr / base_lr if min_lr is not None else min_lr_rate
    if t < num_warmup_steps:
        if warmup_lr_rate is None:
            return base_lr * (t + 1) / max(1, num_warmup_steps)
        return base_lr * (warmup_lr_rate + (1 - warmup_lr_rate) * t / max(1, num_warmup_steps - 1))
    p = (t - num_warmup_steps + 1) / max(1, num_training_steps - num_warmup_steps)
    factor = 0.5 * (1 + math.cos(math.pi * num_cycles * 2.0 * p))
    return base_lr * max(0.0, factor * (1 - rate) + rate)


def timm_wsd(t, base_lr, t_initial, decay_t, lr_min=0.0, stable_fn="constant", stable_timescale=None, stable_power=0.5, decay_fn="1-sqrt",
             decay_power=0.5, decay_ratio=0.1, warmup_t=0, warmup_lr_init=0.0):
    if t < warmup_t:
        return warmup_lr_init + t * (base_lr - warmup_lr_init) / warmup_t
    t_s = t - warmup_t
    if stable_fn == "constant":
        stable = 1.0
    else:
        timescale = warmup_t if stable_timescale is None else stable_timescale
        stable = (1 + t_s / timescale) ** -(0.5 if stable_fn == "rsqrt" else stable_power)
    lr = max(base_lr * stable, lr_min)
    t_decay = t_s - (t_initial - decay_t)
    if t_decay <= 0:
        return lr
    f = min(t_decay / decay_t, 1.0)
    if callable(decay_fn):
        d = decay_fn(f)
    else:
        d = {"linear": 1 - f, "1-sqrt": 1 - math.sqrt(f), "cosine": 0.5 * (1 + math.cos(math.pi * f)), "power": 1 - f**decay_power,
             "exp": (decay_ratio**f - decay_ratio) / (1 - decay_ratio)}[decay_fn]
    return lr_min + (lr - lr_min) * d

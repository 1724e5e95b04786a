"""Float64 NumPy re-derivations of every primitive, written from the formulas
in the lrjax design (and, for one-cycle and cyclic, from torch's phase logic),
independently of lrjax's implementation: plain loops, no shared helpers.

Each takes an array of steps ``t`` (already clamped at 0) and the constructor's
keyword arguments, and returns float64 values.
"""

import math

import numpy as np


def _frac(t, steps):
    return np.ones_like(t) if steps == 0 else np.minimum(t, steps) / steps


def constant(t, value):
    return np.full(t.shape, float(value))


def linear(t, init, end, steps):
    return init + (end - init) * _frac(t, steps)


def polynomial(t, init, end, steps, power=1.0):
    return (init - end) * (1 - _frac(t, steps)) ** power + end


def cosine(t, init, steps, end=0.0, power=1.0):
    return end + (init - end) * (0.5 * (1 + np.cos(np.pi * _frac(t, steps)))) ** power


def tanh(t, init, steps, end=0.0, lower=-7.0, upper=3.0):
    return end + 0.5 * (init - end) * (1 - np.tanh(lower + (upper - lower) * _frac(t, steps)))


def exponential(t, init, rate, steps, staircase=False, end=None):
    p = np.floor(t / steps) if staircase else t / steps
    with np.errstate(over="ignore", under="ignore"):
        v = init * rate**p
    if end is not None:
        v = np.maximum(v, end) if rate < 1 else np.minimum(v, end)
    return v


def inverse_time(t, init, rate, steps, staircase=False):
    p = np.floor(t / steps) if staircase else t / steps
    return init / (1 + rate * p)


def inverse_sqrt(t, init, steps):
    return init * np.sqrt(steps / (t + steps))


def step_decay(t, init, factor, steps):
    with np.errstate(under="ignore"):
        return init * factor ** np.floor(t / steps)


def multistep(t, init, boundaries, factor):
    out = []
    for step in t:
        passed = sum(1 for m in boundaries if m <= step)
        out.append(init * factor**passed)
    return np.array(out)


def piecewise_constant(t, boundaries, values):
    out = []
    for step in t:
        i = 0
        while i < len(boundaries) and boundaries[i] <= step:
            i += 1
        out.append(values[i])
    return np.array(out, dtype=np.float64)


def piecewise_linear(t, boundaries, values, shape="linear"):
    out = []
    for step in t:
        if step < boundaries[0]:
            out.append(values[0])
            continue
        if step >= boundaries[-1]:
            out.append(values[-1])
            continue
        i = max(k for k in range(len(boundaries)) if boundaries[k] <= step)
        f = (step - boundaries[i]) / (boundaries[i + 1] - boundaries[i])
        w = f if shape == "linear" else 0.5 * (1 - math.cos(math.pi * f))
        out.append(values[i] + (values[i + 1] - values[i]) * w)
    return np.array(out)


def _torch_phases(t, phases, shape):
    """torch OneCycleLR.get_lr: phases are (end_step, start, end); holds the end after the last."""
    out = []
    last_end = phases[-1][0]
    for step in t:
        step = min(step, last_end)
        start_step = 0.0
        for i, (end_step, a, b) in enumerate(phases):
            if step <= end_step or i == len(phases) - 1:
                pct = (step - start_step) / (end_step - start_step)
                if shape == "cosine":
                    out.append(b + (a - b) / 2.0 * (math.cos(math.pi * pct) + 1))
                else:
                    out.append((b - a) * pct + a)
                break
            start_step = end_step
    return np.array(out)


def one_cycle(t, peak, steps, pct_start=0.3, div=25.0, final_div=1e4, shape="cosine", three_phase=False):
    initial = peak / div
    low = initial / final_div
    if three_phase:
        phases = [
            (pct_start * steps - 1, initial, peak),
            (2 * pct_start * steps - 2, peak, initial),
            (steps - 1, initial, low),
        ]
    else:
        phases = [(pct_start * steps - 1, initial, peak), (steps - 1, peak, low)]
    return _torch_phases(t, phases, shape)


def one_cycle_momentum(t, steps, low=0.85, high=0.95, pct_start=0.3, shape="cosine", three_phase=False):
    if three_phase:
        phases = [
            (pct_start * steps - 1, high, low),
            (2 * pct_start * steps - 2, low, high),
            (steps - 1, high, high),
        ]
    else:
        phases = [(pct_start * steps - 1, high, low), (steps - 1, low, high)]
    return _torch_phases(t, phases, shape)


def cyclic(t, low, high, up_steps, down_steps=None, mode="triangular", factor=1.0):
    """torch CyclicLR.get_lr, in float64 (exact for integer steps below 2**52)."""
    down_steps = up_steps if down_steps is None else down_steps
    total = up_steps + down_steps
    ratio = up_steps / total
    cycle = np.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    scale = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    if mode == "triangular2":
        with np.errstate(under="ignore"):
            amp = 0.5 ** (cycle - 1)
    elif mode == "exp_range":
        with np.errstate(under="ignore"):
            amp = factor**t
    else:
        amp = 1.0
    return low + (high - low) * scale * amp


def wsd(t, peak, warmup_steps, stable_steps, decay_steps, init=0.0, end=0.0, shape="linear"):
    out = []
    for step in t:
        if step < warmup_steps:
            out.append(init + (peak - init) * step / warmup_steps)
        elif step < warmup_steps + stable_steps:
            out.append(peak)
        elif step < warmup_steps + stable_steps + decay_steps:
            f = (step - warmup_steps - stable_steps) / decay_steps
            if shape == "linear":
                out.append(peak + (end - peak) * f)
            elif shape == "cosine":
                out.append(end + (peak - end) * 0.5 * (1 + math.cos(math.pi * f)))
            elif shape == "sqrt":
                out.append(end + (peak - end) * (1 - math.sqrt(f)))
            else:
                out.append(peak * (end / peak) ** f)
        else:
            out.append(end)
    return np.array(out)


# Combinators: each takes its children as float64 reference callables of a step array.


def _one(ref, step):
    return float(ref(np.array([float(step)]))[0])


def _weight(shape, f):
    return {"linear": f, "cosine": 0.5 * (1 - math.cos(math.pi * f)), "sqrt": math.sqrt(f)}[shape]


def _move(a, b, f, shape):
    if shape == "exponential":
        return a ** (1 - f) * b**f
    w = _weight(shape, f)
    return a * (1 - w) + b * w


def join(t, refs, boundaries):
    out = []
    for step in t:
        i = sum(1 for b in boundaries if b <= step)
        start = 0.0 if i == 0 else boundaries[i - 1]
        out.append(_one(refs[i], step - start))
    return np.array(out)


def warmup(t, ref, steps, init=0.0, shape="linear", prefix=True):
    target = _one(ref, 0.0 if prefix else steps)
    out = []
    for step in t:
        if step < steps:
            out.append(_move(init, target, step / steps, shape))
        else:
            out.append(_one(ref, step - steps if prefix else step))
    return np.array(out)


def cooldown(t, ref, steps, total_steps, end=0.0, shape="linear"):
    start = total_steps - steps
    out = []
    for step in t:
        f = 0.0 if step < start else 1.0 if step >= total_steps else (step - start) / steps
        out.append(_move(_one(ref, step), end, f, shape))
    return np.array(out)


def cycle(t, ref, period, factor=1.0, limit=None):
    out = []
    for step in t:
        i = math.floor(step / period)
        if limit is not None and i >= limit:
            out.append(_one(ref, period) * factor ** (limit - 1))
        else:
            out.append(_one(ref, step - i * period) * factor**i)
    return np.array(out)


def restart_cycle(step, period, mult):
    """(i, start, length) of the restart cycle holding ``step``: integer division for equal cycles, else walked one by one."""
    if mult == 1:
        i = math.floor(step / period)
        return i, i * period, period
    i, start, length = 0, 0.0, float(period)
    while start + length <= step:
        start += length
        length *= mult
        i += 1
    return i, start, length


def restart(t, ref, period, mult=1.0, factor=1.0, limit=None):
    """Walks the cycles one by one (lengths added up in float64)."""
    out = []
    for step in t:
        i, start, length = restart_cycle(step, period, mult)
        if limit is not None and i >= limit:
            out.append(_one(ref, period) * factor ** (limit - 1))
        else:
            out.append(_one(ref, (step - start) / length * period) * factor**i)
    return np.array(out)

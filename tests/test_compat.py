"""lrjax.compat: every peer schedule against a float64 re-derivation of the peer's semantics
(tests/peers.py), under vmap over each numeric argument, against optax itself, and
against Keras 3 (JAX backend) and torch when they are installed."""

import dataclasses
import math
import os
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax as real_optax
import pytest

import lrjax
from lrjax.compat import keras, optax, timm, torch, transformers

from . import peers
from .helpers import INT_MAX, evaluate

FAR = [10**6, 2**24 + 1, INT_MAX]


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    make: Callable[..., lrjax.Schedule]
    kwargs: dict[str, Any]
    reference: Callable[..., float]
    #: Another valid value for each numeric argument: vmapped together with the first.
    alt: dict[str, Any]
    last: int = 300
    far: bool = True
    #: Tolerance relative to the curve's largest value: a few float32 roundings, more where a period is not whole.
    atol: float = 2e-7

    def steps(self):
        return np.array(sorted(set(range(self.last + 1)) | (set(FAR) if self.far else set())), dtype=np.int64)

    def expected(self, steps, **overrides):
        return np.array([self.reference(float(t), **{**self.kwargs, **overrides}) for t in steps])

    def __repr__(self):
        return self.id


def _lambda(epoch):
    return 0.9 ** jnp.floor(epoch / 7)


CASES = [
    # optax
    Case("optax.constant", optax.constant_schedule, dict(value=0.3), lambda t, value: value, dict(value=-1.0)),
    Case("optax.polynomial", optax.polynomial_schedule, dict(init_value=1.0, end_value=0.01, power=2.5, transition_steps=150, transition_begin=20),
         peers.optax_polynomial, dict(init_value=0.5, end_value=0.1, power=1.0, transition_steps=37, transition_begin=3)),
    Case("optax.polynomial_fallbacks", optax.polynomial_schedule, dict(init_value=1.0, end_value=0.01, power=2.0, transition_steps=0, transition_begin=-5),
         peers.optax_polynomial, dict(init_value=2.0)),
    Case("optax.linear", optax.linear_schedule, dict(init_value=0.0, end_value=1.0, transition_steps=100, transition_begin=10),
         peers.optax_linear, dict(init_value=0.5, end_value=0.1, transition_steps=37, transition_begin=0)),
    Case("optax.piecewise_constant", optax.piecewise_constant_schedule, dict(init_value=1.0, boundaries_and_scales={20: 0.5, 100: 0.1, 101: 2.0}),
         peers.optax_piecewise_constant, dict(init_value=3.0)),
    Case("optax.exponential", optax.exponential_decay, dict(init_value=1.0, transition_steps=10, decay_rate=0.8, transition_begin=5),
         peers.optax_exponential, dict(init_value=2.0, transition_steps=3, decay_rate=0.5, transition_begin=0)),
    Case("optax.exponential_end_staircase", optax.exponential_decay,
         dict(init_value=1.0, transition_steps=10, decay_rate=0.8, staircase=True, end_value=0.3),
         peers.optax_exponential, dict(init_value=2.0, transition_steps=3, decay_rate=0.5, end_value=0.1)),
    Case("optax.exponential_growth_end", optax.exponential_decay, dict(init_value=0.01, transition_steps=10, decay_rate=2.0, end_value=1.0),
         peers.optax_exponential, dict(init_value=0.1, transition_steps=4, decay_rate=1.5, end_value=2.0)),
    Case("optax.exponential_end_on_the_wrong_side", optax.exponential_decay, dict(init_value=0.05, transition_steps=10, decay_rate=0.5, end_value=0.1),
         peers.optax_exponential, dict(init_value=0.01, end_value=0.5)),
    Case("optax.exponential_rate_0", optax.exponential_decay, dict(init_value=0.7, transition_steps=10, decay_rate=0.0),
         peers.optax_exponential, dict(init_value=0.1)),
    Case("optax.cosine", optax.cosine_decay_schedule, dict(init_value=1.0, decay_steps=100, alpha=0.1, exponent=2.0),
         peers.optax_cosine, dict(init_value=0.5, decay_steps=33, alpha=0.0, exponent=1.0)),
    Case("optax.piecewise_interpolate_linear", lambda **kw: optax.piecewise_interpolate_schedule("linear", **kw),
         dict(init_value=1.0, boundaries_and_scales={0: 2.0, 30: 0.5, 100: 0.1}),
         lambda t, **kw: peers.optax_piecewise_interpolate(t, "linear", **kw), dict(init_value=0.3)),
    Case("optax.piecewise_interpolate_cosine", lambda **kw: optax.piecewise_interpolate_schedule("cosine", **kw),
         dict(init_value=1.0, boundaries_and_scales={30: 0.5, 31: 3.0, 100: 0.1}),
         lambda t, **kw: peers.optax_piecewise_interpolate(t, "cosine", **kw), dict(init_value=0.3)),
    Case("optax.linear_onecycle", optax.linear_onecycle_schedule,
         dict(transition_steps=100, peak_value=1.0, pct_start=0.3, pct_final=0.85, div_factor=20.0, final_div_factor=100.0),
         peers.optax_linear_onecycle, dict(transition_steps=57, peak_value=0.3, pct_start=0.2, pct_final=0.7, div_factor=10.0, final_div_factor=1e4)),
    Case("optax.cosine_onecycle", optax.cosine_onecycle_schedule, dict(transition_steps=150, peak_value=1.0, pct_start=0.2, div_factor=25.0, final_div_factor=1e4),
         peers.optax_cosine_onecycle, dict(transition_steps=77, peak_value=0.3, pct_start=0.45, div_factor=10.0, final_div_factor=100.0)),
    Case("optax.warmup_constant", optax.warmup_constant_schedule, dict(init_value=0.1, peak_value=1.0, warmup_steps=50),
         peers.optax_warmup_constant, dict(init_value=0.0, peak_value=0.5, warmup_steps=7)),
    Case("optax.warmup_cosine", optax.warmup_cosine_decay_schedule,
         dict(init_value=0.01, peak_value=1.0, warmup_steps=20, decay_steps=200, end_value=0.05, exponent=1.5),
         peers.optax_warmup_cosine, dict(init_value=0.0, peak_value=0.3, warmup_steps=3, decay_steps=90, end_value=0.0, exponent=1.0)),
    Case("optax.warmup_cosine_zero_peak", optax.warmup_cosine_decay_schedule,
         dict(init_value=0.5, peak_value=0.0, warmup_steps=20, decay_steps=200, end_value=0.05),
         peers.optax_warmup_cosine, dict(init_value=0.1)),
    Case("optax.warmup_exponential", optax.warmup_exponential_decay_schedule,
         dict(init_value=0.0, peak_value=1.0, warmup_steps=10, transition_steps=20, decay_rate=0.5, transition_begin=5, end_value=0.05),
         peers.optax_warmup_exponential, dict(init_value=0.1, peak_value=2.0, warmup_steps=4, transition_steps=7, decay_rate=0.9, transition_begin=0,
                                              end_value=0.5)),
    # torch
    Case("torch.LambdaLR", lambda **kw: torch.LambdaLR(lr_lambda=_lambda, **kw), dict(base_lr=0.1),
         lambda t, base_lr: base_lr * 0.9 ** (t // 7), dict(base_lr=2.0)),
    Case("torch.StepLR", torch.StepLR, dict(base_lr=0.1, step_size=30, gamma=0.5), peers.torch_step, dict(base_lr=1.0, step_size=7, gamma=0.9)),
    Case("torch.MultiStepLR", torch.MultiStepLR, dict(base_lr=0.1, milestones=[80, 30, 80, 200], gamma=0.5), peers.torch_multistep,
         dict(base_lr=1.0, milestones=[1, 2, 3, 4], gamma=0.9)),
    Case("torch.ConstantLR", torch.ConstantLR, dict(base_lr=0.1, factor=0.25, total_iters=20), peers.torch_constant,
         dict(base_lr=1.0, factor=0.5, total_iters=3)),
    Case("torch.LinearLR", torch.LinearLR, dict(base_lr=0.1, start_factor=0.1, end_factor=0.9, total_iters=50), peers.torch_linear,
         dict(base_lr=1.0, start_factor=1.0, end_factor=0.0, total_iters=7)),
    Case("torch.ExponentialLR", torch.ExponentialLR, dict(base_lr=0.1, gamma=0.97), peers.torch_exponential, dict(base_lr=1.0, gamma=0.5)),
    Case("torch.PolynomialLR", torch.PolynomialLR, dict(base_lr=0.1, total_iters=100, power=2.0), peers.torch_polynomial,
         dict(base_lr=1.0, total_iters=7, power=0.5)),
    Case("torch.CosineAnnealingLR", torch.CosineAnnealingLR, dict(base_lr=0.1, T_max=50, eta_min=0.01), peers.torch_cosine_annealing,
         dict(base_lr=1.0, T_max=7, eta_min=0.0)),
    Case("torch.CosineAnnealingWarmRestarts", torch.CosineAnnealingWarmRestarts, dict(base_lr=0.1, T_0=3, T_mult=2, eta_min=0.001),
         peers.torch_warm_restarts, dict(base_lr=1.0, T_0=5, T_mult=1, eta_min=0.0), far=False),
    Case("torch.CyclicLR", torch.CyclicLR, dict(base_lr=0.1, max_lr=1.0, step_size_up=20, step_size_down=30), peers.torch_cyclic,
         dict(base_lr=0.01, max_lr=0.1, step_size_up=7, step_size_down=3)),
    Case("torch.CyclicLR_triangular2", lambda **kw: torch.CyclicLR(mode="triangular2", **kw), dict(base_lr=0.1, max_lr=1.0, step_size_up=20),
         lambda t, **kw: peers.torch_cyclic(t, mode="triangular2", **kw), dict(base_lr=0.01, max_lr=0.1, step_size_up=7)),
    Case("torch.CyclicLR_exp_range", lambda **kw: torch.CyclicLR(mode="exp_range", **kw),
         dict(base_lr=0.1, max_lr=1.0, step_size_up=20, gamma=0.99),
         lambda t, **kw: peers.torch_cyclic(t, mode="exp_range", **kw), dict(base_lr=0.01, max_lr=0.1, step_size_up=7, gamma=0.9), far=False),
    Case("torch.CyclicLR_scale_fn", lambda **kw: torch.CyclicLR(scale_fn=lambda c: 1 / c, **kw), dict(base_lr=0.1, max_lr=1.0, step_size_up=10),
         lambda t, **kw: peers.torch_cyclic(t, scale_fn=lambda c: 1 / c, **kw), dict(base_lr=0.01, max_lr=0.1, step_size_up=7), far=False),
    Case("torch.CyclicMomentum", lambda **kw: torch.CyclicMomentum(mode="exp_range", **kw),
         dict(base_momentum=0.8, max_momentum=0.9, step_size_up=20, step_size_down=10, gamma=0.99),
         lambda t, **kw: peers.torch_cyclic_momentum(t, mode="exp_range", **kw),
         dict(base_momentum=0.85, max_momentum=0.95, step_size_up=7, step_size_down=3, gamma=0.9), far=False),
    Case("torch.OneCycleLR", torch.OneCycleLR, dict(max_lr=1.0, total_steps=100, pct_start=0.25), peers.torch_one_cycle,
         dict(max_lr=0.1, total_steps=50, pct_start=0.5)),
    Case("torch.OneCycleLR_linear_3phase", lambda **kw: torch.OneCycleLR(anneal_strategy="linear", three_phase=True, **kw),
         dict(max_lr=1.0, epochs=10, steps_per_epoch=10, div_factor=10.0, final_div_factor=100.0),
         lambda t, **kw: peers.torch_one_cycle(t, anneal_strategy="linear", three_phase=True, **kw),
         dict(max_lr=0.1, epochs=5, steps_per_epoch=7, div_factor=25.0, final_div_factor=1e4)),
    Case("torch.OneCycleMomentum", torch.OneCycleMomentum, dict(total_steps=100, base_momentum=0.85, max_momentum=0.95), peers.torch_one_cycle_momentum,
         dict(total_steps=40, base_momentum=0.8, max_momentum=0.99)),
    Case("torch.OneCycleMomentum_3phase", lambda **kw: torch.OneCycleMomentum(three_phase=True, **kw),
         dict(epochs=10, steps_per_epoch=10, pct_start=0.2),
         lambda t, **kw: peers.torch_one_cycle_momentum(t, three_phase=True, **kw), dict(epochs=4, steps_per_epoch=10, pct_start=0.4)),
    Case("torch.ChainedScheduler", lambda base_lr, **kw: torch.ChainedScheduler(
             [torch.LinearLR(base_lr, kw["start_factor"], 1.0, kw["total_iters"]), torch.ExponentialLR(base_lr, kw["gamma"])], base_lr),
         dict(base_lr=0.1, start_factor=0.2, total_iters=20, gamma=0.99),
         lambda t, base_lr, start_factor, total_iters, gamma: base_lr * (start_factor + (1 - start_factor) * min(t, total_iters) / total_iters)
         * peers.power(gamma, t), dict(base_lr=1.0, start_factor=0.5, total_iters=7, gamma=0.9)),
    # timm
    Case("timm.Cosine", timm.CosineLRScheduler,
         dict(base_lr=1.0, t_initial=40, lr_min=0.01, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=3, warmup_t=5, warmup_lr_init=0.1),
         peers.timm_cosine, dict(base_lr=0.5, t_initial=10, lr_min=0.0, cycle_mul=1.0, cycle_decay=0.9, cycle_limit=20, warmup_t=3, warmup_lr_init=0.0)),
    Case("timm.Cosine_prefix_k_decay", lambda **kw: timm.CosineLRScheduler(warmup_prefix=True, **kw),
         dict(base_lr=1.0, t_initial=40, lr_min=0.01, cycle_limit=2, warmup_t=5, warmup_lr_init=0.1, k_decay=2.0),
         lambda t, **kw: peers.timm_cosine(t, warmup_prefix=True, **kw), dict(base_lr=0.5, t_initial=10, k_decay=0.5)),
    Case("timm.Poly", timm.PolyLRScheduler, dict(base_lr=1.0, t_initial=50, power=2.0, lr_min=0.05, cycle_mul=2.0, cycle_limit=4, cycle_decay=0.7, warmup_t=10,
                                                 warmup_lr_init=0.05),
         peers.timm_poly, dict(base_lr=0.5, t_initial=17, power=0.5, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=6, warmup_t=0,
                               warmup_lr_init=0.0)),
    Case("timm.Tanh", timm.TanhLRScheduler, dict(base_lr=1.0, t_initial=50, lb=-7.0, ub=3.0, lr_min=0.05, cycle_mul=1.5, cycle_decay=0.8, cycle_limit=3,
                                                 warmup_t=10, warmup_lr_init=0.2),
         peers.timm_tanh, dict(base_lr=0.5, t_initial=20, lb=-5.0, ub=4.0, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=5,
                               warmup_t=4, warmup_lr_init=0.0)),
    Case("timm.Tanh_prefix", lambda **kw: timm.TanhLRScheduler(warmup_prefix=True, **kw), dict(base_lr=1.0, t_initial=50, warmup_t=10),
         lambda t, **kw: peers.timm_tanh(t, warmup_prefix=True, **kw), dict(base_lr=0.5, t_initial=20, warmup_t=4)),
    Case("timm.Step", timm.StepLRScheduler, dict(base_lr=1.0, decay_t=30, decay_rate=0.5, warmup_t=5, warmup_lr_init=0.01),
         peers.timm_step, dict(base_lr=0.1, decay_t=7, decay_rate=0.9, warmup_t=2, warmup_lr_init=0.0)),
    Case("timm.Step_no_prefix", lambda **kw: timm.StepLRScheduler(warmup_prefix=False, **kw), dict(base_lr=1.0, decay_t=30, decay_rate=0.5, warmup_t=5),
         lambda t, **kw: peers.timm_step(t, warmup_prefix=False, **kw), dict(base_lr=0.1, decay_t=7, warmup_t=2)),
    Case("timm.MultiStep", timm.MultiStepLRScheduler, dict(base_lr=1.0, decay_t=[30, 80, 81], decay_rate=0.5, warmup_t=5, warmup_lr_init=0.1),
         peers.timm_multistep, dict(base_lr=0.1, decay_t=[1, 10, 20], decay_rate=0.9, warmup_t=0, warmup_lr_init=0.0)),
    # transformers
    Case("hf.constant", transformers.get_constant_schedule, dict(base_lr=0.1), peers.hf_constant, dict(base_lr=1.0)),
    Case("hf.constant_warmup", transformers.get_constant_schedule_with_warmup, dict(base_lr=0.1, num_warmup_steps=20),
         peers.hf_constant_warmup, dict(base_lr=1.0, num_warmup_steps=3)),
    Case("hf.linear", transformers.get_linear_schedule_with_warmup, dict(base_lr=0.1, num_warmup_steps=20, num_training_steps=200),
         peers.hf_linear, dict(base_lr=1.0, num_warmup_steps=0, num_training_steps=50)),
    Case("hf.cosine", transformers.get_cosine_schedule_with_warmup, dict(base_lr=0.1, num_warmup_steps=20, num_training_steps=120, num_cycles=0.5),
         peers.hf_cosine, dict(base_lr=1.0, num_warmup_steps=5, num_training_steps=45, num_cycles=1.5), far=False, atol=1e-6),
    Case("hf.hard_restarts", transformers.get_cosine_with_hard_restarts_schedule_with_warmup,
         dict(base_lr=0.1, num_warmup_steps=20, num_training_steps=200, num_cycles=3),
         peers.hf_hard_restarts, dict(base_lr=1.0, num_warmup_steps=0, num_training_steps=100, num_cycles=4)),
    Case("hf.polynomial", transformers.get_polynomial_decay_schedule_with_warmup,
         dict(base_lr=0.1, num_warmup_steps=20, num_training_steps=200, lr_end=0.001, power=2.0),
         peers.hf_polynomial, dict(base_lr=1.0, num_warmup_steps=3, num_training_steps=50, lr_end=0.05, power=1.0)),
    Case("hf.inverse_sqrt", transformers.get_inverse_sqrt_schedule, dict(base_lr=0.1, num_warmup_steps=20),
         peers.hf_inverse_sqrt, dict(base_lr=1.0, num_warmup_steps=7)),
    Case("hf.inverse_sqrt_timescale", transformers.get_inverse_sqrt_schedule, dict(base_lr=0.1, num_warmup_steps=0, timescale=30),
         peers.hf_inverse_sqrt, dict(base_lr=1.0, timescale=7)),
    Case("hf.cosine_min_lr", transformers.get_cosine_with_min_lr_schedule_with_warmup,
         dict(base_lr=0.1, num_warmup_steps=20, num_training_steps=120, num_cycles=0.5, min_lr_rate=0.1),
         peers.hf_cosine_min_lr, dict(base_lr=1.0, num_warmup_steps=5, num_training_steps=45, num_cycles=1.0, min_lr_rate=0.0), far=False),
    Case("hf.cosine_min_lr_absolute", transformers.get_cosine_with_min_lr_schedule_with_warmup,
         dict(base_lr=0.1, num_warmup_steps=20, num_training_steps=120, min_lr=0.02),
         peers.hf_cosine_min_lr, dict(base_lr=1.0, min_lr=0.5), far=False),
    Case("hf.wsd", transformers.get_wsd_schedule, dict(base_lr=0.1, num_warmup_steps=20, num_decay_steps=50, num_training_steps=200, min_lr_ratio=0.1, num_cycles=0.5),
         peers.hf_wsd, dict(base_lr=1.0, num_warmup_steps=5, num_decay_steps=20, num_training_steps=100, min_lr_ratio=0.0, num_cycles=1.0)),
    Case("hf.wsd_cosine_1sqrt", lambda **kw: transformers.get_wsd_schedule(warmup_type="cosine", decay_type="1-sqrt", **kw),
         dict(base_lr=0.1, num_warmup_steps=20, num_decay_steps=50, num_stable_steps=100, min_lr_ratio=0.1),
         lambda t, **kw: peers.hf_wsd(t, warmup_type="cosine", decay_type="1-sqrt", **kw),
         dict(base_lr=1.0, num_warmup_steps=5, num_decay_steps=20, num_stable_steps=7, min_lr_ratio=0.0)),
    Case("hf.wsd_1sqrt_linear", lambda **kw: transformers.get_wsd_schedule(warmup_type="1-sqrt", decay_type="linear", **kw),
         dict(base_lr=0.1, num_warmup_steps=20, num_decay_steps=50, num_training_steps=200, min_lr_ratio=0.1),
         lambda t, **kw: peers.hf_wsd(t, warmup_type="1-sqrt", decay_type="linear", **kw), dict(base_lr=1.0, num_warmup_steps=5)),
    # Keras 3 and TF1
    Case("keras.ExponentialDecay", keras.ExponentialDecay, dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9),
         peers.keras_exponential, dict(initial_learning_rate=1.0, decay_steps=3, decay_rate=0.5)),
    Case("keras.ExponentialDecay_staircase", lambda **kw: keras.ExponentialDecay(staircase=True, **kw),
         dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9),
         lambda t, **kw: peers.keras_exponential(t, staircase=True, **kw), dict(initial_learning_rate=1.0, decay_steps=3, decay_rate=0.5)),
    Case("keras.PiecewiseConstantDecay", keras.PiecewiseConstantDecay, dict(boundaries=[5, 50, 50, 100], values=[1.0, 0.5, 9.0, 0.1, 0.01]),
         peers.keras_piecewise, dict(boundaries=[0, 1, 2, 3], values=[2.0, 1.0, 0.0, -1.0, 3.0])),
    Case("keras.PolynomialDecay", keras.PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=100, end_learning_rate=0.01, power=2.0),
         peers.keras_polynomial, dict(initial_learning_rate=1.0, decay_steps=7, end_learning_rate=0.0, power=0.5)),
    Case("keras.PolynomialDecay_cycle", lambda **kw: keras.PolynomialDecay(cycle=True, **kw),
         dict(initial_learning_rate=1.0, decay_steps=10, end_learning_rate=0.1, power=2.0),
         lambda t, **kw: peers.keras_polynomial(t, cycle=True, **kw), dict(initial_learning_rate=0.5, decay_steps=7, end_learning_rate=0.0, power=1.0),
         far=False),
    Case("keras.InverseTimeDecay", keras.InverseTimeDecay, dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5),
         peers.keras_inverse_time, dict(initial_learning_rate=1.0, decay_steps=3, decay_rate=2.0)),
    Case("keras.CosineDecay", keras.CosineDecay, dict(initial_learning_rate=0.1, decay_steps=100, alpha=0.1),
         peers.keras_cosine, dict(initial_learning_rate=1.0, decay_steps=33, alpha=0.0)),
    Case("keras.CosineDecay_warmup", keras.CosineDecay,
         dict(initial_learning_rate=0.0, decay_steps=100, alpha=0.1, warmup_target=1.0, warmup_steps=20),
         peers.keras_cosine, dict(initial_learning_rate=0.5, decay_steps=33, alpha=0.0, warmup_target=0.1, warmup_steps=5)),
    Case("keras.CosineDecayRestarts", keras.CosineDecayRestarts,
         dict(initial_learning_rate=0.1, first_decay_steps=10, t_mul=2.0, m_mul=0.5, alpha=0.1),
         peers.keras_cosine_restarts, dict(initial_learning_rate=1.0, first_decay_steps=7, t_mul=1.0, m_mul=0.9, alpha=0.0), far=False),
    Case("tf.exponential_decay", keras.exponential_decay, dict(learning_rate=0.1, decay_steps=10, decay_rate=0.9),
         lambda t, learning_rate, **kw: peers.keras_exponential(t, learning_rate, **kw), dict(learning_rate=1.0, decay_steps=3)),
    Case("tf.inverse_time_decay", keras.inverse_time_decay, dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5),
         lambda t, learning_rate, **kw: peers.keras_inverse_time(t, learning_rate, **kw), dict(learning_rate=1.0, decay_rate=2.0)),
    Case("tf.polynomial_decay_cycle", lambda **kw: keras.polynomial_decay(cycle=True, **kw),
         dict(learning_rate=0.1, decay_steps=30, end_learning_rate=0.01, power=0.5),
         lambda t, learning_rate, **kw: peers.keras_polynomial(t, learning_rate, cycle=True, **kw), dict(learning_rate=1.0, decay_steps=7), far=False),
    Case("tf.piecewise_constant", keras.piecewise_constant, dict(boundaries=[10, 20], values=[1.0, 0.5, 0.1]),
         peers.keras_piecewise, dict(values=[3.0, 2.0, 1.0])),
    Case("tf.cosine_decay", keras.cosine_decay, dict(learning_rate=0.1, decay_steps=100, alpha=0.2),
         lambda t, learning_rate, **kw: peers.keras_cosine(t, learning_rate, **kw), dict(learning_rate=1.0, alpha=0.0)),
    Case("tf.cosine_decay_restarts", keras.cosine_decay_restarts, dict(learning_rate=0.1, first_decay_steps=10, t_mul=3.0, m_mul=0.7, alpha=0.05),
         lambda t, learning_rate, **kw: peers.keras_cosine_restarts(t, learning_rate, **kw), dict(learning_rate=1.0, t_mul=2.0), far=False),
    Case("tf.natural_exp_decay", keras.natural_exp_decay, dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5),
         peers.tf_natural_exp, dict(learning_rate=1.0, decay_steps=3, decay_rate=0.1)),
    Case("tf.natural_exp_decay_staircase", lambda **kw: keras.natural_exp_decay(staircase=True, **kw), dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5),
         lambda t, **kw: peers.tf_natural_exp(t, staircase=True, **kw), dict(learning_rate=1.0, decay_steps=3, decay_rate=0.1)),
    Case("tf.linear_cosine_decay", keras.linear_cosine_decay, dict(learning_rate=0.1, decay_steps=100, num_periods=2.5, alpha=0.1, beta=0.01),
         peers.tf_linear_cosine, dict(learning_rate=1.0, decay_steps=30, num_periods=0.5, alpha=0.0, beta=0.001)),
]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_values_match_the_peer_also_with_every_numeric_argument_vmapped(case):
    """The schedule as built, at every step up to its horizon and far beyond; and the constructor vmapped
    over all numeric arguments at once (a Python branch on any of them fails), both rows against the peer.
    One compilation."""
    steps = case.steps()
    sparse = jnp.arange(0, case.last + 1, 3)
    stacked = {name: jnp.asarray([case.kwargs[name], other], jnp.float32) for name, other in case.alt.items()}

    def both(schedule, stacked):
        batched = jax.vmap(lambda values: case.make(**{**case.kwargs, **values})(sparse))(stacked)
        return schedule(jnp.asarray(steps, jnp.int32)), batched

    ours, batched = jax.jit(both)(case.make(**case.kwargs), stacked)
    expected = case.expected(steps)
    np.testing.assert_allclose(np.asarray(ours, np.float64), expected, rtol=1e-6, atol=case.atol * (np.max(np.abs(expected)) or 1.0))
    for row, overrides in zip(np.asarray(batched, np.float64), [{}, case.alt]):
        expected = case.expected(np.asarray(sparse), **overrides)
        np.testing.assert_allclose(row, expected, rtol=1e-6, atol=case.atol * (np.max(np.abs(expected)) or 1.0), err_msg=str(overrides))


NO_REFERENCE = [  # arguments whose values no float64 reference predicts (noise draws) or that change the kind of curve
    (lambda **kw: timm.CosineLRScheduler(1.0, 50, noise_range_t=[10, 40], **kw), dict(noise_pct=0.5, noise_std=1.0, noise_seed=42, k_decay=1.0),
     dict(noise_pct=0.2, noise_std=0.5, noise_seed=7, k_decay=2.0)),
    (lambda **kw: timm.PolyLRScheduler(1.0, 50, noise_range_t=20, **kw), dict(noise_pct=0.5, noise_std=1.0, noise_seed=42, k_decay=0.5),
     dict(noise_pct=0.2, noise_std=0.5, noise_seed=7, k_decay=2.0)),
    (lambda **kw: timm.TanhLRScheduler(1.0, 50, noise_range_t=20, **kw), dict(noise_pct=0.5, noise_std=1.0, noise_seed=42),
     dict(noise_pct=0.2, noise_std=0.5, noise_seed=7)),
    (lambda **kw: timm.StepLRScheduler(1.0, 10, 0.5, noise_range_t=20, **kw), dict(noise_pct=0.5, noise_std=1.0, noise_seed=42),
     dict(noise_pct=0.2, noise_std=0.5, noise_seed=7)),
    (lambda **kw: timm.MultiStepLRScheduler(1.0, [10, 30], 0.5, noise_range_t=20, **kw), dict(noise_pct=0.5, noise_std=1.0, noise_seed=42),
     dict(noise_pct=0.2, noise_std=0.5, noise_seed=7)),
    (keras.noisy_linear_cosine_decay,
     dict(learning_rate=0.1, decay_steps=100, initial_variance=1.0, variance_decay=0.55, num_periods=0.5, alpha=0.0, beta=0.001, seed=0),
     dict(learning_rate=1.0, decay_steps=40, initial_variance=0.5, variance_decay=1.0, num_periods=2.0, alpha=0.1, beta=0.01, seed=3)),
]


@pytest.mark.parametrize("make, kwargs, alt", NO_REFERENCE, ids=[f"no_reference{i}" for i in range(len(NO_REFERENCE))])
def test_vmap_over_every_numeric_argument_matches_separate_builds(make, kwargs, alt):
    steps = jnp.arange(0, 120, 3)
    stacked = {name: jnp.asarray([kwargs[name], alt[name]], jnp.float32) for name in alt}
    batched = jax.jit(jax.vmap(lambda values: make(**{**kwargs, **values})(steps)))(stacked)
    for row, values in zip(batched, [kwargs, alt]):
        np.testing.assert_allclose(row, evaluate(make(**values), steps), rtol=2e-6, atol=1e-7)


def test_vmap_over_reduce_on_plateau_arguments():
    kwargs = dict(base_lr=0.1, factor=0.5, patience=2.0, threshold=1e-3, cooldown=1.0, min_lr=0.01, eps=1e-8)
    alt = dict(base_lr=1.0, factor=0.1, patience=0.0, threshold=0.1, cooldown=0.0, min_lr=0.0, eps=1e-3)
    metrics = jnp.array([1.0, 0.99, 0.99, 0.98, 0.97, 0.97, 0.97, 0.97, 0.96, 0.96, 0.96, 0.96])

    def scales(values):
        controller = torch.ReduceLROnPlateau(**values)
        return jax.lax.scan(lambda state, m: (controller.update(state, m), controller.update(state, m).scale), controller.init(), metrics)[1]

    batched = jax.jit(jax.vmap(scales))({name: jnp.asarray([kwargs[name], alt[name]], jnp.float32) for name in kwargs})
    for row, values in zip(batched, [kwargs, alt]):
        np.testing.assert_allclose(row, jax.jit(scales)(values), rtol=1e-6)
    assert len(set(np.asarray(batched[1]).tolist())) > 1  # the alternative does reduce


def test_vmap_over_dict_scales_and_sgdr_lengths():
    steps = jnp.arange(150)
    scales = jnp.array([0.5, 0.25])
    batched = jax.jit(jax.vmap(lambda s: optax.piecewise_constant_schedule(1.0, {20: s, 100: 0.1})(steps)))(scales)
    for row, s in zip(batched, [0.5, 0.25]):
        np.testing.assert_allclose(row, [peers.optax_piecewise_constant(t, 1.0, {20: s, 100: 0.1}) for t in range(150)], rtol=1e-6)
    lengths = jnp.array([30.0, 50.0])
    batched = jax.jit(jax.vmap(lambda d: optax.sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=5, decay_steps=d)] * 3)(steps)))(lengths)
    for row, d in zip(batched, [30, 50]):
        expected = [peers.optax_sgdr(t, [dict(init_value=0.0, peak_value=1.0, warmup_steps=5, decay_steps=d)] * 3) for t in range(150)]
        np.testing.assert_allclose(row, expected, rtol=1e-6, atol=2e-7)


def test_random_draws_match_the_peers():
    rng = np.random.default_rng(0)
    steps = np.arange(0, 250)
    for _ in range(3):
        w, total = int(rng.integers(0, 50)), int(rng.integers(60, 300))
        peak, end = float(rng.uniform(0.1, 2)), float(rng.uniform(0, 0.1))
        mult, limit = int(rng.integers(1, 4)), int(rng.integers(1, 6))
        pairs = [
            (optax.warmup_cosine_decay_schedule(0.0, peak, w, total, end), lambda t: peers.optax_warmup_cosine(t, 0.0, peak, w, total, end)),
            (transformers.get_linear_schedule_with_warmup(peak, w, total), lambda t: peers.hf_linear(t, peak, w, total)),
            (timm.CosineLRScheduler(peak, total // 4, lr_min=end, cycle_mul=mult, cycle_limit=limit, warmup_t=w),
             lambda t: peers.timm_cosine(t, peak, total // 4, lr_min=end, cycle_mul=mult, cycle_limit=limit, warmup_t=w)),
            (torch.CosineAnnealingWarmRestarts(peak, T_0=w + 1, T_mult=mult, eta_min=end),
             lambda t: peers.torch_warm_restarts(t, peak, w + 1, mult, end)),
            (keras.CosineDecayRestarts(peak, w + 1, t_mul=mult, m_mul=0.8, alpha=end),
             lambda t: peers.keras_cosine_restarts(t, peak, w + 1, mult, 0.8, end)),
        ]
        for ours, reference in pairs:
            np.testing.assert_allclose(evaluate(ours, steps), [reference(t) for t in steps], rtol=1e-6, atol=2e-7 * peak)


def test_vmap_over_list_arguments():
    steps = jnp.arange(120)
    milestones = jnp.array([[10.0, 50.0], [20.0, 21.0]])
    batched = jax.jit(jax.vmap(lambda m: torch.MultiStepLR(1.0, m, 0.5)(steps)))(milestones)
    np.testing.assert_allclose(batched[1], [peers.torch_multistep(t, 1.0, [20, 21], 0.5) for t in range(120)])
    batched = jax.jit(jax.vmap(lambda m: timm.MultiStepLRScheduler(1.0, m, 0.5)(steps)))(milestones)
    np.testing.assert_allclose(batched[0], [peers.timm_multistep(t, 1.0, [10, 50], 0.5) for t in range(120)])
    batched = jax.jit(jax.vmap(lambda b: keras.PiecewiseConstantDecay(b, [1.0, 0.5, 0.1])(steps)))(milestones)
    np.testing.assert_allclose(batched[1], [peers.keras_piecewise(t, [20, 21], [1.0, 0.5, 0.1]) for t in range(120)])
    batched = jax.jit(jax.vmap(lambda m: torch.SequentialLR([torch.ExponentialLR(1.0, 0.5), torch.LinearLR(1.0, 0.5, 1.0, 10)], m)(steps)))(jnp.array([[3.0], [7.0]]))
    np.testing.assert_allclose(batched[1, 6:9], [0.5**6, 0.5, 0.55], rtol=1e-6)
    pieces = [lrjax.constant(1.0), lrjax.linear(1.0, 0.0, steps=50), lrjax.constant(0.3)]
    batched = jax.jit(jax.vmap(lambda b: optax.join_schedules(pieces, b)(steps)))(jnp.array([[20.0, 60.0], [100.0, 60.0]]))
    np.testing.assert_allclose(batched[1], evaluate(optax.join_schedules(pieces, [100, 60]), steps))  # unsorted, traced


OPTAX_PAIRS = [
    (c, getattr(real_optax, {"optax.constant": "constant_schedule", "optax.polynomial": "polynomial_schedule",
                             "optax.polynomial_fallbacks": "polynomial_schedule", "optax.linear": "linear_schedule",
                             "optax.piecewise_constant": "piecewise_constant_schedule", "optax.cosine": "cosine_decay_schedule",
                             "optax.linear_onecycle": "linear_onecycle_schedule", "optax.cosine_onecycle": "cosine_onecycle_schedule",
                             "optax.warmup_constant": "warmup_constant_schedule", "optax.warmup_cosine": "warmup_cosine_decay_schedule",
                             "optax.warmup_cosine_zero_peak": "warmup_cosine_decay_schedule",
                             "optax.warmup_exponential": "warmup_exponential_decay_schedule"}.get(c.id, "exponential_decay")))
    for c in CASES if c.id.startswith("optax.") and "interpolate" not in c.id
]


@pytest.mark.parametrize("case, theirs", OPTAX_PAIRS, ids=[c.id for c, _ in OPTAX_PAIRS])
def test_optax_itself_gives_the_same_values(case, theirs):
    steps = jnp.arange(case.last + 1)
    with jax.numpy_dtype_promotion("standard"):
        expected = np.asarray(jax.vmap(theirs(**case.kwargs))(steps), np.float64)  # eager: optax's NaN under jit aside
    ours = np.asarray(evaluate(case.make(**case.kwargs), steps), np.float64)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=2e-7 * np.max(np.abs(expected)))


def test_optax_interpolate_sgdr_and_join_themselves():
    steps = jnp.arange(400)
    knots = {10: 2.0, 30: 0.5, 100: 0.1}  # a key 0 makes optax < 0.2.5 divide by zero (optax #1403); peers.py covers it
    with jax.numpy_dtype_promotion("standard"):
        pairs = [
            (optax.piecewise_interpolate_schedule("cosine", 1.0, knots), real_optax.piecewise_interpolate_schedule("cosine", 1.0, knots)),
            (optax.sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=10, decay_steps=d, end_value=0.01) for d in (50, 100, 150)]),
             real_optax.sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=10, decay_steps=d, end_value=0.01) for d in (50, 100, 150)])),
            (optax.join_schedules([lrjax.constant(1.0), lrjax.linear(1.0, 0.0, steps=50), lrjax.constant(0.3)], [100, 60]),
             real_optax.join_schedules([real_optax.constant_schedule(1.0), real_optax.linear_schedule(1.0, 0.0, 50),
                                        real_optax.constant_schedule(0.3)], [100, 60])),
            (optax.join_schedules([lrjax.constant(1.0), lrjax.linear(1.0, 0.0, steps=50), lrjax.constant(0.3)], [20, 60, 90]),
             real_optax.join_schedules([real_optax.constant_schedule(1.0), real_optax.linear_schedule(1.0, 0.0, 50),
                                        real_optax.constant_schedule(0.3)], [20, 60, 90])),
        ]
        for ours, theirs in pairs:
            np.testing.assert_allclose(evaluate(ours, steps), jax.vmap(theirs)(steps), rtol=1e-6, atol=2e-7)


ERRORS = [
    (lambda m: m.cosine_decay_schedule(1.0, 0), "optax", r"requires positive decay_steps"),
    (lambda m: m.piecewise_constant_schedule(1.0, {10: -0.5}), "optax", r"expects non-negative scale factors"),
    (lambda m: m.piecewise_interpolate_schedule("cubic", 1.0, {10: 0.5}), "optax", r"must be either 'cosine' or 'linear'"),
    (lambda m: m.piecewise_interpolate_schedule("linear", 1.0, {10: -0.5}), "optax", r"expects non-negative scale factors"),
    (lambda m: m.linear_onecycle_schedule(0, 1.0), "optax", r"non-positive `transition_steps`"),
    (lambda m: m.cosine_onecycle_schedule(-3, 1.0), "optax", r"non-positive `transition_steps`"),
    (lambda m: m.warmup_cosine_decay_schedule(0.0, 1.0, 100, 100), "optax", r"requires positive decay_steps"),
    (lambda m: m.ConstantLR(1.0, factor=2.0), "torch", r"between 0 and 1"),
    (lambda m: m.LinearLR(1.0, start_factor=0.0), "torch", r"greater than 0 and less or equal to 1"),
    (lambda m: m.LinearLR(1.0, end_factor=1.5), "torch", r"Ending multiplicative factor"),
    (lambda m: m.CosineAnnealingWarmRestarts(1.0, T_0=2.5), "torch", r"Expected positive integer T_0, but got 2.5"),
    (lambda m: m.CosineAnnealingWarmRestarts(1.0, T_0=3, T_mult=0), "torch", r"Expected integer T_mult >= 1, but got 0"),
    (lambda m: m.CyclicLR(0.1, 1.0, mode="sawtooth"), "torch", r"mode is invalid and scale_fn is None"),
    (lambda m: m.OneCycleLR(1.0), "torch", r"either total_steps OR \(epochs AND steps_per_epoch\)"),
    (lambda m: m.OneCycleLR(1.0, total_steps=0), "torch", r"Expected positive integer total_steps, but got 0"),
    (lambda m: m.OneCycleLR(1.0, epochs=2, steps_per_epoch=-1), "torch", r"Expected positive integer steps_per_epoch, but got -1"),
    (lambda m: m.OneCycleLR(1.0, total_steps=10, pct_start=1.5), "torch", r"Expected float between 0 and 1 pct_start, but got 1.5"),
    (lambda m: m.OneCycleLR(1.0, total_steps=10, anneal_strategy="cosine"), "torch", r"anneal_strategy must be one of 'cos' or 'linear'"),
    (lambda m: m.SequentialLR([m.ExponentialLR(1.0, 0.5)] * 2, [3, 5]), "torch", r"number of schedulers 2 and the number of milestones to be equal to 2"),
    (lambda m: m.ReduceLROnPlateau(1.0, factor=1.0), "torch", r"Factor should be < 1.0."),
    (lambda m: m.ReduceLROnPlateau(1.0, mode="lowest"), "torch", r"mode lowest is unknown!"),
    (lambda m: m.LambdaLR(1.0, 0.5), "torch", r"lr_lambda must be a jittable function"),
    (lambda m: m.CosineLRScheduler(1.0, t_initial=0), "timm", r"CosineLRScheduler: t_initial must be a finite number > 0, got 0"),
    (lambda m: m.TanhLRScheduler(1.0, t_initial=10, lb=3.0, ub=-7.0), "timm", r"lb must be < ub"),
    (lambda m: m.PolyLRScheduler(1.0, t_initial=10, warmup_t=-1), "timm", r"PolyLRScheduler: warmup_t must be a finite number >= 0, got -1"),
    (lambda m: m.get_polynomial_decay_schedule_with_warmup(1e-3, 10, 100, lr_end=1e-2), "transformers",
     r"lr_end \(0.01\) must be smaller than initial lr \(0.001\)"),
    (lambda m: m.get_cosine_with_min_lr_schedule_with_warmup(1.0, 10, 100), "transformers", r"One of min_lr or min_lr_rate should be set"),
    (lambda m: m.get_cosine_with_min_lr_schedule_with_warmup(1.0, 10, 100, min_lr=0.1, min_lr_rate=0.1), "transformers", r"Only one of"),
    (lambda m: m.get_wsd_schedule(1.0, 10, 10), "transformers", r"Either num_training_steps or num_stable_steps must be specified"),
    (lambda m: m.get_wsd_schedule(1.0, 10, 10, 100, warmup_type="exp"), "transformers", r"Unknown warmup type: exp"),
    (lambda m: m.get_wsd_schedule(1.0, 10, 10, 100, decay_type="exp"), "transformers", r"Unknown decay type: exp"),
    (lambda m: m.get_wsd_schedule(1.0, 10, 10, 15), "transformers", r"the stable phase would last -5.0 steps"),
    (lambda m: m.ExponentialDecay(1.0, 0, 0.5), "keras", r"Argument `decay_steps` must be > 0. Received: decay_steps=0"),
    (lambda m: m.PolynomialDecay(1.0, -1, cycle=True), "keras", r"Argument `decay_steps` must be > 0"),
    (lambda m: m.PiecewiseConstantDecay([10, 20], [1.0, 0.5]), "keras", r"length of boundaries should be 1 less than the length of values"),
    (lambda m: m.CosineDecayRestarts(1.0, 0), "keras", r"Argument `first_decay_steps` must be > 0"),
]


@pytest.mark.parametrize("make, module, message", ERRORS, ids=[m for _, _, m in ERRORS])
def test_the_peers_checks_raise_value_error(make, module, message):
    with pytest.raises(ValueError, match=message):
        make(getattr(lrjax.compat, module))
    if module == "optax":  # the same input makes optax itself raise ValueError
        with pytest.raises(ValueError):
            make(real_optax)


def test_wsd_warns_when_both_lengths_are_given():
    with pytest.warns(UserWarning, match="num_stable_steps will be used"):
        s = transformers.get_wsd_schedule(1.0, 10, 10, num_training_steps=100, num_stable_steps=30)
    assert float(s(39)) == 1.0 and float(s(40)) == 1.0 and float(s(50)) == 0.0


def test_optax_fallbacks_are_constants_as_in_optax():
    assert repr(optax.polynomial_schedule(1.0, 0.0, 2.0, transition_steps=0)) == "constant(value=1.0)"
    assert repr(optax.exponential_decay(0.5, transition_steps=10, decay_rate=0.0)) == "constant(value=0.5)"
    assert repr(optax.warmup_constant_schedule(0.1, 1.0, warmup_steps=0)) == "constant(value=0.1)"


def test_reduce_on_plateau_gives_torchs_learning_rates():
    rng = np.random.default_rng(1)
    metrics = np.abs(1 + np.cumsum(rng.normal(0, 0.05, 200)))  # positive, where torch's rule and lrjax's agree
    base, min_lr, eps = 0.1, 2e-4, 1e-3
    controller = torch.ReduceLROnPlateau(base, patience=3, factor=0.5, cooldown=2, min_lr=min_lr, eps=eps)
    state, ours = controller.init(), []
    update = jax.jit(controller.update)
    for m in metrics:
        state = update(state, m)
        ours.append(base * float(state.scale))
    lr, best, bad, cool, expected = base, np.inf, 0, 0, []
    for m in metrics:  # torch's step(metric), in lrs
        bad = 0 if m < best * (1 - 1e-4) else bad + 1
        best = min(best, m) if bad == 0 else best
        if cool > 0:
            cool, bad = cool - 1, 0
        if bad > 3:
            new = max(lr * 0.5, min_lr)
            lr = new if lr - new > eps else lr
            cool, bad = 2, 0
        expected.append(lr)
    assert len(set(expected)) > 3  # it does reduce, down to where eps stops it
    np.testing.assert_allclose(ours, expected, rtol=1e-6)


def test_compat_schedules_round_trip_through_config_and_expression():
    from .helpers import assert_same_tree

    for case in CASES:
        s = case.make(**case.kwargs)
        if "from_fn" in repr(s):
            with pytest.raises(ValueError, match="holds a Python function"):
                lrjax.to_config(s)
            continue
        assert_same_tree(lrjax.parse(repr(s)), s)
        assert_same_tree(lrjax.from_config(lrjax.to_config(s)), s)


@pytest.fixture(scope="module")
def keras_jax():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    module = pytest.importorskip("keras", reason="Keras 3 is in the parity extra")
    if module.backend.backend() != "jax":
        pytest.skip("Keras runs on another backend")
    return module


KERAS_PAIRS = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9, staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[5, 50, 100], values=[1.0, 0.5, 0.1, 0.01])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=100, end_learning_rate=0.01, power=2.0)),
    ("PolynomialDecay", dict(initial_learning_rate=1.0, decay_steps=10, end_learning_rate=0.1, power=2.0, cycle=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=100, alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=100, alpha=0.1, warmup_target=1.0, warmup_steps=20)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=10, t_mul=2.0, m_mul=0.5, alpha=0.1)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=7, t_mul=1.0, m_mul=0.9)),
]


@pytest.mark.parametrize("name, kwargs", KERAS_PAIRS, ids=[n for n, _ in KERAS_PAIRS])
def test_keras_itself_gives_the_same_values(keras_jax, name, kwargs):
    theirs = getattr(keras_jax.optimizers.schedules, name)(**kwargs)
    steps = jnp.arange(400)
    expected = np.asarray(jax.vmap(theirs)(steps), np.float64)
    ours = np.asarray(evaluate(getattr(keras, name)(**kwargs), steps))
    # Keras rounds step / decay_steps - cycle in float32; against float64 (above) lrjax is within 2e-7 of the peak.
    np.testing.assert_allclose(ours, expected, rtol=2e-6, atol=1e-6 * np.max(np.abs(expected)))


def test_keras_misrounds_a_restart_that_lrjax_finds(keras_jax):
    theirs = keras_jax.optimizers.schedules.CosineDecayRestarts(1.0, first_decay_steps=1, t_mul=2.0)
    ours = keras.CosineDecayRestarts(1.0, first_decay_steps=1, t_mul=2.0)
    assert float(theirs(8191)) < 1e-6 and float(ours(8191)) == 1.0  # 8191 = 1 + 2 + ... + 4096 starts a cycle


def test_torch_itself_gives_the_same_values():
    torch_lib = pytest.importorskip("torch", reason="torch is optional")
    sched = torch_lib.optim.lr_scheduler
    model = torch_lib.nn.Linear(1, 1)
    pairs = [  # (torch scheduler from an SGD optimizer with lr 0.1 and momentum 0.9, ours, the group entry to read)
        (lambda o: sched.StepLR(o, 7, 0.5), torch.StepLR(0.1, 7, 0.5), "lr"),
        (lambda o: sched.MultiStepLR(o, [30, 10, 30], 0.5), torch.MultiStepLR(0.1, [30, 10, 30], 0.5), "lr"),
        (lambda o: sched.ConstantLR(o, 0.25, 20), torch.ConstantLR(0.1, 0.25, 20), "lr"),
        (lambda o: sched.LinearLR(o, 0.1, 0.9, 40), torch.LinearLR(0.1, 0.1, 0.9, 40), "lr"),
        (lambda o: sched.ExponentialLR(o, 0.97), torch.ExponentialLR(0.1, 0.97), "lr"),
        (lambda o: sched.PolynomialLR(o, 60, 2.0), torch.PolynomialLR(0.1, 60, 2.0), "lr"),
        (lambda o: sched.CosineAnnealingLR(o, T_max=30, eta_min=0.001), torch.CosineAnnealingLR(0.1, 30, 0.001), "lr"),
        (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01), torch.CosineAnnealingWarmRestarts(0.1, 3, 2, 0.01), "lr"),
        (lambda o: sched.CyclicLR(o, 0.01, 0.1, step_size_up=7, step_size_down=4, mode="triangular2"),
         torch.CyclicLR(0.01, 0.1, 7, 4, mode="triangular2"), "lr"),
        (lambda o: sched.CyclicLR(o, 0.01, 0.1, step_size_up=7, mode="exp_range", gamma=0.98), torch.CyclicLR(0.01, 0.1, 7, mode="exp_range", gamma=0.98), "lr"),
        (lambda o: sched.CyclicLR(o, 0.01, 0.1, step_size_up=7, base_momentum=0.8, max_momentum=0.9),
         torch.CyclicMomentum(0.8, 0.9, 7), "momentum"),
        (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=100, three_phase=True), torch.OneCycleLR(1.0, total_steps=100, three_phase=True), "lr"),
        (lambda o: sched.OneCycleLR(o, max_lr=1.0, epochs=10, steps_per_epoch=10, anneal_strategy="linear"),
         torch.OneCycleLR(1.0, epochs=10, steps_per_epoch=10, anneal_strategy="linear"), "lr"),
        (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=100), torch.OneCycleMomentum(total_steps=100), "momentum"),
        (lambda o: sched.SequentialLR(o, [sched.LinearLR(o, 0.1, 1.0, 10), sched.ExponentialLR(o, 0.9)], milestones=[10]),
         torch.SequentialLR([torch.LinearLR(0.1, 0.1, 1.0, 10), torch.ExponentialLR(0.1, 0.9)], [10]), "lr"),
        (lambda o: sched.ChainedScheduler([sched.ConstantLR(o, 0.1, 20), sched.ExponentialLR(o, 0.9)]),
         torch.ChainedScheduler([torch.ConstantLR(0.1, 0.1, 20), torch.ExponentialLR(0.1, 0.9)], 0.1), "lr"),
    ]
    for make, ours, entry in pairs:
        optimizer = torch_lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        scheduler = make(optimizer)
        expected = []
        for _ in range(99):
            expected.append(optimizer.param_groups[0][entry])
            optimizer.step()
            scheduler.step()
        np.testing.assert_allclose(evaluate(ours, jnp.arange(99)), expected, rtol=2e-6, atol=1e-8, err_msg=repr(ours)[:60])
    optimizer = torch_lib.optim.SGD(model.parameters(), lr=0.1)
    theirs = sched.ReduceLROnPlateau(optimizer, patience=2, factor=0.5, cooldown=1, min_lr=0.01)
    controller, state = torch.ReduceLROnPlateau(0.1, patience=2, factor=0.5, cooldown=1, min_lr=0.01), None
    state = controller.init()
    for metric in [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]:
        theirs.step(metric)
        state = controller.update(state, metric)
        assert 0.1 * float(state.scale) == pytest.approx(optimizer.param_groups[0]["lr"], rel=1e-6)



def test_chained_scheduler_matches_torchs_documented_example():
    # torch's docs: ConstantLR(factor=0.1, total_iters=20) chained with ExponentialLR(gamma=0.9), lr 1:
    # 0.1 * 0.9**t before step 20, then 0.9**20 = 0.1216 at t = 20.
    s = torch.ChainedScheduler([torch.ConstantLR(1.0, 0.1, 20), torch.ExponentialLR(1.0, 0.9)], base_lr=1.0)
    np.testing.assert_allclose(evaluate(s, jnp.array([0, 1, 19, 20, 21])), [0.1, 0.09, 0.1 * 0.9**19, 0.1216, 0.1094], atol=5e-5)


def test_timm_noise_multiplies_within_its_range_by_a_bounded_normal():
    seeds = jnp.arange(4000.0)
    steps = jnp.array([5, 10, 30, 59, 60, 90])
    batch = jax.jit(jax.vmap(lambda seed: timm.CosineLRScheduler(1.0, 100, noise_range_t=[10, 60], noise_pct=0.5, noise_std=0.4,
                                                                 noise_seed=seed)(steps)))(seeds)
    clean = np.asarray(timm.CosineLRScheduler(1.0, 100)(steps))
    ratio = np.asarray(batch) / clean - 1
    np.testing.assert_allclose(ratio[:, [0, 4, 5]], 0, atol=1e-6)  # outside [10, 60)
    inside = ratio[:, 1:4]
    assert np.abs(inside).max() < 0.5
    # std of N(0, 0.4**2) truncated to |e| < 0.5: 0.4 * sqrt(1 - 2 a phi(a) / (2 Phi(a) - 1)), a = 1.25
    a = 1.25
    phi, big_phi = np.exp(-a * a / 2) / np.sqrt(2 * np.pi), 0.5 * (1 + math.erf(a / np.sqrt(2)))
    np.testing.assert_allclose(inside.std(axis=0), 0.4 * np.sqrt(1 - 2 * a * phi / (2 * big_phi - 1)), rtol=0.05)
    assert np.all(np.abs(np.corrcoef(inside.T)[np.triu_indices(3, 1)]) < 0.06)  # steps draw independently


def test_noisy_linear_cosine_decay_adds_noise_of_tfs_variance():
    seeds = jnp.arange(4000.0)
    steps = jnp.array([0, 10, 50, 150])
    noisy = jax.jit(jax.vmap(lambda seed: keras.noisy_linear_cosine_decay(0.5, 100, initial_variance=2.0, variance_decay=0.55,
                                                                        num_periods=1.0, seed=seed)(steps)))(seeds)
    clean = np.asarray(keras.linear_cosine_decay(0.5, 100, num_periods=1.0)(steps))
    s = np.minimum(np.asarray(steps), 100)
    wave = 0.5 * (1 + np.cos(2 * np.pi * 1.0 * s / 100))
    keep = wave > 0.1
    noise = (np.asarray(noisy) - clean)[:, keep] / (0.5 * wave[keep])
    np.testing.assert_allclose(noise.std(axis=0), np.sqrt(2.0 / (1 + s[keep]) ** 0.55), rtol=0.05)
    np.testing.assert_allclose(noise.mean(axis=0), 0, atol=0.1)


def test_transformers_itself_gives_the_same_values():
    torch_lib = pytest.importorskip("torch", reason="torch is optional")
    hf = pytest.importorskip("transformers", reason="transformers is optional")
    pairs = [
        ("get_constant_schedule", {}),
        ("get_constant_schedule_with_warmup", dict(num_warmup_steps=20)),
        ("get_linear_schedule_with_warmup", dict(num_warmup_steps=20, num_training_steps=150)),
        ("get_cosine_schedule_with_warmup", dict(num_warmup_steps=20, num_training_steps=150, num_cycles=0.75)),
        ("get_cosine_with_hard_restarts_schedule_with_warmup", dict(num_warmup_steps=20, num_training_steps=150, num_cycles=3)),
        ("get_polynomial_decay_schedule_with_warmup", dict(num_warmup_steps=20, num_training_steps=150, lr_end=0.01, power=2.0)),
        ("get_inverse_sqrt_schedule", dict(num_warmup_steps=20)),
        ("get_inverse_sqrt_schedule", dict(num_warmup_steps=0)),
        ("get_cosine_with_min_lr_schedule_with_warmup", dict(num_warmup_steps=20, num_training_steps=150, min_lr_rate=0.1)),
        ("get_cosine_with_min_lr_schedule_with_warmup", dict(num_warmup_steps=20, num_training_steps=150, min_lr=0.02)),
        ("get_wsd_schedule", dict(num_warmup_steps=20, num_decay_steps=40, num_training_steps=150, min_lr_ratio=0.1)),
        ("get_wsd_schedule", dict(num_warmup_steps=20, num_decay_steps=40, num_stable_steps=50, warmup_type="1-sqrt",
                                  decay_type="1-sqrt", min_lr_ratio=0.1)),
        ("get_wsd_schedule", dict(num_warmup_steps=20, num_decay_steps=40, num_training_steps=150, warmup_type="cosine",
                                  decay_type="linear", num_cycles=1.0)),
    ]
    model = torch_lib.nn.Linear(1, 1)
    for name, kwargs in pairs:
        optimizer = torch_lib.optim.SGD(model.parameters(), lr=0.1)
        scheduler = getattr(hf, name)(optimizer, **kwargs)
        expected = []
        for _ in range(220):
            expected.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        ours = getattr(transformers, name)(0.1, **kwargs)
        np.testing.assert_allclose(evaluate(ours, jnp.arange(220)), expected, rtol=2e-6, atol=1e-8, err_msg=f"{name} {kwargs}")


def test_timm_itself_gives_the_same_values():
    torch_lib = pytest.importorskip("torch", reason="torch is optional")
    timm_lib = pytest.importorskip("timm.scheduler", reason="timm is optional")
    pairs = [
        ("CosineLRScheduler", dict(t_initial=40, lr_min=0.01, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=3, warmup_t=5, warmup_lr_init=0.01)),
        ("CosineLRScheduler", dict(t_initial=30, lr_min=0.001, cycle_decay=0.8, cycle_limit=4, warmup_t=10, warmup_prefix=True, k_decay=2.0)),
        ("PolyLRScheduler", dict(t_initial=50, power=2.0, lr_min=0.005, cycle_limit=3, cycle_decay=0.7, warmup_t=10)),
        ("TanhLRScheduler", dict(t_initial=50, lr_min=0.005, cycle_mul=1.5, cycle_limit=3, warmup_t=10, warmup_lr_init=0.02)),
        ("TanhLRScheduler", dict(t_initial=50, warmup_t=10, warmup_prefix=True)),
        ("StepLRScheduler", dict(decay_t=30, decay_rate=0.5, warmup_t=5, warmup_lr_init=0.01)),
        ("MultiStepLRScheduler", dict(decay_t=[30, 80, 81], decay_rate=0.5, warmup_t=5, warmup_prefix=False)),
    ]
    model = torch_lib.nn.Linear(1, 1)
    for name, kwargs in pairs:
        optimizer = torch_lib.optim.SGD(model.parameters(), lr=0.1)
        scheduler = getattr(timm_lib, name)(optimizer, t_in_epochs=False, **kwargs)
        expected = []
        for t in range(250):
            scheduler.step_update(t)
            expected.append(optimizer.param_groups[0]["lr"])
        ours = getattr(timm, name)(0.1, **kwargs)
        np.testing.assert_allclose(evaluate(ours, jnp.arange(250)), expected, rtol=2e-6, atol=1e-8, err_msg=f"{name} {kwargs}")

"""The compat functions of issue 14, with the peers' own test cases ported (configurations and expected
values transcribed from torch's test_lrscheduler.py, timm's and transformers' sources), against the
float64 re-derivations in tests/peers.py, and against torch, transformers and timm when installed."""

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import lrjax
from lrjax.compat import timm, torch, transformers

from . import peers
from .helpers import assert_same_tree


def evaluate(schedule, steps):
    """Eagerly: each schedule here is evaluated once, and eager ops are compiled once for all of them."""
    return schedule(steps)


def close(ours, expected, rtol=1e-6, atol=2e-7, err_msg=""):
    expected = np.asarray(expected, np.float64)
    np.testing.assert_allclose(np.asarray(ours, np.float64), expected, rtol=rtol, atol=atol * (np.max(np.abs(expected)) or 1.0), err_msg=err_msg)


# torch: last_epoch ------------------------------------------------------------------------------------

# torch's test_lr_scheduler_checkpoint: each scheduler with its test's arguments, on AdamW's default lr 1e-3.
CHECKPOINTED = [  # (ours, the float64 re-derivation of the fresh scheduler at step t)
    ("ExponentialLR", lambda **kw: torch.ExponentialLR(1e-3, gamma=0.999, **kw), lambda t: peers.torch_exponential(t, 1e-3, 0.999)),
    ("LambdaLR", lambda **kw: torch.LambdaLR(1e-3, lambda epoch: jnp.floor(epoch / 30), **kw), lambda t: 1e-3 * (t // 30)),
    ("MultiplicativeLR", lambda **kw: torch.MultiplicativeLR(1e-3, lambda epoch: 0.95, **kw),
     lambda t: peers.torch_multiplicative(t, 1e-3, lambda j: 0.95)),
    ("StepLR", lambda **kw: torch.StepLR(1e-3, step_size=30, **kw), lambda t: peers.torch_step(t, 1e-3, 30)),
    ("MultiStepLR", lambda **kw: torch.MultiStepLR(1e-3, milestones=[30, 80], **kw), lambda t: peers.torch_multistep(t, 1e-3, [30, 80])),
    ("ConstantLR", lambda **kw: torch.ConstantLR(1e-3, **kw), lambda t: peers.torch_constant(t, 1e-3)),
    ("LinearLR", lambda **kw: torch.LinearLR(1e-3, **kw), lambda t: peers.torch_linear(t, 1e-3)),
    ("PolynomialLR", lambda **kw: torch.PolynomialLR(1e-3, **kw), lambda t: peers.torch_polynomial(t, 1e-3)),
    ("CosineAnnealingLR", lambda **kw: torch.CosineAnnealingLR(1e-3, T_max=10, **kw), lambda t: peers.torch_cosine_annealing(t, 1e-3, 10)),
    ("CosineAnnealingWarmRestarts", lambda **kw: torch.CosineAnnealingWarmRestarts(1e-3, T_0=20, **kw),
     lambda t: peers.torch_warm_restarts(t, 1e-3, 20)),
    ("CyclicLR", lambda **kw: torch.CyclicLR(0.01, 0.1, **kw), lambda t: peers.torch_cyclic(t, 0.01, 0.1)),
    ("OneCycleLR", lambda **kw: torch.OneCycleLR(0.01, total_steps=10, **kw), lambda t: peers.torch_one_cycle(t, 0.01, 10)),
    ("SequentialLR", lambda **kw: torch.SequentialLR([torch.ConstantLR(1e-3), torch.ConstantLR(1e-3)], milestones=[2], **kw),
     lambda t: peers.torch_constant(t if t < 2 else t - 2, 1e-3)),
]


@pytest.mark.parametrize("make, fresh", [c[1:] for c in CHECKPOINTED], ids=[c[0] for c in CHECKPOINTED])
def test_a_scheduler_resumed_with_last_epoch_continues_the_fresh_one(make, fresh):
    """torch's test_lr_scheduler_checkpoint: created with last_epoch=0 after one step, a scheduler gives the
    lr the first one reached; here over 12 steps (other last_epochs: below, and against torch itself)."""
    close(evaluate(make(last_epoch=0), jnp.arange(12)), [fresh(float(t + 1)) for t in range(12)])
    assert repr(make()) == repr(make(last_epoch=-1)) and "from_fn(later" not in repr(make())  # fresh: no wrapper


def test_last_epoch_is_a_leaf_to_vmap_over():
    steps = jnp.arange(30)
    for make, fresh in [CHECKPOINTED[9][1:], CHECKPOINTED[11][1:]]:  # warm restarts, one-cycle
        resumed = jax.jit(jax.vmap(lambda k: make(last_epoch=k)(steps)))(jnp.array([-1.0, 4.0, 21.0]))  # noqa: B023
        for row, k in zip(resumed, [-1, 4, 21]):
            close(row, [fresh(float(t + k + 1)) for t in range(30)])


def test_cosine_annealing_continued_gives_the_lrs_of_the_original():
    # torch's test_cos_anneal_lr_continue: T_max=5, eta_min=0.1; groups with lr 0.05 and 0.5.
    for lr in (0.05, 0.5):
        original = torch.CosineAnnealingLR(lr, T_max=5, eta_min=0.1)
        continued = torch.CosineAnnealingLR(lr, T_max=5, eta_min=0.1, last_epoch=0)
        assert float(continued(0)) == pytest.approx(float(original(1)), rel=1e-6)
        assert float(continued(0)) == pytest.approx(0.1 + (lr - 0.1) * (1 + math.cos(math.pi / 5)) / 2, rel=1e-6)


def test_momentum_schedules_resume_with_the_lr():
    steps = jnp.arange(30)
    close(evaluate(torch.OneCycleMomentum(total_steps=40, last_epoch=6), steps), [peers.torch_one_cycle_momentum(t + 7.0, 40) for t in range(30)])


@pytest.mark.parametrize("last_epoch", [-2, 2.5])
def test_last_epoch_must_be_a_whole_number_from_minus_one(last_epoch):
    with pytest.raises(ValueError, match=r"StepLR: last_epoch must be a whole number >= -1"):
        torch.StepLR(1.0, 3, last_epoch=last_epoch)


# torch: MultiplicativeLR and SWALR --------------------------------------------------------------------


def test_multiplicative_lr_ports_torchs_cases():
    # test_multiplicative_lr: groups with lr 0.05 and 0.4, factors 0.9 and 0.8, 10 epochs.
    steps = jnp.arange(10)
    close(evaluate(torch.MultiplicativeLR(0.05, lambda epoch: 0.9), steps), [0.05 * 0.9**x for x in range(10)])
    close(evaluate(torch.MultiplicativeLR(0.4, lambda epoch: 0.8), steps), [0.4 * 0.8**x for x in range(10)])
    # test_multiplicative_lr_with_lr_lambda: a number is refused (torch: TypeError).
    with pytest.raises(ValueError, match="lr_lambda must be a jittable function"):
        torch.MultiplicativeLR(0.05, 0.95)
    with pytest.raises(ValueError, match="lr_lambda must be a jittable function of the step: Attempted boolean conversion"):
        torch.MultiplicativeLR(0.05, lambda epoch: 0.9 if epoch < 3 else 1.0)


def test_multiplicative_lr_of_a_step_dependent_factor_multiplies_one_factor_per_step():
    def factor(epoch):
        return 1 - 0.1 * jnp.mod(epoch, 3)

    s = torch.MultiplicativeLR(0.5, factor)
    assert "from_fn" in repr(s)
    steps = jnp.arange(0, 60, 7)
    close(evaluate(s, steps), [peers.torch_multiplicative(t, 0.5, lambda j: 1 - 0.1 * (j % 3)) for t in steps.tolist()])
    batched = jax.jit(jax.vmap(lambda base: torch.MultiplicativeLR(base, factor)(steps)))(jnp.array([0.5, 2.0]))
    close(batched[1], 4 * np.asarray(batched[0]))
    constant = torch.MultiplicativeLR(0.5, lambda epoch: 0.97)
    assert repr(constant) == "exponential(init=0.5, rate=0.97, steps=1)"


def _swa(before, lr, swa_start, swa_lr, anneal_epochs, anneal_strategy="cos"):
    """torch's _test_swalr: `before` until swa_start, then SWALR from the lr reached there."""
    at_start = float(before(swa_start))
    return lrjax.join([before, torch.SWALR(at_start, swa_lr, anneal_epochs, anneal_strategy)], boundaries=[swa_start])


def test_swalr_ports_torchs_cases():
    steps = jnp.arange(15)
    # test_swalr_no_anneal: epochs 10, swa_start 5, swa_lr 0.01, anneal_epochs 1 (the test optimizer's first group).
    ours = evaluate(_swa(lrjax.constant(0.05), 0.05, 5, 0.01, 1), steps[:10])
    close(ours, [0.05] * 6 + [0.01] * 4)
    # test_swalr_cosine_anneal_after_multiplicative: epochs 15, swa_start 5, swa_lr 0.01, anneal_epochs 5, factor 0.9 (second group).
    ours = evaluate(_swa(torch.MultiplicativeLR(0.5, lambda epoch: 0.9), 0.5, 5, 0.01, 5), steps)
    coef = [0.0 if t + 1 >= 5 else (1 + math.cos(math.pi * (t + 1) / 5)) / 2 for t in range(9)]
    close(ours, [0.5 * 0.9**i for i in range(6)] + [0.5 * 0.9**5 * c + 0.01 * (1 - c) for c in coef])
    # test_swalr_linear_anneal_after_multiplicative: anneal_epochs 4, linear, swa_lr 0.01 and 0.02 per group.
    for lr, swa_lr in ((0.05, 0.01), (0.5, 0.02)):
        ours = evaluate(_swa(torch.MultiplicativeLR(lr, lambda epoch: 0.9), lr, 5, swa_lr, 4, "linear"), steps)
        coef = [0.0 if t + 1 >= 4 else 1 - (t + 1) / 4 for t in range(9)]
        close(ours, [lr * 0.9**i for i in range(6)] + [lr * 0.9**5 * c + swa_lr * (1 - c) for c in coef])


@pytest.mark.parametrize("anneal_epochs, anneal_strategy", [(0, "cos"), (1, "linear"), (7, "cos"), (7, "linear")])
def test_swalr_matches_torchs_step_by_step_inversion(anneal_epochs, anneal_strategy):
    ours = evaluate(torch.SWALR(0.3, 0.02, anneal_epochs, anneal_strategy, last_epoch=5), jnp.arange(12))
    close(ours, [peers.torch_swalr(t, 0.3, 0.02, anneal_epochs, anneal_strategy) for t in range(12)])


@pytest.mark.parametrize("kwargs, message", [
    (dict(anneal_strategy="exponential"), "anneal_strategy must be one of 'cos' or 'linear', instead got exponential"),
    (dict(anneal_epochs=-1), "anneal_epochs must be equal or greater than 0, got -1"),
    (dict(anneal_epochs=1.7), "anneal_epochs must be equal or greater than 0, got 1.7"),
    (dict(last_epoch=-3), "SWALR: last_epoch must be a whole number >= -1"),
])
def test_swalr_hypers(kwargs, message):  # torch's test_swalr_hypers
    with pytest.raises(ValueError, match=message):
        torch.SWALR(1.0, swa_lr=1.0, **kwargs)


# torch: ReduceLROnPlateau resumed ---------------------------------------------------------------------


def test_reduce_on_plateau_resumes_from_its_saved_state():
    """torch's test_reduce_lr_on_plateau_state_dict scores, then more after a save and restore: the
    restored controller continues exactly as the uninterrupted torch scheduler (re-derived)."""
    scores = [1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 5.0, 3.0, 2.0, 1.0]
    more = [1.0, 1.0, 1.0, 0.5, 0.6, 0.6, 0.6, 0.6]
    controller = torch.ReduceLROnPlateau(0.05, mode="min", factor=0.1, patience=2)
    update = jax.jit(controller.update)
    state = controller.init()
    for m in scores:
        state = update(state, m)
    leaves, treedef = jax.tree.flatten(state)
    restored = jax.tree.unflatten(treedef, [jnp.asarray(np.asarray(x)) for x in leaves])  # as a checkpoint would
    lrs = []
    for m in more:
        restored = update(restored, m)
        lrs.append(0.05 * float(restored.scale))
    expected = peers.torch_plateau(scores + more, 0.05, mode="min", factor=0.1, patience=2)
    close(lrs, expected[len(scores):])
    assert expected[len(scores) - 1] < 0.05 and expected[-1] < expected[len(scores) - 1]  # it reduced before and after the save


# torch: cycle_momentum --------------------------------------------------------------------------------


def test_cycle_momentum_points_to_the_momentum_schedule_and_inject():
    with pytest.raises(ValueError, match=r"OneCycleMomentum") as info:
        torch.OneCycleLR(0.1, total_steps=1000, cycle_momentum=True)
    line = "lrjax.inject(optax.sgd)(learning_rate=torch.OneCycleLR(0.1, total_steps=1000), momentum=torch.OneCycleMomentum(total_steps=1000))"
    assert line in str(info.value)
    with pytest.raises(ValueError, match=r"momentum=torch.CyclicMomentum\(step_size_up=4\)"):
        torch.CyclicLR(0.01, 0.1, step_size_up=4, cycle_momentum=True)
    # the line it shows runs (with `from lrjax.compat import torch`, as this module imports it)
    import optax

    tx = lrjax.inject(optax.sgd)(learning_rate=torch.OneCycleLR(0.1, total_steps=1000), momentum=torch.OneCycleMomentum(total_steps=1000))
    state = tx.init(jnp.zeros(2))
    _, state = tx.update(jnp.ones(2), state)
    assert float(state.hyperparams["momentum"]) == pytest.approx(0.95)
    assert repr(torch.OneCycleLR(0.1, total_steps=1000, cycle_momentum=False)) == repr(torch.OneCycleLR(0.1, total_steps=1000))


# torch itself ------------------------------------------------------------------------------------------


def test_torch_itself_resumes_as_the_compat_schedules():
    torch_lib = pytest.importorskip("torch", reason="torch is optional")
    sched = torch_lib.optim.lr_scheduler
    from torch.optim.swa_utils import SWALR

    pairs = [  # (torch scheduler from SGD(lr=0.1) and last_epoch, ours for last_epoch)
        (lambda o, e: sched.ExponentialLR(o, 0.9, last_epoch=e), lambda k: torch.ExponentialLR(0.1, 0.9, last_epoch=k)),
        (lambda o, e: sched.MultiplicativeLR(o, lambda ep: 1 - 0.01 * (ep % 3), last_epoch=e),
         lambda k: torch.MultiplicativeLR(0.1, lambda ep: 1 - 0.01 * jnp.mod(ep, 3), last_epoch=k)),
        (lambda o, e: sched.StepLR(o, 5, 0.5, last_epoch=e), lambda k: torch.StepLR(0.1, 5, 0.5, last_epoch=k)),
        (lambda o, e: sched.MultiStepLR(o, [5, 12], 0.5, last_epoch=e), lambda k: torch.MultiStepLR(0.1, [5, 12], 0.5, last_epoch=k)),
        (lambda o, e: sched.ConstantLR(o, 0.25, 6, last_epoch=e), lambda k: torch.ConstantLR(0.1, 0.25, 6, last_epoch=k)),
        (lambda o, e: sched.LinearLR(o, 0.2, 0.9, 10, last_epoch=e), lambda k: torch.LinearLR(0.1, 0.2, 0.9, 10, last_epoch=k)),
        (lambda o, e: sched.PolynomialLR(o, 10, 2.0, last_epoch=e), lambda k: torch.PolynomialLR(0.1, 10, 2.0, last_epoch=k)),
        (lambda o, e: sched.CosineAnnealingLR(o, 10, 0.01, last_epoch=e), lambda k: torch.CosineAnnealingLR(0.1, 10, 0.01, last_epoch=k)),
        (lambda o, e: sched.CosineAnnealingWarmRestarts(o, 7, 1, 0.01, last_epoch=e),
         lambda k: torch.CosineAnnealingWarmRestarts(0.1, 7, 1, 0.01, last_epoch=k)),
        (lambda o, e: sched.CyclicLR(o, 0.01, 0.1, 4, 3, mode="triangular2", last_epoch=e),
         lambda k: torch.CyclicLR(0.01, 0.1, 4, 3, mode="triangular2", last_epoch=k)),
        (lambda o, e: sched.OneCycleLR(o, 1.0, total_steps=60, last_epoch=e), lambda k: torch.OneCycleLR(1.0, total_steps=60, last_epoch=k)),
    ]
    model = torch_lib.nn.Linear(1, 1)

    def lrs(make, last_epoch, optimizer, n):
        scheduler, out = make(optimizer, last_epoch), []
        for _ in range(n):
            out.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about step order on a fresh optimizer
        for make, ours in pairs:
            for k in (0, 2, 7, 12):  # 4, 5, 9 and 11 resume at a change, where torch applies it twice (documented)
                first = torch_lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
                lrs(make, -1, first, k + 1)
                second = torch_lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
                second.load_state_dict(first.state_dict())
                close(evaluate(ours(k), jnp.arange(20)), lrs(make, k, second, 20), rtol=2e-6, atol=1e-7)
        # The documented difference: StepLR resumed where it decays decays the restored lr again.
        first = torch_lib.optim.SGD(model.parameters(), lr=0.1)
        lrs(pairs[2][0], -1, first, 5)
        second = torch_lib.optim.SGD(model.parameters(), lr=0.1)
        second.load_state_dict(first.state_dict())
        assert lrs(pairs[2][0], 4, second, 1)[0] == pytest.approx(0.025) and float(torch.StepLR(0.1, 5, 0.5, last_epoch=4)(0)) == pytest.approx(0.05)
        # SWALR after a MultiplicativeLR, as in torch's tests, stepped 12 times.
        optimizer = torch_lib.optim.SGD(model.parameters(), lr=0.1)
        before = sched.MultiplicativeLR(optimizer, lambda epoch: 0.9)
        swa = SWALR(optimizer, swa_lr=0.01, anneal_epochs=4)
        expected = []
        for epoch in range(12):
            expected.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            (swa if epoch >= 5 else before).step()
        close(evaluate(_swa(torch.MultiplicativeLR(0.1, lambda epoch: 0.9), 0.1, 5, 0.01, 4), jnp.arange(12)), expected, rtol=2e-6)


# transformers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    dict(num_warmup_steps=20, num_training_steps=120, min_lr_rate=0.1),
    dict(num_warmup_steps=0, num_training_steps=50, num_cycles=1.0, min_lr=0.02),
    dict(num_warmup_steps=1, num_training_steps=60, min_lr_rate=0.05, warmup_lr_rate=0.2),
])
def test_cosine_with_min_lr_lr_rate(kwargs):
    steps = jnp.arange(150)
    s = transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(0.1, **kwargs)
    close(evaluate(s, steps), [peers.hf_cosine_min_lr_rate(float(t), 0.1, **kwargs) for t in range(150)])


def test_cosine_with_min_lr_lr_rate_vmaps_over_the_warmup_across_its_two_forms():
    steps = jnp.arange(80)
    kwargs = dict(num_training_steps=70, min_lr_rate=0.1, warmup_lr_rate=0.3)
    batched = jax.jit(jax.vmap(lambda w: transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(0.1, w, **kwargs)(steps)))(
        jnp.array([0.0, 1.0, 12.0]))
    for row, w in zip(batched, [0, 1, 12]):
        close(row, [peers.hf_cosine_min_lr_rate(float(t), 0.1, w, **kwargs) for t in range(80)])


GET_SCHEDULER = [  # (name, get_scheduler's arguments, the re-derivation of transformers' function)
    ("linear", dict(num_warmup_steps=10, num_training_steps=100), lambda t: peers.hf_linear(t, 0.1, 10, 100)),
    ("cosine", dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs=dict(num_cycles=1.0)),
     lambda t: peers.hf_cosine(t, 0.1, 10, 100, 1.0)),
    ("cosine_with_restarts", dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs=dict(num_cycles=2)),
     lambda t: peers.hf_hard_restarts(t, 0.1, 10, 100, 2)),
    ("polynomial", dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs=dict(lr_end=0.01, power=2.0)),
     lambda t: peers.hf_polynomial(t, 0.1, 10, 100, 0.01, 2.0)),
    ("constant", dict(num_warmup_steps=10, num_training_steps=100), lambda t: 0.1),
    ("constant_with_warmup", dict(num_warmup_steps=10), lambda t: peers.hf_constant_warmup(t, 0.1, 10)),
    ("inverse_sqrt", dict(num_warmup_steps=10, scheduler_specific_kwargs=dict(timescale=30)), lambda t: peers.hf_inverse_sqrt(t, 0.1, 10, 30)),
    ("cosine_with_min_lr", dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs=dict(min_lr_rate=0.1)),
     lambda t: peers.hf_cosine_min_lr(t, 0.1, 10, 100, min_lr_rate=0.1)),
    ("cosine_warmup_with_min_lr", dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs=dict(min_lr=0.01)),
     lambda t: peers.hf_cosine_min_lr_rate(t, 0.1, 10, 100, min_lr=0.01)),
    ("warmup_stable_decay", dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs=dict(num_decay_steps=30)),
     lambda t: peers.hf_wsd(t, 0.1, 10, 30, num_training_steps=100)),
]


DIRECT = {  # what get_scheduler must call for GET_SCHEDULER's rows, written out
    "linear": lambda: transformers.get_linear_schedule_with_warmup(0.1, 10, 100),
    "cosine": lambda: transformers.get_cosine_schedule_with_warmup(0.1, 10, 100, num_cycles=1.0),
    "cosine_with_restarts": lambda: transformers.get_cosine_with_hard_restarts_schedule_with_warmup(0.1, 10, 100, num_cycles=2),
    "polynomial": lambda: transformers.get_polynomial_decay_schedule_with_warmup(0.1, 10, 100, lr_end=0.01, power=2.0),
    "constant": lambda: transformers.get_constant_schedule(0.1),
    "constant_with_warmup": lambda: transformers.get_constant_schedule_with_warmup(0.1, 10),
    "inverse_sqrt": lambda: transformers.get_inverse_sqrt_schedule(0.1, 10, timescale=30),
    "cosine_with_min_lr": lambda: transformers.get_cosine_with_min_lr_schedule_with_warmup(0.1, 10, 100, min_lr_rate=0.1),
    "cosine_warmup_with_min_lr": lambda: transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(0.1, 10, 100, min_lr=0.01),
    "warmup_stable_decay": lambda: transformers.get_wsd_schedule(0.1, 10, 30, num_training_steps=100),
}


@pytest.mark.parametrize("name, kwargs", [g[:2] for g in GET_SCHEDULER], ids=[g[0] for g in GET_SCHEDULER])
def test_get_scheduler_dispatches_every_scheduler_type(name, kwargs):
    """The schedule get_scheduler builds is the function's own (whose values tests/test_compat.py checks)."""
    assert_same_tree(transformers.get_scheduler(name, 0.1, **kwargs), DIRECT[name]())


def test_get_scheduler_values_of_the_new_type():
    s = transformers.get_scheduler("cosine_warmup_with_min_lr", 0.1, **GET_SCHEDULER[8][1])
    close(evaluate(s, jnp.arange(120)), [GET_SCHEDULER[8][2](float(t)) for t in range(120)])


def test_get_scheduler_plateau_and_refusals():
    controller = transformers.get_scheduler("reduce_lr_on_plateau", 0.1, scheduler_specific_kwargs=dict(patience=1, factor=0.5))
    state = controller.init()
    for m in [1.0, 1.0, 1.0]:
        state = controller.update(state, m)
    assert float(state.scale) == 0.5
    assert set(transformers.SCHEDULER_TYPES) | {"greedy"} == {
        "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt",
        "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay", "greedy"}
    with pytest.raises(ValueError, match=r"'step' is not a valid SchedulerType, please select one of \['linear'"):
        transformers.get_scheduler("step", 0.1, 10, 100)
    with pytest.raises(ValueError, match=r"'greedy' \(transformers' GreedyLR.*has no lrjax counterpart"):
        transformers.get_scheduler("greedy", 0.1)
    with pytest.raises(ValueError, match=r"cosine requires `num_warmup_steps`, please provide that argument."):
        transformers.get_scheduler("cosine", 0.1, num_training_steps=100)
    with pytest.raises(ValueError, match=r"linear requires `num_training_steps`, please provide that argument."):
        transformers.get_scheduler("linear", 0.1, num_warmup_steps=10)
    with pytest.raises(ValueError, match=r"One of min_lr or min_lr_rate should be set"):
        transformers.get_scheduler("cosine_warmup_with_min_lr", 0.1, 10, 100)


def test_transformers_schedules_resume_with_last_epoch():
    steps = jnp.arange(40)
    kwargs = dict(num_warmup_steps=10, num_training_steps=60, min_lr_rate=0.05, warmup_lr_rate=0.2)
    pairs = [
        (transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(0.1, **kwargs, last_epoch=6),
         lambda t: peers.hf_cosine_min_lr_rate(t + 7, 0.1, **kwargs)),
        (transformers.get_linear_schedule_with_warmup(0.1, 10, 100, last_epoch=4), lambda t: peers.hf_linear(t + 5, 0.1, 10, 100)),
        (transformers.get_wsd_schedule(0.1, 10, 20, num_training_steps=50, last_epoch=29), lambda t: peers.hf_wsd(t + 30, 0.1, 10, 20, 50)),
        (transformers.get_cosine_with_min_lr_schedule_with_warmup(0.1, 10, 100, min_lr_rate=0.1, last_epoch=0),
         lambda t: peers.hf_cosine_min_lr(t + 1, 0.1, 10, 100, min_lr_rate=0.1)),
    ]
    for ours, reference in pairs:
        close(evaluate(ours, steps), [reference(float(t)) for t in range(40)])
    assert repr(transformers.get_linear_schedule_with_warmup(0.1, 10, 100, last_epoch=-1)) == repr(transformers.get_linear_schedule_with_warmup(0.1, 10, 100))


def test_transformers_itself_dispatches_and_resumes_the_same():
    torch_lib = pytest.importorskip("torch", reason="torch is optional")
    hf = pytest.importorskip("transformers", reason="transformers is optional")
    model = torch_lib.nn.Linear(1, 1)

    def lrs(scheduler, optimizer, n=150):
        out = []
        for _ in range(n):
            out.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        return out

    for name, kwargs, _ in GET_SCHEDULER:
        optimizer = torch_lib.optim.SGD(model.parameters(), lr=0.1)
        theirs = lrs(hf.get_scheduler(name, optimizer, **kwargs), optimizer)
        close(evaluate(transformers.get_scheduler(name, 0.1, **kwargs), jnp.arange(150)), theirs, rtol=2e-6, err_msg=name)
    for kwargs in [dict(min_lr_rate=0.1, warmup_lr_rate=0.2), dict(min_lr=0.01)]:
        optimizer = torch_lib.optim.SGD(model.parameters(), lr=0.1)
        first = hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(optimizer, 10, 100, **kwargs)
        lrs(first, optimizer, 8)
        resumed = hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(optimizer, 10, 100, last_epoch=7, **kwargs)
        ours = transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(0.1, 10, 100, last_epoch=7, **kwargs)
        close(evaluate(ours, jnp.arange(120)), lrs(resumed, optimizer, 120), rtol=2e-6)


# timm -------------------------------------------------------------------------------------------------

WSD = [
    dict(t_initial=100, decay_t=20, lr_min=0.001, warmup_t=10, warmup_lr_init=0.01),
    dict(t_initial=100, decay_t=30, decay_fn="linear", stable_fn="rsqrt", warmup_t=10),
    dict(t_initial=80, decay_t=80, decay_fn="cosine", stable_fn="power", stable_power=0.3, stable_timescale=7, lr_min=0.02),
    dict(t_initial=100, decay_t=40, decay_fn="power", decay_power=2.0, warmup_t=5),
    dict(t_initial=100, decay_t=40, decay_fn="exp", decay_ratio=0.05, lr_min=0.01),
]


@pytest.mark.parametrize("kwargs", WSD, ids=[f"{k.get('stable_fn', 'constant')}-{k.get('decay_fn', '1-sqrt')}" for k in WSD])
def test_wsd(kwargs):
    steps = jnp.arange(160)
    close(evaluate(timm.WSDLRScheduler(0.1, **kwargs), steps), [peers.timm_wsd(float(t), 0.1, **kwargs) for t in range(160)])


def test_wsd_with_a_callable_decay_and_its_checks():
    s = timm.WSDLRScheduler(0.1, 50, 10, decay_fn=lambda f: 1 - f**3)
    close(evaluate(s, jnp.arange(70)), [peers.timm_wsd(float(t), 0.1, 50, 10, decay_fn=lambda f: 1 - f**3) for t in range(70)])
    for kwargs, message in [(dict(decay_t=0), r"decay_t must be in \(0, t_initial\]"), (dict(decay_t=60), r"decay_t must be in"),
                            (dict(stable_fn="rsqrt"), r"stable_fn=rsqrt requires a positive stable_timescale"),
                            (dict(decay_fn="step"), r"Invalid decay_fn \(step\)"), (dict(stable_fn="exp"), r"Invalid stable_fn \(exp\)")]:
        with pytest.raises(ValueError, match=message):
            timm.WSDLRScheduler(0.1, **{"t_initial": 50, "decay_t": 10, **kwargs})


def test_plateau_lr_scheduler_is_torchs_plateau_with_timms_arguments():
    accuracies = [0.5, 0.6, 0.6, 0.61, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    controller = timm.PlateauLRScheduler(0.1, decay_rate=0.5, patience_t=2, cooldown_t=1, lr_min=0.03)
    state, lrs = controller.init(), []
    for a in accuracies:
        state = controller.update(state, a)
        lrs.append(0.1 * float(state.scale))
    expected = peers.torch_plateau(accuracies, 0.1, mode="max", factor=0.5, patience=2, cooldown=1, min_lr=0.03)
    close(lrs, expected)
    assert min(expected) == pytest.approx(0.03)
    with pytest.raises(ValueError, match="warmup_t is not taken"):
        timm.PlateauLRScheduler(0.1, warmup_t=3)


@pytest.mark.parametrize("kwargs, expected", [
    (dict(t_initial=100), 100),
    (dict(t_initial=100, cycle_limit=3), 300),
    (dict(t_initial=100, cycle_limit=3, cycle_mul=2.0), 700),
    (dict(t_initial=10, cycle_limit=2, cycle_mul=1.5, warmup_t=5, warmup_prefix=True), 30),
    (dict(t_initial=10, cycle_limit=2, cycle_mul=1.5, warmup_t=5), 25),
    (dict(t_initial=7, cycle_limit=4, cycle_mul=1.3, cycles=2), 16),  # floor(7 * 2.3) = 16
])
def test_get_cycle_length(kwargs, expected):
    assert timm.get_cycle_length(**kwargs) == expected
    traced = jax.jit(lambda t: timm.get_cycle_length(t, **{k: v for k, v in kwargs.items() if k != "t_initial"}))(float(kwargs["t_initial"]))
    assert float(traced) == expected


W = dict(warmup_lr_init=1e-5)  # create_scheduler_v2's default warmup_lr
FACTORY = [  # (create_scheduler_v2 kwargs besides base_lr 0.1, the compat call timm's factory makes, timm's total epochs)
    (dict(sched="cosine", num_epochs=50, warmup_epochs=5, min_lr=1e-4, cooldown_epochs=5),
     lambda: timm.CosineLRScheduler(0.1, 50, lr_min=1e-4, cycle_decay=0.1, warmup_t=5, **W), 55),
    (dict(sched="cosine", num_epochs=20, cycle_limit=3, cycle_mul=2.0, cycle_decay=0.5, warmup_epochs=3, warmup_prefix=True, noise=[0.2, 0.5]),
     lambda: timm.CosineLRScheduler(0.1, 20, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=3, warmup_t=3, warmup_prefix=True, noise_range_t=[4, 10],
                                    **W), 143),
    (dict(sched="tanh", num_epochs=50, noise=0.5), lambda: timm.TanhLRScheduler(0.1, 50, cycle_decay=0.1, noise_range_t=25, **W), 50),
    (dict(sched="poly", num_epochs=50, decay_rate=2.0, warmup_epochs=4, k_decay=2.0),
     lambda: timm.PolyLRScheduler(0.1, 50, power=2.0, cycle_decay=0.1, warmup_t=4, k_decay=2.0, **W), 50),
    (dict(sched="step", decay_epochs=10, decay_rate=0.5, warmup_epochs=2, warmup_prefix=True, num_epochs=60),
     lambda: timm.StepLRScheduler(0.1, 10, 0.5, warmup_t=2, warmup_prefix=True, **W), 62),
    (dict(sched="constant", warmup_epochs=3, num_epochs=60), lambda: timm.StepLRScheduler(0.1, 1, 1.0, warmup_t=3, warmup_prefix=False, **W), 60),
    (dict(sched="multistep", decay_milestones=[10, 30], decay_rate=0.5, num_epochs=60),
     lambda: timm.MultiStepLRScheduler(0.1, [10, 30], 0.5, warmup_prefix=False, **W), 60),
    (dict(sched="wsd", num_epochs=60, warmup_epochs=5, cooldown_epochs=2), lambda: timm.WSDLRScheduler(0.1, 55, 11, warmup_t=5, **W), 62),
    (dict(sched="rsqrt", num_epochs=60, warmup_epochs=5, decay_epochs=10, warmup_prefix=True),
     lambda: timm.WSDLRScheduler(0.1, 60, 10, stable_fn="rsqrt", decay_fn="linear", warmup_t=5, **W), 65),
    (dict(sched="cosine", num_epochs=10, warmup_epochs=1, step_on_epochs=False, updates_per_epoch=7),
     lambda: timm.CosineLRScheduler(0.1, 70, cycle_decay=0.1, warmup_t=7, **W), 10),
    (dict(sched="cosine", num_epochs=10, warmup_epochs=1, updates_per_epoch=7),
     lambda: lrjax.per_epoch(timm.CosineLRScheduler(0.1, 10, cycle_decay=0.1, warmup_t=1, **W), steps_per_epoch=7), 10),
]


@pytest.mark.parametrize("kwargs, direct, total", FACTORY, ids=[f"{f[0]['sched']}{i}" for i, f in enumerate(FACTORY)])
def test_create_scheduler_v2_covers_every_name(kwargs, direct, total):
    """The schedule is the compat scheduler timm's factory builds, with timm's arguments (their values are
    checked against timm in tests/test_compat.py and below), and the total is timm's."""
    schedule, epochs = timm.create_scheduler_v2(0.1, **kwargs)
    assert epochs == total
    assert_same_tree(schedule, direct())


def test_create_scheduler_v2_per_epoch_values_none_plateau_and_refusals():
    stepped, _ = timm.create_scheduler_v2(0.1, "cosine", num_epochs=10, warmup_epochs=1, updates_per_epoch=7)
    close(evaluate(stepped, jnp.arange(80)),
          [peers.timm_cosine(float(t // 7), 0.1, 10, cycle_decay=0.1, warmup_t=1, warmup_lr_init=1e-5) for t in range(80)])
    assert timm.create_scheduler_v2(0.1, "none", num_epochs=10, warmup_epochs=2, warmup_prefix=True) == (None, 12)
    controller, epochs = timm.create_scheduler_v2(0.1, "plateau", num_epochs=10, plateau_mode="min", patience_epochs=0)
    assert epochs == 10 and float(controller.update(controller.update(controller.init(), 1.0), 1.0).scale) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="Unknown scheduler 'cyclic'."):
        timm.create_scheduler_v2(0.1, "cyclic")
    with pytest.raises(ValueError, match="Plateau LR only supports step per epoch."):
        timm.create_scheduler_v2(0.1, "plateau", step_on_epochs=False, updates_per_epoch=3)
    with pytest.raises(ValueError, match=r"wsd schedule requires 0 < decay_epochs <= epochs - warmup_epochs, got decay 20"):
        timm.create_scheduler_v2(0.1, "wsd", num_epochs=20, warmup_epochs=5, decay_epochs=20)


def test_scheduler_kwargs_feed_create_scheduler_v2():
    import types

    cfg = types.SimpleNamespace(sched="cosine", epochs=30, warmup_epochs=3, lr_cycle_limit=2, min_lr=1e-4, eval_metric="top1")
    kwargs = timm.scheduler_kwargs(cfg)
    assert kwargs["plateau_mode"] == "max" and kwargs["cycle_decay"] == 0.1 and kwargs["step_on_epochs"]
    schedule, epochs = timm.create_scheduler_v2(0.1, **kwargs)
    assert epochs == 60
    assert_same_tree(schedule, timm.CosineLRScheduler(0.1, 30, lr_min=1e-4, cycle_decay=0.1, cycle_limit=2, warmup_t=3, warmup_lr_init=1e-5))


def test_timm_itself_gives_the_same_values():
    torch_lib = pytest.importorskip("torch", reason="torch is optional")
    timm_lib = pytest.importorskip("timm.scheduler", reason="timm is optional")
    model = torch_lib.nn.Linear(1, 1)

    def optimizer():
        return torch_lib.optim.SGD(model.parameters(), lr=0.1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # timm deprecates its plateau scheduler
        for kwargs in WSD:
            o = optimizer()
            theirs = timm_lib.WSDLRScheduler(o, t_in_epochs=False, **kwargs)
            expected = []
            for t in range(160):
                theirs.step_update(t)
                expected.append(o.param_groups[0]["lr"])
            close(evaluate(timm.WSDLRScheduler(0.1, **kwargs), jnp.arange(160)), expected, rtol=2e-6, err_msg=str(kwargs))
        for kwargs, _, total in FACTORY:
            o = optimizer()
            theirs, epochs = timm_lib.create_scheduler_v2(o, **kwargs)
            assert epochs == total
            ours, _ = timm.create_scheduler_v2(0.1, **kwargs)
            expected = []
            per_update = not kwargs.get("step_on_epochs", True) or kwargs.get("updates_per_epoch", 0)
            for t in range(100):
                if kwargs.get("step_on_epochs", True):
                    theirs.step(t // kwargs["updates_per_epoch"] if per_update else t)
                else:
                    theirs.step_update(t)
                expected.append(o.param_groups[0]["lr"])
            if "noise" in kwargs:  # timm's draws are torch's generator's; outside the noise range the values are timm's
                window = np.array([not (4 <= t < 10) if isinstance(kwargs["noise"], list) else t < 25 for t in range(100)])
                close(np.asarray(evaluate(ours, jnp.arange(100)))[window], np.asarray(expected)[window], rtol=2e-6, err_msg=str(kwargs))
            else:
                close(evaluate(ours, jnp.arange(100)), expected, rtol=2e-6, err_msg=str(kwargs))
            if hasattr(theirs, "get_cycle_length") and kwargs["sched"] not in ("wsd", "rsqrt"):
                t_initial = kwargs["num_epochs"] * (kwargs["updates_per_epoch"] if not kwargs.get("step_on_epochs", True) else 1)
                warmup_t = kwargs.get("warmup_epochs", 0) * (kwargs["updates_per_epoch"] if not kwargs.get("step_on_epochs", True) else 1)
                for cycles in (0, 1, 2, 5):
                    assert timm.get_cycle_length(t_initial, kwargs.get("cycle_mul", 1.0), kwargs.get("cycle_limit", 1), warmup_t,
                                                 kwargs.get("warmup_prefix", False), cycles) == theirs.get_cycle_length(cycles)
        accuracies = [0.5, 0.6, 0.6, 0.61, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
        o = optimizer()
        theirs = timm_lib.PlateauLRScheduler(o, decay_rate=0.5, patience_t=2, cooldown_t=1, lr_min=0.03)
        controller = timm.PlateauLRScheduler(0.1, decay_rate=0.5, patience_t=2, cooldown_t=1, lr_min=0.03)
        state = controller.init()
        for epoch, accuracy in enumerate(accuracies):
            theirs.step(epoch + 1, accuracy)  # timm's train loop
            state = controller.update(state, accuracy)
            assert 0.1 * float(state.scale) == pytest.approx(o.param_groups[0]["lr"], rel=1e-6)


# optax: no no-op nodes in what compat prints ------------------------------------------------------------


def test_compat_optax_prints_no_no_op_nodes():
    from lrjax.compat import optax

    for s in [optax.warmup_cosine_decay_schedule(0.0, 1.0, 100, 1000), optax.warmup_cosine_decay_schedule(0.0, 1.0, 0, 1000),
              optax.warmup_exponential_decay_schedule(0.0, 1.0, 10, 10, 0.5), optax.linear_schedule(0.0, 1.0, 10),
              optax.exponential_decay(1.0, 10, 0.5, end_value=0.1), optax.polynomial_schedule(1.0, 0.0, 2.0, 10, transition_begin=-3)]:
        assert "shift(" not in repr(s) and "steps=0)" not in repr(s) and "boundaries=[0]" not in repr(s), repr(s)
    assert repr(optax.warmup_cosine_decay_schedule(0.0, 1.0, 0, 1000)) == repr(optax.cosine_decay_schedule(1.0, 1000))
    assert "shift(" in repr(optax.linear_schedule(0.0, 1.0, 10, transition_begin=5))  # a real delay stays
    close(evaluate(optax.warmup_cosine_decay_schedule(0.0, 1.0, 0, 100, end_value=0.1), jnp.array([0, 50, 100])),
          [peers.optax_warmup_cosine(t, 0.0, 1.0, 0, 100, 0.1) for t in (0, 50, 100)])


@pytest.mark.parametrize("make, reference", [
    (lambda m: m.timm.CosineLRScheduler(1.0, t_initial=100), lambda t: peers.timm_cosine(t, 1.0, 100)),
    (lambda m: m.timm.CosineLRScheduler(1.0, t_initial=100, warmup_prefix=True), lambda t: peers.timm_cosine(t, 1.0, 100, warmup_prefix=True)),
    (lambda m: m.timm.StepLRScheduler(1.0, decay_t=10, decay_rate=0.5), lambda t: peers.timm_step(t, 1.0, 10, 0.5)),
    (lambda m: m.transformers.get_linear_schedule_with_warmup(1.0, 0, 100), lambda t: max(0.0, (100 - t) / 100)),
    (lambda m: m.transformers.get_constant_schedule_with_warmup(1.0, 0), lambda t: 1.0),
    (lambda m: m.transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(1.0, 1, 100, min_lr_rate=0.1),
     lambda t: 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t / 99))),
])
def test_compat_timm_and_transformers_print_no_no_op_warmup(make, reference):
    # A warmup of 0 steps (the default in timm) printed a join or blend that changed nothing; transformers' lr-rate
    # cosine with one warmup step joined a ramp that ended where it began.
    from lrjax import compat

    s = make(compat)
    assert "steps=0" not in repr(s) and "boundaries=[0]" not in repr(s), repr(s)
    t = np.arange(0, 100, 7)
    close(evaluate(s, jnp.asarray(t)), [reference(float(x)) for x in t])

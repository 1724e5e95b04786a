"""Property-based fuzzing: random schedule trees, and mutated expressions, configs and commands.

Trees (`tests/trees.py`) are drawn over every public kind except ``from_fn``
and ``plateau``, nested up to 3 combinators deep, with extreme hyperparameters,
and evaluated at extreme integer steps (negative, 0, 1, 2**24 - 1, 2**24,
2**24 + 1, 2**31 - 1) and float steps (0.5, 1e6 + 0.25, ...). For each tree:

- values are finite (where the tree's magnitude bound, `trees.bound`, is below
  float32's range), and so are the gradients of their sum with respect to every
  leaf (unless a leaf is of magnitude >= 1e20, the bound is above 1e25, or the
  tree draws noise);
- eager evaluation, jit with the schedule closed over and jit with the
  schedule as an argument agree within ``TOLERANCE_ULPS`` float ulps of the
  tree's scale: the largest |value| of any node of the tree at these steps or
  |number| it holds, plus, per step, the first-order condition number
  ``sum |dv/dx| |x|`` over the leaves that are not durations, `sensitivity`. Rounding
  differs between the three (XLA fuses, folds constants with its own libm and
  may contract differently); each differently rounded operation gives the
  result of inputs changed by an ulp or so, which moves the value by at most a
  few ulps of the largest intermediate, or, in an ill-conditioned formula such
  as ``factor ** t`` at t = 2**31, by the condition number times an ulp. A wrong
  branch, cycle or piece (the defects this looks for) is off by the order of
  the values themselves;
- ``parse(repr(s))`` and ``from_config`` of the JSON round trip of
  ``to_config(s)`` rebuild it bit-identically;
- a pair of it and a perturbed copy stacks, vmaps to the members' values and
  round-trips through configs and expressions.

The same runs under x64 in a subprocess (int64 steps up to 2**62, float64
values). `parse`, `from_config` and ``python -m lrjax show`` are fuzzed with
mutated inputs: every failure is one one-line `ValueError` (the command: exit
status 2 and one line on stderr), within a time bound.

Profiles: by default (CI) a few examples each, about 30 s in all.
``LRJAX_FUZZ_SECONDS=N`` runs for about N seconds in total, shared among the
tests, with fresh random examples, and writes the counts of trees and inputs
tried to ``LRJAX_FUZZ_COUNTS`` (default ``/tmp/lrjax_fuzz_counts.json``).
"""

from __future__ import annotations

import collections
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import lrjax

from . import trees as T
from .helpers import assert_same_tree, evaluate

SECONDS = float(os.environ.get("LRJAX_FUZZ_SECONDS") or 0)
LONG = SECONDS > 0
COUNTS_PATH = Path(os.environ.get("LRJAX_FUZZ_COUNTS", "/tmp/lrjax_fuzz_counts.json"))
#: Seconds one `parse` or `from_config` call may take; the command gets more (it starts a Python and JAX).
CALL_SECONDS = 5.0
COMMAND_SECONDS = 60.0
#: Share of LRJAX_FUZZ_SECONDS each test gets in the long profile.
SHARES = {"trees": 0.5, "x64": 0.15, "parse": 0.12, "config": 0.13, "command": 0.1}
#: Eager, jitted and closed-over values agree within this many ulps of the tree's scale (see the module docstring).
TOLERANCE_ULPS = 128

ROOT = Path(__file__).resolve().parent.parent
COUNTS: collections.Counter = collections.Counter()

INT_STEPS = np.array([-(2**31), -7, -1, 0, 1, 2, 3, 255, 256, 1000, 2**24 - 1, 2**24, 2**24 + 1, 2**31 - 2, 2**31 - 1], np.int32)
FLOAT_STEPS = np.array([-0.5, 0.0, 0.25, 0.5, 1.5, 2.5, 99.75, 1e6 + 0.25, 2**23 + 0.5, 2**24, 2**31], np.float32)
X64_INT_STEPS = np.array([-1, 0, 1, 2**24 + 1, 2**31 - 1, 2**31, 2**32 + 1, 2**53 + 1, 2**62], np.int64)
X64_FLOAT_STEPS = np.array([-0.5, 0.5, 1e6 + 0.25, 2**31 + 0.5, 2**40 + 0.25, 1e15 + 0.5], np.float64)


def profile(ci_examples: int, long_examples: int = 25) -> settings:
    """CI: a few (derandomized under CI=true) examples; long: batches of fresh random examples, repeated by `repeat`."""
    quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    # LRJAX_FUZZ_NO_SHRINK=1 reports the first failing example as found (shrinking a deep tree can take minutes).
    phases = [p for p in Phase if p != Phase.shrink or not os.environ.get("LRJAX_FUZZ_NO_SHRINK")]
    if LONG:
        return settings(max_examples=long_examples, deadline=None, derandomize=False, database=None, suppress_health_check=quiet,
                        phases=phases)
    return settings(max_examples=ci_examples, deadline=None, suppress_health_check=quiet, phases=phases)


def repeat(name: str, run) -> None:
    """Runs a hypothesis test once (CI), or again and again for its share of LRJAX_FUZZ_SECONDS (long).

    In the long profile a failing batch is recorded (in the counts file and
    ``<counts>.failures.log``) and the search goes on; the test fails at the end.
    """
    start = time.monotonic()
    failures = []
    while True:
        try:
            run()
        except Exception as e:  # noqa: BLE001 - long profile: record, then keep searching
            if not LONG:
                raise
            notes = "\n".join(getattr(e, "__notes__", []))  # hypothesis's failing example
            failures.append(f"{type(e).__name__}: {e}"[:20000] + "\n" + notes[:20000])
            with open(f"{COUNTS_PATH}.failures.log", "a") as log:
                log.write(f"=== {name} ===\n{failures[-1]}\n")
        COUNTS[f"{name}_batches"] += 1
        COUNTS[f"{name}_failures"] = len(failures)
        COUNTS[f"{name}_seconds"] = round(time.monotonic() - start, 1)
        write_counts()
        if not LONG or time.monotonic() - start >= SHARES[name] * SECONDS:
            break
    assert not failures, f"{len(failures)} failing batches, first:\n{failures[0]}"


def write_counts() -> None:
    """The long profile's counts, merged into LRJAX_FUZZ_COUNTS (the CI profile writes nothing)."""
    if not LONG:
        return
    try:
        old = json.loads(COUNTS_PATH.read_text()) if COUNTS_PATH.exists() else {}
    except (OSError, ValueError):
        old = {}
    old.update({k: v for k, v in COUNTS.items()})
    old["profile"] = f"long ({SECONDS:.0f} s)" if LONG else "ci"
    try:
        COUNTS_PATH.write_text(json.dumps(old, indent=1, sort_keys=True))
    except OSError:
        pass


# Trees: values, gradients, jit and round trips ------------------------------------


@jax.jit
def _gradient(schedule, t):
    return jax.grad(lambda s: jnp.sum(s(t)))(schedule)


def _scale(s: lrjax.Schedule, t: np.ndarray) -> float:
    """The largest |value| any node of ``s`` takes at ``t``, or any number a node holds: the size of what is rounded."""
    scale = 0.0
    for node in T.nodes(s):
        parts = [node] + (list(T.nodes(node.composed())) if isinstance(node, lrjax.Preset) else [])
        for part in parts:
            v = np.abs(np.asarray(part(t), np.float64))
            scale = max(scale, float(np.max(v, initial=0.0)), T._value_leaves(part))
    return scale


def sensitivity(s: lrjax.Schedule, t: np.ndarray) -> np.ndarray:
    """Per step, how far changes of one ulp in the numbers of ``s`` move the value: ``sum |dv/dx| |x|``.

    The first-order condition number over the leaves ``x`` other than durations.
    Rounding that differs (eager, jit, constants folded with another libm) in a
    transcendental of a number gives the result of that number changed by an ulp
    or so, and an ill-conditioned formula (``factor ** t`` at t = 2**31)
    amplifies that. Durations and steps are exact inputs, computed on exactly
    (integer and blocked float arithmetic), so they add nothing: a wrong cycle
    or piece at a large step is still found.
    """
    paths_and_leaves, treedef = jax.tree_util.tree_flatten_with_path(s)
    leaves = [x for _, x in paths_and_leaves]
    counted = [not (path and isinstance(path[-1], jax.tree_util.GetAttrKey) and path[-1].name in ("coarse", "fine"))
               for path, _ in paths_and_leaves]

    def value(xs, t):
        return jax.tree.unflatten(treedef, xs)(t)

    jacobians = jax.jit(jax.jacfwd(value))(leaves, t)
    out = np.zeros(t.shape)
    with np.errstate(all="ignore"):  # inf * 0 where a value overflowed: NaN, counted as 0 below
        for jac, x, use in zip(jacobians, leaves, counted, strict=True):
            if use:
                x = np.abs(np.asarray(x, np.float64))
                out += np.sum((np.abs(np.asarray(jac, np.float64)) * x).reshape(t.shape + (-1,)), axis=-1)
    return np.nan_to_num(out, nan=0.0)


def assert_close(x, y, scale: float, what: str, conditioning=None) -> None:
    """``x`` and ``y`` within TOLERANCE_ULPS ulps of ``scale``, or of ``scale`` plus ``conditioning()`` (per element)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    assert x.shape == y.shape, (what, x.shape, y.shape)
    eps = float(np.finfo(jnp.result_type(float)).eps)

    def off(tolerance):
        both_finite = np.isfinite(x) & np.isfinite(y)
        with np.errstate(invalid="ignore", over="ignore"):
            # Beyond float range (a bound over 1e37, where finiteness is not asked) inf - inf is NaN in both.
            same = (x == y) | (np.isnan(x) & np.isnan(y))
            # A tolerance beyond float range (the scale overflowed): one order of evaluation may overflow
            # where another does not (found: 1e20 + (710 + 1e30) - 1e30, then times -1e30: -0 vs -inf).
            unbounded = ~np.isfinite(np.broadcast_to(tolerance, x.shape))
            return ~(both_finite & (np.abs(x - y) <= tolerance)) & ~(~both_finite & (same | unbounded))

    tolerance = TOLERANCE_ULPS * eps * scale
    if off(tolerance).any() and conditioning is not None:
        COUNTS["conditioning_computed"] += 1
        tolerance = TOLERANCE_ULPS * eps * (scale + conditioning())
    bad = off(tolerance)
    assert not bad.any(), f"{what}: {x[bad]} vs {y[bad]} (tolerance {np.broadcast_to(tolerance, bad.shape)[bad]}) at {np.nonzero(bad)}"


def check_tree(s: lrjax.Schedule, steps: tuple[np.ndarray, ...], finite_below: float, grad_below: float,
               grad_at: np.ndarray | None) -> None:
    """Every tree property at ``steps`` (an int array and a float array); gradients at ``grad_at``."""
    bound = T.bound(s)
    closed = jax.jit(lambda t: s(t))
    for t in steps:
        eager = np.asarray(s(t))
        assert eager.shape == t.shape and eager.dtype == s.dtype, (eager.shape, eager.dtype)
        jitted = np.asarray(evaluate(s, t))
        folded = np.asarray(closed(t))
        if bound < finite_below:
            assert np.all(np.isfinite(eager)), f"not finite at {t[~np.isfinite(eager)]}: {eager[~np.isfinite(eager)]}"
        scale = _scale(s, t)
        conditioning = functools.partial(sensitivity, s, t)
        assert_close(jitted, eager, scale, f"jit vs eager at {t}", conditioning)
        assert_close(folded, eager, scale, f"closed-over jit vs eager at {t}", conditioning)
        COUNTS["tree_steps"] += t.size
    if grad_at is not None and not T.has_noise(s) and T.largest_leaf(s) < 1e20 and bound < grad_below:
        # At one of the step arrays (drawn): compiling a gradient is the costliest part of an example.
        for path, g in jax.tree_util.tree_leaves_with_path(_gradient(s, grad_at)):
            assert np.all(np.isfinite(g)), f"gradient at steps {grad_at} not finite at {jax.tree_util.keystr(path)}: {g}"
        COUNTS["gradients_checked"] += 1
    check_round_trips(s)


def check_round_trips(s: lrjax.Schedule) -> None:
    assert_same_tree(lrjax.parse(repr(s)), s)
    config = json.loads(json.dumps(lrjax.to_config(s)))
    assert_same_tree(lrjax.from_config(config), s)


def check_pair(a: lrjax.Schedule, b: lrjax.Schedule, steps: tuple[np.ndarray, ...]) -> None:
    batch = lrjax.stack([a, b])
    for t in steps:
        both = np.asarray(evaluate(batch, t))
        each = [np.asarray(evaluate(x, t)) for x in (a, b)]
        assert both.shape == (2,) + t.shape
        scale = max(_scale(a, t), _scale(b, t))
        assert_close(both[0], each[0], scale, f"stacked[0] at {t}", functools.partial(sensitivity, a, t))
        assert_close(both[1], each[1], scale, f"stacked[1] at {t}", functools.partial(sensitivity, b, t))
    check_round_trips(batch)
    COUNTS["pairs"] += 1


@st.composite
def tree_and_partner(draw, depth: int = 3):
    """A tree, a perturbed copy of one structure, and which step array (0: int, 1: float) gradients and pairs are checked at."""
    s = draw(T.schedules(depth))
    try:
        partner = lrjax.from_config(draw(T.perturbed_config(lrjax.to_config(s))))
    except ValueError:  # a perturbation broke a relation between fields: stack the tree with itself
        partner = s
    return s, partner, draw(st.integers(0, 1))


def _trees_body(drawn, finite_below: float, grad_below: float, steps: tuple[np.ndarray, ...]) -> None:
    s, partner, grad_at = drawn
    COUNTS["trees"] += 1
    COUNTS.update(f"kind:{k}" for k in T.kinds_in(s))
    check_tree(s, steps, finite_below, grad_below, steps[grad_at])
    check_pair(s, partner, (steps[grad_at],))


def test_random_trees():
    """Finite values and gradients, eager == jit == closed-over jit, bit-identical round trips, stacked pairs."""
    repeat("trees", settings(profile(6, 20))(given(tree_and_partner())(lambda pair: _trees_body(pair, 1e37, 1e25, (INT_STEPS, FLOAT_STEPS)))))


def test_every_kind_is_drawn():
    """The strategies reach every public kind but from_fn and plateau (a new kind is fuzzed once it is in KINDS)."""
    assert set(T.LEAF_KINDS) | set(T.COMBINATORS) == set(lrjax._registry.KINDS) - {"from_fn", "plateau"}
    assert "keras.PolynomialDecay" in T.LEAF_KINDS and "join" in T.COMBINATORS


def x64_main(examples: int, seconds: float) -> None:
    """The tree properties under jax_enable_x64: int64 steps up to 2**62, float64 values (run in a subprocess)."""
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_numpy_dtype_promotion", "strict")
    T.GROWTH = float(np.sqrt(np.finfo(np.float64).max))
    run = settings(max_examples=examples, deadline=None, derandomize=not LONG and bool(os.environ.get("CI")), database=None,
                   suppress_health_check=list(HealthCheck))(given(tree_and_partner(depth=2))(
                       lambda pair: _trees_body(pair, 1e300, 1e250, (X64_INT_STEPS, X64_FLOAT_STEPS))))
    start = time.monotonic()
    run()
    while time.monotonic() - start < seconds:
        run()
    print(json.dumps({"x64_" + k: v for k, v in COUNTS.items() if not k.startswith("kind:")}))


def test_random_trees_under_x64():
    seconds = SHARES["x64"] * SECONDS
    examples = 20 if LONG else 3
    env = {**os.environ, "JAX_ENABLE_X64": "1"}
    done = subprocess.run([sys.executable, "-m", "tests.test_fuzz", "x64", str(examples), str(seconds)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=seconds + 300)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    COUNTS.update(json.loads(done.stdout.strip().splitlines()[-1]))
    write_counts()


# Parse, from_config and the command: one ValueError, one line, in bounded time ---------

TOKENS = ["(", ")", "[", "]", ",", "=", "+", "-", "*", "/", "**", ".", "1e400", "10**400", "99999999999999999999999", "-0.0", "1j",
          "nan", "inf", "None", "True", "'cosine'", "\"x\"", "lambda x: x", "__import__('os')", "x.y", "[1, [2, 3]]", "[]",
          "cosine", "warmup", "join", "keras.PolynomialDecay", "from_fn", "plateau", "steps=", "init=", "shape='cosine'",
          "\\", "\n", "\t", "\x00", "é", "\ud800", "😀", "#", ":", ";", "{", "}", "@", "...", "2**31", "1_000", "0x10", "0b1"]


@st.composite
def mutated_expressions(draw) -> str:
    text = repr(draw(T.schedules(2)))
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["delete", "insert", "swap", "token", "replace", "duplicate", "nest", "truncate"]))
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 12)))
        if how == "delete":
            text = text[:i] + text[j:]
        elif how == "insert":
            text = text[:i] + draw(st.characters()) + text[i:]
        elif how == "swap" and j < len(text):
            text = text[:i] + text[j] + text[i + 1:j] + text[i] + text[j + 1:] if i < j else text
        elif how == "token":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
        elif how == "replace":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[j:]
        elif how == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif how == "nest":
            n = draw(st.sampled_from([2, 70, 500]))
            text = draw(st.sampled_from(["(", "[", "-", "warmup("])) * n + text + ")" * n
        else:
            text = text[:i]
    return text


random_tokens = st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join)


def expect_value_error_or_tree(call, *args):
    """``call(*args)``: a tree, or exactly one ValueError with a one-line message; within CALL_SECONDS."""
    start = time.monotonic()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call(*args)
        assert not caught, f"{call.__name__} warned: {[str(w.message) for w in caught]}"
    except ValueError as e:
        result = e
        message = str(e)
        assert message and "\n" not in message and "\r" not in message, f"not one line: {message!r}"
        assert type(e) is ValueError, f"{type(e).__name__}: {message}"
    elapsed = time.monotonic() - start
    assert elapsed < CALL_SECONDS, f"{call.__name__} took {elapsed:.1f} s"
    return result


def check_built(s) -> None:
    """What parse or from_config accepted evaluates, and rebuilds itself."""
    if not isinstance(s, lrjax.Schedule):
        return
    out = s(jnp.asarray([0, 7, 2**31 - 1], jnp.int32))
    assert out.shape[-1] == 3
    assert_same_tree(lrjax.parse(repr(s)), s)
    assert_same_tree(lrjax.from_config(json.loads(json.dumps(lrjax.to_config(s)))), s)
    COUNTS["accepted"] += 1


def _parse_body(text: str) -> None:
    COUNTS["expressions"] += 1
    check_built(expect_value_error_or_tree(lrjax.parse, text))


def test_parse_fuzz():
    repeat("parse", settings(profile(60, 200))(given(st.one_of(mutated_expressions(), random_tokens))(_parse_body)))


def junk(depth: int = 2) -> st.SearchStrategy:
    scalars = st.one_of(
        st.none(), st.booleans(), st.sampled_from([0, -1, 1, 2**31, 2**63, -(2**64), 10**30, 10**400, 0.5, -1e308, 1e308]),
        st.floats(), st.text(max_size=8), st.sampled_from(["cosine", "+", "*", "from_fn", "plateau", "", "1.0", "NaN"]),
        st.integers(),
    )
    if depth == 0:
        return scalars
    return st.one_of(scalars, st.lists(junk(depth - 1), max_size=4), st.dictionaries(st.text(max_size=6), junk(depth - 1), max_size=3),
                     st.fixed_dictionaries({"type": st.sampled_from(sorted(T.DRAWN) + ["+", "*"])}, optional={"x": junk(depth - 1)}))


def _paths(node, path=()):
    """The paths into a JSON value, down to 40 levels (deeper nesting is mutated as a whole)."""
    yield path
    if len(path) >= 40:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


def _replace(node, path, value):
    if not path:
        return value
    if isinstance(node, dict):
        return {**node, path[0]: _replace(node[path[0]], path[1:], value)}
    return [(_replace(v, path[1:], value) if i == path[0] else v) for i, v in enumerate(node)]


def _nested(n: int, config: dict) -> dict:
    node = config["schedule"]
    for _ in range(n):
        node = {"type": "shift", "schedule": node, "steps": 1}
    return {**config, "schedule": node}


@st.composite
def mutated_configs(draw) -> object:
    s = draw(T.schedules(2))
    if draw(st.booleans()):
        s = lrjax.stack([s, s])
    config = json.loads(json.dumps(lrjax.to_config(s)))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["replace", "replace", "delete", "add", "batch", "nest", "list"]))
        paths = list(_paths(config))
        if how == "replace":
            config = _replace(config, draw(st.sampled_from(paths)), draw(junk()))
        elif how == "delete":
            path = draw(st.sampled_from(paths))
            if path and isinstance(path[-1], str):
                parent = _paths_get(config, path[:-1])
                config = _replace(config, path[:-1], {k: v for k, v in parent.items() if k != path[-1]})
        elif how == "add":
            path = draw(st.sampled_from([p for p in paths if isinstance(_paths_get(config, p), dict)]))
            node = _paths_get(config, path)
            config = _replace(config, path, {**node, draw(st.sampled_from(["steps", "x", "init", "schedule", "type"])): draw(junk(1))})
        elif how == "batch":
            config = {**config, "batch_shape": draw(st.one_of(junk(1), st.sampled_from([[5000], [0], [-1], [2, 2], [2**70], [1] * 40, []])))}
        elif how == "nest":
            if isinstance(config, dict) and "schedule" in config:
                # 150 levels: deeper breaks hypothesis's printing of a failing example
                config = _nested(draw(st.sampled_from([10, 63, 64, 65, 150])), config)
        else:
            path = draw(st.sampled_from(paths))
            node = _paths_get(config, path)
            config = _replace(config, path, draw(st.sampled_from([[node], [node, node], [[node]], [node] * 3, [[0.5] * 2] * 3])))
        if not isinstance(config, dict):
            break
    return config


def _paths_get(node, path):
    for k in path:
        node = node[k]
    return node


def _config_body(config) -> None:
    COUNTS["configs"] += 1
    check_built(expect_value_error_or_tree(lrjax.from_config, config))


def test_from_config_fuzz():
    repeat("config", settings(profile(40, 150))(given(mutated_configs())(_config_body)))


def run_command(specs: list[str]) -> None:
    """``python -m lrjax show SPEC`` for each spec, side by side: exit 0, or exit 2 with one line on stderr."""
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for i, spec in enumerate(specs):
            if not isinstance(spec, str):  # a config: written to a file
                path = Path(tmp) / f"config{i}.json"
                try:
                    path.write_text(json.dumps(spec))
                except RecursionError:  # nested deeper than json writes: such files are fuzzed as text
                    continue
                spec = str(path)
            if "\x00" in spec or any("\ud800" <= c <= "\udfff" for c in spec):
                continue  # not a command-line argument at all
            process = subprocess.Popen([sys.executable, "-m", "lrjax", "show", "--", spec], cwd=tmp, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, errors="replace")
            runs.append((spec, process))
        results = []
        for spec, process in runs:  # every process is waited for (and its pipes closed) before any check
            try:
                out, err = process.communicate(timeout=COMMAND_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                err = None
            results.append((spec, process.returncode, err))
        for spec, code, err in results:
            assert err is not None, f"lrjax show {spec!r} ran over {COMMAND_SECONDS} s"
            COUNTS["commands"] += 1
            assert code in (0, 2), f"lrjax show {spec!r}: exit {code}\n{err[-3000:]}"
            if code == 2:
                assert len(err.splitlines()) == 1 and err.startswith("lrjax show: error: "), f"lrjax show {spec!r}:\n{err[-3000:]}"
            else:
                assert err == "", f"lrjax show {spec!r}:\n{err[-3000:]}"

FIXED_COMMANDS = [
    "warmup(cosine(1e30, steps=2147483647), steps=0",
    {"format": "lrjax", "version": 2, "schedule": {"type": ["cosine"], "init": 1.0, "steps": 10}},
    "restart(cosine(1.0, steps=10), period=10, mult=1000.0) * 1e-30",
]


def test_command_fuzz():
    if not LONG:
        run_command(FIXED_COMMANDS)
        return
    specs = st.lists(st.one_of(mutated_expressions(), mutated_configs()), min_size=4, max_size=4)
    repeat("command", settings(profile(0, 3))(given(specs)(run_command)))


if __name__ == "__main__" and sys.argv[1:2] == ["x64"]:
    x64_main(int(sys.argv[2]), float(sys.argv[3]))

"""The `lrjax` command (show, plot) and the curve helpers `lrjax.values` and `lrjax.plot`."""

import json
import shutil
import subprocess
import sys

import jax.numpy as jnp
import numpy as np
import pytest

import lrjax
from lrjax._cli import horizon, main, milestones, sparkline

SPEC = "warmup(cosine(init=1e-3, steps=10000), steps=500)"


def run(*args):
    """The command as users run it, in a fresh process."""
    return subprocess.run([sys.executable, "-m", "lrjax", *args], capture_output=True, text=True, timeout=120)


def test_show_prints_expression_milestones_extremes_and_sparkline(capsys):
    assert main(["show", SPEC]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "warmup(cosine(init=0.001, steps=10000), steps=500)"
    rows = {int(line.split()[0]): float(line.split()[1]) for line in lines if line[:12].strip().isdigit()}
    # Start, end of the warmup, end of the cosine, and the last step shown (10% past the durations).
    assert rows == {0: 0.0, 500: 1e-3, 10500: 0.0, 11550: 0.0}
    assert "min 0 at step 0, max 0.001 at step 500 (steps 0 to 11550)" in lines
    spark = lines[-1]
    assert len(spark) == 64 and spark[0] in "▁▂" and "█" in spark[:8] and spark.endswith("▁▁▁")


def test_show_at_requested_steps_and_horizon(capsys):
    assert main(["show", "piecewise_constant([1, 0.1, 0.01], boundaries=[100, 200])", "--at", "0,99,100,5000", "--steps", "300"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line[:12].strip().isdigit()]
    assert rows == [["0", "1"], ["99", "1"], ["100", "0.1"], ["5000", "0.01"]]
    assert "min 0.01 at step 200, max 1 at step 0 (steps 0 to 300)" in out


def test_show_finds_jumps_and_kinks():
    t = np.arange(301)
    assert milestones(t, np.where(t < 100, 1.0, np.where(t < 200, 0.1, 0.01))) == [0, 100, 200, 300]
    triangle = np.minimum(t, 200 - t).clip(0)
    assert milestones(t, triangle) == [0, 100, 200, 300]
    assert milestones(t, np.cos(np.pi * t / 300)) == [0, 300]  # smooth: only the ends


def test_show_samples_long_horizons(capsys):
    assert main(["show", "cosine(1.0, steps=2147483647)"]) == 0
    out = capsys.readouterr().out
    assert "(steps 0 to 2147483647, sampled at 1000000 steps)" in out


def test_show_config_prints_json_that_rebuilds_the_schedule(capsys):
    assert main(["show", SPEC, "--config", "--at", "0"]) == 0
    out = capsys.readouterr().out
    config = json.loads(out[out.index("{"):])
    assert repr(lrjax.from_config(config)) == repr(lrjax.parse(SPEC))


def test_specs_can_be_json_config_files(tmp_path, capsys):
    path = tmp_path / "lr.json"
    path.write_text(json.dumps(lrjax.to_config(lrjax.parse(SPEC))))
    assert main(["show", str(path), "--at", "500"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("warmup(cosine(init=0.001, steps=10000), steps=500)\n") and "500  0.001" in out


@pytest.mark.parametrize("spec, message", [
    ("os.system('ls')", "lrjax show: error: parse: attribute access is not allowed (at column 1: 'os.system')"),
    ("cosine(1, steps=-5)", "lrjax show: error: parse: cosine: steps must be a finite number >= 0, got -5 (at column 1: 'cosine(1, steps=-5)')"),
    ("plateau()", "lrjax show: error: 'plateau()' is a plateau, not a schedule of steps"),
    ("missing.json", "lrjax show: error: cannot read missing.json: No such file or directory"),
])
def test_bad_specs_exit_2_with_one_line(spec, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["show", spec]) == 2
    captured = capsys.readouterr()
    assert captured.err == message + "\n" and captured.out == ""


ODD_SPECS = [
    ("cosine([1.0, 2.0], steps=10)", 2, "is a batch of (2,) schedules; give one schedule per SPEC"),
    ("cosine(1.0, steps=[10, 20])", 2, "is a batch of (2,) schedules"),
    ("piecewise_constant([1.0], boundaries=[])", 0, "min 1 at step 0, max 1 at step 0 (steps 0 to 100)"),
    ("join([1.0], boundaries=[])", 0, "(steps 0 to 100)"),
    ("exponential(1.0, rate=2.0, steps=1)", 0, "max 1.84467e+19"),
    ("cosine(1, steps=10)" + " + cosine(1, steps=10)" * 40, 0, "max 41 at step 0"),
    ("", 2, "parse: invalid syntax"),
    ("   ", 2, "parse: invalid syntax"),
    ("cosine(1, steps=10) # comment", 0, "(steps 0 to 100)"),
    ("x" * 2000, 2, "unknown name"),
]


@pytest.mark.parametrize("spec, status, text", ODD_SPECS, ids=[s[:30] or "empty" for s, _, _ in ODD_SPECS])
def test_odd_specs_end_cleanly(spec, status, text, capsys):
    assert main(["show", spec]) == status
    captured = capsys.readouterr()
    assert text in (captured.out if status == 0 else captured.err)
    assert len(captured.err.splitlines()) == (status != 0)


def test_bad_json_files_exit_2_with_one_line(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "old.json").write_text(json.dumps({"format": "lrjax", "version": 9, "schedule": {}}))
    assert main(["plot", str(tmp_path / "bad.json")]) == 2
    assert main(["show", str(tmp_path / "old.json")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("lrjax plot: error: ") and "is not valid JSON: Expecting property name" in err[0]
    assert err[1] == "lrjax show: error: from_config: this lrjax reads config versions 1 to 2, got version 9"


def test_the_command_in_a_fresh_process(tmp_path):
    out = tmp_path / "lr.png"
    ok = run("plot", SPEC, "wsd(1e-3, warmup_steps=500, stable_steps=7000, decay_steps=2500)", "--out", str(out), "--log")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == f"wrote {out}\n"
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    bad = run("show", "lambda t: t")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == "lrjax show: error: parse: a lambda is not allowed (at column 1: 'lambda t: t')\n"
    usage = run("show", SPEC, "--steps", "0")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert usage.stderr.splitlines()[-1] == "lrjax show: error: argument --steps: must be an int in [1, 2147483647], got 0"


def test_console_script_is_installed():
    script = shutil.which("lrjax", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run([script, "show", "constant(0.5)", "--at", "7"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "           7  0.5" in result.stdout


def test_importing_lrjax_does_not_import_matplotlib():
    code = "import sys, lrjax; lrjax.values(lrjax.cosine(1.0, steps=10), 10); print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout == "False\n"


def test_horizon_covers_the_durations():
    assert horizon(lrjax.parse(SPEC)) == 11550
    assert horizon(lrjax.constant(1.0)) == 100
    assert horizon(lrjax.per_epoch(lrjax.step_decay(1.0, factor=0.1, steps=30), steps_per_epoch=100)) == 3300


def test_sparkline_levels():
    assert sparkline(np.arange(8.0), width=8) == "▁▂▃▄▅▆▇█"
    assert sparkline(np.ones(100), width=10) == "▁" * 10
    assert sparkline(np.array([0.0, 1.0, np.inf, 2.0]), width=4) == "▁▅?█"


def test_values_evaluates_a_curve_including_its_end():
    s = lrjax.warmup_cosine(1.0, warmup_steps=10, total_steps=100)
    v = lrjax.values(s, 100)
    assert v.shape == (101,)
    # values traces the schedule's leaves; XLA may fold the concrete ones of s(...) an ulp (of the peak, 1.0) apart.
    np.testing.assert_allclose(v, s(jnp.arange(101)), rtol=0, atol=2**-23)
    np.testing.assert_array_equal(lrjax.values(s, np.array([[0, 10], [55, 100]])), s(jnp.array([[0, 10], [55, 100]])))
    with pytest.raises(ValueError, match=r"values: steps must be an int in \[0, 2147483647\) or an array of steps, got -1"):
        lrjax.values(s, -1)
    with pytest.raises(ValueError, match=r"values: schedule must be an lrjax schedule, got function"):
        lrjax.values(lambda t: t, 10)
    batched = lrjax.values(lrjax.cosine(jnp.array([1.0, 2.0]), steps=10), jnp.array([[0, 5], [10, 20]]))
    assert batched.shape == (2, 2, 2)  # batch axes first, then the steps' shape (CHANGELOG 0.2)
    np.testing.assert_allclose(batched[:, 0, 1], [0.5, 1.0], rtol=1e-6)
    np.testing.assert_allclose(batched[0], [[1.0, 0.5], [0.0, 0.0]], rtol=1e-6, atol=1e-7)


def test_values_compiles_once_per_structure():
    from lrjax._curves import _evaluate

    lrjax.values(lrjax.cosine(1.0, steps=10), 50)
    before = _evaluate._cache_size()
    for peak in (0.5, 2.0, 3.0):
        lrjax.values(lrjax.cosine(peak, steps=20 * peak), 50)
    assert _evaluate._cache_size() == before


def test_plot_draws_labeled_curves_on_given_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    s = lrjax.cosine(1.0, steps=100)
    assert lrjax.plot([s, lrjax.linear(1.0, 0.1, steps=50)], 100, ax=ax, log=True) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["cosine(init=1.0, steps=100)", "linear(init=1.0, end=0.1, steps=50)"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), s(jnp.arange(101)), rtol=0, atol=2**-23)  # see above
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"
    plt.close(fig)


def test_help_and_argument_errors_do_not_import_jax():
    """The command answers --help and bad options before loading JAX (and so in a fraction of a second)."""
    code = ("import sys\nfrom lrjax._cli import main\n"
            "for argv in (['--help'], ['show', '--steps', 'abc', 'x']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "assert 'jax' not in sys.modules, sorted(m for m in sys.modules if m.startswith('jax'))\nprint('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("ok"), result.stderr
    assert result.stderr.count("\n") == 1 and "must be an int in [1, 2147483647], got 'abc'" in result.stderr

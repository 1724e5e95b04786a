"""The README's quickstart script runs as documented."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_quickstart_trains_and_traces_once():
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    losses = [float(line.split(":")[1]) for line in lines if "final loss" in line]
    assert len(losses) == 6 and all(loss < 1e-2 for loss in losses), result.stdout
    assert lines[-1].startswith("train() was traced 1 time(s)"), result.stdout


def _python_blocks(markdown: str) -> list[str]:
    blocks, inside, current = [], False, []
    for line in markdown.splitlines():
        if line.strip() == "```python":
            inside, current = True, []
        elif line.strip() == "```" and inside:
            inside = False
            blocks.append("\n".join(current))
        elif inside:
            current.append(line)
    return blocks


def test_readme_python_blocks_run():
    import jax

    blocks = _python_blocks((ROOT / "README.md").read_text())
    assert len(blocks) >= 2
    with jax.numpy_dtype_promotion("standard"):  # user code, run as users run it (optax inside)
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})


def test_demo_trains_18_configurations_with_one_compilation(tmp_path):
    out = tmp_path / "demo.png"
    result = subprocess.run(
        [sys.executable, "-m", "lrjax", "demo", "--steps", "50", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "%" in line]
    assert len(rows) == 18
    assert {row.split("|")[1].strip() for row in rows} == {"cosine", "wsd", "constant"}
    assert "the training step compiled 1 time for 18 configurations" in result.stdout
    assert "50/50 steps" in result.stderr
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "pip install 'lrjax[plot]'" in result.stdout
    else:
        assert out.stat().st_size > 20_000


def test_cli_rejects_bad_arguments_with_status_2():
    result = subprocess.run([sys.executable, "-m", "lrjax", "demo", "--steps", "77"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--steps must be a positive multiple of 50, got 77" in result.stderr


def test_every_public_name_has_a_runnable_example():
    """The doctests run with the suite (--doctest-modules); this makes sure every public name has one."""
    import lrjax

    public = [getattr(lrjax, name) for name in lrjax.__all__]
    for peer in ("optax", "torch", "timm", "transformers", "keras"):
        module = getattr(lrjax.compat, peer)
        public += [getattr(module, name) for name in module.__all__]
    missing = [getattr(obj, "__name__", obj) for obj in public if ">>>" not in (obj.__doc__ or "")]
    assert len(public) > 100 and missing == []


def _gallery():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gallery", ROOT / "docs" / "gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gallery_shows_every_kind_and_preset_and_is_up_to_date():
    import dataclasses

    import lrjax
    from lrjax._registry import KINDS
    from lrjax._schedule import Preset
    from lrjax._tree import Tree

    gallery = _gallery()
    shown = set()

    def walk(x):
        if isinstance(x, (tuple, list)):
            for v in x:
                walk(v)
        elif isinstance(x, Tree):
            shown.add(x.name)
            for f in dataclasses.fields(x):
                walk(getattr(x, f.name))
            if isinstance(x, Preset):  # a preset shows the kinds it composes, as in 0.1 where it was that composition
                walk(x.compose())

    for _, name, expression, _ in gallery.ENTRIES:
        walk(lrjax.parse(expression))
        shown.add(expression.split("(")[0])  # presets are shown by name
        image = ROOT / "docs" / "gallery" / f"{name}.png"
        assert image.read_bytes()[:4] == b"\x89PNG", image
    native = {name for name, kind in KINDS.items() if not kind.__module__.startswith("lrjax.compat")}
    assert native - shown == {"from_fn", "plateau"}  # a Python function; not a curve of steps
    assert (ROOT / "docs" / "gallery.md").read_text() == gallery.markdown()


def test_migration_guide_python_blocks_run():
    blocks = _python_blocks((ROOT / "docs" / "migration.md").read_text())
    assert len(blocks) == 1
    exec(compile(blocks[0], "docs/migration.md", "exec"), {})


def _run_example(name, capsys):
    """Runs examples/<name>.py in this process (its imports are warm) and returns its output lines."""
    import runpy

    import jax

    with jax.numpy_dtype_promotion("standard"):  # user code, run as users run it (optax, flax inside)
        runpy.run_path(str(ROOT / "examples" / f"{name}.py"), run_name="__main__")
    return capsys.readouterr().out.splitlines()


def test_flax_nnx_example_logs_and_swaps_with_one_trace(capsys):
    import pytest

    pytest.importorskip("flax.nnx")
    lines = _run_example("flax_nnx", capsys)
    swap = next(line for line in lines if line.startswith("after the swap"))
    ours, expected = swap.split("lr ")[1].split(" (")[0], swap.split(": ")[-1].rstrip(")")
    assert ours == expected, swap
    assert [line.split("'learning_rate': '")[1][:8] for line in lines if line.startswith("inject step")] == ["0.009755", "0.007650", "0.004304"]
    assert lines[-1] == "train_step was traced 1 time(s) with inject"


def test_equinox_example_restarts_sgdr_and_compiles_once(capsys):
    import pytest

    pytest.importorskip("equinox")
    lines = _run_example("equinox_sgdr", capsys)
    assert lines[0].startswith("restarts at steps [10, 30], ")
    assert lines[1:] == ["lr after the swap 0.003000", "train_step was traced 1 time(s)"]


def test_orbax_example_resumes_bit_identically_and_swaps_to_the_codes_schedule(capsys):
    import math

    import pytest

    pytest.importorskip("orbax.checkpoint")
    lines = _run_example("orbax_resume", capsys)
    expected = 0.05 * (1 + math.cos(math.pi * 54 / 95))  # warmup_cosine(0.1, 5, 100) at step 59, in float64
    assert lines[:2] == ["resumed with the checkpoint's schedule, bit-identical: True", "checkpoint's lr at step 59: 0.0"]
    assert lines[2].startswith(f"code's lr at step 59: {expected:.6f}, ")


def test_per_layer_example_logs_each_group(capsys):
    lines = _run_example("per_layer_lrs", capsys)
    first = dict(item.rsplit(" ", 1) for item in lines[0].split(", ")[1:])
    assert first == {"backbone/learning_rate": "0.000400", "backbone/weight_decay": "0.000100", "head/learning_rate": "0.004000", "head/weight_decay": "0.000000"}
    assert lines[-1] == "after freezing the backbone lr: 0.000100"


def test_wsd_example_branches_three_cooldowns_with_one_compilation(capsys):
    lines = _run_example("wsd_branches", capsys)
    losses = [float(line.split("loss ")[1].split(",")[0]) for line in lines[:4]]
    assert [line.split("final lr ")[1] for line in lines[1:4]] == ["0.0"] * 3
    assert losses == sorted(losses, reverse=True)  # longer cooldowns end lower here
    assert lines[-1] == "train_step was traced 1 time(s) for the stable run and 3 cooldowns"

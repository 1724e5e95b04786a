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

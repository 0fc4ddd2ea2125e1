"""Set-up benchmark: a fresh clone to the demo's first frame, as a new user meets it.

Each row starts from a new clone of HEAD with no .venv and no uv on the PATH, and measures:
- `make .venv/.runtime` (the set-up `make demo` does: uv fetched into .tools, .venv from
  uv.lock with the runtime dependencies), with pip's and uv's caches empty, then warm;
- `make demo` to its first frame in a 120x40 pseudo-terminal (set-up included), cold and warm;
- `make .venv/.installed` (the set-up `make test` does, test extras included), cold;
- the baseline: the set-up before uv (`python3 -m venv`, then pip installing desk and its
  test extras, as the old Makefile did), with pip's cache empty.

"Cold" points pip and uv at empty cache folders (PIP_CACHE_DIR, UV_CACHE_DIR): everything is
downloaded from the registry. Run it from the repository (it clones the committed HEAD):

    .venv/bin/python bench/setup.py [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import print_table
from tui import cold_start

ROOT = Path(__file__).resolve().parents[1]
PYTHON = shutil.which("python3") or sys.executable


def path_without_uv() -> str:
    """$PATH without the folders that hold a `uv` (the .venv's bin, a global install)."""
    return os.pathsep.join(
        folder for folder in os.environ["PATH"].split(os.pathsep) if not (Path(folder) / "uv").exists()
    )


def clone(workdir: Path, name: str) -> Path:
    target = workdir / name
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(target),
            "checkout",
            "-q",
            subprocess.check_output(["git", "-C", str(ROOT), "rev-parse", "HEAD"], text=True).strip(),
        ],
        check=True,
    )
    return target


def environment(caches: Path) -> dict[str, str]:
    caches.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PATH": path_without_uv(),
        "PIP_CACHE_DIR": str(caches / "pip"),
        "UV_CACHE_DIR": str(caches / "uv"),
    }
    env.pop("VIRTUAL_ENV", None)
    return env


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:  # float-ok: seconds
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0 or result.stderr.strip():
        print(f"{' '.join(argv)} in {cwd}: exit {result.returncode}\n{result.stdout}{result.stderr}", file=sys.stderr)
    return elapsed


def demo_first_frame(cwd: Path, env: dict[str, str]) -> float:  # float-ok: seconds
    return cold_start(["make", "-s", "-C", str(cwd), "demo"], b"latest activity", env)


def baseline(cwd: Path, env: dict[str, str]) -> float:  # float-ok: seconds
    """The set-up before this: a venv with pip, and pip installing desk with its test extras."""
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "venv", ".venv"], cwd=cwd, env=env, check=True)
    subprocess.run(
        [".venv/bin/python", "-m", "pip", "install", "-q", "-e", ".[test]"],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None, help="where the clones go (default: a temp dir)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="desk-bench-setup-"))
    assert shutil.which("uv", path=path_without_uv()) is None
    cold, warm = workdir / "cold", workdir / "warm"
    load_before = os.getloadavg()

    base = baseline(clone(workdir, "baseline"), environment(workdir / "baseline-cache"))
    runtime_cold = timed(["make", "-s", ".venv/.runtime"], clone(workdir, "runtime-cold"), environment(cold))
    runtime_warm = timed(["make", "-s", ".venv/.runtime"], clone(workdir, "runtime-warm"), environment(cold))
    shutil.copytree(cold, warm)
    test_cold = timed(
        ["make", "-s", ".venv/.installed"], clone(workdir, "test-cold"), environment(workdir / "test-cache")
    )
    demo_cold = demo_first_frame(clone(workdir, "demo-cold"), environment(workdir / "demo-cache"))
    demo_warm = demo_first_frame(clone(workdir, "demo-warm"), environment(warm))
    again = demo_first_frame(workdir / "demo-warm", environment(warm))
    load_after = os.getloadavg()

    rows = [
        ("baseline: venv + pip install -e .[test], cold", f"{base:.1f} s", "1.00", ""),
        ("make demo's set-up, cold caches", f"{runtime_cold:.1f} s", f"{runtime_cold / base:.2f}", ""),
        ("make demo's set-up, warm caches", f"{runtime_warm:.1f} s", f"{runtime_warm / base:.2f}", ""),
        ("make test's set-up, cold caches", f"{test_cold:.1f} s", f"{test_cold / base:.2f}", ""),
        ("make demo to first frame, cold caches", f"{demo_cold:.1f} s", f"{demo_cold / base:.2f}", "< 10 s"),
        ("make demo to first frame, warm caches", f"{demo_warm:.1f} s", f"{demo_warm / base:.2f}", "< 10 s"),
        ("make demo to first frame, set up already", f"{again:.1f} s", f"{again / base:.2f}", ""),
    ]
    print_table(
        f"set-up benchmark ({os.cpu_count()} CPUs; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after: the machine is shared; clones in {workdir})",
        rows,
    )
    if args.workdir is None:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()

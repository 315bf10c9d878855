"""Start-up: what a pre-commit hook pays on every commit, and what an install weighs.

    python benchmarks/startup.py [--runs 10] [--callgrind] [--install] [--throughput]

Each case is a whole ``iac-assist`` process on one small file (``benchmarks/data``), run
``--runs`` times: the median wall time and the median CPU time (user + system, from ``wait4``;
less disturbed than the wall time by other work on a shared machine). ``--callgrind`` adds the
instructions one run executes (``valgrind --tool=callgrind``): the same on every run, whatever
else the machine does, so it is the figure to compare two versions by on a busy machine.
``--throughput`` adds the HCL parser's throughput on ``../shared/corpus``'s Terraform files (MB/s
of CPU time, best of 3, in process). ``--install`` installs ``pip install .`` into a fresh
virtualenv and reports the size of its ``site-packages`` by distribution, and the import time of
the package and of each dependency there (``python -X importtime``, in that environment).

Results are printed and written to ``benchmarks/results/startup.json`` and ``startup.md`` (another
name with ``--output NAME``: ``startup-before`` holds the figures of the version before issue 22's
start-up work, measured by ``--python`` with that version installed in another virtualenv).
Not part of ``run.py`` (the whole-corpus comparison with Checkov), so that each can be run alone.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "benchmarks" / "data"
RESULTS = PROJECT / "benchmarks" / "results"
# ../shared/corpus beside the repository (beside the checkout a git worktree was made from too).
CORPUS = next((c for c in (PROJECT.parent / "shared" / "corpus", PROJECT.parent.parent / "shared" / "corpus")
               if c.is_dir()), PROJECT.parent / "shared" / "corpus")

CASES = [
    ("--version", ["--version"]),
    ("one small Terraform file", ["scan", str(DATA / "small.tf")]),
    ("one small CloudFormation template", ["scan", str(DATA / "small.yaml")]),
]
OUTSIDE = tempfile.gettempdir()
"""Where ``python -c`` runs: ``-c`` puts the current folder first on the module path, and in
the repository that would import the source tree instead of the installed package."""
TARGETS = {"one small Terraform file": 0.15, "one small CloudFormation template": 0.2}
"""Issue 22's targets, seconds of wall time (median)."""


def _command(python: Path) -> list[str]:
    """The console script beside ``python``, as a user runs it (not ``python -c``, which would put
    the current folder, a source tree, first on the module path)."""
    return [str(python.parent / "iac-assist")]


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    # As installed: byte code is written once and read from then on.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(command: list[str], runs: int) -> dict:
    """Median wall and CPU seconds of ``runs`` runs, after one run to warm the caches."""
    walls, cpus = [], []
    for index in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_clean_env())
        _, _, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if index:  # the first run writes byte code and warms the page cache
            walls.append(wall)
            cpus.append(usage.ru_utime + usage.ru_stime)
    return {"runs": runs, "wall_median_s": round(statistics.median(walls), 4), "wall_min_s": round(min(walls), 4),
            "cpu_median_s": round(statistics.median(cpus), 4)}


def instructions(command: list[str]) -> int | None:
    """Instructions one run executes, counted by callgrind; None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                          capture_output=True, text=True, env=_clean_env())
    found = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
    return int(found.group(1)) if found else None


def throughput(python: Path) -> dict | None:
    """The HCL parser's MB/s (CPU time, best of 3) on the corpus's Terraform files, in process."""
    if not CORPUS.is_dir():
        return None
    code = r"""
import json, pathlib, sys, time
from iac_assist.parsers.terraform import hcl
texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.tf"))]
size = sum(len(t.encode()) for t in texts)
start = time.process_time(); hcl._parser(); build = time.process_time() - start
best = None
for _ in range(3):
    start = time.process_time()
    for text in texts:
        try:
            hcl.parse(text)
        except hcl.HclError:
            pass
    spent = time.process_time() - start
    best = spent if best is None else min(best, spent)
print(json.dumps({"files": len(texts), "mb": round(size / 1e6, 3), "best_cpu_s": round(best, 3),
                  "mb_per_s": round(size / 1e6 / best, 3), "parser_build_cpu_s": round(build, 4)}))
"""
    proc = subprocess.run([str(python), "-c", code, str(CORPUS)], capture_output=True, text=True, env=_clean_env(),
                          check=True, cwd=OUTSIDE)
    return json.loads(proc.stdout)


def install_weight() -> dict:
    """``pip install .`` into a fresh virtualenv: site-packages by distribution, import times."""
    with tempfile.TemporaryDirectory(prefix="iac-assist-weight-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(PROJECT)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip())
        sizes = _sizes_by_distribution(python, site)
        imports = {}
        for module in ("iac_assist.cli", "lark", "yaml", "click", "cfnlint", "networkx", "sympy", "sarif_om",
                       "regex"):
            imports[module] = _import_ms(python, module)
        return {"site_packages_mb": round(_du(site) / 1e6, 1), "by_distribution_mb": sizes,
                "import_ms": imports}


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _sizes_by_distribution(python: Path, site: Path) -> dict[str, float]:
    code = r"""
import json, importlib.metadata as md, pathlib, sys
site = pathlib.Path(sys.argv[1]); out = {}
for dist in md.distributions():
    files = dist.files or []
    total = 0
    for f in files:
        p = pathlib.Path(dist.locate_file(f))
        if p.is_file() and site in p.parents:
            total += p.stat().st_size
    if total:
        out[dist.metadata["Name"]] = out.get(dist.metadata["Name"], 0) + total
print(json.dumps(out))
"""
    proc = subprocess.run([str(python), "-c", code, str(site)], capture_output=True, text=True, check=True)
    sizes = json.loads(proc.stdout)
    return {name: round(size / 1e6, 1) for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])}


def _import_ms(python: Path, module: str) -> float | None:
    """Median of 5 ``python -X importtime -c 'import module'`` totals, milliseconds."""
    totals = []
    for _ in range(5):
        proc = subprocess.run([str(python), "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                              text=True, env=_clean_env(), cwd=OUTSIDE)
        if proc.returncode:
            return None
        lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
        top = re.match(r"import time:\s+\d+ \|\s+(\d+) \|", lines[-1]) if lines else None
        if top:
            totals.append(int(top.group(1)) / 1000)
    return round(statistics.median(totals), 1) if totals else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--callgrind", action="store_true", help="count instructions with valgrind")
    parser.add_argument("--throughput", action="store_true", help="the HCL parser's MB/s on the corpus")
    parser.add_argument("--install", action="store_true", help="install into a fresh virtualenv and weigh it")
    parser.add_argument("--python", type=Path, default=Path(sys.executable),
                        help="the interpreter whose iac-assist is measured (default: this one)")
    parser.add_argument("--output", default="startup", help="results file name, without extension")
    args = parser.parse_args(argv)

    out: dict = {"date": datetime.date.today().isoformat(), "machine": _machine(), "cases": {}}
    for title, arguments in CASES:
        command = _command(args.python) + arguments
        case = timed(command, args.runs)
        if args.callgrind:
            case["instructions"] = instructions(command)
        if title in TARGETS:
            case["target_s"] = TARGETS[title]
        out["cases"][title] = case
        print(title, case, flush=True)
    if args.throughput:
        out["hcl_throughput"] = throughput(args.python)
        print("HCL throughput", out["hcl_throughput"], flush=True)
    if args.install:
        out["install"] = install_weight()
        print("install", out["install"], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(out, indent=2) + "\n")
    (RESULTS / f"{args.output}.md").write_text(_markdown(out))
    return 0


def _machine() -> dict:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "processor": platform.processor() or
            platform.machine(), "load_average_1min": load}


def _markdown(out: dict) -> str:
    machine = out["machine"]
    lines = [f"Start-up ({out['date']}, Python {machine['python']}, {machine['cpus']} CPUs, "
             f"load average {machine['load_average_1min']:.1f} when measured)", "",
             "| Case | wall, median | CPU, median | instructions | target |", "|---|---|---|---|---|"]
    for title, case in out["cases"].items():
        count = case.get("instructions")
        lines.append(f"| {title} | {case['wall_median_s']:.3f} s | {case['cpu_median_s']:.3f} s | "
                     f"{f'{count / 1e9:.2f} G' if count else ''} | "
                     f"{'≤ ' + format(case['target_s'], '.2f') + ' s' if 'target_s' in case else ''} |")
    if out.get("hcl_throughput"):
        t = out["hcl_throughput"]
        lines += ["", f"HCL parsing: {t['mb_per_s']} MB/s ({t['files']} files, {t['mb']} MB of the corpus, CPU time, "
                  f"best of 3); building the parser: {t['parser_build_cpu_s']} s."]
    if out.get("install"):
        weight = out["install"]
        lines += ["", f"`pip install .` in a fresh virtualenv: {weight['site_packages_mb']} MB of site-packages "
                  "(the virtualenv's own pip and setuptools included). Import times: median of 5, on the same "
                  "machine.", "",
                  "| distribution | MB |", "|---|---|"]
        lines += [f"| {name} | {size} |" for name, size in weight["by_distribution_mb"].items()]
        lines += ["", "| import | ms |", "|---|---|"]
        lines += [f"| `{module}` | {ms} |" for module, ms in weight["import_ms"].items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

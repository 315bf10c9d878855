"""The benchmark: iac-assist (and, asked, Checkov) timed as whole processes on the same inputs.

    python benchmarks/run.py [--with-checkov] [--runs 5] [--sizes 1000 10000 50000]

Cases: ``--version``; one small Terraform file and one small template (the pre-commit case);
the project's fixtures; every repository of the corpus (``../shared/corpus``, see its
SOURCES.md) one by one and all at once, with the default number of workers and with
``--jobs 1``; synthetic monorepos of 1k, 10k and 50k resources (``synthetic.py``), scanned and
modelled; the in-process scaling of the graph, policies and threat model (``graph_scaling.py``).
Each case runs several times (3 when one run takes over 30 s); min, median and max wall time,
the kernel's peak RSS and the peak memory of all processes (see ``measure.py``) are recorded.

iac-assist is installed as a user would have it (``pip install '.[sam]'``, compiled, not
editable) into a virtualenv under the cache folder (``~/.cache/iac-assist-bench``), from a copy
of this working tree; ``--in-place`` measures the current environment's instead. With
``--with-checkov``, Checkov is installed into a virtualenv of its own there (never into the
project's environment) and runs the same cases in the same session, after ours, with
``--framework terraform cloudformation --skip-download -o json``.

Results go to ``benchmarks/results/``: ``benchmark.md`` (the table the README quotes),
``benchmark.json`` (every run), ``phases.txt``/``phases.json`` (where a serial corpus scan spends
its time) and ``profile-corpus.prof``/``profile-corpus.txt`` (cProfile of that scan).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Measurement, measure  # noqa: E402 - benchmarks/ is a folder of scripts
from synthetic import generate  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
RESULTS = Path(__file__).resolve().parent / "results"
CORPUS = next((p for p in (PROJECT.parent / "shared" / "corpus", PROJECT.parent.parent / "shared" / "corpus")
               if p.is_dir()), PROJECT.parent / "shared" / "corpus")
"""``../shared/corpus`` beside the repository (or beside the folder of worktrees it is in); --corpus."""
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "iac-assist-bench"
PARSE_CACHE = CACHE / "parse-cache"
"""iac-assist's parse cache during the benchmark (``--cache-dir``): emptied before each run of a
first-scan case, kept for the repeated-scan cases."""
CHECKOV_FLAGS = ["--framework", "terraform", "cloudformation", "--skip-download", "-o", "json"]
COPY_IGNORED = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", ".venv", "venv", ".ci-venv",
                                      "__pycache__", ".pytest_cache", ".ruff_cache", "results")


@dataclass
class Case:
    id: str
    title: str
    ours: list[str]
    """iac-assist's arguments; ``{out}`` is the report file."""
    checkov: list[str] | None = None
    """Checkov's arguments (None: no counterpart)."""
    kind: str = "scan"
    warm_of: str = ""
    """A repeated scan: the id of the first-scan case it repeats. Its parse cache is filled by one
    untimed run, then kept; every other case starts each run with an empty cache."""
    edited: Path | None = None
    """A warm case whose runs each follow an edit of this file (a comment appended): the scan's
    result cannot be reused, the parse results of every other file can."""
    results: dict = field(default_factory=dict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--with-checkov", action="store_true", help="run Checkov on the same cases")
    parser.add_argument("--checkov-version", default="", help="pip requirement suffix, e.g. ==3.2.0 (default: latest)")
    parser.add_argument("--checkov-bin", type=Path,
                        help="a Checkov executable already installed (e.g. /tmp/checkov-venv/bin/checkov)")
    parser.add_argument("--runs", type=int, default=5, help="runs per case (3 when one takes over 30 s)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 50000],
                        help="synthetic monorepo sizes, in resources")
    parser.add_argument("--checkov-runs", type=int, help="runs per case for Checkov (default: --runs)")
    parser.add_argument("--checkov-timeout", type=float, default=900.0,
                        help="seconds before a Checkov run is stopped (recorded as a timeout)")
    parser.add_argument("--only", nargs="*", default=[], metavar="ID",
                        help="run only these cases and their variants (`corpus`: also corpus-serial and "
                             "corpus-warm, corpus-edited; `corpus/`: each repository)")
    parser.add_argument("--in-place", action="store_true",
                        help="measure the iac-assist of this Python environment instead of a fresh install")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile of the corpus scan")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--corpus", type=Path, help="the corpus of real repositories (default: ../shared/corpus)")
    args = parser.parse_args()
    if args.corpus:
        globals()["CORPUS"] = args.corpus.resolve()

    CACHE.mkdir(parents=True, exist_ok=True)
    work = CACHE / "work"
    work.mkdir(exist_ok=True)
    env = _child_env(args.in_place)
    python = Path(sys.executable) if args.in_place else _install_ours()
    ours = [str(python), "-m", "iac_assist"] if args.in_place else [str(python.parent / "iac-assist")]
    checkov = None
    if args.with_checkov:
        checkov = [str(args.checkov_bin)] if args.checkov_bin else _install_checkov(args.checkov_version)

    cases = _cases(work, args.sizes)
    if args.only:
        cases = [c for c in cases if any(_selected(c.id, wanted) for wanted in args.only)]
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    # Warm-up: the first process of a session reads everything from disk. Ours also scans one
    # file per format: the first run after an install keeps what every later run reuses, as
    # Python keeps a module's bytecode (the HCL parser's tables, the dataclasses' compiled
    # methods: parsers/terraform/hcl_tables.py, iac_assist/compiled_methods.py).
    for tool in ([ours] + ([checkov] if checkov else [])):
        subprocess.run(tool + ["--version"], env=env, capture_output=True, check=False)
    for data in ("small.tf", "small.yaml"):
        subprocess.run(ours + ["scan", "--no-cache", str(DATA / data)], env=env, capture_output=True, check=False)
    for case in cases:
        _run_case(case, ours, None, args, env, work)
    if checkov:
        skip_larger = False
        for case in cases:
            if case.checkov is not None and not skip_larger:
                _run_case(case, None, checkov, args, env, work)
                # A synthetic size Checkov could not finish: larger ones would not either.
                skip_larger = case.id.startswith("synthetic") and case.results["checkov"].get("timed_out", False)
    graph = _graph_scaling(python, env, work, args.sizes)
    machine = _machine(started, load_before, python, checkov, env)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.no_profile and CORPUS.is_dir():
        _profile(python, ours, env, work, args.out)
    report = {"machine": machine, "cases": [{"id": c.id, "title": c.title, "kind": c.kind, "warm_of": c.warm_of,
                                            **c.results}
                                            for c in cases], "graph_scaling": graph}
    (args.out / "benchmark.json").write_text(json.dumps(report, indent=2) + "\n")
    markdown = _markdown(report)
    (args.out / "benchmark.md").write_text(markdown)
    print(markdown)


def _selected(case_id: str, wanted: str) -> bool:
    return case_id == wanted or case_id.startswith(wanted if wanted.endswith(("/", "-")) else wanted + "-")


def _cases(work: Path, sizes: list[int]) -> list[Case]:
    scan = ["scan", "--format", "json", "--output", "{out}", "--cache-dir", "{cache}"]
    cases = [
        Case("version", "`iac-assist --version`", ["--version"], ["--version"], kind="command"),
        Case("help", "`iac-assist --help`", ["--help"], None, kind="command"),
        Case("small-tf", "one small Terraform file (13 lines)", [*scan, str(DATA / "small.tf")],
             ["-f", str(DATA / "small.tf"), *CHECKOV_FLAGS]),
        Case("small-cfn", "one small CloudFormation template (14 lines)", [*scan, str(DATA / "small.yaml")],
             ["-f", str(DATA / "small.yaml"), *CHECKOV_FLAGS]),
        Case("small-tf-warm", "one small Terraform file, repeated (cache warm)",
             [*scan, str(DATA / "small.tf")], warm_of="small-tf"),
        Case("small-cfn-warm", "one small CloudFormation template, repeated (cache warm)",
             [*scan, str(DATA / "small.yaml")], warm_of="small-cfn"),
        Case("fixtures", "the project's fixtures/", [*scan, str(PROJECT / "fixtures")],
             ["-d", str(PROJECT / "fixtures"), *CHECKOV_FLAGS]),
    ]
    if CORPUS.is_dir():
        for repo in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
            cases.append(Case(f"corpus/{repo.name}", f"corpus: {repo.name.replace('__', '/')}",
                              [*scan, str(repo)], ["-d", str(repo), *CHECKOV_FLAGS]))
        cases.append(Case("corpus", "corpus: all repositories at once", [*scan, str(CORPUS)],
                          ["-d", str(CORPUS), *CHECKOV_FLAGS]))
        cases.append(Case("corpus-serial", "corpus: all at once, `--jobs 1`", [*scan, "--jobs", "1", str(CORPUS)]))
        cases.append(Case("corpus-warm", "corpus: all at once, repeated (cache warm)", [*scan, str(CORPUS)],
                          warm_of="corpus"))
        copy = work / "corpus-edited"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(CORPUS, copy, ignore=shutil.ignore_patterns(".git"))
        edited = sorted(copy.rglob("*.tf"))[0]
        cases.append(Case("corpus-edited", "corpus: all at once, repeated after editing one Terraform file",
                          [*scan, str(copy)], warm_of="corpus", edited=edited))
    for size in sizes:
        repo = work / f"synthetic-{size}"
        counts = generate(repo, size)
        label = f"{size // 1000}k" if size >= 1000 else str(size)
        title = (f"synthetic {label}: {counts['resources']} resources, {counts['terraform_roots']} Terraform roots, "
                 f"{counts['templates']} templates")
        cases.append(Case(f"synthetic-{label}", title, [*scan, str(repo)], ["-d", str(repo), *CHECKOV_FLAGS]))
        cases[-1].results["generated"] = counts
        if size == max(sizes):
            cases.append(Case(f"synthetic-{label}-serial", f"synthetic {label}, `--jobs 1`",
                              [*scan, "--jobs", "1", str(repo)]))
            cases.append(Case(f"synthetic-{label}-warm", f"synthetic {label}, repeated (cache warm)",
                              [*scan, str(repo)], warm_of=f"synthetic-{label}"))
        cases.append(Case(f"model-{label}", f"synthetic {label}: `iac-assist model --format json` (threat model)",
                          ["model", "--format", "json", "--output", "{out}", "--cache-dir", "{cache}", str(repo)],
                          kind="model"))
    return cases


def _run_case(case: Case, ours: list[str] | None, checkov: list[str] | None, args: argparse.Namespace,
              env: dict[str, str], work: Path) -> None:
    out = work / "report.json"
    out.unlink(missing_ok=True)
    if ours is not None:
        command = ours + [a.replace("{out}", str(out)).replace("{cache}", str(PARSE_CACHE)) for a in case.ours]
        print(f"iac-assist  {case.id} ...", file=sys.stderr, flush=True)

        def empty_cache() -> None:
            shutil.rmtree(PARSE_CACHE, ignore_errors=True)

        empty_cache()
        if case.warm_of:  # one run fills the cache; the measured runs read it
            subprocess.run(command, cwd=work, env=env, capture_output=True, check=False, timeout=3600)
        before: Callable[[], None] | None = None if case.warm_of else empty_cache
        if case.edited is not None:
            edited = case.edited

            def before() -> None:
                with edited.open("a", encoding="utf-8") as handle:
                    handle.write(f"# benchmark edit {time.time_ns()}\n")

        result = measure(command, args.runs, cwd=work, env=env, timeout=3600, stdout_file=work / "stdout.txt",
                         before=before)
        case.results["iac_assist"] = {**result.summary(), **_our_counts(case, out, result)}
    else:
        command = checkov + case.checkov
        print(f"checkov     {case.id} ...", file=sys.stderr, flush=True)
        result = measure(command, args.checkov_runs or args.runs, cwd=work, env=env, timeout=args.checkov_timeout,
                         stdout_file=work / "checkov.json")
        case.results["checkov"] = {**result.summary(), **_checkov_counts(result)}
        ours_median = case.results.get("iac_assist", {}).get("median_s")
        if ours_median:
            case.results["speedup"] = case.results["checkov"]["median_s"] / ours_median
            for metric in ("peak_rss_mb", "peak_pss_mb"):
                mine, theirs = case.results["iac_assist"].get(metric), case.results["checkov"].get(metric)
                if mine and theirs:
                    case.results[f"memory_ratio_{metric[5:8]}"] = mine / theirs


def _our_counts(case: Case, out: Path, result: Measurement) -> dict:
    if case.kind != "scan" or not out.exists():
        return {}
    try:
        report = json.loads(out.read_text())
    except ValueError:
        return {"report": "unreadable"}
    errors = report.get("errors", [])
    return {
        "files": report.get("summary", {}).get("files"),
        "findings": len(report.get("findings", [])),
        "errors": sum(1 for e in errors if e.get("level", "error") == "error"),
        "warnings": sum(1 for e in errors if e.get("level") == "warning"),
        "error_samples": [f"{e['file']}:{e['line']}: {e['message']}" for e in errors
                          if e.get("level", "error") == "error"][:10],
    }


def _checkov_counts(result: Measurement) -> dict:
    try:
        data = json.loads(result.stdout)
    except ValueError:
        return {}
    reports = data if isinstance(data, list) else [data]
    failed = sum(len(r.get("results", {}).get("failed_checks", [])) for r in reports if isinstance(r, dict))
    parsing = sum(len(r.get("results", {}).get("parsing_errors", [])) for r in reports if isinstance(r, dict))
    return {"failed_checks": failed, "parsing_errors": parsing}


def _child_env(in_place: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["NO_COLOR"] = "1"
    if in_place:
        # An editable install has no compiled modules: let the first run write them (not into the tree).
        env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    return env


def _install_ours() -> Path:
    """A virtualenv with iac-assist installed from a copy of this tree, as ``pip install '.[sam]'``."""
    venv = CACHE / "iac-assist-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    with tempfile.TemporaryDirectory(prefix="iac-assist-src-") as tmp:
        source = Path(tmp) / "iac-assist"
        shutil.copytree(PROJECT, source, ignore=COPY_IGNORED)
        pip = [str(python), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"{source}[sam]"], check=True)  # dependencies, once
        subprocess.run([*pip, "--force-reinstall", "--no-deps", str(source)], check=True)  # this tree's code
    return python


def _install_checkov(version: str) -> list[str]:
    venv = CACHE / "checkov-venv"
    checkov = venv / "bin" / "checkov"
    if not checkov.exists() or version:
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"checkov{version}"],
                       check=True)
    return [str(checkov)]


def _graph_scaling(python: Path, env: dict[str, str], work: Path, sizes: list[int]) -> list[dict]:
    """The in-process scaling figures of graph_scaling.py, run by the measured installation."""
    out = work / "graph_scaling.json"
    script = Path(__file__).resolve().parent / "graph_scaling.py"
    sizes = sizes or [1000]
    subprocess.run([str(python), str(script), "--sizes", *map(str, sizes), "--json", str(out)], env=env, cwd=work,
                   check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())["rows"]


def _profile(python: Path, ours: list[str], env: dict[str, str], work: Path, out: Path) -> None:
    """cProfile of a serial corpus scan, and the phase timings (phases.py), saved with the results."""
    prof = out / "profile-corpus.prof"
    subprocess.run([str(python), "-m", "cProfile", "-o", str(prof), "-m", "iac_assist", "scan", "--jobs", "1",
                    "--format", "json", "--output", str(work / "profile-report.json"), str(CORPUS)],
                   env=env, cwd=work, check=False, stdout=subprocess.DEVNULL)
    with open(out / "profile-corpus.txt", "w") as handle:
        handle.write(f"cProfile of `iac-assist scan --jobs 1 {CORPUS.name}` (profiler overhead included)\n\n")
        stats = pstats.Stats(str(prof), stream=handle)
        stats.strip_dirs().sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
    phases = subprocess.run([str(python), str(Path(__file__).resolve().parent / "phases.py"), str(CORPUS),
                             "--json", str(out / "phases.json")], env=env, cwd=work, capture_output=True, text=True,
                            check=False)
    (out / "phases.txt").write_text(phases.stdout + phases.stderr)


def _machine(started: datetime.datetime, load_before: tuple[float, ...], python: Path, checkov: list[str] | None,
             env: dict[str, str]) -> dict:
    def output(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, env=env, check=False).stdout.strip()
        except OSError:
            return ""

    cpu = ""
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    if Path("/proc/meminfo").exists():
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{total_kb / 1024 / 1024:.0f} GB"
    commit = output(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"])
    dirty = bool(output(["git", "-C", str(PROJECT), "status", "--porcelain", "--untracked-files=no"]))
    return {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "duration_min": round((datetime.datetime.now(datetime.timezone.utc) - started).total_seconds() / 60, 1),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": output([str(python), "-c", "import platform; print(platform.python_version())"]),
        "iac_assist": output([str(python), "-m", "iac_assist", "--version"]),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "checkov": output(checkov + ["--version"]) if checkov else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def _markdown(report: dict) -> str:
    m = report["machine"]
    with_checkov = any("checkov" in c for c in report["cases"])
    lines = [
        "# Benchmark results",
        "",
        f"{m['date']}; {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['memory']} RAM; {m['os']}; "
        f"Python {m['python']}; {m['iac_assist']} at {m['commit']}"
        + (f"; Checkov {m['checkov']}" if m.get("checkov") else "")
        + f". Load average {m['load_average_before'][0]} before, {m['load_average_after'][0]} after "
          f"({m['duration_min']} min). Every figure below comes from this one session.",
        "",
        "Times are wall-clock seconds of the whole process, median (min–max) of the runs; memory is "
        "the largest process's peak RSS, then the peak of all its processes together (PSS, sampled every 20 ms "
        "in one more run, untimed: the sampling slowed a tool using both cores), in MB. "
        "Errors and warnings are those iac-assist reports (files or parts it could not analyse); "
        "`tracebacks` counts crashes.",
        "",
    ]
    head = "| Case | runs | iac-assist s | RSS / all MB | findings | errors / warnings |"
    rule = "|---|---|---|---|---|---|"
    if with_checkov:
        head += " Checkov s | Checkov RSS / all MB | faster | memory |"
        rule += "---|---|---|---|"
    lines += [head, rule]
    for case in report["cases"]:
        ours = case.get("iac_assist")
        if not ours:
            continue
        row = (f"| {case['title']} | {ours['runs']} | {_time(ours)} | {_memory(ours)} | "
               f"{ours.get('findings', '')} | {_errors(ours)} |")
        if with_checkov:
            theirs = case.get("checkov")
            if theirs:
                speed = f"{case['speedup']:.0f}×" if case.get("speedup") and not theirs["timed_out"] else (
                    f"> {case['speedup']:.0f}×" if case.get("speedup") else "")
                ratio = case.get("memory_ratio_pss") or case.get("memory_ratio_rss")
                row += f" {_time(theirs)} | {_memory(theirs)} | {speed} | {f'{ratio:.2f}' if ratio else ''} |"
            else:
                row += " | | | |"
        lines.append(row)
    lines += ["", "`faster`: Checkov's median time over ours; `memory`: our peak memory (all processes) over "
              "Checkov's. Checkov runs with `" + " ".join(CHECKOV_FLAGS) + "`." if with_checkov else "", ""]
    lines += _repeated(report["cases"])
    if report.get("graph_scaling"):
        lines += ["In-process scaling of graph, policies and threat model (`graph_scaling.py`, synthetic "
                  "components, no parsing):", "",
                  "| components | graph s | policies s | threat model s | µs per component | attack paths |",
                  "|---|---|---|---|---|---|"]
        for row in report["graph_scaling"]:
            total = row["graph_s"] + row["policies_s"] + row["threat_model_s"]
            lines.append(f"| {row['components']} | {row['graph_s']:.2f} | {row['policies_s']:.2f} | "
                         f"{row['threat_model_s']:.2f} | {total / row['components'] * 1e6:.0f} | "
                         f"{row['attack_paths']} |")
        lines.append("")
    return "\n".join(lines)


def _repeated(cases: list[dict]) -> list[str]:
    """Repeated scans (cache warm) against the same first scan (cache emptied before each run)."""
    by_id = {c["id"]: c for c in cases}
    rows = []
    for case in cases:
        first = by_id.get(case.get("warm_of", ""), {}).get("iac_assist")
        warm = case.get("iac_assist")
        if warm and first:
            rows.append(f"| {by_id[case['warm_of']]['title']} | {first['median_s']:.2f} | {warm['median_s']:.2f} | "
                        f"{warm['median_s'] / first['median_s']:.2f} |")
    if not rows:
        return []
    return ["A repeated scan of an unchanged tree reads the result a first scan kept (the result cache); after "
            "an edit, the parse results of the files left as they were (the parse cache). Both live in "
            "`--cache-dir`, emptied before each run of every other case:", "",
            "| Case | first scan s | repeated s | repeated / first |", "|---|---|---|---|", *rows, ""]


def _time(summary: dict) -> str:
    if summary.get("timed_out"):
        return f"> {summary['max_s']:.0f} (stopped)"
    return f"{summary['median_s']:.2f} ({summary['min_s']:.2f}–{summary['max_s']:.2f})"


def _memory(summary: dict) -> str:
    pss = summary.get("peak_pss_mb")
    return f"{summary['peak_rss_mb']:.0f} / {pss:.0f}" if pss else f"{summary['peak_rss_mb']:.0f}"


def _errors(summary: dict) -> str:
    if "errors" not in summary:
        return ""
    text = f"{summary['errors']} / {summary['warnings']}"
    return text + (f", {summary['tracebacks']} tracebacks" if summary.get("tracebacks") else "")


if __name__ == "__main__":
    main()

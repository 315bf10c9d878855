"""Where a scan's time goes: wall time per phase of one serial scan, and each front end's cost
per megabyte.

The phases are timed by wrapping the functions that do them (no profiler, so pure-Python code is
not slowed more than C code): discovery; Terraform parsing (``load_module``) and evaluation
(the rest of ``load_configuration``); CloudFormation decoding (cfn-lint's decoder), the SAM
transform and the resolution of intrinsics (the rest of ``load_roots``); normalizing; building
the graph; the policies; the JSON and SARIF reports; the threat model. Imports that the scan
triggers are timed apart (``import ...``), since a long-running process pays them once.

    python benchmarks/phases.py PATH [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

TOTALS: dict[str, float] = defaultdict(float)
COUNTS: dict[str, int] = defaultdict(int)


def timed(module: Any, name: str, phase: str, keep: list | None = None) -> None:
    """Wrap ``module.name`` so that its calls add to ``phase``; ``keep`` collects its results."""
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            result = original(*args, **kwargs)
        finally:
            TOTALS[phase] += time.perf_counter() - start
            COUNTS[phase] += 1
        if keep is not None:
            keep.append(result)
        return result

    setattr(module, name, wrapper)


def import_time(module: str) -> float:
    start = time.perf_counter()
    importlib.import_module(module)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    imports = {"import iac_assist.analysis.engine": import_time("iac_assist.analysis.engine")}
    import iac_assist.analysis.engine as engine

    imports["import policies"] = import_time("iac_assist.policies")
    imports["import HCL parser (its tables; Lark only to make them)"] = _hcl_parser_time()
    imports["import cfn-lint (CloudFormation decoder)"] = import_time("iac_assist.parsers.cloudformation.template")
    with contextlib.suppress(ImportError):  # the sam extra is optional
        imports["import aws-sam-translator"] = import_time("samtranslator.translator.transform")

    from iac_assist.parsers import terraform
    from iac_assist.parsers.cloudformation import stacks, template
    from iac_assist.parsers.terraform import config

    timed(engine, "discover", "discovery")
    parsed: list = []
    timed(config, "load_module", "terraform: parse (HCL)", parsed)
    timed(terraform, "load_configuration", "terraform: parse + evaluate")
    timed(stacks, "find_stacks", "cloudformation: find templates")
    timed(stacks, "load_roots", "cloudformation: decode + SAM + resolve")
    timed(template, "_decode", "cloudformation: decode (cfn-lint)")
    timed(template, "expand_sam", "cloudformation: SAM transform")
    timed(engine, "_normalize", "normalize")
    timed(engine, "ResourceGraph", "graph")
    timed(engine, "_run", "policies")

    start = time.perf_counter()
    result = engine.scan([args.path], jobs=1)
    scan_seconds = time.perf_counter() - start

    from iac_assist.report import render

    reports = {}
    for fmt in ("json", "sarif"):
        start = time.perf_counter()
        render(result, fmt)
        reports[f"report: {fmt}"] = time.perf_counter() - start
    from iac_assist.threatmodel.build import build

    start = time.perf_counter()
    build(result)
    reports["threat model (iac-assist model)"] = time.perf_counter() - start

    # What an on-disk cache of parsed modules could save at best: loading them back (pickle)
    # instead of parsing them.
    start = time.perf_counter()
    data = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
    dumped = time.perf_counter() - start
    start = time.perf_counter()
    pickle.loads(data)
    cache = {"parse_s": TOTALS.get("terraform: parse (HCL)", 0.0), "pickle_s": dumped,
             "unpickle_s": time.perf_counter() - start, "pickled_mb": len(data) / 1e6}

    phases = dict(TOTALS)
    phases["terraform: evaluate"] = phases.pop("terraform: parse + evaluate", 0.0) - phases.get(
        "terraform: parse (HCL)", 0.0)
    decode = phases.get("cloudformation: decode (cfn-lint)", 0.0)
    sam_seconds = phases.get("cloudformation: SAM transform", 0.0)
    phases["cloudformation: resolve"] = phases.pop("cloudformation: decode + SAM + resolve", 0.0) - decode - sam_seconds
    accounted = sum(phases.values())
    phases["other (suppressions, merging, sorting)"] = scan_seconds - accounted

    tf_bytes = sum(p.stat().st_size for p in args.path.rglob("*") if p.name.endswith((".tf", ".tf.json"))
                   and p.is_file())
    cfn_bytes = sum(len(text) for text in _templates(args.path))
    per_mb = {
        "terraform_mb": tf_bytes / 1e6,
        "cloudformation_mb": cfn_bytes / 1e6,
        "hcl_parse_s_per_mb": phases.get("terraform: parse (HCL)", 0.0) / (tf_bytes / 1e6) if tf_bytes else None,
        "terraform_evaluate_s_per_mb": phases["terraform: evaluate"] / (tf_bytes / 1e6) if tf_bytes else None,
        "yaml_json_decode_s_per_mb": decode / (cfn_bytes / 1e6) if cfn_bytes else None,
        "cloudformation_resolve_s_per_mb": phases["cloudformation: resolve"] / (cfn_bytes / 1e6)
        if cfn_bytes else None,
    }
    out = {"path": str(args.path), "scan_s": scan_seconds, "imports_s": imports, "phases_s": phases,
           "after_scan_s": reports, "per_mb": per_mb, "parsed_module_cache": cache,
           "components": len(result.graph.components), "findings": len(result.findings), "errors": len(result.errors)}
    print(f"serial scan of {args.path}: {scan_seconds:.2f} s ({out['components']} components, "
          f"{out['findings']} findings)")
    for title, table in (("imports (paid once per process)", imports), ("phases of the scan", phases),
                         ("after the scan", reports)):
        print(f"\n{title}:")
        for name, seconds in sorted(table.items(), key=lambda kv: -kv[1]):
            print(f"  {name:45s} {seconds:7.3f} s")
    print("\nper megabyte of source:")
    for name, value in per_mb.items():
        print(f"  {name:45s} {value:7.3f}" if value is not None else f"  {name:45s}       -")
    print(f"\nparsed Terraform modules: parsing took {cache['parse_s']:.2f} s; loading them back from a "
          f"{cache['pickled_mb']:.1f} MB pickle takes {cache['unpickle_s']:.2f} s "
          f"(writing it {cache['pickle_s']:.2f} s)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


def _hcl_parser_time() -> float:
    from iac_assist.parsers.terraform import hcl

    start = time.perf_counter()
    hcl.parse("x = 1\n")
    return time.perf_counter() - start


def _templates(root: Path) -> list[str]:
    from iac_assist.inputs.discovery import discover, read_text
    from iac_assist.parsers.cloudformation.stacks import find_stacks

    found = discover([root], root.resolve())
    texts, _, _ = find_stacks(found.templates, root.resolve(), read_text)
    return list(texts.values())


if __name__ == "__main__":
    sys.exit(main())

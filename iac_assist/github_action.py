"""The GitHub Action's inputs as bash arrays: ``python -m iac_assist.github_action`` (action.yml).

The inputs are split into words as a shell would (quotes group, nothing is expanded) and written
back single-quoted, as arrays the action's steps source: a path or an option cannot inject shell
code. Whether the run is untrusted is decided from the runner's own event variables, never from
the checkout.

The threat model is drawn from the same inputs as the scan: the scan's ``args`` options that
``model`` shares (which files, the deployment's inputs, the configuration, limits) are given to it
too, before ``model-args``; the gate's own (``--select``, ``--baseline``, ``--fail-on``...) are not.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Iterable

SHARED = ("exclude", "var_files", "assignments", "parameters", "local_nested_templates", "config_file",
          "untrusted", "jobs", "max_file_size", "fail_on_unanalysed")
"""The options ``scan`` and ``model`` share, by parameter name: the same inputs for both."""


def words(name: str) -> list[str]:
    try:
        return shlex.split(os.environ[name])
    except ValueError as err:
        sys.exit(f"iac-assist: cannot read the {name} input: {err}")


def from_fork() -> bool:
    try:
        with open(os.environ["GITHUB_EVENT_PATH"], encoding="utf-8") as handle:
            pull = json.load(handle)["pull_request"]
        head, base = pull["head"]["repo"], pull["base"]["repo"]
        return not head or head.get("fork") is True or head.get("full_name") != base.get("full_name")
    except (KeyError, TypeError, ValueError, OSError, AttributeError):
        return True  # a pull request whose head cannot be told is treated as a fork


def shared_options(args: Iterable[str]) -> list[str]:
    """The words of scan options ``args`` that ``model`` takes as well, in their order: the rest
    (and any word that is no option, such as a path) left out. Read with the commands' own option
    tables, so an option taking a value keeps it, in both ``--opt value`` and ``--opt=value``."""
    import click

    from iac_assist.cli import model, scan

    shared = {param.name for param in model.params if param.name in SHARED}
    assert shared == set(SHARED), "scan and model no longer share these options"
    options: dict[str, tuple[bool, bool]] = {}  # option string: (takes a value, shared)
    for param in scan.params:
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                options[name] = (not param.is_flag and not param.count, param.name in shared)
    words, kept, index = list(args), [], 0
    while index < len(words):
        word = words[index]
        if word == "--":
            break  # paths follow
        name, attached = word, False
        if word.startswith("--") and "=" in word:
            name, attached = word.split("=", 1)[0], True
        elif len(word) > 2 and word[0] == "-" and word[1] != "-" and word[:2] in options:
            name, attached = word[:2], True  # -j4
        if name not in options:
            index += 1
            continue
        takes_value, share = options[name]
        count = 2 if takes_value and not attached else 1
        if share:
            kept += words[index:index + count]
        index += count
    return kept


def main() -> None:
    mode = os.environ["INPUT_UNTRUSTED"].strip().lower()
    pull_request = os.environ.get("GITHUB_EVENT_NAME", "") in ("pull_request", "pull_request_target")
    if mode not in ("pull-requests", "forks", "true", "false"):
        sys.exit(f"iac-assist: the untrusted input must be pull-requests, forks, true or false, not {mode!r}")
    untrusted = mode == "true" or (pull_request and (mode == "pull-requests" or (mode == "forks" and from_fork())))
    if untrusted:
        print("iac-assist: --untrusted: the configuration, inline suppressions and baseline of the scanned "
              "repository do not apply", file=sys.stderr)
    trust = ["--untrusted"] if untrusted else []
    config = ["--config", os.environ["INPUT_CONFIG"]] if os.environ["INPUT_CONFIG"] else []
    args = words("INPUT_ARGS")
    model_args = trust + shared_options(args) + config + words("INPUT_MODEL_ARGS")
    for var, values in (("paths", words("INPUT_PATHS")), ("args", trust + args + config),
                        ("model_args", model_args)):
        print(var + "=(" + " ".join(shlex.quote(value) for value in values) + ")")


if __name__ == "__main__":
    main()

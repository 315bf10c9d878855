"""Terraform as a front end (see ``iac_assist.analysis.frontend``): ``.tf`` module folders, plans and states.

A plan or a state in JSON (``terraform show -json``) is recognised among the YAML and JSON files by
its content, and supersedes the evaluation of the root module it was made from, whose ``.tf`` files
then only give lines (see ``plan.py``): plans are read first, in the parent, before the folders
left to evaluate are parsed (in worker processes with ``--jobs``). Each plan is a scope, then each
root module.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, cast

from iac_assist.analysis.frontend import Batch, Loaded, Read, ScanInputs, Scope, internal_error
from iac_assist.inputs.discovery import DOCUMENT, TERRAFORM
from iac_assist.parsers.terraform.given import VariableInputs

if TYPE_CHECKING:
    from iac_assist.model.builder import Normalizer
    from iac_assist.parsers.terraform.config import ModuleConfig
    from iac_assist.parsers.terraform.sniff import LoadedPlans

CHUNK_BYTES = 32 * 1024
"""Small Terraform folders travel to a worker together, up to about this much source."""


class TerraformFrontEnd:
    name = "terraform"
    takes = (TERRAFORM, DOCUMENT)
    option = "variables"
    """Variable values from the command line and the environment."""
    option_type = VariableInputs

    def prepare(self, files: Mapping[str, list[Path]], scan: ScanInputs,
                options: object | None) -> _Configurations:
        return _Configurations(files.get(TERRAFORM, []), files.get(DOCUMENT, []), scan,
                               cast("VariableInputs | None", options))

    @property
    def normalizer(self) -> Normalizer:
        from iac_assist.parsers.terraform.normalizer import NORMALIZER

        return NORMALIZER


class _Configurations:
    """The plans of a scan, and the module folders left to evaluate."""

    slow_start = False

    def __init__(self, tf_files: list[Path], documents: list[Path], scan: ScanInputs,
                 variables: VariableInputs | None) -> None:
        from iac_assist.analysis.parallel import file_size
        from iac_assist.parsers.terraform import module_folders
        from iac_assist.parsers.terraform.sniff import LoadedPlans

        self.scan = scan
        self.variables = variables
        self.plans = LoadedPlans()
        candidates = [p for p in documents if p.name.endswith(".json")]
        if candidates:
            from iac_assist.parsers.terraform.plan import load_plans

            # Only a plan the user named, or one matching the .tf files it replaces, is used: any
            # other JSON of the repository could claim to be the plan of a folder and hide its code.
            self.plans = load_plans(candidates, tf_files, scan.root, scan.read, scan.named)
        self.tf_files = [p for p in tf_files if p not in self.plans.superseded]
        self.claimed = set(tf_files) | self.plans.plans
        self.folders = module_folders(self.tf_files) if self.tf_files else {}
        self.units = len(self.folders)
        self.size = sum(file_size(p) for files in self.folders.values() for p in files)

    def batches(self, workers: int) -> list[Batch]:
        from iac_assist.analysis.parallel import chunks, file_size

        real_root = self.scan.root.resolve()
        sizes = {folder: sum(file_size(p) for p in files) for folder, files in self.folders.items()}
        return [Batch(parse_folders, (real_root, self.scan.read, [(folder, self.folders[folder]) for folder in chunk]))
                for chunk in chunks(self.folders, sizes.__getitem__, CHUNK_BYTES)]

    def finish(self, delivered: list[object | None] | None) -> Loaded:
        out = _plan_scopes(self.plans)
        if not self.tf_files:
            return out
        from iac_assist.parsers.terraform import load_configuration

        root = self.scan.root
        out.files.update(p.relative_to(root).as_posix() for p in self.tf_files)
        parsed: dict[Path, ModuleConfig] | None = None
        if delivered is not None:  # folders a worker could not parse are parsed here
            parsed = {}
            for share in delivered:
                parsed.update(share or {})  # type: ignore[call-overload]
        try:
            roots, errors = load_configuration(self.tf_files, root, self.scan.read, self.variables, parsed)
        except Exception as err:  # a defect of ours must not switch the gate off silently
            roots, errors = [], [internal_error(self.tf_files[0].relative_to(root).as_posix(), err)]
        out.errors.extend(errors)
        for scope, resources in roots:
            out.scopes.append(Scope(scope, resources))
            # Like resources under an open CloudFormation condition: their findings say so, and what
            # they provide proves no control.
            out.conditions.update(((r.loc.file, r.address), (r.condition,)) for r in resources if r.condition)
        return out


def _plan_scopes(plans: LoadedPlans) -> Loaded:
    # A plan's scope is the plan file: two plans of one folder stay apart.
    return Loaded(scopes=[Scope(rel, resources) for rel, resources in plans.roots], errors=list(plans.errors),
                  files=set(plans.files))


def parse_folders(root: Path, read: Read, batch: list[tuple[Path, list[Path]]]) -> dict[Path, ModuleConfig]:
    """Module folders parsed in a worker process; one that fails is left out, for the parent to
    parse and report as a serial scan would."""
    from iac_assist.parsers.terraform.config import load_module

    parsed = {}
    for folder, files in batch:
        try:
            parsed[folder] = load_module(folder, root, files, read)
        except Exception:  # noqa: S112 - left to the parent, which reports it as a serial scan would
            continue
    return parsed


FRONT_END = TerraformFrontEnd()

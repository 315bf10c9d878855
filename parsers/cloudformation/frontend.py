"""CloudFormation as a front end (see ``iac_assist.analysis.frontend``): templates as root stacks.

Templates are recognised among the YAML and JSON files by their content. Each root stack is a
scope, its local nested stacks loaded in place (``stacks.py``); when conditions are open, its
alternative deployments (``worlds.py``) come with it, for the engine to keep the findings that
hold in every one (or in any, with ``assume_worst``). Which templates are roots is a cheap textual
look done in the parent, so that decoding can start at once in workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, cast

from iac_assist.analysis.frontend import Batch, Loaded, Read, ScanInputs, Scope
from iac_assist.inputs.discovery import DOCUMENT
from iac_assist.parsers.cloudformation.options import TemplateOptions

if TYPE_CHECKING:
    from iac_assist.model import ScanError
    from iac_assist.model.builder import Normalizer
    from iac_assist.parsers.cloudformation.stacks import Stack

BYTES_PER_WORKER = 256 * 1024
"""Each worker that decodes templates first imports the template reader: templates are spread
over one more worker per this much text only. (Tuned when that import was cfn-lint's, half a
second; decode.py now takes about a tenth of that.)"""


class CloudFormationFrontEnd:
    name = "cloudformation"
    takes = (DOCUMENT,)
    option = "template_options"
    """Parameter values, and whether to assume the worst of open conditions."""
    option_type = TemplateOptions

    def prepare(self, files: Mapping[str, list[Path]], scan: ScanInputs, options: object | None) -> _Stacks:
        return _Stacks(files.get(DOCUMENT, []), scan, cast("TemplateOptions | None", options))

    @property
    def normalizer(self) -> Normalizer:
        from iac_assist.parsers.cloudformation.normalizer import NORMALIZER

        return NORMALIZER


class _Stacks:
    """The templates of a scan: those analysed as roots, decoded in workers when there are some."""

    slow_start = True

    def __init__(self, candidates: list[Path], scan: ScanInputs, options: TemplateOptions | None) -> None:
        from iac_assist.parsers.cloudformation.stacks import find_stacks, with_templates

        self.scan = scan
        self.texts, self.roots, self.errors = find_stacks(candidates, scan.root, scan.read)
        first = set(self.roots)
        self.mentioned = [p for p in self.texts if p not in first]
        self.options = with_templates(options, self.texts, scan.root)
        self.assume_worst = (options or TemplateOptions()).assume_worst
        self.claimed = set(self.texts)
        self.units = len(self.roots)
        self.size = sum(len(self.texts[p]) for p in self.roots)
        self._shares: list[list[Path]] = []

    def batches(self, workers: int) -> list[Batch]:
        from iac_assist.analysis.parallel import balance

        shares = max(1, min(workers, self.size // BYTES_PER_WORKER))
        self._shares = balance(self.roots, lambda p: len(self.texts[p]), shares)
        return [Batch(load_stacks, (self.scan.root, self.scan.read, self.options, [(p, self.texts[p]) for p in share]))
                for share in self._shares]

    def finish(self, delivered: list[object | None] | None) -> Loaded:
        from iac_assist.parsers.cloudformation.stacks import analysed_files, load_roots, settle

        root, read, texts = self.scan.root, self.scan.read, self.texts
        errors = list(self.errors)
        if delivered is None:
            stacks, more = load_roots(self.roots, texts, root, read, self.options)
            errors += more
        else:
            by_path: dict[Path, Stack] = {}
            for share, result in zip(self._shares, delivered, strict=True):
                if result is None:
                    # Done again here, in the serial order, failing where a serial scan would.
                    loaded, share_errors = load_roots(share, texts, root, read, self.options)
                    nested: list[Path] = []
                else:
                    loaded, share_errors, nested = result  # type: ignore[misc]
                by_path.update(zip(share, loaded, strict=True))
                errors += share_errors
                for path in nested:
                    texts.setdefault(path, "")
            stacks = [by_path[p] for p in self.roots]
        stacks, orphans = settle(stacks, self.mentioned, texts, root, read, self.options)
        out = Loaded(errors=errors + orphans, files=analysed_files(texts, stacks, root))
        for stack in stacks:
            out.conditions.update(stack.conditions)
            out.scopes.append(Scope(stack.rel, stack.worlds[0], stack.worlds[1:], self.assume_worst))
        return out


def load_stacks(root: Path, read: Read, options: TemplateOptions | None,
                batch: list[tuple[Path, str]]) -> tuple[list[Stack], list[ScanError], list[Path]]:
    """Root stacks decoded in a worker process, with the nested templates they read."""
    from iac_assist.parsers.cloudformation.stacks import load_roots

    texts = dict(batch)
    share = [path for path, _ in batch]
    stacks, errors = load_roots(share, texts, root, read, options)
    return stacks, errors, [p for p in texts if p not in share]


FRONT_END = CloudFormationFrontEnd()

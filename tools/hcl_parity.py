"""The HCL parser's tables against Lark, over every HCL file of some folders:
``python tools/hcl_parity.py FOLDER...`` (for instance ``../shared/corpus``, not in CI).

Each ``.tf``, ``.tfvars`` and ``.hcl`` file is parsed as the scan parses it (heredoc markers
trimmed, a newline added) and as it is on disk, by Lark's parser (``hcl_parser.build_lark``) and by
the scan's (``hcl_lalr`` on tables made from that Lark parser, Lark for what they refuse): the
trees must be equal in every node name, token type, value and the six positions of every token,
and a broken file must raise the same error with the same message. tests/test_hcl_tables.py does
the same over the repository's own files. Exit code 1 when any file differs.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(folders: list[str]) -> int:
    from iac_assist.parsers.terraform import hcl, hcl_extract, hcl_lalr, hcl_parser

    lark = hcl_parser.build_lark()
    tables = hcl_parser.make_tables(lark)
    if tables is None:
        print("no tables could be made from this Lark parser")
        return 1
    parser = hcl_parser.Parser(hcl_lalr.FastParser(tables), lark)
    files = sorted({p for folder in folders for ext in ("*.tf", "*.tfvars", "*.hcl")
                    for p in Path(folder).rglob(ext) if p.is_file()})
    same = errors = by_lark = 0
    differing = []
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace").removeprefix("\ufeff")
        for text in {hcl._closing_markers_trimmed(raw) + "\n", raw}:
            expected = hcl_extract.outcome(lark.parse, text)
            before = parser.fallbacks
            if hcl_extract.outcome(parser.parse, text) != expected:
                differing.append(path)
            elif expected[0] == "error":
                errors += 1
            else:
                same += 1
                by_lark += parser.fallbacks != before
    print(f"{len(files)} files: {same} texts parsed to the same tree, {errors} to the same error, "
          f"{len(differing)} differing; {by_lark} parsed only by Lark")
    for path in differing:
        print("differs:", path)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["."]))

"""The HCL parser without Lark (parsers/terraform/hcl_lalr.py, on tables taken from Lark's parser by
hcl_extract.py and kept by hcl_tables.py): Lark's trees to the last position, Lark's own errors,
and tables kept between processes as safely as Python keeps its bytecode."""

from __future__ import annotations

import marshal
import subprocess
import sys
from pathlib import Path

import pytest

from iac_assist.parsers.terraform import hcl, hcl_extract, hcl_lalr, hcl_parser, hcl_tables

REPO = Path(__file__).resolve().parent.parent

TRICKY = [
    # No newline at the end, CRLF everywhere, tabs.
    "x = 1", 'a = "b"\r\nc = <<EOT\r\nbody\r\nEOT\r\n', "x\t=\t1\n\tblock\t{\n\t}\n",
    # Operators after newlines and comments (merged into the operator) and a minus (never merged).
    "x = a\n  + b\ny = a\n# why\n  * b\nz = a\n-1\nw = a /* c */\n  || b\n",
    "x = cond\n  ? \"yes\"\n  : \"no\"\ny = (a\n  ? b\n  : c)\n",
    # Keywords as names, attribute names, block types and labels, object keys, attributes.
    "if = true\nin = null\nfor = false\nx = var.in.for.if\ny = { for = 1, if = 2, in = 3, null = 4 }\n",
    'for "x" {\n  if = 1\n}\nnull = 1\ntrue = 2\nx = [for for in var.l : for]\n',
    # Nested for expressions, splats, ellipsis, indexes.
    "x = [for a in [for b in var.l : b] : [for c in a : c if c != 0]]\ny = { for k, v in m : v => k... }\n",
    "x = a[*].b[0][*].c\ny = a.*.b.c\nz = a.0.b\nw = f(var.list...)\nv = a[\"k\"][1]\n",
    # Templates: interpolations, directives with strip markers, escapes, heredocs of both kinds.
    'x = "${a} %{ if b ~} c %{~ else } d %{ endif } %{ for x in y }${x}%{ endfor }"\n',
    'x = "$${a} %%{b} \\\\ \\" ${"in ${"side"}"}"\n'
    'y = <<-EOT\n    %{ for x in y }\n    ${x}\n    %{ endfor }\n    EOT\n',
    "x = <<EOT\n\nEOT\ny = <<EOF\n  ${jsonencode({a = 1})}\nEOF\n",
    # Comments of each kind, in every place.
    "/* a\n b */ x = 1 /* c */ // d\n# e\ny = [ # f\n  1, // g\n  /* h */ 2\n]\n",
    # Unicode, in strings, comments and heredocs.
    "# é\nx = \"中文 ${\"🎉\"}\"\ny = <<EOT\nünïcödé\nEOT\n",
    # Numbers.
    "x = [1, 1.5, 1e10, 1.5e-3, -1, -1.5, 0.0]\n",
]
BROKEN = ["x = \n", 'resource "a" {\n', "x = [1, 2\n", "x = 1 +* 2\n", "}\n", 'a "b" = 1\n', "x = a ? b\n",
          'x = "${"\n', "x = 1 2\n", "x = @\n", "x = \"unterminated\n", "x = <<EOT\nno end\n", "x = {\n",
          "x = a.\n", "= 1\n"]


def _project_texts() -> list[str]:
    files = [p for root in ("fixtures", "policies/examples", "examples", "tests")
             for ext in ("*.tf", "*.tfvars", "*.hcl") for p in sorted((REPO / root).rglob(ext)) if p.is_file()]
    assert len(files) > 50
    texts = []
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace").removeprefix("\ufeff")
        texts.append(hcl._closing_markers_trimmed(raw) + "\n")
    return texts


@pytest.fixture(scope="module")
def lark():
    return hcl_parser.build_lark()


@pytest.fixture(scope="module")
def tables(lark):
    made = hcl_parser.make_tables(lark)
    assert made is not None
    return made


def test_trees_tokens_and_positions_are_larks(lark, tables) -> None:
    fast = hcl_lalr.FastParser(tables)
    parsed = 0
    for text in _project_texts() + TRICKY + hcl_extract.SAMPLES:
        expected = hcl_extract.outcome(lark.parse, text)
        if expected[0] == "error":
            with pytest.raises(hcl_lalr.Unparsed):
                fast.parse(text)
        else:
            assert hcl_extract.canonical(fast.parse(text)) == expected, text
            parsed += 1
    assert parsed > 100


def test_a_syntax_error_is_larks_own_message_and_position(lark, tables) -> None:
    parser = hcl_parser.Parser(hcl_lalr.FastParser(tables), lark)
    for text in BROKEN:
        got = hcl_extract.outcome(parser.parse, text)
        assert got[0] == "error" and got == hcl_extract.outcome(lark.parse, text), text
    assert parser.fallbacks == len(BROKEN)
    with pytest.raises(hcl.HclError) as caught:
        hcl.parse("x = 1 +* 2\n")
    assert (caught.value.message, caught.value.line, caught.value.column) == ("syntax error: unexpected '* 2'", 1, 8)


def test_tokens_are_strings_with_larks_attributes(tables) -> None:
    tree = hcl_lalr.FastParser(tables).parse("x = 1\n")
    token = tree.children[0].children[0].children[0].children[0]
    assert isinstance(token, str) and token == "x" and token.value == "x" and token.type == "NAME"
    place = (token.line, token.column, token.end_line, token.end_column, token.start_pos, token.end_pos)
    assert place == (1, 1, 1, 2, 0, 1)
    assert repr(token) == "Token('NAME', 'x')" and type(str(token)) is str
    import pickle

    again = pickle.loads(pickle.dumps(token))
    assert hcl_extract.canonical(again) == hcl_extract.canonical(token)


def test_the_scan_parses_on_tables_and_converts_the_same(lark) -> None:
    parser = hcl._parser()
    assert parser.fast is not None  # made by tests/conftest.py, as a first scan makes them
    text = (REPO / "benchmarks" / "data" / "small.tf").read_text()
    assert hcl_extract.canonical(parser.parse(text + "\n")) == hcl_extract.canonical(lark.parse(text + "\n"))


def test_a_good_parse_does_not_import_lark_and_an_error_does() -> None:
    code = (
        "import sys\n"
        "from iac_assist.parsers.terraform import hcl\n"
        "hcl.parse('x = [for k in var.l : k]\\n')\n"
        "print('lark' in sys.modules)\n"
        "try:\n    hcl.parse('x = 1 +* 2\\n')\n"
        "except hcl.HclError as err:\n    print(err.message, 'lark' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["False", "syntax error: unexpected '* 2' True"]


# --- keeping the tables --------------------------------------------------------------------------


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Two table folders of a test's own, in the order the parser looks in."""
    chosen = [tmp_path / "package" / "__pycache__", tmp_path / "user" / "hcl-tables"]
    monkeypatch.setattr(hcl_tables, "directories", lambda: chosen)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return chosen


def _key() -> str:
    return hcl_tables.key(hcl_parser.hcl2_folder())


def _plain(loaded: dict | None) -> dict | None:
    """Loaded tables with every row and compiled pattern read (``hcl_tables`` reads them lazily)."""
    if loaded is None:
        return None
    rows, forms = loaded["actions"], loaded["compiled"]
    return dict(loaded, actions=[rows[state] for state in range(len(rows))],
                compiled=[forms[lexer] for lexer in range(len(forms))])


def test_tables_are_made_once_and_read_back(folders, tables) -> None:
    parser = hcl_parser.build()
    assert parser.fast is not None
    written = list(folders[0].iterdir())
    assert [p.name for p in written] == [hcl_tables.file_name(_key())]  # no temporary file left
    assert _plain(hcl_tables.load(_key())) == dict(tables, format=hcl_tables.FORMAT, key=_key())
    stamp = written[0].stat().st_mtime_ns
    assert hcl_parser.build().fast is not None and written[0].stat().st_mtime_ns == stamp


def test_the_user_cache_holds_them_when_the_package_folder_cannot(folders) -> None:
    folders[0].parent.mkdir(parents=True)
    folders[0].write_text("not a folder")  # cannot be written to, even by root
    assert hcl_parser.build().fast is not None
    assert [p.name for p in folders[1].iterdir()] == [hcl_tables.file_name(_key())]
    assert hcl_parser.build().fast is not None  # read back from there
    for made in (folders[1], folders[1].parent):  # the user's own, as the parse cache's folder
        assert made.stat().st_mode & 0o777 == 0o700


def test_without_bytecode_nothing_is_written_and_lark_parses(folders, monkeypatch, lark) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    parser = hcl_parser.build()
    assert parser.fast is None and not folders[0].exists() and not folders[1].exists()
    text = "x = a\n  + b\n"
    assert hcl_extract.canonical(parser.parse(text)) == hcl_extract.canonical(lark.parse(text))


@pytest.mark.parametrize("content", [
    marshal.dumps(compile("print('hostile')", "x", "exec")),
    b"not marshal at all",
    b"",
    "wrong key",
    "a code object inside",
    "too large",
])
def test_a_bad_table_file_is_refused_and_made_again(folders, tables, content) -> None:
    folders[0].mkdir(parents=True)
    path = folders[0] / hcl_tables.file_name(_key())
    if content == "wrong key":
        content = _stored(tables, folders[1], key="0" * 64)
    elif content == "a code object inside":
        content = _stored(tables, folders[1], flags=compile("0", "x", "eval"))
    elif content == "too large":
        content = b"\0" * (hcl_tables.MAX_BYTES + 1)
    path.write_bytes(content)
    assert hcl_tables.load(_key()) is None
    assert hcl_parser.build().fast is not None
    assert hcl_tables.load(_key()) is not None  # replaced by good tables


def _stored(tables: dict, scratch: Path, **changes: object) -> bytes:
    """The bytes of a good table file with ``changes`` made to its contents."""
    scratch.mkdir(parents=True, exist_ok=True)
    path = hcl_tables.store(tables, _key(), scratch)
    assert path is not None
    data = marshal.loads(path.read_bytes())
    path.unlink()
    assert hcl_tables.valid(data, _key())
    return marshal.dumps(dict(data, **changes))


def test_a_row_of_the_table_that_is_not_plain_data_is_refused_when_read(folders, tables, lark) -> None:
    data = marshal.loads(_stored(tables, folders[1]))
    start = data["start"]
    data["actions"][start] = marshal.dumps(compile("0", "x", "eval"))
    folders[0].mkdir(parents=True)
    (folders[0] / hcl_tables.file_name(_key())).write_bytes(marshal.dumps(data))
    loaded = hcl_tables.load(_key())
    assert loaded is not None  # rows are checked when the parser reaches them
    parser = hcl_parser.Parser(hcl_lalr.FastParser(loaded), lark)
    with pytest.raises(hcl_lalr.Unparsed):
        parser.fast.parse("x = 1\n")
    assert hcl_extract.canonical(parser.parse("x = 1\n")) == hcl_extract.canonical(lark.parse("x = 1\n"))


def test_a_table_file_that_is_a_link_is_not_read(folders, tables, tmp_path) -> None:
    folders[0].mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    hcl_tables.store(tables, _key(), tmp_path)
    (tmp_path / hcl_tables.file_name(_key())).rename(elsewhere)
    assert hcl_tables.load(_key(), [tmp_path]) is None and _plain(hcl_tables.load(_key(), [folders[0]])) is None
    (folders[0] / hcl_tables.file_name(_key())).symlink_to(elsewhere)
    assert hcl_tables.load(_key(), [folders[0]]) is None


def test_processes_racing_to_write_the_tables_leave_one_whole_file(folders, tables) -> None:
    folders[0].mkdir(parents=True)
    writer = (
        "import sys\nfrom pathlib import Path\n"
        "from iac_assist.parsers.terraform import hcl_parser, hcl_tables\n"
        "lark = hcl_parser.build_lark()\ntables = hcl_parser.make_tables(lark)\n"
        "key = hcl_tables.key(hcl_parser.hcl2_folder())\n"
        "for _ in range(15):\n    assert hcl_tables.store(tables, key, Path(sys.argv[1]))\n"
    )
    racers = [subprocess.Popen([sys.executable, "-c", writer, str(folders[0])]) for _ in range(2)]
    seen = 0
    while any(r.poll() is None for r in racers):
        there = (folders[0] / hcl_tables.file_name(_key())).exists()
        loaded = hcl_tables.load(_key(), [folders[0]])
        assert loaded is not None or not there  # once there, never a half-written file
        seen += loaded is not None
    assert [r.wait() for r in racers] == [0, 0]
    assert [p.name for p in folders[0].iterdir()] == [hcl_tables.file_name(_key())]
    assert _plain(hcl_tables.load(_key(), [folders[0]])) == dict(tables, format=hcl_tables.FORMAT, key=_key())


def test_tables_the_samples_disagree_with_are_not_used(lark, tables) -> None:
    wrong = dict(tables, operators=[])  # as if the post-lexer merged newlines into no operator
    with pytest.raises(hcl_extract.Unsupported):
        hcl_extract.check(wrong, lark)


def test_patterns_compiled_from_their_kept_programs_are_res_own(tables) -> None:
    # hcl_extract.sre_form keeps what re compiles each terminal's expression into: a process reads
    # it instead of compiling again (re compiles in Python, most of a small file's first parse).
    import platform
    import re

    flags = tables["flags"]
    kept = list(zip(tables["pieces"], tables["compiled"], strict=True))
    if platform.python_implementation() == "CPython":
        assert all(f is not None for _, f in kept)
    for pattern, form in kept:
        assert hcl_lalr._compile(pattern, flags, form) == re.compile(pattern, flags)
    form = next(f for _, f in kept if f is not None)
    assert hcl_lalr._compile("x", 0, form) == re.compile("x")  # a program kept for another pattern is not used


def test_a_terminal_is_tried_only_where_a_match_can_begin(tables) -> None:
    # hcl_extract.first_characters: checked against every terminal on every ASCII character and a
    # few others, each followed by text of every kind: a match never begins anywhere else.
    import re

    tails = ["", "a", "1", " ", "\n", "{", '"', "$", "%", "=", ".", "*", "/", "-", "é", "\\\"x\\\"", "{x}",
             "<<EOT\nEOT\n"]
    for piece, first in zip(tables["pieces"], tables["first"], strict=True):
        if first is None:
            continue
        pattern = re.compile(piece, tables["flags"])
        for code in [*range(128), 0xE9, 0x4E2D, 0x1F389]:
            char = chr(code)
            allowed = char in first[0] if code < 128 else first[1]
            if not allowed:
                assert not any(pattern.match(char + tail) for tail in tails), (piece, char)
    named = dict(zip(tables["terminals"], tables["first"], strict=True))
    assert named["NAME"][0] == "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
    assert named["STRING_CHARS"] is None  # a negated set: any character


def test_mutated_files_parse_or_fail_as_with_lark(lark, tables) -> None:
    # Texts edited at random (punctuation, keywords, newlines before operators inserted; spans
    # deleted or doubled): the tables never accept what Lark refuses, nor parse it otherwise.
    import random

    fast = hcl_lalr.FastParser(tables)
    rng = random.Random(22)
    texts = _project_texts()
    pieces = [*"{}[]()=,.:?!*/%+-<>&|\"\\$#~\n\t\r ", "${", "%{", "<<EOT\n", "EOT\n", "//", "/*", "*/", "...",
              "=>", "::", "for ", " in ", "if ", "true", "null", "1.5e3", "-1", "==", "&&", "\n+", "\n?", "\n*"]
    outcomes = {"tree": 0, "error": 0}
    for _ in range(1500):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at, edit = rng.randrange(len(text) + 1), rng.random()
            if edit < 0.4:
                text = text[:at] + rng.choice(pieces) + text[at:]
            elif edit < 0.8:
                text = text[:at] + text[at + rng.randint(1, 5):]
            else:
                text = text[:at] + text[at:at + 20] + text[at:]
        expected = hcl_extract.outcome(lark.parse, text)
        if expected[0] == "error":
            with pytest.raises(hcl_lalr.Unparsed):
                fast.parse(text)
            outcomes["error"] += 1
        else:
            assert hcl_extract.canonical(fast.parse(text)) == expected, text
            outcomes["tree"] += 1
    assert min(outcomes.values()) > 100


def test_without_a_home_folder_the_package_folder_alone_is_used(monkeypatch) -> None:
    from iac_assist.inputs import parse_cache

    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory")

    monkeypatch.setattr(parse_cache, "default_directory", nowhere)
    monkeypatch.setattr(parse_cache, "current", lambda: None)
    assert hcl_tables.directories() == [Path(hcl_tables.__file__).resolve().parent / "__pycache__"]


@pytest.mark.parametrize("scan_cache", [True, False])
def test_without_bytecode_the_scans_parse_cache_keeps_them(tmp_path, monkeypatch, scan_cache) -> None:
    # A container that writes no bytecode (PYTHONDONTWRITEBYTECODE) still keeps the tables in the
    # parse cache the scan uses; with --no-cache (no such cache) nothing is written at all.
    from iac_assist.inputs import parse_cache

    package = tmp_path / "package"
    package.mkdir()
    monkeypatch.setattr(hcl_tables, "__file__", str(package / "hcl_tables.py"))
    monkeypatch.setattr(parse_cache, "default_directory", lambda: tmp_path / "user")
    monkeypatch.setattr(parse_cache, "current", lambda: tmp_path / "scan" if scan_cache else None)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    folders = [package / "__pycache__", *([tmp_path / "scan" / "hcl-tables"] if scan_cache else []),
               tmp_path / "user" / "hcl-tables"]
    assert hcl_tables.directories() == folders
    assert (hcl_parser.build().fast is not None) is scan_cache
    kept = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.marshal"))
    assert kept == ([Path("scan", "hcl-tables", hcl_tables.file_name(_key()))] if scan_cache else [])
    if scan_cache:
        assert hcl_parser.build().fast is not None  # read back

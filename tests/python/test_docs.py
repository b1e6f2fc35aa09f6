"""Every code block in README.md, docs/*.md and sdk-template/README.md that
is meant to run, run; and every output a block shows, compared.

The convention (how to mark blocks) is docs/writing-docs.md. In short:

* ```python, ```sh, ```bash, ```shell and ```console blocks run by default,
  each in a fresh temporary directory (a "sandbox": the repository's
  top-level entries symlinked, examples/ and sdk-template/ copied, build/
  a new directory with a copy of build/tests/plugins, HOME the sandbox,
  PATH starting with the venv's bin/). ``no-run`` in the info string
  (``sh no-run``) for a block that must not run; say why next to it.
* ```console: ``$ `` lines are commands (a trailing ``\\`` continues one),
  the lines after one are its output (stdout and stderr, line-buffered),
  compared; each command must exit 0 -- show a failing one as
  ``$ cmd; echo $?`` with the status as the last output line.
* ```text output right after a runnable block is that block's expected
  output (stdout + stderr).
* Matching: trailing blank lines and trailing spaces are ignored, runs of
  spaces count as one; a line ``...`` matches any number of lines, ``...``
  inside a line any text; a number followed by a unit of time, size or
  ratio (``7.4 ms``, ``83.7%``, ``24 B``, ``450.0x``) matches any number;
  the attribute ``any-numbers`` makes every number match any number. The
  sandbox's and the repository's absolute paths print as relative paths.
* ``file=NAME``: the block's text is written to NAME in the sandbox of every
  later runnable block of the same Markdown file (a manifest, a C source).
* ``after-previous``: the previous runnable block of the file runs first in
  the same sandbox (shell after shell: in the same bash script, so ``cd``
  and variables hold) -- a tutorial's steps.
* ``exit=N``: the block (sh or python) must exit with status N.
* ``<!-- docs-test setup: DESCRIPTION`` ... ``-->`` right before a block
  (invisible on GitHub): bash run in its sandbox first (create an input
  file the text only describes).
* A ```text block (or one without a language) that starts with ``$ `` is a
  console session in disguise: the lint test fails on it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "sdk-template" / "README.md"]

RUN_LANGS = {"python", "py", "sh", "bash", "shell", "console"}
ATTRS_FLAG = {"no-run", "output", "any-numbers", "after-previous"}
ATTRS_VALUE = {"file", "exit"}
TIMEOUT_S = 120  # only catches hangs: every block takes seconds
VENV_BIN = Path(sys.executable).parent


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    attrs: dict
    text: str
    setup: str = ""  # from a <!-- docs-test setup: ... --> comment
    files: dict = field(default_factory=dict)  # file=NAME blocks before it
    output: "Block | None" = None  # the ```text output block after it
    previous: "Block | None" = None  # with after-previous
    problems: list = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.lang in RUN_LANGS and "no-run" not in self.attrs and "output" not in self.attrs


FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
SETUP = re.compile(r"<!--\s*docs-test setup:(.*?)-->\s*$", re.S)


def parse(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, linked as the convention says."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (m.group(2)[0] == "`" and "`" in m.group(3)):
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).strip()
        start = i
        body = []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close.group(2)[0] == fence[0] and len(close.group(2)) >= len(fence) and not close.group(3).strip():
                break
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        i += 1
        words = info.split()
        lang = words[0].lower() if words else ""
        attrs: dict = {}
        block = Block(path, start + 1, lang, attrs, "\n".join(body) + "\n")
        for word in words[1:]:
            key, eq, value = word.partition("=")
            if (eq and key in ATTRS_VALUE) or (not eq and key in ATTRS_FLAG):
                attrs[key] = value if eq else True
            else:
                block.problems.append(f"unknown attribute {word!r} in the info string {info!r}")
        # A hidden setup comment right before the fence (blank lines between).
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and lines[j].rstrip().endswith("-->"):
            k = j
            while k >= 0 and "<!--" not in lines[k]:
                k -= 1
            sm = SETUP.search("\n".join(lines[k : j + 1])) if k >= 0 else None
            if sm:  # the rest of the "setup:" line is a description
                block.setup = sm.group(1).partition("\n")[2].strip("\n") + "\n"
        # What only looks like text: a console session to run (or mark).
        first = next((ln for ln in body if ln.strip()), "")
        if lang in ("", "text", "txt") and first.startswith("$ "):
            block.problems.append(
                "a ```text block that starts with '$ ' is a console session: make it ```console "
                "(it then runs and its output is compared) or ```console no-run (and say why)")
        blocks.append(block)
    files: dict = {}
    last_run: Block | None = None
    for block in blocks:
        if "output" in block.attrs:
            if last_run is None or last_run.output is not None:
                block.problems.append("an 'output' block with no runnable block before it to belong to")
            else:
                last_run.output = block
        if block.runs:
            block.files = dict(files)
            if "after-previous" in block.attrs:
                if last_run is None:
                    block.problems.append("'after-previous' on the first runnable block of the file")
                block.previous = last_run
            last_run = block
        if "file" in block.attrs:
            files[block.attrs["file"]] = block.text
    return blocks


ALL_BLOCKS = [b for p in DOC_FILES if p.exists() for b in parse(p)]
RUN_BLOCKS = [b for b in ALL_BLOCKS if b.runs]


# -- matching ----------------------------------------------------------------

NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
UNITS = r"(?:ms|us|µs|ns|s|sec|B|kB|KB|KiB|MB|MiB|GB|GiB|%|x)"
NUM_WITH_UNIT = re.compile(rf"(?<![\w.]){NUMBER}(?=\s?{UNITS}(?![\w]))")
ANY_NUM = re.compile(rf"(?<![\w.]){NUMBER}(?![\w.]*\w)")


def _line_regex(expected: str, any_numbers: bool) -> re.Pattern:
    """An expected line as a regex: '...' any text, numbers as the convention says."""
    out = []
    for i, part in enumerate(expected.split("...")):
        if i:
            out.append(".*?")
        pattern = ANY_NUM if any_numbers else NUM_WITH_UNIT
        pos = 0
        for m in pattern.finditer(part):
            out.append(re.escape(part[pos : m.start()]))
            out.append(NUMBER)
            pos = m.end()
        out.append(re.escape(part[pos:]))
    return re.compile("".join(out))


def _norm(line: str) -> str:
    return re.sub(r"[ \t]+", " ", line).strip()


def _lines(text: str) -> list[str]:
    lines = [_norm(ln) for ln in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def matches(expected: str, actual: str, any_numbers: bool = False) -> bool:
    """Whether actual output matches the expected text (see the module doc)."""
    exp, act = _lines(expected), _lines(actual)
    regexes = [None if e == "..." else _line_regex(e, any_numbers) for e in exp]
    memo: dict = {}

    def go(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(exp):
            result = j == len(act)
        elif regexes[i] is None:
            result = any(go(i + 1, k) for k in range(j, len(act) + 1))
        else:
            result = j < len(act) and regexes[i].fullmatch(act[j]) is not None and go(i + 1, j + 1)
        memo[(i, j)] = result
        return result

    return go(0, 0)


# -- running -----------------------------------------------------------------

COPIED = {"examples", "sdk-template"}


def _sandbox(tmp: Path) -> Path:
    """A directory where .venv, examples, build/... and the docs' paths resolve."""
    for entry in REPO.iterdir():
        if entry.name in (".git", "build") or entry.name.startswith(".") and entry.name != ".venv":
            continue
        if entry.name in COPIED:  # small trees a block may build or write in
            shutil.copytree(entry, tmp / entry.name, symlinks=True,
                            ignore=shutil.ignore_patterns("build", "build-make", "__pycache__"))
        else:
            (tmp / entry.name).symlink_to(entry)
    # build/: a copy of the only built products the docs name (the test
    # plugins), never a link, so that a block's outputs (--out build/demo)
    # and a cmake run in the sandbox cannot write into the repository's
    # build tree.
    (tmp / "build").mkdir()
    for name in ("tests/plugins",):
        if (REPO / "build" / name).is_dir():
            shutil.copytree(REPO / "build" / name, tmp / "build" / name, symlinks=True,
                            ignore=shutil.ignore_patterns("CMakeFiles", "*.cmake", "Makefile"))
    return tmp


def _env(tmp: Path) -> dict:
    # A user's environment: none of the runtime's switches the caller may
    # have set (plugin paths, scanner, workers, ...), except that the SDK
    # must find its native runtime when make test says so.
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("REMOTEMEDIA_") or k == "RM_BUILD_DIR") or k == "REMOTEMEDIA_REQUIRE_NATIVE"}
    env.update(
        HOME=str(tmp),
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        LC_ALL="C.UTF-8",
        DOCS_TEST_REPO=str(REPO),  # for setup comments only: the docs' own paths are relative
    )
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


def _relative(text: str, tmp: Path) -> str:
    for root in {str(tmp), str(tmp.resolve()), str(REPO)}:
        text = text.replace(root + "/", "").replace(root, ".")
    return text


def _bash(script: str, tmp: Path, what: str) -> subprocess.CompletedProcess:
    """Run a bash script in the sandbox, stdout+stderr merged and line-buffered."""
    (tmp / ".docs-test.sh").write_text(script, encoding="utf-8")
    cmd = ["bash", str(tmp / ".docs-test.sh")]
    if shutil.which("stdbuf"):
        cmd = ["stdbuf", "-oL", "-eL", *cmd]
    # Its own process group, so that a hang is ended with everything it started.
    child = subprocess.Popen(cmd, cwd=tmp, env=_env(tmp), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = child.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail(f"{what}: still running after {TIMEOUT_S} s (a hang?)\n--- script ---\n{script}")
    return subprocess.CompletedProcess(cmd, child.returncode, _relative(out.decode("utf-8", "replace"), tmp))


def _setup(block: Block, tmp: Path) -> None:
    """Write the file=NAME blocks; run the setup comment of a python block
    (a shell block's is the start of its own script, so exports hold)."""
    _setup_files(block, tmp)
    if block.setup and block.lang in ("python", "py"):
        proc = _bash("set -euo pipefail\n" + block.setup, tmp, f"{block.where}: setup")
        if proc.returncode:
            pytest.fail(f"{block.where}: the docs-test setup comment failed (exit {proc.returncode}):\n"
                        f"{block.setup}--- output ---\n{proc.stdout}")


def _chain(block: Block) -> list:
    """The block and the after-previous steps before it, first step first."""
    steps = [block]
    while steps[0].previous is not None:
        steps.insert(0, steps[0].previous)
    return steps


def _shell_chain(block: Block) -> "str | None":
    """The script of an all-shell after-previous chain ending at block, else None."""
    steps = _chain(block)
    if any(step.lang not in ("sh", "bash", "shell") for step in steps):
        return None
    return "".join(step.setup + step.text for step in steps)


def _setup_files(block: Block, tmp: Path) -> None:
    for name, text in block.files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text, encoding="utf-8")


def _console_commands(block: Block) -> list[tuple[int, str, str]]:
    """(line, command, expected output) of each '$ ' command of a console block."""
    commands: list = []
    lines = block.text.split("\n")
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("$ "):
            start = i
            cmd = ln[2:]
            while cmd.endswith("\\") and i + 1 < len(lines):
                i += 1
                cmd = cmd + "\n" + lines[i]
            commands.append([block.line + 1 + start, cmd, ""])
        elif commands:
            commands[-1][2] += ln + "\n"
        elif ln.strip():
            pytest.fail(f"{block.where}: console block: output before the first '$ ' command: {ln!r}")
        i += 1
    return [tuple(c) for c in commands]


MARK = "@@docs-test-status"


def _run_block(block: Block, tmp: Path, compare: bool) -> None:
    """Run one block in tmp; fail naming the block, the command, expected vs got."""
    __tracebackhide__ = True
    # after-previous: the earlier steps run first; shell steps that follow
    # shell steps run in the same bash script, so `cd` and variables hold.
    chained = ""
    previous = block.previous
    if previous is not None and block.lang in ("sh", "bash", "shell") and _shell_chain(previous) is not None:
        chained = _shell_chain(previous)
        for step in _chain(previous):
            _setup_files(step, tmp)
    elif previous is not None:
        _run_block(previous, tmp, compare=False)
    _setup(block, tmp)
    want_exit = int(block.attrs.get("exit", 0))
    if block.lang == "console":
        commands = _console_commands(block)
        script = f"set -e\n{block.setup}set +e\nprintf '{MARK} 0\\n'\n"
        for _, cmd, _ in commands:
            script += f"{cmd}\nprintf '\\n{MARK} %d\\n' $?\n"
        proc = _bash(script, tmp, block.where)
        parts = re.split(rf"\n?{MARK} (\d+)\n", proc.stdout)
        if len(parts) < 2 or parts[1] != "0":
            pytest.fail(f"{block.where}: the docs-test setup comment failed (exit {proc.returncode}):\n"
                        f"{block.setup}--- output ---\n{proc.stdout}")
        parts = parts[2:]
        for n, (line, cmd, expected) in enumerate(commands):
            if 2 * n + 1 >= len(parts):
                pytest.fail(f"{block.where}: the shell stopped before `{cmd}` (line {line}):\n{proc.stdout}")
            got, status = parts[2 * n], int(parts[2 * n + 1])
            if status != 0:
                pytest.fail(f"{block.where}: `{cmd}` (line {line}) exited {status}; a console command must exit 0 "
                            f"(show a failing one as `cmd; echo $?`)\n--- got ---\n{got}")
            if compare and not matches(expected, got, "any-numbers" in block.attrs):
                pytest.fail(f"{block.where}: output of `{cmd}` (line {line}) differs\n"
                            f"--- expected (as shown) ---\n{expected}--- got ---\n{got}")
        return
    if block.lang in ("python", "py"):
        (tmp / "snippet.py").write_text(block.text, encoding="utf-8")
        script = f"exec {shlex.quote(sys.executable)} snippet.py\n"
        shown = "python snippet.py"
    else:
        script = "set -euo pipefail\n" + block.setup + block.text
        shown = block.text
        if chained:  # the earlier steps' shell state (cd, variables) holds
            script = "set -euo pipefail\n" + chained + f"printf '{MARK} 0\\n'\n" + block.setup + block.text
    proc = _bash(script, tmp, block.where)
    if chained:
        before, marker, after = proc.stdout.partition(f"{MARK} 0\n")
        if not marker:
            pytest.fail(f"{block.where}: an earlier step (after-previous) failed (exit {proc.returncode}):\n"
                        f"{chained}--- output ---\n{proc.stdout}")
        proc.stdout = after
    if proc.returncode != want_exit:
        pytest.fail(f"{block.where}: exited {proc.returncode}, expected {want_exit}\n--- block ---\n{shown}"
                    f"--- output ---\n{proc.stdout}")
    if compare and block.output is not None and not matches(block.output.text, proc.stdout,
                                                            "any-numbers" in block.output.attrs):
        pytest.fail(f"{block.where}: output differs from the block at {block.output.where}\n"
                    f"--- expected (as shown) ---\n{block.output.text}--- got ---\n{proc.stdout}")


@pytest.mark.parametrize("block", RUN_BLOCKS, ids=[b.where for b in RUN_BLOCKS])
def test_doc_block(block: Block, tmp_path: Path) -> None:
    if not (VENV_BIN / "rmrun").exists():
        pytest.skip("the docs run against the installed SDK (make sdk): no rmrun next to this Python")
    _run_block(block, _sandbox(tmp_path), compare=True)


@pytest.mark.parametrize("path", DOC_FILES, ids=[str(p.relative_to(REPO)) for p in DOC_FILES])
def test_doc_blocks_are_marked(path: Path) -> None:
    """No unknown attribute, no console session disguised as text, no orphan output."""
    problems = [f"{b.where}: {p}" for b in parse(path) for p in b.problems]
    assert not problems, "\n".join(problems)


# -- the matcher itself ------------------------------------------------------

def test_matches_convention() -> None:
    assert matches("[4, 7]\n", "[4, 7]\n\n")
    assert not matches("[4, 7]", "[4, 8]")
    assert matches("a   b", "a b  ")
    assert matches("run: ok, 7.447 ms wall, 4 nodes", "run: ok, 12.1 ms wall, 4 nodes")
    assert not matches("run: ok, 7.447 ms wall, 4 nodes", "run: ok, 12.1 ms wall, 5 nodes")
    assert matches("x 83.7% 24 B", "x 1.0% 1024 B")
    assert matches("head\n...\ntail", "head\ntail")
    assert matches("head\n...\ntail", "head\n1\n2\ntail")
    assert not matches("head\n...\ntail", "head\n1\n2\n")
    assert matches("file .../rmtest_good.so", "file /a/b/rmtest_good.so")
    assert not matches("mean 0.5", "mean 0.50000000000000001")
    assert matches("mean 0.5 1", "mean 0.7 3", any_numbers=True)
    assert not matches("rmtest_abi_major2.so", "rmtest_abi_major3.so", any_numbers=True)


# -- environment variables: read by the code, documented --------------------

# Read by the code but not for users: the test suite's switch to another
# build of the Python adapter's implementation.
INTERNAL_ENV = {"REMOTEMEDIA_PYTHON_ADAPTER_IMPL"}


def _env_vars_in_code() -> set:
    names = set()
    for path in [*REPO.glob("runtime/**/*.[ch]"), *REPO.glob("plugins/**/*.[ch]")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        names.update(re.findall(r'getenv\("(REMOTEMEDIA_[A-Z0-9_]+)"\)', text))
        names.update(re.findall(r'#\s*define\s+RM_\w*_ENV\s+"(REMOTEMEDIA_[A-Z0-9_]+)"', text))
    return names - INTERNAL_ENV


def test_environment_variables_documented() -> None:
    """Every REMOTEMEDIA_* variable the C code reads is in docs/cli.md's
    Environment table and in `rmrun --help`."""
    names = _env_vars_in_code()
    assert "REMOTEMEDIA_PLUGIN_PATH" in names, "the scan of the C sources found nothing"
    cli_md = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    table = cli_md[cli_md.index("## Environment"):]
    missing_md = sorted(n for n in names if f"`{n}`" not in table)
    assert not missing_md, f"docs/cli.md, ## Environment: no row for {missing_md}"
    rmrun = VENV_BIN / "rmrun"
    if not rmrun.exists():
        pytest.skip("no installed rmrun (make sdk)")
    help_text = subprocess.run([str(rmrun), "--help"], capture_output=True, text=True, timeout=60).stdout
    missing_help = sorted(n for n in names if n not in help_text)
    assert not missing_help, f"`rmrun --help` (runtime/cli/main.c) does not name {missing_help}"

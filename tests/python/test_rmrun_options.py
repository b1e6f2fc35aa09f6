"""rmrun's option tables (runtime/cli/cli_options.h): one table per command
drives the parser, --help and the usage errors, so a misspelt option gets
a "did you mean" and exit 2; --help lists every exit code and every
environment variable the code reads; docs/cli.md names every option of
every table (read from `rmrun help COMMAND`, which prints the tables), so
the docs cannot drift from the code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from rmrun_cli import RMRUN, needs_rmrun

pytestmark = needs_rmrun

ROOT = Path(__file__).resolve().parents[2]


def rmrun(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def commands() -> list[str]:
    run = rmrun("help", "no-such-command")
    names = re.search(r"\(commands: ([^)]*)\)", run.stderr)
    assert names, run.stderr
    return [n.strip() for n in names.group(1).split(",")]


def table_options(text: str) -> set[str]:
    """The long options of the option lines ("  -n, --name ARG   help")."""
    found = set()
    for line in text.splitlines():
        m = re.match(r"^  (?:-\w, )?(--[a-z][a-z-]*)", line)
        if m:
            found.add(m.group(1))
    return found


@pytest.mark.parametrize("args, word, suggestion", [
    (["m.json", "--inptu", "[1]"], "--inptu", "--input"),
    (["m.json", "--no-overwirte"], "--no-overwirte", "--no-overwrite"),
    (["m.json", "--batch", "in", "--out", "o", "--no-progres"], "--no-progres", "--no-progress"),
    (["list", "--jsn"], "--jsn", "--json"),
    (["list", "--plugin", "x"], "--plugin", "--plugins"),
    (["trace", "view", "t.json", "--widht", "50"], "--widht", "--width"),
    (["check-plugin", "x.so", "--timout", "3"], "--timout", "--timeout"),
    (["launch", "--print-manifets", "AddNode"], "--print-manifets", "--print-manifest"),
    (["--plugin", "x", "list"], "--plugin", "--plugins"),
])
def test_misspelt_option_gets_did_you_mean_and_usage_exit(tmp_path: Path, args, word, suggestion) -> None:
    run = rmrun(*args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert f"unknown option '{word}'" in run.stderr
    assert f"did you mean '{suggestion}'?" in run.stderr


def test_abbreviations_are_not_options(tmp_path: Path) -> None:
    # getopt_long would take --inp for --input; rmrun wants it spelt out, so
    # a later option starting the same way never changes a command line.
    run = rmrun("m.json", "--inp", "[1]", cwd=tmp_path)
    assert run.returncode == 2
    assert "unknown option '--inp' (did you mean '--input'?)" in run.stderr


def test_missing_value_is_a_usage_error(tmp_path: Path) -> None:
    run = rmrun("m.json", "--input", cwd=tmp_path)
    assert run.returncode == 2
    assert "--input needs a value" in run.stderr


def test_help_lists_every_exit_code() -> None:
    codes = re.findall(r"RM_EXIT_\w+ = (\d+)", (ROOT / "runtime/cli/cli.h").read_text())
    assert len(codes) >= 10
    text = rmrun("--help").stdout
    section = text[text.index("Exit codes:"):]
    for code in codes:
        assert re.search(rf"^  {code}  ", section, re.M), f"exit code {code} missing from rmrun --help"
    docs = (ROOT / "docs/cli.md").read_text()
    for code in codes:
        assert re.search(rf"^\| {code} +\|", docs, re.M), f"exit code {code} missing from docs/cli.md"


def test_help_lists_every_environment_variable() -> None:
    sources = [p for d in ("runtime", "plugins", "python/src") for p in (ROOT / d).rglob("*.[ch]")]
    text = "\n".join(p.read_text(errors="replace") for p in sources)
    macros = dict(re.findall(r'#define (RM_\w+_ENV) "(\w+)"', text))
    names = set(re.findall(r'getenv\("(\w+)"\)', text))
    names |= {macros[m] for m in re.findall(r"getenv\((RM_\w+_ENV)\)", text)}
    assert "REMOTEMEDIA_PLUGIN_PATH" in names and len(names) > 10
    help_text = rmrun("--help").stdout
    env = help_text[help_text.index("Environment:"):help_text.index("Exit codes:")]
    missing = sorted(n for n in names if n not in env)
    assert not missing, f"rmrun --help does not list {missing}"


def test_docs_name_every_option_of_every_table() -> None:
    docs = (ROOT / "docs/cli.md").read_text()
    seen = table_options(rmrun("--help").stdout)
    for command in commands():
        seen |= table_options(rmrun("help", command).stdout)
    assert {"--input", "--batch", "--progress-interval", "--plugins", "--width", "--param"} <= seen
    missing = sorted(o for o in seen if f"`{o}" not in docs)
    assert not missing, f"docs/cli.md does not mention {missing}"


def _copy_manifest(tmp: Path) -> Path:
    import json

    from rmrun_cli import COPY, tiny_wav

    tiny_wav(tmp / "in.wav")
    manifest = json.loads(json.dumps(COPY))
    manifest["nodes"][0]["params"]["path"] = "in.wav"
    manifest["nodes"][1]["params"]["path"] = "out.wav"
    (tmp / "m.json").write_text(json.dumps(manifest))
    return tmp / "m.json"


def test_missing_input_audio_file_exits_5(tmp_path: Path) -> None:
    _copy_manifest(tmp_path)
    run = rmrun("m.json", "--set", "read.path=missing.wav", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert "missing.wav" in run.stderr


def test_unwritable_output_exits_5(tmp_path: Path) -> None:
    _copy_manifest(tmp_path)
    run = rmrun("m.json", "--set", "write.path=no/such/dir/out.wav", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert "no/such/dir/out.wav" in run.stderr
    assert rmrun("m.json", cwd=tmp_path).returncode == 0  # the same pipeline, writable: fine

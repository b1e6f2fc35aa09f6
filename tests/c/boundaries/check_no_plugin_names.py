"""No node type name of any plugin appears in runtime/ as data (issue #15).

The core reaches plugins only through what they declare (capabilities,
param roles, node resolvers), so a plugin's node type name in runtime/ is a
rule about one plugin hidden in the core. Flagged: a name as a string
literal of its own ("PythonNode": a lookup, a comparison) or as an
identifier, outside comments. Allowed: a name inside a longer string (a
sentence of help text or an example in a message, e.g. 'a node type name
string like "AudioResampleNode"') — prose for the reader, not a rule.

Names: every node type of the built registry (`rmrun list --json` over the
build's plugin directory) and every rm_node_type_t declared in plugins/*
sources (so plugins this build skipped count too).

usage: check_no_plugin_names.py SOURCE_ROOT RMRUN PLUGIN_DIR
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys


def registry_names(rmrun: str, plugin_dir: str) -> set[str]:
    proc = subprocess.run([rmrun, "--no-env-plugins", "--plugins", plugin_dir, "list", "--json"],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        sys.exit(f"rmrun list --json failed ({proc.returncode}): {proc.stderr}")
    return {t["type"] for t in json.loads(proc.stdout)["node_types"]}


def source_names(plugins: pathlib.Path) -> set[str]:
    """The name of every `rm_node_type_t X = {...}` in the plugins' C files:
    `.name = "N"`, `.name = MACRO` with `#define MACRO "N"`, or positional
    (the string, or string macro, right after `sizeof(rm_node_type_t),`);
    the initializer may itself be a function-like macro of a header."""
    files = sorted(plugins.rglob("*.c")) + sorted(plugins.rglob("*.h"))
    texts = [f.read_text(encoding="utf-8", errors="replace").replace("\\\n", " ")
             for f in files]
    defines, macros = {}, {}
    for text in texts:
        defines.update(re.findall(r'^\s*#\s*define\s+(\w+)\s+"([^"]+)"', text, re.M))
        macros.update(re.findall(r'^\s*#\s*define\s+(\w+)\([^)]*\)(.*)$', text, re.M))
    names = set()
    for text in texts:
        local = {**defines, **dict(re.findall(
            r'^\s*#\s*define\s+(\w+)\s+"([^"]+)"', text, re.M))}
        for m in re.finditer(r"rm_node_type_t\s+\w+\s*=\s*(\w+\s*\(|\{)", text):
            if m.group(1).startswith("{"):
                body = text[m.end():text.find("};", m.end())]
            else:
                body = macros.get(m.group(1).rstrip("( \t"), "").lstrip(" {")
            literal = re.search(r'\.name\s*=\s*"([^"]+)"', body) or \
                re.match(r'\s*sizeof\s*\(\s*rm_node_type_t\s*\)\s*,\s*"([^"]+)"', body)
            macro = re.search(r"\.name\s*=\s*(\w+)", body) or \
                re.match(r'\s*sizeof\s*\(\s*rm_node_type_t\s*\)\s*,\s*(\w+)', body)
            if literal:
                names.add(literal.group(1))
            elif macro and macro.group(1) in local:
                names.add(local[macro.group(1)])
    return names


def code_tokens(text: str):
    """(line, kind, value) for each string literal ("string", its text) and
    identifier ("ident") of C source `text`, comments skipped."""
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if c == '"':
                yield line, "string", text[i + 1:j]
            i = j + 1
        elif c.isalpha() or c == "_":
            m = re.match(r"\w+", text[i:])
            yield line, "ident", m.group(0)
            i += len(m.group(0))
        else:
            line += c == "\n"
            i += 1


def violations(text: str, names: set[str]):
    for line, kind, value in code_tokens(text):
        if value in names:
            yield line, f'{value} ({"a string literal of its own" if kind == "string" else "an identifier"})'


def self_test(names: set[str]) -> None:
    """The detector flags what it must and passes what it may."""
    name = sorted(names)[0]
    bad = [f'const char *t = "{name}";', f"int {name} = 1;", f'x = strcmp(t, "{name}");']
    fine = [f"/* {name} */ int a;", f"// {name}\nint a;", f'puts("like \\"{name}\\" here");',
            f"/* a\n{name}\n*/", f'puts("{name} path=in.wav");']
    for snippet in bad:
        if not list(violations(snippet, names)):
            sys.exit(f"self-test: not flagged: {snippet!r}")
    for snippet in fine:
        if list(violations(snippet, names)):
            sys.exit(f"self-test: flagged wrongly: {snippet!r}")


def main() -> int:
    root, rmrun, plugin_dir = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    built = registry_names(rmrun, plugin_dir)
    declared = source_names(root / "plugins")
    if not built or not declared:
        sys.exit(f"found no node type names (registry: {len(built)}, sources: {len(declared)})")
    missed = built - declared
    if missed:
        sys.exit(f"the source scan missed registry types {sorted(missed)}: fix source_names()")
    names = built | declared
    self_test(names)
    found = []
    for path in sorted((root / "runtime").rglob("*")):
        if path.suffix not in (".c", ".h") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(root)}:{line}: {what}" for line, what in violations(text, names)]
    if found:
        print("plugin node type names in runtime/ (the core must reach plugins through what they declare):")
        print("\n".join(found))
        return 1
    print(f"ok: none of {len(names)} plugin node types ({', '.join(sorted(names))}) named in runtime/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

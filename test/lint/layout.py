#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Keeps the house walkable: fails when a production source file passes 500
lines, a function passes 80, or a .cpp under protocol/, actors/ or main/ has
no unit suite at the same path under test/ (main/main.cpp, the thin entry
point, excepted).

Every source file, script and build file says its licence in an SPDX
line near its top.

The folders of protocol/ stack one way (protocol/README.md, "How the code
is layered"), and protocol/ includes nothing of actors/, main/ or CAF.
Usage: layout.py [REPO_ROOT]"""
import pathlib
import re
import sys

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
SOURCE_DIRS = ("protocol", "actors", "main")
NO_SUITE_NEEDED = {"main/main.cpp"}
# What each folder of protocol/ may include of the others.
LAYERS = {
    "wire": set(),
    "flow": set(),
    "crypto": {"wire"},
    "events": {"wire"},
    "group": {"wire", "crypto", "events"},
    "chat": {"wire", "crypto", "group", "events"},
}
INCLUDE = re.compile(r'^#include [<"]([^>"]+)[>"]')

SPDX = "SPDX-License-Identifier: MIT"
# Where the licence line is checked: every source, script and build file,
# not the build trees.
LICENSED = ("*.cpp", "*.hpp", "*.py", "*.sh", "CMakeLists.txt")
SKIPPED = re.compile(r"^(build[^/]*|\.git)/")

# A line that opens a block which is not a function body.
NOT_A_FUNCTION = re.compile(
    r"^\s*(}\s*)?(if|else|for|while|switch|do|try|catch|namespace|struct|"
    r"class|enum|union|extern|case|default)\b|=\s*\{$|^\s*\{$|\breturn\b.*\{$"
    # A lambda counts towards the function around it.
    r"|^\s*\[|\]\s*\(.*\{$")


def functions(lines):
    """Yields (first line, length) of each function-like block: a line
    ending in '{' that is no control statement, up to the first '}' at its
    indentation."""
    for i, line in enumerate(lines):
        if not line.rstrip().endswith("{") or NOT_A_FUNCTION.search(line):
            continue
        # A signature or an initialiser list over several lines: the
        # block belongs to the line where the statement starts.
        start = i
        while start > 0 and lines[start - 1].strip() \
                and not lines[start - 1].rstrip().endswith((";", "}", "{", ":")) \
                and not lines[start - 1].lstrip().startswith(("//", "#")):
            start -= 1
        if any(NOT_A_FUNCTION.search(lines[k]) for k in range(start, i + 1)):
            continue
        indent = len(lines[start]) - len(lines[start].lstrip())
        closing = re.compile(r"^" + " " * indent + r"}")
        for j in range(i + 1, len(lines)):
            if closing.match(lines[j]):
                yield start + 1, j - start + 1
                break


def layering(root):
    """Includes that run against the stacking of protocol/."""
    problems = []
    for path in sorted((root / "protocol").rglob("*.[ch]pp")):
        rel = path.relative_to(root).as_posix()
        folder = path.relative_to(root / "protocol").parts[0]
        for line in path.read_text(encoding="utf-8").splitlines():
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1).split("/")
            if target[0] in ("actors", "main", "caf"):
                problems.append(f"{rel}: includes {m.group(1)}: protocol/ "
                                f"is plain code")
            elif target[0] == "protocol" and len(target) > 2 \
                    and target[1] != folder \
                    and target[1] not in LAYERS.get(folder, set()):
                problems.append(f"{rel}: includes {m.group(1)}: {folder}/ "
                                f"may not use {target[1]}/")
    return problems


def licences(root):
    """Files without the SPDX line in their first three lines."""
    problems = []
    for pattern in LICENSED:
        for path in sorted(root.rglob(pattern)):
            rel = path.relative_to(root).as_posix()
            if SKIPPED.match(rel):
                continue
            head = path.read_text(encoding="utf-8").splitlines()[:3]
            if not any(SPDX in line for line in head):
                problems.append(f"{rel}: no '{SPDX}' line at the top")
    return problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems = []
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*.[ch]pp")):
            rel = path.relative_to(root).as_posix()
            lines = path.read_text(encoding="utf-8").splitlines()
            if len(lines) > MAX_FILE_LINES:
                problems.append(f"{rel}: {len(lines)} lines, more than "
                                f"{MAX_FILE_LINES}: find the seam")
            for first, length in functions(lines):
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{rel}:{first}: a function of {length} "
                                    f"lines, more than {MAX_FUNCTION_LINES}")
            if path.suffix == ".cpp" and rel not in NO_SUITE_NEEDED \
                    and not (root / "test" / rel).exists():
                problems.append(f"{rel}: no unit suite at test/{rel}")
    problems += layering(root)
    problems += licences(root)
    for problem in problems:
        print(problem)
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

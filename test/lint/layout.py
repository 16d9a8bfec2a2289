#!/usr/bin/env python3
"""Keeps the house walkable: fails when a production source file passes 500
lines, a function passes 80, or a .cpp under protocol/, actors/ or main/ has
no unit suite at the same path under test/ (main/main.cpp, the thin entry
point, excepted). Usage: layout.py [REPO_ROOT]"""
import pathlib
import re
import sys

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
SOURCE_DIRS = ("protocol", "actors", "main")
NO_SUITE_NEEDED = {"main/main.cpp"}

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
        if NOT_A_FUNCTION.search(lines[start]):
            continue
        indent = len(lines[start]) - len(lines[start].lstrip())
        closing = re.compile(r"^" + " " * indent + r"}")
        for j in range(i + 1, len(lines)):
            if closing.match(lines[j]):
                yield start + 1, j - start + 1
                break


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
    for problem in problems:
        print(problem)
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the Debian changelog of the package from CHANGELOG.md, so that
the changes are kept in one place. Every released version (not
"Unreleased") becomes one entry, its items the entry's lines.

Usage: debian_changelog.py CHANGELOG.md VERSION MAINTAINER OUT.gz
VERSION must be the newest entry: the package and its changelog agree.
OUT.gz is compressed as Debian wants it (best, no time stamp)."""
import datetime
import gzip
import re
import sys
import textwrap

HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$")


def entries(text):
    """Yields (version, date, items) per released version, newest first."""
    version = date = None
    items = []
    for line in text.splitlines():
        m = HEADING.match(line)
        if m or line.startswith("## "):
            if version:
                yield version, date, items
            version, date = (m.group(1), m.group(2)) if m else (None, None)
            items = []
        elif version and line.startswith("- "):
            items.append(line[2:].strip())
        elif version and items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
    if version:
        yield version, date, items


def plain(item):
    """Markdown's code spans read as quotes in a text file."""
    return item.replace("`", "'")


def main():
    source, version, maintainer, target = sys.argv[1:5]
    with open(source, encoding="utf-8") as f:
        found = list(entries(f.read()))
    if not found or found[0][0] != version:
        sys.exit(f"{source}: the newest version is not {version}: add it")
    out = []
    for number, date, items in found:
        out.append(f"groupchat ({number}) unstable; urgency=medium\n")
        for item in items:
            out.append(textwrap.fill(plain(item), width=78,
                                     initial_indent="  * ",
                                     subsequent_indent="    "))
        when = datetime.datetime.strptime(date, "%Y-%m-%d")
        stamp = when.strftime("%a, %d %b %Y 00:00:00 +0000")
        out.append(f"\n -- {maintainer}  {stamp}\n")
    with open(target, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9,
                           fileobj=raw, mtime=0) as f:
            f.write("\n".join(out).encode("utf-8"))


if __name__ == "__main__":
    main()

"""Puts SECTION (markdown starting with "## TITLE...") at the end of FILE, replacing the section of that title.

At the end, because `./xai bench` rewrites docs/benchmarks.md but keeps everything from its "Scaling"
section on. Used by the benchmark scripts of this folder:  python3 put-section.py FILE "## TITLE" "$SECTION"
"""
import sys

path, title, section = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
start = text.find("\n" + title)
if start >= 0:
    end = text.find("\n## ", start + 1)
    text = text[:start] + (text[end:] if end >= 0 else "")
text = text.rstrip("\n") + "\n" + section + "\n"
open(path, "w").write(text)

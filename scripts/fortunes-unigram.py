#!/usr/bin/env python3
"""The unigram entropy of the fortunes corpus, in bits per character: what a model that knows only the characters'
frequencies scores (docs/compare.md quotes it beside the GPT's validation bits per character).

Reads the 33 files pinned in src/Hybrid.Training/Data/Fortunes.cs from /usr/share/games/fortunes (scripts/setup.sh
installs them), drops the '%' lines that separate entries, and counts bytes (the corpus is ASCII).
    python3 scripts/fortunes-unigram.py
"""
import collections, math, os, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pinned = open(os.path.join(root, "src/Hybrid.Training/Data/Fortunes.cs"), encoding="utf-8").read()
names = re.findall(r'new\("([a-z-]+)", \d+, "[0-9a-f]{64}"\)', pinned)
if len(names) != 33:
    sys.exit(f"expected the 33 pinned fortunes files in Fortunes.cs, found {len(names)}")
counts, total = collections.Counter(), 0
for name in names:
    with open(os.path.join("/usr/share/games/fortunes", name), "rb") as f:
        text = b"".join(line for line in f if line.strip() != b"%")
    counts.update(text)
    total += len(text)
entropy = -sum(c / total * math.log2(c / total) for c in counts.values())
print(f"{len(names)} files, {total} characters, {len(counts)} distinct: unigram entropy {entropy:.3f} bits per character")

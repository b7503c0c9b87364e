"""Shared helpers for the demo-data scripts: the project's tokenizer rule and TSV I/O.

The tokenizer here must match twinflow's own (runtime/tokenizer.h: lower-case, split on
non-alphanumerics), so that the baselines and statistics see exactly the tokens the model
sees. The two agree on the demo texts because their only non-ASCII characters are General
Punctuation (curly quotes, dashes), a separator for both; sword_text.py checks it.
"""

import re

_TOKEN = re.compile(r"[^\W_]+")  # runs of letters/digits; '_' is not alphanumeric


def tokenize(text):
    """Lower-cases `text` and splits it on every non-alphanumeric character."""
    return _TOKEN.findall(text.lower())


def jaccard(a_tokens, b_tokens):
    """Jaccard overlap of two token collections, compared as sets (0 when both are empty)."""
    a, b = set(a_tokens), set(b_tokens)
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def write_tsv(path, header, rows):
    """Writes a header row and `rows`; fields must be free of tabs and newlines."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\t".join(header) + "\n")
        for row in rows:
            for field in row:
                if "\t" in field or "\n" in field or "\r" in field:
                    raise ValueError(f"{path}: a field holds a tab or newline: {field!r}")
            out.write("\t".join(row) + "\n")


def read_tsv(path):
    """Returns (header, rows) of a file written by write_tsv; rows are lists of strings."""
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(header):
            raise ValueError(f"{path}:{number}: {len(fields)} columns, header has {len(header)}")
        rows.append(fields)
    return header, rows

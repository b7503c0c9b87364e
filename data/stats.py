#!/usr/bin/env python3
"""Statistics of the demo data that set model choices: verses per split, token lengths (for
the input length) and the train vocabulary (for the Embedding's size). Standard library only.

    python3 data/stats.py
"""

import argparse
import os
from collections import Counter

from demo_text import read_tsv, tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
SPLITS = ("train", "val", "test")
CUTS = (30, 40, 50)


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-q * len(sorted_values) // 100))  # ceil(q/100 * n)
    return sorted_values[int(rank) - 1]


def verse_texts(split, data_dir):
    """Every verse of the split in both translations: anchor and positive of its triplets."""
    _, rows = read_tsv(os.path.join(data_dir, f"triplets_{split}.tsv"))
    return [text for anchor, positive, _ in rows for text in (anchor, positive)]


def pair_texts(split, data_dir):
    """Every text field of the split's pair file, as a model reading it sees them."""
    _, rows = read_tsv(os.path.join(data_dir, f"pairs_{split}.tsv"))
    return [text for left, right, _ in rows for text in (left, right)]


def length_line(name, texts):
    lengths = sorted(len(tokenize(t)) for t in texts)
    cut = "  ".join(
        f"cut at {c}: {sum(n > c for n in lengths) / len(lengths):6.2%}" for c in CUTS
    )
    return (
        f"{name:<22} n={len(lengths):6d}  median {percentile(lengths, 50):3d}  "
        f"p95 {percentile(lengths, 95):3d}  max {lengths[-1]:3d}  {cut}"
    )


def print_vocabulary(source, texts, data_dir):
    counts = Counter(t for text in texts for t in tokenize(text))
    print(f"Train vocabulary from {source}:")
    for min_count in (1, 2):
        kept = {t for t, n in counts.items() if n >= min_count}
        oov = []
        for split in ("val", "test"):
            tokens = [t for text in pair_texts(split, data_dir) for t in tokenize(text)]
            oov.append(f"{split} {sum(t not in kept for t in tokens) / len(tokens):.2%}")
        oov_text = ", ".join(oov)
        print(f"  min_count {min_count}: {len(kept):5d} tokens; out of vocabulary: {oov_text}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=HERE, help="directory holding the TSV files")
    args = parser.parse_args()

    print("Token lengths (lower-case, split on non-alphanumerics); 'cut' = share of texts")
    print("longer than that many tokens, which post-truncation shortens.")
    for split in SPLITS:
        print(length_line(f"{split} verse texts", verse_texts(split, args.data)))
    for split in SPLITS:
        print(length_line(f"{split} pair fields", pair_texts(split, args.data)))

    print()
    print_vocabulary("token occurrences in the text columns of pairs_train.tsv",
                     pair_texts("train", args.data), args.data)
    print_vocabulary("distinct train verses (each verse once in each translation)",
                     verse_texts("train", args.data), args.data)


if __name__ == "__main__":
    main()

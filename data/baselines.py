#!/usr/bin/env python3
"""Word-counting baselines on the demo pairs: what a model must beat to show it learned.

Two scores for a pair (left, right), both on the project's tokens (tokenize in demo_text):
  jaccard  |L ∩ R| / |L ∪ R| of the two token sets;
  tfidf    cosine of raw-count TF × IDF vectors, IDF = ln((1 + N) / (1 + df)) + 1 over the
           N distinct texts of the train pairs (a token unseen in train gets the IDF of df 0).
Each is reported on the pairs as ROC-AUC, accuracy at the threshold that is best on the train
split (applied unchanged to val and test), and the oracle accuracy at the split's own best
threshold; on the test triplets as the share ordered correctly; and on retrieval_test.tsv as
recall@1 and @5 (what `twinflow eval` reports for a triplet model). Standard library only.

    python3 data/baselines.py                 # prints the table
    python3 data/baselines.py --write-readme  # also replaces the table in data/README.md
"""

import argparse
import math
import os
from collections import Counter

from demo_text import jaccard, read_tsv, tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
SPLITS = ("train", "val", "test")
README_BEGIN = "<!-- baselines:begin -->"
README_END = "<!-- baselines:end -->"


def read_pairs(split, data_dir):
    header, rows = read_tsv(os.path.join(data_dir, f"pairs_{split}.tsv"))
    if header != ["left", "right", "label"]:
        raise ValueError(f"pairs_{split}.tsv: unexpected header {header}")
    return [(tokenize(left), tokenize(right), int(label)) for left, right, label in rows]


class TfIdf:
    """Cosine similarity of TF-IDF vectors with document frequencies from `documents`."""

    def __init__(self, documents):
        df = Counter(token for doc in documents for token in set(doc))
        n = len(documents)
        self.default_idf = math.log(1 + n) + 1
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}

    def _vector(self, tokens):
        return {t: c * self.idf.get(t, self.default_idf) for t, c in Counter(tokens).items()}

    def cosine(self, a_tokens, b_tokens):
        a, b = self._vector(a_tokens), self._vector(b_tokens)
        dot = sum(w * b.get(t, 0.0) for t, w in a.items())
        norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
        return dot / norm if norm else 0.0


def roc_auc(scores, labels):
    """Probability that a random positive outscores a random negative (ties count half)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1  # average rank of the tie group
        i = j + 1
    positives = sum(labels)
    negatives = len(labels) - positives
    rank_sum = sum(r for r, y in zip(ranks, labels) if y == 1)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def accuracy(scores, labels, threshold):
    return sum((s >= threshold) == (y == 1) for s, y in zip(scores, labels)) / len(labels)


def best_threshold(scores, labels):
    """The threshold (predict 1 when score >= it) with the highest accuracy on these scores.

    Sweeps the midpoints between consecutive distinct scores in one pass over the sorted
    scores; ties go to the lowest threshold.
    """
    pairs = sorted(zip(scores, labels))
    correct = sum(labels)  # threshold below every score: all predicted 1
    best, best_correct = pairs[0][0] - 1.0, correct
    for i, (score, label) in enumerate(pairs):
        correct += -1 if label == 1 else 1  # this row moves to "predicted 0"
        if i + 1 < len(pairs) and pairs[i + 1][0] == score:
            continue
        threshold = (score + pairs[i + 1][0]) / 2 if i + 1 < len(pairs) else score + 1.0
        if correct > best_correct:
            best, best_correct = threshold, correct
    return best


def make_scorers(train_pairs):
    """The two word-counting similarities; TF-IDF takes its IDF from the train texts."""
    train_texts = {tuple(t) for left, right, _ in train_pairs for t in (left, right)}
    tfidf = TfIdf([list(t) for t in train_texts])
    return {"Jaccard": jaccard, "TF-IDF cosine": tfidf.cosine}


def evaluate_pairs(scorers, pairs):
    """{(score name, split): (auc, accuracy at train threshold, oracle accuracy, threshold)}."""
    results = {}
    for name, score in scorers.items():
        scored = {
            split: ([score(a, b) for a, b, _ in rows], [label for *_, label in rows])
            for split, rows in pairs.items()
        }
        train_threshold = best_threshold(*scored["train"])
        for split, (scores, labels) in scored.items():
            results[(name, split)] = (
                roc_auc(scores, labels),
                accuracy(scores, labels, train_threshold),
                accuracy(scores, labels, best_threshold(scores, labels)),
                train_threshold,
            )
    return results


def pairs_table(results):
    lines = [
        "| baseline | split | ROC-AUC | accuracy, train threshold | accuracy, own best threshold |",
        "|---|---|---|---|---|",
    ]
    for (name, split), (auc, acc, oracle, threshold) in results.items():
        label = f"{name} (train threshold {threshold:.3f})"
        lines.append(f"| {label} | {split} | {auc:.3f} | {acc:.3f} | {oracle:.3f} |")
    return "\n".join(lines)


def ordered_fraction(score, data_dir):
    """Share of test triplets with score(anchor, positive) > score(anchor, negative)."""
    _, rows = read_tsv(os.path.join(data_dir, "triplets_test.tsv"))
    tokens = [[tokenize(text) for text in row] for row in rows]
    return sum(score(a, p) > score(a, n) for a, p, n in tokens) / len(tokens)


def recall_at(score, data_dir, ks=(1, 5)):
    """Recall@k of ranking every target of retrieval_test.tsv for each query (ties count
    against the query: a target scoring equal to the right one ranks ahead of it)."""
    _, rows = read_tsv(os.path.join(data_dir, "retrieval_test.tsv"))
    queries = [tokenize(query) for _, query, _ in rows]
    targets = [tokenize(target) for _, _, target in rows]
    hits = dict.fromkeys(ks, 0)
    for i, query in enumerate(queries):
        scores = [score(query, target) for target in targets]
        rank = sum(s >= scores[i] for j, s in enumerate(scores) if j != i)
        for k in ks:
            hits[k] += rank < k
    return [hits[k] / len(rows) for k in ks]


def ranking_table(scorers, data_dir):
    lines = [
        "| baseline | test triplets ordered correctly | retrieval recall@1 | recall@5 |",
        "|---|---|---|---|",
    ]
    for name, score in scorers.items():
        r1, r5 = recall_at(score, data_dir)
        lines.append(f"| {name} | {ordered_fraction(score, data_dir):.3f} | {r1:.3f} | {r5:.3f} |")
    return "\n".join(lines)


def write_into_readme(table, readme):
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise ValueError(f"{readme}: markers {README_BEGIN} ... {README_END} not found")
    text = text[: begin + len(README_BEGIN)] + "\n" + table + "\n" + text[end:]
    with open(readme, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=HERE, help="directory holding the TSV files")
    parser.add_argument("--write-readme", action="store_true", help="update data/README.md")
    args = parser.parse_args()
    pairs = {split: read_pairs(split, args.data) for split in SPLITS}
    scorers = make_scorers(pairs["train"])
    tables = "\n\n".join(
        (pairs_table(evaluate_pairs(scorers, pairs)), ranking_table(scorers, args.data))
    )
    print(tables)
    if args.write_readme:
        write_into_readme(tables, os.path.join(args.data, "README.md"))

if __name__ == "__main__":
    main()

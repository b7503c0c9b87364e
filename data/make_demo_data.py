#!/usr/bin/env python3
"""Builds twinflow's demo data: New Testament verses in the KJV and the WEB as paraphrase pairs.

Writes pairs_{train,val,test}.tsv, triplets_{train,val,test}.tsv and retrieval_test.tsv
beside this script (see README.md for the columns and the rules). Standard library only and
deterministic: the same exports and seed give byte-identical files.

    python3 data/make_demo_data.py                  # runs mod2imp on the installed modules
    python3 data/make_demo_data.py --kjv kjv.imp --web web.imp   # or reads saved exports
    python3 data/make_demo_data.py --folds 4     # cross-validation folds by book, in data/folds/
"""

import argparse
import os
import random
import sys
from collections import Counter

from demo_text import write_tsv
from negatives import NegativeMiner
from sword_text import align, export_module

KJV_MODULE = "engKJV2006eb"  # Debian sword-text-kjv 14.3-1 (abbreviation KJV)
WEB_MODULE = "engWEB2015eb"  # Debian sword-text-web 426.0-1 (abbreviation WEB)

# Whole books per split, so no chapter is shared between splits. Test mixes a gospel with
# letters (~12% of the verses), validation is Paul's shorter letters (~8%).
TEST_BOOKS = ("Mark", "James", "I Peter", "II Peter")
VAL_BOOKS = (
    "Galatians",
    "Ephesians",
    "Philippians",
    "Colossians",
    "I Thessalonians",
    "II Thessalonians",
)

DEFAULT_SEED = 20240404
# A verse whose two translations differ in token count by more than this factor is a
# versification mismatch, not a paraphrase.
MAX_LENGTH_RATIO = 2.5
# The mix of negatives (negatives.py explains each kind); tuned until word overlap and TF-IDF
# stay below about 0.75 accuracy on the test split, see README.md.
SPLICE_FRACTION = 1.0
RANDOM_FRACTION = 0.05
# Cross-validation folds when --folds is given without a number.
DEFAULT_FOLDS = 4


def split_of(book):
    if book in TEST_BOOKS:
        return "test"
    if book in VAL_BOOKS:
        return "val"
    return "train"


def build_split(verses, rng, splice_fraction, random_fraction):
    """Pair rows (two per verse) and triplet rows (one per verse), each list shuffled, and a
    count of the kinds of pair negatives."""
    miner = NegativeMiner(verses)
    pairs, triplets, kinds = [], [], Counter()
    for verse in verses:
        # Which translation is the anchor (left) is random; the match and the negative are
        # always in the other one.
        anchor_side, match_side = ("kjv", "web") if rng.random() < 0.5 else ("web", "kjv")
        anchor, match = getattr(verse, anchor_side), getattr(verse, match_side)
        hard, kind = None, "spliced"
        if rng.random() < splice_fraction:
            hard = miner.spliced(verse, match_side, anchor_side, rng)
        if hard is None:
            hard = getattr(miner.nearest_verse(verse, match_side), match_side)
            kind = "nearest verse"
        negative = hard
        if rng.random() < random_fraction:
            negative = getattr(miner.random_verse(verse, match_side, rng), match_side)
            kind = "random verse"
        kinds[kind] += 1
        pairs.append((anchor, match, "1"))
        pairs.append((anchor, negative, "0"))
        triplets.append((anchor, match, hard))
    rng.shuffle(pairs)
    rng.shuffle(triplets)
    return pairs, triplets, kinds


def write_split(out_dir, split, verses, rng, args):
    """Writes pairs_SPLIT.tsv and triplets_SPLIT.tsv of `verses` and prints their counts."""
    pairs, triplets, kinds = build_split(verses, rng, args.splice_fraction, args.random_fraction)
    write_tsv(os.path.join(out_dir, f"pairs_{split}.tsv"), ("left", "right", "label"), pairs)
    write_tsv(
        os.path.join(out_dir, f"triplets_{split}.tsv"),
        ("anchor", "positive", "negative"),
        triplets,
    )
    mix = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    print(f"{split}: {len(verses)} verses, {len(pairs)} pairs ({mix}), {len(triplets)} triplets")


def book_groups(verses, count):
    """Splits the books of `verses` into `count` groups of whole books with near-equal verses.

    The rule, greedy and deterministic: books in descending order of their verse counts (ties
    in canonical order) each go to the group with the fewest verses so far (ties: the lowest
    group number). Each group lists its books in canonical order.
    """
    sizes = Counter(v.book for v in verses)
    canon = list(dict.fromkeys(v.book for v in verses))  # verses come in canonical order
    if count > len(canon):
        raise SystemExit(f"--folds {count}: only {len(canon)} books to share out")
    groups = [[] for _ in range(count)]
    totals = [0] * count
    for book in sorted(canon, key=lambda b: (-sizes[b], canon.index(b))):
        smallest = totals.index(min(totals))
        groups[smallest].append(book)
        totals[smallest] += sizes[book]
    return [sorted(group, key=canon.index) for group in groups]


def write_folds(verses, args):
    """Writes fold-1 ... fold-K under --folds-out: fold k validates on group k of the books of
    the train and val splits and trains on the other groups. The test books are never used."""
    pool = [v for v in verses if split_of(v.book) != "test"]
    groups = book_groups(pool, args.folds)
    for k, group in enumerate(groups, start=1):
        size = sum(1 for v in pool if v.book in group)
        print(f"group {k}: {size} verses: {', '.join(group)}")
    for k, group in enumerate(groups, start=1):
        fold_dir = os.path.join(args.folds_out, f"fold-{k}")
        os.makedirs(fold_dir, exist_ok=True)
        print(f"fold-{k} ({fold_dir}):")
        for split in ("train", "val"):
            in_split = [v for v in pool if (v.book in group) == (split == "val")]
            # Seeded per fold and split, so that a fold does not depend on the others.
            rng = random.Random(f"{args.seed}:fold-{k}:{split}")
            write_split(fold_dir, split, in_split, rng, args)


def retrieval_rows(verses):
    """One row per verse: its reference, the KJV text as the query, the WEB text as target."""
    return [(v.ref, v.kjv, v.web) for v in verses]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kjv", help="a saved `mod2imp engKJV2006eb` export (default: run it)")
    parser.add_argument("--web", help="a saved `mod2imp engWEB2015eb` export (default: run it)")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--splice-fraction",
        type=float,
        default=SPLICE_FRACTION,
        help="probability that a verse's hard negative is spliced (else its nearest verse)",
    )
    parser.add_argument(
        "--random-fraction",
        type=float,
        default=RANDOM_FRACTION,
        help="probability that a pair's negative is a random verse instead of the hard one",
    )
    parser.add_argument(
        "--folds",
        type=int,
        nargs="?",
        const=DEFAULT_FOLDS,
        metavar="K",
        help="write K cross-validation folds by book (default K: %(const)s) instead of the "
        "splits: the train and val books in K groups, each the validation split of one fold",
    )
    parser.add_argument(
        "--folds-out", help="the directory of the folds (default: OUT/folds, not in git)"
    )
    args = parser.parse_args()
    if args.folds is not None and args.folds < 2:
        parser.error("--folds needs at least 2 groups")
    if args.folds_out is None:
        args.folds_out = os.path.join(args.out, "folds")
    return args


def read_export(path, module):
    if path is None:
        return export_module(module)
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    args = parse_args()
    verses, books, dropped = align(
        read_export(args.kjv, KJV_MODULE), read_export(args.web, WEB_MODULE), MAX_LENGTH_RATIO
    )
    unknown = [b for b in TEST_BOOKS + VAL_BOOKS if b not in books]
    if unknown:
        raise SystemExit(f"split books not in the modules: {unknown}; the modules name {books}")
    for reason, refs in dropped.items():
        print(f"dropped ({reason}): {', '.join(refs) if refs else 'none'}", file=sys.stderr)
    if args.folds is not None:
        write_folds(verses, args)
        return
    os.makedirs(args.out, exist_ok=True)
    for split in ("train", "val", "test"):
        in_split = [v for v in verses if split_of(v.book) == split]
        rng = random.Random(f"{args.seed}:{split}")
        write_split(args.out, split, in_split, rng, args)
        if split == "test":
            write_tsv(
                os.path.join(args.out, "retrieval_test.tsv"),
                ("id", "query", "target"),
                retrieval_rows(in_split),
            )


if __name__ == "__main__":
    main()

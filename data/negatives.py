"""Negatives for the demo pairs: texts in the same translation as the true match that a model
must tell apart from it.

Three kinds, all in the match's translation so the translation's style never gives a label
away:
  nearest verse  the other verse of the same chapter whose tokens overlap the true
                 translation's most (Jaccard); ties go to the nearest, then earlier, verse.
  spliced        the true translation with one of its clauses replaced by a clause of
                 another verse of the same chapter, picked to overlap the anchor most.
  random verse   any other verse of the same split.
Whole verses alone do not defeat word counting (see README.md): a verse's two
translations overlap 0.58 (median Jaccard of their tokens), an anchor and its nearest
verse 0.17. A spliced negative keeps most of the true wording and changes the meaning, so
only a model that reads what each clause says separates it from the translation.
"""

import re

from demo_text import jaccard, tokenize

# A candidate this close (Jaccard) to the true translation in the same translation says the
# same thing (refrains such as "He who has an ear, let him hear") and is never a negative.
NEAR_DUPLICATE_JACCARD = 0.8
# A clause to replace covers at least this share of the verse's tokens (smaller swaps hardly
# change the meaning) and starts within the first VISIBLE_TOKENS tokens, so that a model
# reading 30 tokens sees it.
MIN_CLAUSE_SHARE = 0.25
VISIBLE_TOKENS = 20
MIN_CLAUSE_TOKENS = 3
# The replacement must say something else than the clause it replaces ("But he answered
# them," for "But he immediately spoke with them and said to them," overlaps 0.3: too close).
MAX_REPLACEMENT_JACCARD = 0.2

_CLAUSE_END = re.compile(r"(?<=[,;:.?!])\s+")


def clauses(text):
    """The text cut after each , ; : . ? or ! that a space follows."""
    return [c for c in _CLAUSE_END.split(text) if c]


class NegativeMiner:
    """Finds negatives for the verses of one split (pools never cross a split)."""

    def __init__(self, verses):
        self.verses = verses
        self.tokens = {}
        self.chapters = {}
        for v in verses:
            for side in ("kjv", "web"):
                self.tokens[(v.order, side)] = set(tokenize(getattr(v, side)))
            self.chapters.setdefault((v.book, v.chapter), []).append(v)

    def _distinct(self, verse, other, side):
        if other.order == verse.order:
            return False
        return jaccard(self.tokens[(other.order, side)], self.tokens[(verse.order, side)]) < (
            NEAR_DUPLICATE_JACCARD
        )

    def nearest_verse(self, verse, side):
        """The chapter's other verse overlapping `verse`'s `side` text most (the whole split
        is searched only for a chapter with no other distinct verse)."""
        true_tokens = self.tokens[(verse.order, side)]
        for pool in (self.chapters[(verse.book, verse.chapter)], self.verses):
            candidates = [o for o in pool if self._distinct(verse, o, side)]
            if candidates:
                return max(
                    candidates,
                    key=lambda o: (
                        jaccard(self.tokens[(o.order, side)], true_tokens),
                        -abs(o.order - verse.order),
                        -o.order,
                    ),
                )
        raise ValueError(f"{verse.ref}: no other verse to use as a negative")

    def random_verse(self, verse, side, rng):
        while True:
            other = self.verses[rng.randrange(len(self.verses))]
            if self._distinct(verse, other, side):
                return other

    def spliced(self, verse, side, anchor_side, rng):
        """`verse`'s `side` text with one clause swapped, or None when no clause qualifies."""
        parts = clauses(getattr(verse, side))
        slot = self._clause_to_replace(parts, rng)
        if slot is None:
            return None
        replaced = tokenize(parts[slot])
        true_tokens = self.tokens[(verse.order, side)]
        kept = {t for i, part in enumerate(parts) if i != slot for t in tokenize(part)}
        anchor = self.tokens[(verse.order, anchor_side)]
        best, best_key = None, None
        for other in self.chapters[(verse.book, verse.chapter)]:
            if not self._distinct(verse, other, side):
                continue
            for clause in clauses(getattr(other, side)):
                tokens = tokenize(clause)
                if len(tokens) < MIN_CLAUSE_TOKENS:
                    continue
                if jaccard(tokens, replaced) >= MAX_REPLACEMENT_JACCARD:
                    continue
                if jaccard(kept | set(tokens), true_tokens) >= NEAR_DUPLICATE_JACCARD:
                    continue
                # Most overlap with the anchor first (what fools word counting), then the
                # closest length, then the text itself so the choice never depends on order.
                overlap = jaccard(kept | set(tokens), anchor)
                key = (overlap, -abs(len(tokens) - len(replaced)), clause)
                if best_key is None or key > best_key:
                    best, best_key = clause, key
        if best is None:
            return None
        return " ".join(parts[:slot] + [best] + parts[slot + 1 :])

    @staticmethod
    def _clause_to_replace(parts, rng):
        if len(parts) < 2:
            return None  # replacing the only clause would leave no true wording
        total = sum(len(tokenize(p)) for p in parts)
        slots, start = [], 0
        for i, part in enumerate(parts):
            length = len(tokenize(part))
            long_enough = length >= max(MIN_CLAUSE_TOKENS, MIN_CLAUSE_SHARE * total)
            if start < VISIBLE_TOKENS and long_enough:
                slots.append(i)
            start += length
        return rng.choice(slots) if slots else None

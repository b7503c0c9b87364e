"""Reads the New Testament of two SWORD Bible modules as plain text, aligned verse by verse.

mod2imp (Debian package libsword-utils) writes a module as "import format": a line
`$$$<Book> <chapter>:<verse>` followed by that entry's raw OSIS markup, up to the next `$$$`
line. Entries with chapter or verse 0 are book/chapter introductions, and the New Testament
starts after the `$$$[ Testament 2 Heading ]` entry. Raw markup (not `mod2imp -s`) is read
so that footnotes and headings, which the plain-text renderer would keep, can be dropped.
"""

import html
import re
import subprocess
from dataclasses import dataclass

from demo_text import tokenize

_HEADER = re.compile(r"^\$\$\$(.+) (\d+):(\d+)$")
_NT_HEADING = "$$$[ Testament 2 Heading ]"

# The end of a book's <div>: the WEB appends its glossary to the last verse of Revelation.
_BOOK_END = re.compile(r'<div\b(?=[^>]*\beID=)(?=[^>]*\btype="book")[^>]*>')
# Elements whose content is not verse text: footnotes and cross references (WEB), section
# and book titles (both). They never nest in these modules.
_DROPPED_ELEMENTS = re.compile(r"<(note|title)\b[^>]*>.*?</\1\s*>", re.S)
# Tags that separate text (paragraphs, poetry lines, milestones): replaced by a space.
_BLOCK_TAG = re.compile(r"</?(div|milestone|l|lg|lb|list|item|chapter|p)\b[^>]*>")
# Everything else (<w lemma="strong:...">, <q>, <transChange>, ...) wraps text in place.
_INLINE_TAG = re.compile(r"<[^>]*>")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?)\]’”])")

# The KJV spells Caesar, Judaea, ... with the ligature; spelled out, every letter of both
# texts is ASCII and "Caesar" is one token in both translations.
_LIGATURES = {"æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe"}


@dataclass(frozen=True)
class Verse:
    """One verse in both translations; `order` is its position in the canon."""

    book: str
    chapter: int
    verse: int
    order: int
    kjv: str
    web: str

    @property
    def ref(self):
        return f"{self.book} {self.chapter}:{self.verse}"


def export_module(module):
    """Runs `mod2imp MODULE` and returns its output (raw OSIS import format)."""
    done = subprocess.run(["mod2imp", module], capture_output=True, check=True)
    text = done.stdout.decode("utf-8")
    if _NT_HEADING not in text:
        raise RuntimeError(f"mod2imp {module}: no New Testament in the output; is it installed?")
    return text


def parse_imp(text, source):
    """Maps (book, chapter, verse) to raw markup for the New Testament entries of `text`.

    Also returns the book names in canonical order.
    """
    entries, books = {}, []
    in_nt, key, lines = False, None, []
    for line in text.split("\n") + ["$$$"]:
        if not line.startswith("$$$"):
            if key is not None:
                lines.append(line)
            continue
        if key is not None:
            entries[key] = " ".join(lines)
        key, lines = None, []
        if line.strip() == _NT_HEADING:
            in_nt = True
        match = _HEADER.match(line.strip())
        if in_nt and match and int(match.group(2)) > 0 and int(match.group(3)) > 0:
            key = (match.group(1), int(match.group(2)), int(match.group(3)))
            if key[0] not in books:
                books.append(key[0])
    if not entries:
        raise ValueError(f"{source}: no New Testament verses found")
    return entries, books


def clean_osis(markup):
    """Plain verse text: notes, titles, tags, Strong's numbers and pilcrows removed."""
    text = _BOOK_END.split(markup, maxsplit=1)[0]
    text = _DROPPED_ELEMENTS.sub(" ", text)
    text = _BLOCK_TAG.sub(" ", text)
    text = _INLINE_TAG.sub("", text)
    text = html.unescape(text).replace("¶", " ")
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    text = " ".join(text.split())
    # Removing a note leaves a space where the note sat, e.g. before a comma.
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


def _check_characters(text, where):
    """Every non-ASCII character must be General Punctuation (U+2000-U+206F: curly quotes,
    dashes), which twinflow's tokenizer and demo_text.tokenize both treat as separators."""
    for ch in text:
        if ord(ch) > 127 and not 0x2000 <= ord(ch) <= 0x206F:
            raise ValueError(f"{where}: unexpected character {ch!r} (U+{ord(ch):04X}) in {text!r}")


def align(kjv_imp, web_imp, max_length_ratio):
    """Verses present and non-empty in both texts, in canonical order, plus a drop report.

    A verse whose token counts differ by more than `max_length_ratio` is dropped as
    misaligned: the WEB (NRSVA versification) folds some verses into neighbours, e.g. it
    prints the doxology of Romans 16:25-27 at the end of Romans 14:23.
    """
    kjv, books = parse_imp(kjv_imp, "KJV export")
    web, _ = parse_imp(web_imp, "WEB export")
    verses, dropped = [], {"only in one text": [], "empty": [], "length mismatch": []}
    for key in sorted(set(kjv) | set(web), key=lambda k: (books.index(k[0]), k[1], k[2])):
        ref = f"{key[0]} {key[1]}:{key[2]}"
        if key not in kjv or key not in web:
            dropped["only in one text"].append(ref)
            continue
        kjv_text, web_text = clean_osis(kjv[key]), clean_osis(web[key])
        kjv_len, web_len = len(tokenize(kjv_text)), len(tokenize(web_text))
        if kjv_len == 0 or web_len == 0:
            dropped["empty"].append(ref)
            continue
        if max(kjv_len, web_len) > max_length_ratio * min(kjv_len, web_len):
            dropped["length mismatch"].append(ref)
            continue
        _check_characters(kjv_text, f"KJV {ref}")
        _check_characters(web_text, f"WEB {ref}")
        verses.append(Verse(key[0], key[1], key[2], len(verses), kjv_text, web_text))
    return verses, books, dropped

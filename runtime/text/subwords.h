// runtime/text/subwords.h — the character n-grams of a word, hashed to table rows (fastText's
// subword vectors; graph/ir/attrs.h SubwordAttrs says what the Embedding does with them).
//
// A word w (a token, already lower-cased) is read as "<w>"; its pieces are every run of n
// consecutive code points for n = min_n..max_n, shortest n first, left to right within one n
// (so "<the>" with 3..4 gives "<th", "the", "he>", "<the", "the>"). A run of one code point that
// is a bracket alone is never a piece. Each piece is hashed with 32-bit FNV-1a over its UTF-8
// bytes; its row is first_row + hash mod buckets. A repeated piece counts each time it occurs,
// as its characters do. The hash is part of a saved model's meaning: it must never change.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/model/model.h"
#include "runtime/text/vocabulary.h"

namespace twinflow::runtime {

uint32_t fnv1a_32(std::string_view bytes);

// Writes the rows of word's pieces to out (its size is graph::subword_slots(s)), the rest -1.
// Returns how many were written: a word of more than graph::kSubwordChars code points keeps
// only its first out.size() pieces.
int64_t subword_rows(std::string_view word, const graph::SubwordAttrs& s, int64_t first_row,
                     std::span<int32_t> out);

// The pieces of a text's tokens for an ids row of out.size() / slots positions: position p
// holds the rows of tokens[p] (cut at the row's end, as the ids are) and -1 past the text.
void encode_subwords(std::span<const std::string> tokens, const graph::SubwordAttrs& s,
                     int64_t first_row, std::span<int32_t> out);

// One text as a model reads it: the ids of its tokens into ids (its size is the length) and,
// when the input has subwords, their n-gram rows into pieces (ids.size() · subwords->slots()).
// Returns how many of the ids are out of vocabulary.
int64_t encode_text(std::span<const std::string> tokens, const Vocabulary& vocab,
                    const graph::SubwordInput* subwords, std::span<int32_t> ids,
                    std::span<int32_t> pieces);

}  // namespace twinflow::runtime

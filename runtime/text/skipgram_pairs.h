// runtime/text/skipgram_pairs.h — word2vec's training rows from plain text: skip-gram with
// negative sampling, as TSV rows "word<TAB>context<TAB>label" that a spec of two Embeddings and
// a dot product (models/word2vec.yaml) trains on like any pair data.
//
// The recipe is word2vec's (Mikolov et al., 2013):
//   - texts are tokenized as every twinflow reader does (runtime/text/tokenizer.h), so a word
//     of a row is one token and keeps its id when the trainer reads it back;
//   - words seen fewer than min_count times are dropped before windows are taken;
//   - subsampling: a word of corpus frequency f is kept with probability
//     min(1, (sqrt(f / t) + 1) · t / f), so "the" and "and" stop crowding every window;
//   - each kept word, in its text, draws a window b uniformly from [1, window] and pairs with
//     every kept word at most b places before or after it (label 1): near words count more;
//   - each such pair adds `negatives` rows of the same word with a noise word (label 0) drawn
//     from the unigram counts raised to 3/4 over every word but the true context (none when
//     the corpus has one word).
// Texts do not share windows: a line is a sentence or a verse. The rows come out in corpus
// order; the trainer shuffles them. The same text and options always give the same rows
// (a 64-bit Mersenne Twister seeded with `seed`, and no platform-defined distribution).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "runtime/text/line_reader.h"

namespace twinflow::runtime {

struct SkipgramOptions {
  int64_t window = 5;
  int64_t negatives = 5;
  double subsample = 1e-3;  // t above; 0 keeps every word
  int64_t min_count = 5;
  uint64_t seed = 1;
};

struct SkipgramStats {
  int64_t texts = 0;      // non-blank lines
  int64_t tokens = 0;     // in them
  int64_t words = 0;      // distinct tokens seen at least min_count times
  int64_t kept = 0;       // tokens left after min_count and subsampling
  int64_t positives = 0;  // rows of label 1
  int64_t negatives = 0;  // rows of label 0
  // "12665 texts, 287731 tokens, 2948 words, 186857 kept after subsampling: 945280 true pairs
  // and 4726400 noise pairs"
  std::string to_string() const;
};

// Writes the header and the rows of the texts `reader` yields (one per line; blank lines are
// skipped). Throws DataError naming file:line for invalid UTF-8, DataError for a corpus with no
// word left, and graph::RuntimeInputError for options out of range.
SkipgramStats write_skipgram_pairs(LineReader& reader, std::ostream& out,
                                   const SkipgramOptions& options);

}  // namespace twinflow::runtime

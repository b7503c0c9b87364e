// runtime/text/pretrained.h — fills an Embedding table [V, E] from a word-vectors text file.
//
// Formats (text only; binary word2vec files are not read):
//   glove     one vector per line: "word v1 ... vE", separated by spaces
//   word2vec  the same after a first line "count E"; the count must match the lines that
//             follow, which catches a truncated download
// A line may end with spaces (gensim writes one) and with "\r\n". A word containing spaces
// (glove.840B has a few) is read as every field but the last E; it can never match a
// vocabulary token, so it is counted and passed over.
//
// Matching: vocabulary tokens are lower-case (runtime/text/tokenizer.h), the file's words may not
// be. A token takes the vector of the same word when the file has it, and otherwise the vector
// of the first word (in file order, usually the most frequent) whose lower_case is the token:
// "apple" prefers "apple" over "Apple" but still finds "Apple" alone.
//
// Rows: 0 (padding) is set to zero — the Embedding must also give it no gradient, which is the
// op's and the trainer's business. Every other row without a vector, including 1
// (out-of-vocabulary) and rows past the vocabulary, follows the policy:
//   zeros   0
//   random  left as it was: the caller has initialised the table by the layer's initializer
//   mean    the mean of the vectors found, plus N(0, (0.01·std)²) noise per dimension (std of
//           the vectors found in that dimension), so missing words start near typical words
//           but not identical to each other
//
// Errors are DataError "file:line: ...": a line whose vector has another length than E (the
// message gives both), a field that is not a finite number, a bad word2vec header. Numbers
// are parsed only on lines whose word the vocabulary uses — multi-gigabyte files would
// otherwise take minutes to check — while every line's length is checked.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "graph/spec/spec.h"
#include "ops/tensor.h"
#include "runtime/text/vocabulary.h"

namespace twinflow::runtime {

enum class VectorsFormat { kGlove, kWord2vec };
enum class MissingWords { kZeros, kRandom, kMean };

struct PretrainedOptions {
  VectorsFormat format = VectorsFormat::kGlove;
  MissingWords missing = MissingWords::kRandom;

  // From a spec's `pretrained:` entry; throws graph::RuntimeInputError on an unknown name.
  static PretrainedOptions from_spec(const graph::PretrainedSpec& spec);
};

struct Coverage {
  int64_t vectors = 0;            // vectors read from the file
  int64_t vocabulary_words = 0;   // tokens of the vocabulary (the reserved ids not counted)
  int64_t found = 0;              // of those, how many got a vector
  int64_t found_lower_cased = 0;  // of those, how many only through a lower-cased word
  std::vector<std::string> missing_examples;  // the first few tokens without a vector

  double fraction() const;
  // "found 9,512 of 10,000 vocabulary words (95.1%) among 400,000 vectors; missing: ..."
  std::string to_string() const;
};

// Fills table [V, E] for vocab; V must be at least vocab.size(). rng draws the noise of the
// mean policy. Throws DataError for file problems and graph::RuntimeInputError when the table
// is too small, or when the mean policy finds no vector to average.
template <typename T>
Coverage load_pretrained(const std::string& path, const PretrainedOptions& options,
                         const Vocabulary& vocab, ops::Tensor<T>& table, std::mt19937_64& rng);

}  // namespace twinflow::runtime

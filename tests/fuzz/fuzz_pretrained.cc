// tests/fuzz/fuzz_pretrained.cc — a word-vectors text file (GloVe or word2vec) read into an
// Embedding table for a small vocabulary.
//
// The input's first byte chooses how it is read, the rest is the file:
//   bit 0      format: glove (0) or word2vec (1)
//   bits 1-2   missing words: zeros (0), random (1), mean (2 and 3)
//   bits 3-5   the table's dimension E, 1 + (0..7)
//   bit 6      the table's scalar: float (0) or double (1)
// The table has a row more than the vocabulary, which reading must leave to the policy too.
// The reader's errors are DataError and the other graph::RuntimeInputError; any other exception
// is a finding.
#include <cstdint>
#include <random>
#include <string>

#include "ops/tensor.h"
#include "runtime/text/pretrained.h"
#include "runtime/text/vocabulary.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using twinflow::runtime::MissingWords;
using twinflow::runtime::PretrainedOptions;
using twinflow::runtime::VectorsFormat;
using twinflow::runtime::Vocabulary;

const Vocabulary& vocabulary() {
  static const Vocabulary vocab({"the", "of", "apple", "jesus", "ünter", "σοφία", "日本", "3"});
  return vocab;
}

template <typename T>
void load(const std::string& path, const PretrainedOptions& options, int64_t dim) {
  twinflow::ops::Tensor<T> table(twinflow::graph::Shape{vocabulary().size() + 1, dim}, T(0.5));
  std::mt19937_64 rng(1);
  try {
    (void)twinflow::runtime::load_pretrained(path, options, vocabulary(), table, rng).to_string();
  } catch (const twinflow::graph::RuntimeInputError& e) {
    twinflow::fuzz::rejected(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const twinflow::fuzz::ScratchDir dir;
  if (size == 0) return 0;
  const uint8_t how = data[0];
  PretrainedOptions options;
  options.format = (how & 1) ? VectorsFormat::kWord2vec : VectorsFormat::kGlove;
  const int missing = (how >> 1) & 3;
  options.missing = missing == 0   ? MissingWords::kZeros
                    : missing == 1 ? MissingWords::kRandom
                                   : MissingWords::kMean;
  const int64_t dim = 1 + ((how >> 3) & 7);
  const std::string_view file = twinflow::fuzz::as_text(data + 1, size - 1);
  dir.put("vectors.txt", &file);
  if (how & 64)
    load<double>(dir.file("vectors.txt"), options, dim);
  else
    load<float>(dir.file("vectors.txt"), options, dim);
  return 0;
}

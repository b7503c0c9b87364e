#include "runtime/text/pretrained.h"

#include <doctest/doctest.h>

#include <cmath>

#include "tests/runtime/data_checks.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {
namespace {

using testing::contains;
using testing::data_error_of;

// ids: 0 pad, 1 unk, 2 the, 3 apple, 4 paris, 5 zebra
const Vocabulary kVocab(std::vector<std::string>{"the", "apple", "paris", "zebra"});

// "Apple" comes before "apple": the exact match must still win. "Paris" is only there in
// capitals; "zebra" not at all.
const std::string kGlove =
    "the 0.1 0.2 0.3\n"
    "Apple 1 1 1\n"
    "apple 2 2 2\n"
    "Paris 3 3 3\n"
    "banana 4 4 4\n";

constexpr float kStart = 7.0f;  // what the caller's initializer put in the table

template <typename T = float>
ops::Tensor<T> starting_table(int64_t rows = 6) {
  return ops::Tensor<T>(graph::Shape{rows, 3}, static_cast<T>(kStart));
}

template <typename T>
std::vector<T> row(const ops::Tensor<T>& table, int64_t r) {
  const auto begin = table.data.begin() + r * table.shape[1];
  return std::vector<T>(begin, begin + table.shape[1]);
}

struct Loaded {
  Coverage coverage;
  ops::Tensor<float> table;
};

Loaded load(const std::string& content, PretrainedOptions options) {
  testing::TempDir dir;
  const std::string path = dir.write("vectors.txt", content);
  std::mt19937_64 rng(5);
  Loaded out{{}, starting_table()};
  out.coverage = load_pretrained(path, options, kVocab, out.table, rng);
  return out;
}

DataError load_error(const std::string& content, VectorsFormat format = VectorsFormat::kGlove) {
  return data_error_of([&] { load(content, {format, MissingWords::kZeros}); });
}

TEST_SUITE("runtime.text") {
  TEST_CASE("GloVe: exact words first, then lower-cased ones; coverage counts both") {
    const Loaded l = load(kGlove, {VectorsFormat::kGlove, MissingWords::kRandom});
    CHECK(row(l.table, 2) == std::vector<float>{0.1f, 0.2f, 0.3f});
    CHECK(row(l.table, 3) == std::vector<float>{2, 2, 2});
    CHECK(row(l.table, 4) == std::vector<float>{3, 3, 3});
    CHECK(l.coverage.vectors == 5);
    CHECK(l.coverage.vocabulary_words == 4);
    CHECK(l.coverage.found == 3);
    CHECK(l.coverage.found_lower_cased == 1);
    CHECK(l.coverage.missing_examples == std::vector<std::string>{"zebra"});
    CHECK(l.coverage.fraction() == doctest::Approx(0.75));
    CHECK(l.coverage.to_string() ==
          "found 3 of 4 vocabulary words (75.0%) among 5 vectors, 1 of them lower-cased; "
          "missing: zebra");
  }

  TEST_CASE("the padding row is zero under every policy") {
    for (MissingWords missing :
         {MissingWords::kZeros, MissingWords::kRandom, MissingWords::kMean}) {
      const Loaded l = load(kGlove, {VectorsFormat::kGlove, missing});
      CHECK(row(l.table, 0) == std::vector<float>{0, 0, 0});
    }
  }

  TEST_CASE("missing words: zeros") {
    const Loaded l = load(kGlove, {VectorsFormat::kGlove, MissingWords::kZeros});
    CHECK(row(l.table, 5) == std::vector<float>{0, 0, 0});
    CHECK(row(l.table, 1) == std::vector<float>{0, 0, 0});  // out-of-vocabulary
  }

  TEST_CASE("missing words: random keeps the caller's initial values") {
    const Loaded l = load(kGlove, {VectorsFormat::kGlove, MissingWords::kRandom});
    CHECK(row(l.table, 5) == std::vector<float>{kStart, kStart, kStart});
    CHECK(row(l.table, 1) == std::vector<float>{kStart, kStart, kStart});
  }

  TEST_CASE("missing words: the mean of the found vectors plus small noise") {
    const Loaded l = load(kGlove, {VectorsFormat::kGlove, MissingWords::kMean});
    const std::vector<float> zebra = row(l.table, 5), unknown = row(l.table, 1);
    for (int d = 0; d < 3; ++d) {
      const double found[3] = {0.1 * (d + 1), 2, 3};
      const double mean = (found[0] + found[1] + found[2]) / 3;
      double var = 0;
      for (double v : found) var += (v - mean) * (v - mean) / 3;
      const double noise = 0.01 * std::sqrt(var);
      CHECK(std::abs(static_cast<double>(zebra[static_cast<size_t>(d)]) - mean) < 5 * noise);
      CHECK(zebra[static_cast<size_t>(d)] != doctest::Approx(mean).epsilon(1e-9));
    }
    CHECK(zebra != unknown);  // independent noise per row
  }

  TEST_CASE("word2vec: a header line, then vectors as in GloVe") {
    const Loaded l = load(
        "3 3\n"
        "the 0.1 0.2 0.3 \n"
        "apple 2 2 2 \r\n"
        "ZEBRA 5 5 5\n",
        {VectorsFormat::kWord2vec, MissingWords::kZeros});
    CHECK(l.coverage.vectors == 3);
    CHECK(l.coverage.found == 3);
    CHECK(row(l.table, 5) == std::vector<float>{5, 5, 5});
    CHECK(row(l.table, 4) == std::vector<float>{0, 0, 0});
  }

  TEST_CASE("a word with spaces is passed over") {
    const Loaded l =
        load("at name@x.com 1 1 1\nthe 1 2 3\n", {VectorsFormat::kGlove, MissingWords::kZeros});
    CHECK(l.coverage.vectors == 2);
    CHECK(l.coverage.found == 1);
  }

  TEST_CASE("a vector of the wrong dimension is an error with both dimensions") {
    DataError e = load_error("the 1 2 3\napple 1 2\n");
    CHECK(e.line() == 2);
    CHECK(contains(e.detail(), "the vector of 'apple' has 2 numbers, expected 3"));
    e = load_error("the 1 2 3\nbanana 1 2 3 4\n");  // checked even for words nobody uses
    CHECK(e.line() == 2);
    CHECK(contains(e.detail(), "has 4 numbers, expected 3"));
    e = load_error("2 3\nthe 1 2 3\n");
    CHECK(e.line() == 1);
    CHECK(contains(e.detail(), "looks like a word2vec header"));
    e = load_error("2 5\nthe 1 2 3 4 5\n", VectorsFormat::kWord2vec);
    CHECK(e.line() == 1);
    CHECK(contains(e.detail(), "the file's vectors have 5 dimensions, expected 3"));
  }

  TEST_CASE("a non-number is an error at its line") {
    DataError e = load_error("the 1 2 3\napple 1 x 3\n");
    CHECK(e.line() == 2);
    CHECK(contains(e.what(), "vectors.txt:2: 'x' is not a finite number"));
    e = load_error("the 1 nan 3\n");
    CHECK(e.line() == 1);
  }

  TEST_CASE("word2vec: a bad header or a count that does not match is an error") {
    DataError e = load_error("the 1 2 3\n", VectorsFormat::kWord2vec);
    CHECK(e.line() == 1);
    CHECK(contains(e.detail(), "expected the word2vec header 'count dimension'"));
    e = load_error("4 3\nthe 1 2 3\n", VectorsFormat::kWord2vec);
    CHECK(contains(e.detail(), "the header announces 4 vectors but the file holds 1"));
  }

  TEST_CASE("the table must fit the vocabulary; mean needs at least one vector") {
    testing::TempDir dir;
    const std::string path = dir.write("v.txt", kGlove);
    std::mt19937_64 rng(1);
    ops::Tensor<double> small = starting_table<double>(5);
    CHECK_THROWS_AS(load_pretrained(path, {}, kVocab, small, rng), graph::RuntimeInputError);
    const std::string unrelated = dir.write("u.txt", "xylophone 1 2 3\n");
    ops::Tensor<double> table = starting_table<double>(8);  // rows past the vocabulary are fine
    CHECK_THROWS_WITH_AS(load_pretrained(unrelated, {VectorsFormat::kGlove, MissingWords::kMean},
                                         kVocab, table, rng),
                         doctest::Contains("none of the 4 vocabulary words has a vector"),
                         graph::RuntimeInputError);
    const Coverage c =
        load_pretrained(path, {VectorsFormat::kGlove, MissingWords::kZeros}, kVocab, table, rng);
    CHECK(c.found == 3);
    CHECK(row(table, 7) == std::vector<double>{0, 0, 0});
  }

  TEST_CASE("options come from the spec's names") {
    graph::PretrainedSpec spec;
    spec.format = "word2vec";
    spec.missing = "mean";
    const PretrainedOptions o = PretrainedOptions::from_spec(spec);
    CHECK(o.format == VectorsFormat::kWord2vec);
    CHECK(o.missing == MissingWords::kMean);
    spec.missing = "avg";
    CHECK_THROWS_AS(PretrainedOptions::from_spec(spec), graph::RuntimeInputError);
  }
}

}  // namespace
}  // namespace twinflow::runtime

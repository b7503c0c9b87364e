// Word vectors trained in twinflow, end to end: pairs-from-text makes skip-gram rows,
// models/word2vec.yaml trains on them, export --format glove writes the `words` table, and the
// vectors read back through `pretrained:`'s reader exactly. Words that share contexts end up
// closer than words that never do.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/io/safetensors.h"
#include "runtime/text/pretrained.h"
#include "runtime/text/vocabulary.h"
#include "tests/cli/run_cli.h"
#include "tests/runtime/temp_dir.h"
#include "tests/testing/text_files.h"

namespace twinflow::testing {
namespace {

// Two topics that never meet in a line: sheep, flock, shepherd, pasture, lamb; and sea, boat,
// net, fish, storm. Each line is six words of one topic.
std::string two_topics() {
  const std::vector<std::vector<std::string>> topics = {
      {"sheep", "flock", "shepherd", "pasture", "lamb"}, {"sea", "boat", "net", "fish", "storm"}};
  std::mt19937_64 rng(3);
  std::string text;
  for (int line = 0; line < 600; ++line) {
    const auto& words = topics[static_cast<size_t>(line % 2)];
    for (int k = 0; k < 6; ++k) text += (k ? " " : "") + words[rng() % words.size()];
    text += "\n";
  }
  return text;
}

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += a[i] * b[i], aa += a[i] * a[i], bb += b[i] * b[i];
  return ab / std::sqrt(aa * bb);
}

TEST_SUITE("cli.word2vec") {
  TEST_CASE("pairs-from-text, train word2vec.yaml, export glove, read back by pretrained") {
    TempDir tmp;
    const std::string text = tmp.write("corpus.txt", two_topics());
    const std::string pairs = tmp.path("pairs.tsv");
    const CliRun made = run_twinflow({"pairs-from-text", text, "-o", pairs, "--subsample", "0"});
    REQUIRE_MESSAGE(made.status == 0, made.err);
    CHECK(made.err.find("600 texts, 3600 tokens, 10 words") != std::string::npos);

    const std::string run = tmp.path("run");
    const CliRun trained =
        run_twinflow({"train", source_path("models/word2vec.yaml"), "--data", pairs, "--out", run,
                      "--epochs", "2", "--lr", "0.01", "--quiet"});
    REQUIRE_MESSAGE(trained.status == 0, trained.err);

    const std::string vectors = tmp.path("vectors.txt");
    const CliRun exported =
        run_twinflow({"export", run, "--format", "glove", "--layer", "words", "-o", vectors});
    REQUIRE_MESSAGE(exported.status == 0, exported.err);
    CHECK(exported.out.find("10 word vectors of words") != std::string::npos);

    // Read back as a spec's `pretrained:` would: every word found, every number exact at the
    // model's precision (float32).
    const runtime::Vocabulary vocab = runtime::Vocabulary::read(run + "/vocab.txt");
    ops::Tensor<double> table(graph::Shape{vocab.size(), 100}, 0.0);
    std::mt19937_64 rng(1);
    const runtime::Coverage coverage = runtime::load_pretrained(vectors, {}, vocab, table, rng);
    CHECK(coverage.found == 10);
    const runtime::SafetensorsContent weights =
        runtime::read_safetensors(run + "/weights.safetensors");
    const std::vector<double> saved =
        runtime::stored_values<double>(weights.tensors.at("words.embeddings"), "words");
    for (int64_t i = runtime::Vocabulary::kFirstToken * 100; i < vocab.size() * 100; ++i)
      REQUIRE(static_cast<float>(table.data[static_cast<size_t>(i)]) ==
              static_cast<float>(saved[static_cast<size_t>(i)]));

    // Words of one topic are nearer each other than words of the other topic.
    auto vector_of = [&](const std::string& word) {
      const int64_t id = vocab.id(word);
      return std::vector<double>(table.data.begin() + id * 100,
                                 table.data.begin() + (id + 1) * 100);
    };
    const double same = cosine(vector_of("sheep"), vector_of("shepherd")) +
                        cosine(vector_of("boat"), vector_of("fish"));
    const double across = cosine(vector_of("sheep"), vector_of("boat")) +
                          cosine(vector_of("shepherd"), vector_of("fish"));
    MESSAGE("mean cosine within a topic ", same / 2, ", across ", across / 2);
    CHECK(same / 2 > across / 2 + 0.2);

    const CliRun no_layer = run_twinflow({"export", run, "--format", "glove", "-o", vectors});
    CHECK(no_layer.status == 1);
    CHECK(no_layer.err.find("give --layer: word vectors come from one Embedding, and it has "
                            "words, contexts") != std::string::npos);
  }
}

}  // namespace
}  // namespace twinflow::testing

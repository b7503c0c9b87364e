// word2vec's skip-gram rows (runtime/text/skipgram_pairs.h): windows, the dynamic window's
// weighting of near words, noise words per true pair, subsampling at word2vec's rate, min_count,
// repeatability, and located errors.
#include "runtime/text/skipgram_pairs.h"

#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/text/data_error.h"

namespace twinflow::runtime {
namespace {

struct Row {
  std::string word, context;
  int label;
};

struct Made {
  SkipgramStats stats;
  std::vector<Row> rows;
  std::string text;
};

Made make(const std::string& corpus, const SkipgramOptions& options) {
  std::istringstream in(corpus);
  LineReader reader(in, "corpus.txt");
  std::ostringstream out;
  Made m;
  m.stats = write_skipgram_pairs(reader, out, options);
  m.text = out.str();
  std::istringstream lines(m.text);
  std::string line;
  std::getline(lines, line);
  CHECK(line == "word\tcontext\tlabel");
  while (std::getline(lines, line)) {
    const size_t a = line.find('\t'), b = line.find('\t', a + 1);
    m.rows.push_back(
        {line.substr(0, a), line.substr(a + 1, b - a - 1), std::stoi(line.substr(b + 1))});
  }
  return m;
}

SkipgramOptions plain(int64_t window, int64_t negatives) {
  return {.window = window, .negatives = negatives, .subsample = 0.0, .min_count = 1, .seed = 1};
}

// "w0 w1 ... w(n-1)": every word once, so a word's position is its name.
std::string numbered_words(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += (i ? " w" : "w") + std::to_string(i);
  return text + "\n";
}

TEST_SUITE("runtime.text") {
  TEST_CASE("a window of 1 pairs each word with its neighbours, within its own text") {
    const Made m = make("Grace be\n\nwith you\n", plain(1, 0));
    REQUIRE(m.rows.size() == 4);
    CHECK(m.rows[0].word == "grace");
    CHECK(m.rows[0].context == "be");
    CHECK(m.rows[1].word == "be");
    CHECK(m.rows[1].context == "grace");
    CHECK(m.rows[2].word == "with");  // "be" and "with" are in different texts: no pair
    CHECK(m.rows[3].context == "with");
    for (const Row& r : m.rows) CHECK(r.label == 1);
    CHECK(m.stats.texts == 2);
    CHECK(m.stats.tokens == 4);
    CHECK(m.stats.positives == 4);
  }

  TEST_CASE("the dynamic window pairs words at distance d with probability (W - d + 1) / W") {
    // A text of 40 words has 40 - d places at distance d.
    std::string corpus;
    for (int i = 0; i < 200; ++i) corpus += numbered_words(40);
    const Made m = make(corpus, plain(4, 0));
    std::map<int, int64_t> by_distance;
    for (const Row& r : m.rows)
      ++by_distance[std::abs(std::stoi(r.word.substr(1)) - std::stoi(r.context.substr(1)))];
    CHECK(by_distance.rbegin()->first == 4);  // never farther than the window
    // Pairs at distance d over those at distance 1: (W - d + 1) / W times the ratio of places,
    // within 4 % (~3600 pairs at d = 4; the standard error of the ratio is about 2 %).
    for (int d = 2; d <= 4; ++d) {
      const double ratio =
          static_cast<double>(by_distance[d]) / static_cast<double>(by_distance[1]);
      CHECK(ratio == doctest::Approx((4.0 - d + 1.0) / 4.0 * (40.0 - d) / 39.0).epsilon(0.04));
    }
  }

  TEST_CASE("each true pair brings `negatives` noise rows, drawn by count^3/4, never the context") {
    // "a" 3 times as frequent as "b": a noise word is "a" with probability 3^.75 / (3^.75 + 1
    // + 1), with "c" the third word, among draws that are not the true context.
    std::string corpus;
    for (int i = 0; i < 3000; ++i) corpus += "a a a b c\n";
    const Made m = make(corpus, plain(1, 3));
    CHECK(m.stats.negatives == 3 * m.stats.positives);
    std::map<std::string, int64_t> noise_given_c;
    int64_t equal_to_context = 0, total = 0;
    std::string context;
    for (const Row& r : m.rows) {
      if (r.label == 1) {
        context = r.context;
        continue;
      }
      ++total;
      equal_to_context += r.context == context ? 1 : 0;
      if (context == "c") ++noise_given_c[r.context];
    }
    CHECK(equal_to_context == 0);
    const double a = std::pow(3.0, 0.75), b = 1.0;
    const double share_a = static_cast<double>(noise_given_c["a"]) /
                           static_cast<double>(noise_given_c["a"] + noise_given_c["b"]);
    CHECK(share_a == doctest::Approx(a / (a + b)).epsilon(0.03));
    CHECK(total == m.stats.negatives);
  }

  TEST_CASE("subsampling keeps a word of frequency f with probability (sqrt(f/t) + 1) t/f") {
    std::string corpus;
    for (int i = 0; i < 5000; ++i) corpus += "the cat\n";  // f = 0.5 each
    SkipgramOptions options = plain(1, 0);
    options.subsample = 0.01;
    const Made m = make(corpus, options);
    const double keep = (std::sqrt(0.5 / 0.01) + 1.0) * 0.01 / 0.5;  // 0.161
    CHECK(static_cast<double>(m.stats.kept) / 10000.0 == doctest::Approx(keep).epsilon(0.06));
    options.subsample = 0.0;
    CHECK(make(corpus, options).stats.kept == 10000);
  }

  TEST_CASE("min_count drops rare words; the same seed gives the same rows") {
    SkipgramOptions options = plain(2, 2);
    options.min_count = 2;
    const std::string corpus = "love is patient love is kind\nlove never fails\n";
    const Made m = make(corpus, options);
    CHECK(m.stats.words == 2);  // love, is
    for (const Row& r : m.rows) {
      CHECK((r.word == "love" || r.word == "is"));
      CHECK((r.context == "love" || r.context == "is"));
    }
    options.subsample = 0.2;
    CHECK(make(corpus, options).text == make(corpus, options).text);
    SkipgramOptions other = options;
    other.seed = 2;
    std::string many;
    for (int i = 0; i < 50; ++i) many += corpus;
    CHECK(make(many, options).text != make(many, other).text);
  }

  TEST_CASE("bad input is named: its line, or the whole file") {
    std::istringstream bad("fine words\nbad \xff byte\n");
    LineReader reader(bad, "corpus.txt");
    std::ostringstream out;
    CHECK_THROWS_WITH_AS(write_skipgram_pairs(reader, out, plain(1, 0)),
                         doctest::Contains("corpus.txt:2: invalid UTF-8"), DataError);
    std::istringstream few("once upon\n");
    LineReader few_reader(few, "few.txt");
    SkipgramOptions options = plain(1, 0);
    options.min_count = 2;
    CHECK_THROWS_WITH_AS(write_skipgram_pairs(few_reader, out, options),
                         "few.txt: no word occurs at least 2 times (min_count) in 2 tokens",
                         DataError);
    CHECK_THROWS_WITH_AS(write_skipgram_pairs(few_reader, out, plain(0, 0)),
                         "window must be at least 1, not 0", graph::RuntimeInputError);
  }
}

}  // namespace
}  // namespace twinflow::runtime

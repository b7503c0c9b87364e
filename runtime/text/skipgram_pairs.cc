#include "runtime/text/skipgram_pairs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "runtime/text/data_error.h"
#include "runtime/text/tokenizer.h"
#include "runtime/text/vocabulary.h"

namespace twinflow::runtime {

namespace {

constexpr double kNoisePower = 0.75;

// A uniform double in [0, 1) from 53 random bits: the same on every platform, unlike
// std::uniform_real_distribution.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

int64_t uniform_int(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(uniform01(rng) * static_cast<double>(hi - lo + 1));
}

// The corpus as word indices per text: word k is the vocabulary's token k (id k + 2), counted
// counts[k] times.
struct Corpus {
  Vocabulary vocab;
  std::vector<int64_t> counts;
  std::vector<std::vector<int32_t>> texts;
  int64_t tokens = 0;
};

Corpus read_corpus(LineReader& reader, int64_t min_count) {
  std::vector<std::vector<std::string>> texts;
  TokenCounts counts;
  std::string line;
  std::vector<std::string> tokens;
  while (reader.next(line)) {
    try {
      tokenize(line, tokens);
    } catch (const Utf8Error& e) {
      throw DataError(reader.file(), reader.line_number(), e.what());
    }
    if (tokens.empty()) continue;
    counts.add(tokens);
    texts.push_back(tokens);
  }
  Corpus corpus;
  corpus.tokens = counts.total();
  corpus.vocab = Vocabulary::build(counts, min_count, 0);
  for (const std::string& word : corpus.vocab.tokens())
    corpus.counts.push_back(counts.counts().find(word)->second);
  for (const std::vector<std::string>& text : texts) {
    std::vector<int32_t>& ids = corpus.texts.emplace_back();
    for (const std::string& token : text)
      if (const int32_t id = corpus.vocab.id(token); id != Vocabulary::kUnknown)
        ids.push_back(id - Vocabulary::kFirstToken);
  }
  return corpus;
}

// Draws noise words with probability proportional to count^0.75, among all words but the true
// context: the draw skips the context's share of [0, 1) instead of redrawing, so it is exact
// and never loops, whatever the context's share.
class NoiseSampler {
 public:
  explicit NoiseSampler(const std::vector<int64_t>& counts) {
    double total = 0.0;
    for (int64_t c : counts)
      cumulative_.push_back(total += std::pow(static_cast<double>(c), kNoisePower));
    for (double& c : cumulative_) c /= total;
  }
  // None when the context is the only word.
  std::optional<int32_t> draw_except(std::mt19937_64& rng, int32_t context) const {
    const size_t c = static_cast<size_t>(context);
    const double before = c == 0 ? 0.0 : cumulative_[c - 1];
    const double share = cumulative_[c] - before;
    if (share >= 1.0) return std::nullopt;
    double u = uniform01(rng) * (1.0 - share);
    if (u >= before) u += share;
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    const ptrdiff_t last = static_cast<ptrdiff_t>(cumulative_.size()) - 1;
    const auto drawn = static_cast<int32_t>(std::min(it - cumulative_.begin(), last));
    // Rounding at the edges of the context's share must not give the context itself.
    if (drawn == context) return context == last ? context - 1 : context + 1;
    return drawn;
  }

 private:
  std::vector<double> cumulative_;
};

void check_options(const SkipgramOptions& o) {
  if (o.window < 1)
    throw graph::RuntimeInputError(fmt::format("window must be at least 1, not {}", o.window));
  if (o.negatives < 0)
    throw graph::RuntimeInputError(
        fmt::format("negatives must be at least 0, not {}", o.negatives));
  if (!(o.subsample >= 0.0) || !std::isfinite(o.subsample))
    throw graph::RuntimeInputError(
        fmt::format("subsample must be a number >= 0, not {}", o.subsample));
  if (o.min_count < 1)
    throw graph::RuntimeInputError(
        fmt::format("min_count must be at least 1, not {}", o.min_count));
}

}  // namespace

std::string SkipgramStats::to_string() const {
  return fmt::format(
      "{} texts, {} tokens, {} words, {} kept after subsampling: {} true pairs and {} noise pairs",
      texts, tokens, words, kept, positives, negatives);
}

SkipgramStats write_skipgram_pairs(LineReader& reader, std::ostream& out,
                                   const SkipgramOptions& options) {
  check_options(options);
  const Corpus corpus = read_corpus(reader, options.min_count);
  const std::vector<std::string>& words = corpus.vocab.tokens();
  SkipgramStats stats;
  stats.texts = static_cast<int64_t>(corpus.texts.size());
  stats.tokens = corpus.tokens;
  stats.words = static_cast<int64_t>(words.size());
  if (words.empty())
    throw DataError(reader.file(), 0,
                    fmt::format("no word occurs at least {} times (min_count) in {} tokens",
                                options.min_count, corpus.tokens));
  int64_t kept_total = 0;
  for (int64_t c : corpus.counts) kept_total += c;
  // The chance each word survives subsampling, from its share of the words kept by min_count.
  std::vector<double> keep(words.size(), 1.0);
  if (options.subsample > 0.0)
    for (size_t w = 0; w < keep.size(); ++w) {
      const double f = static_cast<double>(corpus.counts[w]) / static_cast<double>(kept_total);
      keep[w] = std::min(1.0, (std::sqrt(f / options.subsample) + 1.0) * options.subsample / f);
    }
  const NoiseSampler noise(corpus.counts);
  std::mt19937_64 rng(options.seed);
  out << "word\tcontext\tlabel\n";
  std::vector<int32_t> sampled;
  for (const std::vector<int32_t>& text : corpus.texts) {
    sampled.clear();
    for (int32_t w : text)
      if (keep[static_cast<size_t>(w)] >= 1.0 || uniform01(rng) < keep[static_cast<size_t>(w)])
        sampled.push_back(w);
    stats.kept += static_cast<int64_t>(sampled.size());
    const int64_t n = static_cast<int64_t>(sampled.size());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t reach = uniform_int(rng, 1, options.window);
      const std::string& word = words[static_cast<size_t>(sampled[static_cast<size_t>(i)])];
      for (int64_t j = std::max<int64_t>(0, i - reach); j <= std::min(n - 1, i + reach); ++j) {
        if (j == i) continue;
        const int32_t context = sampled[static_cast<size_t>(j)];
        out << word << '\t' << words[static_cast<size_t>(context)] << "\t1\n";
        ++stats.positives;
        for (int64_t k = 0; k < options.negatives; ++k) {
          const std::optional<int32_t> drawn = noise.draw_except(rng, context);
          if (!drawn) break;
          out << word << '\t' << words[static_cast<size_t>(*drawn)] << "\t0\n";
          ++stats.negatives;
        }
      }
    }
  }
  return stats;
}

}  // namespace twinflow::runtime

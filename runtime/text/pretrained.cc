#include "runtime/text/pretrained.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>

#include "graph/ir/errors.h"
#include "runtime/text/data_error.h"
#include "runtime/text/line_reader.h"
#include "runtime/text/tokenizer.h"

namespace twinflow::runtime {

namespace {

enum class Match { kNone, kLowerCased, kExact };

void split_spaces(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  for (size_t i = 0; i < line.size();) {
    const size_t begin = line.find_first_not_of(" \t", i);
    if (begin == std::string_view::npos) return;
    const size_t end = std::min(line.find_first_of(" \t", begin), line.size());
    fields.push_back(line.substr(begin, end - begin));
    i = end;
  }
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_count(std::string_view s) {
  int64_t v = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || error != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

template <typename T>
class Loader {
 public:
  Loader(const std::string& path, const PretrainedOptions& options, const Vocabulary& vocab,
         ops::Tensor<T>& table)
      : reader_(path),
        options_(options),
        vocab_(vocab),
        table_(table),
        dim_(table.shape[1]),
        match_(static_cast<size_t>(table.shape[0]), Match::kNone) {}

  void read_all() {
    std::string line;
    while (reader_.next(line)) {
      split_spaces(line, fields_);
      if (fields_.empty()) continue;
      if (reader_.line_number() == 1 && options_.format == VectorsFormat::kWord2vec) {
        read_word2vec_header();
      } else {
        read_vector_line();
      }
    }
    if (announced_ && *announced_ != vectors_)
      throw DataError(reader_.file(), 0,
                      fmt::format("the header announces {} vectors but the file holds {} "
                                  "(a truncated file?)",
                                  *announced_, vectors_));
  }

  void fill_missing(std::mt19937_64& rng);
  Coverage coverage() const;

 private:
  [[noreturn]] void fail(const std::string& detail) const {
    throw DataError(reader_.file(), reader_.line_number(), detail);
  }

  void read_word2vec_header() {
    const auto count = fields_.size() == 2 ? parse_count(fields_[0]) : std::nullopt;
    const auto dim = fields_.size() == 2 ? parse_count(fields_[1]) : std::nullopt;
    if (!count || !dim)
      fail(
          "expected the word2vec header 'count dimension' (is this a GloVe file? then use "
          "format: glove)");
    if (*dim != dim_)
      fail(fmt::format("the file's vectors have {} dimensions, expected {} (the Embedding's)", *dim,
                       dim_));
    announced_ = *count;
  }

  void read_vector_line() {
    const auto n = static_cast<int64_t>(fields_.size());
    // A word with spaces takes every field but the last dim_; a number right after the first
    // field means the vector is simply too long.
    if (n < dim_ + 1 || (n > dim_ + 1 && parse_double(fields_[1]))) {
      std::string hint;
      if (reader_.line_number() == 1 && n == 2 && parse_count(fields_[0]) &&
          parse_count(fields_[1]))
        hint = " (this looks like a word2vec header: use format: word2vec)";
      fail(
          fmt::format("the vector of '{}' has {} numbers, expected {} (the Embedding's "
                      "dimension){}",
                      fields_[0], n - 1, dim_, hint));
    }
    ++vectors_;
    const std::string_view first = fields_[0];
    const std::string_view last = fields_[static_cast<size_t>(n - dim_ - 1)];
    const std::string_view word(first.data(),
                                static_cast<size_t>(last.data() + last.size() - first.data()));
    const auto [id, how] = lookup(word);
    if (how == Match::kNone || match_[static_cast<size_t>(id)] >= how) return;
    match_[static_cast<size_t>(id)] = how;
    T* row = table_.data.data() + id * dim_;
    for (int64_t d = 0; d < dim_; ++d) {
      const std::string_view field = fields_[static_cast<size_t>(n - dim_ + d)];
      const std::optional<double> v = parse_double(field);
      if (!v || !std::isfinite(static_cast<T>(*v)))
        fail(fmt::format("'{}' is not a finite number (number {} of the vector of '{}')", field,
                         d + 1, word));
      row[d] = static_cast<T>(*v);
    }
  }

  // The row the file's word fills, and how well it matches.
  std::pair<int32_t, Match> lookup(std::string_view word) const {
    if (vocab_.contains(word)) return {vocab_.id(word), Match::kExact};
    if (utf8_problem(word)) return {0, Match::kNone};  // no token can match broken text
    const std::string lower = lower_case(word);
    if (lower != word && vocab_.contains(lower)) return {vocab_.id(lower), Match::kLowerCased};
    return {0, Match::kNone};
  }

  LineReader reader_;
  const PretrainedOptions& options_;
  const Vocabulary& vocab_;
  ops::Tensor<T>& table_;
  int64_t dim_;
  std::vector<Match> match_;  // per row of the table
  std::vector<std::string_view> fields_;
  std::optional<int64_t> announced_;  // the word2vec header's count
  int64_t vectors_ = 0;
};

template <typename T>
void Loader<T>::fill_missing(std::mt19937_64& rng) {
  const auto rows = static_cast<int64_t>(match_.size());
  std::vector<double> mean(static_cast<size_t>(dim_), 0.0), sq(mean.size(), 0.0);
  int64_t found = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (match_[static_cast<size_t>(r)] == Match::kNone) continue;
    ++found;
    for (int64_t d = 0; d < dim_; ++d) {
      const double v = static_cast<double>(table_.data[static_cast<size_t>(r * dim_ + d)]);
      mean[static_cast<size_t>(d)] += v;
      sq[static_cast<size_t>(d)] += v * v;
    }
  }
  if (options_.missing == MissingWords::kMean && found == 0)
    throw graph::RuntimeInputError(fmt::format(
        "{}: none of the {} vocabulary words has a vector, so there is no mean to give the "
        "missing ones (is this the right file?)",
        reader_.file(), vocab_.size() - Vocabulary::kFirstToken));
  std::vector<double> noise_sd(mean.size(), 0.0);
  for (size_t d = 0; d < mean.size() && found > 0; ++d) {
    mean[d] /= static_cast<double>(found);
    const double var = std::max(0.0, sq[d] / static_cast<double>(found) - mean[d] * mean[d]);
    noise_sd[d] = 0.01 * std::sqrt(var);
  }
  std::normal_distribution<double> standard(0.0, 1.0);
  for (int64_t r = 1; r < rows; ++r) {
    if (match_[static_cast<size_t>(r)] != Match::kNone) continue;
    T* row = table_.data.data() + r * dim_;
    for (int64_t d = 0; d < dim_; ++d) {
      if (options_.missing == MissingWords::kZeros) row[d] = T(0);
      if (options_.missing == MissingWords::kMean)
        row[d] = static_cast<T>(mean[static_cast<size_t>(d)] +
                                noise_sd[static_cast<size_t>(d)] * standard(rng));
    }
  }
  std::fill_n(table_.data.begin(), dim_, T(0));  // padding
}

template <typename T>
Coverage Loader<T>::coverage() const {
  Coverage c;
  c.vectors = vectors_;
  c.vocabulary_words = vocab_.size() - Vocabulary::kFirstToken;
  for (int32_t id = Vocabulary::kFirstToken; id < vocab_.size(); ++id) {
    const Match m = match_[static_cast<size_t>(id)];
    c.found += m != Match::kNone;
    c.found_lower_cased += m == Match::kLowerCased;
    if (m == Match::kNone && c.missing_examples.size() < 10)
      c.missing_examples.emplace_back(vocab_.token(id));
  }
  return c;
}

}  // namespace

PretrainedOptions PretrainedOptions::from_spec(const graph::PretrainedSpec& spec) {
  PretrainedOptions o;
  if (spec.format == "glove") {
    o.format = VectorsFormat::kGlove;
  } else if (spec.format == "word2vec") {
    o.format = VectorsFormat::kWord2vec;
  } else {
    throw graph::RuntimeInputError(
        fmt::format("unknown vectors format '{}' (expected glove or word2vec)", spec.format));
  }
  if (spec.missing == "zeros") {
    o.missing = MissingWords::kZeros;
  } else if (spec.missing == "random") {
    o.missing = MissingWords::kRandom;
  } else if (spec.missing == "mean") {
    o.missing = MissingWords::kMean;
  } else {
    throw graph::RuntimeInputError(fmt::format(
        "unknown policy for missing words '{}' (expected zeros, random or mean)", spec.missing));
  }
  return o;
}

double Coverage::fraction() const {
  return vocabulary_words ? static_cast<double>(found) / static_cast<double>(vocabulary_words)
                          : 0.0;
}

std::string Coverage::to_string() const {
  std::string text = fmt::format("found {} of {} vocabulary words ({:.1f}%) among {} vectors",
                                 found, vocabulary_words, 100.0 * fraction(), vectors);
  if (found_lower_cased) text += fmt::format(", {} of them lower-cased", found_lower_cased);
  if (!missing_examples.empty()) {
    text += "; missing: ";
    for (size_t i = 0; i < missing_examples.size(); ++i)
      text += (i ? ", " : "") + missing_examples[i];
    if (static_cast<int64_t>(missing_examples.size()) < vocabulary_words - found) text += ", …";
  }
  return text;
}

template <typename T>
Coverage load_pretrained(const std::string& path, const PretrainedOptions& options,
                         const Vocabulary& vocab, ops::Tensor<T>& table, std::mt19937_64& rng) {
  if (table.shape.rank() != 2 || table.shape[0] < vocab.size() || table.shape[1] < 1)
    throw graph::RuntimeInputError(fmt::format(
        "the embedding table {} cannot hold the vocabulary: it needs [V, E] with V at least "
        "the vocabulary's {} ids",
        table.shape.to_string(), vocab.size()));
  Loader<T> loader(path, options, vocab, table);
  loader.read_all();
  loader.fill_missing(rng);
  return loader.coverage();
}

template Coverage load_pretrained(const std::string&, const PretrainedOptions&, const Vocabulary&,
                                  ops::Tensor<float>&, std::mt19937_64&);
template Coverage load_pretrained(const std::string&, const PretrainedOptions&, const Vocabulary&,
                                  ops::Tensor<double>&, std::mt19937_64&);

}  // namespace twinflow::runtime

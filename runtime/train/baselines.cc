#include "runtime/train/baselines.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "runtime/text/tokenizer.h"
#include "runtime/train/metrics.h"

namespace twinflow::runtime {

std::vector<int32_t> TokenIds::sequence(std::string_view text) {
  tokenize(text, tokens_);
  std::vector<int32_t> out;
  out.reserve(tokens_.size());
  for (const std::string& token : tokens_) {
    const auto [at, added] = ids_.try_emplace(token, static_cast<int32_t>(ids_.size()));
    out.push_back(at->second);
  }
  return out;
}

TokenBag bag_of(std::span<const int32_t> sequence) {
  std::vector<int32_t> sorted(sequence.begin(), sequence.end());
  std::sort(sorted.begin(), sorted.end());
  TokenBag bag;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      ++bag.counts.back();
      continue;
    }
    bag.ids.push_back(sorted[i]);
    bag.counts.push_back(1);
  }
  return bag;
}

double jaccard(const TokenBag& a, const TokenBag& b) {
  size_t common = 0;
  for (size_t i = 0, j = 0; i < a.ids.size() && j < b.ids.size();) {
    if (a.ids[i] == b.ids[j]) {
      ++common;
      ++i;
      ++j;
    } else if (a.ids[i] < b.ids[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  const size_t union_size = a.ids.size() + b.ids.size() - common;
  return union_size > 0 ? static_cast<double>(common) / static_cast<double>(union_size) : 0.0;
}

TfIdf::TfIdf(std::span<const std::vector<int32_t>> documents) {
  // Distinct documents by their token sequence, as the reference's set of token tuples.
  std::vector<const std::vector<int32_t>*> distinct;
  distinct.reserve(documents.size());
  for (const std::vector<int32_t>& d : documents) distinct.push_back(&d);
  std::sort(distinct.begin(), distinct.end(), [](auto* a, auto* b) { return *a < *b; });
  distinct.erase(
      std::unique(distinct.begin(), distinct.end(), [](auto* a, auto* b) { return *a == *b; }),
      distinct.end());
  std::vector<int64_t> df;
  for (const std::vector<int32_t>* d : distinct)
    for (int32_t id : bag_of(*d).ids) {
      if (static_cast<size_t>(id) >= df.size()) df.resize(static_cast<size_t>(id) + 1, 0);
      ++df[static_cast<size_t>(id)];
    }
  const double n = static_cast<double>(distinct.size());
  unseen_idf_ = std::log(1.0 + n) + 1.0;
  idf_.resize(df.size());
  for (size_t t = 0; t < df.size(); ++t)
    idf_[t] = std::log((1.0 + n) / (1.0 + static_cast<double>(df[t]))) + 1.0;
}

double TfIdf::idf(int32_t id) const {
  return static_cast<size_t>(id) < idf_.size() ? idf_[static_cast<size_t>(id)] : unseen_idf_;
}

WeightedBag TfIdf::weigh(const TokenBag& bag) const {
  WeightedBag out{bag.ids, std::vector<double>(bag.ids.size()), 0.0};
  double square = 0.0;
  for (size_t i = 0; i < bag.ids.size(); ++i) {
    out.weights[i] = static_cast<double>(bag.counts[i]) * idf(bag.ids[i]);
    square += out.weights[i] * out.weights[i];
  }
  out.norm = std::sqrt(square);
  return out;
}

double TfIdf::cosine(const WeightedBag& a, const WeightedBag& b) {
  double dot = 0.0;
  for (size_t i = 0, j = 0; i < a.ids.size() && j < b.ids.size();) {
    if (a.ids[i] == b.ids[j]) {
      dot += a.weights[i++] * b.weights[j++];
    } else if (a.ids[i] < b.ids[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  const double norm = a.norm * b.norm;
  return norm > 0.0 ? dot / norm : 0.0;
}

std::string_view similarity_name(Similarity s) {
  return s == Similarity::kJaccard ? "word overlap (Jaccard)" : "TF-IDF cosine";
}

std::string_view similarity_short_name(Similarity s) {
  return s == Similarity::kJaccard ? "Jaccard" : "TF-IDF";
}

namespace {

constexpr Similarity kSimilarities[] = {Similarity::kJaccard, Similarity::kTfIdf};

// The texts of a file's text columns, column after column (rows() texts each), in both forms
// the similarities read.
struct Texts {
  int64_t rows = 0;
  std::vector<TokenBag> bags;
  std::vector<WeightedBag> weighted;

  double score(Similarity s, int64_t column_a, int64_t row_a, int64_t column_b,
               int64_t row_b) const {
    const size_t i = static_cast<size_t>(column_a * rows + row_a);
    const size_t j = static_cast<size_t>(column_b * rows + row_b);
    return s == Similarity::kJaccard ? jaccard(bags[i], bags[j])
                                     : TfIdf::cosine(weighted[i], weighted[j]);
  }
};

// The token ids of every text column of a file, column after column (rows() texts each).
struct FileTokens {
  std::vector<const DataColumn*> columns;
  std::vector<std::vector<int32_t>> sequences;
};

FileTokens tokens_of(const Dataset& data, TokenIds& ids) {
  FileTokens out;
  for (const DataColumn& column : data.columns) {
    if (!column.is_text()) continue;
    out.columns.push_back(&column);
    for (int64_t r = 0; r < data.rows(); ++r)
      out.sequences.push_back(ids.sequence(column.text_of(r)));
  }
  return out;
}

// The texts of the named columns, in the order named. Throws when data lacks one.
Texts texts_of(const Dataset& data, const FileTokens& tokens, const std::vector<std::string>& names,
               const TfIdf& tfidf) {
  Texts texts{data.rows(), {}, {}};
  for (const std::string& name : names) {
    const DataColumn* wanted = &data.column(name);
    const auto at = std::find(tokens.columns.begin(), tokens.columns.end(), wanted);
    if (at == tokens.columns.end())
      throw graph::RuntimeInputError(
          fmt::format("{}: column '{}' is not a text column", data.file, name));
    const size_t first = static_cast<size_t>((at - tokens.columns.begin()) * data.rows());
    for (size_t r = 0; r < static_cast<size_t>(data.rows()); ++r) {
      texts.bags.push_back(bag_of(tokens.sequences[first + r]));
      texts.weighted.push_back(tfidf.weigh(texts.bags.back()));
    }
  }
  return texts;
}

std::vector<double> labels_of(const Dataset& data, const ModelRoles& roles) {
  if (!roles.target) throw graph::RuntimeInputError("a pair model without a label input");
  const auto& values = data.column(*roles.target).values.data;
  return std::vector<double>(values.begin(), values.end());
}

std::vector<double> pair_scores(Similarity s, const Texts& texts) {
  std::vector<double> scores(static_cast<size_t>(texts.rows));
  for (int64_t r = 0; r < texts.rows; ++r)
    scores[static_cast<size_t>(r)] = texts.score(s, 0, r, 1, r);
  return scores;
}

BaselineResult pair_result(Similarity s, const Texts& texts, const std::vector<double>& labels,
                           const Texts* train, const std::vector<double>& train_labels) {
  const std::vector<double> scores = pair_scores(s, texts);
  BaselineResult result{s, {{"ROC-AUC", roc_auc(scores, labels)}}, std::nullopt};
  if (train == nullptr) return result;
  const double t = best_accuracy_threshold(pair_scores(s, *train), train_labels).threshold;
  result.metrics.emplace_back("accuracy", accuracy_at(scores, labels, t));
  result.threshold = t;
  return result;
}

// Distances are −score, so "nearer" is "more alike" and ties rank as metrics.h says.
BaselineResult triplet_result(Similarity s, const Texts& texts) {
  const int64_t n = texts.rows;
  std::vector<double> positive(static_cast<size_t>(n)), negative(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    positive[static_cast<size_t>(r)] = -texts.score(s, 0, r, 1, r);
    negative[static_cast<size_t>(r)] = -texts.score(s, 0, r, 2, r);
  }
  const std::vector<int64_t> ahead = candidates_ahead(n, [&](int64_t a, std::span<double> row) {
    for (int64_t p = 0; p < n; ++p) row[static_cast<size_t>(p)] = -texts.score(s, 0, a, 1, p);
  });
  return {s,
          {{"ordered", ordered_fraction(positive, negative)},
           {"recall@1", recall_at_k(ahead, std::min<int64_t>(1, n))},
           {"recall@5", recall_at_k(ahead, std::min<int64_t>(5, n))}},
          std::nullopt};
}

// "A", "A and B", "A, B and C".
std::string join_and(const std::vector<std::string>& parts, std::string_view last_joint) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? std::string(last_joint) : ", ";
    out += parts[i];
  }
  return out;
}

}  // namespace

BaselineReport word_counting_baselines(const ModelRoles& roles, const Dataset& data,
                                       const Dataset* train) {
  TokenIds ids;
  const FileTokens tokens = tokens_of(data, ids);
  const std::optional<FileTokens> train_tokens =
      train != nullptr ? std::optional(tokens_of(*train, ids)) : std::nullopt;
  const TfIdf tfidf(train_tokens ? train_tokens->sequences : tokens.sequences);
  const Texts texts = texts_of(data, tokens, roles.text_inputs, tfidf);

  BaselineReport report;
  report.has_training_data = train != nullptr;
  if (roles.family == ModelFamily::kTriplet) {
    for (Similarity s : kSimilarities) report.results.push_back(triplet_result(s, texts));
    return report;
  }
  const std::vector<double> labels = labels_of(data, roles);
  std::optional<Texts> train_texts;
  std::vector<double> train_labels;
  if (train != nullptr) {
    train_texts = texts_of(*train, *train_tokens, roles.text_inputs, tfidf);
    train_labels = labels_of(*train, roles);
  }
  for (Similarity s : kSimilarities)
    report.results.push_back(
        pair_result(s, texts, labels, train_texts ? &*train_texts : nullptr, train_labels));
  return report;
}

std::vector<std::string> baseline_lines(const BaselineReport& report) {
  std::vector<std::string> lines;
  for (const BaselineResult& r : report.results) {
    std::string line = fmt::format("{}:", similarity_name(r.similarity));
    const char* gap = " ";
    for (const auto& [name, value] : r.metrics) {
      line += fmt::format("{}{} {:.4f}", gap, name, value);
      gap = "  ";
    }
    if (r.threshold)
      line += fmt::format(" (threshold {:.3f} from the training data)", *r.threshold);
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string verdict_line(std::span<const std::pair<std::string, double>> model,
                         const BaselineReport& report) {
  std::vector<std::string> beaten, not_beaten;
  for (const auto& [name, value] : model) {
    std::optional<double> best;
    Similarity best_by = Similarity::kJaccard;
    for (const BaselineResult& r : report.results)
      for (const auto& [metric, x] : r.metrics)
        if (metric == name && (!best || x > *best)) {
          best = x;
          best_by = r.similarity;
        }
    if (!best) continue;
    const std::string part =
        fmt::format("{} ({:+.4f} vs {})", name, value - *best, similarity_short_name(best_by));
    (value > *best ? beaten : not_beaten).push_back(part);
  }
  if (beaten.empty() && not_beaten.empty()) return "";
  if (not_beaten.empty()) return "the model beats word counting on " + join_and(beaten, " and ");
  if (beaten.empty())
    return "the model does not beat word counting on " + join_and(not_beaten, " or ");
  return "the model beats word counting on " + join_and(beaten, " and ") + " but not on " +
         join_and(not_beaten, " or ");
}

std::string baselines_text(const BaselineReport& report,
                           std::span<const std::pair<std::string, double>> model) {
  std::string text;
  for (const std::string& line : baseline_lines(report)) text += line + "\n";
  const std::string verdict = verdict_line(model, report);
  if (!verdict.empty()) text += verdict + "\n";
  return text;
}

}  // namespace twinflow::runtime

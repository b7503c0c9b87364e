// runtime/train/baselines.h — word-counting baselines: what a model must beat to show it learned.
//
// Two similarities of texts a and b, on all their tokens (runtime/text/tokenizer.h; not the ids a
// model input cuts to its length), defined as data/baselines.py defines them:
//   Jaccard   |A ∩ B| / |A ∪ B| of the two token sets (0 when both are empty)
//   TF-IDF    cos(u, v) with u_t = count of t in a × idf(t),
//             idf(t) = ln((1 + N) / (1 + df_t)) + 1 over the N distinct texts (as token
//             sequences) of the training file's text columns; a token absent from them has
//             df 0, so idf ln(1 + N) + 1
// They are scored as a model is (runtime/train/metrics.h; columns by runtime/saved/model_roles.h):
//   pair models     per row score(left, right): ROC-AUC, and accuracy at the threshold with
//                   the best accuracy on the training file's rows, applied unchanged
//   triplet models  the share of rows with score(a, p) > score(a, n), and recall@1 and @5 of
//                   each anchor's positive among all the file's positives (distance −score:
//                   ties count against the anchor)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/data/dataset.h"
#include "runtime/saved/model_roles.h"

namespace twinflow::runtime {

// A text's distinct tokens as ids, ascending, with how often each occurs.
struct TokenBag {
  std::vector<int32_t> ids;
  std::vector<int32_t> counts;
};

// Numbers each distinct token the first time it is seen, so that texts compare as sorted
// integer vectors instead of sets of strings. One table serves a training file and the
// files scored against it. Throws Utf8Error.
class TokenIds {
 public:
  std::vector<int32_t> sequence(std::string_view text);
  int32_t size() const { return static_cast<int32_t>(ids_.size()); }

 private:
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<std::string> tokens_;  // reused between texts
};

TokenBag bag_of(std::span<const int32_t> sequence);

double jaccard(const TokenBag& a, const TokenBag& b);

// A bag weighted by IDF, with its Euclidean norm.
struct WeightedBag {
  std::vector<int32_t> ids;
  std::vector<double> weights;
  double norm = 0.0;
};

class TfIdf {
 public:
  // documents: token id sequences; equal ones count once (N is the number of distinct ones).
  explicit TfIdf(std::span<const std::vector<int32_t>> documents);
  double idf(int32_t id) const;
  WeightedBag weigh(const TokenBag& bag) const;
  // 0 when either text has no tokens.
  static double cosine(const WeightedBag& a, const WeightedBag& b);

 private:
  std::vector<double> idf_;  // by id; ids past the end were never seen
  double unseen_idf_ = 1.0;
};

enum class Similarity { kJaccard, kTfIdf };

// "word overlap (Jaccard)", "TF-IDF cosine"; the short form "Jaccard", "TF-IDF".
std::string_view similarity_name(Similarity s);
std::string_view similarity_short_name(Similarity s);

struct BaselineResult {
  Similarity similarity = Similarity::kJaccard;
  // Pair models: {"ROC-AUC", x} and, with a training file, {"accuracy", x}. Triplet models:
  // {"ordered", x}, {"recall@1", x}, {"recall@5", x}.
  std::vector<std::pair<std::string, double>> metrics;
  std::optional<double> threshold;  // pair models with a training file
};

struct BaselineReport {
  std::vector<BaselineResult> results;  // Jaccard, then TF-IDF
  bool has_training_data = true;        // false: no threshold; IDF from the scored file
};

// Scores the model's columns of data (roles.text_inputs, roles.target) with both
// similarities. train gives the IDF (from all its text columns, so a pairs file can serve a
// triplet model) and, for pair models, the threshold (from its rows of the model's columns).
// Without it (nullptr) the IDF comes from data itself and pair models get ROC-AUC only.
// Throws graph::RuntimeInputError when a column is missing, Utf8Error on a bad text.
BaselineReport word_counting_baselines(const ModelRoles& roles, const Dataset& data,
                                       const Dataset* train);

// One line per baseline, without a newline:
//   "word overlap (Jaccard): ROC-AUC 0.8126  accuracy 0.7337 (threshold 0.487 from the
//   training data)"
//   "word overlap (Jaccard): ordered 0.9139  recall@1 0.9653  recall@5 0.9958"
std::vector<std::string> baseline_lines(const BaselineReport& report);

// Compares each of the model's metrics with the best baseline on the same metric (metrics
// no baseline has are left out), e.g. "the model beats word counting on ROC-AUC (+0.0110
// over Jaccard) but not on accuracy (-0.0060 against Jaccard)". Empty when nothing compares.
std::string verdict_line(std::span<const std::pair<std::string, double>> model,
                         const BaselineReport& report);

// baseline_lines, then the verdict on model, each line ended by "\n".
std::string baselines_text(const BaselineReport& report,
                           std::span<const std::pair<std::string, double>> model);

}  // namespace twinflow::runtime

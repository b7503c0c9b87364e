// graph/ir/attrs.h — typed attributes of every built-in op.
//
// Strings stop in graph/: a spec's `activation: relu` becomes Activation::kRelu here, once,
// and ops only ever see these structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace twinflow::graph {

struct NoAttrs {};

enum class Activation { kLinear, kRelu, kSigmoid, kTanh, kSoftmax };
std::string_view to_string(Activation a);

struct DenseAttrs {
  int64_t units = 0;
  Activation activation = Activation::kLinear;
  bool use_bias = true;
};

// fastText's subword vectors: a word's vector is its own row plus one row per character
// n-gram (min_n..max_n characters of "<word>", the brackets marking its ends), each n-gram
// hashed to one of `buckets` rows placed after the vocabulary's. An unseen word still gets a
// vector from its pieces. runtime/text/subwords.h cuts and hashes words.
struct SubwordAttrs {
  int64_t min_n = 3;
  int64_t max_n = 5;
  int64_t buckets = 200000;
};

// The n-grams kept per word: those of a word of up to kSubwordChars characters. A longer
// word keeps its first subword_slots() n-grams, shortest n first.
inline constexpr int64_t kSubwordChars = 24;
inline int64_t subword_slots(const SubwordAttrs& s) {
  int64_t slots = 0;
  for (int64_t n = s.min_n; n <= s.max_n; ++n)
    slots += n <= kSubwordChars + 2 ? kSubwordChars + 3 - n : 0;
  return slots;
}

struct EmbeddingAttrs {
  int64_t vocab = 0;
  int64_t dim = 0;
  bool mask_zero = false;  // id 0 is padding: its row gets no gradient, LSTMs skip it
  std::optional<SubwordAttrs> subwords = std::nullopt;
};

struct LstmAttrs {
  int64_t units = 0;
  bool return_sequences = false;
  bool go_backwards = false;       // read each sequence from its last real token to its first
  double dropout = 0.0;            // on the inputs, training only
  double recurrent_dropout = 0.0;  // on h before h·U, training only
};

enum class MergeMode { kConcat, kSum, kMul, kAve };
std::string_view to_string(MergeMode m);

struct BidirectionalAttrs {
  LstmAttrs layer;  // go_backwards is ignored: one direction of each kind
  MergeMode merge = MergeMode::kConcat;
};

struct SliceAttrs {
  int axis = -1;
  int64_t begin = 0;
  int64_t end = 0;  // exclusive
};

struct ConcatenateAttrs {
  int axis = -1;
};

struct ReduceAttrs {
  int axis = -1;
  bool keepdims = false;
};

struct CosineAttrs {
  int axis = -1;
  bool keepdims = true;  // Keras's distance Lambdas return [B, 1]
  double eps = 1e-8;     // |x| below eps counts as eps, so zero vectors give 0, not NaN
};

struct NormAttrs {
  int axis = -1;
  bool keepdims = true;
  double eps = 1e-8;  // sqrt is evaluated on max(Σx², eps²) so the gradient at 0 is finite
};

struct BinaryCrossentropyAttrs {
  bool from_logits = false;
  double epsilon = 1e-7;  // probabilities are clipped to [eps, 1 - eps], as Keras does
};

struct TripletMarginAttrs {
  double alpha = 0.4;
};

struct ContrastiveAttrs {
  double margin = 1.0;
};

// In-batch mining losses (ops/mining_losses.h). Defaults are TF-Addons' (margin 1, L2).
enum class TripletDistance { kSquaredEuclidean, kEuclidean, kCosine };
inline std::string_view to_string(TripletDistance d) {
  switch (d) {
    case TripletDistance::kSquaredEuclidean:
      return "squared_euclidean";
    case TripletDistance::kEuclidean:
      return "euclidean";
    case TripletDistance::kCosine:
      return "cosine";
  }
  return "?";
}

struct BatchTripletAttrs {  // batch_all_triplet, semi_hard_triplet
  double margin = 1.0;
  TripletDistance distance = TripletDistance::kEuclidean;
};

struct BatchHardTripletAttrs {
  double margin = 1.0;
  TripletDistance distance = TripletDistance::kEuclidean;
  bool soft = false;  // softplus(d_ap − d_an) instead of the hinge; margin unused
};

struct MultipleNegativesRankingAttrs {
  double scale = 20.0;  // sentence-transformers' default
};

}  // namespace twinflow::graph

#include "runtime/exec/model_gradcheck.h"

#include <fmt/format.h>

#include <algorithm>
#include <any>
#include <limits>
#include <random>

#include "graph/ir/attrs.h"
#include "runtime/exec/parameter_store.h"

namespace twinflow::runtime {

namespace {

using graph::Graph;
using graph::ValueId;

// The smallest vocabulary among the Embeddings that read an id input: ids below it are valid
// for every one of them.
int64_t vocabulary_of(const Graph& g, ValueId input) {
  int64_t vocab = std::numeric_limits<int64_t>::max();
  for (graph::NodeId n : g.consumers(input)) {
    const graph::Node& node = g.node(n);
    if (node.op->name != "Embedding") continue;
    const auto& attrs = std::any_cast<const graph::EmbeddingAttrs&>(node.attrs);
    vocab = std::min(vocab, attrs.vocab);
  }
  if (vocab == std::numeric_limits<int64_t>::max())
    throw graph::RuntimeInputError(
        fmt::format("input '{}' holds token ids but no Embedding reads it, so gradcheck cannot "
                    "tell which ids are valid",
                    g.value(input).name));
  return vocab;
}

// Post-padded ids: the first sample uses every step, the others a random length >= 1.
ops::IdTensor random_ids(const graph::Shape& shape, int64_t vocab, std::mt19937_64& rng) {
  ops::IdTensor ids(shape);
  const int64_t rows = shape[0];
  const int64_t steps = shape.num_elements() / rows;
  std::uniform_int_distribution<int32_t> token(
      vocab > 1 ? 1 : 0, static_cast<int32_t>(std::max<int64_t>(vocab - 1, 0)));
  std::uniform_int_distribution<int64_t> length(1, steps);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t n = i == 0 ? steps : length(rng);
    for (int64_t t = 0; t < n; ++t) ids.data[static_cast<size_t>(i * steps + t)] = token(rng);
  }
  return ids;
}

// Subword rows for the ids of text: at each token a random number of random buckets (a
// bucket may repeat, as a repeated n-gram does), −1 elsewhere.
ops::IdTensor random_pieces(const ops::IdTensor& ids, const graph::SubwordInput& in,
                            std::mt19937_64& rng) {
  const int64_t slots = in.slots();
  graph::Shape shape = ids.shape;
  shape.push_back(slots);
  ops::IdTensor pieces{shape};
  std::fill(pieces.data.begin(), pieces.data.end(), -1);
  std::uniform_int_distribution<int32_t> bucket(
      static_cast<int32_t>(in.first_row),
      static_cast<int32_t>(in.first_row + in.subwords.buckets - 1));
  std::uniform_int_distribution<int64_t> count(0, std::min<int64_t>(slots, 4));
  for (size_t p = 0; p < ids.data.size(); ++p) {
    if (ids.data[p] == 0) continue;
    const int64_t n = count(rng);
    for (int64_t k = 0; k < n; ++k) pieces.data[p * static_cast<size_t>(slots) + k] = bucket(rng);
  }
  return pieces;
}

graph::Shape with_batch(graph::Shape s, int64_t batch) {
  for (int i = 0; i < s.rank(); ++i)
    if (s[i] == graph::kBatch) s[i] = batch;
  return s;
}

}  // namespace

void shrink_for_gradcheck(graph::ModelSpec& spec, int64_t seqlen, int64_t vocab) {
  for (graph::InputSpec& in : spec.inputs)
    if (in.dtype == graph::DType::kInt32 && seqlen > 0 && in.shape.rank() >= 1)
      in.shape[0] = seqlen;
  for (graph::LayerSpec& layer : spec.layers) {
    if (layer.op != "Embedding") continue;
    layer.pretrained.reset();
    if (vocab <= 0) continue;
    auto& attrs = std::any_cast<graph::EmbeddingAttrs&>(layer.attrs);
    attrs.vocab = vocab;
    if (attrs.subwords) attrs.subwords->buckets = std::min(attrs.subwords->buckets, vocab);
  }
}

autograd::GradCheckReport check_model_gradients(const graph::Model& model,
                                                const ModelGradCheckOptions& options) {
  const Graph& g = *model.graph;
  std::mt19937_64 rng(options.seed);
  autograd::Feeds feeds;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::map<std::string, const graph::SubwordInput*> pieces_of;  // by the pieces input's name
  for (const auto& [text, in] : model.subword_inputs) pieces_of[in.pieces] = &in;
  for (ValueId v : g.inputs()) {
    const graph::Shape shape = with_batch(g.value(v).shape, options.batch);
    if (pieces_of.count(g.value(v).name)) continue;  // made from the ids, below
    if (g.value(v).dtype == graph::DType::kInt32) {
      feeds.ids.emplace(v, random_ids(shape, vocabulary_of(g, v), rng));
    } else {
      ops::Tensor<double> t(shape);
      for (double& x : t.data) x = unit(rng);
      feeds.reals.emplace(v, std::move(t));
    }
  }
  for (const auto& [text, in] : model.subword_inputs)
    feeds.ids.emplace(*g.find_value(in.pieces),
                      random_pieces(feeds.ids.at(*g.find_value(text)), in, rng));
  ParameterStore<double> store(g, options.seed);
  std::map<ValueId, ops::Tensor<double>> values;
  std::vector<ValueId> wrt;
  for (const Parameter<double>& p : store.all()) {
    values.emplace(p.value, p.data);
    if (p.trainable) wrt.push_back(p.value);
  }
  autograd::GradCheckOptions check;
  check.seed = options.seed;
  check.training = options.training;
  check.max_probes_per_tensor = options.max_probes_per_tensor;
  check.tolerance = options.tolerance;
  const ValueId objective = model.loss ? *model.loss : model.outputs.front();
  return autograd::check_gradients(g, feeds, values, objective, wrt, check);
}

}  // namespace twinflow::runtime

#include "tests/testing/model_data.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace twinflow::testing {

runtime::SiameseConfig tiny_siamese(int64_t vocab) {
  runtime::SiameseConfig config;
  config.vocab = vocab;
  config.embed_dim = 4;
  config.seq_len = 5;
  config.units = 3;
  config.dropout = config.recurrent_dropout = 0.0;
  return config;
}

ops::IdTensor random_ids(int64_t batch, int64_t seq_len, int32_t vocab, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> token(1, vocab - 1);
  std::uniform_int_distribution<int64_t> length(1, seq_len);
  ops::IdTensor ids(graph::Shape{batch, seq_len});
  for (int64_t i = 0; i < batch; ++i) {
    const int64_t n = i == 0 ? seq_len : length(rng);
    for (int64_t t = 0; t < n; ++t) ids.data[static_cast<size_t>(i * seq_len + t)] = token(rng);
  }
  return ids;
}

template <typename T>
ops::Tensor<T> batch_rows(const ops::Tensor<T>& t, int64_t begin, int64_t end) {
  graph::Shape s = t.shape;
  const int64_t row = t.shape.num_elements() / t.shape[0];
  s[0] = end - begin;
  ops::Tensor<T> out(s);
  std::copy(t.data.begin() + begin * row, t.data.begin() + end * row, out.data.begin());
  return out;
}
template ops::Tensor<double> batch_rows(const ops::Tensor<double>&, int64_t, int64_t);
template ops::Tensor<int32_t> batch_rows(const ops::Tensor<int32_t>&, int64_t, int64_t);

namespace {

template <typename Map, typename Feed>
void feed_all(const graph::Graph& g, const Map& m, Feed feed) {
  for (const auto& [name, t] : m) feed(*g.find_value(name), t);
}

}  // namespace

std::map<std::string, std::vector<double>> parameter_gradients(
    const graph::Graph& g, runtime::ParameterStore<double>& params,
    const std::map<std::string, ops::IdTensor>& ids,
    const std::map<std::string, ops::Tensor<double>>& reals, graph::ValueId loss) {
  runtime::Executor<double> exec(g, params);
  for (const auto& [name, t] : ids) exec.feed_ids(name, &t);
  for (const auto& [name, t] : reals) exec.feed(name, &t);
  params.zero_grad();
  exec.forward(false, 1);
  exec.backward(loss);
  std::map<std::string, std::vector<double>> out;
  for (const auto& p : params.all())
    if (p.trainable) out[p.name] = p.grad.data;
  return out;
}

autograd::GradCheckReport check_model_gradients(
    const graph::Graph& g, runtime::ParameterStore<double>& params,
    const std::map<std::string, ops::IdTensor>& ids,
    const std::map<std::string, ops::Tensor<double>>& reals, graph::ValueId output,
    int64_t max_probes_per_tensor, bool training) {
  autograd::Feeds feeds;
  feed_all(g, ids, [&](graph::ValueId v, const ops::IdTensor& t) { feeds.ids.emplace(v, t); });
  feed_all(g, reals,
           [&](graph::ValueId v, const ops::Tensor<double>& t) { feeds.reals.emplace(v, t); });
  std::map<graph::ValueId, ops::Tensor<double>> values;
  std::vector<graph::ValueId> wrt;
  for (const auto& p : params.all()) {
    values.emplace(p.value, p.data);
    if (p.trainable) wrt.push_back(p.value);
  }
  autograd::GradCheckOptions options;
  options.max_probes_per_tensor = max_probes_per_tensor;
  options.training = training;
  return autograd::check_gradients(g, feeds, values, output, wrt, options);
}

double max_abs_diff(std::span<const double> a, std::span<const double> b) {
  double worst = a.size() == b.size() ? 0.0 : std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

double max_abs(std::span<const double> a) {
  double m = 0.0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace twinflow::testing

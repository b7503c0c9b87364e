#include "autograd/tape.h"

#include <fmt/format.h>

#include <limits>

namespace twinflow::autograd {

using graph::ValueKind;

template <typename T>
Tape<T>::Tape(const graph::Graph& graph)
    : graph_(graph),
      reals_(graph.values().size(), nullptr),
      ids_(graph.values().size(), nullptr),
      grads_(graph.values().size(), nullptr),
      grad_bound_(graph.values().size(), false),
      owned_(graph.values().size()),
      owned_grads_(graph.values().size()),
      saved_(graph.nodes().size()),
      inferred_from_(graph.nodes().size()),
      inputs_(graph.inputs()),
      leads_(graph.values().size()),
      reached_(graph.values().size()) {
  for (size_t v = 0; v < graph.values().size(); ++v) {
    const graph::Value& value = graph.values()[v];
    if (value.kind == ValueKind::kConstant) {
      owned_[v] = Tensor<T>(graph::Shape{}, static_cast<T>(value.constant));
      reals_[v] = &owned_[v];
    } else if (value.kind == ValueKind::kNodeOutput) {
      reals_[v] = &owned_[v];
    }
  }
}

template <typename T>
void Tape<T>::bind(ValueId v, const Tensor<T>* t) {
  const graph::Value& value = graph_.value(v);
  if (value.kind != ValueKind::kInput && value.kind != ValueKind::kParameter)
    throw graph::GraphError(
        fmt::format("cannot bind '{}': only inputs and parameters are bound", value.name));
  reals_[static_cast<size_t>(v)] = t;
}

template <typename T>
void Tape<T>::bind_ids(ValueId v, const IdTensor* ids) {
  ids_[static_cast<size_t>(v)] = ids;
}

template <typename T>
void Tape<T>::bind_grad(ValueId v, Tensor<T>* g) {
  grads_[static_cast<size_t>(v)] = g;
  grad_bound_[static_cast<size_t>(v)] = g != nullptr;
}

template <typename T>
ops::In<T> Tape<T>::view(ValueId v) const {
  const size_t i = static_cast<size_t>(v);
  if (graph_.value(v).dtype == graph::DType::kInt32) {
    if (!ids_[i])
      throw graph::RuntimeInputError(fmt::format("no data bound to {}", graph_.describe_value(v)));
    return {nullptr, ids_[i]->data.data(), ids_[i]->shape};
  }
  if (!reals_[i])
    throw graph::RuntimeInputError(fmt::format("no data bound to {}", graph_.describe_value(v)));
  return {reals_[i]->data.data(), nullptr, reals_[i]->shape};
}

template <typename T>
const Tensor<T>& Tape<T>::value(ValueId v) const {
  return *reals_.at(static_cast<size_t>(v));
}

template <typename T>
const IdTensor& Tape<T>::ids(ValueId v) const {
  return *ids_.at(static_cast<size_t>(v));
}

template <typename T>
void Tape<T>::infer_runtime_shape(graph::NodeId n) {
  const graph::Node& node = graph_.node(n);
  info_scratch_.clear();
  for (ValueId v : node.inputs) info_scratch_.push_back({view(v).shape, graph_.value(v).dtype});
  std::vector<graph::ValueInfo>& seen = inferred_from_[static_cast<size_t>(n)];
  if (seen == info_scratch_) return;
  seen.clear();  // until the rule below succeeds
  graph::Shape out;
  try {
    out = node.op->infer_shape(node.attrs, info_scratch_);
  } catch (const graph::ShapeError& e) {
    throw graph::RuntimeInputError(
        fmt::format("node '{}' ({}): {}", node.name, node.op->name, e.what()));
  }
  owned_[static_cast<size_t>(node.output)].resize(out);
  seen = info_scratch_;
}

template <typename T>
void Tape<T>::forward(bool training, uint64_t seed, std::span<const uint64_t> row_keys) {
  seed_ = seed;
  row_keys_.assign(row_keys.begin(), row_keys.end());
  training_ = training;
  for (ValueId v : inputs_) {
    const graph::Value& value = graph_.value(v);
    const graph::Shape& got = view(v).shape;
    if (!graph::shapes_compatible(value.shape, got))
      throw graph::RuntimeInputError(fmt::format("input '{}' expects shape {}, got {}", value.name,
                                                 value.shape.to_string(), got.to_string()));
  }
  for (size_t n = 0; n < graph_.nodes().size(); ++n) {
    const graph::Node& node = graph_.nodes()[n];
    infer_runtime_shape(static_cast<graph::NodeId>(n));
    in_scratch_.clear();
    for (ValueId v : node.inputs) in_scratch_.push_back(view(v));
    Tensor<T>& out = owned_[static_cast<size_t>(node.output)];
#ifdef TWINFLOW_POISON_OUTPUTS
    // Sanitizer builds: a kernel that leaves an output element unwritten yields NaN, which
    // every value and gradient check then catches.
    out.fill(std::numeric_limits<T>::quiet_NaN());
#endif
    ops::Context<T> ctx{training, node_random(n), &saved_[n]};
    try {
      ops::op_def_of(*node.op).template forward<T>()(node.attrs, ctx, in_scratch_,
                                                     ops::Out<T>{out.data.data(), out.shape});
    } catch (const graph::RuntimeInputError& e) {
      // Bad data found inside a kernel (an id outside the vocabulary): say where in the graph.
      throw graph::RuntimeInputError(
          fmt::format("node '{}' ({}): {}", node.name, node.op->name, e.what()));
    }
  }
}

template <typename T>
void Tape<T>::backward(ValueId loss, T scale, const GradientDone& done) {
  loss_seed_.resize(value(loss).shape);
  loss_seed_.fill(scale);
  backward(loss, loss_seed_, done);
}

template <typename T>
void Tape<T>::mark_paths(ValueId output, std::vector<bool>& leads,
                         std::vector<bool>& reached) const {
  const auto& values = graph_.values();
  const auto& nodes = graph_.nodes();
  // Which values lead to a bound gradient (forward sweep) ...
  for (size_t v = 0; v < values.size(); ++v) leads[v] = grad_bound_[v];
  for (const graph::Node& node : nodes)
    for (ValueId in : node.inputs)
      if (leads[static_cast<size_t>(in)]) leads[static_cast<size_t>(node.output)] = true;
  // ... and which are reached from the output (backward sweep).
  std::fill(reached.begin(), reached.end(), false);
  reached[static_cast<size_t>(output)] = true;
  for (size_t n = nodes.size(); n-- > 0;)
    if (reached[static_cast<size_t>(nodes[n].output)])
      for (ValueId in : nodes[n].inputs) reached[static_cast<size_t>(in)] = true;
}

// Backward walks the nodes in reverse, so the last VJP to add into a bound gradient is that of
// the first node in graph order that reads it and runs; kNoWriter when none does.
template <typename T>
void Tape<T>::last_writers(const std::vector<bool>& leads, const std::vector<bool>& reached,
                           std::vector<int64_t>& writer) const {
  const auto& nodes = graph_.nodes();
  writer.assign(graph_.values().size(), kNoWriter);
  for (size_t n = nodes.size(); n-- > 0;) {
    const size_t out = static_cast<size_t>(nodes[n].output);
    if (!leads[out] || !reached[out]) continue;
    for (ValueId in : nodes[n].inputs)
      if (grad_bound_[static_cast<size_t>(in)]) writer[static_cast<size_t>(in)] = int64_t(n);
  }
}

template <typename T>
std::vector<ValueId> Tape<T>::gradient_order(ValueId output) const {
  std::vector<bool> leads(graph_.values().size()), reached(graph_.values().size());
  mark_paths(output, leads, reached);
  std::vector<ValueId> order;
  std::vector<int64_t> writer;
  last_writers(leads, reached, writer);
  const auto record = [&](ValueId v) { order.push_back(v); };
  announce_unwritten(writer, record);
  for (size_t n = graph_.nodes().size(); n-- > 0;) announce_written(n, writer, record);
  return order;
}

template <typename T>
void Tape<T>::announce_unwritten(std::vector<int64_t>& writer, const GradientDone& done) const {
  for (size_t v = 0; v < writer.size(); ++v)
    if (grad_bound_[v] && writer[v] == kNoWriter) {
      writer[v] = kAnnounced;
      done(static_cast<ValueId>(v));
    }
}

template <typename T>
void Tape<T>::announce_written(size_t n, std::vector<int64_t>& writer,
                               const GradientDone& done) const {
  for (ValueId in : graph_.nodes()[n].inputs) {
    int64_t& w = writer[static_cast<size_t>(in)];
    if (w != int64_t(n)) continue;
    w = kAnnounced;  // a node reading one value twice announces it once
    done(in);
  }
}

template <typename T>
void Tape<T>::backward(ValueId output, const Tensor<T>& dy, const GradientDone& done) {
  const auto& values = graph_.values();
  const auto& nodes = graph_.nodes();
  if (!(dy.shape == value(output).shape))
    throw graph::GraphError(fmt::format("backward: dy has shape {} but '{}' has shape {}",
                                        dy.shape.to_string(), graph_.value(output).name,
                                        value(output).shape.to_string()));
  std::vector<bool>& leads = leads_;
  std::vector<bool>& reached = reached_;
  mark_paths(output, leads, reached);
  if (done) {
    last_writers(leads, reached, last_writer_);  // no allocation after the first step
    announce_unwritten(last_writer_, done);
  }

  for (size_t v = 0; v < values.size(); ++v) {
    if (grad_bound_[v]) continue;
    if (values[v].kind == ValueKind::kNodeOutput && leads[v] && reached[v]) {
      owned_grads_[v].resize(reals_[v]->shape);
      owned_grads_[v].fill(T(0));
      grads_[v] = &owned_grads_[v];
    } else {
      grads_[v] = nullptr;
    }
  }
  Tensor<T>* g_out = grads_[static_cast<size_t>(output)];
  if (!g_out) return;  // nothing differentiable leads to the output
  for (int64_t i = 0; i < dy.size(); ++i)
    g_out->data[static_cast<size_t>(i)] += dy.data[static_cast<size_t>(i)];

  for (size_t n = nodes.size(); n-- > 0;) {
    const graph::Node& node = nodes[n];
    const size_t out = static_cast<size_t>(node.output);
    if (!leads[out] || !reached[out] || !grads_[out]) continue;
    in_scratch_.clear();
    grad_scratch_.clear();
    for (ValueId v : node.inputs) {
      in_scratch_.push_back(view(v));
      Tensor<T>* g = grads_[static_cast<size_t>(v)];
      if (g && !(g->shape == view(v).shape)) {
        throw graph::GraphError(fmt::format("gradient buffer of '{}' has shape {}, value has {}",
                                            values[static_cast<size_t>(v)].name,
                                            g->shape.to_string(), view(v).shape.to_string()));
      }
      grad_scratch_.push_back(g ? ops::Out<T>{g->data.data(), g->shape} : ops::Out<T>{});
    }
    ops::Context<T> ctx{training_, node_random(n), &saved_[n]};
    const Tensor<T>& y = *reals_[out];
    const Tensor<T>& gy = *grads_[out];
    ops::op_def_of(*node.op).template backward<T>()(
        node.attrs, ctx, in_scratch_, ops::In<T>{y.data.data(), nullptr, y.shape},
        ops::In<T>{gy.data.data(), nullptr, gy.shape}, ops::GradArgs<T>(grad_scratch_));
    if (done) announce_written(n, last_writer_, done);
  }
}

template <typename T>
uint64_t Tape<T>::kink_signature() const {
  uint64_t h = ops::kSignatureSeed;
  std::vector<ops::In<T>> in;
  for (const graph::Node& node : graph_.nodes()) {
    const auto kink = ops::op_def_of(*node.op).template kink<T>();
    if (!kink) continue;
    in.clear();
    for (ValueId v : node.inputs) in.push_back(view(v));
    const Tensor<T>& y = *reals_[static_cast<size_t>(node.output)];
    h = ops::mix_signature(h, kink(node.attrs, in, ops::In<T>{y.data.data(), nullptr, y.shape}));
  }
  return h;
}

template class Tape<float>;
template class Tape<double>;

}  // namespace twinflow::autograd

#include "autograd/tape.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace twinflow::autograd {

using graph::ValueKind;

template <typename T>
Tape<T>::Tape(const graph::Graph& graph) : Tape(graph, graph::unstacked_plan(graph)) {}

template <typename T>
Tape<T>::Tape(const graph::Graph& graph, graph::StackingPlan plan)
    : graph_(graph),
      schedule_(std::move(plan.schedule)),
      groups_(std::move(plan.groups)),
      stacked_(groups_.size()),
      block_of_(graph.values().size(), {-1, -1}),
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
  for (size_t k = 0; k < groups_.size(); ++k) {
    const std::vector<graph::NodeId>& members = groups_[k].nodes;
    for (size_t j = 0; j < members.size(); ++j)
      block_of_[static_cast<size_t>(graph.node(members[j]).output)] = {static_cast<int>(k),
                                                                       static_cast<int>(j)};
    const size_t data = graph.data_input_count(members.front());
    stacked_[k].reals.resize(data);
    stacked_[k].ids.resize(data);
    stacked_[k].dx.resize(data);
    stacked_[k].seeds.resize(members.size());
  }
}

template <typename T>
template <typename F>
void Tape<T>::for_each_node(const graph::RunStep& step, F&& f) const {
  if (step.group < 0)
    f(static_cast<size_t>(step.node));
  else
    for (graph::NodeId n : groups_[static_cast<size_t>(step.group)].nodes)
      f(static_cast<size_t>(n));
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
  size_output(node, inferred_from_[static_cast<size_t>(n)],
              owned_[static_cast<size_t>(node.output)]);
}

template <typename T>
void Tape<T>::size_output(const graph::Node& node, std::vector<graph::ValueInfo>& seen,
                          Tensor<T>& out) {
  if (seen == info_scratch_) return;
  seen.clear();  // until the rule below succeeds
  graph::Shape shape;
  try {
    shape = node.op->infer_shape(node.attrs, info_scratch_);
  } catch (const graph::ShapeError& e) {
    throw graph::RuntimeInputError(
        fmt::format("node '{}' ({}): {}", node.name, node.op->name, e.what()));
  }
  out.resize(shape);
  seen = info_scratch_;
}

template <typename T>
void Tape<T>::call_forward(const graph::Node& node, ops::Context<T>& ctx, ops::Args<T> in,
                           Tensor<T>& out) {
#ifdef TWINFLOW_POISON_OUTPUTS
  // Sanitizer builds: a kernel that leaves an output element unwritten yields NaN, which
  // every value and gradient check then catches.
  out.fill(std::numeric_limits<T>::quiet_NaN());
#endif
  try {
    ops::op_def_of(*node.op).template forward<T>()(node.attrs, ctx, in,
                                                   ops::Out<T>{out.data.data(), out.shape});
  } catch (const graph::RuntimeInputError& e) {
    // Bad data found inside a kernel (an id outside the vocabulary): say where in the graph.
    throw graph::RuntimeInputError(
        fmt::format("node '{}' ({}): {}", node.name, node.op->name, e.what()));
  }
}

template <typename T>
ops::RowSeeds Tape<T>::group_random(size_t k) const {
  const graph::NodeId lead = groups_[k].nodes.front();
  const Stacked& s = stacked_[k];
  return {ops::mix64(seed_, static_cast<uint64_t>(lead)), row_keys_, s.seeds, s.rows};
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
  for (const graph::RunStep& step : schedule_) {
    if (step.group < 0)
      run_node(static_cast<size_t>(step.node));
    else
      run_group(static_cast<size_t>(step.group));
  }
}

template <typename T>
void Tape<T>::run_node(size_t n) {
  const graph::Node& node = graph_.nodes()[n];
  infer_runtime_shape(static_cast<graph::NodeId>(n));
  in_scratch_.clear();
  for (ValueId v : node.inputs) in_scratch_.push_back(view(v));
  ops::Context<T> ctx{training_, node_random(n), &saved_[n]};
  call_forward(node, ctx, in_scratch_, owned_[static_cast<size_t>(node.output)]);
}

// A group runs as one call when its members' data inputs agree in shape and every data input
// and output of a member has the same number of rows.
template <typename T>
bool Tape<T>::stackable_now(size_t k) {
  const std::vector<graph::NodeId>& members = groups_[k].nodes;
  const graph::Node& lead = graph_.node(members.front());
  const size_t data = graph_.data_input_count(members.front());
  const int64_t rows = view(lead.inputs.front()).shape[0];
  for (graph::NodeId m : members) {
    infer_runtime_shape(m);
    const graph::Node& node = graph_.node(m);
    if (owned_[static_cast<size_t>(node.output)].shape[0] != rows) return false;
    for (size_t i = 0; i < data; ++i) {
      const graph::Shape& shape = view(node.inputs[i]).shape;
      if (!(shape == view(lead.inputs[i]).shape) || shape[0] != rows) return false;
    }
  }
  stacked_[k].rows = rows;
  return true;
}

// Input i of group k, when it is the output of an earlier group that ran as one call, member
// for member: that group's stacked output, read as it is.
template <typename T>
const Tensor<T>* Tape<T>::chained_input(size_t k, size_t i) const {
  const std::vector<graph::NodeId>& members = groups_[k].nodes;
  const int from = block_of_[static_cast<size_t>(graph_.node(members.front()).inputs[i])].first;
  if (from < 0 || !stacked_[static_cast<size_t>(from)].active ||
      groups_[static_cast<size_t>(from)].nodes.size() != members.size())
    return nullptr;
  for (size_t j = 0; j < members.size(); ++j)
    if (block_of_[static_cast<size_t>(graph_.node(members[j]).inputs[i])] !=
        std::pair{from, static_cast<int>(j)})
      return nullptr;
  return &stacked_[static_cast<size_t>(from)].y;
}

template <typename T>
void Tape<T>::stack_input(size_t k, size_t i) {
  const std::vector<graph::NodeId>& members = groups_[k].nodes;
  Stacked& s = stacked_[k];
  const ValueId lead = graph_.node(members.front()).inputs[i];
  graph::Shape shape = view(lead).shape;
  const int64_t block = shape.num_elements();
  shape[0] *= static_cast<int64_t>(members.size());
  const auto stack = [&](auto& into, auto source) {
    into.resize(shape);
    for (size_t j = 0; j < members.size(); ++j) {
      const auto* from = source(graph_.node(members[j]).inputs[i]);
      std::copy(from, from + block, into.data.begin() + static_cast<int64_t>(j) * block);
    }
  };
  if (graph_.value(lead).dtype == graph::DType::kInt32) {
    stack(s.ids[i], [&](ValueId v) { return view(v).ids; });
    s.in.push_back({nullptr, s.ids[i].data.data(), shape});
  } else {
    stack(s.reals[i], [&](ValueId v) { return view(v).x; });
    s.in.push_back({s.reals[i].data.data(), nullptr, shape});
  }
}

template <typename T>
void Tape<T>::run_group(size_t k) {
  const std::vector<graph::NodeId>& members = groups_[k].nodes;
  Stacked& s = stacked_[k];
  s.active = stackable_now(k);
  if (!s.active) {
    for (graph::NodeId m : members) run_node(static_cast<size_t>(m));
    return;
  }
  const graph::Node& lead = graph_.node(members.front());
  const size_t data = graph_.data_input_count(members.front());
  s.in.clear();
  for (size_t i = 0; i < lead.inputs.size(); ++i) {
    if (i >= data) {
      s.in.push_back(view(lead.inputs[i]));
    } else if (const Tensor<T>* chained = chained_input(k, i)) {
      s.in.push_back({chained->data.data(), nullptr, chained->shape});
    } else {
      stack_input(k, i);
    }
  }
  info_scratch_.clear();
  for (size_t i = 0; i < s.in.size(); ++i)
    info_scratch_.push_back({s.in[i].shape, graph_.value(lead.inputs[i]).dtype});
  size_output(lead, s.inferred_from, s.y);
  for (size_t j = 0; j < members.size(); ++j)
    s.seeds[j] = node_random(static_cast<size_t>(members[j])).seed;
  ops::Context<T> ctx{training_, group_random(k), &saved_[static_cast<size_t>(members.front())]};
  call_forward(lead, ctx, s.in, s.y);
  const int64_t block = s.y.size() / static_cast<int64_t>(members.size());
  for (size_t j = 0; j < members.size(); ++j) {
    Tensor<T>& out = owned_[static_cast<size_t>(graph_.node(members[j]).output)];
    if (out.size() != block)
      throw graph::GraphError(
          fmt::format("node '{}' ({}): the stacked call made {} values per "
                      "member, not {}",
                      lead.name, lead.op->name, block, out.size()));
    const auto from = s.y.data.begin() + static_cast<int64_t>(j) * block;
    std::copy(from, from + block, out.data.begin());
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

// Backward walks the steps in reverse, so the last VJP to add into a bound gradient is that of
// the first step in run order with a node that reads it and runs; kNoWriter when none does.
template <typename T>
void Tape<T>::last_writers(const std::vector<bool>& leads, const std::vector<bool>& reached,
                           std::vector<int64_t>& writer) const {
  const auto& nodes = graph_.nodes();
  writer.assign(graph_.values().size(), kNoWriter);
  for (size_t step = schedule_.size(); step-- > 0;) {
    for_each_node(schedule_[step], [&](size_t n) {
      const size_t out = static_cast<size_t>(nodes[n].output);
      if (!leads[out] || !reached[out]) return;
      for (ValueId in : nodes[n].inputs)
        if (grad_bound_[static_cast<size_t>(in)]) writer[static_cast<size_t>(in)] = int64_t(step);
    });
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
  for (size_t step = schedule_.size(); step-- > 0;) announce_written(step, writer, record);
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
void Tape<T>::announce_written(size_t step, std::vector<int64_t>& writer,
                               const GradientDone& done) const {
  for_each_node(schedule_[step], [&](size_t n) {
    for (ValueId in : graph_.nodes()[n].inputs) {
      int64_t& w = writer[static_cast<size_t>(in)];
      if (w != int64_t(step)) continue;
      w = kAnnounced;  // a step reading one value twice announces it once
      done(in);
    }
  });
}

template <typename T>
void Tape<T>::backward(ValueId output, const Tensor<T>& dy, const GradientDone& done) {
  const auto& values = graph_.values();
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

  for (size_t step = schedule_.size(); step-- > 0;) {
    const graph::RunStep& s = schedule_[step];
    if (s.group < 0)
      backward_node(static_cast<size_t>(s.node));
    else
      backward_group(static_cast<size_t>(s.group));
    if (done) announce_written(step, last_writer_, done);
  }
}

template <typename T>
bool Tape<T>::runs_backward(size_t n) const {
  const size_t out = static_cast<size_t>(graph_.nodes()[n].output);
  return leads_[out] && reached_[out] && grads_[out];
}

template <typename T>
void Tape<T>::backward_node(size_t n) {
  if (!runs_backward(n)) return;
  const graph::Node& node = graph_.nodes()[n];
  in_scratch_.clear();
  grad_scratch_.clear();
  for (ValueId v : node.inputs) {
    in_scratch_.push_back(view(v));
    Tensor<T>* g = grads_[static_cast<size_t>(v)];
    if (g && !(g->shape == view(v).shape)) {
      throw graph::GraphError(fmt::format("gradient buffer of '{}' has shape {}, value has {}",
                                          graph_.value(v).name, g->shape.to_string(),
                                          view(v).shape.to_string()));
    }
    grad_scratch_.push_back(g ? ops::Out<T>{g->data.data(), g->shape} : ops::Out<T>{});
  }
  ops::Context<T> ctx{training_, node_random(n), &saved_[n]};
  const Tensor<T>& y = *reals_[static_cast<size_t>(node.output)];
  const Tensor<T>& gy = *grads_[static_cast<size_t>(node.output)];
  ops::op_def_of(*node.op).template backward<T>()(
      node.attrs, ctx, in_scratch_, ops::In<T>{y.data.data(), nullptr, y.shape},
      ops::In<T>{gy.data.data(), nullptr, gy.shape}, ops::GradArgs<T>(grad_scratch_));
}

// One VJP call for the whole group: the members' output gradients stacked in (zero for a
// member the loss does not reach), the data inputs' gradients cut back out and added into
// each member's.
template <typename T>
void Tape<T>::backward_group(size_t k) {
  const std::vector<graph::NodeId>& members = groups_[k].nodes;
  Stacked& s = stacked_[k];
  if (!s.active) {
    for (size_t j = members.size(); j-- > 0;) backward_node(static_cast<size_t>(members[j]));
    return;
  }
  if (std::none_of(members.begin(), members.end(),
                   [&](graph::NodeId m) { return runs_backward(static_cast<size_t>(m)); }))
    return;
  const graph::Node& lead = graph_.node(members.front());
  const size_t data = graph_.data_input_count(members.front());
  const int64_t block = s.y.size() / static_cast<int64_t>(members.size());
  s.dy.resize(s.y.shape);
  for (size_t j = 0; j < members.size(); ++j) {
    const auto into = s.dy.data.begin() + static_cast<int64_t>(j) * block;
    if (runs_backward(static_cast<size_t>(members[j]))) {
      const Tensor<T>& g = *grads_[static_cast<size_t>(graph_.node(members[j]).output)];
      std::copy(g.data.begin(), g.data.end(), into);
    } else {
      std::fill(into, into + block, T(0));
    }
  }
  grad_scratch_.clear();
  for (size_t i = 0; i < lead.inputs.size(); ++i) {
    if (i >= data) {
      Tensor<T>* g = grads_[static_cast<size_t>(lead.inputs[i])];
      grad_scratch_.push_back(g ? ops::Out<T>{g->data.data(), g->shape} : ops::Out<T>{});
      continue;
    }
    const bool wanted = std::any_of(members.begin(), members.end(), [&](graph::NodeId m) {
      return grads_[static_cast<size_t>(graph_.node(m).inputs[i])] != nullptr;
    });
    if (!wanted) {
      grad_scratch_.push_back({});
      continue;
    }
    s.dx[i].resize(s.in[i].shape);
    s.dx[i].fill(T(0));
    grad_scratch_.push_back({s.dx[i].data.data(), s.dx[i].shape});
  }
  ops::Context<T> ctx{training_, group_random(k), &saved_[static_cast<size_t>(members.front())]};
  ops::op_def_of(*lead.op).template backward<T>()(
      lead.attrs, ctx, s.in, ops::In<T>{s.y.data.data(), nullptr, s.y.shape},
      ops::In<T>{s.dy.data.data(), nullptr, s.dy.shape}, ops::GradArgs<T>(grad_scratch_));
  for (size_t i = 0; i < data; ++i) {
    if (!grad_scratch_[i].y) continue;
    const int64_t in_block = s.dx[i].size() / static_cast<int64_t>(members.size());
    for (size_t j = 0; j < members.size(); ++j) {
      Tensor<T>* g = grads_[static_cast<size_t>(graph_.node(members[j]).inputs[i])];
      if (!g) continue;
      const T* from = s.dx[i].data.data() + static_cast<int64_t>(j) * in_block;
      for (int64_t e = 0; e < in_block; ++e) g->data[static_cast<size_t>(e)] += from[e];
    }
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

#include "graph/ir/graph.h"

#include <fmt/format.h>

#include <algorithm>

namespace twinflow::graph {

ValueId Graph::push_value(Value v) {
  const auto id = static_cast<ValueId>(values_.size());
  if (!v.name.empty() && !value_ids_.emplace(v.name, id).second)
    throw GraphError(fmt::format("{}: value '{}' is defined twice", v.loc.to_string(), v.name));
  values_.push_back(std::move(v));
  return id;
}

ValueId Graph::add_input(std::string name, Shape shape, DType dtype, SourceLoc loc) {
  Value v;
  v.name = std::move(name);
  v.kind = ValueKind::kInput;
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.loc = std::move(loc);
  return push_value(std::move(v));
}

ValueId Graph::add_parameter(std::string name, Shape shape, Initializer init, bool trainable) {
  Value v;
  v.name = name;
  v.kind = ValueKind::kParameter;
  v.shape = shape;
  v.param = ParamSpec{std::move(name), std::move(shape), init};
  v.trainable = trainable;
  return push_value(std::move(v));
}

ValueId Graph::add_constant(double value, std::string name) {
  Value v;
  v.name = name.empty() ? fmt::format("const_{}", values_.size()) : std::move(name);
  v.kind = ValueKind::kConstant;
  v.shape = Shape{};
  v.constant = value;
  return push_value(std::move(v));
}

std::string Graph::describe_value(ValueId id) const {
  const Value& v = value(id);
  switch (v.kind) {
    case ValueKind::kInput:
      return fmt::format("input '{}'", v.name);
    case ValueKind::kParameter:
      return fmt::format("parameter '{}'", v.name);
    case ValueKind::kConstant:
      return fmt::format("constant {}", v.constant);
    case ValueKind::kNodeOutput:
      return fmt::format("node '{}' ({})", v.name, node(v.producer).op->name);
  }
  return v.name;
}

ValueId Graph::add_node(const OpSchema& op, std::any attrs, std::vector<ValueId> inputs,
                        std::string name, SourceLoc loc) {
  const std::string where = loc.known() ? loc.to_string() + ": " : std::string();
  if (nodes_.size() >= kMaxNodes)
    throw GraphError(
        fmt::format("{}node '{}' ({}): the graph already holds {} nodes, the most a model may have "
                    "(Sequentials applied inside Sequentials multiply their layers' calls)",
                    where, name, op.name, kMaxNodes));
  const int n_data = static_cast<int>(inputs.size());
  if (n_data < op.min_inputs || n_data > op.max_inputs) {
    const std::string expected = op.min_inputs == op.max_inputs
                                     ? std::to_string(op.min_inputs)
                                     : fmt::format("{} to {}", op.min_inputs, op.max_inputs);
    throw GraphError(fmt::format("{}node '{}' ({}): takes {} input(s), got {}", where, name,
                                 op.name, expected, n_data));
  }
  std::vector<ValueInfo> infos;
  for (ValueId id : inputs) {
    if (id < 0 || static_cast<size_t>(id) >= values_.size())
      throw GraphError(fmt::format("{}node '{}': input id {} does not exist", where, name, id));
    infos.push_back({value(id).shape, value(id).dtype});
  }
  Shape out;
  try {
    out = op.infer_shape(attrs, infos);
  } catch (const ShapeError& e) {
    std::string producers;
    for (size_t i = 0; i < inputs.size(); ++i)
      producers += fmt::format("\n  input {}: {} {} from {}", i, value(inputs[i]).name,
                               value(inputs[i]).shape.to_string(), describe_value(inputs[i]));
    throw GraphError(
        fmt::format("{}node '{}' ({}): {}{}", where, name, op.name, e.what(), producers));
  }
  std::string scope;
  for (const std::string& part : scopes_) scope += (scope.empty() ? "" : "/") + part;
  Node node{std::move(name),  &op, std::move(attrs), std::move(inputs), -1, -1,
            std::move(scope), loc};
  Value v;
  v.name = node.name;
  v.kind = ValueKind::kNodeOutput;
  v.shape = std::move(out);
  v.producer = static_cast<NodeId>(nodes_.size());
  v.loc = std::move(loc);
  node.output = push_value(std::move(v));
  nodes_.push_back(std::move(node));
  return nodes_.back().output;
}

LayerId Graph::add_layer(std::string name, const OpSchema& op, std::any attrs, bool trainable,
                         SourceLoc loc) {
  if (find_layer(name))
    throw GraphError(fmt::format("{}: layer '{}' is defined twice", loc.to_string(), name));
  layers_.push_back(Layer{std::move(name), &op, std::move(attrs), trainable, {}, {}, {}, loc});
  return static_cast<LayerId>(layers_.size() - 1);
}

void Graph::set_initializer(LayerId layer_id, std::string kind, Initializer init) {
  Layer& l = layers_.at(static_cast<size_t>(layer_id));
  if (!l.params.empty())
    throw GraphError(
        fmt::format("layer '{}': initializer for '{}' set after its first use", l.name, kind));
  l.initializers.emplace_back(std::move(kind), init);
}

ValueId Graph::apply(LayerId layer_id, std::vector<ValueId> data_inputs, std::string node_name,
                     SourceLoc loc) {
  Layer& l = layers_.at(static_cast<size_t>(layer_id));
  const std::string where = loc.known() ? loc.to_string() + ": " : std::string();
  std::vector<ValueInfo> infos;
  for (ValueId id : data_inputs) {
    if (id < 0 || static_cast<size_t>(id) >= values_.size())
      throw GraphError(
          fmt::format("{}node '{}': input id {} does not exist", where, node_name, id));
    infos.push_back({value(id).shape, value(id).dtype});
  }
  if (l.op->param_specs) {
    std::vector<ParamSpec> specs;
    try {
      specs = l.op->param_specs(l.attrs, infos);
    } catch (const ShapeError& e) {
      throw GraphError(fmt::format("{}node '{}' applies layer '{}' ({}): {}", where, node_name,
                                   l.name, l.op->name, e.what()));
    }
    if (l.params.empty()) {
      for (const ParamSpec& spec : specs) {
        Initializer init = spec.init;
        for (const auto& [kind, given] : l.initializers)
          if (spec.name == kind || spec.name.ends_with("." + kind)) init = given;
        ValueId p = add_parameter(l.name + "." + spec.name, spec.shape, init, l.trainable);
        values_[static_cast<size_t>(p)].param.name = spec.name;
        values_[static_cast<size_t>(p)].layer = layer_id;
        l.params.push_back(p);
      }
    } else {
      for (size_t i = 0; i < specs.size(); ++i) {
        const Value& p = value(l.params[i]);
        if (!(p.shape == specs[i].shape)) {
          const Node& first = node(l.uses.front());
          throw GraphError(fmt::format(
              "{}node '{}' applies layer '{}' to inputs of another shape than node '{}' does: "
              "parameter '{}' would be {} here but is {} there",
              where, node_name, l.name, first.name, p.name, specs[i].shape.to_string(),
              p.shape.to_string()));
        }
      }
    }
  }
  std::vector<ValueId> inputs = std::move(data_inputs);
  inputs.insert(inputs.end(), l.params.begin(), l.params.end());
  ValueId out = add_node(*l.op, l.attrs, std::move(inputs), std::move(node_name), std::move(loc));
  const NodeId nid = value(out).producer;
  nodes_[static_cast<size_t>(nid)].layer = layer_id;
  l.uses.push_back(nid);
  return out;
}

void Graph::push_scope(const std::string& name) { scopes_.push_back(name); }

void Graph::pop_scope() {
  if (!scopes_.empty()) scopes_.pop_back();
}

std::optional<ValueId> Graph::find_value(std::string_view name) const {
  const auto it = value_ids_.find(name);
  if (it == value_ids_.end()) return std::nullopt;
  return it->second;
}

std::optional<LayerId> Graph::find_layer(std::string_view name) const {
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].name == name) return static_cast<LayerId>(i);
  return std::nullopt;
}

std::vector<ValueId> Graph::inputs() const {
  std::vector<ValueId> out;
  for (size_t i = 0; i < values_.size(); ++i)
    if (values_[i].kind == ValueKind::kInput) out.push_back(static_cast<ValueId>(i));
  return out;
}

std::vector<ValueId> Graph::parameters() const {
  std::vector<ValueId> out;
  for (size_t i = 0; i < values_.size(); ++i)
    if (values_[i].kind == ValueKind::kParameter) out.push_back(static_cast<ValueId>(i));
  return out;
}

size_t Graph::data_input_count(NodeId n) const {
  const Node& nd = node(n);
  return nd.inputs.size() - (nd.layer >= 0 ? layer(nd.layer).params.size() : 0);
}

std::vector<NodeId> Graph::consumers(ValueId v) const {
  std::vector<NodeId> out;
  for (size_t n = 0; n < nodes_.size(); ++n)
    if (std::find(nodes_[n].inputs.begin(), nodes_[n].inputs.end(), v) != nodes_[n].inputs.end())
      out.push_back(static_cast<NodeId>(n));
  return out;
}

std::vector<int> topological_order(const std::vector<std::string>& names,
                                   const std::function<std::vector<int>(int)>& deps) {
  enum class Mark { kNew, kOpen, kDone };
  const int n = static_cast<int>(names.size());
  std::vector<Mark> mark(static_cast<size_t>(n), Mark::kNew);
  std::vector<int> order;
  // An explicit stack: a long chain of definitions must not overflow the call stack.
  struct Frame {
    int def;
    std::vector<int> next;
    size_t pos = 0;
  };
  for (int root = 0; root < n; ++root) {
    if (mark[static_cast<size_t>(root)] != Mark::kNew) continue;
    std::vector<Frame> stack;
    stack.push_back({root, deps(root)});
    mark[static_cast<size_t>(root)] = Mark::kOpen;
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.pos == top.next.size()) {
        mark[static_cast<size_t>(top.def)] = Mark::kDone;
        order.push_back(top.def);
        stack.pop_back();
        continue;
      }
      const int d = top.next[top.pos++];
      if (mark[static_cast<size_t>(d)] == Mark::kDone) continue;
      if (mark[static_cast<size_t>(d)] == Mark::kOpen) {
        std::string cycle;
        size_t start = 0;
        while (stack[start].def != d) ++start;
        for (size_t i = start; i < stack.size(); ++i)
          cycle += names[static_cast<size_t>(stack[i].def)] + " -> ";
        throw GraphError(fmt::format("cycle: {}{}", cycle, names[static_cast<size_t>(d)]));
      }
      mark[static_cast<size_t>(d)] = Mark::kOpen;
      stack.push_back({d, deps(d)});
    }
  }
  return order;
}

}  // namespace twinflow::graph

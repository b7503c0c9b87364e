#include "runtime/exchange/tower.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "graph/ir/suggest.h"
#include "runtime/exchange/lambda_text.h"
#include "runtime/saved/model_roles.h"

namespace twinflow::runtime {

namespace {

using graph::ValueId;

// Which definitions, layers and calls the tower needs, found by walking back from its vector.
class TowerCut {
 public:
  explicit TowerCut(const graph::Model& model) : m_(model) {
    for (const auto& [name, v] : m_.values) named_[v] = name;
    for (const graph::Application& a : m_.applications) {
      by_name_[a.name] = &a;
      for (ValueId v : a.outputs) produced_by_[v] = &a;
    }
  }

  // The text of v as a call argument: a name, or the call that makes it.
  std::string text(ValueId v) {
    if (const auto it = named_.find(v); it != named_.end()) {
      need_def(it->second);
      return it->second;
    }
    const auto it = produced_by_.find(v);
    if (it == produced_by_.end())
      throw graph::RuntimeInputError(fmt::format(
          "{} is made inside a layer call; it cannot start a tower", m_.graph->describe_value(v)));
    return call_text(*it->second);
  }

  std::string call_text(const graph::Application& a) {
    need_layer(a.layer);
    std::vector<std::string> args;
    for (const std::string& in : a.inputs) args.push_back(text(value_of(in)));
    return fmt::format("{}({})", a.layer, fmt::join(args, ", "));
  }

  ValueId value_of(const std::string& name) const {
    if (const auto it = m_.values.find(name); it != m_.values.end()) return it->second;
    return by_name_.at(name)->outputs.front();
  }

  const graph::Application* producer(ValueId v) const {
    const auto it = produced_by_.find(v);
    return it == produced_by_.end() ? nullptr : it->second;
  }
  const graph::Application* application(const std::string& name) const {
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }
  bool is_def(const std::string& name) const { return m_.values.count(name) && !is_input(name); }
  bool is_input(const std::string& name) const {
    for (const graph::InputSpec& in : m_.spec.inputs)
      if (in.name == name) return true;
    return false;
  }

  const std::set<std::string>& defs() const { return defs_; }
  const std::set<std::string>& layers() const { return layers_; }

 private:
  void need_def(const std::string& name) {
    if (is_input(name) || !defs_.insert(name).second) return;
    for (const graph::DefSpec& def : m_.spec.defs)
      for (const std::string& n : def.names)
        if (n == name) {
          for (const std::string& other : def.names) defs_.insert(other);
          if (const graph::Application* a = producer(m_.values.at(name))) call_text(*a);
        }
  }

  void need_layer(const std::string& name) {
    if (!layers_.insert(name).second) return;
    if (const graph::LayerSpec* layer = m_.spec.find_layer(name))
      for (const std::string& inner : layer->layers) need_layer(inner);
  }

  const graph::Model& m_;
  std::map<ValueId, std::string> named_;
  std::map<std::string, const graph::Application*> by_name_;
  std::map<ValueId, const graph::Application*> produced_by_;
  std::set<std::string> defs_;
  std::set<std::string> layers_;
};

// name, or name_2, name_3, ... : the first not yet used by the spec.
std::string fresh(const graph::ModelSpec& spec, const std::string& name) {
  const auto taken = [&](const std::string& n) {
    if (spec.find_layer(n)) return true;
    for (const graph::InputSpec& in : spec.inputs)
      if (in.name == n) return true;
    for (const graph::DefSpec& def : spec.defs)
      for (const std::string& d : def.names)
        if (d == n) return true;
    return false;
  };
  std::string candidate = name;
  for (int k = 2; taken(candidate); ++k) candidate = fmt::format("{}_{}", name, k);
  return candidate;
}

struct Choice {
  std::string input;
  ValueId value = -1;
};

Choice choose(const graph::Model& model, const ModelRoles& roles, std::string_view name) {
  if (name.empty()) return {roles.text_inputs.front(), roles.towers.front()};
  for (size_t i = 0; i < roles.text_inputs.size(); ++i)
    if (roles.text_inputs[i] == name) return {roles.text_inputs[i], roles.towers[i]};
  const std::string inputs = fmt::format("{}", fmt::join(roles.text_inputs, ", "));
  const auto found = model.values.find(std::string(name));
  if (found == model.values.end()) {
    std::vector<std::string> names(roles.text_inputs);
    for (const auto& [value, v] : model.values) names.push_back(value);
    throw graph::RuntimeInputError(fmt::format(
        "--tower {}: model '{}' has no input or graph value of that name{}; a tower is named by "
        "a text input ({}) or by a graph value computed from one of them alone",
        name, model.spec.name, graph::did_you_mean(name, names), inputs));
  }
  const std::set<ValueId> deps = input_dependencies(model).at(static_cast<size_t>(found->second));
  const graph::Shape& shape = model.graph->value(found->second).shape;
  if (deps.size() != 1)
    throw graph::RuntimeInputError(fmt::format(
        "--tower {}: '{}' is computed from {} inputs; a tower reads one text input ({})", name,
        name, deps.size(), inputs));
  const std::string input = model.graph->value(*deps.begin()).name;
  if (std::find(roles.text_inputs.begin(), roles.text_inputs.end(), input) ==
      roles.text_inputs.end())
    throw graph::RuntimeInputError(
        fmt::format("--tower {}: '{}' is computed from '{}', which is no text input ({})", name,
                    name, input, inputs));
  if (shape.rank() != 2)
    throw graph::RuntimeInputError(fmt::format(
        "--tower {}: '{}' is {}, not one vector per text [B, D]; --tower {} exports the tower "
        "of '{}' that embed uses",
        name, name, shape.to_string(), input, input));
  return {input, found->second};
}

// The vector made inside a Lambda call that also reads other values: the part of its
// expression the vector needs, as a Lambda of its own over the arguments it reads.
graph::LayerSpec lambda_part(const graph::Model& model, TowerCut& cut, const graph::Application& a,
                             ValueId v, const std::string& name, std::vector<std::string>& args) {
  const graph::LayerSpec& lambda = *model.spec.find_layer(a.layer);
  std::vector<ValueId> values;
  for (const std::string& in : a.inputs) values.push_back(cut.value_of(in));
  std::vector<bool> used(values.size(), false);
  const std::string expr =
      lambda_text(*model.graph, v, [&](ValueId x) -> std::optional<std::string> {
        for (size_t i = 0; i < values.size(); ++i)
          if (values[i] == x) {
            used[i] = true;
            return lambda.args[i];
          }
        return std::nullopt;
      });
  graph::LayerSpec part;
  part.name = name;
  part.op = "Lambda";
  part.attrs = graph::NoAttrs{};
  part.exprs = {expr};
  for (size_t i = 0; i < values.size(); ++i)
    if (used[i]) {
      part.args.push_back(lambda.args[i]);
      args.push_back(cut.text(values[i]));
    }
  return part;
}

}  // namespace

TowerSpec tower_spec(const graph::Model& model, std::string_view name) {
  const ModelRoles roles = model_roles(model);
  const Choice choice = choose(model, roles, name);
  TowerCut cut(model);
  TowerSpec out;
  out.input = choice.input;
  graph::ModelSpec& spec = out.spec;
  std::optional<graph::LayerSpec> extra;
  std::optional<graph::DefSpec> last;
  const std::string& value_name = model.graph->value(choice.value).name;
  if (cut.is_def(value_name) && model.values.at(value_name) == choice.value) {
    cut.text(choice.value);
    out.output = value_name;
  } else {
    out.output = fresh(model.spec, choice.input + "_vec");
    last.emplace();
    last->names = {out.output};
    if (const graph::Application* a = cut.producer(choice.value)) {
      last->text = cut.call_text(*a);
    } else {
      const graph::Node& node = model.graph->node(model.graph->value(choice.value).producer);
      const graph::Application* host = cut.application(node.scope);
      if (host == nullptr || host->op != "Lambda")
        throw graph::RuntimeInputError(fmt::format(
            "the tower of '{}' ends at node '{}' ({}) inside {}: a spec of one input cannot "
            "say that",
            choice.input, node.name, node.op->name,
            host ? fmt::format("layer '{}' ({})", host->layer, host->op) : "a composite layer"));
      std::vector<std::string> args;
      extra = lambda_part(model, cut, *host, choice.value,
                          fresh(model.spec, host->layer + "_" + choice.input), args);
      last->text = fmt::format("{}({})", extra->name, fmt::join(args, ", "));
    }
  }
  spec.name = model.spec.name + "_tower";
  for (const graph::InputSpec& in : model.spec.inputs)
    if (in.name == choice.input) spec.inputs.push_back(in);
  for (const graph::LayerSpec& layer : model.spec.layers)
    if (cut.layers().count(layer.name)) {
      spec.layers.push_back(layer);
      spec.layers.back().pretrained.reset();  // the weights come with the tower
    }
  if (extra) spec.layers.push_back(*extra);
  for (const graph::DefSpec& def : model.spec.defs)
    if (cut.defs().count(def.names.front())) spec.defs.push_back(def);
  if (last) spec.defs.push_back(*last);
  spec.outputs = {graph::NameRef{out.output, {}}};
  // A pair model's own score needs both texts; its towers are compared by cosine.
  spec.distance =
      roles.family == ModelFamily::kPair ? graph::TripletDistance::kCosine : roles.distance;
  spec.train = model.spec.train;
  spec.train.data.clear();
  spec.train.val.clear();
  spec.train.test.clear();
  spec.train.metrics.clear();
  return out;
}

}  // namespace twinflow::runtime

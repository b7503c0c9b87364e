// emit_spec: a ModelSpec back to YAML with every default written out, walking the same key
// lists (graph/spec/fields.h) the parser reads, so the two cannot drift apart.
#include <fmt/format.h>
#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include <stdexcept>

#include "graph/spec/fields.h"
#include "graph/spec/spec.h"

namespace twinflow::graph {

namespace {

// A visitor over graph/spec/fields.h that writes each key with its value. Layers, inputs and
// the loss are flow maps, one line each; every value is written, defaults included.
class FieldWriter {
 public:
  explicit FieldWriter(YAML::Emitter& out) : out_(out) {}

  void integer(std::string_view key, int64_t& x, Need, int64_t) { put(key) << x; }
  void axis(std::string_view key, int& x) { put(key) << x; }
  void real(std::string_view key, double& x, const Range&) { put(key) << number(x); }
  void flag(std::string_view key, bool& x) { put(key) << x; }
  // An optional text left empty (a train: data file not given) is absent, not "".
  void text(std::string_view key, std::string& x, Need need) {
    if (need == Need::kOptional && x.empty()) return;
    put(key) << x;
  }
  void choice(std::string_view key, std::string& x, std::span<const std::string_view>) {
    put(key) << x;
  }
  template <class E, size_t N>
  void choice(std::string_view key, E& x, const std::array<E, N>&) {
    put(key) << std::string(to_string(x));
  }
  void names(std::string_view key, std::vector<std::string>& names, std::vector<SourceLoc>*,
             const NamesRule&) {
    list(key, names);
  }
  void expressions(std::string_view key, std::vector<std::string>& exprs, std::vector<SourceLoc>&) {
    put(key);
    if (exprs.size() == 1) {
      out_ << YAML::DoubleQuoted << exprs[0];
      return;
    }
    out_ << YAML::Flow << YAML::BeginSeq;
    for (const std::string& expr : exprs) out_ << YAML::DoubleQuoted << expr;
    out_ << YAML::EndSeq;
  }
  void expression(std::string_view key, std::string& expr, SourceLoc&) {
    put(key) << YAML::DoubleQuoted << expr;
  }
  void role(std::string_view key, std::vector<std::pair<std::string, NameRef>>& roles) {
    for (const auto& [role, ref] : roles)
      if (role == key) put(key) << ref.name;
  }
  void initializer(std::string_view key, std::string_view kind,
                   std::vector<std::pair<std::string, Initializer>>& inits) {
    for (auto& [init_kind, init] : inits) {
      if (init_kind != kind) continue;
      const std::string name(to_string(init.kind));
      if (!has_arguments(init.kind)) {
        put(key) << name;
        return;
      }
      put(key) << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name;
      fields(*this, init);
      out_ << YAML::EndMap;
      return;
    }
  }
  template <class T>
  void nested(std::string_view key, T& sub, std::string_view op) {
    put(key) << YAML::Flow << YAML::BeginMap << YAML::Key << "op" << YAML::Value << std::string(op);
    fields(*this, sub);
    out_ << YAML::EndMap;
  }
  template <class T>
  void optional_nested(std::string_view key, std::optional<T>& sub) {
    if (!sub) return;
    put(key) << YAML::Flow << YAML::BeginMap;
    fields(*this, *sub);
    out_ << YAML::EndMap;
  }
  Branch either(bool second_now, std::initializer_list<std::string_view>,
                std::initializer_list<std::string_view>) {
    return second_now ? Branch::kSecond : Branch::kFirst;
  }
  template <class N>
  void ordered(std::string_view, N, std::string_view, N) {}
  void shape(std::string_view key, Shape& shape) {
    put(key) << YAML::Flow << YAML::BeginSeq;
    for (int64_t d : shape.dims()) out_ << d;
    out_ << YAML::EndSeq;
  }
  void dtype(std::string_view key, DType& dtype) {
    put(key) << (dtype == DType::kInt32 ? "int32" : "float32");
  }
  void choices(std::string_view key, std::vector<std::string>& items,
               std::span<const std::string_view>) {
    list(key, items);
  }
  void optimizer(std::string_view key, OptimizerSpec& optimizer) {
    put(key) << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value
             << optimizer.name;
    fields(*this, optimizer);
    out_ << YAML::EndMap;
  }

 private:
  YAML::Emitter& put(std::string_view key) {
    return out_ << YAML::Key << std::string(key) << YAML::Value;
  }
  // The shortest text that reads back as the same double.
  static std::string number(double x) { return fmt::format("{}", x); }
  void list(std::string_view key, const std::vector<std::string>& items) {
    put(key) << YAML::Flow << YAML::BeginSeq;
    for (const std::string& item : items) out_ << item;
    out_ << YAML::EndSeq;
  }

  YAML::Emitter& out_;
};

std::string joined_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

void emit_layers(YAML::Emitter& out, const ModelSpec& spec) {
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginMap;
  for (const LayerSpec& layer : spec.layers) {
    LayerSpec copy = layer;
    out << YAML::Key << layer.name << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
        << "op" << YAML::Value << layer.op;
    FieldWriter writer(out);
    layer_fields(writer, copy);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void emit_inputs(YAML::Emitter& out, const ModelSpec& spec) {
  out << YAML::Key << "inputs" << YAML::Value << YAML::BeginMap;
  for (const InputSpec& input : spec.inputs) {
    InputSpec copy = input;
    out << YAML::Key << input.name << YAML::Value << YAML::Flow << YAML::BeginMap;
    FieldWriter writer(out);
    fields(writer, copy);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void emit_graph(YAML::Emitter& out, const ModelSpec& spec) {
  out << YAML::Key << "graph" << YAML::Value << YAML::BeginMap;
  for (const DefSpec& def : spec.defs)
    out << YAML::Key << joined_names(def.names) << YAML::Value << YAML::DoubleQuoted << def.text;
  out << YAML::EndMap;
  out << YAML::Key << "outputs" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const NameRef& output : spec.outputs) out << output.name;
  out << YAML::EndSeq;
}

void emit_training(YAML::Emitter& out, const ModelSpec& spec) {
  if (spec.loss) {
    LossSpec copy = *spec.loss;
    out << YAML::Key << "loss" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "op"
        << YAML::Value << copy.op;
    FieldWriter writer(out);
    loss_fields(writer, copy);
    out << YAML::EndMap;
  }
  if (spec.distance)
    out << YAML::Key << "distance" << YAML::Value << std::string(to_string(*spec.distance));
  TrainSpec copy = spec.train;
  out << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
  FieldWriter writer(out);
  fields(writer, copy);
  out << YAML::EndMap;
}

}  // namespace

std::string emit_spec(const ModelSpec& spec) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "model" << YAML::Value << spec.name;
  emit_inputs(out, spec);
  emit_layers(out, spec);
  emit_graph(out, spec);
  emit_training(out, spec);
  out << YAML::EndMap;
  if (!out.good()) throw std::logic_error("emit_spec: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace twinflow::graph

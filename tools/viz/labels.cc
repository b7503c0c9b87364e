#include "tools/viz/labels.h"

#include <fmt/format.h>

#include <any>

#include "graph/ir/attrs.h"

namespace twinflow::viz {

namespace {

using graph::Value;

std::string number(double x) { return fmt::format("{:g}", x); }

void add_lstm(const graph::LstmAttrs& a, std::vector<Attr>& out) {
  out.push_back({"units", std::to_string(a.units)});
  if (a.return_sequences) out.push_back({"return_sequences", "true"});
  if (a.go_backwards) out.push_back({"go_backwards", "true"});
  if (a.dropout > 0) out.push_back({"dropout", number(a.dropout)});
  if (a.recurrent_dropout > 0) out.push_back({"recurrent_dropout", number(a.recurrent_dropout)});
}

void add_axis(int axis, std::vector<Attr>& out) {
  if (axis != -1) out.push_back({"axis", std::to_string(axis)});
}

// Typed attributes of the ops a model spec names; other ops fall back to their describe().
bool add_typed(const std::any& a, std::vector<Attr>& out) {
  if (const auto* d = std::any_cast<graph::DenseAttrs>(&a)) {
    out.push_back({"units", std::to_string(d->units)});
    out.push_back({"activation", std::string(graph::to_string(d->activation))});
    if (!d->use_bias) out.push_back({"use_bias", "false"});
  } else if (const auto* e = std::any_cast<graph::EmbeddingAttrs>(&a)) {
    out.push_back({"vocab", std::to_string(e->vocab)});
    out.push_back({"dim", std::to_string(e->dim)});
    if (e->mask_zero) out.push_back({"mask_zero", "true"});
  } else if (const auto* l = std::any_cast<graph::LstmAttrs>(&a)) {
    add_lstm(*l, out);
  } else if (const auto* b = std::any_cast<graph::BidirectionalAttrs>(&a)) {
    out.push_back({"merge", std::string(graph::to_string(b->merge))});
    add_lstm(b->layer, out);
  } else if (const auto* s = std::any_cast<graph::SliceAttrs>(&a)) {
    out.push_back({"range", fmt::format("[{}:{}]", s->begin, s->end)});
    add_axis(s->axis, out);
  } else if (const auto* c = std::any_cast<graph::ConcatenateAttrs>(&a)) {
    out.push_back({"axis", std::to_string(c->axis)});
  } else if (const auto* r = std::any_cast<graph::ReduceAttrs>(&a)) {
    out.push_back({"axis", std::to_string(r->axis)});
    if (r->keepdims) out.push_back({"keepdims", "true"});
  } else if (const auto* k = std::any_cast<graph::CosineAttrs>(&a)) {
    add_axis(k->axis, out);
  } else if (const auto* n = std::any_cast<graph::NormAttrs>(&a)) {
    add_axis(n->axis, out);
  } else if (const auto* x = std::any_cast<graph::BinaryCrossentropyAttrs>(&a)) {
    if (x->from_logits) out.push_back({"from_logits", "true"});
  } else if (const auto* t = std::any_cast<graph::TripletMarginAttrs>(&a)) {
    out.push_back({"alpha", number(t->alpha)});
  } else if (const auto* m = std::any_cast<graph::ContrastiveAttrs>(&a)) {
    out.push_back({"margin", number(m->margin)});
  } else {
    return std::any_cast<graph::NoAttrs>(&a) != nullptr || !a.has_value();
  }
  return true;
}

// A binary op with one constant operand, as a formula over x.
std::string with_constant(std::string_view op, bool constant_first, const std::string& c) {
  const std::string l = constant_first ? c : "x";
  const std::string r = constant_first ? "x" : c;
  if (op == "Add") return l + " + " + r;
  if (op == "Sub") return l + " − " + r;
  if (op == "Mul") return l + " × " + r;
  if (op == "Div") return l + " ÷ " + r;
  if (op == "Maximum") return "max(" + l + ", " + r + ")";
  if (op == "Minimum") return "min(" + l + ", " + r + ")";
  return fmt::format("{}({}, {})", op, l, r);
}

}  // namespace

std::string shape_label(const Value& value) {
  const graph::Shape& s = value.shape;
  const bool has_time = s.rank() >= 3 || (value.dtype == graph::DType::kInt32 && s.rank() == 2);
  std::string out = "[";
  for (int axis = 0; axis < s.rank(); ++axis) {
    if (axis > 0) out += ", ";
    if (s[axis] == graph::kBatch)
      out += "B";
    else if (axis == 1 && has_time && s[0] == graph::kBatch)
      out += "T=" + std::to_string(s[axis]);
    else
      out += std::to_string(s[axis]);
  }
  return out + "]";
}

std::string value_name(const graph::Model& model, graph::ValueId v) {
  for (const auto& [name, id] : model.values)
    if (id == v) return name;
  return model.graph->value(v).name;
}

std::vector<Attr> node_attrs(const graph::Graph& g, const graph::Node& node) {
  std::vector<Attr> out;
  if (!add_typed(node.attrs, out) && node.op->describe)
    out.push_back({"attrs", node.op->describe(node.attrs)});
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Value& v = g.value(node.inputs[i]);
    if (v.kind != graph::ValueKind::kConstant) continue;
    out.push_back({"formula", with_constant(node.op->name, i == 0, number(v.constant))});
  }
  return out;
}

std::vector<Attr> composite_attrs(const graph::LayerSpec& layer) {
  std::vector<Attr> out;
  if (layer.op == "Lambda") {
    for (size_t i = 0; i < layer.exprs.size(); ++i)
      out.push_back(
          {layer.exprs.size() == 1 ? "expr" : fmt::format("expr{}", i + 1), layer.exprs[i]});
  } else if (layer.op == "Sequential") {
    out.push_back({"layers", fmt::format("{}", fmt::join(layer.layers, " → "))});
  }
  return out;
}

std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(' ', begin);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(begin, end - begin);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    begin = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace twinflow::viz

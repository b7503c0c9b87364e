// tests/graph/spec_checks.h — helpers for the spec parser and emitter tests: parse text as
// "t.yaml", find an error by its place and words, and print a ModelSpec without its source
// positions so two specs can be compared field by field.
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <any>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/spec/spec.h"

namespace twinflow::graph::testing {

struct Parsed {
  std::optional<ModelSpec> spec;
  Diagnostics diags;
};

inline Parsed parse(std::string_view text) {
  Parsed p;
  CHECK_NOTHROW(p.spec = parse_spec(text, "t.yaml", p.diags));
  CHECK(p.spec.has_value() == !p.diags.has_errors());
  return p;
}

// A spec that must parse; fails the test (printing every error) when it does not.
inline ModelSpec parse_ok(std::string_view text) {
  Parsed p = parse(text);
  INFO(p.diags.to_string());
  REQUIRE(p.spec.has_value());
  return std::move(*p.spec);
}

// An error at line:column of t.yaml whose message contains every word.
inline bool has_error(const Parsed& p, int line, int column,
                      const std::vector<std::string>& words) {
  for (const Diagnostic& d : p.diags.all()) {
    if (d.severity != Severity::kError || d.loc.file != "t.yaml") continue;
    if (d.loc.line != line || d.loc.column != column) continue;
    bool all = true;
    for (const std::string& w : words) all = all && d.message.find(w) != std::string::npos;
    if (all) return true;
  }
  MESSAGE(fmt::format("no error at {}:{} with [{}]; found:\n{}", line, column,
                      fmt::join(words, "], ["), p.diags.to_string()));
  return false;
}

// The message of the only error; fails the test when there is not exactly one.
inline std::string only_error(const Parsed& p) {
  INFO(p.diags.to_string());
  REQUIRE(p.diags.error_count() == 1);
  return p.diags.all().front().message;
}

// The 1-based column where `what` first appears on (1-based) line `line` of text.
inline int column_of(std::string_view text, int line, std::string_view what) {
  size_t start = 0;
  for (int i = 1; i < line && start != std::string_view::npos; ++i) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  REQUIRE(start != std::string_view::npos);
  const std::string_view line_text = text.substr(start, text.find('\n', start) - start);
  const size_t at = line_text.find(what);
  INFO(line_text, " does not contain ", what);
  REQUIRE(at != std::string_view::npos);
  return static_cast<int>(at) + 1;
}

// A spec with one input x [4] and the given `layers:` lines (indented by 2), which start on
// line 5, and a trivial graph after them.
inline std::string with_layers(std::string_view layers) {
  return fmt::format(
      "model: m\ninputs:\n  x: {{shape: [4]}}\nlayers:\n{}graph:\n  y: x\n"
      "outputs: [y]\n",
      layers);
}

inline std::string attrs_text(const std::any& a) {
  if (!a.has_value()) return "none";
  if (std::any_cast<NoAttrs>(&a) != nullptr) return "NoAttrs";
  if (const auto* x = std::any_cast<EmbeddingAttrs>(&a))
    return fmt::format("Embedding({}, {}, {})", x->vocab, x->dim, x->mask_zero);
  if (const auto* x = std::any_cast<DenseAttrs>(&a))
    return fmt::format("Dense({}, {}, {})", x->units, to_string(x->activation), x->use_bias);
  auto lstm = [](const LstmAttrs& l) {
    return fmt::format("LSTM({}, {}, {}, {}, {})", l.units, l.return_sequences, l.go_backwards,
                       l.dropout, l.recurrent_dropout);
  };
  if (const auto* x = std::any_cast<LstmAttrs>(&a)) return lstm(*x);
  if (const auto* x = std::any_cast<BidirectionalAttrs>(&a))
    return fmt::format("Bidirectional({}, {})", lstm(x->layer), to_string(x->merge));
  if (const auto* x = std::any_cast<SliceSpec>(&a))
    return fmt::format("Slice({}, {}, {}, {}, {})", x->axis, x->begin, x->end, x->part, x->of);
  if (const auto* x = std::any_cast<ConcatenateAttrs>(&a))
    return fmt::format("Concatenate({})", x->axis);
  if (const auto* x = std::any_cast<ReduceAttrs>(&a))
    return fmt::format("Reduce({}, {})", x->axis, x->keepdims);
  if (const auto* x = std::any_cast<NormAttrs>(&a))
    return fmt::format("Norm({}, {}, {})", x->axis, x->keepdims, x->eps);
  if (const auto* x = std::any_cast<CosineAttrs>(&a))
    return fmt::format("Cosine({}, {}, {})", x->axis, x->keepdims, x->eps);
  if (const auto* x = std::any_cast<BinaryCrossentropyAttrs>(&a))
    return fmt::format("BCE({}, {})", x->from_logits, x->epsilon);
  if (const auto* x = std::any_cast<TripletMarginAttrs>(&a))
    return fmt::format("TripletMargin({})", x->alpha);
  if (const auto* x = std::any_cast<ContrastiveAttrs>(&a))
    return fmt::format("Contrastive({})", x->margin);
  return "unknown attrs type";
}

// Every field of a spec but its source positions (and the file it came from), one per line;
// doubles in their shortest exact form, so equal text means equal values.
inline std::string spec_text(const ModelSpec& s) {
  std::string out = fmt::format("model {}\n", s.name);
  for (const InputSpec& in : s.inputs)
    out += fmt::format("input {} {} {}\n", in.name, in.shape.to_string(), to_string(in.dtype));
  for (const LayerSpec& l : s.layers) {
    out += fmt::format("layer {} {} {} trainable={}\n", l.name, l.op, attrs_text(l.attrs),
                       l.trainable);
    for (const auto& [kind, init] : l.initializers)
      out += fmt::format("  init {} {} {} {}\n", kind, to_string(init.kind), init.a, init.b);
    if (l.pretrained)
      out += fmt::format("  pretrained {} {} {}\n", l.pretrained->file, l.pretrained->format,
                         l.pretrained->missing);
    out += fmt::format("  args [{}] exprs [{}] layers [{}]\n", fmt::join(l.args, ", "),
                       fmt::join(l.exprs, " | "), fmt::join(l.layers, ", "));
    CHECK(l.expr_locs.size() == l.exprs.size());
    CHECK(l.layer_locs.size() == l.layers.size());
  }
  for (const DefSpec& d : s.defs)
    out += fmt::format("def {} = {}\n", fmt::join(d.names, ", "), d.text);
  for (const NameRef& o : s.outputs) out += fmt::format("output {}\n", o.name);
  if (s.loss) {
    out +=
        fmt::format("loss {} {} expr [{}]\n", s.loss->op, attrs_text(s.loss->attrs), s.loss->expr);
    for (const auto& [role, ref] : s.loss->inputs)
      out += fmt::format("  {} = {}\n", role, ref.name);
  }
  const OptimizerSpec& o = s.train.optimizer;
  out += fmt::format("optimizer {} {} {} {} {} {} {} {} {} {} {}\n", o.name, o.lr, o.momentum,
                     o.nesterov, o.beta_1, o.beta_2, o.rho, o.initial_accumulator_value, o.epsilon,
                     o.clipnorm, o.clipvalue);
  out += fmt::format("train {} {} [{}] data={} val={} test={} {} {} {}\n", s.train.batch_size,
                     s.train.epochs, fmt::join(s.train.metrics, ", "), s.train.data, s.train.val,
                     s.train.test, s.train.patience, s.train.seed, s.train.shuffle);
  return out;
}

}  // namespace twinflow::graph::testing

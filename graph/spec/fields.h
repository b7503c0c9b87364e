// graph/spec/fields.h — every key a spec may write below the top level, listed once.
//
// Each `fields(v, x)` names the YAML keys of one struct with their types, defaults (the
// struct's initial values) and ranges, as calls on a visitor `v`. Three visitors walk these
// lists: the reader (graph/spec/field_reader.h: YAML -> struct, recording errors and which
// keys were read), the writer (graph/spec/emit.cc: struct -> YAML with every default), and
// the key collector (graph/spec/layer_keys.cc: the keys an op takes). A key added here is parsed,
// emitted and offered as "did you mean" at once.
//
// A visitor provides: integer, axis, real, flag, choice (enum or string), text, names,
// expressions, expression, role, initializer, nested, optional_nested, either, ordered, shape,
// dtype, choices, optimizer — see FieldReader for what each reads.
#pragma once

#include <any>
#include <array>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "graph/ir/attrs.h"
#include "graph/ir/op_schema.h"
#include "graph/spec/layers.h"
#include "graph/spec/spec.h"
#include "graph/yaml/reader.h"

namespace twinflow::graph {

// Which of two groups of keys a struct is written with (Slice: a range or a part).
enum class Branch { kFirst, kSecond, kNeither };

// What a list of names must hold (Lambda `args`, Sequential `layers`).
struct NamesRule {
  Need need = Need::kRequired;
  size_t min_count = 0;
  bool unique = false;
  std::string_view map_item_hint;  // said when an item is a map instead of a name
};

inline constexpr std::array kActivations = {Activation::kLinear, Activation::kRelu,
                                            Activation::kSigmoid, Activation::kTanh,
                                            Activation::kSoftmax};
inline constexpr std::array kMergeModes = {MergeMode::kConcat, MergeMode::kSum, MergeMode::kMul,
                                           MergeMode::kAve};
inline constexpr std::array<std::string_view, 2> kVectorFormats = {"glove", "word2vec"};
inline constexpr std::array<std::string_view, 3> kMissingRows = {"zeros", "random", "mean"};
inline constexpr std::array<std::string_view, 5> kOptimizers = {"sgd", "adam", "lazy_adam",
                                                                "rmsprop", "adagrad"};
inline constexpr std::array<std::string_view, 3> kSchedules = {"constant", "step", "cosine"};
inline constexpr std::array<std::string_view, 8> kMetrics = {
    "accuracy",         "auc",         "f1",         "precision", "recall",
    "triplet_accuracy", "recall_at_1", "recall_at_5"};
// What `monitor: metric:` may name: the losses, kMetrics, and each on the validation split.
inline constexpr std::array<std::string_view, 18> kMonitoredValues = {"loss",
                                                                      "val_loss",
                                                                      "accuracy",
                                                                      "val_accuracy",
                                                                      "auc",
                                                                      "val_auc",
                                                                      "f1",
                                                                      "val_f1",
                                                                      "precision",
                                                                      "val_precision",
                                                                      "recall",
                                                                      "val_recall",
                                                                      "triplet_accuracy",
                                                                      "val_triplet_accuracy",
                                                                      "recall_at_1",
                                                                      "val_recall_at_1",
                                                                      "recall_at_5",
                                                                      "val_recall_at_5"};
inline constexpr std::array<std::string_view, 3> kMonitorModes = {"auto", "min", "max"};
inline constexpr std::array<std::string_view, 2> kKeptWeights = {"best", "last"};
inline constexpr std::array<std::string_view, 8> kLossOps = {
    "binary_crossentropy",        "triplet_margin",     "contrastive",
    "batch_all_triplet",          "batch_hard_triplet", "semi_hard_triplet",
    "multiple_negatives_ranking", "expression"};
inline constexpr std::array kTripletDistances = {
    TripletDistance::kSquaredEuclidean, TripletDistance::kEuclidean, TripletDistance::kCosine};
inline constexpr std::array kInitializers = {
    Init::kZeros,  Init::kOnes,          Init::kConstant,   Init::kUniform,
    Init::kNormal, Init::kGlorotUniform, Init::kOrthogonal, Init::kLstmBias};

// The initializer keys a layer of op may have, and the parameter kind each sets.
struct InitializerKey {
  std::string_view key;
  std::string_view kind;
};
std::span<const InitializerKey> initializer_keys(std::string_view op);

// An initializer named without arguments: Keras's defaults for them.
Initializer default_initializer(Init kind);
bool has_arguments(Init kind);

// An optimizer's defaults (Keras's): sgd starts at lr 0.01, the others at 0.001.
OptimizerSpec default_optimizer(std::string_view name);

// The struct inside `attrs`, created with `defaults` when `attrs` is empty.
template <class T>
T& attrs_of(std::any& attrs, T defaults = T{}) {
  if (!attrs.has_value()) attrs = defaults;
  T* a = std::any_cast<T>(&attrs);
  if (a == nullptr) throw std::invalid_argument("a spec's attrs do not match its op");
  return *a;
}

template <class V>
void fields(V& v, SubwordAttrs& s) {
  v.integer("min_n", s.min_n, Need::kOptional, 1);
  v.integer("max_n", s.max_n, Need::kOptional, 1);
  v.integer("buckets", s.buckets, Need::kOptional, 1);
}

template <class V>
void fields(V& v, EmbeddingAttrs& a) {
  v.integer("vocab", a.vocab, Need::kRequired, 1);
  v.integer("dim", a.dim, Need::kRequired, 1);
  v.flag("mask_zero", a.mask_zero);
  v.optional_nested("subwords", a.subwords);
}

template <class V>
void fields(V& v, DenseAttrs& a) {
  v.integer("units", a.units, Need::kRequired, 1);
  v.choice("activation", a.activation, kActivations);
  v.flag("use_bias", a.use_bias);
}

template <class V>
void fields(V& v, LstmAttrs& a) {
  v.integer("units", a.units, Need::kRequired, 1);
  v.flag("return_sequences", a.return_sequences);
  v.flag("go_backwards", a.go_backwards);
  v.real("dropout", a.dropout, Range::unit_open());
  v.real("recurrent_dropout", a.recurrent_dropout, Range::unit_open());
}

template <class V>
void fields(V& v, BidirectionalAttrs& a) {
  v.nested("layer", a.layer, "LSTM");
  v.choice("merge", a.merge, kMergeModes);
}

template <class V>
void fields(V& v, SliceSpec& s) {
  v.axis("axis", s.axis);
  switch (v.either(s.by_part(), {"begin", "end"}, {"part", "of"})) {
    case Branch::kFirst:
      v.integer("begin", s.begin, Need::kRequired, 0);
      v.integer("end", s.end, Need::kRequired, 1);
      v.ordered("begin", s.begin, "end", s.end);
      break;
    case Branch::kSecond:
      v.integer("part", s.part, Need::kRequired, 0);
      v.integer("of", s.of, Need::kRequired, 1);
      v.ordered("part", s.part, "of", s.of);
      break;
    case Branch::kNeither:
      break;
  }
}

template <class V>
void fields(V& v, ConcatenateAttrs& a) {
  v.axis("axis", a.axis);
}

template <class V>
void fields(V& v, ReduceAttrs& a) {
  v.axis("axis", a.axis);
  v.flag("keepdims", a.keepdims);
}

template <class V>
void fields(V& v, NormAttrs& a) {
  v.axis("axis", a.axis);
  v.flag("keepdims", a.keepdims);
}

template <class V>
void fields(V& v, CosineAttrs& a) {
  v.axis("axis", a.axis);
  v.flag("keepdims", a.keepdims);
}

template <class V>
void fields(V&, NoAttrs&) {}

template <class V>
void fields(V& v, PretrainedSpec& p) {
  v.text("file", p.file, Need::kRequired);
  v.choice("format", p.format, kVectorFormats);
  v.choice("missing", p.missing, kMissingRows);
}

// An initializer's arguments; its name is read first, since it decides which they are.
template <class V>
void fields(V& v, Initializer& init) {
  switch (init.kind) {
    case Init::kConstant:
      v.real("value", init.a, Range::any());
      break;
    case Init::kUniform:
      v.real("minval", init.a, Range::any());
      v.real("maxval", init.b, Range::any());
      v.ordered("minval", init.a, "maxval", init.b);
      break;
    case Init::kNormal:
      v.real("mean", init.a, Range::any());
      v.real("stddev", init.b, Range::above(0.0));
      break;
    default:
      break;
  }
}

// Calls f with the attribute struct of op inside attrs (created with the op's defaults when
// empty). False when op is not a layer kind.
template <class F>
bool with_attrs(std::string_view op, std::any& attrs, F&& f) {
  if (op == "Embedding")
    f(attrs_of<EmbeddingAttrs>(attrs));
  else if (op == "Dense")
    f(attrs_of<DenseAttrs>(attrs));
  else if (op == "LSTM")
    f(attrs_of<LstmAttrs>(attrs));
  else if (op == "Bidirectional")
    f(attrs_of<BidirectionalAttrs>(attrs));
  else if (op == "Slice")
    f(attrs_of<SliceSpec>(attrs));
  else if (op == "Concatenate")
    f(attrs_of<ConcatenateAttrs>(attrs));
  else if (op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax")
    f(attrs_of<ReduceAttrs>(attrs));
  else if (op == "Dot")
    f(attrs_of<ReduceAttrs>(attrs, ReduceAttrs{.axis = -1, .keepdims = true}));
  else if (op == "L2Norm")
    f(attrs_of<NormAttrs>(attrs));
  else if (op == "Cosine")
    f(attrs_of<CosineAttrs>(attrs));
  else if (find_layer_kind(op) != nullptr)
    f(attrs_of<NoAttrs>(attrs));
  else
    return false;
  return true;
}

// Everything a layer may hold besides `op:` (which is read first: it decides the rest).
template <class V>
void layer_fields(V& v, LayerSpec& l) {
  with_attrs(l.op, l.attrs, [&v](auto& attrs) { fields(v, attrs); });
  if (l.op == "Lambda") {
    v.names("args", l.args, nullptr, NamesRule{Need::kRequired, 0, true, {}});
    v.expressions("expr", l.exprs, l.expr_locs);
  } else if (l.op == "Sequential") {
    v.names("layers", l.layers, &l.layer_locs,
            NamesRule{Need::kRequired, 1, false,
                      "layers are referenced by name: declare each under layers: and list its "
                      "name here"});
  }
  for (const InitializerKey& k : initializer_keys(l.op))
    v.initializer(k.key, k.kind, l.initializers);
  if (l.op == "Embedding") v.optional_nested("pretrained", l.pretrained);
  v.flag("trainable", l.trainable);
}

// A loss's keys besides `op:`.
template <class V>
void loss_fields(V& v, LossSpec& l) {
  if (l.op == "binary_crossentropy") {
    v.role("pred", l.inputs);
    v.role("target", l.inputs);
    v.flag("from_logits", attrs_of<BinaryCrossentropyAttrs>(l.attrs).from_logits);
  } else if (l.op == "triplet_margin") {
    v.role("pred", l.inputs);
    v.real("alpha", attrs_of<TripletMarginAttrs>(l.attrs).alpha, Range::at_least(0.0));
  } else if (l.op == "contrastive") {
    v.role("distance", l.inputs);
    v.role("target", l.inputs);
    v.real("margin", attrs_of<ContrastiveAttrs>(l.attrs).margin, Range::above(0.0));
  } else if (l.op == "batch_all_triplet" || l.op == "semi_hard_triplet") {
    v.role("pred", l.inputs);
    BatchTripletAttrs& a = attrs_of<BatchTripletAttrs>(l.attrs);
    v.real("margin", a.margin, Range::at_least(0.0));
    v.choice("distance", a.distance, kTripletDistances);
  } else if (l.op == "batch_hard_triplet") {
    v.role("pred", l.inputs);
    BatchHardTripletAttrs& a = attrs_of<BatchHardTripletAttrs>(l.attrs);
    v.real("margin", a.margin, Range::at_least(0.0));
    v.choice("distance", a.distance, kTripletDistances);
    v.flag("soft", a.soft);
  } else if (l.op == "multiple_negatives_ranking") {
    v.role("pred", l.inputs);
    v.real("scale", attrs_of<MultipleNegativesRankingAttrs>(l.attrs).scale, Range::above(0.0));
  } else if (l.op == "expression") {
    attrs_of<NoAttrs>(l.attrs);
    v.expression("expr", l.expr, l.expr_loc);
  }
}

// A schedule's options; its name, read first, decides which exist.
template <class V>
void fields(V& v, ScheduleSpec& s) {
  v.choice("name", s.name, kSchedules);
  v.integer("warmup_steps", s.warmup_steps, Need::kOptional, 0);
  if (s.name == "step") {
    v.integer("every_epochs", s.every_epochs, Need::kOptional, 1);
    v.real("factor", s.factor, Range{0.0, 1.0, true, false});  // (0, 1]
  } else if (s.name == "cosine") {
    v.real("min_lr_fraction", s.min_lr_fraction, Range{0.0, 1.0, false, false});
  }
}

// An optimizer's options besides `name:` (read first: it decides which options exist).
template <class V>
void fields(V& v, OptimizerSpec& o) {
  v.real("lr", o.lr, Range::above(0.0));
  if (o.name == "sgd") {
    v.real("momentum", o.momentum, Range::unit_closed());  // runtime/optim/optimizer.cc's range
    v.flag("nesterov", o.nesterov);
  } else if (o.name == "adam" || o.name == "lazy_adam") {
    v.real("beta_1", o.beta_1, Range::unit_open());
    v.real("beta_2", o.beta_2, Range::unit_open());
    v.real("epsilon", o.epsilon, Range::above(0.0));
  } else if (o.name == "rmsprop") {
    v.real("rho", o.rho, Range::unit_open());
    v.real("momentum", o.momentum, Range::unit_closed());
    v.real("epsilon", o.epsilon, Range::above(0.0));
    v.flag("centered", o.centered);
  } else if (o.name == "adagrad") {
    v.real("initial_accumulator_value", o.initial_accumulator_value, Range::at_least(0.0));
    v.real("epsilon", o.epsilon, Range::above(0.0));
  }
  v.real("clipnorm", o.clipnorm, Range::at_least(0.0));
  v.real("clipvalue", o.clipvalue, Range::at_least(0.0));
  v.real("global_clipnorm", o.global_clipnorm, Range::at_least(0.0));
  v.optional_nested("schedule", o.schedule);
}

template <class V>
void fields(V& v, MonitorSpec& m) {
  v.choice("metric", m.metric, kMonitoredValues);
  v.choice("mode", m.mode, kMonitorModes);
}

template <class V>
void fields(V& v, TrainSpec& t) {
  v.optimizer("optimizer", t.optimizer);
  v.integer("batch_size", t.batch_size, Need::kOptional, 1);
  v.integer("epochs", t.epochs, Need::kOptional, 1);
  v.choices("metrics", t.metrics, kMetrics);
  v.text("data", t.data, Need::kOptional);
  v.text("val", t.val, Need::kOptional);
  v.text("test", t.test, Need::kOptional);
  v.integer("patience", t.patience, Need::kOptional, 0);
  v.optional_nested("monitor", t.monitor);
  v.choice("keep", t.keep, kKeptWeights);
  v.integer("seed", t.seed, Need::kOptional, 0);
  v.flag("shuffle", t.shuffle);
  v.flag("stack_shared", t.stack_shared);
}

template <class V>
void fields(V& v, InputSpec& in) {
  v.shape("shape", in.shape);
  v.dtype("dtype", in.dtype);
}

}  // namespace twinflow::graph

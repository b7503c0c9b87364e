// graph/spec/ (twinflow_graph_spec): where a YAML file becomes a ModelSpec.
// Owns the spec structs, the key list of every layer op, the parser and the writer.
// May include: graph/yaml, graph/ir.
//
// graph/spec/spec.h — a model spec as typed data: what a YAML file under models/ declares.
//
// Reading goes in two steps, each reporting every error it finds in one pass:
//   parse_spec  (graph/spec/parse.cc)   YAML text -> ModelSpec: keys, types, ranges, tags
//   build_model (graph/model/model.h)   ModelSpec -> Graph: names, cycles, shapes, sharing
// and emit_spec (graph/spec/emit.cc) writes a ModelSpec back as YAML with every default
// filled in; parsing that text again gives an equal ModelSpec (`twinflow check
// --print-defaults`). The format itself is documented in docs/spec.md.
#pragma once

#include <any>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/ir/attrs.h"
#include "graph/ir/diagnostics.h"
#include "graph/ir/op_schema.h"
#include "graph/ir/shape.h"

namespace twinflow::graph {

struct InputSpec {
  std::string name;
  Shape shape;  // without the batch axis, which is implicit
  DType dtype = DType::kReal;
  SourceLoc loc;  // of the name
};

// Where an Embedding's starting table comes from when it is read from a vectors file.
struct PretrainedSpec {
  std::string file;                // as written; relative paths are relative to the spec file
  std::string format = "glove";    // glove | word2vec (both text formats)
  std::string missing = "random";  // words not in the file: zeros | random | mean
  SourceLoc loc;
};

// A Slice as written: a [begin, end) range, or the part-th (from 0) of `of` equal parts. Parts
// are resolved to a range against the input's shape when the graph is built.
struct SliceSpec {
  int axis = -1;
  int64_t begin = 0;
  int64_t end = 0;
  int64_t part = 0;
  int64_t of = 0;  // 0: a range
  bool by_part() const { return of > 0; }
};

struct LayerSpec {
  std::string name;
  std::string op;  // a registered op name, or Lambda, or Sequential
  // The op's attribute struct from graph/ir/attrs.h (DenseAttrs, ...; a Slice holds a SliceSpec);
  // NoAttrs for ops without attributes, Lambda and Sequential.
  std::any attrs;
  bool trainable = true;
  // Per parameter kind ("kernel", "recurrent_kernel", "bias", "embeddings"): an initializer
  // given in the spec (`kernel_initializer:`); a kind absent here keeps the op's default.
  std::vector<std::pair<std::string, Initializer>> initializers;
  std::optional<PretrainedSpec> pretrained;  // Embedding only

  // Lambda: argument names and one expression per output (usually one).
  std::vector<std::string> args;
  std::vector<std::string> exprs;
  std::vector<SourceLoc> expr_locs;  // where each expression's first character is

  // Sequential: the names of the layers it applies, in order, and where each is written.
  std::vector<std::string> layers;
  std::vector<SourceLoc> layer_locs;

  SourceLoc loc;     // of the name
  SourceLoc op_loc;  // of the op's value
};

// One entry of `graph:`: "x1: bilstm(emb(left))", or "ap, an: distance(a, p, n)" for a
// layer with several outputs.
struct DefSpec {
  std::vector<std::string> names;
  std::string text;    // the expression
  SourceLoc loc;       // of the key
  SourceLoc text_loc;  // of the expression's first character
};

// A name written in the spec together with where it was written.
struct NameRef {
  std::string name;
  SourceLoc loc;
};

struct LossSpec {
  // binary_crossentropy | triplet_margin | contrastive | batch_all_triplet |
  // batch_hard_triplet | semi_hard_triplet | multiple_negatives_ranking | expression
  std::string op;
  // The graph values the loss reads, by role: pred, target (binary_crossentropy);
  // pred (triplet_margin and the in-batch mining losses); distance, target (contrastive).
  // Empty for an expression.
  std::vector<std::pair<std::string, NameRef>> inputs;
  std::any attrs;    // the op's struct in graph/ir/attrs.h (TripletMarginAttrs, ...)
  std::string expr;  // expression: its free names are graph values and inputs
  SourceLoc expr_loc;
  SourceLoc loc;
};

// A learning-rate schedule (runtime/optim/lr_schedule.h). Periods are in epochs, which the trainer
// turns into updates once it knows the number of batches.
struct ScheduleSpec {
  std::string name = "constant";  // constant | step | cosine
  int64_t warmup_steps = 0;       // updates ramping linearly up to the base rate
  int64_t every_epochs = 1;       // step: the decay period
  double factor = 0.1;            // step: what the rate is multiplied by each period
  double min_lr_fraction = 0.0;   // cosine: the floor reached at the end of training
  SourceLoc loc;
};

struct OptimizerSpec {
  std::string name = "adam";  // sgd | adam | lazy_adam | rmsprop | adagrad
  double lr = 1e-3;
  double momentum = 0.0;                   // sgd, rmsprop
  bool nesterov = false;                   // sgd
  double beta_1 = 0.9;                     // adam, lazy_adam
  double beta_2 = 0.999;                   // adam, lazy_adam
  double rho = 0.9;                        // rmsprop
  double initial_accumulator_value = 0.1;  // adagrad
  double epsilon = 1e-7;                   // adam, lazy_adam, rmsprop, adagrad
  double clipnorm = 0.0;                   // 0: off
  double clipvalue = 0.0;                  // 0: off
  double global_clipnorm = 0.0;            // 0: off; the norm of all gradients together
  bool centered = false;                   // rmsprop: divide by the gradient's variance
  std::optional<ScheduleSpec> schedule;    // none: a constant rate
};

// Which value of an epoch's log line picks the best epoch and stops a run early.
struct MonitorSpec {
  // loss, val_loss, a metric of `metrics:` (the training pass's value) or val_ and one (the
  // validation split's)
  std::string metric = "val_loss";
  std::string mode = "auto";  // min | max | auto: min for a loss, max for the other metrics
  SourceLoc loc;
};

struct TrainSpec {
  OptimizerSpec optimizer;
  int64_t batch_size = 64;
  int64_t epochs = 5;
  std::vector<std::string> metrics;
  // Data files as written ("" when absent); relative paths are relative to the spec file.
  std::string data;
  std::string val;
  std::string test;
  int64_t patience = 0;  // epochs without a better monitored value before stopping; 0: off
  std::optional<MonitorSpec> monitor;  // none: val_loss, lower is better
  std::string keep = "best";           // best | last: the weights a run ends with
  int64_t seed = 1;                    // parameters, shuffling and dropout
  bool shuffle = true;                 // a new order of the training rows every epoch
  // Run a shared layer once on its applications' stacked batches (graph/ir/stacking.h).
  bool stack_shared = false;
};

struct ModelSpec {
  std::string file;  // the path it was read from ("" when built in code)
  std::string name;  // `model:`
  std::vector<InputSpec> inputs;
  std::vector<LayerSpec> layers;
  std::vector<DefSpec> defs;
  std::vector<NameRef> outputs;
  std::optional<LossSpec> loss;
  // How `similar` and `eval --retrieval` compare the vectors of a model without a loss (a
  // tower of its own, as `twinflow export` writes it); cosine when absent. A model with a
  // loss compares them as its loss does, so it may not have one.
  std::optional<TripletDistance> distance;
  SourceLoc distance_loc;
  TrainSpec train;

  const LayerSpec* find_layer(std::string_view name) const;
};

// Reads a spec from a file or from text (`file` then only names it in messages). Returns
// nothing when any error was found; diags holds every error and warning, each with its
// file:line:column. Never throws on bad input.
std::optional<ModelSpec> parse_spec_file(const std::string& path, Diagnostics& diags);
std::optional<ModelSpec> parse_spec(std::string_view text, const std::string& file,
                                    Diagnostics& diags);

// The spec as YAML with every default written out.
std::string emit_spec(const ModelSpec& spec);

}  // namespace twinflow::graph

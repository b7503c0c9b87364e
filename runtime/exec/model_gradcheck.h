// runtime/exec/model_gradcheck.h — checks a whole model's gradient, every trainable parameter, by
// central finite differences in float64 (what `twinflow gradcheck` and the model tests run).
//
// The model gets a small random batch: token ids drawn from [1, vocab) with post-padding of
// random length (the first sample full, so every step is exercised), real inputs from
// U(0, 1) (valid as binary targets too). The objective is the loss when the model has one,
// else its first output under a random cotangent.
#pragma once

#include <cstdint>

#include "autograd/gradcheck.h"
#include "graph/model/model.h"

namespace twinflow::runtime {

struct ModelGradCheckOptions {
  int64_t batch = 2;
  uint64_t seed = 20261130;           // the parameters, the batch and dy
  bool training = false;              // with dropout (the same masks on every probe)
  int64_t max_probes_per_tensor = 0;  // 0: every element
  double tolerance = 1e-6;
};

// Makes a spec quick to check while keeping every code path: each token-id input gets `seqlen`
// steps and each Embedding a `vocab`-row table, without its pretrained file (0 keeps what the
// spec declares). Layer widths stay as declared, since a gradient bug can depend on them.
void shrink_for_gradcheck(graph::ModelSpec& spec, int64_t seqlen, int64_t vocab);

// Throws graph::RuntimeInputError when the model has an id input that reaches no Embedding,
// since no vocabulary bounds its ids.
autograd::GradCheckReport check_model_gradients(const graph::Model& model,
                                                const ModelGradCheckOptions& options);

}  // namespace twinflow::runtime

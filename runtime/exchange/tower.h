// runtime/exchange/ (twinflow_runtime_exchange): trained models in other people's formats.
// Owns the tower of a model as a model of its own, ONNX export, and Keras HDF5 and PyTorch-named
// weights both ways.
// May include: runtime/saved, runtime/text, runtime/io, runtime/exec and below.
//
// runtime/exchange/tower.h — the tower of a trained Siamese or triplet model as a spec of its own.
//
// A tower is the part of a model that maps one text input to its vector: what `embed` returns
// and what a corpus is indexed with. It is named by
//   - a text input ("left", "anchor"): that input's tower as `embed` finds it
//     (runtime/saved/model_roles.h: the last [B, D] value computed from it alone);
//   - a graph value computed from one text input alone, of shape [B, D] ("x1", "anchor_vec");
//   - nothing: the first text input's, the one `embed` uses.
// The tower spec keeps the input, the layers and the graph definitions the vector needs, under
// their own names (so parameter names stay the same: emb.embeddings, bilstm.forward.kernel).
// When the vector is made inside a call that also reads other inputs (the sums over time inside
// the cosine Siamese network's similarity Lambda), that part becomes a Lambda of its own,
// "<lambda>_<input>", whose expression computes the same ops (runtime/exchange/lambda_text.h),
// defining "<input>_vec". The spec has no loss; its `distance:` is the loss's distance for a
// triplet model and cosine for a pair model, whose own score needs both texts. It keeps the
// training section (batch_size, seed) without data files.
#pragma once

#include <string>
#include <string_view>

#include "graph/model/model.h"

namespace twinflow::runtime {

struct TowerSpec {
  std::string input;      // the text input it reads
  std::string output;     // the graph value that is its vector
  graph::ModelSpec spec;  // one input, one output [B, D], no loss
};

// Throws graph::RuntimeInputError for a name that is no tower, listing the ones there are, and
// for a tower that runs through something a spec of one input cannot say.
TowerSpec tower_spec(const graph::Model& model, std::string_view name);

}  // namespace twinflow::runtime

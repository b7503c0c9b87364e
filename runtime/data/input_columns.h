// runtime/data/input_columns.h — the data columns a model reads: one per input, named as it.
//
//   int32 input [T]                                   text, tokenized and padded/cut to T ids
//   real input [1], the loss's target                 label, 0 or 1 (binary_crossentropy and
//                                                     contrastive compare it with a probability
//                                                     or a same/different flag)
//   any other real input [1]                          real number
// No other input can come from one TSV field; such an input is an error naming it.
#pragma once

#include <vector>

#include "graph/spec/spec.h"
#include "runtime/data/dataset.h"

namespace twinflow::runtime {

// In the order the spec declares its inputs. Throws graph::RuntimeInputError.
std::vector<ColumnSpec> input_columns(const graph::ModelSpec& spec);

}  // namespace twinflow::runtime

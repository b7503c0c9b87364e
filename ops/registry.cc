#include "ops/registry.h"

#include <mutex>

#include "graph/ir/op_schema.h"
#include "ops/bidirectional.h"
#include "ops/binary.h"
#include "ops/concatenate.h"
#include "ops/dense.h"
#include "ops/distance.h"
#include "ops/elementwise.h"
#include "ops/embedding.h"
#include "ops/losses.h"
#include "ops/lstm.h"
#include "ops/mining_losses.h"
#include "ops/op_def.h"
#include "ops/pooling.h"
#include "ops/reduce.h"
#include "ops/reverse_sequence.h"
#include "ops/slice.h"

namespace twinflow::ops {

void register_builtin_ops() {
  static std::once_flag once;
  std::call_once(once, [] {
    graph::OpRegistry& r = graph::op_registry();
    // layers
    r.add(op_def<Dense>());
    r.add(op_def<Embedding>());
    r.add(op_def<LSTM>());
    r.add(op_def<Bidirectional>());
    r.add(op_def<ReverseSequence>());
    // elementwise math, reductions and distances (the primitives of Lambda expressions)
    r.add(op_def<Neg>());
    r.add(op_def<Exp>());
    r.add(op_def<Log>());
    r.add(op_def<Sqrt>());
    r.add(op_def<Square>());
    r.add(op_def<Abs>());
    r.add(op_def<Tanh>());
    r.add(op_def<Sigmoid>());
    r.add(op_def<Relu>());
    r.add(op_def<Add>());
    r.add(op_def<Sub>());
    r.add(op_def<Mul>());
    r.add(op_def<Div>());
    r.add(op_def<Maximum>());
    r.add(op_def<Minimum>());
    r.add(op_def<ReduceSum>());
    r.add(op_def<ReduceMean>());
    r.add(op_def<ReduceMax>());
    r.add(op_def<GlobalAveragePooling1D>());
    r.add(op_def<GlobalMaxPooling1D>());
    r.add(op_def<Dot>());
    r.add(op_def<L2Norm>());
    r.add(op_def<Cosine>());
    // structure
    r.add(op_def<Slice>());
    r.add(op_def<Concatenate>());
    // losses
    r.add(op_def<BinaryCrossentropy>());
    r.add(op_def<TripletMargin>());
    r.add(op_def<Contrastive>());
    r.add(op_def<BatchAllTriplet>());
    r.add(op_def<BatchHardTriplet>());
    r.add(op_def<SemiHardTriplet>());
    r.add(op_def<MultipleNegativesRanking>());
  });
}

}  // namespace twinflow::ops

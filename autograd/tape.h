// autograd/tape.h — runs a graph forward and its reverse pass.
//
// The tape owns the values and gradients of node outputs; graph inputs and parameters are
// bound from outside (the parameter store, a batch, a test), so that their gradients can
// outlive one pass and accumulate over micro-batches.
//
// backward(output, dy) visits nodes in reverse insertion (= topological) order and calls
// each VJP once. A node runs only if its output was reached from `output` and some input
// leads to a bound gradient: nodes that lead to no wanted gradient are never walked.
// Kernels add into gradient buffers, so a value read by several nodes — a shared layer's
// parameters above all — receives the sum of its consumers' contributions. Intermediate
// gradients are zeroed at the start of every backward; bound gradients are not: zeroing
// them is the caller's explicit choice (ParameterStore::zero_grad).
//
// Given a stacking plan (graph/ir/stacking.h), the tape runs each group of a shared layer's
// applications as one kernel call on their inputs stacked along axis 0, forward and backward,
// and cuts the result back into the members' own values and gradients; a member whose output
// feeds the next group in the same order hands over its stacked block without being copied
// in again. Members whose inputs differ in shape at run time run one by one.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "graph/ir/graph.h"
#include "graph/ir/stacking.h"
#include "ops/op_def.h"
#include "ops/tensor.h"

namespace twinflow::autograd {

using graph::ValueId;
using ops::IdTensor;
using ops::Tensor;

template <typename T>
class Tape {
 public:
  explicit Tape(const graph::Graph& graph);
  Tape(const graph::Graph& graph, graph::StackingPlan plan);

  // Binds a real graph input or a parameter (not copied: it must outlive the tape's use).
  void bind(ValueId v, const Tensor<T>* t);
  void bind_ids(ValueId v, const IdTensor* ids);
  // Where the gradient of an input or parameter accumulates; null unbinds.
  void bind_grad(ValueId v, Tensor<T>* g);

  // Runs every node. Dropout masks come from `seed`, each node's own stream and, per batch
  // row, row_keys[b] (b when empty): the same seed and keys give the same masks
  // (ops/row_random.h).
  void forward(bool training, uint64_t seed, std::span<const uint64_t> row_keys = {});

  // Called with each bound gradient as soon as backward has added all it will into it (the
  // VJP of its last consumer has run), so that a caller can send it while backward goes on.
  using GradientDone = std::function<void(ValueId)>;

  // Adds d(Σ dy ⊙ output)/dv into every bound gradient; `done` hears of each (see above).
  void backward(ValueId output, const Tensor<T>& dy, const GradientDone& done = {});
  // For a scalar loss: adds scale · dloss/dv.
  void backward(ValueId loss, T scale = T(1), const GradientDone& done = {});
  // The order in which backward(output, ...) completes the bound gradients: those it does not
  // reach first, then by their last consumer from the graph's end. It depends on the graph
  // and the bindings only, never on the data, so every process of a run sees the same order.
  std::vector<ValueId> gradient_order(ValueId output) const;

  const Tensor<T>& value(ValueId v) const;
  const IdTensor& ids(ValueId v) const;
  // The gradient of any value after backward (intermediate ones included); null if none.
  const Tensor<T>* grad(ValueId v) const { return grads_[static_cast<size_t>(v)]; }

  // Hash of the branch every non-smooth node took in the last forward.
  uint64_t kink_signature() const;

  const graph::Graph& graph() const { return graph_; }

 private:
  // A group's buffers: the stacked inputs, output and gradients of its one call.
  struct Stacked {
    std::vector<Tensor<T>> reals;  // per data input: the members' values, stacked
    std::vector<IdTensor> ids;     // per data input of int32 dtype
    std::vector<ops::In<T>> in;    // what the call read: data inputs, then parameters
    std::vector<graph::ValueInfo> inferred_from;
    Tensor<T> y, dy;
    std::vector<Tensor<T>> dx;  // per data input
    std::vector<uint64_t> seeds;
    int64_t rows = 0;     // one member's batch
    bool active = false;  // the last forward ran the group as one call
  };

  ops::In<T> view(ValueId v) const;
  // Sizes `out` by node's shape rule on info_scratch_, unless `seen` holds the same inputs.
  void size_output(const graph::Node& node, std::vector<graph::ValueInfo>& seen, Tensor<T>& out);
  // Runs node's kernel on `in` into `out`, naming the node in a bad-data error.
  void call_forward(const graph::Node& node, ops::Context<T>& ctx, ops::Args<T> in, Tensor<T>& out);
  ops::RowSeeds group_random(size_t k) const;  // each member's rows draw as that member would
  void run_node(size_t n);
  void run_group(size_t k);
  bool stackable_now(size_t k);
  const Tensor<T>* chained_input(size_t k, size_t i) const;
  void stack_input(size_t k, size_t i);
  bool runs_backward(size_t n) const;
  void backward_node(size_t n);
  void backward_group(size_t k);
  template <typename F>
  void for_each_node(const graph::RunStep& step, F&& f) const;
  void mark_paths(ValueId output, std::vector<bool>& leads, std::vector<bool>& reached) const;
  static constexpr int64_t kNoWriter = -1, kAnnounced = -2;
  void last_writers(const std::vector<bool>& leads, const std::vector<bool>& reached,
                    std::vector<int64_t>& writer) const;
  void announce_unwritten(std::vector<int64_t>& writer, const GradientDone& done) const;
  void announce_written(size_t step, std::vector<int64_t>& writer, const GradientDone& done) const;
  void infer_runtime_shape(graph::NodeId n);
  // Node n's randomness: its own stream of the pass's seed, and the rows' keys.
  ops::RowSeeds node_random(size_t n) const {
    return {ops::mix64(seed_, static_cast<uint64_t>(n)), row_keys_, {}, 0};
  }

  const graph::Graph& graph_;
  std::vector<graph::RunStep> schedule_;
  std::vector<graph::StackGroup> groups_;
  std::vector<Stacked> stacked_;
  // Per value: the group and member whose output it is, for a group to read its input
  // straight from the group before it; {-1, -1} for any other value.
  std::vector<std::pair<int, int>> block_of_;
  std::vector<const Tensor<T>*> reals_;
  std::vector<const IdTensor*> ids_;
  std::vector<Tensor<T>*> grads_;
  std::vector<bool> grad_bound_;
  std::vector<Tensor<T>> owned_;
  std::vector<Tensor<T>> owned_grads_;
  std::vector<ops::Saved<T>> saved_;
  std::vector<ops::In<T>> in_scratch_;
  std::vector<ops::Out<T>> grad_scratch_;
  std::vector<graph::ValueInfo> info_scratch_;
  // Per node, the inputs its output shape was last inferred from: a batch of the same shapes
  // reuses the shape, and shape rules (which may build vectors) run once per batch shape.
  std::vector<std::vector<graph::ValueInfo>> inferred_from_;
  Tensor<T> loss_seed_;  // d(loss)/d(loss) · scale, kept so that backward allocates nothing
  std::vector<ValueId> inputs_;       // the graph's inputs, checked against bound data each forward
  std::vector<bool> leads_;           // backward: the value leads to a bound gradient
  std::vector<bool> reached_;         // backward: the value is reached from the output
  std::vector<int64_t> last_writer_;  // backward: the step completing a bound gradient
  uint64_t seed_ = 0;
  std::vector<uint64_t> row_keys_;
  bool training_ = false;
};

extern template class Tape<float>;
extern template class Tape<double>;

}  // namespace twinflow::autograd

// graph/ir/stacking.h — shared-branch batching: which applications of one layer run as a single
// kernel call on their batches stacked along axis 0, and the order the graph then runs in.
//
// A Siamese network applies its tower to `left` and to `right`: two Embedding calls on [B, T]
// ids and two LSTM calls on [B, T, E]. Stacked, each layer runs once on [2B, ...] and its
// output is cut back into the two [B, ...] values, so every node outside the group sees the
// values (and gradients) it would have seen without stacking.
//
// Applications of a layer are stacked when
//   - the layer's op works row by row (OpSchema::rows_independent): a row's output cannot
//     depend on another row of the stacked batch;
//   - their data inputs have the same shapes and dtypes, of rank ≥ 1;
//   - none of them reads, through any path, the output of another;
//   - the groups can be put in one order with every other node (two groups that each wait
//     on the other through the rest of the graph are left unstacked).
// Stacking never changes what is computed: the tape (autograd/tape.h) gives each member's
// block of rows the dropout masks that member would draw alone.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "graph/ir/graph.h"

namespace twinflow::graph {

// Applications of one layer that run as one call; member k's rows are the k-th block.
struct StackGroup {
  LayerId layer = -1;
  std::vector<NodeId> nodes;  // in graph order
};

// One step of a run: a node alone, or a whole group.
struct RunStep {
  NodeId node = -1;  // when group < 0
  int group = -1;
};

// Why an application of a shared layer runs on its own.
struct UnstackedUse {
  NodeId node = -1;
  std::string reason;
};

struct StackingPlan {
  std::vector<StackGroup> groups;
  std::vector<RunStep> schedule;  // every node exactly once, each after all it reads
  // Per layer applied more than once: its groups (indices into `groups`) and the rest.
  struct LayerNote {
    LayerId layer = -1;
    std::vector<int> groups;
    std::vector<UnstackedUse> unstacked;
  };
  std::vector<LayerNote> notes;
};

// Every node alone, in graph order.
StackingPlan unstacked_plan(const Graph& g);
// The groups described above.
StackingPlan plan_stacking(const Graph& g);

// For `twinflow check`: a line per group ("  emb (Embedding): x1.emb + x2.emb as one call")
// and per application left on its own, with the reason.
std::string stacking_report(const Graph& g, const StackingPlan& plan);

}  // namespace twinflow::graph

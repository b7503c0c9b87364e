// tools/viz/drawing.h — a model as a picture, before any Graphviz: nodes, edges, boxed
// clusters and a legend, all plain data, so what is drawn can be tested without rendering.
//
// Node ids are the DOT ids ("in:left", "op:x1", "cmp:pred.similarity", "param:emb",
// "grad:op:x1", "sum:x1.emb"); the HTML viewer keys its details by them. Nodes and edges keep
// the order they were made in (the graph's build order), so the DOT text is reproducible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/graph.h"

namespace twinflow::viz {

enum class NodeKind {
  kInput,      // a graph input
  kOutput,     // one of the model's outputs
  kOp,         // a primitive node
  kComposite,  // a collapsed Lambda, Sequential, expression loss or Bidirectional
  kParams,     // a layer's parameters (--group, --backward)
  kSum,        // where gradients meet (--backward)
  kGradient,   // the VJP of a forward node (--backward)
  kSeed,       // d loss / d loss = 1 (--backward)
};

enum class EdgeKind {
  kData,        // a value flowing forward
  kMask,        // token ids read as a padding mask
  kParam,       // a layer's parameters read by one application (--group)
  kGradient,    // a gradient flowing back
  kNoGradient,  // a frozen layer's use: nothing flows back
};

struct Attr {
  std::string key{};
  std::string value{};
};

struct DrawNode {
  std::string id{};
  NodeKind kind = NodeKind::kOp;
  std::string name{};  // "x1", "pred.similarity", "emb"
  std::string op{};    // "Bidirectional", "Lambda", "Sequential"
  std::vector<Attr> attrs{};
  std::string cluster{};  // id of the enclosing cluster, "" at top level
  std::string layer{};    // the layer it applies, "" for a primitive without one
  int shared = 0;         // uses of `layer` when more than one, else 0
  int64_t params = 0;     // parameters of `layer`
  // Layers whose parameters this node reads (a Sequential reads all of its layers').
  std::vector<std::string> param_layers{};
  bool is_loss = false;
  bool frozen = false;    // kParams: trainable: false
  std::string fill{};     // fill colour, "" for the kind's default
  std::string tooltip{};  // extra lines for the tooltip (statistics)
};

struct DrawEdge {
  std::string from{};
  std::string to{};
  EdgeKind kind = EdgeKind::kData;
  std::string value{};           // the value carried ("x1.emb"), or the layer for kParam
  graph::ValueId value_id = -1;  // -1 for a value that exists only in the drawing
  std::string shape{};           // "[B, T=30, 100]"
  bool differentiable = false;   // a real value whose gradient flows back to a node
  std::string color{};           // "" for the kind's default
  double penwidth = 0.0;         // 0 for the default
  std::string tooltip{};
};

struct DrawCluster {
  std::string id{};      // "cluster_pred.similarity"
  std::string parent{};  // enclosing cluster id, "" at top level
  std::string name{};    // the composite's name
  std::string op{};      // "Lambda", "Sequential", "Bidirectional", "expression loss"
  std::string layer{};
  int shared = 0;
  int64_t params = 0;
  std::string fill{};
};

struct LegendEntry {
  std::string layer{};
  std::string op{};
  std::string fill{};  // the colour of its applications ("" when used once)
  int64_t params = 0;
  int uses = 0;
  bool trainable = true;
};

struct Drawing {
  std::string model{};
  std::string title{};
  std::string rankdir = "TB";
  std::vector<DrawNode> nodes{};
  std::vector<DrawEdge> edges{};
  std::vector<DrawCluster> clusters{};
  std::vector<LegendEntry> legend{};

  const DrawNode* find(std::string_view id) const;
  DrawNode* find(std::string_view id);
  int count(NodeKind kind) const;
  int count(EdgeKind kind) const;
};

}  // namespace twinflow::viz

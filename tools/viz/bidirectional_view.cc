#include "tools/viz/bidirectional_view.h"

#include <any>

#include "graph/ir/attrs.h"
#include "tools/viz/labels.h"

namespace twinflow::viz {

namespace {

std::string_view merge_op(graph::MergeMode mode) {
  switch (mode) {
    case graph::MergeMode::kConcat:
      return "Concatenate";
    case graph::MergeMode::kSum:
      return "Add";
    case graph::MergeMode::kMul:
      return "Mul";
    case graph::MergeMode::kAve:
      return "Average";
  }
  return "Merge";
}

class Expander {
 public:
  Expander(Drawing& d, const graph::Model& m, const graph::Node& node, const DrawNode& outer)
      : d_(d),
        m_(m),
        g_(*m.graph),
        node_(node),
        outer_(outer),
        attrs_(std::any_cast<graph::BidirectionalAttrs>(node.attrs)),
        cluster_("cluster_bi:" + node.name) {}

  std::string expand(const std::function<std::string(graph::ValueId)>& source_of) {
    d_.clusters.push_back({cluster_, outer_.cluster, node_.name, "Bidirectional", outer_.layer,
                           outer_.shared, outer_.params, outer_.fill});
    const graph::ValueId x = node_.inputs[0];
    const bool masked = g_.value(node_.inputs[1]).dtype == graph::DType::kInt32;
    const std::string source = source_of(x);
    const std::string fwd = add("forward", "LSTM", lstm_attrs(false), true);
    const std::string rev = add("reverse", "ReverseSequence", {{"axis", "time"}}, false);
    const std::string bwd = add("backward", "LSTM", lstm_attrs(true), true);
    const std::string merge = add("merge", std::string(merge_op(attrs_.merge)),
                                  {{"merge", std::string(graph::to_string(attrs_.merge))}}, false);
    const std::string x_shape = shape_label(g_.value(x));
    connect(source, fwd, value_name(m_, x), x, x_shape);
    connect(source, rev, value_name(m_, x), x, x_shape);
    connect(rev, bwd, node_.name + "/reversed", -1, x_shape);
    connect(fwd, merge, node_.name + "/forward", -1, direction_shape());
    std::string last = bwd;
    if (attrs_.layer.return_sequences) {
      last = add("unreverse", "ReverseSequence", {{"axis", "time"}}, false);
      connect(bwd, last, node_.name + "/backward", -1, direction_shape());
    }
    connect(last, merge, node_.name + (last == bwd ? "/backward" : "/unreversed"), -1,
            direction_shape());
    if (masked)
      for (const std::string& to : {fwd, rev, bwd}) {
        const graph::Value& ids = g_.value(node_.inputs[1]);
        DrawEdge edge{source_of(node_.inputs[1]),
                      to,
                      EdgeKind::kMask,
                      value_name(m_, node_.inputs[1]),
                      node_.inputs[1],
                      shape_label(ids)};
        d_.edges.push_back(edge);
      }
    return merge;
  }

 private:
  std::vector<Attr> lstm_attrs(bool backwards) const {
    std::vector<Attr> out = {{"units", std::to_string(attrs_.layer.units)}};
    if (backwards) out.push_back({"direction", "backward"});
    if (attrs_.layer.return_sequences) out.push_back({"return_sequences", "true"});
    return out;
  }

  std::string add(const std::string& part, std::string op, std::vector<Attr> attrs, bool lstm) {
    DrawNode n;
    n.id = "op:" + node_.name + "/" + part;
    n.kind = NodeKind::kOp;
    n.name = node_.name + "/" + part;
    n.op = std::move(op);
    n.attrs = std::move(attrs);
    n.cluster = cluster_;
    if (lstm) {
      n.layer = outer_.layer;
      n.shared = outer_.shared;
      n.params = outer_.params / 2;
      n.fill = outer_.fill;
      n.param_layers = outer_.param_layers;
    }
    n.is_loss = false;
    d_.nodes.push_back(n);
    return n.id;
  }

  // One direction's output: [B, H], or [B, T, H] with return_sequences.
  std::string direction_shape() const {
    graph::Value v = g_.value(node_.inputs[0]);
    v.dtype = graph::DType::kReal;
    v.shape = attrs_.layer.return_sequences
                  ? graph::Shape({v.shape[0], v.shape[1], attrs_.layer.units})
                  : graph::Shape({v.shape[0], attrs_.layer.units});
    return shape_label(v);
  }

  void connect(const std::string& from, const std::string& to, const std::string& value,
               graph::ValueId id, const std::string& shape) {
    DrawEdge edge{from, to, EdgeKind::kData, value, id, shape};
    edge.differentiable = id < 0 || g_.value(id).kind == graph::ValueKind::kNodeOutput;
    d_.edges.push_back(edge);
  }

  Drawing& d_;
  const graph::Model& m_;
  const graph::Graph& g_;
  const graph::Node& node_;
  const DrawNode& outer_;
  graph::BidirectionalAttrs attrs_;
  std::string cluster_;
};

}  // namespace

std::string expand_bidirectional(Drawing& d, const graph::Model& m, const graph::Node& node,
                                 const DrawNode& outer,
                                 const std::function<std::string(graph::ValueId)>& source_of) {
  return Expander(d, m, node, outer).expand(source_of);
}

}  // namespace twinflow::viz

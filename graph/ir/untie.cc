#include "graph/ir/untie.h"

#include <fmt/format.h>

namespace twinflow::graph {

UntiedGraph untie_layer(const Graph& g, LayerId target) {
  UntiedGraph out;
  Graph& ng = out.graph;
  std::map<LayerId, LayerId> layer_map;
  int use = 0;
  for (size_t i = 0; i < g.values().size(); ++i) {
    const ValueId old_id = static_cast<ValueId>(i);
    const Value& v = g.values()[i];
    switch (v.kind) {
      case ValueKind::kInput:
        out.value_map[old_id] = ng.add_input(v.name, v.shape, v.dtype, v.loc);
        break;
      case ValueKind::kConstant:
        out.value_map[old_id] = ng.add_constant(v.constant, v.name);
        break;
      case ValueKind::kParameter:
        // Layer-owned parameters are recreated when their layer is first applied.
        if (v.layer < 0)
          out.value_map[old_id] = ng.add_parameter(v.name, v.shape, v.param.init, v.trainable);
        break;
      case ValueKind::kNodeOutput: {
        const Node& node = g.node(v.producer);
        std::vector<ValueId> data_inputs;
        const Layer* layer = node.layer >= 0 ? &g.layer(node.layer) : nullptr;
        const size_t n_data = g.data_input_count(v.producer);
        for (size_t k = 0; k < n_data; ++k) data_inputs.push_back(out.value_map.at(node.inputs[k]));
        if (!layer) {
          out.value_map[old_id] =
              ng.add_node(*node.op, node.attrs, data_inputs, node.name, node.loc);
          break;
        }
        LayerId new_layer;
        if (node.layer == target) {
          new_layer = ng.add_layer(fmt::format("{}#{}", layer->name, use++), *layer->op,
                                   layer->attrs, layer->trainable, layer->loc);
        } else if (auto it = layer_map.find(node.layer); it != layer_map.end()) {
          new_layer = it->second;
        } else {
          new_layer =
              ng.add_layer(layer->name, *layer->op, layer->attrs, layer->trainable, layer->loc);
          layer_map[node.layer] = new_layer;
        }
        if (ng.layer(new_layer).params.empty())
          for (const auto& [kind, init] : layer->initializers)
            ng.set_initializer(new_layer, kind, init);
        out.value_map[old_id] = ng.apply(new_layer, data_inputs, node.name, node.loc);
        const std::vector<ValueId>& new_params = ng.layer(new_layer).params;
        for (size_t k = 0; k < layer->params.size(); ++k) {
          if (node.layer == target) out.param_copies[layer->params[k]].push_back(new_params[k]);
          out.value_map[layer->params[k]] = new_params[k];
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace twinflow::graph

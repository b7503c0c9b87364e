#include "tools/cli/check_json.h"

#include "graph/ir/stacking.h"
#include "graph/model/summary.h"
#include "tools/cli/json.h"

namespace twinflow::cli {

namespace {

json shape_json(const graph::Shape& shape) {
  json dims = json::array();
  for (int64_t d : shape.dims()) dims.push_back(d == graph::kBatch ? json(nullptr) : json(d));
  return dims;
}

json diagnostics_json(const graph::Diagnostics& diags) {
  json items = json::array();
  for (const graph::Diagnostic& d : diags.all())
    items.push_back({{"severity", d.severity == graph::Severity::kError ? "error" : "warning"},
                     {"file", d.loc.file},
                     {"line", d.loc.line},
                     {"column", d.loc.column},
                     {"message", d.message}});
  return items;
}

// Per shared layer: the applications that run as one call and why the others do not.
json stacking_json(const graph::Model& m) {
  const graph::Graph& g = *m.graph;
  const graph::StackingPlan plan = graph::plan_stacking(g);
  json layers = json::array();
  for (const graph::StackingPlan::LayerNote& note : plan.notes) {
    json groups = json::array();
    for (int k : note.groups) {
      json names = json::array();
      for (graph::NodeId n : plan.groups[static_cast<size_t>(k)].nodes)
        names.push_back(g.node(n).name);
      groups.push_back(names);
    }
    json alone = json::array();
    for (const graph::UnstackedUse& use : note.unstacked)
      alone.push_back({{"application", g.node(use.node).name}, {"reason", use.reason}});
    layers.push_back({{"layer", g.layer(note.layer).name}, {"stacked", groups}, {"alone", alone}});
  }
  return {{"on", m.spec.train.stack_shared}, {"layers", layers}};
}

json model_json(const graph::Model& m) {
  const graph::Graph& g = *m.graph;
  json inputs = json::array();
  for (const graph::InputSpec& input : m.spec.inputs) {
    if (const auto it = m.values.find(input.name); it != m.values.end())
      inputs.push_back({{"name", input.name},
                        {"shape", shape_json(g.value(it->second).shape)},
                        {"dtype", input.dtype == graph::DType::kInt32 ? "int32" : "float32"}});
    if (const graph::SubwordInput* sub = m.subword_input(input.name))
      inputs.push_back({{"name", sub->pieces},
                        {"shape", shape_json(g.value(*g.find_value(sub->pieces)).shape)},
                        {"dtype", "int32"},
                        {"from", input.name}});
  }
  json applications = json::array();
  for (const graph::Application& app : m.applications) {
    json shapes = json::array();
    for (graph::ValueId v : app.outputs) shapes.push_back(shape_json(g.value(v).shape));
    applications.push_back({{"name", app.name},
                            {"layer", app.layer},
                            {"op", app.op},
                            {"inputs", app.inputs},
                            {"output_shapes", shapes}});
  }
  json layers = json::array();
  for (const graph::LayerRow& row : graph::layer_rows(m))
    layers.push_back(
        {{"name", row.name}, {"op", row.op}, {"params", row.params}, {"uses", row.uses}});
  json outputs = json::array();
  for (const graph::NameRef& output : m.spec.outputs)
    if (const auto it = m.values.find(output.name); it != m.values.end())
      outputs.push_back({{"name", output.name}, {"shape", shape_json(g.value(it->second).shape)}});
  json loss = nullptr;
  if (m.spec.loss && m.loss)
    loss = {{"op", m.spec.loss->op}, {"shape", shape_json(g.value(*m.loss).shape)}};
  const graph::ParamTotals totals = graph::param_totals(m);
  return {{"name", m.spec.name},
          {"inputs", inputs},
          {"applications", applications},
          {"layers", layers},
          {"outputs", outputs},
          {"loss", loss},
          {"stacking", stacking_json(m)},
          {"params",
           {{"total", totals.trainable + totals.frozen},
            {"trainable", totals.trainable},
            {"frozen", totals.frozen}}}};
}

}  // namespace

nlohmann::ordered_json check_json(const std::string& path, const LoadedModel& loaded) {
  json spec = {{"file", path},
               {"ok", loaded.model.has_value() && !loaded.diags.has_errors()},
               {"errors", loaded.diags.error_count()},
               {"warnings", loaded.diags.warning_count()},
               {"diagnostics", diagnostics_json(loaded.diags)}};
  if (loaded.model) spec["model"] = model_json(*loaded.model);
  return spec;
}

}  // namespace twinflow::cli

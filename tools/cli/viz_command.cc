// `twinflow viz SPEC.yaml -o FILE`: draws a model. The format comes from FILE's extension:
// .dot (Graphviz text), .svg, .png (rendered in-process by libgvc) or .html (the SVG in a
// self-contained page with each node's details). Options are described in docs/viz.md.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "runtime/io/atomic_file.h"
#include "runtime/saved/run_dir.h"
#include "tools/cli/commands.h"
#include "tools/cli/load_model.h"
#include "tools/cli/option_checks.h"
#include "tools/viz/backward_view.h"
#include "tools/viz/dot_writer.h"
#include "tools/viz/graphviz_render.h"
#include "tools/viz/html_page.h"
#include "tools/viz/stats_overlay.h"
#include "tools/viz/viz_details.h"
#include "tools/viz/viz_graph.h"

namespace twinflow::cli {

namespace {

struct VizOptions {
  std::string spec;
  std::string output;
  std::string rankdir = "TB";
  std::vector<std::string> expand;
  bool group = false;
  bool backward = false;
  std::string stats_dir;
  std::string data;
  int64_t rows = 32;
};

viz::Drawing draw(const graph::Model& model, const VizOptions& o) {
  viz::ViewOptions view;
  for (const std::string& e : o.expand) {
    if (e == "all")
      view.expand_all = true;
    else
      view.expand.push_back(e);
  }
  view.group = o.group;
  view.rankdir = o.rankdir;
  viz::Drawing drawing = viz::forward_view(model, view);
  if (o.backward) drawing = viz::backward_view(model, drawing);
  if (!o.stats_dir.empty()) {
    // The model first: a data file that fits another model says nothing about this one.
    runtime::require_same_spec(o.stats_dir, model);
    viz::apply_stats(drawing, viz::collect_stats(o.stats_dir, o.data, o.rows));
  }
  return drawing;
}

int run(const VizOptions& o, Io& io) {
  std::optional<graph::Model> model = load_model(o.spec, io.err);
  if (!model) return 1;
  const viz::Drawing drawing = draw(*model, o);
  const std::string dot = viz::to_dot(drawing);
  const std::string format = extension_of(o.output);
  std::string bytes;
  if (format == ".dot") {
    viz::parse_dot(dot);  // never hand out a file Graphviz cannot read
    bytes = dot;
  } else if (format == ".html") {
    bytes = viz::html_page(drawing.title, viz::render(dot, "svg"), viz::viz_details(drawing));
  } else {
    bytes = viz::render(dot, format.substr(1));
  }
  runtime::write_file_atomically(o.output, std::string_view(bytes));
  io.out << fmt::format("{}: {} nodes, {} edges, {} clusters\n", o.output, drawing.nodes.size(),
                        drawing.edges.size(), drawing.clusters.size());
  return 0;
}

}  // namespace

void add_viz_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<VizOptions>();
  CLI::App* cmd = app.add_subcommand(
      "viz", "Draw a model: layers, shapes, shared layers, the backward pass, gradient sizes");
  cmd->add_option("spec", o->spec, "Model spec file (YAML)")->required();
  cmd->add_option("-o,--output", o->output, "Picture to write: .dot, .svg, .png or .html")
      ->required()
      ->check(extension_in({".dot", ".svg", ".png", ".html"}));
  cmd->add_option("--rankdir", o->rankdir, "Direction of the flow: TB (top to bottom) or LR")
      ->capture_default_str()
      ->check(CLI::IsMember({"TB", "LR"}));
  cmd->add_option("--expand", o->expand,
                  "Open composites (Lambda, Sequential, Bidirectional, expression loss): 'all', "
                  "or application or layer names, comma-separated")
      ->delimiter(',');
  cmd->add_flag("--group", o->group, "Draw each layer's parameters once, with an edge to each use");
  cmd->add_flag("--backward", o->backward,
                "Draw the reverse pass: VJPs, gradient sums, parameters that receive gradient");
  CLI::Option* stats =
      cmd->add_option("--stats", o->stats_dir,
                      "Saved model directory (twinflow train --out): colour by activation and "
                      "gradient size on one batch of --data");
  CLI::Option* data = cmd->add_option("--data", o->data, "Data file (TSV) for --stats");
  stats->needs(data);
  data->needs(stats);
  cmd->add_option("--rows", o->rows, "Rows of --data in the --stats batch")
      ->capture_default_str()
      ->check(int_range(1, kMaxCount));
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli

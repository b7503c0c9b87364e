// `twinflow export DIR [--tower NAME] [--format dir|onnx|keras-h5|torch] -o OUT`: the tower of
// a trained model — the layers that map one text input to its vector — on its own
// (runtime/exchange/tower.h says what NAME may be; by default the tower `embed` uses).
//   dir       a model directory of its own (spec, vocabulary, weights) that embed, similar and
//             eval --retrieval accept and that gives the same vectors
//   onnx      an ONNX model: int64 token ids [batch, seq] (0 = padding) in, the vector out
//             (runtime/exchange/onnx_export.h)
//   keras-h5  the tower's weights as Keras 2's model.save_weights() writes them
//             (runtime/exchange/keras_h5.h)
//   torch     the tower's weights under PyTorch state_dict names, as safetensors
//             (runtime/exchange/torch_names.h)
//   glove     not a tower: the rows of one Embedding (--layer, or the model's only one) as word
//             vectors in GloVe's text format, which `pretrained:` reads
//             (runtime/exchange/word_vectors.h)
// Prints what it wrote: the tower's input, output and layers.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "graph/ir/errors.h"
#include "runtime/exchange/keras_h5.h"
#include "runtime/exchange/onnx_export.h"
#include "runtime/exchange/torch_names.h"
#include "runtime/exchange/tower_model.h"
#include "runtime/exchange/word_vectors.h"
#include "runtime/io/safetensors.h"
#include "runtime/saved/saved_model.h"
#include "tools/cli/commands.h"

namespace twinflow::cli {

namespace {

struct ExportOptions {
  std::string dir;
  std::string tower;
  std::string layer;
  std::string format = "dir";
  std::string output;
  bool overwrite = false;
};

std::string layer_list(const graph::ModelSpec& spec) {
  std::vector<std::string> names;
  for (const graph::LayerSpec& layer : spec.layers)
    names.push_back(fmt::format("{} ({})", layer.name, layer.op));
  return fmt::format("{}", fmt::join(names, ", "));
}

int write_word_vectors(const ExportOptions& o, Io& io) {
  return runtime::with_saved_model(
      o.dir, [&](const runtime::SavedModel& saved, const runtime::ModelRoles&, const auto& params) {
        const std::string layer = runtime::word_vector_layer(saved.model.spec, o.layer);
        const int64_t words = runtime::write_glove(o.output, saved.vocab, params, layer);
        io.out << fmt::format("wrote {} ({}): {} word vectors of {}\n", o.output, o.format, words,
                              layer);
        return 0;
      });
}

int run(const ExportOptions& o, Io& io) {
  if (o.format == "glove") return write_word_vectors(o, io);
  if (!o.layer.empty())
    throw graph::RuntimeInputError("--layer goes with --format glove; a tower is named by --tower");
  return runtime::with_tower(
      o.dir, o.tower,
      [&](const runtime::SavedModel& saved, const runtime::TowerSpec& tower,
          const graph::Model& model, const auto& params) {
        if (o.format == "dir")
          runtime::write_tower_dir(o.output, saved, model, params, o.overwrite);
        else if (o.format == "onnx")
          runtime::write_onnx(o.output, model, params);
        else if (o.format == "keras-h5")
          runtime::write_keras_h5(o.output, model, params);
        else
          runtime::write_safetensors(o.output, runtime::torch_weights(model, params));
        const int64_t dim = model.graph->value(model.outputs.front()).shape[1];
        io.out << fmt::format("tower of '{}': {} -> {} [B, {}] through {}\nwrote {} ({})\n",
                              tower.input, tower.input, tower.output, dim, layer_list(model.spec),
                              o.output, o.format);
        return 0;
      });
}

}  // namespace

void add_export_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a trained model's tower (one text -> its vector) as a model of its own");
  cmd->footer(
      "The tower is what embed computes: the layers from one text input to its vector.\n"
      "--tower names it by a text input (left, anchor) or by a graph value computed from one\n"
      "text input alone, of shape [B, D] (x1, anchor_vec); by default the first text input's.\n"
      "--format dir writes a model directory that embed, similar and eval --retrieval take;\n"
      "onnx an ONNX model (int64 token ids [batch, seq], 0 = padding, in; the vector out);\n"
      "keras-h5 and torch the tower's weights for Keras (save_weights layout) and PyTorch\n"
      "(state_dict names), which `twinflow import-weights` reads back.\n"
      "--format glove writes an Embedding's rows as word vectors (GloVe text), e.g. those of\n"
      "models/word2vec.yaml, for another spec's `pretrained:`.");
  cmd->add_option("dir", o->dir, "Saved model directory (twinflow train --out)")->required();
  cmd->add_option("--tower", o->tower,
                  "A text input or a [B, D] graph value (default: the first text input)");
  cmd->add_option("--format", o->format, "dir, onnx, keras-h5, torch or glove")
      ->capture_default_str()
      ->check(CLI::IsMember({"dir", "onnx", "keras-h5", "torch", "glove"}));
  cmd->add_option("--layer", o->layer,
                  "--format glove: the Embedding to write (default: the model's only one)");
  cmd->add_option("-o,--output", o->output, "Where to write (a directory for --format dir)")
      ->required();
  cmd->add_flag("--overwrite", o->overwrite,
                "--format dir: write into OUT even when it holds other files");
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli

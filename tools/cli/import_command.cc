// `twinflow import-weights MODEL FILE -o OUT.safetensors`: weights trained elsewhere as a twinflow
// weights file of the model MODEL (a spec, or a saved model directory's spec), which
// `train --init OUT` starts from.
//   keras-h5  a Keras 2 HDF5 weights file (model.save_weights or model.save), its layers named as
//             the spec's layers (runtime/exchange/keras_h5.h)
//   torch     a safetensors file of a PyTorch state_dict, its modules named as the spec's layers
//             (runtime/exchange/torch_names.h)
// The format is the file's own (an HDF5 signature, or safetensors) unless --format says. Every
// parameter of the model must be in the file and every weight of the file must map to one;
// anything else is an error naming each weight.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "runtime/exchange/keras_h5.h"
#include "runtime/exchange/torch_names.h"
#include "runtime/io/weights_file.h"
#include "tools/cli/commands.h"
#include "tools/cli/load_model.h"

namespace twinflow::cli {

namespace {

struct ImportOptions {
  std::string model;
  std::string file;
  std::string output;
  std::string format;
  std::string dtype = "float32";
};

// HDF5's signature, at the start of a file written by h5py and by twinflow.
bool is_hdf5(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, 8);
  return in && std::string(head, 8) == "\x89HDF\r\n\x1a\n";
}

template <typename T>
int import_as(const ImportOptions& o, const graph::Model& model, Io& io) {
  const std::string format = o.format.empty() ? (is_hdf5(o.file) ? "keras-h5" : "torch") : o.format;
  const runtime::SafetensorsContent content =
      format == "keras-h5"
          ? runtime::read_keras_h5(o.file, *model.graph)
          : runtime::from_torch_names(runtime::read_safetensors(o.file), *model.graph, o.file);
  runtime::ParameterStore<T> params(*model.graph, static_cast<uint64_t>(model.spec.train.seed));
  const runtime::WeightsLoadReport report =
      runtime::load_weights(content, params, runtime::LoadMode::kStrict, o.file);
  runtime::save_weights(o.output, params);
  io.out << fmt::format("{} parameters of model '{}' read from {} ({}), written to {}\n",
                        report.loaded.size(), model.spec.name, o.file, format, o.output);
  return 0;
}

int run(const ImportOptions& o, Io& io) {
  const std::string spec = std::filesystem::is_directory(o.model)
                               ? (std::filesystem::path(o.model) / "spec.yaml").string()
                               : o.model;
  std::optional<graph::Model> model = load_model(spec, io.err);
  if (!model) return 1;
  if (o.dtype == "float64") return import_as<double>(o, *model, io);
  return import_as<float>(o, *model, io);
}

}  // namespace

void add_import_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import-weights", "Read Keras HDF5 or PyTorch-named weights into a twinflow weights file");
  cmd->footer(
      "The file's layers (Keras) or modules (PyTorch) carry the spec's layer names; layouts\n"
      "are converted (PyTorch's transposed matrices, its two LSTM biases). Start training\n"
      "from the result with `twinflow train SPEC --init OUT`.");
  cmd->add_option("model", o->model, "The model's spec, or a saved model directory")->required();
  cmd->add_option("file", o->file, "Keras .h5 or PyTorch-named .safetensors weights")->required();
  cmd->add_option("-o,--output", o->output, "The twinflow weights file to write (safetensors)")
      ->required();
  cmd->add_option("--format", o->format, "keras-h5 or torch (default: from the file's content)")
      ->check(CLI::IsMember({"keras-h5", "torch"}));
  cmd->add_option("--dtype", o->dtype, "float32 or float64: what OUT holds")
      ->capture_default_str()
      ->check(CLI::IsMember({"float32", "float64"}));
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli

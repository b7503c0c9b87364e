// `twinflow embed DIR (--text "..." | --data F) [--format tsv|npy] [--output F]`: the tower
// output of each text (runtime/saved/inference.h: the vector the model computes from its first text
// input alone, e.g. x1 of the cosine Siamese network). --data is a text file, one text per
// line (blank lines skipped). tsv: one line of tab-separated numbers per text, to the output
// or stdout; npy: a numpy array [texts, dim] written to --output (float32, or float64 for a
// model trained in float64).
#include <fmt/format.h>

#include <memory>
#include <string>

#include "graph/ir/errors.h"
#include "runtime/io/atomic_file.h"
#include "runtime/saved/inference.h"
#include "runtime/saved/saved_model.h"
#include "tools/cli/commands.h"

namespace twinflow::cli {

namespace {

struct EmbedOptions {
  std::string dir;
  std::vector<std::string> texts;
  std::string data;
  std::string format = "tsv";
  std::string output;
};

std::string tsv_text(const runtime::Vectors& v) {
  std::string out;
  for (int64_t r = 0; r < v.rows; ++r) {
    for (int64_t j = 0; j < v.dim; ++j)
      out +=
          fmt::format("{}{:.9g}", j == 0 ? "" : "\t", v.values[static_cast<size_t>(r * v.dim + j)]);
    out += "\n";
  }
  return out;
}

// NPY format 1.0: magic, version, header length (little-endian u16), a Python dict literal
// padded with spaces to a multiple of 64 bytes and ended by "\n", then the raw data.
template <typename T>
std::string npy_bytes(const runtime::Vectors& v) {
  std::string header = fmt::format(
      "{{'descr': '<f{}', 'fortran_order': False, 'shape': ({}, {}), }}", sizeof(T), v.rows, v.dim);
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += "\n";
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  for (double x : v.values) {
    const T value = static_cast<T>(x);
    out.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  return out;
}

// Only named in decltype: the scalar of a store.
template <typename T>
T scalar_of(const runtime::ParameterStore<T>&);

int run(const EmbedOptions& o, Io& io) {
  if (o.texts.empty() == o.data.empty())
    throw graph::RuntimeInputError("give either --text TEXT or --data FILE");
  if (o.format == "npy" && o.output.empty())
    throw graph::RuntimeInputError("--format npy writes binary data: give --output FILE.npy");
  const std::vector<std::string> texts =
      o.data.empty() ? o.texts : runtime::read_text_lines(o.data);
  return runtime::with_saved_model(
      o.dir, [&](const runtime::SavedModel& saved, const runtime::ModelRoles& roles, auto& params) {
        using T = decltype(scalar_of(params));
        const runtime::Vectors v = runtime::embed_texts(saved.model, roles, saved.vocab, params,
                                                        texts, saved.model.spec.train.batch_size);
        const std::string bytes = o.format == "npy" ? npy_bytes<T>(v) : tsv_text(v);
        if (o.output.empty())
          io.out << bytes;
        else
          runtime::write_file_atomically(o.output, bytes);
        return 0;
      });
}

}  // namespace

void add_embed_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<EmbedOptions>();
  CLI::App* cmd = app.add_subcommand("embed", "Print the tower output vector of texts");
  cmd->add_option("dir", o->dir, "Saved model directory (twinflow train --out)")->required();
  cmd->add_option("--text", o->texts, "A text to embed (repeatable)");
  cmd->add_option("--data", o->data, "A file of texts, one per line");
  cmd->add_option("--format", o->format, "tsv or npy")
      ->capture_default_str()
      ->check(CLI::IsMember({"tsv", "npy"}));
  cmd->add_option("--output", o->output, "Write here instead of to the standard output");
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli

// `twinflow pairs-from-text TEXT -o PAIRS [--window 5] [--negatives 5] [--subsample 1e-3]
// [--min-count 5] [--seed 1]`: word2vec's skip-gram rows from a text file (one text per line;
// `-` reads the standard input), as the TSV "word<TAB>context<TAB>label" that
// models/word2vec.yaml trains on (runtime/text/skipgram_pairs.h). The file is written whole or
// not at all; what was made is said on stderr.
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "runtime/io/atomic_file.h"
#include "runtime/text/line_reader.h"
#include "runtime/text/skipgram_pairs.h"
#include "tools/cli/commands.h"
#include "tools/cli/option_checks.h"

namespace twinflow::cli {

namespace {

struct PairsOptions {
  std::string text;
  std::string output;
  runtime::SkipgramOptions skipgram;
};

int run(const PairsOptions& o, Io& io) {
  std::optional<runtime::LineReader> reader;
  if (o.text == "-")
    reader.emplace(io.in, "<stdin>");
  else
    reader.emplace(o.text);
  std::ostringstream rows;
  const runtime::SkipgramStats stats = runtime::write_skipgram_pairs(*reader, rows, o.skipgram);
  runtime::write_file_atomically(o.output, rows.view());
  io.err << fmt::format("{}: {}\n", o.output, stats.to_string());
  return 0;
}

}  // namespace

void add_pairs_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<PairsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "pairs-from-text", "Make word2vec's skip-gram pairs from a text file (models/word2vec.yaml)");
  cmd->footer(
      "Each kept word pairs with the words of a window around it (label 1) and with noise\n"
      "words drawn from the unigram counts to the power 3/4 (label 0); frequent words are\n"
      "subsampled first. Train the rows with `twinflow train models/word2vec.yaml --data PAIRS`\n"
      "and write the vectors with `twinflow export DIR --format glove -o vectors.txt`.");
  cmd->add_option("text", o->text, "Text file, one text per line (-: the standard input)")
      ->required();
  cmd->add_option("-o,--output", o->output, "The TSV to write")->required();
  cmd->add_option("--window", o->skipgram.window,
                  "The largest distance of a context word (each word draws its own, from 1)")
      ->capture_default_str()
      ->check(int_range(1, 1000));
  cmd->add_option("--negatives", o->skipgram.negatives, "Noise words per true pair")
      ->capture_default_str()
      ->check(int_range(0, 1000));
  cmd->add_option("--subsample", o->skipgram.subsample,
                  "word2vec's t: a word of frequency f is kept with probability "
                  "(sqrt(f/t) + 1) t/f; 0 keeps every word")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--min-count", o->skipgram.min_count, "Drop words seen fewer times")
      ->capture_default_str()
      ->check(int_range(1, kMaxCount));
  cmd->add_option("--seed", o->skipgram.seed, "Subsampling, windows and noise words")
      ->capture_default_str();
  // An exception from run() reaches run_cli, which prints it as an error and exits 1.
  cmd->callback([o, &io] { io.status = run(*o, io); });
}

}  // namespace twinflow::cli

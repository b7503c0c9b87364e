// tests/fuzz/fuzz_tsv.cc — a TSV data file read, tokenized and encoded, and a vocabulary file
// read from disk.
//
// The input is up to two parts (tests/fuzz/fuzz_input.h): the data file, then a vocabulary
// file. The data is read for a pair model (left, right, label) and for a triplet model with a
// real column (anchor, positive, negative, weight), each strictly and with skip_bad_rows. Rows
// that read are counted into a vocabulary built from them and encoded with it, and with the
// vocabulary file when that reads. The readers' errors are DataError and the other
// graph::RuntimeInputError; any other exception is a finding.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/data/dataset.h"
#include "runtime/data/tsv_reader.h"
#include "runtime/text/vocabulary.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using twinflow::graph::RuntimeInputError;
using twinflow::runtime::ColumnSpec;
using twinflow::runtime::Dataset;
using twinflow::runtime::Vocabulary;

const std::vector<ColumnSpec>& pair_columns() {
  static const std::vector<ColumnSpec> columns{
      ColumnSpec::text("left", 6), ColumnSpec::text("right", 6), ColumnSpec::label01("label")};
  return columns;
}

const std::vector<ColumnSpec>& triplet_columns() {
  static const std::vector<ColumnSpec> columns{
      ColumnSpec::text("anchor", 3), ColumnSpec::text("positive", 3),
      ColumnSpec::text("negative", 3), ColumnSpec::real("weight")};
  return columns;
}

void encode(std::string_view content, const std::vector<ColumnSpec>& columns, bool skip_bad_rows,
            const std::optional<Vocabulary>& vocab) {
  Dataset data;
  try {
    data = twinflow::runtime::parse_tsv(content, "fuzz.tsv", columns,
                                        {.skip_bad_rows = skip_bad_rows, .max_messages = 5});
  } catch (const RuntimeInputError& e) {
    twinflow::fuzz::rejected(e);
    return;
  }
  twinflow::runtime::TokenCounts counts;
  data.count_tokens(counts);
  data.encode(Vocabulary::build(counts, 1, 0));
  data.encode(Vocabulary::build(counts, 2, 5));
  if (vocab) data.encode(*vocab);
  for (const auto& column : data.columns)
    if (column.is_text()) (void)column.texts();
}

std::optional<Vocabulary> read_vocabulary(const std::vector<std::string_view>& parts) {
  static const twinflow::fuzz::ScratchDir dir;
  if (parts.size() < 2) return std::nullopt;
  dir.put("vocab.txt", &parts[1]);
  try {
    return Vocabulary::read(dir.file("vocab.txt"));
  } catch (const RuntimeInputError& e) {
    twinflow::fuzz::rejected(e);
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string_view> parts =
      twinflow::fuzz::split_parts(twinflow::fuzz::as_text(data, size));
  const std::optional<Vocabulary> vocab = read_vocabulary(parts);
  for (bool skip_bad_rows : {false, true}) {
    encode(parts[0], pair_columns(), skip_bad_rows, vocab);
    encode(parts[0], triplet_columns(), skip_bad_rows, vocab);
  }
  return 0;
}

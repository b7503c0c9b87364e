// runtime/data/ (twinflow_runtime_data): where a batch is made.
// Owns TSV files, the dataset of a model's input columns and shuffled batches.
// May include: runtime/text, runtime/io, runtime/exec and below.
//
// runtime/data/dataset.h — the rows of a data file, one column per model input.
//
// A column is text (token ids for an int32 input [T]), a 0/1 label or a real number (for a
// real input [1]). Texts are kept as read, back to back in one string, so the same Dataset
// can be counted to build a vocabulary, encoded with it, and shown again (`similar` prints
// the corpus text). Ids are int32 [N, T] and numbers float32 [N, 1]: a few MB for the demo
// data, where a row of strings per example would take ten times that. A text column may also
// come as token ids alone (runtime/data/array_dataset.h): it has no text, and counting and
// encoding leave it as it is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph/model/model.h"
#include "ops/tensor.h"
#include "runtime/text/vocabulary.h"

namespace twinflow::runtime {

enum class ColumnKind { kText, kLabel01, kReal };

struct ColumnSpec {
  std::string name;  // the header name in the file, and the model input it feeds
  ColumnKind kind = ColumnKind::kText;
  int64_t length = 0;  // kText: ids per row, padded or cut at the end

  static ColumnSpec text(std::string name, int64_t length) {
    return {std::move(name), ColumnKind::kText, length};
  }
  static ColumnSpec label01(std::string name) { return {std::move(name), ColumnKind::kLabel01, 0}; }
  static ColumnSpec real(std::string name) { return {std::move(name), ColumnKind::kReal, 0}; }
};

// What encoding a text column did, for the summary a trainer prints.
struct TextStats {
  int64_t tokens = 0;    // before cutting
  int64_t unknown = 0;   // ids that are out-of-vocabulary (among the kept ones)
  int64_t cut_rows = 0;  // rows with more tokens than the column's length
  int64_t cut_tokens = 0;
};

struct DataColumn {
  ColumnSpec spec;
  // kText: row r's field is text[text_ends[r - 1], text_ends[r]) (from 0 for row 0).
  std::string text;
  std::vector<int64_t> text_ends;
  ops::IdTensor ids;  // kText, after Dataset::encode: [N, length]
  // kText read by an Embedding with subwords, after Dataset::encode: [N, length, slots], the
  // n-gram rows of each token, fed to the model input named pieces_input.
  ops::IdTensor pieces;
  std::string pieces_input;
  ops::Tensor<float> values;  // kLabel01, kReal: [N, 1]
  TextStats stats;            // kText, after Dataset::encode
  bool ids_only = false;      // kText given as ids: no text, nothing to count or encode

  bool is_text() const { return spec.kind == ColumnKind::kText; }
  std::string_view text_of(int64_t row) const;
  std::vector<std::string> texts() const;  // kText: every row's field, in row order
};

struct Dataset {
  std::string file;
  std::vector<DataColumn> columns;            // in the order of the specs given to the reader
  std::vector<int64_t> lines;                 // the source line (from 1) of each row
  int64_t skipped_rows = 0;                   // bad rows left out (skip_bad_rows)
  std::vector<std::string> skipped_messages;  // "file:line: ..." for the first few of them

  int64_t rows() const { return static_cast<int64_t>(lines.size()); }
  // Throws graph::RuntimeInputError naming the columns there are.
  const DataColumn& column(std::string_view name) const;
  DataColumn& column(std::string_view name);

  // Adds the tokens of every text column (all columns share one vocabulary, as the towers of
  // a Siamese network share one Embedding).
  void count_tokens(TokenCounts& counts) const;
  // Fills each text column's ids and stats, and the pieces of the columns a model reads with
  // subwords (graph::Model::subword_inputs, by column name); may be called again with another
  // vocabulary. Throws graph::RuntimeInputError when such a column came as ids alone.
  void encode(const Vocabulary& vocab,
              const std::map<std::string, graph::SubwordInput>& subwords = {});
  // Whether any column holds text (not only ids): what a vocabulary can be built from.
  bool has_text() const;
};

}  // namespace twinflow::runtime

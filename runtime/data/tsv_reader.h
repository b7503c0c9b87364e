// runtime/data/tsv_reader.h — reads a tab-separated data file into a Dataset.
//
// The format:
//   - UTF-8 text; lines end with "\n" or "\r\n"; the last line may lack its newline; a UTF-8
//     byte order mark before the header is ignored.
//   - The first line is the header: column names separated by tabs (spaces around a name are
//     ignored). It names every column the reader is asked for, each once, in any order, and
//     nothing else: an unknown column is an error with a "did you mean", and so is a missing
//     one, because a silently ignored column is usually a misspelt one.
//   - Every other line is a row with one field per header column, separated by tabs. There is
//     no quoting: a field cannot contain a tab or a newline. Empty lines are skipped (editors
//     leave them at the end of files); a line of only spaces is a row, and a malformed one.
//   - Text fields must be valid UTF-8 and hold at least one token (runtime/text/tokenizer.h): a
//     text with none is almost always a shifted or missing field, and would train the model
//     on an all-padding sequence. Label fields are 0 or 1 and real fields finite numbers
//     ("1", "0.5", "-2e-3"); spaces around a number are ignored.
//
// A malformed row (wrong field count, a bad label or number, bad UTF-8, a text without tokens)
// is an error "file:line: column 'left': ..." naming the column, thrown as DataError; with
// skip_bad_rows it is left out instead, counted, and the first few messages kept. A file
// without a header, or without a single good row, is an error either way.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/data/dataset.h"
#include "runtime/text/data_error.h"

namespace twinflow::runtime {

// A malformed data row: the one error that skip_bad_rows (--skip-bad-rows) turns into a
// skipped, counted row.
class BadRowError : public DataError {
 public:
  using DataError::DataError;
};

struct TsvOptions {
  bool skip_bad_rows = false;
  int64_t max_messages = 5;  // messages kept for skipped rows; the count covers them all
};

// The column names of a data file's header (spaces around each trimmed), for a caller that
// reads a column only when the file has it. Throws DataError when the file cannot be read.
std::vector<std::string> read_tsv_header(const std::string& path);

// Text columns are read, checked and kept as text: call Dataset::encode with a vocabulary
// (after Dataset::count_tokens when the vocabulary is built from this file).
Dataset read_tsv(const std::string& path, std::span<const ColumnSpec> columns,
                 const TsvOptions& options = {});
// The same from content in memory; `file` only names it in messages.
Dataset parse_tsv(std::string_view content, const std::string& file,
                  std::span<const ColumnSpec> columns, const TsvOptions& options = {});

}  // namespace twinflow::runtime

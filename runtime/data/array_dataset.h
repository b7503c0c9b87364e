// runtime/data/array_dataset.h — a Dataset from columns held in memory (the Python package's
// fit on arrays), checked as a TSV file's rows are.
//
// One column per ColumnSpec, named as it: a column missing or unknown is an error (with "did
// you mean"), and every column has the same number of rows N ≥ 1.
//   text    N texts, each with at least one token (runtime/text/tokenizer.h), kept as texts to
//           be counted and encoded like a file's; or token ids [N, length], non-negative, kept
//           as they are (DataColumn::ids_only)
//   label   N numbers, each 0 or 1
//   real    N finite numbers
// The text columns are all texts or all ids, since they share one vocabulary. A row is named
// by its index from 0, as the caller's array does ("column 'label'[3]: expected a label 0 or 1,
// found 2"), and Dataset::lines holds index + 1. Throws DataError naming `source`.
#pragma once

#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ops/tensor.h"
#include "runtime/data/dataset.h"

namespace twinflow::runtime {

// Texts, token ids [N, length], or numbers (labels and reals).
using ColumnValues = std::variant<std::vector<std::string>, ops::IdTensor, std::vector<double>>;

struct ArrayColumn {
  std::string name;
  ColumnValues values;
};

Dataset dataset_from_arrays(std::span<const ColumnSpec> columns, std::vector<ArrayColumn> given,
                            const std::string& source);

}  // namespace twinflow::runtime

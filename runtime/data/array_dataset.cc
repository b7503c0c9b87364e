#include "runtime/data/array_dataset.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "graph/ir/suggest.h"
#include "runtime/text/data_error.h"
#include "runtime/text/tokenizer.h"

namespace twinflow::runtime {

namespace {

size_t rows_of(const ColumnValues& values) {
  if (const auto* ids = std::get_if<ops::IdTensor>(&values))
    return ids->shape.rank() == 0 ? 0 : static_cast<size_t>(ids->shape[0]);
  return std::visit([](const auto& v) { return static_cast<size_t>(v.size()); }, values);
}

const char* kind_name(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kText:
      return "texts or token ids";
    case ColumnKind::kLabel01:
      return "labels 0 or 1";
    case ColumnKind::kReal:
      return "numbers";
  }
  return "";
}

// Each given column matched to its spec by name; throws naming what is missing or unknown.
std::vector<ArrayColumn*> match_columns(std::span<const ColumnSpec> columns,
                                        std::vector<ArrayColumn>& given,
                                        const std::string& source) {
  std::vector<std::string> names;
  for (const ColumnSpec& spec : columns) names.push_back(spec.name);
  std::vector<ArrayColumn*> matched(columns.size(), nullptr);
  for (ArrayColumn& column : given) {
    size_t c = 0;
    while (c < columns.size() && columns[c].name != column.name) ++c;
    if (c == columns.size())
      throw DataError(source, 0,
                      fmt::format("no input is named '{}'{} (the columns are {})", column.name,
                                  graph::did_you_mean(column.name, names), fmt::join(names, ", ")));
    if (matched[c] != nullptr)
      throw DataError(source, 0, fmt::format("column '{}' is given twice", column.name));
    matched[c] = &column;
  }
  for (size_t c = 0; c < columns.size(); ++c)
    if (matched[c] == nullptr)
      throw DataError(source, 0,
                      fmt::format("column '{}' is missing (the columns are {})", columns[c].name,
                                  fmt::join(names, ", ")));
  return matched;
}

void fill_texts(DataColumn& column, const std::vector<std::string>& texts,
                const std::string& source) {
  std::vector<std::string> tokens;
  for (size_t r = 0; r < texts.size(); ++r) {
    if (const auto bad = utf8_problem(texts[r]))
      throw DataError(source, 0, fmt::format("column '{}'[{}]: {}", column.spec.name, r, *bad));
    tokenize(texts[r], tokens);
    if (tokens.empty())
      throw DataError(source, 0,
                      fmt::format("column '{}'[{}]: no tokens in '{}' (a text needs a letter or "
                                  "digit)",
                                  column.spec.name, r, texts[r].substr(0, 40)));
    column.text += texts[r];
    column.text_ends.push_back(static_cast<int64_t>(column.text.size()));
  }
}

void fill_ids(DataColumn& column, ops::IdTensor ids, const std::string& source) {
  const int64_t length = column.spec.length;
  if (ids.shape.rank() != 2 || ids.shape[1] != length)
    throw DataError(source, 0,
                    fmt::format("column '{}': token ids must be [N, {}], found {}",
                                column.spec.name, length, ids.shape.to_string()));
  for (size_t i = 0; i < ids.data.size(); ++i)
    if (ids.data[i] < 0)
      throw DataError(source, 0,
                      fmt::format("column '{}'[{}, {}]: token id {} is negative", column.spec.name,
                                  static_cast<int64_t>(i) / length,
                                  static_cast<int64_t>(i) % length, ids.data[i]));
  column.ids = std::move(ids);
  column.ids_only = true;
}

void fill_numbers(DataColumn& column, const std::vector<double>& values,
                  const std::string& source) {
  column.values = ops::Tensor<float>(graph::Shape{static_cast<int64_t>(values.size()), 1});
  for (size_t r = 0; r < values.size(); ++r) {
    const double v = values[r];
    if (column.spec.kind == ColumnKind::kLabel01 && v != 0.0 && v != 1.0)
      throw DataError(source, 0,
                      fmt::format("column '{}'[{}]: expected a label 0 or 1, found {}",
                                  column.spec.name, r, v));
    if (!std::isfinite(static_cast<float>(v)))
      throw DataError(source, 0,
                      fmt::format("column '{}'[{}]: expected a finite number, found {}",
                                  column.spec.name, r, v));
    column.values.data[r] = static_cast<float>(v);
  }
}

}  // namespace

Dataset dataset_from_arrays(std::span<const ColumnSpec> columns, std::vector<ArrayColumn> given,
                            const std::string& source) {
  const std::vector<ArrayColumn*> matched = match_columns(columns, given, source);
  Dataset data;
  data.file = source;
  std::optional<size_t> rows;
  std::optional<bool> texts_as_ids;
  for (size_t c = 0; c < columns.size(); ++c) {
    const ColumnSpec& spec = columns[c];
    ColumnValues& values = matched[c]->values;
    DataColumn& column = data.columns.emplace_back();
    column.spec = spec;
    const size_t n = rows_of(values);
    if (!rows) rows = n;
    if (n != *rows)
      throw DataError(source, 0,
                      fmt::format("column '{}' has {} rows, column '{}' {}", spec.name, n,
                                  columns.front().name, *rows));
    const bool text = spec.kind == ColumnKind::kText;
    const bool numbers = std::holds_alternative<std::vector<double>>(values);
    if (text == numbers)
      throw DataError(source, 0,
                      fmt::format("column '{}' must hold {}", spec.name, kind_name(spec.kind)));
    if (!text) {
      fill_numbers(column, std::get<std::vector<double>>(values), source);
      continue;
    }
    const bool ids = std::holds_alternative<ops::IdTensor>(values);
    if (texts_as_ids && *texts_as_ids != ids)
      throw DataError(source, 0,
                      "give every text column as texts or every one as token ids: they share "
                      "one vocabulary");
    texts_as_ids = ids;
    if (ids)
      fill_ids(column, std::move(std::get<ops::IdTensor>(values)), source);
    else
      fill_texts(column, std::get<std::vector<std::string>>(values), source);
  }
  if (rows.value_or(0) == 0) throw DataError(source, 0, "no rows");
  for (size_t r = 0; r < *rows; ++r) data.lines.push_back(static_cast<int64_t>(r) + 1);
  return data;
}

}  // namespace twinflow::runtime

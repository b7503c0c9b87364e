#include "runtime/data/tsv_reader.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <sstream>

#include "graph/ir/suggest.h"
#include "runtime/text/data_error.h"
#include "runtime/text/line_reader.h"
#include "runtime/text/tokenizer.h"

namespace twinflow::runtime {

namespace {

void split_tabs(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  for (size_t begin = 0;;) {
    const size_t tab = line.find('\t', begin);
    fields.push_back(line.substr(begin, tab == std::string_view::npos ? tab : tab - begin));
    if (tab == std::string_view::npos) return;
    begin = tab + 1;
  }
}

std::string_view trim_spaces(std::string_view s) {
  const size_t first = s.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

std::string join_names(std::span<const ColumnSpec> columns) {
  std::string out;
  for (const ColumnSpec& c : columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

// At most about 40 bytes of a field for a message, cut at a character boundary.
std::string excerpt(std::string_view field) {
  if (field.size() <= 40) return std::string(field);
  size_t cut = 40;
  while (cut > 0 && (static_cast<unsigned char>(field[cut]) & 0xC0u) == 0x80u) --cut;
  return std::string(field.substr(0, cut)) + "…";
}

std::optional<double> parse_number(std::string_view s) {
  s = trim_spaces(s);
  if (s.starts_with('+')) s.remove_prefix(1);
  double v = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// For each column, the header field that holds it. Throws one DataError listing every
// problem of the header, so a user fixes them in one go.
std::vector<size_t> match_header(std::string_view header, std::span<const ColumnSpec> columns,
                                 const std::string& file, int64_t line) {
  if (auto bad = utf8_problem(header)) throw DataError(file, line, "header: " + *bad);
  std::vector<std::string_view> fields;
  split_tabs(header, fields);
  std::vector<std::optional<size_t>> position(columns.size());
  std::vector<std::string> problems, unknown;
  for (size_t f = 0; f < fields.size(); ++f) {
    const std::string name(trim_spaces(fields[f]));
    size_t c = 0;
    while (c < columns.size() && columns[c].name != name) ++c;
    if (name.empty()) {
      problems.push_back(fmt::format("field {} of the header is empty", f + 1));
    } else if (c == columns.size()) {
      unknown.push_back(name);
    } else if (position[c]) {
      problems.push_back(fmt::format("column '{}' appears twice (fields {} and {})", name,
                                     *position[c] + 1, f + 1));
    } else {
      position[c] = f;
    }
  }
  std::vector<std::string> missing;
  for (size_t c = 0; c < columns.size(); ++c)
    if (!position[c]) missing.push_back(columns[c].name);
  for (const std::string& name : unknown)
    problems.push_back(
        fmt::format("unexpected column '{}'{}", name, graph::did_you_mean(name, missing)));
  for (const std::string& name : missing)
    problems.push_back(fmt::format("missing column '{}'", name));
  if (problems.empty()) {
    std::vector<size_t> found;
    for (const auto& p : position) found.push_back(*p);
    return found;
  }
  std::string message = "header: ";
  for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  if (fields.size() == 1 && fields[0].find(' ') != std::string_view::npos)
    message += "; column names are separated by tabs, not spaces";
  throw DataError(
      file, line,
      fmt::format("{} (the columns must be {}, in any order)", message, join_names(columns)));
}

// Checks one row's fields and keeps their parsed values until append_to.
class RowParser {
 public:
  RowParser(std::span<const ColumnSpec> columns, std::vector<size_t> position, size_t fields)
      : columns_(columns), position_(std::move(position)), header_fields_(fields) {
    values_.resize(columns.size());
    std::vector<std::string> names(fields);
    for (size_t c = 0; c < columns.size(); ++c) names[position_[c]] = columns[c].name;
    for (const std::string& name : names)
      header_names_ += (header_names_.empty() ? "" : ", ") + name;
  }

  // What is wrong with the row, or nothing.
  std::optional<std::string> check(std::string_view line) {
    split_tabs(line, fields_);
    if (fields_.size() != header_fields_)
      return fmt::format("expected {} tab-separated fields ({}), found {}{}", header_fields_,
                         header_names_, fields_.size(),
                         fields_.size() > header_fields_ ? " (a field cannot contain a tab)" : "");
    for (size_t c = 0; c < columns_.size(); ++c)
      if (auto problem = check_field(fields_[position_[c]], columns_[c], values_[c]))
        return fmt::format("column '{}': {}", columns_[c].name, *problem);
    return std::nullopt;
  }

  // Adds the row last checked to the dataset.
  void append_to(Dataset& data, int64_t line) const {
    for (size_t c = 0; c < columns_.size(); ++c) {
      DataColumn& column = data.columns[c];
      if (column.is_text()) {
        column.text += fields_[position_[c]];
        column.text_ends.push_back(static_cast<int64_t>(column.text.size()));
      } else {
        column.values.data.push_back(values_[c]);
      }
    }
    data.lines.push_back(line);
  }

 private:
  std::optional<std::string> check_field(std::string_view field, const ColumnSpec& spec,
                                         float& value) {
    if (auto bad = utf8_problem(field)) return *bad;
    if (spec.kind == ColumnKind::kText) {
      tokenize(field, tokens_);
      if (tokens_.empty())
        return field.empty() ? std::string("empty text")
                             : fmt::format("no tokens in '{}' (a text needs a letter or digit)",
                                           excerpt(field));
      return std::nullopt;
    }
    const std::optional<double> v = parse_number(field);
    if (spec.kind == ColumnKind::kLabel01) {
      if (!v || (*v != 0.0 && *v != 1.0))
        return fmt::format("expected a label 0 or 1, found '{}'", excerpt(field));
    } else if (!v || !std::isfinite(static_cast<float>(*v))) {
      return fmt::format("expected a finite number, found '{}'", excerpt(field));
    }
    value = static_cast<float>(*v);
    return std::nullopt;
  }

  std::span<const ColumnSpec> columns_;
  std::vector<size_t> position_;
  size_t header_fields_;
  std::string header_names_;  // in the header's order
  std::vector<std::string_view> fields_;
  std::vector<float> values_;
  std::vector<std::string> tokens_;
};

Dataset start_dataset(const std::string& file, std::span<const ColumnSpec> columns) {
  Dataset data;
  data.file = file;
  for (const ColumnSpec& spec : columns) {
    if (spec.kind == ColumnKind::kText && spec.length <= 0)
      throw graph::RuntimeInputError(
          fmt::format("text column '{}' needs a length > 0, not {}", spec.name, spec.length));
    data.columns.emplace_back().spec = spec;
  }
  return data;
}

void finish_dataset(Dataset& data) {
  for (DataColumn& c : data.columns)
    if (!c.is_text()) c.values.shape = graph::Shape{data.rows(), 1};
  if (data.rows() > 0) return;
  if (data.skipped_rows > 0)
    throw DataError(data.file, 0,
                    fmt::format("all {} rows are malformed; the first: {}", data.skipped_rows,
                                data.skipped_messages.front()));
  throw DataError(data.file, 0, "no rows after the header");
}

Dataset read_rows(LineReader& reader, std::span<const ColumnSpec> columns,
                  const TsvOptions& options) {
  Dataset data = start_dataset(reader.file(), columns);
  std::string line;
  if (!reader.next(line))
    throw DataError(reader.file(), 0,
                    fmt::format("empty file; the first line must name the columns ({}), "
                                "separated by tabs",
                                join_names(columns)));
  std::vector<std::string_view> header;
  split_tabs(line, header);
  RowParser parser(columns, match_header(line, columns, reader.file(), reader.line_number()),
                   header.size());
  while (reader.next(line)) {
    if (line.empty()) continue;
    if (auto problem = parser.check(line)) {
      BadRowError error(reader.file(), reader.line_number(), *problem);
      if (!options.skip_bad_rows) throw error;
      if (data.skipped_rows++ < options.max_messages) data.skipped_messages.push_back(error.what());
      continue;
    }
    parser.append_to(data, reader.line_number());
  }
  finish_dataset(data);
  return data;
}

}  // namespace

std::vector<std::string> read_tsv_header(const std::string& path) {
  LineReader reader(path);
  std::string line;
  std::vector<std::string> names;
  if (!reader.next(line)) return names;
  std::vector<std::string_view> fields;
  split_tabs(line, fields);
  for (std::string_view f : fields) names.emplace_back(trim_spaces(f));
  return names;
}

Dataset read_tsv(const std::string& path, std::span<const ColumnSpec> columns,
                 const TsvOptions& options) {
  LineReader reader(path);
  return read_rows(reader, columns, options);
}

Dataset parse_tsv(std::string_view content, const std::string& file,
                  std::span<const ColumnSpec> columns, const TsvOptions& options) {
  std::istringstream in{std::string(content)};
  LineReader reader(in, file);
  return read_rows(reader, columns, options);
}

}  // namespace twinflow::runtime

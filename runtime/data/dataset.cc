#include "runtime/data/dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "graph/ir/errors.h"
#include "runtime/text/subwords.h"
#include "runtime/text/tokenizer.h"

namespace twinflow::runtime {

std::string_view DataColumn::text_of(int64_t row) const {
  const size_t r = static_cast<size_t>(row);
  const size_t begin = r == 0 ? 0 : static_cast<size_t>(text_ends.at(r - 1));
  return std::string_view(text).substr(begin, static_cast<size_t>(text_ends.at(r)) - begin);
}

std::vector<std::string> DataColumn::texts() const {
  std::vector<std::string> out;
  for (size_t r = 0; r < text_ends.size(); ++r) out.emplace_back(text_of(static_cast<int64_t>(r)));
  return out;
}

const DataColumn& Dataset::column(std::string_view name) const {
  for (const DataColumn& c : columns)
    if (c.spec.name == name) return c;
  std::string names;
  for (const DataColumn& c : columns) names += (names.empty() ? "" : ", ") + c.spec.name;
  throw graph::RuntimeInputError(
      fmt::format("{}: no column named '{}' (the columns are {})", file, name, names));
}

DataColumn& Dataset::column(std::string_view name) {
  return const_cast<DataColumn&>(std::as_const(*this).column(name));
}

void Dataset::count_tokens(TokenCounts& counts) const {
  std::vector<std::string> tokens;
  for (const DataColumn& c : columns) {
    if (!c.is_text() || c.ids_only) continue;
    for (int64_t r = 0; r < rows(); ++r) {
      tokenize(c.text_of(r), tokens);
      counts.add(tokens);
    }
  }
}

void Dataset::encode(const Vocabulary& vocab,
                     const std::map<std::string, graph::SubwordInput>& subwords) {
  std::vector<std::string> tokens;
  for (DataColumn& c : columns) {
    const auto found = c.is_text() ? subwords.find(c.spec.name) : subwords.end();
    const graph::SubwordInput* cut = found == subwords.end() ? nullptr : &found->second;
    if (cut && c.ids_only)
      throw graph::RuntimeInputError(fmt::format(
          "{}: column '{}' holds token ids, but the model cuts subwords from its words: give "
          "its texts",
          file, c.spec.name));
    if (!c.is_text() || c.ids_only) continue;
    const int64_t length = c.spec.length;
    c.ids.resize(graph::Shape{rows(), length});
    const int64_t slots = cut ? cut->slots() : 0;
    c.pieces.resize(cut ? graph::Shape{rows(), length, slots} : graph::Shape{0});
    c.pieces_input = cut ? cut->pieces : std::string();
    c.stats = {};
    for (int64_t r = 0; r < rows(); ++r) {
      tokenize(c.text_of(r), tokens);
      const int64_t n = static_cast<int64_t>(tokens.size());
      c.stats.tokens += n;
      if (n > length) {
        ++c.stats.cut_rows;
        c.stats.cut_tokens += n - length;
      }
      c.stats.unknown +=
          encode_text(tokens, vocab, cut,
                      std::span<int32_t>(c.ids.data)
                          .subspan(static_cast<size_t>(r * length), static_cast<size_t>(length)),
                      std::span<int32_t>(c.pieces.data)
                          .subspan(static_cast<size_t>(r * length * slots),
                                   static_cast<size_t>(length * slots)));
    }
  }
}

bool Dataset::has_text() const {
  return std::any_of(columns.begin(), columns.end(),
                     [](const DataColumn& c) { return c.is_text() && !c.ids_only; });
}

}  // namespace twinflow::runtime

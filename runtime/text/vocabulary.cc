#include "runtime/text/vocabulary.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "graph/ir/errors.h"
#include "runtime/io/atomic_file.h"
#include "runtime/text/data_error.h"
#include "runtime/text/line_reader.h"
#include "runtime/text/tokenizer.h"

namespace twinflow::runtime {

namespace {

bool has_ascii_whitespace(std::string_view s) {
  return s.find_first_of(" \t\n\v\f\r") != std::string_view::npos;
}

std::string quoted_list(const std::vector<std::string>& tokens) {
  if (tokens.empty()) return "nothing";
  std::string out;
  for (const std::string& t : tokens) out += (out.empty() ? "'" : ", '") + t + "'";
  return out;
}

// Why a token cannot be listed, or nothing when it can: a listed token must be exactly one
// token of the tokenizer, or it could never be looked up.
std::optional<std::string> token_problem(const std::string& token) {
  if (token.empty()) return "empty token";
  if (auto bad = utf8_problem(token)) return *bad;
  if (has_ascii_whitespace(token))
    return fmt::format("token '{}' contains whitespace; each line holds one token", token);
  const std::vector<std::string> pieces = tokenize(token);
  if (pieces.size() != 1 || pieces[0] != token)
    return fmt::format("token '{}' can never match: the tokenizer turns it into {}", token,
                       quoted_list(pieces));
  return std::nullopt;
}

Vocabulary read_lines(LineReader& reader) {
  std::vector<std::string> tokens;
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> first_line;
  std::string line;
  while (reader.next(line)) {
    const int64_t n = reader.line_number();
    if (line.empty()) throw DataError(reader.file(), n, "empty line; every line holds one token");
    if (auto problem = token_problem(line)) throw DataError(reader.file(), n, *problem);
    const auto [it, inserted] = first_line.emplace(line, n);
    if (!inserted)
      throw DataError(reader.file(), n,
                      fmt::format("token '{}' is already on line {}; each token is listed once",
                                  line, it->second));
    tokens.push_back(line);
  }
  return Vocabulary(std::move(tokens));
}

}  // namespace

void TokenCounts::add(std::span<const std::string> tokens) {
  for (const std::string& t : tokens) {
    auto it = counts_.find(t);
    if (it == counts_.end()) {
      counts_.emplace(t, 1);
    } else {
      ++it->second;
    }
  }
  total_ += static_cast<int64_t>(tokens.size());
}

Vocabulary::Vocabulary(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
  if (tokens_.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max() - kFirstToken))
    throw graph::RuntimeInputError("a vocabulary holds at most 2^31 - 3 tokens (ids are int32)");
  ids_.reserve(tokens_.size());
  for (size_t k = 0; k < tokens_.size(); ++k) {
    if (auto problem = token_problem(tokens_[k]))
      throw graph::RuntimeInputError(fmt::format("vocabulary token {}: {}", k, *problem));
    const int32_t id = static_cast<int32_t>(k) + kFirstToken;
    const auto [it, inserted] = ids_.emplace(tokens_[k], id);
    if (!inserted)
      throw graph::RuntimeInputError(fmt::format(
          "vocabulary token '{}' is listed twice (ids {} and {})", tokens_[k], it->second, id));
  }
}

Vocabulary Vocabulary::build(const TokenCounts& counts, int64_t min_count, int64_t max_size) {
  if (max_size != 0 && max_size < kFirstToken)
    throw graph::RuntimeInputError(fmt::format(
        "max_size {} is too small: it counts the padding and out-of-vocabulary ids, so it "
        "must be at least 2 (or 0 for no limit)",
        max_size));
  std::vector<std::pair<std::string_view, int64_t>> kept;
  for (const auto& [token, count] : counts.counts())
    if (count >= min_count) kept.emplace_back(token, count);
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (max_size != 0 && std::ssize(kept) > max_size - kFirstToken)
    kept.resize(static_cast<size_t>(max_size - kFirstToken));
  std::vector<std::string> tokens;
  tokens.reserve(kept.size());
  for (const auto& [token, count] : kept) tokens.emplace_back(token);
  return Vocabulary(std::move(tokens));
}

Vocabulary Vocabulary::read(const std::string& path) {
  LineReader reader(path);
  return read_lines(reader);
}

Vocabulary Vocabulary::parse(std::string_view content, const std::string& file) {
  std::istringstream in{std::string(content)};
  LineReader reader(in, file);
  return read_lines(reader);
}

void Vocabulary::write(const std::string& path) const {
  std::string content;
  for (const std::string& t : tokens_) {
    content += t;
    content += '\n';
  }
  write_file_atomically(path, content);
}

int32_t Vocabulary::id(std::string_view token) const {
  const auto it = ids_.find(token);
  return it == ids_.end() ? kUnknown : it->second;
}

std::string_view Vocabulary::token(int32_t id) const {
  if (id == kPadding) return "<pad>";
  if (id == kUnknown) return "<unk>";
  if (id < kFirstToken || id >= size())
    throw std::out_of_range(fmt::format("id {} is outside the vocabulary [0, {})", id, size()));
  return tokens_[static_cast<size_t>(id - kFirstToken)];
}

int64_t Vocabulary::encode(std::span<const std::string> tokens, std::span<int32_t> out) const {
  const size_t kept = std::min(tokens.size(), out.size());
  int64_t unknown = 0;
  for (size_t i = 0; i < kept; ++i) {
    out[i] = id(tokens[i]);
    unknown += out[i] == kUnknown;
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(kept), out.end(), kPadding);
  return unknown;
}

std::vector<int32_t> Vocabulary::encode(std::span<const std::string> tokens, int64_t length) const {
  std::vector<int32_t> ids(static_cast<size_t>(std::max<int64_t>(length, 0)));
  encode(tokens, ids);
  return ids;
}

}  // namespace twinflow::runtime

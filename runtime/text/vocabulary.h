// runtime/text/ (twinflow_runtime_text): from text to token ids.
// Owns the tokenizer, the vocabulary, pretrained word vectors and located line reading.
// May include: runtime/io, runtime/exec and below.
//
// runtime/text/vocabulary.h — the map from tokens to the ids an Embedding looks up.
//
// Ids: 0 is padding, 1 is out-of-vocabulary (any token not listed), and the k-th token (from
// 0) is id k + 2. The file format is the token list itself: UTF-8, one token per line, line k
// (from 1) holding id k + 1; a final newline is optional, a CRLF ending and a UTF-8 BOM are
// accepted. The reserved ids have no line.
//
// Reading rejects, with file:line, what would silently change the ids or never match:
// an empty line, a token with whitespace, a duplicate (naming the line it first appeared on),
// bad UTF-8, and a token the tokenizer can never produce ("Hello", "don't").
//
// Building from counts keeps the tokens seen at least min_count times, most frequent first,
// ties in byte order of the token, so the same data always gives the same ids. max_size
// counts every id, the two reserved ones included (as Keras's max_tokens does), so it can be
// set to the Embedding's input_dim; 0 means no limit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace twinflow::runtime {

// Heterogeneous lookup: find a std::string_view key without building a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using TokenCountMap = std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>>;

// How often each token occurs in some texts.
class TokenCounts {
 public:
  void add(std::span<const std::string> tokens);
  const TokenCountMap& counts() const { return counts_; }
  int64_t total() const { return total_; }  // tokens added, repeats included

 private:
  TokenCountMap counts_;
  int64_t total_ = 0;
};

class Vocabulary {
 public:
  static constexpr int32_t kPadding = 0;
  static constexpr int32_t kUnknown = 1;
  static constexpr int32_t kFirstToken = 2;

  // Only the two reserved ids.
  Vocabulary() = default;
  // tokens[k] gets id k + 2. Throws graph::RuntimeInputError on an empty or repeated token.
  explicit Vocabulary(std::vector<std::string> tokens);

  static Vocabulary build(const TokenCounts& counts, int64_t min_count, int64_t max_size);
  // Throws DataError ("file:line: ...") for the problems listed above, or when the file
  // cannot be opened.
  static Vocabulary read(const std::string& path);
  // Parses file content; `file` only names it in messages.
  static Vocabulary parse(std::string_view content, const std::string& file);
  // Writes to a temporary file in the same directory and renames it over path, so a crash
  // leaves the old file or the new one (runtime/io/atomic_file.h). Throws FileError.
  void write(const std::string& path) const;

  // Every id, the reserved ones included: the smallest Embedding input_dim that fits.
  int64_t size() const { return static_cast<int64_t>(tokens_.size()) + kFirstToken; }
  // The listed tokens in id order (tokens()[k] is id k + 2): the file's lines.
  const std::vector<std::string>& tokens() const { return tokens_; }

  int32_t id(std::string_view token) const;  // kUnknown when absent
  bool contains(std::string_view token) const { return ids_.find(token) != ids_.end(); }
  // "<pad>" and "<unk>" for the reserved ids. Throws std::out_of_range for other ids.
  std::string_view token(int32_t id) const;

  // Writes the ids of tokens to out (its size is the length): cut or padded with kPadding at
  // the end ("post", Keras's pad_sequences(padding="post", truncating="post")). Returns how
  // many of the written ids are kUnknown.
  int64_t encode(std::span<const std::string> tokens, std::span<int32_t> out) const;
  std::vector<int32_t> encode(std::span<const std::string> tokens, int64_t length) const;

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> ids_;
};

}  // namespace twinflow::runtime

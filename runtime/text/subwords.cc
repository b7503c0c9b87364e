#include "runtime/text/subwords.h"

#include <algorithm>
#include <vector>

namespace twinflow::runtime {

namespace {

// Where each code point of s starts, and s.size() at the end. s is valid UTF-8 (a token).
void code_point_starts(std::string_view s, std::vector<size_t>& starts) {
  starts.clear();
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  starts.push_back(s.size());
}

}  // namespace

uint32_t fnv1a_32(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

int64_t subword_rows(std::string_view word, const graph::SubwordAttrs& s, int64_t first_row,
                     std::span<int32_t> out) {
  std::fill(out.begin(), out.end(), -1);
  thread_local std::string marked;
  thread_local std::vector<size_t> starts;
  marked.assign("<").append(word).append(">");
  code_point_starts(marked, starts);
  const int64_t chars = static_cast<int64_t>(starts.size()) - 1;
  const auto buckets = static_cast<uint32_t>(s.buckets);
  int64_t written = 0;
  for (int64_t n = s.min_n; n <= s.max_n; ++n) {
    for (int64_t i = 0; i + n <= chars; ++i) {
      if (n == 1 && (i == 0 || i + 1 == chars)) continue;  // a bracket alone
      if (written == static_cast<int64_t>(out.size())) return written;
      const size_t begin = starts[static_cast<size_t>(i)];
      const size_t end = starts[static_cast<size_t>(i + n)];
      const uint32_t bucket =
          fnv1a_32(std::string_view(marked).substr(begin, end - begin)) % buckets;
      out[static_cast<size_t>(written++)] = static_cast<int32_t>(first_row + bucket);
    }
  }
  return written;
}

void encode_subwords(std::span<const std::string> tokens, const graph::SubwordAttrs& s,
                     int64_t first_row, std::span<int32_t> out) {
  const auto slots = static_cast<size_t>(graph::subword_slots(s));
  const size_t positions = out.size() / slots;
  std::fill(out.begin(), out.end(), -1);
  for (size_t p = 0; p < std::min(positions, tokens.size()); ++p)
    subword_rows(tokens[p], s, first_row, out.subspan(p * slots, slots));
}

int64_t encode_text(std::span<const std::string> tokens, const Vocabulary& vocab,
                    const graph::SubwordInput* subwords, std::span<int32_t> ids,
                    std::span<int32_t> pieces) {
  if (subwords) encode_subwords(tokens, subwords->subwords, subwords->first_row, pieces);
  return vocab.encode(tokens, ids);
}

}  // namespace twinflow::runtime

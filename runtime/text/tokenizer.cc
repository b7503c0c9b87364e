#include "runtime/text/tokenizer.h"

#include <fmt/format.h>

namespace twinflow::runtime {

namespace {

// One code point and the bytes it took; bytes == 0 marks an invalid sequence.
struct Decoded {
  char32_t cp = 0;
  size_t bytes = 0;
};

// Strict UTF-8 (RFC 3629): the shortest form only, no surrogates, nothing above U+10FFFF.
Decoded decode(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1};
  // The lead byte gives the length, its payload bits and the smallest code point that
  // needs that length (anything smaller is an overlong form).
  size_t bytes = 0;
  char32_t cp = 0, smallest = 0;
  if (lead >= 0xC2 && lead < 0xE0) {
    bytes = 2;
    cp = lead & 0x1Fu;
    smallest = 0x80;
  } else if (lead >= 0xE0 && lead < 0xF0) {
    bytes = 3;
    cp = lead & 0x0Fu;
    smallest = 0x800;
  } else if (lead >= 0xF0 && lead < 0xF5) {
    bytes = 4;
    cp = lead & 0x07u;
    smallest = 0x10000;
  } else {
    return {};
  }
  if (i + bytes > s.size()) return {};
  for (size_t k = 1; k < bytes; ++k) {
    if ((byte(i + k) & 0xC0u) != 0x80u) return {};
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, bytes};
}

void append_utf8(std::string& out, char32_t cp) {
  const auto put = [&](char32_t b) { out.push_back(static_cast<char>(b)); };
  if (cp < 0x80) return put(cp);
  if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
  }
  put(0x80 | (cp & 0x3F));
}

// Latin Extended-A pairs each capital with the next code point, capitals on even code points
// except in U+0139–U+0148 and U+0179–U+017E; İ, ı, ĸ, ŉ and ſ have no one-code-point pair.
char32_t lower_latin_extended_a(char32_t c) {
  if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
  if (c == 0x178) return 0xFF;  // Ÿ pairs with ÿ in Latin-1
  const bool odd_capitals = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
  const bool capital = odd_capitals ? c % 2 == 1 : c % 2 == 0;
  return capital ? c + 1 : c;
}

char32_t lower(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 0x20 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c >= 0x100 && c <= 0x17F) return lower_latin_extended_a(c);
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

bool in(char32_t c, char32_t first, char32_t last) { return c >= first && c <= last; }

bool is_non_ascii_separator(char32_t c) {
  if (c <= 0xBF) return c != 0xAA && c != 0xB5 && c != 0xBA;
  return c == 0xD7 || c == 0xF7 || in(c, 0x2000, 0x206F) || in(c, 0x3000, 0x3004) ||
         in(c, 0x3008, 0x3020) || c == 0xFEFF || in(c, 0xFF01, 0xFF0F) || in(c, 0xFF1A, 0xFF20) ||
         in(c, 0xFF3B, 0xFF40) || in(c, 0xFF5B, 0xFF65);
}

bool is_token_char(char32_t c) {
  if (c < 0x80) return in(c, 'a', 'z') || in(c, 'A', 'Z') || in(c, '0', '9');
  return !is_non_ascii_separator(c);
}

std::string describe_invalid(std::string_view text, size_t offset) {
  return fmt::format("invalid UTF-8 at byte offset {} (byte 0x{:02x})", offset,
                     static_cast<unsigned char>(text[offset]));
}

// Calls f(code point) for each code point of text; throws Utf8Error at the first bad one.
template <typename F>
void for_each_code_point(std::string_view text, F f) {
  for (size_t i = 0; i < text.size();) {
    const Decoded d = decode(text, i);
    if (d.bytes == 0) throw Utf8Error(i, describe_invalid(text, i));
    f(d.cp);
    i += d.bytes;
  }
}

}  // namespace

std::optional<std::string> utf8_problem(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const Decoded d = decode(text, i);
    if (d.bytes == 0) return describe_invalid(text, i);
    i += d.bytes;
  }
  return std::nullopt;
}

std::string lower_case(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_code_point(text, [&](char32_t c) { append_utf8(out, lower(c)); });
  return out;
}

void tokenize(std::string_view text, std::vector<std::string>& tokens) {
  // Reuses the strings already in tokens, so reading a file allocates per new length only.
  size_t count = 0;
  bool inside = false;
  for_each_code_point(text, [&](char32_t c) {
    if (!is_token_char(c)) {
      inside = false;
      return;
    }
    if (!inside) {
      if (tokens.size() <= count) tokens.emplace_back();
      tokens[count++].clear();
      inside = true;
    }
    append_utf8(tokens[count - 1], lower(c));
  });
  tokens.resize(count);
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  tokenize(text, tokens);
  return tokens;
}

}  // namespace twinflow::runtime

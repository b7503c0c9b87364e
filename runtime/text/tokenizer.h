// runtime/text/tokenizer.h — turns a text into the tokens a vocabulary maps to ids.
//
// The rule, exactly (docs and the vocabulary file format depend on it):
//   - The text must be valid UTF-8 (no overlong forms, surrogates or code points above
//     U+10FFFF); otherwise tokenize throws Utf8Error with the byte offset, and the reader of
//     the file adds file:line.
//   - A token is a maximal run of token characters: ASCII letters and digits, and every
//     non-ASCII code point except the separators below. Everything else separates: ASCII
//     spaces, control characters and punctuation ("don't" → "don", "t"; "3:16" → "3", "16").
//   - Non-ASCII separators: U+0080–U+00BF (Latin-1 controls, no-break space and signs such
//     as « » ¿ § ©; but ª µ º are letters), × and ÷, U+2000–U+206F (General Punctuation: the
//     typographic spaces, dashes, curly quotes, ellipsis), U+3000–U+3004 and U+3008–U+3020
//     (CJK spaces, punctuation and brackets), U+FEFF, and the fullwidth ASCII punctuation
//     U+FF01–U+FF0F, U+FF1A–U+FF20, U+FF3B–U+FF40, U+FF5B–U+FF65. Curly quotes matter:
//     "Jesus’" must give the token "jesus", as "Jesus'" does.
//   - Lower-casing maps capitals to small letters in ASCII, Latin-1 (À–Þ), Latin Extended-A
//     (Ā–ž), Greek (Α–Ω) and Cyrillic (Ѐ–Я); other code points are kept as they are. This
//     covers the alphabets of European languages without a Unicode database; a script
//     outside them keeps its case (a rare mismatch, never a split).
//   - Code points are never split: combining accents (U+0300–U+036F) are token characters,
//     so a decomposed "é" stays in its word. No normalisation (NFC/NFD) is applied.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/errors.h"

namespace twinflow::runtime {

class Utf8Error : public graph::RuntimeInputError {
 public:
  Utf8Error(size_t offset, const std::string& detail)
      : graph::RuntimeInputError(detail), offset_(offset) {}
  size_t offset() const { return offset_; }  // of the first byte of the bad sequence

 private:
  size_t offset_;
};

// Describes the first invalid byte sequence ("invalid UTF-8 at byte 4 (0xff)"), or nothing
// when the whole text is valid.
std::optional<std::string> utf8_problem(std::string_view text);

// The text with every capital of the alphabets above lower-cased. Throws Utf8Error.
std::string lower_case(std::string_view text);

// Replaces the contents of tokens with the tokens of text, reusing its capacity (readers call
// this once per field). Throws Utf8Error.
void tokenize(std::string_view text, std::vector<std::string>& tokens);
std::vector<std::string> tokenize(std::string_view text);

}  // namespace twinflow::runtime

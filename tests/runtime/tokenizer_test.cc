#include "runtime/text/tokenizer.h"

#include <doctest/doctest.h>

namespace twinflow::runtime {
namespace {

using Tokens = std::vector<std::string>;

size_t utf8_error_offset(std::string_view text) {
  try {
    tokenize(text);
  } catch (const Utf8Error& e) {
    return e.offset();
  }
  FAIL("expected a Utf8Error");
  return 0;
}

TEST_SUITE("runtime.text") {
  TEST_CASE("ASCII punctuation and spaces separate; letters are lower-cased") {
    CHECK(tokenize("Hello, World! It's 3:16.") == Tokens{"hello", "world", "it", "s", "3", "16"});
    CHECK(tokenize("  tab\tand\nnewline\r\n") == Tokens{"tab", "and", "newline"});
    CHECK(tokenize("snake_case-and.dots/slash") == Tokens{"snake", "case", "and", "dots", "slash"});
  }

  TEST_CASE("digits are token characters, mixed with letters too") {
    CHECK(tokenize("abc123 x2 2024") == Tokens{"abc123", "x2", "2024"});
  }

  TEST_CASE("a text of only punctuation or nothing has no tokens") {
    CHECK(tokenize("").empty());
    CHECK(tokenize(" ?! -- ... ").empty());
  }

  TEST_CASE("letters of European alphabets are lower-cased whole") {
    CHECK(tokenize("Café CRÈME") == Tokens{"café", "crème"});
    CHECK(tokenize("ŁÓDŹ Ĳssel") == Tokens{"łódź", "ĳssel"});
    CHECK(tokenize("ΑΘΗΝΑ МОСКВА Ѐ") == Tokens{"αθηνα", "москва", "ѐ"});
    CHECK(lower_case("ÀÉ×ŸĸİABC") == "àé×ÿĸİabc");  // × is no letter; ĸ and İ have no pair
  }

  TEST_CASE("typographic punctuation separates like its ASCII counterpart") {
    CHECK(tokenize("Jesus’ words") == tokenize("Jesus' words"));
    CHECK(tokenize("“Peace”—to you…") == Tokens{"peace", "to", "you"});
    CHECK(tokenize("«Ça» ¿qué? a\u00a0b") == Tokens{"ça", "qué", "a", "b"});
    CHECK(tokenize("東京、大阪。") == Tokens{"東京", "大阪"});
    CHECK(tokenize("µm ªb") == Tokens{"µm", "ªb"});  // letters of Latin-1
  }

  TEST_CASE("code points are never split") {
    CHECK(tokenize("e\u0301te") == Tokens{"e\u0301te"});  // a decomposed é stays in its word
    CHECK(tokenize("hi😀there") == Tokens{"hi😀there"});
    CHECK(tokenize("日本語") == Tokens{"日本語"});
  }

  TEST_CASE("invalid UTF-8 is an error at the offset of the bad sequence") {
    CHECK(utf8_error_offset("ab\xff"
                            "cd") == 2);
    CHECK(utf8_error_offset("caf\xc3") == 3);              // truncated
    CHECK(utf8_error_offset("x\xc0\xaf") == 1);            // overlong '/'
    CHECK(utf8_error_offset("\xed\xa0\x80") == 0);         // a surrogate
    CHECK(utf8_error_offset("ok \xf4\x90\x80\x80") == 3);  // above U+10FFFF
    CHECK(utf8_error_offset("\xe2\x82") == 0);             // cut inside a sequence
    CHECK_THROWS_AS(lower_case("A\x80"), Utf8Error);
  }

  TEST_CASE("utf8_problem describes the first bad byte, or nothing") {
    CHECK_FALSE(utf8_problem("plain ascii, café, 日本, 😀").has_value());
    const auto problem = utf8_problem("ab\xff");
    REQUIRE(problem.has_value());
    CHECK(*problem == "invalid UTF-8 at byte offset 2 (byte 0xff)");
  }

  TEST_CASE("a reused token vector holds only the new tokens") {
    std::vector<std::string> tokens;
    tokenize("one two three", tokens);
    tokenize("Four", tokens);
    CHECK(tokens == Tokens{"four"});
    tokenize("", tokens);
    CHECK(tokens.empty());
  }
}

}  // namespace
}  // namespace twinflow::runtime

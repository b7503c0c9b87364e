// The subword pieces of runtime/text/subwords.h: FNV-1a against its published test values,
// which n-grams a word gives and in what order, code points never split, long words cut, and
// the rows of a text laid out as the Embedding reads them.
#include "runtime/text/subwords.h"

#include <doctest/doctest.h>

#include <vector>

namespace twinflow::runtime {
namespace {

using graph::SubwordAttrs;

// The pieces of word as rows of a table with no vocabulary rows and 2^31 - 1 buckets, so that
// each row is the piece's hash (all hashes here are below 2^31 - 1).
std::vector<int32_t> rows_of(std::string_view word, SubwordAttrs s) {
  std::vector<int32_t> out(static_cast<size_t>(graph::subword_slots(s)));
  out.resize(static_cast<size_t>(subword_rows(word, s, 0, out)));
  return out;
}

int32_t piece_row(std::string_view piece, int64_t buckets = 2147483647) {
  return static_cast<int32_t>(fnv1a_32(piece) % static_cast<uint32_t>(buckets));
}

TEST_SUITE("runtime.subwords") {
  TEST_CASE("FNV-1a 32 gives the published test values") {
    CHECK(fnv1a_32("") == 0x811c9dc5u);
    CHECK(fnv1a_32("a") == 0xe40c292cu);
    CHECK(fnv1a_32("foobar") == 0xbf9cf968u);
  }

  TEST_CASE("a word's pieces: each n, shortest first, left to right, brackets marking the ends") {
    const SubwordAttrs s{3, 4, 2147483647};
    CHECK(rows_of("the", s) == std::vector<int32_t>{piece_row("<th"), piece_row("the"),
                                                    piece_row("he>"), piece_row("<the"),
                                                    piece_row("the>")});
    // A word shorter than min_n still has the pieces its brackets make.
    CHECK(rows_of("a", s) == std::vector<int32_t>{piece_row("<a>")});
    // A repeated n-gram counts twice.
    const std::vector<int32_t> banana = rows_of("banana", SubwordAttrs{3, 3, 2147483647});
    CHECK(banana == std::vector<int32_t>{piece_row("<ba"), piece_row("ban"), piece_row("ana"),
                                         piece_row("nan"), piece_row("ana"), piece_row("na>")});
    // n = 1: the letters, never a bracket alone.
    CHECK(rows_of("ab", SubwordAttrs{1, 1, 2147483647}) ==
          std::vector<int32_t>{piece_row("a"), piece_row("b")});
  }

  TEST_CASE("code points are never split") {
    // "été" is 3 code points in 5 bytes: "<ét", "été", "té>".
    CHECK(rows_of("\xC3\xA9t\xC3\xA9", SubwordAttrs{3, 3, 2147483647}) ==
          std::vector<int32_t>{piece_row("<\xC3\xA9t"), piece_row("\xC3\xA9t\xC3\xA9"),
                               piece_row("t\xC3\xA9>")});
  }

  TEST_CASE("rows follow the vocabulary, in [first_row, first_row + buckets)") {
    const SubwordAttrs s{3, 5, 1000};
    std::vector<int32_t> out(static_cast<size_t>(graph::subword_slots(s)));
    CHECK(subword_rows("spake", s, 42, out) == 5 + 4 + 3);
    CHECK(out[0] == 42 + piece_row("<sp", 1000));
    for (size_t k = 0; k < out.size(); ++k) {
      CAPTURE(k);
      if (k < 12) {
        CHECK(out[k] >= 42);
        CHECK(out[k] < 1042);
      } else {
        CHECK(out[k] == -1);
      }
    }
  }

  TEST_CASE("a word longer than kSubwordChars keeps the first subword_slots pieces") {
    const SubwordAttrs s{3, 5, 2147483647};
    CHECK(graph::subword_slots(s) == 24 + 23 + 22);
    const std::string long_word(40, 'x');
    std::vector<int32_t> out(static_cast<size_t>(graph::subword_slots(s)));
    CHECK(subword_rows(long_word, s, 0, out) == graph::subword_slots(s));
    // 40 three-grams come first (40 letters and 2 brackets), so all 69 slots hold 3- and 4-grams.
    CHECK(out[0] == piece_row("<xx"));
    CHECK(out[39] == piece_row("xx>"));
    CHECK(out[40] == piece_row("<xxx"));
    CHECK(out[68] == piece_row("xxxx"));
  }

  TEST_CASE("a text's pieces: one block per position, cut as its ids are, -1 past the text") {
    const SubwordAttrs s{3, 3, 2147483647};
    const int64_t slots = graph::subword_slots(s);
    const std::vector<std::string> tokens{"go", "ye", "into"};
    std::vector<int32_t> out(static_cast<size_t>(2 * slots), 7);
    encode_subwords(tokens, s, 0, out);  // two positions: "into" is cut
    CHECK(out[0] == piece_row("<go"));
    CHECK(out[1] == piece_row("go>"));
    CHECK(out[2] == -1);
    CHECK(out[static_cast<size_t>(slots)] == piece_row("<ye"));
    CHECK(out[static_cast<size_t>(slots) + 1] == piece_row("ye>"));
    std::vector<int32_t> longer(static_cast<size_t>(4 * slots), 7);
    encode_subwords(tokens, s, 0, longer);
    CHECK(longer[static_cast<size_t>(2 * slots)] == piece_row("<in"));
    for (int64_t k = 3 * slots; k < 4 * slots; ++k) CHECK(longer[static_cast<size_t>(k)] == -1);
  }
}

}  // namespace
}  // namespace twinflow::runtime

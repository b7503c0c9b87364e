#include "runtime/text/vocabulary.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "runtime/io/atomic_file.h"
#include "tests/runtime/data_checks.h"
#include "tests/runtime/temp_dir.h"

namespace twinflow::runtime {
namespace {

using testing::contains;
using testing::data_error_of;
using Tokens = std::vector<std::string>;

TokenCounts counts_of(const Tokens& tokens) {
  TokenCounts counts;
  counts.add(tokens);
  return counts;
}

// c ×5, a ×3, b ×3, d ×1
const Tokens kText{"c", "a", "b", "c", "d", "a", "c", "b", "c", "a", "b", "c"};

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_SUITE("runtime.text") {
  TEST_CASE("ids 0 and 1 are reserved; listed tokens start at 2") {
    const Vocabulary v(Tokens{"the", "cat"});
    CHECK(v.size() == 4);
    CHECK(v.id("the") == 2);
    CHECK(v.id("cat") == 3);
    CHECK(v.id("dog") == Vocabulary::kUnknown);
    CHECK(v.token(0) == "<pad>");
    CHECK(v.token(1) == "<unk>");
    CHECK(v.token(3) == "cat");
    CHECK_THROWS_AS(v.token(4), std::out_of_range);
    CHECK(Vocabulary().size() == 2);
  }

  TEST_CASE("build: most frequent first, ties in byte order, whatever the input order") {
    const Vocabulary v = Vocabulary::build(counts_of(kText), 1, 0);
    CHECK(v.tokens() == Tokens{"c", "a", "b", "d"});
    Tokens reversed(kText.rbegin(), kText.rend());
    CHECK(Vocabulary::build(counts_of(reversed), 1, 0).tokens() == v.tokens());
    CHECK(counts_of(kText).total() == 12);
  }

  TEST_CASE("build: min_count drops rare tokens, max_size counts the reserved ids") {
    CHECK(Vocabulary::build(counts_of(kText), 2, 0).tokens() == Tokens{"c", "a", "b"});
    CHECK(Vocabulary::build(counts_of(kText), 4, 0).tokens() == Tokens{"c"});
    const Vocabulary capped = Vocabulary::build(counts_of(kText), 1, 4);
    CHECK(capped.tokens() == Tokens{"c", "a"});
    CHECK(capped.size() == 4);
    CHECK(Vocabulary::build(counts_of(kText), 1, 2).tokens().empty());
    CHECK_THROWS_AS(Vocabulary::build(counts_of(kText), 1, 1), graph::RuntimeInputError);
  }

  TEST_CASE("encode pads and cuts at the end and counts unknown tokens") {
    const Vocabulary v(Tokens{"c", "a"});
    CHECK(v.encode(Tokens{"c", "zzz", "a"}, 5) == std::vector<int32_t>{2, 1, 3, 0, 0});
    CHECK(v.encode(Tokens{"c", "zzz", "a"}, 2) == std::vector<int32_t>{2, 1});
    std::vector<int32_t> out(4, -7);
    CHECK(v.encode(Tokens{"x", "y"}, out) == 2);
    CHECK(out == std::vector<int32_t>{1, 1, 0, 0});
  }

  TEST_CASE("write then read gives the same vocabulary, through a temporary file") {
    testing::TempDir dir;
    const Vocabulary v = Vocabulary::build(counts_of(kText), 1, 0);
    const std::string path = dir.path("vocab.txt");
    dir.write("vocab.txt", "old content\n");
    v.write(path);
    CHECK(read_whole(path) == "c\na\nb\nd\n");
    CHECK(Vocabulary::read(path).tokens() == v.tokens());
    int files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.dir()))
      ++files;
    CHECK(files == 1);  // no temporary file left beside it
    CHECK_THROWS_AS(v.write(dir.path("no/such/dir/vocab.txt")), FileError);
  }

  TEST_CASE("a file with CRLF endings, a BOM and no final newline reads the same") {
    const Vocabulary v = Vocabulary::parse(
        "\xEF\xBB\xBF"
        "c\r\na\r\nb",
        "v.txt");
    CHECK(v.tokens() == Tokens{"c", "a", "b"});
    CHECK(Vocabulary::parse("", "v.txt").size() == 2);
  }

  TEST_CASE("each file error names its line") {
    struct Case {
      std::string content;
      int64_t line;
      std::string message;
    };
    const std::vector<Case> cases{
        {"a\n\nb\n", 2, "empty line"},
        {"a\nb\n\n", 3, "empty line"},
        {"a\nb c\n", 2, "token 'b c' contains whitespace"},
        {"a\nb\t\n", 2, "contains whitespace"},
        {"a\nb\na\n", 3, "token 'a' is already on line 1"},
        {"a\nb\xff\n", 2, "invalid UTF-8 at byte offset 1"},
        {"a\nHello\n", 2, "token 'Hello' can never match: the tokenizer turns it into 'hello'"},
        {"a\ndon't\n", 2, "turns it into 'don', 't'"},
        {"a\n...\n", 2, "turns it into nothing"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.content);
      const DataError e = data_error_of([&] { Vocabulary::parse(c.content, "v.txt"); });
      CHECK(e.file() == "v.txt");
      CHECK(e.line() == c.line);
      CHECK(contains(e.what(), "v.txt:" + std::to_string(c.line) + ": "));
      CHECK(contains(e.detail(), c.message));
    }
  }

  TEST_CASE("a missing file is an error naming it") {
    const DataError e = data_error_of([] { Vocabulary::read("/no/such/vocab.txt"); });
    CHECK(e.line() == 0);
    CHECK(contains(e.what(), "/no/such/vocab.txt: cannot open"));
  }

  TEST_CASE("a vocabulary built in code rejects tokens a file could not hold") {
    CHECK_THROWS_AS(Vocabulary(Tokens{"a", "a"}), graph::RuntimeInputError);
    CHECK_THROWS_AS(Vocabulary(Tokens{"a", ""}), graph::RuntimeInputError);
    CHECK_THROWS_AS(Vocabulary(Tokens{"a\nb"}), graph::RuntimeInputError);
  }
}

}  // namespace
}  // namespace twinflow::runtime

#include "graph/lambda/expr.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace twinflow::graph {

namespace {

std::string error_text(std::string_view text, int column, const std::string& message) {
  // Tabs and line breaks would misalign the caret: show them as spaces.
  std::string shown(text);
  std::replace_if(
      shown.begin(), shown.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return fmt::format("column {}: {}\n  {}\n  {}^", column, message, shown,
                     std::string(static_cast<size_t>(std::max(column, 1) - 1), ' '));
}

enum class Tok {
  kNumber,
  kName,
  kLParen,
  kRParen,
  kComma,
  kEquals,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kEnd
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t begin = 0;
  size_t end = 0;
  double number = 0.0;
  bool is_integer = false;
};

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      if (pos_ == text_.size()) break;
      tokens.push_back(next());
    }
    tokens.push_back(Token{Tok::kEnd, text_.size(), text_.size()});
    return tokens;
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& message) const {
    throw ExprError(text_, static_cast<int>(at) + 1, message);
  }

  Token next() {
    const char c = text_[pos_];
    if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])))
      return number();
    if (is_name_start(c)) {
      const size_t begin = pos_;
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      return Token{Tok::kName, begin, pos_};
    }
    static constexpr std::string_view kPunctuation = "(),=+-*/";
    static constexpr Tok kKinds[] = {Tok::kLParen, Tok::kRParen, Tok::kComma, Tok::kEquals,
                                     Tok::kPlus,   Tok::kMinus,  Tok::kStar,  Tok::kSlash};
    const size_t k = kPunctuation.find(c);
    if (k != std::string_view::npos) {
      if (c == '*' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*')
        fail(pos_, "unexpected '**': there is no power operator (write square(x) or x * x)");
      ++pos_;
      return Token{kKinds[k], pos_ - 1, pos_};
    }
    if (c == '^')
      fail(pos_,
           "unexpected character '^': there is no power operator (write "
           "square(x) or x * x)");
    if (std::isprint(static_cast<unsigned char>(c)))
      fail(pos_, fmt::format("unexpected character '{}': expected a number, a name, an operator "
                             "(+ - * /), a parenthesis, ',' or '='",
                             c));
    fail(pos_, fmt::format("unexpected byte 0x{:02x}: expressions are plain ASCII",
                           static_cast<unsigned>(static_cast<unsigned char>(c))));
  }

  Token number() {
    const size_t begin = pos_;
    bool is_integer = true;
    auto digits = [&] {
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    };
    digits();
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_integer = false;
      ++pos_;
      digits();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      is_integer = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ == text_.size() || !is_digit(text_[pos_]))
        fail(begin, fmt::format("malformed number '{}': expected digits after the exponent",
                                text_.substr(begin, pos_ - begin)));
      digits();
    }
    Token t{Tok::kNumber, begin, pos_};
    t.is_integer = is_integer;
    const char* first = text_.data() + begin;
    const char* last = text_.data() + pos_;
    const auto [ptr, ec] = std::from_chars(first, last, t.number);
    if (ec != std::errc() || ptr != last)
      fail(begin, fmt::format("number '{}' is out of range", text_.substr(begin, pos_ - begin)));
    return t;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), tokens_(Lexer(text).run()) {}

  Expr parse() {
    Expr e = parse_sum(1);
    const Token& t = peek();
    if (t.kind == Tok::kRParen) fail(t, "unbalanced parenthesis: this ')' has no matching '('");
    if (t.kind != Tok::kEnd)
      fail(t, "expected an operator or the end of the expression, found " + describe(t));
    return e;
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& take() { return tokens_[pos_++]; }
  std::string_view spelling(const Token& t) const { return text_.substr(t.begin, t.end - t.begin); }

  [[noreturn]] void fail(const Token& t, const std::string& message) const {
    throw ExprError(text_, static_cast<int>(t.begin) + 1, message);
  }

  std::string describe(const Token& t) const {
    switch (t.kind) {
      case Tok::kNumber:
        return fmt::format("number '{}'", spelling(t));
      case Tok::kName:
        return fmt::format("name '{}'", spelling(t));
      case Tok::kEnd:
        return "the end of the expression";
      default:
        return fmt::format("'{}'", spelling(t));
    }
  }

  void check_level(int level) const {
    if (level > kMaxExprDepth)
      fail(peek(), fmt::format("expression nests too deeply (more than {} levels)", kMaxExprDepth));
  }

  Expr node(ExprKind kind, const Token& at, std::vector<Expr> args) const {
    Expr e;
    e.kind = kind;
    e.begin = at.begin;
    e.end = args.empty() ? at.end : args.back().end;
    for (const Expr& a : args) e.depth = std::max(e.depth, a.depth + 1);
    if (e.depth > kMaxExprDepth)
      fail(at, fmt::format("expression nests too deeply (more than {} levels)", kMaxExprDepth));
    e.args = std::move(args);
    return e;
  }

  Expr binary(const Token& op, Expr left, Expr right) const {
    const size_t begin = left.begin;
    std::vector<Expr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    Expr e = node(ExprKind::kBinary, op, std::move(args));
    e.op = text_[op.begin];
    e.begin = begin;
    return e;
  }

  Expr parse_sum(int level) {
    check_level(level);
    Expr e = parse_product(level);
    while (peek().kind == Tok::kPlus || peek().kind == Tok::kMinus) {
      const Token& op = take();
      e = binary(op, std::move(e), parse_product(level));
    }
    return e;
  }

  Expr parse_product(int level) {
    Expr e = parse_unary(level);
    while (peek().kind == Tok::kStar || peek().kind == Tok::kSlash) {
      const Token& op = take();
      e = binary(op, std::move(e), parse_unary(level));
    }
    return e;
  }

  Expr parse_unary(int level) {
    if (peek().kind != Tok::kMinus && peek().kind != Tok::kPlus) return parse_primary(level);
    const Token& op = take();
    check_level(level + 1);
    std::vector<Expr> operand;
    operand.push_back(parse_unary(level + 1));
    Expr e = node(ExprKind::kUnary, op, std::move(operand));
    e.op = text_[op.begin];
    return e;
  }

  Expr parse_primary(int level) {
    const Token& t = take();
    switch (t.kind) {
      case Tok::kNumber: {
        Expr e = node(ExprKind::kNumber, t, {});
        e.number = t.number;
        e.is_integer = t.is_integer;
        return e;
      }
      case Tok::kName: {
        if (peek().kind == Tok::kLParen) return parse_call(t, level);
        const std::string_view name = spelling(t);
        Expr e = node(name == "true" || name == "false" ? ExprKind::kBool : ExprKind::kName, t, {});
        e.name = std::string(name);
        e.boolean = name == "true";
        return e;
      }
      case Tok::kLParen: {
        Expr e = parse_sum(level + 1);
        close_paren(t, "");
        // The span of a parenthesised expression includes its parentheses.
        e.begin = t.begin;
        e.end = tokens_[pos_ - 1].end;
        return e;
      }
      case Tok::kRParen:
        if (pos_ == 1 || tokens_[pos_ - 2].kind != Tok::kLParen)
          fail(t, "expected an operand (a number, a name, a call or '('), found ')'");
        fail(t, "empty parentheses: expected an expression inside '()'");
      default:
        fail(t, "expected an operand (a number, a name, a call or '('), found " + describe(t));
    }
  }

  void close_paren(const Token& open, const std::string& what) {
    const Token& t = peek();
    if (t.kind == Tok::kRParen) {
      take();
      return;
    }
    if (t.kind == Tok::kEnd)
      fail(open, fmt::format("unbalanced parenthesis: the '('{} at column {} is never closed", what,
                             open.begin + 1));
    fail(t, fmt::format("expected {}')' or an operator, found {}", what.empty() ? "" : "',', ",
                        describe(t)));
  }

  Expr parse_call(const Token& name, int level) {
    const Token& open = take();
    std::vector<Expr> args;
    std::string last_keyword;
    while (peek().kind != Tok::kRParen) {
      if (!args.empty()) {
        if (peek().kind != Tok::kComma) break;
        take();
      }
      args.push_back(parse_argument(level, last_keyword, args));
    }
    close_paren(open, fmt::format(" of the call to '{}'", spelling(name)));
    Expr e = node(ExprKind::kCall, name, std::move(args));
    e.name = std::string(spelling(name));
    e.end = tokens_[pos_ - 1].end;
    return e;
  }

  Expr parse_argument(int level, std::string& last_keyword, const std::vector<Expr>& before) {
    const Token& start = peek();
    if (start.kind == Tok::kRParen || start.kind == Tok::kComma)
      fail(start, "expected an argument, found " + describe(start));
    if (start.kind == Tok::kName && peek(1).kind == Tok::kEquals) {
      const std::string keyword(spelling(start));
      for (const Expr& a : before)
        if (a.keyword == keyword) fail(start, fmt::format("keyword '{}' is given twice", keyword));
      take();
      take();
      Expr value = parse_sum(level + 1);
      value.keyword = keyword;
      value.keyword_begin = start.begin;
      last_keyword = keyword;
      return value;
    }
    if (!last_keyword.empty())
      fail(start, fmt::format("positional argument after keyword argument '{}'", last_keyword));
    return parse_sum(level + 1);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

ExprError::ExprError(std::string_view text, int column, const std::string& message)
    : GraphError(error_text(text, column, message)), column_(column), message_(message) {}

Expr parse_expression(std::string_view text) { return Parser(text).parse(); }

std::string to_string(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return fmt::format("{}", e.number);
    case ExprKind::kBool:
      return e.boolean ? "true" : "false";
    case ExprKind::kName:
      return e.name;
    case ExprKind::kUnary:
      return fmt::format("({}{})", e.op, to_string(e.args[0]));
    case ExprKind::kBinary:
      return fmt::format("({} {} {})", to_string(e.args[0]), e.op, to_string(e.args[1]));
    case ExprKind::kCall: {
      std::string out = e.name + "(";
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i) out += ", ";
        if (!e.args[i].keyword.empty()) out += e.args[i].keyword + "=";
        out += to_string(e.args[i]);
      }
      return out + ")";
    }
  }
  return "?";
}

}  // namespace twinflow::graph

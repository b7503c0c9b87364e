// graph/lambda/expr.h — the Lambda expression language: lexer and parser into an AST.
//
// A Lambda is a formula over its named arguments, never code: `exp(-(1 - cosine(a, b)))`.
//
//   expr    := term (('+' | '-') term)*             left-associative
//   term    := unary (('*' | '/') unary)*           left-associative, binds tighter
//   unary   := ('-' | '+') unary | primary
//   primary := number | 'true' | 'false' | name | name '(' [arg (',' arg)*] ')' | '(' expr ')'
//   arg     := name '=' expr | expr                 keywords come after positionals
//   number  := digits ['.' digits] [('e' | 'E') ['+' | '-'] digits]   (also '.5', '1.')
//
// There is no power operator: square(x) and sqrt(x) are functions. What a call means (which
// functions exist, their arity, which arguments must be literals) is the compiler's business
// (graph/lambda/lambda.h); the parser only checks the syntax. Every node keeps its byte span in the
// source, so errors can point at a column and quote the sub-expression they are about.
//
// Nesting is bounded (kMaxExprDepth levels of the tree, parentheses and operator chains
// alike), so a hostile expression cannot overflow the stack of the recursive parser, of the
// compiler or of the tree's destructor.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "graph/ir/errors.h"

namespace twinflow::graph {

inline constexpr int kMaxExprDepth = 200;

// A malformed or meaningless expression. what() reads
//   column 11: unknown function 'cosin' (did you mean 'cosine'?)
//     exp(-(1 - cosin(a, b)))
//               ^
class ExprError : public GraphError {
 public:
  // column is 1-based; text is the whole expression the column points into.
  ExprError(std::string_view text, int column, const std::string& message);
  int column() const { return column_; }
  // The message without the column and the caret picture.
  const std::string& message() const { return message_; }

 private:
  int column_;
  std::string message_;
};

enum class ExprKind { kNumber, kBool, kName, kUnary, kBinary, kCall };

struct Expr {
  ExprKind kind = ExprKind::kNumber;
  double number = 0.0;      // kNumber
  bool is_integer = false;  // kNumber written without '.' or exponent (axis, begin, end)
  bool boolean = false;     // kBool
  std::string name;         // kName: the identifier; kCall: the function
  char op = 0;              // kUnary: '-' '+'; kBinary: '+' '-' '*' '/'
  // kUnary: one operand; kBinary: left, right; kCall: the arguments in source order.
  std::vector<Expr> args;
  // On a call argument passed by keyword: the keyword and where it starts.
  std::string keyword;
  size_t keyword_begin = 0;
  // Source span [begin, end) in bytes, and the height of the tree below (a leaf is 1).
  size_t begin = 0;
  size_t end = 0;
  int depth = 1;

  int column() const { return static_cast<int>(begin) + 1; }
  std::string_view source(std::string_view text) const { return text.substr(begin, end - begin); }
};

// Throws ExprError for anything malformed, with the column of the first offending character.
Expr parse_expression(std::string_view text);

// Fully parenthesised form, for tests and debugging: "((1 - 2) - 3)", "sum(x, axis=-1)".
std::string to_string(const Expr& e);

}  // namespace twinflow::graph

// graph/ir/errors.h — the exceptions that carry user-facing errors.
//
// User input (specs, shapes, data) never trips an assert: it throws one of these, and the
// layer that knows more context (the node name, the spec's file:line:column) wraps the
// message before it reaches the user.
#pragma once

#include <stdexcept>
#include <string>

namespace twinflow::graph {

// Where a thing was declared; empty file when built from C++.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
  bool known() const { return line > 0; }
  std::string to_string() const;  // "models/x.yaml:12:5"
};

// Thrown by a shape rule; names inputs by position, graph/ adds node and producer names.
class ShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A malformed graph: undefined or duplicate names, a cycle, a shape mismatch in context.
class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad data met while running (a token id outside the vocabulary, a label outside [0, 1]).
class RuntimeInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace twinflow::graph

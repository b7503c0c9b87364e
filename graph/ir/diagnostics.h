// graph/ir/diagnostics.h — the errors and warnings found in a spec, collected in one pass.
//
// A spec is checked as a whole: every problem is recorded with where it was written, and the
// caller decides what to print. Each message names the thing at fault (the layer, the node,
// the key); the location is printed in front of it as "file:line:column: error: ...".
#pragma once

#include <string>
#include <vector>

#include "graph/ir/errors.h"

namespace twinflow::graph {

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;
  // "models/x.yaml:12:5: error: unknown attribute 'unitz' of layer 'head' ..."
  std::string to_string() const;
};

class Diagnostics {
 public:
  void error(SourceLoc loc, std::string message);
  void warning(SourceLoc loc, std::string message);

  const std::vector<Diagnostic>& all() const { return items_; }
  int error_count() const;
  int warning_count() const;
  bool has_errors() const { return error_count() > 0; }
  // Every diagnostic on its own line, in the order found.
  std::string to_string() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace twinflow::graph

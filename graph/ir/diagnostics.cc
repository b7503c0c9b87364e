#include "graph/ir/diagnostics.h"

#include <algorithm>

namespace twinflow::graph {

std::string Diagnostic::to_string() const {
  std::string out;
  if (!loc.file.empty() || loc.known()) out = loc.to_string() + ": ";
  out += severity == Severity::kError ? "error: " : "warning: ";
  return out + message;
}

void Diagnostics::error(SourceLoc loc, std::string message) {
  items_.push_back({Severity::kError, std::move(loc), std::move(message)});
}

void Diagnostics::warning(SourceLoc loc, std::string message) {
  items_.push_back({Severity::kWarning, std::move(loc), std::move(message)});
}

int Diagnostics::error_count() const {
  return static_cast<int>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::kError;
  }));
}

int Diagnostics::warning_count() const { return static_cast<int>(items_.size()) - error_count(); }

std::string Diagnostics::to_string() const {
  std::string out;
  for (const Diagnostic& d : items_) out += d.to_string() + "\n";
  return out;
}

}  // namespace twinflow::graph

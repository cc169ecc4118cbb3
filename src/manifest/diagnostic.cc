#include "manifest/diagnostic.h"

namespace hoist {

std::string FormatDiagnostic(const Diagnostic& diagnostic) {
  std::string out = diagnostic.file;
  if (diagnostic.line > 0) {
    out += ":" + std::to_string(diagnostic.line);
    if (diagnostic.column > 0) out += ":" + std::to_string(diagnostic.column);
  }
  out += diagnostic.severity == Severity::kError ? ": error: " : ": warning: ";
  out += diagnostic.message;
  if (!diagnostic.hint.empty()) out += "\n  hint: " + diagnostic.hint;
  return out;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& diagnostic : diagnostics) {
    if (diagnostic.severity == Severity::kError) return true;
  }
  return false;
}

}  // namespace hoist

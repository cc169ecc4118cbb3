#pragma once

#include <string>
#include <vector>

namespace hoist {

/// How serious a finding about an input file is.
enum class Severity { kWarning, kError };

/// One finding about an input file: where, what, and how to fix it.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;  ///< 1-based; 0 when the finding is about the whole file
  int column = 0;
  std::string message;
  std::string hint;  ///< how to fix it, or ""
};

/// "file:line:col: error: message" plus an indented hint line, as compilers print them.
std::string FormatDiagnostic(const Diagnostic& diagnostic);

/// True when any of `diagnostics` is an error.
bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace hoist

#pragma once

#include <string>
#include <vector>

#include "compat/aztec_era.h"
#include "util/expected.h"

namespace hoist {

/// One script of the Aztec build system, as hoist's shim for it.
struct AztecShim {
  std::string name;
  std::string text;      ///< the whole script
  bool provided = true;  ///< false: it says what hoist does not do yet, and fails
};

/// The scripts a team's CI calls, for `era`, each a few lines calling hoist with the same
/// arguments, outputs and exit codes.
std::vector<AztecShim> AztecShims(AztecEra era);

/// What an install wrote.
struct AztecInstall {
  std::string directory;  ///< where the scripts went (DIR/scripts, or DIR for 2023-02)
  std::vector<std::string> written;
  std::vector<std::string> not_provided;
};

/// Writes the shims into `dir`: DIR/scripts/NAME (DIR/NAME for 2023-02, whose setup_env put
/// its own folder on PATH). A file there that hoist did not write is kept, and the install
/// fails naming it, unless `force`.
Expected<AztecInstall> InstallAztecShims(const std::string& dir, AztecEra era, bool force);

}  // namespace hoist

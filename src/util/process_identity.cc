#include "util/process_identity.h"

#include <unistd.h>

#include <cctype>
#include <chrono>

namespace hoist {

const std::string& ProcessIdentity() {
  static const std::string identity = [] {
    char host[256] = "host";
    gethostname(host, sizeof host - 1);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    std::string word =
        std::string(host) + "-" + std::to_string(getpid()) + "-" +
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
    for (char& c : word) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '-';
    }
    return word;
  }();
  return identity;
}

}  // namespace hoist

#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace hoist {

size_t TerminalColumns(int fd) {
  winsize size{};
  if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

std::string ElideMiddle(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  const std::string dots = "...";
  if (width <= dots.size()) return text.substr(0, width);
  const size_t keep = width - dots.size();
  const size_t head = (keep + 1) / 2;
  return text.substr(0, head) + dots + text.substr(text.size() - (keep - head));
}

std::string FormatStatus(const std::string& format, size_t finished, size_t total, size_t running,
                         std::chrono::steady_clock::duration elapsed) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    switch (format[++i]) {
      case 'f':
        out += std::to_string(finished);
        break;
      case 't':
        out += std::to_string(total);
        break;
      case 'r':
        out += std::to_string(running);
        break;
      case 'u':
        out += std::to_string(total - std::min(total, finished + running));
        break;
      case 'p':
        out += std::to_string(total ? 100 * finished / total : 100) + "%";
        break;
      case 'e':
        out += std::to_string(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
        break;
      case '%':
        out += '%';
        break;
      default:
        out += std::string("%") + format[i];
    }
  }
  return out;
}

std::string FormatClock(std::chrono::steady_clock::duration elapsed) {
  long seconds =
      std::max<long>(0, std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld", seconds / 60, seconds % 60);
  return text;
}

}  // namespace hoist

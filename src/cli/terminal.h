#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace hoist {

/// The width of the terminal `fd` is, or 0 when it is no terminal (or says no width).
size_t TerminalColumns(int fd);

/// `text` cut in the middle to at most `width` characters ("verylongna...ofaproject"), as
/// ninja's status line does; whole when it fits.
std::string ElideMiddle(const std::string& text, size_t width);

/// "m:ss", as ninja's and hoist's status lines and summaries show a duration.
std::string FormatClock(std::chrono::steady_clock::duration elapsed);

/// A status line's start made from `format` as ninja makes NINJA_STATUS: %f finished, %t
/// total, %r running, %u not started, %p percentage finished, %e seconds since the start, %%
/// a percent sign; any other %x stays as it is.
std::string FormatStatus(const std::string& format, size_t finished, size_t total, size_t running,
                         std::chrono::steady_clock::duration elapsed);

}  // namespace hoist

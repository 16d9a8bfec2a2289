// SPDX-License-Identifier: MIT
// The log: spdlog's default logger on stderr, at the level the user chose;
// at a terminal it is routed above the line being typed while the line
// editor owns the screen.

#pragma once

#include <functional>
#include <string>
#include <vector>

#include <spdlog/common.h>

namespace groupchat {

/// Makes the default logger write to stderr at `level` ("info", "debug",
/// ...), coloured by level if `color`.
void init_logging(const std::string& level, bool color);

/// Routes the log through `display` while it lives, then back to stderr.
/// Each line is shown as one harmless line (log lines quote what peers
/// sent).
class log_to_display {
public:
  explicit log_to_display(std::function<void(const std::string&)> display);
  ~log_to_display();

  log_to_display(const log_to_display&) = delete;
  log_to_display& operator=(const log_to_display&) = delete;

private:
  std::vector<spdlog::sink_ptr> saved_;
};

} // namespace groupchat

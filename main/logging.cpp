// SPDX-License-Identifier: MIT
#include "main/logging.hpp"

#include <memory>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "protocol/wire/text.hpp"

namespace groupchat {

namespace {

// One log line, formatted, to `display` (without its newline).
class display_sink : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit display_sink(std::function<void(const std::string&)> display)
    : display_(std::move(display)) {
    // nop
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    std::string line{buf.data(), buf.size()};
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
      line.pop_back();
    // Log lines quote what peers sent (a refusal's reason): one harmless
    // line on the screen, like chat.
    display_(protocol::make_visible(line));
  }

  void flush_() override {
    // display() prints whole lines.
  }

private:
  std::function<void(const std::string&)> display_;
};

} // namespace

void init_logging(const std::string& level, bool color) {
  std::shared_ptr<spdlog::logger> logger;
  if (color)
    logger = spdlog::stderr_color_mt("groupchat");
  else
    logger = spdlog::stderr_logger_mt("groupchat");
  logger->set_pattern("[%H:%M:%S.%e] %^%l%$: %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

log_to_display::log_to_display(
  std::function<void(const std::string&)> display) {
  auto logger = spdlog::default_logger();
  saved_ = logger->sinks();
  auto sink = std::make_shared<display_sink>(std::move(display));
  // The stamp of every other line on the screen; milliseconds are for logs
  // kept in files.
  sink->set_pattern("[%H:%M:%S] %l: %v");
  logger->sinks() = {sink};
}

log_to_display::~log_to_display() {
  spdlog::default_logger()->sinks() = saved_;
}

} // namespace groupchat

// SPDX-License-Identifier: MIT
#define CAF_SUITE main.logging

#include "main/logging.hpp"

#include <regex>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <caf/test/unit_test.hpp>

using namespace groupchat;

namespace {

// The default logger writes to `before` (standing in for stderr) while a
// test runs; its sinks and level are put back afterwards.
struct fixture {
  std::ostringstream before;
  std::vector<spdlog::sink_ptr> original;
  spdlog::level::level_enum level;
  std::vector<std::string> shown;

  fixture() {
    auto logger = spdlog::default_logger();
    original = logger->sinks();
    level = logger->level();
    logger->sinks()
      = {std::make_shared<spdlog::sinks::ostream_sink_mt>(before)};
    logger->set_level(spdlog::level::info);
  }

  ~fixture() {
    auto logger = spdlog::default_logger();
    logger->sinks() = original;
    logger->set_level(level);
  }

  auto display() {
    return [this](const std::string& line) { shown.push_back(line); };
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(logging_tests, fixture)

CAF_TEST(a log line goes to the display as one line without newline) {
  log_to_display redirect{display()};
  spdlog::info("hello {}", "world");
  CAF_REQUIRE_EQUAL(shown.size(), 1u);
  std::regex form{R"(\[\d\d:\d\d:\d\d\] info: hello world)"};
  CAF_CHECK(std::regex_match(shown[0], form));
  CAF_CHECK(before.str().empty());
}

// Log lines quote what peers sent: an escape sequence or a newline in a
// refusal's reason must not move the cursor or forge a second line.
CAF_TEST(control characters become visible and the line stays one line) {
  log_to_display redirect{display()};
  spdlog::warn("refused: a\x1b[2Jb\nforged line\r\n");
  CAF_REQUIRE_EQUAL(shown.size(), 1u);
  auto& line = shown[0];
  CAF_CHECK(line.find_first_of("\x1b\n\r") == std::string::npos);
  auto tail = std::string{"warning: refused: a?[2Jb?forged line"};
  CAF_REQUIRE(line.size() >= tail.size());
  CAF_CHECK_EQUAL(line.substr(line.size() - tail.size()), tail);
}

// Once the line editor gives up the screen, the log must reach stderr again
// and never the dead display.
CAF_TEST(the previous sinks come back when the redirect ends) {
  auto sinks = spdlog::default_logger()->sinks();
  {
    log_to_display redirect{display()};
    CAF_CHECK(spdlog::default_logger()->sinks() != sinks);
  }
  CAF_CHECK(spdlog::default_logger()->sinks() == sinks);
  spdlog::info("after");
  CAF_CHECK(shown.empty());
  CAF_CHECK_NOT_EQUAL(before.str().find("after"), std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()

// SPDX-License-Identifier: MIT
// The interactive half of the stdin reader: at a terminal, lines are edited
// with libedit on the reader's thread, and output for the screen is printed
// by the same thread above the line being typed, which is then redrawn
// intact. One thread owns the terminal, so the two never interleave.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <initializer_list>
#include <string_view>

#include <sys/ioctl.h>
#include <unistd.h>

#include <editline/readline.h>

#include <caf/send.hpp>

#include "actors/messages.hpp"
#include "main/terminal/stdin_reader.hpp"
#include "protocol/wire/text.hpp"

namespace groupchat {

namespace {

/// The reader the line editor's C callback reports to (there is one).
stdin_reader* editing_reader = nullptr;

// Columns `text` takes on the terminal (wide characters take two), in the
// locale's character set; its bytes if it does not decode.
size_t display_width(const std::string& text) {
  std::mbstate_t state{};
  const char* src = text.c_str();
  auto n = std::mbsrtowcs(nullptr, &src, 0, &state);
  if (n == static_cast<size_t>(-1))
    return text.size();
  std::wstring wide(n, L'\0');
  src = text.c_str();
  state = std::mbstate_t{};
  std::mbsrtowcs(wide.data(), &src, n, &state);
  auto width = ::wcswidth(wide.c_str(), wide.size());
  return width >= 0 ? static_cast<size_t>(width) : text.size();
}

size_t terminal_columns() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

// Rows above the cursor that `columns_before_cursor` of output wrapped to
// (a row filled exactly puts the cursor on the next one: libedit forces
// the wrap there).
size_t rows_above(size_t columns_before_cursor) {
  return columns_before_cursor / terminal_columns();
}

// Prints whole lines and flushes.
template <class Lines>
void write_lines(const Lines& lines) {
  for (auto& line : lines) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
}

// Moves to the first row of what took `rows` rows above the cursor and
// clears from there to the end of the screen.
void clear_rows_above(size_t rows) {
  std::fputs("\r", stdout);
  if (rows > 0)
    std::fprintf(stdout, "\033[%zuA", rows);
  std::fputs("\033[J", stdout);
}

} // namespace

void stdin_reader::display(const std::string& line) {
  std::unique_lock<std::mutex> guard{mtx_};
  if (!editing_) {
    // Nobody edits a line: print right away.
    write_lines(std::initializer_list<std::string_view>{line});
    return;
  }
  // One wake-up for any number of lines: the pipe never fills with them,
  // so a stop or finish request always fits.
  bool wake = output_.empty();
  // A terminal paused with Ctrl+S takes nothing: what waits is bounded.
  if (queued_bytes_ + line.size() > max_queued) {
    ++left_out_;
    return;
  }
  if (left_out_ > 0) {
    output_.push_back("[" + std::to_string(left_out_)
                      + " line(s) not shown: the terminal did not keep up]");
    left_out_ = 0;
  }
  queued_bytes_ += line.size();
  output_.push_back(line);
  if (wake) {
    [[maybe_unused]] auto n = ::write(wakeup_[1], &output_request, 1);
  }
}

void stdin_reader::on_edited_line(char* line) {
  auto self = editing_reader;
  if (line == nullptr) { // Ctrl+D on an empty line.
    self->eof_ = true;
    return;
  }
  if (*line != '\0')
    add_history(line);
  // The editor left "> LINE" on the screen, the cursor below it: what the
  // line says is shown in the form of everyone's lines instead (the
  // console echoes it), so it goes.
  clear_rows_above(rows_above(display_width(self->prompt_ + line)) + 1);
  std::fflush(stdout);
  self->send_line(std::string{line});
  std::free(line);
  self->accepted_ = true;
}

// Prints what is queued above the line being edited, which is cleared
// first and redrawn after.
void stdin_reader::print_pending() {
  std::deque<std::string> lines;
  {
    std::unique_lock<std::mutex> guard{mtx_};
    lines.swap(output_);
    queued_bytes_ = 0;
  }
  if (lines.empty())
    return;
  // However many rows the line being typed wraps to, all of them go (the
  // cursor is on the row of the insertion point), then come back. Right
  // after a line was accepted, libedit still holds it until the next key,
  // but the screen shows a fresh prompt.
  auto before = prompt_;
  if (!fresh_line_ && rl_line_buffer != nullptr)
    before.append(rl_line_buffer,
                  std::min<size_t>(static_cast<size_t>(std::max(rl_point, 0)),
                                   std::strlen(rl_line_buffer)));
  clear_rows_above(rows_above(display_width(before)));
  write_lines(lines);
  rl_forced_update_display();
}

void stdin_reader::set_completions(std::vector<std::string> names) {
  std::unique_lock<std::mutex> guard{mtx_};
  names_ = std::move(names);
}

// Tab: a command at the start of the line, else a member's name (any
// case). Never file names.
char** stdin_reader::complete(const char* text, int start, int) {
  auto self = editing_reader;
  rl_attempted_completion_over = 1;
  std::string prefix{text};
  std::vector<std::string> candidates;
  if (start == 0 && !prefix.empty() && prefix.front() == '/') {
    candidates = {"/help", "/me", "/msg", "/nick", "/quit", "/who"};
  } else {
    std::unique_lock<std::mutex> guard{self->mtx_};
    candidates = self->names_;
  }
  auto want = protocol::ascii_lower(prefix);
  self->matches_.clear();
  for (auto& c : candidates)
    if (protocol::ascii_lower(c).compare(0, want.size(), want) == 0)
      self->matches_.push_back(c);
  if (self->matches_.empty())
    return nullptr;
  return rl_completion_matches(text, &stdin_reader::next_match);
}

char* stdin_reader::next_match(const char*, int state) {
  auto& matches = editing_reader->matches_;
  auto i = static_cast<size_t>(state);
  return i < matches.size() ? ::strdup(matches[i].c_str()) : nullptr;
}

void stdin_reader::run_interactive() {
  editing_reader = this;
  rl_attempted_completion_function = &stdin_reader::complete;
  // Output from now on waits for this thread, which prints it above the
  // prompt: set before the prompt is drawn, or a line printed meanwhile
  // would land on the prompt's row.
  {
    std::unique_lock<std::mutex> guard{mtx_};
    editing_ = true;
  }
  rl_callback_handler_install(prompt_.c_str(), &stdin_reader::on_edited_line);
  print_pending();
  bool leave = false;
  while (!eof_) {
    auto woken = wait();
    if (woken == wake::failed)
      break;
    if (woken == wake::request) {
      char request = output_request;
      while (::read(wakeup_[0], &request, 1) == 1) {
        if (request == stop_request || request == finish_request)
          break;
        request = output_request; // A release only lets the loop go on.
      }
      print_pending();
      if (request == stop_request)
        break;
      if (request == finish_request) { // A signal: leave, as Ctrl+D would.
        leave = true;
        break;
      }
    }
    if (woken == wake::input) {
      fresh_line_ = false;
      rl_callback_read_char();
      if (accepted_ && !eof_) {
        // libedit keeps an accepted line until the next key, and a redraw
        // for incoming output would show it again: start a fresh line.
        accepted_ = false;
        fresh_line_ = true;
        rl_callback_handler_remove();
        rl_callback_handler_install(prompt_.c_str(),
                                    &stdin_reader::on_edited_line);
      }
    }
  }
  // Give the terminal back as it was, and what is still queued; output
  // waits meanwhile, then goes straight to the screen.
  std::deque<std::string> rest;
  {
    std::unique_lock<std::mutex> guard{mtx_};
    rl_callback_handler_remove();
    std::fputs("\r\033[2K", stdout);
    rest.swap(output_);
    queued_bytes_ = 0;
    editing_ = false;
    write_lines(rest);
  }
  if (eof_ || leave)
    caf::anon_send(console_, atom::eof_v);
}

} // namespace groupchat

// SPDX-License-Identifier: MIT
// The group's passphrase on its way in: from a file, the environment or the
// configuration, with the care a secret needs (see protocol/README.md,
// "Passphrase"), and the generator behind `--new-secret`. Plain functions:
// no actors.

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace groupchat {

/// A fresh passphrase of 128 random bits, as eight five-letter syllable
/// words ("proquints": consonant-vowel-consonant-vowel-consonant, 16 bits
/// each) joined by dashes: easy to read aloud and to type.
std::string new_passphrase();

/// Reads the passphrase from the first line of `path`, without a trailing
/// CR (a file written on Windows) or LF. Sets `error` and returns nothing if
/// the file cannot be read or holds no passphrase.
std::optional<std::string> read_secret_file(const std::string& path,
                                            std::string& error);

/// Takes the passphrase out of the environment variable `var`: returns its
/// value, then wipes the variable's bytes (so /proc/PID/environ no longer
/// shows it) and removes it (so children do not inherit it).
std::optional<std::string> take_secret_from_env(const char* var);

/// A warning if `path`, which holds a passphrase, can be read by its group
/// or by others; nothing if only its owner can (or it cannot be checked).
std::optional<std::string> check_secret_permissions(const std::string& path);

/// Overwrites `str` with zeros and empties it.
void wipe(std::string& str) noexcept;

} // namespace groupchat

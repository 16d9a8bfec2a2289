// SPDX-License-Identifier: MIT
// The one translation unit that provides the unit-test engine and `main`.
#define CAF_SUITE groupchat
#include <caf/test/unit_test_impl.hpp>

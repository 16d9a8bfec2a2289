// SPDX-License-Identifier: MIT
#define CAF_SUITE actors.errors

#include "actors/errors.hpp"

#include <caf/test/dsl.hpp>

using namespace groupchat;
using protocol::ec;

namespace {

struct config : caf::actor_system_config {
  config() {
    groupchat::add_error_category(*this);
  }
};

constexpr ec all_codes[] = {
  ec::empty_frame,     ec::frame_too_large,       ec::invalid_json,
  ec::not_an_object,   ec::unsupported_version,   ec::unknown_type,
  ec::missing_field,   ec::invalid_field,         ec::invalid_name,
  ec::output_overflow, ec::authentication_failed, ec::join_refused,
  ec::connect_failed,
};

} // namespace

// Exit reasons and failed requests compare codes: a code must survive the
// trip through caf::error unchanged, detail included.
CAF_TEST(every protocol error survives the round trip through caf error) {
  for (auto code : all_codes) {
    auto err = to_caf_error({code, "detail"});
    CAF_CHECK(err);
    CAF_CHECK_EQUAL(err.category(), caf::atom("groupchat"));
    CAF_CHECK_EQUAL(err.code(), static_cast<uint8_t>(code));
    auto back = from_caf_error(err);
    CAF_REQUIRE(back);
    CAF_CHECK(back->code == code);
    CAF_CHECK_EQUAL(back->detail, "detail");
  }
}

CAF_TEST(an error without detail comes back with an empty detail) {
  for (const caf::error& err : {to_caf_error({ec::connect_failed, ""}),
                                caf::error{ec::connect_failed}}) {
    auto back = from_caf_error(err);
    CAF_REQUIRE(back);
    CAF_CHECK(back->code == ec::connect_failed);
    CAF_CHECK_EQUAL(back->detail, "");
  }
}

// A CAF error with code 3 is not our invalid_json: the category decides.
CAF_TEST(errors of other categories and no error are not ours) {
  CAF_CHECK(!from_caf_error(caf::error{}));
  CAF_CHECK(!from_caf_error(caf::make_error(caf::sec::request_timeout)));
  CAF_CHECK(!from_caf_error(caf::make_error(caf::exit_reason::user_shutdown)));
}

CAF_TEST(describe gives our detail or our code name) {
  CAF_CHECK_EQUAL(describe(to_caf_error({ec::join_refused, "name taken"})),
                  "name taken");
  CAF_CHECK_EQUAL(describe(to_caf_error({ec::join_refused, ""})),
                  "join_refused");
}

CAF_TEST(describe leaves other errors to caf) {
  auto err = caf::make_error(caf::sec::request_timeout);
  CAF_CHECK_EQUAL(describe(err), caf::to_string(err));
  CAF_CHECK_NOT_EQUAL(describe(err).find("request_timeout"), std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE(rendering, test_coordinator_fixture<config>)

// Without the category, sys.render would print a bare number.
CAF_TEST(the actor system renders our errors as code and detail) {
  CAF_CHECK_EQUAL(sys.render(to_caf_error({ec::join_refused, "name taken"})),
                  "join_refused: name taken");
  CAF_CHECK_EQUAL(sys.render(caf::error{ec::output_overflow}),
                  "output_overflow");
}

CAF_TEST_FIXTURE_SCOPE_END()

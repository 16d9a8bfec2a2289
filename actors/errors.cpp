// SPDX-License-Identifier: MIT
#include "actors/errors.hpp"

#include <caf/actor_system_config.hpp>

namespace groupchat {

caf::error to_caf_error(const protocol::error& err) {
  return caf::error{err.code, err.detail};
}

std::optional<protocol::error> from_caf_error(const caf::error& err) {
  using factory = caf::detail::error_factory<protocol::ec>;
  if (!err || err.category() != factory::category)
    return std::nullopt;
  protocol::error result{static_cast<protocol::ec>(err.code()), {}};
  auto& ctx = err.context();
  if (ctx.match_elements<std::string>())
    result.detail = ctx.get_as<std::string>(0);
  return result;
}

void add_error_category(caf::actor_system_config& cfg) {
  using factory = caf::detail::error_factory<protocol::ec>;
  cfg.add_error_category(factory::category, [](uint8_t code, caf::atom_value,
                                               const caf::message& ctx) {
    std::string result = protocol::to_string(static_cast<protocol::ec>(code));
    if (ctx.match_elements<std::string>())
      result += ": " + ctx.get_as<std::string>(0);
    return result;
  });
}

std::string describe(const caf::error& err) {
  if (auto x = from_caf_error(err))
    return x->detail.empty() ? protocol::to_string(x->code) : x->detail;
  return caf::to_string(err);
}

} // namespace groupchat

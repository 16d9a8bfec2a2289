// SPDX-License-Identifier: MIT
// CPace on ristretto255 with SHA-512 (draft-irtf-cfrg-cpace-21, section 7.3
// and appendix B.3): the building blocks of the passphrase handshake, as
// plain functions so that the draft's test vectors check them. secure.cpp
// runs the protocol.

#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace groupchat::protocol::cpace {

constexpr size_t point_size = 32;
constexpr size_t scalar_size = 32;
constexpr size_t isk_size = 64;

/// The draft's lv_cat: each value prefixed with its length (LEB128).
std::string lv_cat(std::initializer_list<std::string_view> values);

/// The string the generator is hashed from: lv_cat(DSI, PRS, zero padding,
/// CI, sid), the padding filling the first SHA-512 block.
std::string generator_string(std::string_view prs, std::string_view ci,
                             std::string_view sid);

/// The generator g: the passphrase-derived point every scalar multiplies.
void generator(std::string_view prs, std::string_view ci, std::string_view sid,
               uint8_t (&g)[point_size]);

/// y * X for a point X received from the peer. False if X is not a valid
/// encoding or the result is the identity: the handshake must abort.
bool scalar_mult_vfy(const uint8_t (&y)[scalar_size],
                     const uint8_t (&x)[point_size],
                     uint8_t (&out)[point_size]) noexcept;

/// The intermediate session key of the initiator-responder setting:
/// SHA-512(lv_cat(DSI_ISK, sid, K) || lv_cat(Ya, ADa) || lv_cat(Yb, ADb)).
void isk_ir(std::string_view sid, std::string_view k, std::string_view ya,
            std::string_view ada, std::string_view yb, std::string_view adb,
            uint8_t (&isk)[isk_size]);

} // namespace groupchat::protocol::cpace

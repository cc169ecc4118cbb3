#pragma once

#include <string>

namespace hoist {

/// Standard base64 (RFC 4648, with padding), through OpenSSL.
std::string Base64Encode(const std::string& data);
/// The bytes of standard base64 `text`; "" when it is not base64.
std::string Base64Decode(const std::string& text);

}  // namespace hoist

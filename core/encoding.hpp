// Hex and base64 text forms of bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm {

std::string to_hex(ByteView b);                 // lowercase, no separators
std::string to_hex_colon(ByteView b);           // "AB:CD:..." as fingerprints are shown
Result<Bytes> from_hex(std::string_view text);  // InvalidArgument on odd length or non-hex
// 16 bytes a line, as hexdump -C: "0010  57 01 02 00 00 00 00 01  00 0f 07 00 01 00 08 00"
std::vector<std::string> hex_dump(ByteView b);
std::string to_base64(ByteView b);              // RFC 4648 with padding
// RFC 4648 §5 ("-" and "_" for "+" and "/"), unpadded: for tokens carried in URLs, cookies and
// headers, where "+", "/" and "=" would need escaping.
std::string to_base64url(ByteView b);
Result<Bytes> from_base64(std::string_view text);

}  // namespace cucm

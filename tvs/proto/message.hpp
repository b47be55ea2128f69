// TVS messages (PROTOCOLS §4): a 10-byte header (id 0x57, version 1, command, reserved, SID, body
// length) and a body of `u8 tag | u16 BE length | value` elements. Codec only, no I/O; shared by
// the server, the phone simulator and the fuzzers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::tvs {

inline constexpr std::uint8_t kProtocolId = 0x57;  // 87
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 10;
// A certificate larger than this is refused without a lookup: real ones are 1-2 KB, and the u16
// body length would otherwise let a client make the server hash 64 KB per connection.
inline constexpr std::size_t kMaxCertificate = 16 * 1024;
inline constexpr std::size_t kMaxBody = 3 + 1 + 64 + 3 + kMaxCertificate;  // a name and a certificate

enum class Command : std::uint8_t { None = 0, VerifyRequest = 1, VerifyResponse = 2, QueryRequest = 3, QueryResponse = 4 };
enum class Element : std::uint8_t { DeviceName = 1, Certificate = 2, Status = 7, Roles = 8, Ttl = 9 };
enum class TrustStatus : std::uint8_t { Valid = 0, Invalid = 1 };  // the Status element

inline constexpr std::uint32_t kDefaultTtl = 86'400;
inline constexpr std::uint32_t kMaxTtl = 2'592'000;  // 30 days, the range CUCM's tool accepts

struct Header {
  Command command = Command::None;
  std::uint32_t sid = 0;
  std::uint16_t body_length = 0;
};

// Checks the protocol id and version; InvalidArgument naming what is wrong. The command is not
// checked here (the server wants a VerifyRequest, the phone a VerifyResponse).
Result<Header> parse_header(ByteView header);

struct VerifyRequest {
  std::uint32_t sid = 0;
  std::string device_name;  // "CP-7975-SEP001122334455", the leading byte dropped
  Bytes certificate;        // DER, not parsed: the server looks up its SHA-256
};

// The body of a VerifyRequest: DeviceName then Certificate, each once, nothing else. The name must
// read CP-<4 digits>-SEP<12 upper-case hex digits> after its first byte (PROTOCOLS §4).
Result<VerifyRequest> parse_verify_request(const Header& header, ByteView body);
// A whole request as a phone writes it (the name's leading byte is 01).
Bytes encode_verify_request(const VerifyRequest& request);
// "CP-<model>-<device>" for a device name and a product's four-digit model number.
std::string tvs_device_name(std::string_view model, std::string_view device);
bool valid_device_name(std::string_view name);

struct VerifyResponse {
  std::uint32_t sid = 0;
  TrustStatus status = TrustStatus::Invalid;
  std::vector<std::uint8_t> roles;  // role codes (PROTOCOLS §5.5), valid answers only
  std::uint32_t ttl = 0;            // seconds, valid answers only
};

// Invalid: Status only. Valid: Status, Roles, TTL, in that order.
Bytes encode_verify_response(const VerifyResponse& response);
// A whole response; InvalidArgument when it is not one (bad header, a missing or repeated element).
Result<VerifyResponse> parse_verify_response(ByteView message);

}  // namespace cucm::tvs

// TFTP packets (RFC 1350, with RFC 2347 options): a bounds-checked parser for what clients send
// and builders for what the server sends. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::tftp {

enum class Opcode : std::uint16_t { Rrq = 1, Wrq = 2, Data = 3, Ack = 4, Error = 5, Oack = 6 };

// RFC 1350 error codes, plus 8 from RFC 2347.
enum class ErrorCode : std::uint16_t {
  Undefined = 0, FileNotFound = 1, AccessViolation = 2, DiskFull = 3, IllegalOperation = 4,
  UnknownTid = 5, FileExists = 6, NoSuchUser = 7, OptionRefused = 8
};

// RFC 2347: a request is at most 512 bytes.
inline constexpr std::size_t kMaxRequest = 512;

struct Request {
  Opcode opcode = Opcode::Rrq;
  std::string filename;
  std::string mode;  // lower-cased: "octet" or "netascii" ("mail" is refused)
  // Options in request order, names lower-cased (RFC 2347: case-insensitive).
  std::vector<std::pair<std::string, std::string>> options;
};

struct Packet {
  Opcode opcode = Opcode::Rrq;
  std::uint16_t block = 0;  // DATA/ACK
  ByteView data;            // DATA payload (a view into the datagram)
  ErrorCode error = ErrorCode::Undefined;
  std::string message;      // ERROR text
  std::optional<Request> request;  // RRQ/WRQ
};

// InvalidArgument naming the field for truncated, oversized or malformed packets: an unknown
// opcode, a request without its NULs, an empty file name, an unknown mode, a request over 512
// bytes, an option without a value.
Result<Packet> parse_packet(ByteView datagram);

Bytes build_data(std::uint16_t block, ByteView payload);
// A DATA packet's 4-byte head, with room reserved for `payload_size` bytes to be appended.
Bytes build_data_head(std::uint16_t block, std::size_t payload_size);
Bytes build_ack(std::uint16_t block);
Bytes build_error(ErrorCode code, std::string_view message);
Bytes build_oack(const std::vector<std::pair<std::string, std::string>>& options);
Bytes build_request(const Request& r);  // for our test clients and the load generator

}  // namespace cucm::tftp

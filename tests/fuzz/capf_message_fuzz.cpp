// Fuzzes the CAPF message codec: parse any bytes, and check that what parses rebuilds
// (build_message) and parses back unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "capf/proto/explain.hpp"
#include "capf/proto/message.hpp"
#include "core/bytes.hpp"

namespace cucm::capf {
namespace {

// A broken invariant is a bug: abort so libFuzzer records the input.
void require(bool ok) {
  if (!ok) __builtin_trap();
}

// Invariants, and why each must hold:
// - A refusal is InvalidArgument with a "capf: " message: every malformation is bad peer bytes,
//   and the session turns the message into one log line and End{7}.
// - A parsed message used exactly the bytes given (the body length is checked against them), and
//   parse_header on its first 8 bytes reports the same body length.
// - build_message accepts every parsed message and writes no more bytes than it read: each element
//   it writes has the size it had on the wire (fixed sizes, one NUL per string, the nested
//   certificate, SudiData and Sha2SignedData framing), while unknown tags and repeats are dropped.
//   So the body still fits the u16 length.
// - What the builder writes parses back to the same Message, minus unknown_tags (never written),
//   and building again gives the same bytes. The input itself is not compared: element order,
//   repeats and unknown tags all parse to the same Message but are rebuilt canonically.
void fuzz_one(ByteView bytes) {
  auto parsed = parse_message(bytes);
  if (!parsed) {
    require(parsed.error().code == Errc::InvalidArgument);
    require(std::string_view(parsed.error().message).substr(0, 6) == "capf: ");
    return;
  }
  require(bytes.size() >= kHeaderSize);
  auto body_length = parse_header(bytes.first(kHeaderSize));
  require(body_length.has_value() && *body_length == bytes.size() - kHeaderSize);

  auto built = build_message(*parsed);
  require(built.has_value());
  require(built->size() <= bytes.size());

  Message expected = *parsed;
  expected.unknown_tags.clear();
  auto second = parse_message(*built);
  require(second.has_value());
  require(second->unknown_tags.empty());
  require(*second == expected);

  auto again = build_message(*second);
  require(again.has_value() && *again == *built);
}

}  // namespace
}  // namespace cucm::capf

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::capf::fuzz_one(cucm::ByteView(data, size));
  // The teaching view (phone boot --explain) reads any bytes: it must say what it can, never crash,
  // and always give the header line (or say the bytes are too short for one).
  if (cucm::capf::explain_message(cucm::ByteView(data, size)).empty()) __builtin_trap();
  return 0;
}

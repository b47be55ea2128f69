// Fuzzes the shared signed-file header codec: parse any bytes, and check that what parses survives
// build_header and a second parse unchanged.
#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::signer {
namespace {

// A broken invariant is a bug: abort so libFuzzer records the input.
void require(bool ok) {
  if (!ok) __builtin_trap();
}

// Invariants, and why each must hold:
// - build_header may refuse a parsed header, but only with InvalidArgument: the parser reads at
//   most 65535 header bytes, yet the builder always writes SignerInfo, Filename, Timestamp and a
//   whole EncryptionInfo and adds one NUL to each text, so the rebuilt header can pass the u16
//   limits even though the input fitted.
// - What the builder writes, the parser reads back to an equal Header. Texts survive even with NUL
//   bytes inside: the parser drops exactly one trailing NUL and the builder appends exactly one, so
//   "a\0b" (raw "a\0b\0") and "a" (raw "a", its NUL missing) both come back as they were. Bytes are
//   not compared with the input: a missing NUL, an unknown tag, a repeated item, a different order
//   or padding all parse to the same Header but are rebuilt canonically.
// - The rebuilt header is canonical: a multiple of 4 bytes (the 0D padding), its HeaderLength is its
//   size, the signature item is where the builder said, and building again gives the same bytes.
void check_round_trip(const ParsedHeader& first) {
  auto built = build_header(first.header);
  if (!built) {
    require(built.error().code == Errc::InvalidArgument);
    return;
  }
  const auto& bytes = built->bytes;
  require(bytes.size() % 4 == 0 && bytes.size() <= 0xffff);

  auto second = parse_header(bytes, "fuzz");
  require(second.has_value());
  require(second->header == first.header);
  require(second->header_length == bytes.size());
  require(second->signature_item_offset == built->signature_item_offset);
  require(second->signature_item_size == 3 + first.header.signature.size());

  auto again = build_header(second->header);
  require(again.has_value() && again->bytes == bytes);
}

void fuzz_one(ByteView file) {
  auto parsed = parse_header(file, "fuzz");
  if (!parsed) return;
  // Facts the parser promises to every caller that slices the file with these numbers.
  require(parsed->header_length <= file.size());
  require(parsed->signature_item_offset + parsed->signature_item_size <= parsed->header_length);
  require(!parsed->header.signature.empty());
  check_round_trip(*parsed);
}

}  // namespace
}  // namespace cucm::signer

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::signer::fuzz_one(cucm::ByteView(data, size));
  return 0;
}

// Fuzzes ITL/CTL parsing, signer lookup and self-verification: any bytes must parse or fail
// cleanly, and what parses must describe the file consistently.
#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "signer/trust_list.hpp"

namespace cucm::signer {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// Records tile the payload exactly: the parser loops until the reader is empty and each record
// consumes its declared length, so offsets and lengths must chain from HeaderLength to the end.
void check_records(const TrustList& list, std::size_t file_size) {
  std::size_t at = list.parsed.header_length;
  for (const auto& rec : list.records) {
    require(rec.offset == at && rec.length >= 5);
    at += rec.length;
  }
  require(at == file_size);
}

void fuzz_one(ByteView file) {
  auto list = parse_trust_list(file);
  if (!list) return;
  check_records(*list, file.size());

  auto signer = find_signer(*list);
  if (signer) {
    const TrustRecord* rec = *signer;
    require(rec >= list->records.data() && rec < list->records.data() + list->records.size());
    require(rec->role == static_cast<std::uint16_t>(Role::Sast));
    require(rec->serial == list->parsed.header.serial);
  } else {
    require(signer.error().code == Errc::NotFound);
  }

  // The fixture ITL really is signed by its own SAST record, so success is a valid outcome; only a
  // missing signer has a fixed answer.
  auto st = verify_trust_list(file, *list);
  if (!signer) require(!st.has_value() && st.error().code == Errc::NotFound);
}

}  // namespace
}  // namespace cucm::signer

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::signer::fuzz_one(cucm::ByteView(data, size));
  return 0;
}

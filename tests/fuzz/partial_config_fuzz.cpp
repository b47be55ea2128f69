// Fuzzes the config XML readers: any bytes go through read_decision_fields and make_partial_config,
// and every partial config made must read back with the fields a phone decides on.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cnf/partial_config.hpp"
#include "cnf/xml.hpp"
#include "core/bytes.hpp"

namespace cucm::cnf {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// Invariants, and why each must hold:
// - Both functions accept exactly the well-formed documents with a <device> root (an empty
//   certHash is always valid), so they succeed or fail together.
// - The partial config is our own serialisation of a parsed tree, so it must parse again. The only
//   allowed failure is the size cap: re-indentation can grow deeply nested input past kMaxXml.
// - fullConfig, certHash and encrConfig are the nodes make_partial_config adds itself (fullConfig
//   first; copies are only ipAddressMode, loadInformation, capfAuthMode and capfList), so the phone
//   must read exactly those values. The copied texts are not compared: NOBLANKS parsing and
//   formatted output may change whitespace-only text, which is not a bug.
void fuzz_one(std::string_view xml) {
  auto fields = read_decision_fields(xml);
  auto partial = make_partial_config(xml, "");
  require(fields.has_value() == partial.has_value());
  if (!partial) return;

  auto back = read_decision_fields(*partial);
  if (!back) {
    require(back.error().code == Errc::ResourceExhausted && partial->size() > kMaxXml);
    return;
  }
  require(!back->full_config);
  require(back->encr_config);
  require(back->cert_hash.empty());
}

}  // namespace
}  // namespace cucm::cnf

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::cnf::fuzz_one(cucm::as_chars(cucm::ByteView(data, size)));
  return 0;
}

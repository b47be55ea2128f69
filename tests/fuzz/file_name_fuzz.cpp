// Fuzzes the requested-file-name classifier and the decision table behind TFTP/HTTP: any bytes are a
// file name, and the kind, device and decision for every database state must be consistent.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "db/model.hpp"
#include "catalog/decision.hpp"
#include "catalog/file_name.hpp"

namespace cucm::catalog {
namespace {

// A broken invariant is a bug: abort so libFuzzer records the input.
void require(bool ok) {
  if (!ok) __builtin_trap();
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lo = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lo(a[i]) != lo(b[i])) return false;
  }
  return true;
}

// The name a per-device kind is made of: prefix + SEP<MAC> + suffix.
std::string per_device_name(FileKind k, std::string_view device) {
  std::string dev(device);
  switch (k) {
    case FileKind::Itl: return "ITL" + dev + ".tlv";
    case FileKind::Ctl: return "CTL" + dev + ".tlv";
    case FileKind::Config: return dev + ".cnf.xml";
    case FileKind::ConfigSgn: return dev + ".cnf.xml.sgn";
    case FileKind::ConfigEncSgn: return dev + ".cnf.xml.enc.sgn";
    default: return {};
  }
}

// Invariants of classify, and why each must hold:
// - The requested name is kept as given (logs and the static lookup use it).
// - A per-device kind (Config*, and ITL/CTL other than ITLFile.tlv/CTLFile.tlv) carries a device
//   name of 15 chars, "SEP" and 12 upper-case hex digits, that appears in the input; the input is
//   exactly prefix + device + suffix. The database stores device names in the form
//   normalise_device_name returns, so that function must accept it unchanged, or a phone the
//   classifier recognises could never be found.
// - Config kinds always have a device; XMLDefault kinds are the two names in any ASCII case; Other
//   has no device.
void check_classify(std::string_view input, const RequestedFile& f) {
  require(f.name == input);
  require(kind_name(f.kind) != nullptr);
  switch (f.kind) {
    case FileKind::Config:
    case FileKind::ConfigSgn:
    case FileKind::ConfigEncSgn:
      require(!f.device.empty());
      break;
    case FileKind::Itl:
      require(!f.device.empty() || input == "ITLFile.tlv");
      break;
    case FileKind::Ctl:
      require(!f.device.empty() || input == "CTLFile.tlv");
      break;
    case FileKind::XmlDefault:
      require(f.device.empty() && ascii_iequal(input, "XMLDefault.cnf.xml"));
      return;
    case FileKind::XmlDefaultSgn:
      require(f.device.empty() && ascii_iequal(input, "XMLDefault.cnf.xml.sgn"));
      return;
    case FileKind::Other:
      require(f.device.empty());
      return;
  }
  if (f.device.empty()) return;  // ITLFile.tlv / CTLFile.tlv
  require(f.device.size() == 15 && f.device.starts_with("SEP"));
  for (std::size_t i = 3; i < f.device.size(); ++i) {
    char c = f.device[i];
    require((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
  }
  require(input.find(f.device) != std::string_view::npos);
  require(per_device_name(f.kind, f.device) == input);
  auto normalised = db::normalise_device_name(f.device);
  require(normalised.has_value() && *normalised == f.device);
}

// Invariants of decide, and why each must hold:
// - Every decision has a rule (it is shown to the administrator) and never the "internal" fallback:
//   every kind has a row in the table.
// - The variant fits the kind asked for: nothing but the matching file, NotFound or (for Other) a
//   static lookup can be served for a name.
// - Security rules: the cleartext config is never served when TFTP encryption is on; a signed full
//   config is never served when it is on either (the phone would get the secrets in the clear); the
//   encrypted config needs a key on record; a CTL exists only in mixed mode; an unknown device
//   gets no per-device config.
void check_decision(const RequestedFile& f, const std::optional<DeviceFacts>& dev, bool mixed, const Decision& d) {
  require(!d.rule.empty());
  require(!d.rule.starts_with("internal"));
  require(variant_name(d.variant) != nullptr && std::string_view(variant_name(d.variant)) != "unknown");
  bool per_device_config =
      f.kind == FileKind::Config || f.kind == FileKind::ConfigSgn || f.kind == FileKind::ConfigEncSgn;
  if (per_device_config && !dev) require(d.variant == Variant::NotFound);
  switch (f.kind) {
    case FileKind::Itl:
      require(d.variant == Variant::Itl);
      break;
    case FileKind::Ctl:
      require(d.variant == (mixed ? Variant::Ctl : Variant::NotFound));
      break;
    case FileKind::Config:
      require(d.variant == Variant::FullConfig || d.variant == Variant::NotFound);
      if (d.variant == Variant::FullConfig) require(!dev->tftp_encrypted);
      break;
    case FileKind::ConfigSgn:
      require(d.variant == Variant::FullConfigSigned || d.variant == Variant::PartialConfigSigned ||
              d.variant == Variant::NotFound);
      if (d.variant == Variant::FullConfigSigned) require(!dev->tftp_encrypted);
      if (d.variant == Variant::PartialConfigSigned) require(dev->tftp_encrypted);
      break;
    case FileKind::ConfigEncSgn:
      require(d.variant == Variant::EncryptedConfig || d.variant == Variant::NotFound);
      if (d.variant == Variant::EncryptedConfig) require(dev->tftp_encrypted && dev->key_on_record && dev->key_wraps);
      break;
    case FileKind::XmlDefault:
      require(d.variant == Variant::XmlDefault);
      break;
    case FileKind::XmlDefaultSgn:
      require(d.variant == Variant::XmlDefaultSigned);
      break;
    case FileKind::Other:
      require(d.variant == Variant::Static);
      break;
  }
}

// Every combination of the facts decide reads, plus out-of-range security modes.
constexpr std::array<int, 5> kSecurityModes = {1, 2, 3, 0, 4};

void fuzz_one(std::string_view input) {
  RequestedFile f = classify(input);
  check_classify(input, f);
  for (bool mixed : {false, true}) {
    check_decision(f, std::nullopt, mixed, decide(f, std::nullopt, mixed));
    for (int mode : kSecurityModes) {
      for (bool encrypted : {false, true}) {
        for (bool key : {false, true}) {
          for (bool wraps : {false, true}) {
            std::optional<DeviceFacts> dev = DeviceFacts{mode, encrypted, key, wraps};
            check_decision(f, dev, mixed, decide(f, dev, mixed));
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace cucm::catalog

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::catalog::fuzz_one(cucm::as_chars(cucm::ByteView(data, size)));
  return 0;
}

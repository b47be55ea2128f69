// Validation rules shared by every store and the CSV import.
#include "db/model.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace cucm::db {

Result<std::string> normalise_device_name(std::string_view name) {
  std::string up(name);
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  bool ok = up.size() == 15 && up.starts_with("SEP") &&
            std::all_of(up.begin() + 3, up.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (!ok) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("invalid device name '{}': expected SEP followed by the 12 hex digits of the MAC, "
                                  "e.g. SEPA45630BBFA40", name));
  }
  return up;
}

Status validate_auth_string(std::string_view s) {
  bool digits = std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  if (s.size() < 4 || s.size() > 10 || !digits) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("invalid CAPF authentication string '{}': 4 to 10 digits", s));
  }
  return Ok{};
}

namespace {
// Length of the UTF-8 sequence starting at s[i], 0 if it is not valid UTF-8.
std::size_t utf8_len(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return 0;
  }
  return n;
}
}  // namespace

Status validate_text(std::string_view field, std::string_view s, std::size_t max_len) {
  if (s.size() > max_len) {
    return make_error(Errc::InvalidArgument, fmt::format("{} is {} bytes, at most {} allowed", field, s.size(), max_len));
  }
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_len(s, i);
    if (n == 0) return make_error(Errc::InvalidArgument, fmt::format("{} is not valid UTF-8 at byte {}", field, i));
    auto c = static_cast<unsigned char>(s[i]);
    if (n == 1 && (c < 0x20 || c == 0x7f)) {
      // XML 1.0 cannot carry control characters, even escaped; tabs and newlines are refused too
      // because every field here is a single line on the phone's screen.
      return make_error(Errc::InvalidArgument,
                        fmt::format("{} contains control character 0x{:02x} at byte {}: not allowed in a phone config",
                                    field, c, i));
    }
    i += n;
  }
  return Ok{};
}

Status validate_profile(const SecurityProfile& p) {
  if (p.name.empty()) return make_error(Errc::InvalidArgument, "profile name is empty");
  CUCM_CHECK(validate_text("profile name", p.name, 100));
  CUCM_CHECK(validate_text("profile description", p.description, 200));
  CUCM_CHECK(validate_text("product", p.product, 100));
  if (p.protocol != "SCCP" && p.protocol != "SIP" && p.protocol != "ANY") {
    return make_error(Errc::InvalidArgument, fmt::format("invalid device protocol '{}': SCCP or SIP", p.protocol));
  }
  if (p.security_mode < 1 || p.security_mode > 3) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("invalid device security mode {}: 1 non-secure, 2 authenticated, 3 encrypted", p.security_mode));
  }
  const char* modes[] = {"auth-string", "null-string", "lsc-first", "mic-first"};
  if (std::find(std::begin(modes), std::end(modes), p.capf_auth_mode) == std::end(modes)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("invalid CAPF authentication mode '{}': auth-string, null-string, lsc-first or mic-first",
                                  p.capf_auth_mode));
  }
  if (p.key_order != "rsa" && p.key_order != "ec" && p.key_order != "ec-rsa") {
    return make_error(Errc::InvalidArgument, fmt::format("invalid key order '{}': rsa, ec or ec-rsa", p.key_order));
  }
  if (p.rsa_key_size != 1024 && p.rsa_key_size != 2048 && p.rsa_key_size != 3072 && p.rsa_key_size != 4096) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("invalid RSA key size {}: 1024, 2048, 3072 or 4096", p.rsa_key_size));
  }
  if (p.ec_key_size != 256 && p.ec_key_size != 384 && p.ec_key_size != 521) {
    return make_error(Errc::InvalidArgument, fmt::format("invalid EC key size {}: 256, 384 or 521", p.ec_key_size));
  }
  if (p.sip_phone_port < 1 || p.sip_phone_port > 65535) {
    return make_error(Errc::InvalidArgument, fmt::format("invalid SIP phone port {}: 1..65535", p.sip_phone_port));
  }
  return Ok{};
}

Status validate_line(const Line& l) {
  if (l.index < 1 || l.index > 64) return make_error(Errc::InvalidArgument, fmt::format("invalid line index {}: 1..64", l.index));
  if (l.directory_number.empty()) return make_error(Errc::InvalidArgument, "line directory number is empty");
  CUCM_CHECK(validate_text("directory number", l.directory_number, 48));
  CUCM_CHECK(validate_text("line display name", l.display_name, 100));
  CUCM_CHECK(validate_text("line auth name", l.auth_name, 100));
  CUCM_CHECK(validate_text("line auth password", l.auth_password, 100));
  return Ok{};
}

Result<std::string> normalise_capf_operation(std::string_view op) {
  std::string s(op);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "none" || s == "no pending operation") return std::string("none");
  if (s == "install" || s == "upgrade" || s == "install/upgrade") return std::string("install");
  if (s == "delete") return std::string("delete");
  if (s == "troubleshoot" || s == "fetch") return std::string("troubleshoot");
  return make_error(Errc::InvalidArgument,
                    fmt::format("invalid CAPF operation '{}': none, install, delete or troubleshoot", op));
}

}  // namespace cucm::db

// Reading <vpnGroup>: only what the headend check needs.
#include "cnf/vpn_group.hpp"

#include <charconv>

#include <fmt/format.h>

namespace cucm::cnf {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::optional<VpnGroup>> read_vpn_group(xmlNode* device) {
  xmlNode* g = child(device, "vpnGroup");
  if (!g) return std::optional<VpnGroup>{};
  VpnGroup v;
  v.url = std::string(trim(text(child(child(g, "addresses"), "url1"))));
  xmlNode* cred = child(g, "credentials");
  if (xmlNode* alg = child(cred, "hashAlg")) {
    std::string t(trim(text(alg)));
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v.hash_alg);
    if (ec != std::errc{} || p != t.data() + t.size()) {
      return make_error(Errc::InvalidArgument, fmt::format("cnf: vpnGroup hashAlg '{}' is not a number", t));
    }
  }
  for (int n = 1; n <= kMaxVpnCertHashes; ++n) {
    v.cert_hashes.emplace_back(trim(text(child(cred, fmt::format("certHash{}", n)))));
  }
  while (!v.cert_hashes.empty() && v.cert_hashes.back().empty()) v.cert_hashes.pop_back();
  return std::optional<VpnGroup>(std::move(v));
}

Result<std::optional<VpnGroup>> read_vpn_group(std::string_view xml) {
  CUCM_TRY(XmlDocPtr doc, parse_xml(xml, "config"));
  return read_vpn_group(xmlDocGetRootElement(doc.get()));
}

}  // namespace cucm::cnf

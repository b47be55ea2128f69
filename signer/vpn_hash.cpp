// Hashes of VPN headend certificates and their comparison with a vpnGroup's certHashN.
#include "signer/vpn_hash.hpp"

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/digest.hpp"

namespace cucm::signer {
namespace {

HashAlg digest_alg(VpnHashAlg alg) { return alg == VpnHashAlg::Sha512 ? HashAlg::Sha512 : HashAlg::Sha1; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The digest a well-formed value carries; nullopt for one that is not canonical base64.
std::optional<Bytes> decode(std::string_view value) {
  value = trim(value);
  auto bytes = from_base64(value);
  if (!bytes || value.empty() || to_base64(*bytes) != value) return std::nullopt;
  return std::move(*bytes);
}

}  // namespace

Result<VpnHashAlg> parse_vpn_hash_alg(std::string_view name) {
  if (name == "sha1") return VpnHashAlg::Sha1;
  if (name == "sha512") return VpnHashAlg::Sha512;
  return make_error(Errc::InvalidArgument, fmt::format("vpn hash algorithm '{}' vs sha1 or sha512", name));
}

std::string_view vpn_hash_alg_name(VpnHashAlg alg) { return alg == VpnHashAlg::Sha512 ? "sha512" : "sha1"; }
std::string_view vpn_hash_alg_label(VpnHashAlg alg) { return alg == VpnHashAlg::Sha512 ? "SHA-512" : "SHA-1"; }
std::size_t vpn_hash_size(VpnHashAlg alg) { return digest_size(digest_alg(alg)); }

std::string vpn_cert_hash(ByteView der, VpnHashAlg alg) { return to_base64(digest(digest_alg(alg), der)); }

std::vector<std::string> vpn_cert_hashes(std::span<const X509* const> certs, VpnHashAlg alg) {
  std::vector<std::string> out;
  out.reserve(certs.size());
  for (const X509* c : certs) out.push_back(vpn_cert_hash(cert_der(*c), alg));
  return out;
}

std::string vpn_hash_format_problem(std::string_view value, VpnHashAlg alg) {
  auto bytes = decode(value);
  if (!bytes) return "not base64";
  if (bytes->size() == vpn_hash_size(alg)) return "";
  std::string_view looks = bytes->size() == 20 ? " (a SHA-1 hash)" : bytes->size() == 64 ? " (a SHA-512 hash)" : "";
  return fmt::format("{} bytes{} vs {} for {}", bytes->size(), looks, vpn_hash_size(alg), vpn_hash_alg_label(alg));
}

VpnHashComparison compare_vpn_hashes(ByteView headend_der, VpnHashAlg alg, std::span<const std::string> cert_hashes) {
  VpnHashComparison c;
  Bytes presented = digest(digest_alg(alg), headend_der);
  c.presented = to_base64(presented);
  for (std::size_t i = 0; i < cert_hashes.size(); ++i) {
    if (trim(cert_hashes[i]).empty()) continue;
    VpnHashCheck h;
    h.index = static_cast<int>(i) + 1;
    h.value = cert_hashes[i];
    h.problem = vpn_hash_format_problem(h.value, alg);
    auto bytes = decode(h.value);
    h.match = h.problem.empty() && bytes && *bytes == presented;
    if (h.match && !c.matched) c.matched = h.index;
    c.hashes.push_back(std::move(h));
  }
  return c;
}

}  // namespace cucm::signer

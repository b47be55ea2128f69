// The headend check of a phone's SSL VPN (seed 001): the phone hashes the certificate the headend
// presents in its TLS handshake and compares the hash with its vpnGroup's certHash1 ... certHashN;
// no match is "Bad Certificate". Pure functions (no I/O), shared by `vpn check`, the phone
// simulator and whatever fills a group's hashes from certificates.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

enum class VpnHashAlg : std::uint8_t { Sha1, Sha512 };

Result<VpnHashAlg> parse_vpn_hash_alg(std::string_view name);  // "sha1", "sha512"; InvalidArgument else
std::string_view vpn_hash_alg_name(VpnHashAlg alg);             // "sha1", "sha512"
std::string_view vpn_hash_alg_label(VpnHashAlg alg);            // "SHA-1", "SHA-512"
std::size_t vpn_hash_size(VpnHashAlg alg);                      // 20, 64

// What the phone computes: the digest of the certificate's DER, base64 (certhash, PROTOCOLS §7.3).
std::string vpn_cert_hash(ByteView der, VpnHashAlg alg);
// A group's certHash values for headends that present `certs`, in order: the seam through which a
// group takes its hashes from certificates (files, a live headend, a trust store).
std::vector<std::string> vpn_cert_hashes(std::span<const X509* const> certs, VpnHashAlg alg);

// Why `value` can never be the hash of a certificate under `alg` ("" when it can): not base64, or
// a digest of another size (a SHA-1 hash in a SHA-512 group, say).
std::string vpn_hash_format_problem(std::string_view value, VpnHashAlg alg);

struct VpnHashCheck {
  int index = 0;        // N of certHashN
  std::string value;    // as configured
  std::string problem;  // vpn_hash_format_problem's answer
  bool match = false;
};

struct VpnHashComparison {
  std::string presented;             // vpn_cert_hash of the headend's certificate
  std::vector<VpnHashCheck> hashes;  // every certHashN configured
  std::optional<int> matched;        // the first N whose hash is the presented one
  bool accepted() const { return matched.has_value(); }
};

// Compares the hash of the certificate the headend presented (its DER) with the group's hashes:
// `cert_hashes[i]` is certHash(i+1), "" for one that is absent (skipped). Hashes are compared as
// digests, so only a well-formed value can match.
VpnHashComparison compare_vpn_hashes(ByteView headend_der, VpnHashAlg alg, std::span<const std::string> cert_hashes);

}  // namespace cucm::signer

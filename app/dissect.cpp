// Dissector output.
#include "app/dissect.hpp"

#include <iostream>

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"

namespace cucm::app {

void print_trace(const std::vector<signer::FieldTrace>& trace) {
  std::cout << fmt::format("{:>8}  {:>3}  {:<28}{:>6}  {}\n", "offset", "tag", "name", "length", "value");
  for (const auto& f : trace) {
    std::string name = std::string(static_cast<std::size_t>(f.depth) * 2, ' ') + f.name;
    std::string value = f.value;
    bool hex = value.size() == 2 * f.length;  // byte values are shown as hex, texts as they are
    if (hex && value.size() > 64) value = fmt::format("{}… ({} bytes)", value.substr(0, 64), f.length);
    std::cout << fmt::format("{:>#8x}  {:>3}  {:<28}{:>6}  {}\n", f.offset, f.tag, name, f.length, value);
  }
}

nlohmann::json trace_json(const std::vector<signer::FieldTrace>& trace) {
  auto arr = nlohmann::json::array();
  for (const auto& f : trace) {
    arr.push_back({{"offset", f.offset}, {"tag", f.tag}, {"name", f.name}, {"length", f.length},
                   {"value", f.value}, {"depth", f.depth}});
  }
  return arr;
}

nlohmann::json header_json(const signer::ParsedHeader& parsed) {
  const auto& h = parsed.header;
  nlohmann::json j = {
      {"version", fmt::format("{}.{}", h.version[0], h.version[1])},
      {"header_length", parsed.header_length},
      {"signer_name", h.signer_name},
      {"issuer_name", h.issuer_name},
      {"serial", to_hex(h.serial)},
      {"hash_algorithm", std::string(signer::hash_name(h.hash))},
      {"signature_algorithm", h.signature_algorithm},
      {"signature_modulus", h.signature_modulus},
      {"signature_offset", parsed.signature_item_offset},
      {"signature", to_hex(h.signature)},
      {"filename", h.filename},
      {"timestamp", h.timestamp},
      {"timestamp_utc", signer::format_utc(h.timestamp)},
  };
  if (h.signer_version) j["signer_version"] = fmt::format("{}.{}", (*h.signer_version)[0], (*h.signer_version)[1]);
  if (h.encryption) {
    const auto& e = *h.encryption;
    j["encryption"] = {{"iv", to_hex(e.iv)}, {"pad_count", e.pad_count}, {"key_bits", e.key_bits},
                       {"cipher", e.cipher}, {"wrapped_key", to_hex(e.wrapped_key)},
                       {"iv_flag", e.iv_flag}, {"key_flag", e.key_flag}};
  }
  if (h.digest_algorithm) j["digest_algorithm"] = *h.digest_algorithm;
  if (!h.digest.empty()) j["digest"] = to_hex(h.digest);
  return j;
}

nlohmann::json records_json(const std::vector<signer::TrustRecord>& records) {
  auto arr = nlohmann::json::array();
  for (const auto& r : records) {
    nlohmann::json j = {{"offset", r.offset}, {"length", r.length}, {"subject", r.subject},
                        {"issuer", r.issuer}, {"serial", to_hex(r.serial)},
                        {"public_key", to_hex(r.public_key)}, {"certificate_length", r.certificate.size()}};
    if (r.role) {
      j["role"] = *r.role;
      j["role_name"] = signer::role_name(*r.role);
    }
    if (!r.dns_name.empty()) j["dns_name"] = r.dns_name;
    if (!r.certificate.empty()) {
      if (auto cert = signer::load_cert(r.certificate)) {
        j["certificate_md5"] = signer::cert_md5_hex(**cert);
        j["certificate_sha1"] = signer::cert_fingerprint(**cert, signer::HashAlg::Sha1);
        j["not_after"] = signer::format_utc(signer::not_after(**cert));
      }
    }
    arr.push_back(std::move(j));
  }
  return arr;
}

}  // namespace cucm::app

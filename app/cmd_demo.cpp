// cucm-emu demo: the encrypted-config artefacts of seed 004 built with the cluster keys and
// checked as a phone checks them. Network services (TFTP, CAPF) are not part of this release.
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "cnf/partial_config.hpp"
#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "signer/trust_list.hpp"

namespace cucm::app {
namespace fs = std::filesystem;
namespace {

// What an administrator provisioned for the demo phone (a full config as in PROTOCOLS §6.1).
constexpr std::string_view kDemoConfig = R"(<?xml version="1.0" encoding="UTF-8"?>
<device>
  <fullConfig>true</fullConfig>
  <deviceProtocol>SIP</deviceProtocol>
  <ipAddressMode>0</ipAddressMode>
  <devicePool>
    <callManagerGroup>
      <members>
        <member priority="0">
          <callManager>
            <ports>
              <ethernetPhonePort>2000</ethernetPhonePort>
              <sipPort>5060</sipPort>
              <securedSipPort>5061</securedSipPort>
            </ports>
            <processNodeName>127.0.0.1</processNodeName>
          </callManager>
        </member>
      </members>
    </callManagerGroup>
  </devicePool>
  <TVS>
    <members>
      <member priority="0">
        <port>2445</port>
        <address>127.0.0.1</address>
      </member>
    </members>
  </TVS>
  <loadInformation>SIP75.9-3-1SR2-1S</loadInformation>
  <capfAuthMode>0</capfAuthMode>
  <capfList>
    <capf>
      <phonePort>3804</phonePort>
      <processNodeName>127.0.0.1</processNodeName>
    </capf>
  </capfList>
  <deviceSecurityMode>3</deviceSecurityMode>
  <transportLayerProtocol>3</transportLayerProtocol>
  <certHash></certHash>
  <encrConfig>false</encrConfig>
  <sipProfile>
    <sipLines>
      <line button="1" lineIndex="1">
        <featureID>9</featureID>
        <name>1001</name>
        <authName>1001</authName>
        <authPassword>demo-secret</authPassword>
      </line>
    </sipLines>
  </sipProfile>
</device>
)";

constexpr const char* kDevice = "SEP001122334455";

struct DemoPhone {
  signer::X509Ptr cert;
  signer::PkeyPtr key;
};

// The phone's manufacturing certificate: made once and kept, as a real MIC would be.
Result<DemoPhone> demo_phone(const fs::path& dir) {
  fs::path cert_path = dir / fmt::format("{}-mic.pem", kDevice), key_path = dir / fmt::format("{}-mic.key", kDevice);
  DemoPhone p;
  if (fs::exists(cert_path) && fs::exists(key_path)) {
    CUCM_TRY(Bytes c, read_file(cert_path));
    CUCM_TRY(Bytes k, read_file(key_path));
    CUCM_TRY(p.cert, signer::load_cert(c));
    CUCM_TRY(p.key, signer::load_private_key(k));
    return p;
  }
  CUCM_TRY(p.key, signer::generate_key(signer::KeySpec{}));
  signer::CertRequest req;
  req.subject = {{"CN", kDevice}, {"O", "Demo Manufacturing"}};
  req.is_ca = false;
  req.days = 3650;
  req.key_usage = "critical,digitalSignature,keyEncipherment";
  req.subject_alt_name = std::string("URI:") + kDevice;
  CUCM_TRY(p.cert, signer::make_self_signed(*p.key, req));
  CUCM_TRY(Bytes key_pem, signer::private_key_pem(*p.key));
  CUCM_CHECK(write_file_atomic(key_path, key_pem, 0600));
  CUCM_CHECK(write_file_atomic(cert_path, signer::cert_pem(*p.cert)));
  return p;
}

void step(std::string_view who, std::string_view what) { std::cout << fmt::format("  {:<7} {}\n", who, what); }

Status run_demo(const GlobalOptions& g) {
  CUCM_TRY(auto pki, cluster_pki(g));
  fs::path dir = g.data_dir / "demo";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::Unavailable, fmt::format("demo: cannot create {}: {}", dir.string(), ec.message()));
  std::cout << fmt::format("cucm-emu demo: encrypted configuration for {} (seed 004), files in {}\n\n",
                           kDevice, dir.string());
  auto& sast = pki.identity(signer::PkiRole::ItlRecovery);
  auto& cm = pki.identity(signer::PkiRole::CallManager);
  std::uint32_t now = now_timestamp();

  // Server side: the trust list, the full config, its encrypted form and the partial .sgn.
  auto entries = pki.itl_entries();
  signer::TrustListOptions to;
  to.filename = fmt::format("ITL{}.tlv", kDevice);
  to.timestamp = now;
  CUCM_TRY(Bytes itl, signer::build_trust_list(entries, to, *sast.key, *sast.cert));
  CUCM_CHECK(write_file_atomic(dir / to.filename, itl));
  step("cucm", fmt::format("built {} ({} bytes, {} records, signed by {})", to.filename, itl.size(),
                           entries.size(), signer::subject_name(*sast.cert)));

  CUCM_TRY(DemoPhone phone, demo_phone(dir));
  std::string hash = signer::cert_md5_hex(*phone.cert);
  std::string base = fmt::format("{}.cnf.xml", kDevice);
  CUCM_CHECK(write_file_atomic(dir / base, as_bytes(kDemoConfig)));
  CUCM_TRY(auto device_key, signer::cert_public_key(*phone.cert));
  CUCM_TRY(Bytes enc, signer::build_enc_sgn(as_bytes(kDemoConfig), *device_key, {base + ".enc.sgn", signer::HashAlg::Sha1, now},
                                            *cm.key, *cm.cert));
  CUCM_CHECK(write_file_atomic(dir / (base + ".enc.sgn"), enc));
  CUCM_TRY(std::string partial, cnf::make_partial_config(kDemoConfig, hash));
  CUCM_TRY(Bytes sgn, signer::build_sgn(as_bytes(partial), {base + ".sgn", signer::HashAlg::Sha1, now}, *cm.key, *cm.cert));
  CUCM_CHECK(write_file_atomic(dir / (base + ".sgn"), sgn));
  step("cucm", fmt::format("phone key on record: certHash {} (MD5 of the phone's certificate)", hash));
  step("cucm", fmt::format("built {}.enc.sgn ({} bytes) and the partial {}.sgn ({} bytes)", base, enc.size(), base, sgn.size()));

  // Phone side: trust the first ITL, verify the partial config, compare certHash, decrypt.
  std::cout << "\n";
  CUCM_TRY(auto list, signer::parse_trust_list(itl));
  CUCM_CHECK(signer::verify_trust_list(itl, list));
  step("phone", fmt::format("{}: signature OK, trusting {} records on first boot", to.filename, list.records.size()));
  const signer::TrustRecord* tftp = nullptr;
  for (const auto& r : list.records) {
    if (r.role == static_cast<std::uint16_t>(signer::Role::CcmTftp) || r.role == static_cast<std::uint16_t>(signer::Role::Tftp)) tftp = &r;
  }
  if (!tftp) return make_error(Errc::NotFound, "demo: the ITL has no TFTP or CCM+TFTP record");
  CUCM_TRY(auto tftp_cert, signer::load_cert(tftp->certificate));
  CUCM_TRY(auto tftp_key, signer::cert_public_key(*tftp_cert));
  CUCM_TRY(auto sgn_parsed, signer::parse_sgn(sgn));
  CUCM_CHECK(signer::verify_signature(sgn, sgn_parsed, *tftp_key));
  CUCM_TRY(auto fields, cnf::read_decision_fields(as_chars(signer::sgn_payload(sgn, sgn_parsed))));
  step("phone", fmt::format("{}.sgn: signature OK (TFTP role {}); fullConfig={} encrConfig={} CAPF {}:{}", base,
                            tftp->subject, fields.full_config, fields.encr_config, fields.capf_host, fields.capf_port));
  if (fields.cert_hash != hash) {
    return make_error(Errc::Unauthenticated, "demo: certHash does not match the phone certificate");
  }
  step("phone", "certHash matches my certificate: no CAPF needed, fetching the encrypted config");
  CUCM_TRY(auto enc_parsed, signer::parse_enc_sgn(enc));
  CUCM_CHECK(signer::verify_signature(enc, enc_parsed, *tftp_key));
  CUCM_TRY(Bytes plain, signer::decrypt_enc_sgn(enc, enc_parsed, *phone.key));
  if (as_chars(plain) != kDemoConfig) return make_error(Errc::Internal, "demo: decrypted config differs");
  CUCM_TRY(auto full, cnf::read_decision_fields(as_chars(plain)));
  step("phone", fmt::format("{}.enc.sgn: signature OK, key unwrapped, {} bytes decrypted, digest OK, fullConfig={}",
                            base, plain.size(), full.full_config));
  std::cout << "\ndemo: OK. Inspect the files with 'cucm-emu tlv parse', 'cucm-emu sgn parse' and "
               "'cucm-emu enc parse'.\n";
  return Ok{};
}

}  // namespace

void add_demo_command(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* d = app.add_subcommand("demo", "Build and check the seed-004 encrypted-config files for a demo phone");
  d->callback([&g, &rc] {
    auto st = run_demo(g);
    rc = st ? 0 : fail(st.error());
  });
}

}  // namespace cucm::app

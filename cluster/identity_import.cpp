// Importing a CA-signed identity.
#include "cluster/identity_import.hpp"

#include <openssl/x509v3.h>

#include <fmt/format.h>

#include "cluster/trust_stores.hpp"
#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/chain_verifier.hpp"
#include "signer/identity_request.hpp"
#include "signer/keys.hpp"

namespace cucm::cluster {

namespace {

// The certificate's usage against what its role needs: refusals, and warnings for what a peer
// may want (seed 002: Expressway wants clientAuth from CUCM; CUCM itself does without).
Status check_usage(signer::PkiRole role, X509& cert, std::vector<std::string>& warnings) {
  std::uint32_t flags = X509_get_extension_flags(&cert);
  std::uint32_t ku = X509_get_key_usage(&cert);  // every bit set when there is no extension
  std::uint32_t xku = X509_get_extended_key_usage(&cert);
  std::string who = signer::subject_name(cert);
  if (role == signer::PkiRole::Capf) {
    if (!(flags & EXFLAG_CA) || !(ku & KU_KEY_CERT_SIGN)) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("{} cannot be CAPF's certificate: CAPF issues LSCs, so it needs basicConstraints "
                                    "CA:TRUE and keyUsage keyCertSign (from CUCM 14SU2 TLS to CAPF fails without, "
                                    "PROTOCOLS §7.1); have the CA sign the CSR as a subordinate CA",
                                    who));
    }
  }
  if (!(ku & KU_DIGITAL_SIGNATURE)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{}: keyUsage lacks digitalSignature, which a TLS server needs", who));
  }
  if (!(xku & XKU_SSL_SERVER)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{}: EKU lacks TLS Web Server Authentication (serverAuth): phones connecting to {} "
                                  "would refuse it; have the CA sign with the CSR's extensions",
                                  who, signer::pki_role_name(role)));
  }
  if (role == signer::PkiRole::CallManager && !(xku & XKU_SSL_CLIENT)) {
    warnings.push_back("EKU lacks TLS Web Client Authentication (clientAuth): CUCM takes it, but a peer that checks "
                       "CUCM as a TLS client (Expressway-C, a SIP trunk peer) refuses it (seed 002)");
  }
  return Ok{};
}

}  // namespace

Result<ImportedIdentity> import_signed_identity(const db::Database& db, signer::ClusterPki& pki, signer::PkiRole role,
                                                ByteView cert_bytes, ByteView chain_bytes, std::time_t now) {
  CUCM_CHECK(signer::check_csr_role(role));
  CUCM_TRY(auto given, signer::load_certs(cert_bytes));
  std::vector<signer::X509Ptr> chain;
  if (!chain_bytes.empty()) {
    CUCM_TRY(chain, signer::load_certs(chain_bytes));
  }
  if (given.size() + chain.size() > kMaxCertificatesPerFile) {
    return make_error(Errc::InvalidArgument, fmt::format("{} certificates given: a chain has at most {}",
                                                         given.size() + chain.size(), kMaxCertificatesPerFile));
  }
  signer::X509Ptr leaf = std::move(given.front());
  for (std::size_t i = 1; i < given.size(); ++i) chain.push_back(std::move(given[i]));

  CUCM_TRY(auto key, signer::load_pending_key(pki.dir(), role));
  const EVP_PKEY& cert_key = *X509_get0_pubkey(leaf.get());
  if (!signer::same_public_key(cert_key, *key)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{} ({}) was not signed from the pending {} CSR: its key is not the pending key ({}); "
                                  "nothing changed",
                                  signer::subject_name(*leaf), signer::describe_key(cert_key), signer::pki_role_name(role),
                                  signer::describe_key(*key)));
  }
  if (signer::is_self_signed(*leaf)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{} is self-signed: a new self-signed certificate is 'pki rotate --role {}'",
                                  signer::subject_name(*leaf), signer::pki_role_name(role)));
  }
  CUCM_CHECK(signer::check_key_kind(role, signer::key_kind(*key), signer::describe_key(*key)));

  TrustStore store = trust_store_for(role);
  CUCM_TRY(auto anchors, trusted_certificates(db, store));
  signer::ChainVerifier verifier;
  for (const auto& a : anchors) CUCM_CHECK(verifier.add_anchor(*a));
  std::vector<X509*> intermediates;
  for (const auto& c : chain) intermediates.push_back(c.get());
  if (auto ok = verifier.verify(*leaf, now, intermediates); !ok) {
    return make_error(Errc::Unauthenticated,
                      fmt::format("{} is not signed by a CA in {} ({}): add the CA's root (and any intermediate) "
                                  "with 'cucm-emu trust add --store {} CA.pem', or give the intermediates with --chain",
                                  signer::subject_name(*leaf), trust_store_name(store), ok.error().message,
                                  trust_store_name(store)));
  }
  ImportedIdentity out;
  CUCM_CHECK(check_usage(role, *leaf, out.warnings));

  Bytes chain_pem;
  for (const auto& c : chain) {
    Bytes pem = signer::cert_pem(*c);
    chain_pem.insert(chain_pem.end(), pem.begin(), pem.end());
  }
  CUCM_TRY(Bytes key_pem, signer::private_key_pem(*key));
  CUCM_CHECK(pki.import(role, signer::cert_pem(*leaf), key_pem, chain_pem));
  CUCM_CHECK(signer::clear_pending(pki.dir(), role));

  out.subject = signer::subject_name(*leaf);
  out.issuer = signer::issuer_name(*leaf);
  out.serial = to_hex(signer::serial_bytes(*leaf));
  out.store = std::string(trust_store_name(store));
  out.chain.push_back(out.subject);
  for (const auto& c : chain) out.chain.push_back(signer::subject_name(*c));
  return out;
}

}  // namespace cucm::cluster

// X.509 certificates: loading, encoding, and the fields the trust lists and configs carry.
#pragma once

#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/digest.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

// One certificate, PEM or DER. InvalidArgument when neither parses.
Result<X509Ptr> load_cert(ByteView pem_or_der);
// Every certificate in a PEM bundle (or the single DER one). InvalidArgument when none parses.
Result<std::vector<X509Ptr>> load_certs(ByteView pem_or_der);

Bytes cert_der(const X509& cert);
Bytes cert_pem(const X509& cert);

// A name the way the usecallmanager tools write it into TLV files (PROTOCOLS §5.1): RDNs in the
// certificate's own order joined with ",", short names for CN L ST O OU C STREET DC UID, others as
// dotted OIDs, and \ " + , ; < > backslash-escaped.
std::string tool_name(const X509_NAME& name);
std::string subject_name(const X509& cert);
std::string issuer_name(const X509& cert);
// The subject's last CN, or "" when it has none.
std::string common_name(const X509& cert);

// The subject's RDNs as (short name, value), in order: what CertRequest::subject takes.
std::vector<std::pair<std::string, std::string>> subject_rdns(const X509& cert);
// The subjectAltName in the OpenSSL config form CertRequest takes ("DNS:a,IP:127.0.0.1"); DNS,
// URI and IP names only, "" when there is none.
std::string alt_names_config(const X509& cert);
// The digest of the certificate's own signature (SHA-256 for anything but SHA-1 and SHA-512).
HashAlg signature_digest(const X509& cert);

// The serial's minimal big-endian bytes, without a 00 sign byte (PROTOCOLS §5.1).
Bytes serial_bytes(const X509& cert);
// The certificate's signatureValue bytes (ITL/CTL tag 8).
Bytes signature_value(const X509& cert);

std::time_t not_before(const X509& cert);
std::time_t not_after(const X509& cert);
std::string format_utc(std::time_t t);  // "2026-11-23 01:57:26 UTC"

Result<PkeyPtr> cert_public_key(const X509& cert);
bool is_self_signed(const X509& cert);

// Hashes of the DER: certHash (MD5, lowercase hex) and certHash1 (SHA-1/SHA-512, base64).
std::string cert_md5_hex(const X509& cert);
// SHA-256 of the DER, lowercase hex: how TVS and the trust stores key a certificate.
std::string cert_sha256_hex(const X509& cert);
std::string cert_hash_base64(const X509& cert, HashAlg alg);
std::string cert_fingerprint(const X509& cert, HashAlg alg);  // "AB:CD:…"
std::string cert_md5_fingerprint(const X509& cert);

// DER bytes as a reader is told about them: "CN=…, MD5 <hex> (N bytes)", or that they are not a
// certificate (phone boot --explain).
std::string describe_der_certificate(ByteView der);

}  // namespace cucm::signer

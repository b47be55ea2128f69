// ITL and CTL trust lists (.tlv): a version 1.2 signed header with a SignerVersion, then one
// record per certificate with its role (PROTOCOLS §5.4, §5.5).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/digest.hpp"
#include "signer/ossl.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::signer {

// Role codes: u16 in ITL/CTL records, u8 in TVS answers.
enum class Role : std::uint16_t {
  Sast = 0, Ccm = 1, CcmTftp = 2, Tftp = 3, Capf = 4, AppServer = 7, Tvs = 21
};
std::string role_name(std::uint16_t code);           // "CCM+TFTP"; "ROLE-9" for unknown codes
Result<Role> parse_role(std::string_view name);      // case-insensitive; InvalidArgument otherwise

struct TrustRecord {
  std::size_t offset = 0;   // of the record in the file
  std::size_t length = 0;   // whole record, its length item included
  std::string dns_name;     // tag 2, read but never written by the tools
  std::string subject;      // tag 3
  std::optional<std::uint16_t> role;  // tag 4
  std::string issuer;       // tag 5
  Bytes serial;             // tag 6
  Bytes public_key;         // tag 7: PKCS#1 RSAPublicKey or X9.62 point
  Bytes signature;          // tag 8: the certificate's signatureValue
  Bytes certificate;        // tag 9: DER
};

struct TrustList {
  ParsedHeader parsed;
  std::vector<TrustRecord> records;
  std::vector<FieldTrace> record_trace;  // dissector view of the records
};

// One certificate to list, and its role.
struct TrustEntry {
  const X509* cert;
  Role role;
};

struct TrustListOptions {
  std::string filename = "ITLFile.tlv";
  HashAlg hash = HashAlg::Sha1;
  std::uint32_t timestamp = 0;
  std::array<std::uint8_t, 2> signer_version{1, 0};
};

// Builds and signs a trust list; `key`/`cert` is the SAST signer, which should also be an entry.
// InvalidArgument when the result passes 64 KiB per record or a certificate key is not RSA/EC.
Result<Bytes> build_trust_list(std::span<const TrustEntry> entries, const TrustListOptions& opts,
                               EVP_PKEY& key, const X509& cert);

// Parses header and records. InvalidArgument for bad framing: a record not opening with a
// length item, a record length past the end or shorter than its items, a certificate that does
// not parse or holds neither an RSA nor an EC key.
Result<TrustList> parse_trust_list(ByteView file);

// The record that signed the file: role SAST and serial equal to the header SerialNumber (as the
// tools pick it). NotFound when there is none.
Result<const TrustRecord*> find_signer(const TrustList& list);

// Verifies the file signature with the signer record's own certificate. NotFound when there is no
// signer record, Unauthenticated when the signature does not match.
Status verify_trust_list(ByteView file, const TrustList& list);

}  // namespace cucm::signer

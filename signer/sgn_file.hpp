// .sgn files: a version 1.0 header signed by the TFTP-role key, then the original bytes
// (PROTOCOLS §5.2).
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/digest.hpp"
#include "signer/ossl.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::signer {

struct SgnOptions {
  std::string filename;        // the .sgn file's own name, e.g. SEP001122334455.cnf.xml.sgn
  HashAlg hash = HashAlg::Sha1;  // SHA-1 or SHA-512 (the tools reject SHA-256)
  std::uint32_t timestamp = 0;
};

// InvalidArgument for SHA-256 (which the phone-side tools reject).
Status check_file_hash(HashAlg hash);

// InvalidArgument for SHA-256, a non-RSA signer, or an unsupported key size.
Result<Bytes> build_sgn(ByteView payload, const SgnOptions& opts, EVP_PKEY& key, const X509& cert);

// Parses a .sgn header. InvalidArgument for framing errors and for files that are not .sgn
// (an .enc.sgn or ITL/CTL header gets a message naming the right command).
Result<ParsedHeader> parse_sgn(ByteView file);

// The signed payload: everything after HeaderLength.
inline ByteView sgn_payload(ByteView file, const ParsedHeader& parsed) {
  return file.subspan(parsed.header_length);
}

}  // namespace cucm::signer

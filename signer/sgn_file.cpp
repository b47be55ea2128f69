// .sgn build and parse on top of the shared header codec.
#include "signer/sgn_file.hpp"

#include <fmt/format.h>

namespace cucm::signer {

Status check_file_hash(HashAlg hash) {
  if (hash == HashAlg::Sha256) {
    return make_error(Errc::InvalidArgument,
                      "signer: signed files use sha1 or sha512 (hash code 2, SHA-256, is rejected by "
                      "the phone-side tools)");
  }
  return Ok{};
}

Result<Bytes> build_sgn(ByteView payload, const SgnOptions& opts, EVP_PKEY& key, const X509& cert) {
  CUCM_CHECK(check_file_hash(opts.hash));
  if (opts.filename.empty()) return make_error(Errc::InvalidArgument, "sgn: the file name is empty");
  Header h;
  h.version = {1, 0};
  h.hash = opts.hash;
  h.filename = opts.filename;
  h.timestamp = opts.timestamp;
  return sign_and_assemble(std::move(h), payload, key, cert);
}

Result<ParsedHeader> parse_sgn(ByteView file) {
  CUCM_TRY(ParsedHeader parsed, parse_header(file, "sgn"));
  const Header& h = parsed.header;
  if (h.signer_version) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("sgn: header version {}.{} with a SignerVersion (tag 28) is an ITL/CTL "
                                  "trust list; use 'cucm-emu tlv parse'", h.version[0], h.version[1]));
  }
  if (h.version[0] == 2 || h.encryption) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("sgn: header version {}.{} with EncryptionInfo is an .enc.sgn; use "
                                  "'cucm-emu enc parse'", h.version[0], h.version[1]));
  }
  if (h.version[0] != 1) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("sgn: Version at offset 0: {}.{} vs expected 1.x", h.version[0], h.version[1]));
  }
  return parsed;
}

}  // namespace cucm::signer

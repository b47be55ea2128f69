// The signed-file header shared by .sgn, .enc.sgn, ITL and CTL files (PROTOCOLS §5.1): a list
// of `u8 tag | u16 BE length | value` items, containers, a 0D pad byte, and an RSA signature over
// the whole file minus the signature item.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/digest.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

namespace tag {
inline constexpr std::uint8_t kVersion = 1, kHeaderLength = 2, kSignerInfo = 3, kSignerName = 4,
    kSerialNumber = 5, kIssuerName = 6, kSignatureInfo = 7, kHashAlgorithm = 8,
    kSignatureAlgorithmInfo = 9, kSignatureAlgorithm = 10, kSignatureModulus = 11, kSignature = 12,
    kPadding = 13, kFilename = 14, kTimestamp = 15, kEncryptionInfo = 16, kIvInfo = 17,
    kIvFlag = 18, kIv = 19, kPadCount = 20, kKeyInfo = 21, kKeyFlag = 22, kKeyBits = 23,
    kCipher = 24, kWrappedKey = 25, kDigestAlgorithm = 26, kDigest = 27, kSignerVersion = 28;
}  // namespace tag

// Name of a header tag for dissector output; "unknown" for tags we skip (our reader skips unknown
// tags by their length, PROTOCOLS §5.1 [EMU]; only bad framing is an error).
const char* header_tag_name(std::uint8_t t);

// One item as a dissector shows it. Offsets are from the start of the file.
struct FieldTrace {
  std::size_t offset;
  std::uint8_t tag;
  std::string name;
  std::size_t length;  // value length (0 for the one-byte 0D pad)
  std::string value;   // text, number, or full lowercase hex
  int depth;           // 0 top level, 1 inside a container, ...
};

// The .enc.sgn encryption parameters (tags 16..25).
struct EncryptionInfo {
  std::uint8_t iv_flag = 0;      // tag 18, meaning unknown, tools write 0
  Bytes iv;                      // tag 19, 16 bytes
  std::uint16_t pad_count = 0;   // tag 20, 1..16 bytes of 0D after the plaintext
  std::uint8_t key_flag = 0;     // tag 22, meaning unknown, tools write 0
  std::uint16_t key_bits = 0;    // tag 23, tools write 8 x wrapped-key length
  std::uint8_t cipher = 1;       // tag 24, 1 = AES-128-CBC (presumed)
  Bytes wrapped_key;             // tag 25, RSAES-PKCS1-v1_5 wrapped AES key
  bool operator==(const EncryptionInfo&) const = default;
};

struct Header {
  std::array<std::uint8_t, 2> version{1, 0};           // 1.0 .sgn, 2.0 .enc.sgn, 1.2 ITL/CTL
  std::optional<std::array<std::uint8_t, 2>> signer_version;  // tag 28, ITL/CTL only
  std::string signer_name;
  std::string issuer_name;
  Bytes serial;
  HashAlg hash = HashAlg::Sha1;
  std::uint8_t signature_algorithm = 0;  // 0 = RSA
  std::uint8_t signature_modulus = 2;    // 0..3 = 64, 128, 256, 512-byte signature
  Bytes signature;
  std::string filename;
  std::uint32_t timestamp = 0;
  std::optional<EncryptionInfo> encryption;
  std::optional<std::uint8_t> digest_algorithm;  // tag 26
  Bytes digest;                                  // tag 27
  bool operator==(const Header&) const = default;
};

struct ParsedHeader {
  Header header;
  std::uint16_t header_length = 0;        // payload starts here
  std::size_t signature_item_offset = 0;  // where `0C LLLL sig` starts
  std::size_t signature_item_size = 0;    // 3 + signature length
  std::vector<FieldTrace> trace;
};

// Parses the header at the start of `file`. `context` names the format in messages ("sgn").
// InvalidArgument naming offset and field for: a first item other than Version, a second other
// than HeaderLength, a HeaderLength past the end or inside its own first items, an item or
// container running past its bounds, a fixed-size field of the wrong size, a missing or repeated
// HashAlgorithm/Signature, an unknown hash code.
Result<ParsedHeader> parse_header(ByteView file, std::string_view context);

// Signature size in bytes for a SignatureModulus code, 0 for an unknown code.
std::size_t modulus_bytes(std::uint8_t code);
// The code for a signature size; InvalidArgument for sizes with no code (e.g. 384 for RSA-3072).
Result<std::uint8_t> modulus_code(std::size_t signature_bytes);

// Serialises `h` with its current `signature` (whose length decides the padding) and appends 0D
// bytes until the header, signature item included, is a multiple of 4. InvalidArgument when a
// text or the header exceeds the u16 lengths.
struct BuiltHeader {
  Bytes bytes;
  std::size_t signature_item_offset;
};
Result<BuiltHeader> build_header(const Header& h);

// Fills the signer fields of `h` from the signing certificate, builds the header, signs
// header-without-signature + payload with RSASSA-PKCS1-v1_5 and returns header + payload.
// InvalidArgument for a non-RSA signer or a key size with no modulus code.
Result<Bytes> sign_and_assemble(Header h, ByteView payload, EVP_PKEY& key, const X509& cert);

// Checks the signature of a parsed file with `key`: Unauthenticated on mismatch, InvalidArgument
// when the signature size does not match the key or the modulus code.
Status verify_signature(ByteView file, const ParsedHeader& parsed, EVP_PKEY& key);

}  // namespace cucm::signer

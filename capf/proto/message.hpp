// CAPF protocol v3 messages (PROTOCOLS §3): an 8-byte header (id 0x55, command, SID, body
// length) and a body of `u8 tag | u16 BE length | value` elements. Codec only, no I/O; shared by
// the server and the phone side.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::capf {

inline constexpr std::uint8_t kProtocolId = 0x55;
inline constexpr std::size_t kHeaderSize = 8;
inline constexpr std::size_t kMaxBody = 0xffff;  // the u16 length field

enum class Command : std::uint8_t {
  AuthRequest = 1, AuthResponse = 2, KeyGenRequest = 3, KeyGenResponse = 4, EncryptResponse = 5,
  EncryptRequest = 6, DecryptRequest = 7, DecryptResponse = 8, StoreCertRequest = 9,
  StoreCertResponse = 10, FetchCertRequest = 11, FetchCertResponse = 12, DeleteCertRequest = 13,
  DeleteCertResponse = 14, End = 15, RetryLater = 16, RequestInProgress = 17, StatusRequest = 18,
  StatusResponse = 19, AbortRequest = 20, AbortResponse = 21, SignCertRequest = 22, SignCertResponse = 23
};
const char* command_name(Command c);

enum class Element : std::uint8_t {
  Reason = 1, ReasonInfo = 2, CertificateType = 3, Certificate = 4, CertificateId = 5, SignedData = 6,
  Version = 7, AuthType = 8, PublicKey = 9, KeySize = 10, Password = 11, RetryDelay = 12,
  DeviceName = 13, SudiData = 16, KeyType = 17, Curve = 18, DigestType = 19, Sha2SignedData = 20
};
const char* element_name(std::uint8_t tag);

// Reason values (§3.7).
enum class Reason : std::uint8_t { NoAction = 0, UpdateCertificate = 1, InvalidElement = 7, UnknownDevice = 9 };
enum class AuthType : std::uint8_t { None = 0, Password = 1, NoPassword = 2, Lsc = 3, Mic = 4 };
enum class KeyType : std::uint8_t { Rsa = 0, Ec = 1 };
enum class Curve : std::uint8_t { P256 = 0, P384 = 1, P521 = 2 };
enum class CertificateType : std::uint8_t { Lsc = 1, Mic = 2 };

// SudiData (tag 16): three sub-items `u8 type | u16 BE len | value` (§3.5).
// Every sub-item's type byte is kept as sent: UCM checks only the third (PROTOCOLS §3.5 step 6).
struct SudiData {
  Bytes certificate;     // first sub-item, type 0 from phones
  Bytes sha1_signature;  // second sub-item, type 1 from phones
  Bytes sha512_signature;  // third sub-item
  std::uint8_t third_type = 3;  // the server requires 3 (SHA-512)
  std::uint8_t first_type = 0, second_type = 1;  // not checked
  bool operator==(const SudiData&) const = default;  // Message's defaulted == needs it
};

// One message with the elements it carries; absent elements are nullopt. The unknown-tag policy
// ([EMU] §3.2): unknown tags are skipped by their length and listed in `unknown_tags`.
struct Message {
  Command command = Command::AuthRequest;
  std::uint32_t sid = 0;
  std::optional<std::uint8_t> reason;
  std::optional<std::string> reason_info;
  std::optional<std::uint8_t> certificate_type;
  std::optional<Bytes> certificate;       // DER; wire form is nested: 01 len | 00 TT | DER (§3.4)
  std::uint8_t certificate_tt = 1;        // the TT byte of the nested certificate
  std::optional<Bytes> signed_data;       // tag 6
  std::optional<std::uint8_t> version;
  std::optional<std::uint8_t> auth_type;
  std::optional<Bytes> public_key;        // DER SubjectPublicKeyInfo
  std::optional<std::uint16_t> key_size;
  std::optional<std::string> password;    // without its NUL
  std::optional<std::string> device_name; // without its NUL
  std::optional<SudiData> sudi;
  std::optional<std::uint8_t> key_type;
  std::optional<std::uint8_t> curve;
  std::optional<std::uint8_t> sha2_hash_code;  // tag 20: u8 hash code (3 = SHA-512)
  std::optional<Bytes> sha2_signed_data;       // tag 20: the signature
  std::vector<std::uint8_t> unknown_tags;
  bool operator==(const Message&) const = default;
};

// The body length from exactly 8 header bytes. InvalidArgument for a wrong protocol id.
Result<std::uint16_t> parse_header(ByteView header);

// A whole message (header + body). InvalidArgument naming the element and offset for: a wrong
// protocol id, a body length that differs from the bytes given, an element running past the
// body, a fixed-size element of the wrong size (Reason, CertificateType, Version, AuthType,
// KeyType, Curve: 1; KeySize: 2), a nested certificate or SudiData that is malformed, a string
// without its NUL.
Result<Message> parse_message(ByteView bytes);

// Header and body in one buffer (phones stall when they arrive in two writes, §3.1). Elements are
// written in one order that agrees with both of UCM's sides (§3.2): 1, 2, 3, 4, 6, 7, 8, 10, 17,
// 18, 11, 13, 16, 9, 20. InvalidArgument when the body would exceed 65535 bytes, the command is
// unknown, or only one of sha2_hash_code / sha2_signed_data is set.
Result<Bytes> build_message(const Message& m);

// What the phone signs for certificate authentication (§3.5): the device name, a 00 byte, then
// the certificate's DER (SignedData with SHA-1, Sha2SignedData with SHA-512).
Bytes auth_signed_data(std::string_view device, ByteView certificate_der);
// What a SUDI signs (§3.5): the connection's SID as u32 little-endian, then the SUDI's DER.
Bytes sudi_signed_data(std::uint32_t sid, ByteView sudi_der);

}  // namespace cucm::capf

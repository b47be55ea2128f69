// Header codec: a bounded recursive walk for parsing, an ordered writer for building.
#include "signer/tlv_header.hpp"

#include <fmt/format.h>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"

namespace cucm::signer {

const char* header_tag_name(std::uint8_t t) {
  static constexpr const char* kNames[] = {
      "unknown", "Version", "HeaderLength", "SignerInfo", "SignerName", "SerialNumber",
      "IssuerName", "SignatureInfo", "HashAlgorithm", "SignatureAlgorithmInfo",
      "SignatureAlgorithm", "SignatureModulus", "Signature", "Padding", "Filename", "Timestamp",
      "EncryptionInfo", "IvInfo", "IvFlag", "Iv", "PadCount", "KeyInfo", "KeyFlag", "KeyBits",
      "Cipher", "WrappedKey", "DigestAlgorithm", "Digest", "SignerVersion"};
  return t < std::size(kNames) ? kNames[t] : "unknown";
}

std::size_t modulus_bytes(std::uint8_t code) {
  switch (code) {
    case 0: return 64;
    case 1: return 128;
    case 2: return 256;
    case 3: return 512;
    default: return 0;
  }
}

Result<std::uint8_t> modulus_code(std::size_t signature_bytes) {
  for (std::uint8_t c = 0; c < 4; ++c) if (modulus_bytes(c) == signature_bytes) return c;
  return make_error(Errc::InvalidArgument,
                    fmt::format("signer: no SignatureModulus code for a {}-byte signature (RSA "
                                "512, 1024, 2048 or 4096 bits only)", signature_bytes));
}

namespace {

bool is_container(std::uint8_t t) {
  return t == tag::kSignerInfo || t == tag::kSignatureInfo || t == tag::kSignatureAlgorithmInfo ||
         t == tag::kEncryptionInfo || t == tag::kIvInfo || t == tag::kKeyInfo;
}

bool is_text(std::uint8_t t) {
  return t == tag::kSignerName || t == tag::kIssuerName || t == tag::kFilename;
}

// Expected value size of fixed-size items; 0 = variable.
std::size_t fixed_size(std::uint8_t t) {
  switch (t) {
    case tag::kVersion: case tag::kHeaderLength: case tag::kSignerVersion: case tag::kPadCount:
    case tag::kKeyBits:
      return 2;
    case tag::kHashAlgorithm: case tag::kSignatureAlgorithm: case tag::kSignatureModulus:
    case tag::kIvFlag: case tag::kKeyFlag: case tag::kCipher: case tag::kDigestAlgorithm:
      return 1;
    case tag::kTimestamp: return 4;
    case tag::kIv: return 16;
    default: return 0;
  }
}

std::string text_value(ByteView v) {
  // Texts are NUL-terminated and the NUL counts in the length; tolerate its absence.
  if (!v.empty() && v.back() == 0) v = v.first(v.size() - 1);
  return std::string(as_chars(v));
}

std::uint16_t be16(ByteView v) { return static_cast<std::uint16_t>((v[0] << 8) | v[1]); }

class HeaderWalker {
 public:
  static constexpr int kMaxDepth = 2;

  HeaderWalker(std::string_view context, ParsedHeader& out) : ctx_(context), out_(out) {}

  Status walk(ByteReader& r, int depth) {
    while (!r.empty()) {
      std::size_t at = r.offset();
      CUCM_TRY(std::uint8_t t, r.u8("item tag"));
      if (t == tag::kPadding) {  // one byte, no length
        out_.trace.push_back({at, t, "Padding", 0, "", depth});
        continue;
      }
      CUCM_TRY(std::uint16_t len, r.u16be(fmt::format("length of {} (tag {})", header_tag_name(t), t)));
      std::size_t value_at = r.offset();
      CUCM_TRY(ByteView value, r.take(len, fmt::format("value of {} (tag {})", header_tag_name(t), t)));
      if (std::size_t want = fixed_size(t); want && len != want) {
        return field_error(at, t, fmt::format("length {} vs expected {}", len, want));
      }
      out_.trace.push_back({at, t, header_tag_name(t), len, describe(t, value), depth});
      if (is_container(t)) {
        // The formats nest two deep (EncryptionInfo > IvInfo); deeper nesting is hostile input
        // that would otherwise recurse once per 3 bytes.
        if (depth >= kMaxDepth) return field_error(at, t, fmt::format("containers nested deeper than {}", kMaxDepth));
        ByteReader sub(value, std::string(ctx_), value_at);
        CUCM_CHECK(walk(sub, depth + 1));
        continue;
      }
      CUCM_CHECK(store(at, t, value));
    }
    return Ok{};
  }

  bool saw_hash = false;

 private:
  Error field_error(std::size_t at, std::uint8_t t, std::string_view problem) const {
    return make_error(Errc::InvalidArgument, fmt::format("{}: {} (tag {}) at offset {}: {}", ctx_,
                                                         header_tag_name(t), t, at, problem));
  }

  std::string describe(std::uint8_t t, ByteView v) const {
    if (is_container(t)) return "";
    if (is_text(t)) return text_value(v);
    switch (fixed_size(t)) {
      case 1: return std::to_string(v[0]);
      case 2: return (t == tag::kVersion || t == tag::kSignerVersion)
                         ? fmt::format("{}.{}", v[0], v[1]) : std::to_string(be16(v));
      case 4: {
        std::uint32_t secs = (std::uint32_t{v[0]} << 24) | (v[1] << 16) | (v[2] << 8) | v[3];
        return fmt::format("{} ({})", secs, format_utc(secs));
      }
      default: return to_hex(v);
    }
  }

  Status store(std::size_t at, std::uint8_t t, ByteView v) {
    Header& h = out_.header;
    auto enc = [&]() -> EncryptionInfo& {
      if (!h.encryption) h.encryption.emplace();
      return *h.encryption;
    };
    switch (t) {
      case tag::kVersion: h.version = {v[0], v[1]}; break;
      case tag::kSignerVersion: h.signer_version = std::array<std::uint8_t, 2>{v[0], v[1]}; break;
      case tag::kSignerName: h.signer_name = text_value(v); break;
      case tag::kIssuerName: h.issuer_name = text_value(v); break;
      case tag::kSerialNumber: h.serial.assign(v.begin(), v.end()); break;
      case tag::kHashAlgorithm:
        if (v[0] != 1 && v[0] != 2 && v[0] != 3) {
          return field_error(at, t, fmt::format("unknown hash code {} (1 SHA-1, 2 SHA-256, 3 SHA-512)", v[0]));
        }
        h.hash = static_cast<HashAlg>(v[0]);
        saw_hash = true;
        break;
      case tag::kSignatureAlgorithm: h.signature_algorithm = v[0]; break;
      case tag::kSignatureModulus: h.signature_modulus = v[0]; break;
      case tag::kSignature:
        if (out_.signature_item_size) return field_error(at, t, "signature appears twice");
        if (v.empty()) return field_error(at, t, "empty signature");
        h.signature.assign(v.begin(), v.end());
        out_.signature_item_offset = at;
        out_.signature_item_size = 3 + v.size();
        break;
      case tag::kFilename: h.filename = text_value(v); break;
      case tag::kTimestamp:
        h.timestamp = (std::uint32_t{v[0]} << 24) | (v[1] << 16) | (v[2] << 8) | v[3];
        break;
      case tag::kIvFlag: enc().iv_flag = v[0]; break;
      case tag::kIv: enc().iv.assign(v.begin(), v.end()); break;
      case tag::kPadCount: enc().pad_count = be16(v); break;
      case tag::kKeyFlag: enc().key_flag = v[0]; break;
      case tag::kKeyBits: enc().key_bits = be16(v); break;
      case tag::kCipher: enc().cipher = v[0]; break;
      case tag::kWrappedKey: enc().wrapped_key.assign(v.begin(), v.end()); break;
      case tag::kDigestAlgorithm: h.digest_algorithm = v[0]; break;
      case tag::kDigest: h.digest.assign(v.begin(), v.end()); break;
      default: break;  // unknown tags are skipped by length (PROTOCOLS §5.1 [EMU])
    }
    return Ok{};
  }

  std::string_view ctx_;
  ParsedHeader& out_;
};

}  // namespace

Result<ParsedHeader> parse_header(ByteView file, std::string_view context) {
  ParsedHeader out;
  ByteReader r(file, std::string(context));
  // The first two items are fixed: Version, then HeaderLength (PROTOCOLS §5.1).
  CUCM_TRY(std::uint8_t t1, r.u8("first item tag"));
  if (t1 != tag::kVersion) return r.error("first item tag", fmt::format("{} vs expected 1 (Version)", t1));
  CUCM_TRY(std::uint16_t l1, r.u16be("Version length"));
  if (l1 != 2) return r.error("Version length", fmt::format("{} vs expected 2", l1));
  CUCM_TRY(ByteView ver, r.take(2, "Version value"));
  out.header.version = {ver[0], ver[1]};
  out.trace.push_back({0, tag::kVersion, "Version", 2, fmt::format("{}.{}", ver[0], ver[1]), 0});

  CUCM_TRY(std::uint8_t t2, r.u8("second item tag"));
  if (t2 != tag::kHeaderLength) {
    return make_error(Errc::InvalidArgument, fmt::format("{}: second item tag at offset 5: {} vs "
                                                         "expected 2 (HeaderLength)", context, t2));
  }
  CUCM_TRY(std::uint16_t l2, r.u16be("HeaderLength length"));
  if (l2 != 2) return r.error("HeaderLength length", fmt::format("{} vs expected 2", l2));
  CUCM_TRY(std::uint16_t header_length, r.u16be("HeaderLength value"));
  out.trace.push_back({5, tag::kHeaderLength, "HeaderLength", 2, std::to_string(header_length), 0});
  if (header_length < r.position()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{}: HeaderLength at offset 5: {} is smaller than the {} bytes of "
                                  "its own first two items", context, header_length, r.position()));
  }
  if (header_length > file.size()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{}: HeaderLength at offset 5: {} exceeds the file size {}",
                                  context, header_length, file.size()));
  }
  out.header_length = header_length;

  ByteReader rest(file.subspan(r.position(), header_length - r.position()), std::string(context),
                  r.position());
  HeaderWalker walker(context, out);
  CUCM_CHECK(walker.walk(rest, 0));
  if (!walker.saw_hash) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{}: header of {} bytes has no HashAlgorithm (tag 8)", context, header_length));
  }
  if (!out.signature_item_size) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{}: header of {} bytes has no Signature (tag 12)", context, header_length));
  }
  return out;
}

namespace {

Status put_item(ByteWriter& w, std::uint8_t t, ByteView value) {
  if (value.size() > 0xffff) {
    return make_error(Errc::InvalidArgument, fmt::format("signer: {} of {} bytes exceeds 65535",
                                                         header_tag_name(t), value.size()));
  }
  w.u8(t);
  w.u16be(static_cast<std::uint16_t>(value.size()));
  w.bytes(value);
  return Ok{};
}

Status put_text(ByteWriter& w, std::uint8_t t, const std::string& s) {
  Bytes v(s.begin(), s.end());
  v.push_back(0);
  return put_item(w, t, v);
}

void put_u8(ByteWriter& w, std::uint8_t t, std::uint8_t v) { w.u8(t); w.u16be(1); w.u8(v); }
void put_u16(ByteWriter& w, std::uint8_t t, std::uint16_t v) { w.u8(t); w.u16be(2); w.u16be(v); }

// Writes a container's tag, then its children via `fill`, then patches its length.
template <class Fill>
Status put_container(ByteWriter& w, std::uint8_t t, Fill&& fill) {
  w.u8(t);
  std::size_t len_at = w.size();
  w.u16be(0);
  CUCM_CHECK(fill());
  std::size_t len = w.size() - len_at - 2;
  if (len > 0xffff) return make_error(Errc::InvalidArgument, "signer: container over 65535 bytes");
  w.patch_u16be(len_at, static_cast<std::uint16_t>(len));
  return Ok{};
}

Status put_encryption(ByteWriter& w, const EncryptionInfo& e) {
  if (e.iv.size() != 16) {
    return make_error(Errc::InvalidArgument, fmt::format("signer: Iv is {} bytes vs expected 16", e.iv.size()));
  }
  return put_container(w, tag::kEncryptionInfo, [&]() -> Status {
    CUCM_CHECK(put_container(w, tag::kIvInfo, [&]() -> Status {
      put_u8(w, tag::kIvFlag, e.iv_flag);
      CUCM_CHECK(put_item(w, tag::kIv, e.iv));
      put_u16(w, tag::kPadCount, e.pad_count);
      return Ok{};
    }));
    return put_container(w, tag::kKeyInfo, [&]() -> Status {
      put_u8(w, tag::kKeyFlag, e.key_flag);
      put_u16(w, tag::kKeyBits, e.key_bits);
      put_u8(w, tag::kCipher, e.cipher);
      return put_item(w, tag::kWrappedKey, e.wrapped_key);
    });
  });
}

}  // namespace

Result<BuiltHeader> build_header(const Header& h) {
  ByteWriter w;
  put_u16(w, tag::kVersion, static_cast<std::uint16_t>((h.version[0] << 8) | h.version[1]));
  put_u16(w, tag::kHeaderLength, 0);  // patched below
  if (h.signer_version) {
    put_u16(w, tag::kSignerVersion,
            static_cast<std::uint16_t>(((*h.signer_version)[0] << 8) | (*h.signer_version)[1]));
  }
  CUCM_CHECK(put_container(w, tag::kSignerInfo, [&]() -> Status {
    CUCM_CHECK(put_text(w, tag::kSignerName, h.signer_name));
    CUCM_CHECK(put_text(w, tag::kIssuerName, h.issuer_name));
    return put_item(w, tag::kSerialNumber, h.serial);
  }));
  CUCM_CHECK(put_container(w, tag::kSignatureInfo, [&]() -> Status {
    put_u8(w, tag::kHashAlgorithm, static_cast<std::uint8_t>(h.hash));
    return put_container(w, tag::kSignatureAlgorithmInfo, [&]() -> Status {
      put_u8(w, tag::kSignatureAlgorithm, h.signature_algorithm);
      put_u8(w, tag::kSignatureModulus, h.signature_modulus);
      return Ok{};
    });
  }));
  std::size_t sig_at = w.size();
  CUCM_CHECK(put_item(w, tag::kSignature, h.signature));
  CUCM_CHECK(put_text(w, tag::kFilename, h.filename));
  w.u8(tag::kTimestamp);
  w.u16be(4);
  w.u32be(h.timestamp);
  if (h.encryption) CUCM_CHECK(put_encryption(w, *h.encryption));
  if (h.digest_algorithm) put_u8(w, tag::kDigestAlgorithm, *h.digest_algorithm);
  if (!h.digest.empty()) CUCM_CHECK(put_item(w, tag::kDigest, h.digest));
  while (w.size() % 4) w.u8(tag::kPadding);
  if (w.size() > 0xffff) {
    return make_error(Errc::InvalidArgument, fmt::format("signer: header of {} bytes exceeds 65535", w.size()));
  }
  w.patch_u16be(8, static_cast<std::uint16_t>(w.size()));  // HeaderLength value sits at offset 8
  return BuiltHeader{std::move(w).take(), sig_at};
}

Result<Bytes> sign_and_assemble(Header h, ByteView payload, EVP_PKEY& key, const X509& cert) {
  if (key_kind(key) != KeyKind::Rsa) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("signer: signed files need an RSA signer, the key is {}", describe_key(key)));
  }
  std::size_t sig_len = static_cast<std::size_t>(EVP_PKEY_get_size(&key));
  CUCM_TRY(h.signature_modulus, modulus_code(sig_len));
  h.signature_algorithm = 0;
  h.signer_name = subject_name(cert);
  h.issuer_name = issuer_name(cert);
  h.serial = serial_bytes(cert);
  h.signature.assign(sig_len, 0);
  CUCM_TRY(BuiltHeader built, build_header(h));

  // Sign the file as it will be, minus the signature item (PROTOCOLS §5.1).
  ByteView all(built.bytes);
  auto before = all.first(built.signature_item_offset);
  auto after = all.subspan(built.signature_item_offset + 3 + sig_len);
  CUCM_TRY(Bytes sig, sign(key, h.hash, {before, after, payload}));
  if (sig.size() != sig_len) {
    return make_error(Errc::Internal, fmt::format("signer: signature is {} bytes vs expected {}", sig.size(), sig_len));
  }
  Bytes out = std::move(built.bytes);
  std::copy(sig.begin(), sig.end(), out.begin() + static_cast<std::ptrdiff_t>(built.signature_item_offset + 3));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Status verify_signature(ByteView file, const ParsedHeader& parsed, EVP_PKEY& key) {
  const Header& h = parsed.header;
  if (key_kind(key) != KeyKind::Rsa) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("signer: signed files carry RSA signatures, the key is {}", describe_key(key)));
  }
  std::size_t key_bytes = static_cast<std::size_t>(EVP_PKEY_get_size(&key));
  if (h.signature.size() != key_bytes) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("signer: Signature at offset {}: {} bytes vs {} for a {} key",
                                  parsed.signature_item_offset, h.signature.size(), key_bytes, describe_key(key)));
  }
  if (modulus_bytes(h.signature_modulus) != h.signature.size()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("signer: SignatureModulus {} means {} bytes, the signature has {}",
                                  h.signature_modulus, modulus_bytes(h.signature_modulus), h.signature.size()));
  }
  auto before = file.first(parsed.signature_item_offset);
  auto after = file.subspan(parsed.signature_item_offset + parsed.signature_item_size);
  return verify(key, h.hash, {before, after}, h.signature);
}

}  // namespace cucm::signer

// Direct DER for the two SubjectPublicKeyInfo forms phones use (see spki.hpp for why).
//
// The keys made here are "legacy" RSA / EC_KEY objects on purpose: for them OpenSSL 3.0 encodes
// a SubjectPublicKeyInfo (X509_set_pubkey, i2d_PUBKEY) with the built-in ASN.1 methods in ~2 us
// instead of looking up an OSSL_ENCODER (~290 us). Those constructors are deprecated in 3.0,
// hence the define; they are used in this file only, and only for public keys.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "signer/spki.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

namespace cucm::signer {
namespace {

using RsaPtr = std::unique_ptr<RSA, CDeleter<&RSA_free>>;
using EcKeyPtr = std::unique_ptr<EC_KEY, CDeleter<&EC_KEY_free>>;

constexpr std::uint8_t kSequence = 0x30, kInteger = 0x02, kBitString = 0x03, kNull = 0x05, kOid = 0x06;

// OID contents (the bytes after tag and length).
constexpr std::array<std::uint8_t, 9> kRsaEncryption{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
constexpr std::array<std::uint8_t, 7> kEcPublicKey{0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};

struct Curve {
  std::string_view name;  // OpenSSL group name
  std::basic_string_view<std::uint8_t> oid;
  std::size_t field_bytes;
};
constexpr std::uint8_t kP256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr std::uint8_t kP384[] = {0x2B, 0x81, 0x04, 0x00, 0x22};
constexpr std::uint8_t kP521[] = {0x2B, 0x81, 0x04, 0x00, 0x23};
constexpr std::array<Curve, 3> kCurves{{
    {"prime256v1", {kP256, sizeof kP256}, 32},
    {"secp384r1", {kP384, sizeof kP384}, 48},
    {"secp521r1", {kP521, sizeof kP521}, 66},
}};

bool equal(ByteView a, std::basic_string_view<std::uint8_t> b) { return std::ranges::equal(a, b); }

// Reads one DER element with the expected tag from the front of `in`: definite, minimal length.
std::optional<ByteView> take(ByteView& in, std::uint8_t tag) {
  if (in.size() < 2 || in[0] != tag) return std::nullopt;
  std::size_t len = in[1], head = 2;
  if (len & 0x80) {
    std::size_t n = len & 0x7F;
    if (n == 0 || n > 2 || in.size() < 2 + n) return std::nullopt;  // keys here are < 64 KiB
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
    if (len < 0x80 || (n == 2 && len < 0x100)) return std::nullopt;  // not minimal
    head = 2 + n;
  }
  if (in.size() - head < len) return std::nullopt;
  ByteView body = in.subspan(head, len);
  in = in.subspan(head + len);
  return body;
}

// A positive, minimally encoded INTEGER's magnitude (leading zero byte removed).
std::optional<ByteView> positive_integer(ByteView& in) {
  auto v = take(in, kInteger);
  if (!v || v->empty() || ((*v)[0] & 0x80)) return std::nullopt;
  if ((*v)[0] == 0) {
    if (v->size() == 1 || !((*v)[1] & 0x80)) return std::nullopt;
    return v->subspan(1);
  }
  return v;
}

PkeyPtr legacy_rsa(ByteView n, ByteView e) {
  BnPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  RsaPtr rsa(RSA_new());
  if (!bn_n || !bn_e || !rsa || RSA_set0_key(rsa.get(), bn_n.get(), bn_e.get(), nullptr) != 1) return nullptr;
  bn_n.release();  // owned by rsa now
  bn_e.release();
  PkeyPtr key(EVP_PKEY_new());
  if (!key || EVP_PKEY_assign_RSA(key.get(), rsa.get()) != 1) return nullptr;
  rsa.release();  // owned by key now
  return key;
}

PkeyPtr legacy_ec(const Curve& curve, ByteView point) {
  std::string name(curve.name);
  EcKeyPtr ec(EC_KEY_new_by_curve_name(OBJ_sn2nid(name.c_str())));
  // EC_KEY_oct2key refuses a point that is not on the curve.
  if (!ec || EC_KEY_oct2key(ec.get(), point.data(), point.size(), nullptr) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  PkeyPtr key(EVP_PKEY_new());
  if (!key || EVP_PKEY_assign_EC_KEY(key.get(), ec.get()) != 1) return nullptr;
  ec.release();
  return key;
}

PkeyPtr rsa_key(ByteView key_bits) {
  ByteView outer = key_bits;
  auto seq = take(outer, kSequence);
  if (!seq || !outer.empty()) return nullptr;
  auto n = positive_integer(*seq);
  auto e = positive_integer(*seq);
  if (!n || !e || !seq->empty()) return nullptr;
  return legacy_rsa(*n, *e);
}

PkeyPtr ec_key(const Curve& curve, ByteView point) {
  // Uncompressed points only; compressed ones go to OpenSSL's general path.
  if (point.size() != 1 + 2 * curve.field_bytes || point[0] != 0x04) return nullptr;
  return legacy_ec(curve, point);
}

void put_length(Bytes& out, std::size_t len) {
  // Definite form, as few length bytes as the value needs (DER).
  if (len < 0x80) {
    out.push_back(static_cast<std::uint8_t>(len));
    return;
  }
  std::uint8_t digits[sizeof len];
  std::size_t n = 0;
  for (std::size_t v = len; v != 0; v >>= 8) digits[n++] = static_cast<std::uint8_t>(v);
  out.push_back(static_cast<std::uint8_t>(0x80 | n));
  while (n > 0) out.push_back(digits[--n]);
}

Bytes element(std::uint8_t tag, ByteView body) {
  Bytes out{tag};
  put_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::optional<Bytes> magnitude_of(const EVP_PKEY& key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(&key, name, &raw) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  BnPtr bn(raw);
  Bytes mag(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), mag.data());
  return mag;
}

Bytes der_integer(Bytes magnitude) {
  if (magnitude.empty() || (magnitude[0] & 0x80)) magnitude.insert(magnitude.begin(), 0);
  return element(kInteger, magnitude);
}

// A key held as a legacy RSA / EC_KEY object rather than by a provider (decode_spki_fast's).
bool is_legacy(const EVP_PKEY& key) { return EVP_PKEY_get0_provider(&key) == nullptr; }

const Curve* curve_of(const EVP_PKEY& key) {
  // Only keys that are encoded by curve name: explicit parameters stay with OpenSSL.
  char encoding[32] = {};
  if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_EC_ENCODING, encoding, sizeof encoding, nullptr) != 1 ||
      std::string_view(encoding) != OSSL_PKEY_EC_ENCODING_GROUP) {
    ERR_clear_error();
    return nullptr;
  }
  char group[64] = {};
  std::size_t group_len = 0;
  if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &group_len) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  auto curve = std::ranges::find(kCurves, std::string_view(group, group_len), &Curve::name);
  return curve == kCurves.end() ? nullptr : &*curve;
}

std::optional<Bytes> uncompressed_point(const EVP_PKEY& key, const Curve& curve) {
  Bytes point(1 + 2 * curve.field_bytes);
  std::size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(&key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(), point.size(), &len) != 1 ||
      len != point.size() || point[0] != 0x04) {
    ERR_clear_error();
    return std::nullopt;
  }
  return point;
}

}  // namespace

PkeyPtr decode_spki_fast(ByteView der) {
  ByteView in = der;
  auto spki = take(in, kSequence);
  if (!spki || !in.empty()) return nullptr;
  auto alg = take(*spki, kSequence);
  auto bits = take(*spki, kBitString);
  if (!alg || !bits || !spki->empty() || bits->empty() || (*bits)[0] != 0) return nullptr;
  ByteView key_bits = bits->subspan(1);
  auto oid = take(*alg, kOid);
  if (!oid) return nullptr;
  if (equal(*oid, {kRsaEncryption.data(), kRsaEncryption.size()})) {
    auto null = take(*alg, kNull);
    if (!null || !null->empty() || !alg->empty()) return nullptr;
    return rsa_key(key_bits);
  }
  if (equal(*oid, {kEcPublicKey.data(), kEcPublicKey.size()})) {
    auto curve_oid = take(*alg, kOid);
    if (!curve_oid || !alg->empty()) return nullptr;
    for (const Curve& c : kCurves) {
      if (equal(*curve_oid, c.oid)) return ec_key(c, key_bits);
    }
  }
  return nullptr;
}

std::optional<Bytes> encode_spki_fast(const EVP_PKEY& key) {
  if (is_legacy(key)) {
    // OpenSSL's built-in ASN.1 methods encode these without an encoder lookup.
    int n = i2d_PUBKEY(&key, nullptr);
    if (n <= 0) {
      ERR_clear_error();
      return std::nullopt;
    }
    Bytes out(static_cast<std::size_t>(n));
    unsigned char* p = out.data();
    i2d_PUBKEY(&key, &p);
    return out;
  }
  if (EVP_PKEY_is_a(&key, "RSA")) {
    auto n = magnitude_of(key, OSSL_PKEY_PARAM_RSA_N);
    auto e = magnitude_of(key, OSSL_PKEY_PARAM_RSA_E);
    if (!n || !e) return std::nullopt;
    Bytes rsa_public_key = element(kSequence, concat({der_integer(*n), der_integer(*e)}));
    Bytes bits = concat({Bytes{0}, rsa_public_key});
    Bytes alg = element(kSequence, concat({element(kOid, kRsaEncryption), Bytes{kNull, 0}}));
    return element(kSequence, concat({alg, element(kBitString, bits)}));
  }
  if (!EVP_PKEY_is_a(&key, "EC")) return std::nullopt;
  const Curve* curve = curve_of(key);
  if (!curve) return std::nullopt;
  auto point = uncompressed_point(key, *curve);
  if (!point) return std::nullopt;
  Bytes bits = concat({Bytes{0}, *point});
  Bytes alg = element(kSequence, concat({element(kOid, kEcPublicKey), element(kOid, {curve->oid.data(), curve->oid.size()})}));
  return element(kSequence, concat({alg, element(kBitString, bits)}));
}

PkeyPtr public_copy_fast(const EVP_PKEY& key) {
  if (is_legacy(key)) return nullptr;  // already one
  if (EVP_PKEY_is_a(&key, "RSA")) {
    auto n = magnitude_of(key, OSSL_PKEY_PARAM_RSA_N);
    auto e = magnitude_of(key, OSSL_PKEY_PARAM_RSA_E);
    return n && e ? legacy_rsa(*n, *e) : nullptr;
  }
  if (!EVP_PKEY_is_a(&key, "EC")) return nullptr;
  const Curve* curve = curve_of(key);
  if (!curve) return nullptr;
  auto point = uncompressed_point(key, *curve);
  return point ? legacy_ec(*curve, *point) : nullptr;
}

}  // namespace cucm::signer

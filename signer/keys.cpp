// Key handling over the OpenSSL 3 EVP and encoder APIs.
#include "signer/keys.hpp"

#include <array>
#include <charconv>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "signer/spki.hpp"

namespace cucm::signer {
namespace {

std::string normalise_curve(std::string_view c) {
  if (c == "P-256" || c == "p256" || c == "secp256r1" || c == "prime256v1") return "prime256v1";
  if (c == "P-384" || c == "p384" || c == "secp384r1") return "secp384r1";
  if (c == "P-521" || c == "p521" || c == "secp521r1") return "secp521r1";
  return {};
}

std::mutex supply_mutex;
std::shared_ptr<const KeySupply> supply;  // under supply_mutex

std::shared_ptr<const KeySupply> current_supply() {
  std::lock_guard lock(supply_mutex);
  return supply;
}

}  // namespace

void set_key_supply(KeySupply s) {
  std::lock_guard lock(supply_mutex);
  supply = s ? std::make_shared<const KeySupply>(std::move(s)) : nullptr;
}

Result<KeySpec> parse_key_spec(std::string_view text) {
  auto colon = text.find(':');
  auto kind = text.substr(0, colon);
  auto arg = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  KeySpec spec;
  if (kind == "rsa") {
    if (!arg.empty()) {
      auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), spec.rsa_bits);
      if (ec != std::errc{} || p != arg.data() + arg.size()) {
        return make_error(Errc::InvalidArgument, fmt::format("key spec '{}': bad RSA size", text));
      }
    }
    if (spec.rsa_bits < 1024 || spec.rsa_bits > 4096 || spec.rsa_bits % 8) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("key spec '{}': RSA size {} outside 1024..4096", text, spec.rsa_bits));
    }
    return spec;
  }
  if (kind == "ec") {
    spec.kind = KeyKind::Ec;
    spec.curve = normalise_curve(arg.empty() ? "prime256v1" : arg);
    if (spec.curve.empty()) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("key spec '{}': curve must be P-256, P-384 or P-521", text));
    }
    return spec;
  }
  return make_error(Errc::InvalidArgument,
                    fmt::format("key spec '{}': expected rsa:BITS or ec:CURVE", text));
}

std::string describe(const KeySpec& spec) {
  return spec.kind == KeyKind::Rsa ? fmt::format("RSA {}", spec.rsa_bits) : "EC " + spec.curve;
}

Result<PkeyPtr> generate_key(const KeySpec& spec) {
  if (auto from = current_supply()) {
    if (auto ready = (*from)(spec)) return ready;
  }
  EVP_PKEY* raw = spec.kind == KeyKind::Rsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(spec.rsa_bits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.curve.c_str());
  if (!raw) return ossl_error(Errc::Internal, "signer: key generation failed for " + describe(spec));
  return PkeyPtr(raw);
}

Result<PkeyPtr> load_private_key(ByteView pem) {
  auto bio = mem_bio(pem);
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!raw) return ossl_error(Errc::InvalidArgument, "signer: not a PEM private key (unencrypted)");
  return PkeyPtr(raw);
}

Result<PkeyPtr> load_public_key(ByteView data) {
  // DER first when it looks like DER: the database keeps keys as DER, and a failed PEM attempt
  // costs more than the parse itself.
  if (!data.empty() && data[0] == 0x30) {
    if (auto fast = decode_spki_fast(data)) return fast;
    const unsigned char* p = data.data();
    if (EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(data.size()))) return PkeyPtr(raw);
    ERR_clear_error();
  }
  auto bio = mem_bio(data);
  if (EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)) return PkeyPtr(raw);
  ERR_clear_error();
  const unsigned char* p = data.data();
  if (EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(data.size()))) return PkeyPtr(raw);
  return ossl_error(Errc::InvalidArgument, "signer: not a PEM or DER SubjectPublicKeyInfo");
}

Result<Bytes> private_key_pem(EVP_PKEY& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), &key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return ossl_error(Errc::Internal, "signer: cannot encode private key");
  }
  return bio_contents(*bio);
}

Result<Bytes> public_key_pem(EVP_PKEY& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), &key) != 1) {
    return ossl_error(Errc::Internal, "signer: cannot encode public key");
  }
  return bio_contents(*bio);
}

Result<Bytes> public_key_spki_der(EVP_PKEY& key) {
  if (auto fast = encode_spki_fast(key)) return std::move(*fast);
  int n = i2d_PUBKEY(&key, nullptr);
  if (n <= 0) return ossl_error(Errc::Internal, "signer: cannot encode SubjectPublicKeyInfo");
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_PUBKEY(&key, &p);
  return out;
}

Result<Bytes> public_key_raw(EVP_PKEY& key) {
  // i2d_PublicKey writes PKCS#1 RSAPublicKey for RSA and the encoded point for EC.
  int n = i2d_PublicKey(&key, nullptr);
  if (n <= 0) return ossl_error(Errc::Internal, "signer: cannot encode raw public key");
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_PublicKey(&key, &p);
  return out;
}

KeyKind key_kind(const EVP_PKEY& key) {
  return EVP_PKEY_is_a(&key, "RSA") ? KeyKind::Rsa : KeyKind::Ec;
}

int key_bits(const EVP_PKEY& key) { return EVP_PKEY_get_bits(&key); }

std::string describe_key(const EVP_PKEY& key) {
  if (EVP_PKEY_is_a(&key, "RSA")) return fmt::format("RSA {}", key_bits(key));
  if (EVP_PKEY_is_a(&key, "EC")) {
    char curve[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, &len) == 1) {
      return fmt::format("EC {}", curve);
    }
    return fmt::format("EC {}", key_bits(key));
  }
  return fmt::format("{} {}", EVP_PKEY_get0_type_name(&key), key_bits(key));
}

bool same_public_key(const EVP_PKEY& a, const EVP_PKEY& b) { return EVP_PKEY_eq(&a, &b) == 1; }

Result<KeySpec> key_spec_of(const EVP_PKEY& key) {
  KeySpec s;
  s.kind = key_kind(key);
  s.rsa_bits = key_bits(key);
  if (s.kind == KeyKind::Ec) {
    std::array<char, 64> group{};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(&key, group.data(), group.size(), &len) != 1) {
      return make_error(Errc::Internal, "pki: cannot tell the curve of the EC key");
    }
    s.curve.assign(group.data(), len);
  }
  return s;
}

}  // namespace cucm::signer

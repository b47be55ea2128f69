// SubjectPublicKeyInfo for RSA and named-curve EC keys without OpenSSL 3.0's decoder/encoder
// lookup.
//
// Why: OpenSSL 3.0 (Debian 12) builds a fresh OSSL_DECODER/OSSL_ENCODER context for every
// d2i_PUBKEY and i2d_PUBKEY of a provider key (85-100 us each) and for X509_set_pubkey (~290 us,
// an encode and a decode), more than the RSA-2048 signature of the certificate itself. A CAPF
// session reads the phone's key, puts it in an LSC and records it; the catalog loads one device
// key per encrypted config. These paths read and write the two key kinds phones use directly
// (2-7 us).
//
// Every function here handles only canonical DER of rsaEncryption (NULL parameters) and
// id-ecPublicKey on P-256/P-384/P-521; anything else returns "not handled" (nullptr /
// nullopt) and the caller falls back to OpenSSL's general path, which then decides.
#pragma once

#include <optional>

#include "core/bytes.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

// A key from DER SubjectPublicKeyInfo; nullptr when the bytes are not a form handled here or
// the numbers are rejected by OpenSSL (an EC point not on its curve, for instance).
PkeyPtr decode_spki_fast(ByteView der);

// DER SubjectPublicKeyInfo of an RSA or named-curve EC key, or of a legacy key object (which
// OpenSSL encodes quickly itself); nullopt for other keys.
std::optional<Bytes> encode_spki_fast(const EVP_PKEY& key);

// The public half of an RSA or named-curve EC key as a key object that X509_set_pubkey encodes
// without an encoder lookup; nullptr for other keys and for legacy key objects, which already
// are one (decode_spki_fast makes those).
PkeyPtr public_copy_fast(const EVP_PKEY& key);

}  // namespace cucm::signer

// The signatures inside CAPF certificate authentication (PROTOCOLS §3.5): for RSA a "raw private
// encrypt" of 00 01 FF..FF 00 || H with no DigestInfo, which a standard PKCS#1 verify rejects; for
// EC an ordinary DER ECDSA signature.
#pragma once

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/digest.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

Result<Bytes> capf_sign(EVP_PKEY& private_key, HashAlg alg, ByteView data);
// Unauthenticated when the signature does not match. For RSA only the trailing hash is compared,
// as the reference server does (the 00 01 FF.. prefix is not checked).
Status capf_verify(EVP_PKEY& public_key, HashAlg alg, ByteView data, ByteView signature);

}  // namespace cucm::signer

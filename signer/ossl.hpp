// RAII ownership of OpenSSL objects, and turning the OpenSSL error queue into an Error.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::signer {

template <auto Free>
struct CDeleter {
  template <class T>
  void operator()(T* p) const noexcept { Free(p); }
};

using X509Ptr = std::unique_ptr<X509, CDeleter<&X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, CDeleter<&EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, CDeleter<&EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, CDeleter<&EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CDeleter<&EVP_CIPHER_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, CDeleter<&BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, CDeleter<&BN_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, CDeleter<&X509_NAME_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, CDeleter<&X509_EXTENSION_free>>;
using Asn1IntPtr = std::unique_ptr<ASN1_INTEGER, CDeleter<&ASN1_INTEGER_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, CDeleter<&X509_STORE_CTX_free>>;
// sk_X509_free is a macro: no address to give CDeleter. The stack borrows its certificates.
struct CertStackFree {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_free(s); }
};
using CertStackPtr = std::unique_ptr<STACK_OF(X509), CertStackFree>;

// A certificate kept by several holders (a CAPF session and the commit it hands over), so that
// it is parsed once: each parse costs an OpenSSL 3 decoder for its public key.
inline std::shared_ptr<X509> share(X509Ptr cert) { return std::shared_ptr<X509>(cert.release(), &X509_free); }

struct OsslStringFree {
  void operator()(char* p) const noexcept { OPENSSL_free(p); }
};
using OsslString = std::unique_ptr<char, OsslStringFree>;

// Drains the thread's OpenSSL error queue into "what: reason; reason" and returns the Error.
Error ossl_error(Errc code, std::string_view what);

// A read-only memory BIO over `data` (which must outlive the BIO).
BioPtr mem_bio(ByteView data);
// Everything written into a memory BIO so far.
Bytes bio_contents(BIO& bio);

}  // namespace cucm::signer

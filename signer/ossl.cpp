// OpenSSL error-queue draining and memory BIO helpers.
#include "signer/ossl.hpp"

#include <openssl/err.h>

namespace cucm::signer {

Error ossl_error(Errc code, std::string_view what) {
  std::string msg(what);
  char buf[256];
  bool first = true;
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    msg += first ? ": " : "; ";
    msg += buf;
    first = false;
  }
  return make_error(code, std::move(msg));
}

BioPtr mem_bio(ByteView data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

Bytes bio_contents(BIO& bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(&bio, &p);
  if (n <= 0 || !p) return {};
  return Bytes(reinterpret_cast<std::uint8_t*>(p), reinterpret_cast<std::uint8_t*>(p) + n);  // NOLINT
}

}  // namespace cucm::signer

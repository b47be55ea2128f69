// The fields of a recorded certificate.
#include "capf/recorded_cert.hpp"

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"

namespace cucm::capf {

Result<db::RecordedCert> recorded_cert(X509& cert, const std::string& type) {
  CUCM_TRY(auto key, signer::cert_public_key(cert));
  db::RecordedCert c;
  c.type = type;
  c.der = signer::cert_der(cert);
  CUCM_TRY(c.public_key, signer::public_key_spki_der(*key));
  c.md5hash = signer::cert_md5_hex(cert);
  c.serial = to_hex(signer::serial_bytes(cert));
  c.issuer = signer::issuer_name(cert);
  c.not_before = signer::format_utc(signer::not_before(cert));
  c.not_after = signer::format_utc(signer::not_after(cert));
  return c;
}

}  // namespace cucm::capf

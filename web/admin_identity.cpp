// The tomcat identity.
#include "web/admin_identity.hpp"

#include <openssl/x509.h>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "signer/pki_files.hpp"

namespace cucm::web {
namespace fs = std::filesystem;

Result<AdminIdentity> load_or_create_admin_identity(const signer::ClusterPki& pki) {
  fs::path cert_path = pki.dir() / "tomcat.pem", key_path = pki.dir() / "tomcat.key";
  AdminIdentity id;
  // A folder that cannot be read is an error, not "absent": a new pair must not replace one a
  // lab's browsers already trust.
  CUCM_TRY(bool has_cert, signer::pki_file_present(cert_path));
  CUCM_TRY(bool has_key, signer::pki_file_present(key_path));
  if (has_cert || has_key) {
    CUCM_TRY(Bytes cert_pem, read_file(cert_path));
    CUCM_TRY(Bytes key_pem, read_file(key_path));
    CUCM_TRY(id.cert, signer::load_cert(cert_pem));
    CUCM_TRY(id.key, signer::load_private_key(key_pem));
    if (X509_check_private_key(id.cert.get(), id.key.get()) != 1) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("{} does not match {}: remove both and the admin site makes a new pair", key_path.string(),
                                    cert_path.string()));
    }
    return id;
  }
  const X509& cm = *pki.identity(signer::PkiRole::CallManager).cert;
  std::string node = signer::common_name(cm);
  std::vector<std::pair<std::string, std::string>> subject{{"CN", "tomcat-" + node}};
  for (const auto& [k, v] : signer::subject_rdns(cm)) {
    if (k == "O" || k == "OU") subject.emplace_back(k, v);
  }
  CUCM_TRY(id.key, signer::generate_key(signer::KeySpec{signer::KeyKind::Ec, 2048, "prime256v1"}));
  auto req = signer::mkcert_profile(*id.key, subject, 3650, signer::HashAlg::Sha256);
  // A server certificate, not a CA: a browser refuses a CA certificate as a site's.
  req.is_ca = false;
  req.key_usage = "digitalSignature";
  req.extended_key_usage = "serverAuth";
  req.subject_alt_name = signer::https_alt_names(node);
  CUCM_TRY(id.cert, signer::make_self_signed(*id.key, req));
  CUCM_TRY(Bytes key_pem, signer::private_key_pem(*id.key));
  CUCM_CHECK(write_file_atomic(key_path, key_pem, 0600));
  CUCM_CHECK(write_file_atomic(cert_path, signer::cert_pem(*id.cert), 0644));
  id.created = true;
  return id;
}

}  // namespace cucm::web

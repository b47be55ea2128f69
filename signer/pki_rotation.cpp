// Regenerating a cluster identity.
#include "signer/pki_rotation.hpp"

#include <fmt/format.h>

#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::signer {

Status rotate_identity(ClusterPki& pki, PkiRole role) {
  const Identity& old = pki.identity(role);
  if (!old.cert || !old.key) return make_error(Errc::NotFound, fmt::format("pki: no {} identity to rotate", pki_role_name(role)));
  if (!is_self_signed(*old.cert) || !old.chain.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: {} was issued by {}: a self-signed successor would change who vouches for it; "
                                  "import a new CA-signed certificate with 'pki import --role {}'",
                                  pki_role_name(role), issuer_name(*old.cert), pki_role_name(role)));
  }
  CUCM_TRY(auto spec, key_spec_of(*old.key));
  CUCM_TRY(auto key, generate_key(spec));
  int days = static_cast<int>((not_after(*old.cert) - not_before(*old.cert)) / 86'400);
  auto req = mkcert_profile(*key, subject_rdns(*old.cert), std::max(days, 1), signature_digest(*old.cert));
  req.subject_alt_name = alt_names_config(*old.cert);
  CUCM_TRY(auto cert, make_self_signed(*key, req));
  CUCM_TRY(Bytes key_pem, private_key_pem(*key));
  return pki.import(role, cert_pem(*cert), key_pem, {});
}

}  // namespace cucm::signer

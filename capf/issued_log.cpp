// The issued-LSC bundle.
#include "capf/issued_log.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"

namespace cucm::capf {
namespace {
std::filesystem::path bundle(const std::filesystem::path& data_dir) { return data_dir / "capf" / "issued.pem"; }
}  // namespace

Status append_issued(const std::filesystem::path& data_dir, const std::string& device, const std::string& serial,
                     const std::string& when_utc, X509& cert) {
  // One bundle, appended: a file per certificate cost an inode allocation on the I/O thread (a
  // third of a session's CPU on a file system with many recently deleted files).
  std::error_code ec;
  std::filesystem::create_directories(data_dir / "capf", ec);
  Bytes pem = to_bytes(fmt::format("# {} serial {} issued {} UTC\n", device, serial, when_utc));
  Bytes body = signer::cert_pem(cert);
  pem.insert(pem.end(), body.begin(), body.end());
  return append_file(bundle(data_dir), pem);
}

Result<std::vector<IssuedCert>> read_issued(const std::filesystem::path& data_dir, const std::string& device) {
  std::vector<IssuedCert> out;
  auto path = bundle(data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return out;
  signer::BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return make_error(Errc::Unavailable, "capf: cannot read " + path.string());
  // PEM_read skips the comment lines between certificates.
  while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    signer::X509Ptr cert(raw);
    std::string subject = signer::subject_name(*cert);
    std::string cn = subject.starts_with("CN=") ? subject.substr(3, subject.find(',') - 3) : subject;
    if (!device.empty() && cn != device) continue;
    out.push_back({std::move(cn), std::move(cert)});
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return out;
}

}  // namespace cucm::capf

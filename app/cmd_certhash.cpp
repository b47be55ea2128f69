// cucm-emu certhash: the hashes configs carry for a certificate (certHash, certHash1).
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "core/file_io.hpp"
#include "signer/cert.hpp"

namespace cucm::app {

void add_certhash_command(CLI::App& app, GlobalOptions&, int& rc) {
  struct Args { std::string input, alg; bool json = false; };
  auto a = std::make_shared<Args>();
  auto* c = app.add_subcommand("certhash", "certHash (MD5 hex) and certHash1 (SHA-1/SHA-512 base64) of a certificate");
  c->add_option("input", a->input, "Certificate (PEM or DER)")->required();
  c->add_option("--alg", a->alg, "Print only one: md5, sha1 or sha512");
  c->add_flag("--json", a->json, "Machine-readable output");
  c->callback([&rc, a] {
    auto bytes = read_file(a->input);
    if (!bytes) { rc = fail(bytes.error()); return; }
    auto cert = signer::load_cert(*bytes);
    if (!cert) { rc = fail(cert.error()); return; }
    nlohmann::json j = {{"subject", signer::subject_name(**cert)},
                        {"md5", signer::cert_md5_hex(**cert)},
                        {"sha1", signer::cert_hash_base64(**cert, signer::HashAlg::Sha1)},
                        {"sha512", signer::cert_hash_base64(**cert, signer::HashAlg::Sha512)}};
    rc = 0;
    if (!a->alg.empty()) {
      if (!j.contains(a->alg) || a->alg == "subject") {
        rc = fail(make_error(Errc::InvalidArgument, fmt::format("--alg '{}': expected md5, sha1 or sha512", a->alg)));
        return;
      }
      std::cout << j[a->alg].get<std::string>() << "\n";
      return;
    }
    if (a->json) { print_json(j); return; }
    std::cout << fmt::format("subject          {}\n", j["subject"].get<std::string>());
    std::cout << fmt::format("md5 (certHash)   {}\n", j["md5"].get<std::string>());
    std::cout << fmt::format("sha1 (certHash1) {}\n", j["sha1"].get<std::string>());
    std::cout << fmt::format("sha512           {}\n", j["sha512"].get<std::string>());
  });
}

}  // namespace cucm::app

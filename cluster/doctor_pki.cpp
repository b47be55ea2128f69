// The identities of pki/ and the lab manufacturing CA, read as files: never through
// ClusterPki::load, which makes an identity the folder predates (a doctor creates nothing).
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "cluster/doctor_checks.hpp"
#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/keys.hpp"
#include "signer/lab_manufacturer.hpp"
#include "signer/pki_files.hpp"

namespace cucm::cluster::doctor {
namespace fs = std::filesystem;
namespace {

// A certificate close to its end is worth a warning while there is time to plan a rotation.
constexpr std::time_t kExpiryWarning = 30 * 24 * 3600;

struct PairFiles {
  std::string check;  // "pki callmanager", "lab CA"
  fs::path cert, key;
  fs::path chain;     // "" when the pair has none
  std::optional<signer::PkiRole> role;
  std::string restore;  // what to fix when a file is lost or does not match
};

Finding problem(const PairFiles& p, std::string detail, std::string fix) {
  return Finding{p.check, Verdict::Problem, std::move(detail), std::move(fix)};
}

// The certificate's dates against `now`: nullopt when it is valid for another 30 days.
std::optional<Finding> check_validity(const PairFiles& p, const X509& cert, std::time_t now) {
  std::time_t from = signer::not_before(cert), until = signer::not_after(cert);
  std::string rotate = p.role ? fmt::format("make a new one with 'cucm-emu pki rotate --role {}' (README, \"TVS and "
                                            "the trust-list lifecycle\", says which phones take it)",
                                            signer::pki_role_name(*p.role))
                              : p.restore;
  if (now < from) {
    return problem(p, fmt::format("{} is not valid before {}", p.cert.string(), signer::format_utc(from)),
                   "check this host's clock (date -u)");
  }
  if (now > until) {
    return problem(p, fmt::format("{} expired on {}", p.cert.string(), signer::format_utc(until)), rotate);
  }
  if (until - now < kExpiryWarning) {
    return Finding{p.check, Verdict::Warning,
                   fmt::format("{} expires on {} (in {} days)", p.cert.string(), signer::format_utc(until),
                               (until - now) / 86400),
                   rotate};
  }
  return std::nullopt;
}

// Both files there, both parse, the key is the certificate's, of a kind the role may have, the
// chain parses, and the dates hold.
Finding check_pair(const PairFiles& p, std::time_t now) {
  std::string missing;
  for (const auto& f : {p.cert, p.key}) {
    auto there = signer::pki_file_present(f);
    if (!there) return problem(p, there.error().message, "run doctor as the user that runs serve");
    if (!*there) missing += (missing.empty() ? "" : " and ") + f.filename().string();
  }
  if (!missing.empty()) {
    return problem(p, fmt::format("{} missing in {}", missing, p.cert.parent_path().string()), p.restore);
  }
  auto cert_bytes = read_file(p.cert);
  if (!cert_bytes) return problem(p, cert_bytes.error().message, "run doctor as the user that runs serve");
  auto cert = signer::load_cert(*cert_bytes);
  if (!cert) return problem(p, fmt::format("{}: {}", p.cert.string(), cert.error().message), p.restore);
  auto key_bytes = read_file(p.key);
  if (!key_bytes) return problem(p, key_bytes.error().message, "run doctor as the user that runs serve");
  auto key = signer::load_private_key(*key_bytes);
  if (!key) return problem(p, fmt::format("{}: {}", p.key.string(), key.error().message), p.restore);
  const EVP_PKEY& pub = *X509_get0_pubkey(cert->get());
  if (!signer::same_public_key(pub, **key)) {
    return problem(p, fmt::format("{} ({}) does not match {} ({}, {})", p.key.filename().string(),
                                  signer::describe_key(**key), p.cert.filename().string(), signer::describe_key(pub),
                                  signer::subject_name(**cert)),
                   p.restore);
  }
  if (p.role) {
    auto kind = signer::check_key_kind(*p.role, signer::key_kind(**key), signer::describe_key(**key));
    if (!kind) return problem(p, kind.error().message, p.restore);
  }
  if (!p.chain.empty()) {
    auto there = signer::pki_file_present(p.chain);
    if (there && *there) {
      auto chain = read_file(p.chain);
      auto certs = chain ? signer::load_certs(*chain) : Result<std::vector<signer::X509Ptr>>(chain.error());
      if (!certs) return problem(p, fmt::format("{}: {}", p.chain.string(), certs.error().message), p.restore);
    }
  }
  if (auto dates = check_validity(p, **cert, now)) return std::move(*dates);
  return Finding{p.check, Verdict::Ok,
                 fmt::format("{} and {} match: {}, {}, valid until {}", p.cert.filename().string(),
                             p.key.filename().string(), signer::describe_key(**key), signer::subject_name(**cert),
                             signer::format_utc(signer::not_after(**cert))),
                 ""};
}

std::string restore_identity(signer::PkiRole r) {
  return fmt::format("restore pki/{0}.pem and pki/{0}.key together from a backup (pki/{0}.*.bak-* may hold an "
                     "earlier pair), or put a matching pair in place with 'cucm-emu pki import --role {0}'; a new key "
                     "strands the phones that trusted the old one",
                     signer::pki_role_name(r));
}

}  // namespace

void check_identities(const fs::path& data_dir, std::time_t now, const Result<db::DbInspection>& db,
                      std::vector<Finding>& out) {
  const fs::path pki = data_dir / "pki";
  auto any = signer::ClusterPki::any_present(data_dir);
  if (!any) {
    out.push_back({"pki", Verdict::Problem, any.error().message, "run doctor as the user that runs serve"});
    return;
  }
  if (!*any) {
    // As serve decides (cluster::open_identities): a folder never used gets its identities on
    // first use; beside a database with devices, pki/ was lost and serve refuses.
    bool unused = (!db && db.error().code == Errc::NotFound) || (db && db->ok() && db->devices == 0);
    if (unused) {
      out.push_back({"pki", Verdict::Warning, fmt::format("no cluster identities yet in {}", pki.string()),
                     fmt::format("serve makes them on its first start, or 'cucm-emu --data-dir {} pki init' now "
                                 "(with --node and the other subject options)", data_dir.string())});
    } else {
      out.push_back({"pki", Verdict::Problem,
                     fmt::format("no cluster identities in {}, beside a database {}", pki.string(),
                                 !db           ? std::string("that cannot be read")
                                 : !db->ok()   ? std::string("that fails its integrity check")
                                               : fmt::format("with {} device(s)", db->devices)),
                     fmt::format("restore pki/ from a backup: new keys strand every phone that trusted this "
                                 "cluster's ITL; to start a new cluster on purpose, 'cucm-emu --data-dir {} pki init' "
                                 "(phones then need their ITL reset)", data_dir.string())});
    }
    return;
  }
  auto manifest = signer::read_manifest(pki);
  if (!manifest) {
    out.push_back({"pki", Verdict::Problem, manifest.error().message,
                   fmt::format("restore {} from a backup: one role a line", signer::ClusterPki::kManifestName)});
    return;
  }
  for (auto r : signer::kAllPkiRoles) {
    PairFiles p{fmt::format("pki {}", signer::pki_role_name(r)), signer::identity_cert_path(pki, r),
                signer::identity_key_path(pki, r), signer::identity_chain_path(pki, r), r, restore_identity(r)};
    bool listed = manifest->expects(r);
    auto cert_there = signer::pki_file_present(p.cert);
    auto key_there = signer::pki_file_present(p.key);
    if (!listed && cert_there && key_there && !*cert_there && !*key_there) {
      // A folder made before this identity existed: the next command run on it makes it.
      out.push_back({p.check, Verdict::Warning,
                     fmt::format("{} has no {} identity yet (made before this version)", pki.string(),
                                 signer::pki_role_name(r)),
                     "the next serve or admin command makes it, with the subject of the CallManager certificate"});
      continue;
    }
    out.push_back(check_pair(p, now));
  }
}

void check_lab_ca(const fs::path& data_dir, std::time_t now, std::vector<Finding>& out) {
  const fs::path dir = signer::LabManufacturer::folder(data_dir);
  auto there = signer::pki_file_present(dir);
  if (there && !*there) {
    out.push_back({"lab CA", Verdict::Ok,
                   fmt::format("no lab manufacturing CA yet ({}): serve and the phone simulator make it on first use",
                               dir.string()),
                   ""});
    return;
  }
  PairFiles p{"lab CA", dir / "ca.pem", dir / "ca.key", "", std::nullopt,
              fmt::format("move {} away: the next serve makes a new lab CA (simulated phones then need new MICs: "
                          "remove their mic.pem)", dir.string())};
  out.push_back(check_pair(p, now));
}

}  // namespace cucm::cluster::doctor

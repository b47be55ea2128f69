// File faults: each starts from the file the catalog would build and changes one thing.
#include "catalog/faulted.hpp"

#include <ctime>

#include <fmt/format.h>

#include "catalog/cached_catalog.hpp"
#include "catalog/catalog.hpp"
#include "catalog/phone_config.hpp"
#include "cnf/full_config.hpp"
#include "cnf/partial_config.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::catalog {
namespace {

std::uint32_t now() { return static_cast<std::uint32_t>(std::time(nullptr)); }

// The faults by the file they act on; the rest of a fault's name says how.
bool on_signed_config(std::string_view n) {
  return n.starts_with("sgn-") || n.starts_with("certhash-") || n == "partial-without-capf" ||
         n == "capf-wrong-port";
}
bool on_partial_only(std::string_view n) {
  return n.starts_with("certhash-") || n == "partial-without-capf" || n == "capf-wrong-port";
}

// The HashAlgorithm item's value set to a code no format defines (PROTOCOLS §5.1 knows 0 SHA-1
// and 1 SHA-512 here): the header frames, the digest cannot be known.
Result<Bytes> unknown_hash(Bytes file) {
  CUCM_TRY(auto parsed, signer::parse_header(file, "sgn"));
  for (const auto& t : parsed.trace) {
    if (t.tag == signer::tag::kHashAlgorithm && t.length == 1) {
      file[t.offset + 3] = 9;
      return file;
    }
  }
  return make_error(Errc::Internal, "fault sgn-unknown-hash: the .sgn has no one-byte HashAlgorithm item");
}

std::string drop_element(std::string xml, std::string_view name) {
  std::string open = fmt::format("<{}>", name), close = fmt::format("</{}>", name);
  auto a = xml.find(open);
  auto b = xml.find(close);
  if (a != std::string::npos && b != std::string::npos && b > a) xml.erase(a, b + close.size() - a);
  return xml;
}

}  // namespace

Result<Bytes> flip_signature(Bytes file, std::string_view context) {
  CUCM_TRY(auto parsed, signer::parse_header(file, context));
  std::size_t last = parsed.signature_item_offset + parsed.signature_item_size - 1;
  file[last] ^= 0x01;
  return file;
}

bool fault_acts_on(const fault::FaultSpec& f, FileKind kind) {
  if (f.layer != fault::Layer::File) return false;
  std::string_view n = f.name;
  // The expired copy is in the ITL; the configs need no change to name it (faulted_trust.cpp), so
  // one boot, which asks for one ITL, is one application, and --count counts boots.
  if (n == "sgn-expired-signer") return kind == FileKind::Itl;
  if (n.starts_with("ctl-")) return kind == FileKind::Ctl;
  if (n.starts_with("itl-")) return kind == FileKind::Itl;
  if (n.starts_with("enc-")) return kind == FileKind::ConfigEncSgn;
  if (on_signed_config(n)) return kind == FileKind::ConfigSgn;
  return false;
}

bool fault_acts_on(const fault::FaultSpec& f, FileKind kind, Variant variant) {
  if (!fault_acts_on(f, kind)) return false;
  std::string_view n = f.name;
  if (on_partial_only(n)) return variant == Variant::PartialConfigSigned;
  if (kind == FileKind::ConfigSgn) return variant == Variant::PartialConfigSigned || variant == Variant::FullConfigSigned;
  if (kind == FileKind::ConfigEncSgn) return variant == Variant::EncryptedConfig;
  // Only where the cluster answers not found: in mixed mode the CTL is served anyway, and the
  // fault is kept for a request it changes.
  if (kind == FileKind::Ctl) return variant == Variant::NotFound;
  return variant == Variant::Itl;
}

Result<const Catalog::Stranger*> Catalog::stranger() const {
  if (!stranger_) {
    CUCM_TRY(auto key, signer::generate_key({}));
    auto req = signer::mkcert_profile(*key, {{"CN", "cucm-emu-fault-stranger"}, {"O", "not this cluster"}}, 365,
                                      signer::HashAlg::Sha256);
    CUCM_TRY(auto cert, signer::make_self_signed(*key, req));
    stranger_ = Stranger{std::move(key), std::move(cert)};
  }
  return &*stranger_;
}

Result<Bytes> Catalog::faulted_config(const Snapshot& s, const fault::Applied& f) const {
  std::string_view n = f.spec->name;
  std::string name = s.file.name;
  cnf::PhoneConfig config = phone_config(s.device->device, s.device->profile, *s.settings.settings, s.device->vpn);
  if (n == "capf-wrong-port") config.capf_port = static_cast<int>(f.param("port"));
  std::string xml;
  if (s.decision.variant == Variant::PartialConfigSigned) {
    std::string hash = s.device->device.md5hash;
    if (n == "certhash-empty") hash.clear();
    if (n == "certhash-mismatch") hash = signer::cert_md5_hex(*pki_.identity(signer::PkiRole::CallManager).cert);
    CUCM_TRY(xml, cnf::build_partial_config(config, hash));
    if (n == "partial-without-capf") xml = drop_element(std::move(xml), "capfList");
  } else {
    CUCM_TRY(xml, cnf::build_full_config(config));
  }
  const auto& cm = pki_.identity(signer::PkiRole::CallManager);
  if (n == "sgn-signer-not-in-itl") {
    CUCM_TRY(const Stranger* st, stranger());
    return signer::build_sgn(as_bytes(xml), {name, opts_.hash, now()}, *st->key, *st->cert);
  }
  // Another device's name, so that a phone which reads the header sees a file meant for another.
  std::string signed_as = n == "sgn-wrong-filename" ? "SEP000000000000.cnf.xml.sgn" : name;
  CUCM_TRY(Bytes file, signer::build_sgn(as_bytes(xml), {signed_as, opts_.hash, now()}, *cm.key, *cm.cert));
  if (n == "sgn-bad-signature") return flip_signature(std::move(file), "sgn");
  if (n == "sgn-unknown-hash") return unknown_hash(std::move(file));
  if (n == "sgn-truncated") {
    // Cut inside the header, so that the phone can tell a short file from a bad signature.
    CUCM_TRY(auto parsed, signer::parse_sgn(file));
    file.resize(parsed.header_length / 2);
  }
  return file;
}

Result<Bytes> Catalog::faulted_encrypted(const Snapshot& s, const fault::Applied& f) const {
  std::string_view n = f.spec->name;
  std::string name = s.file.name;
  CUCM_TRY(auto xml, cnf::build_full_config(phone_config(s.device->device, s.device->profile, *s.settings.settings,
                                                         s.device->vpn)));
  const auto& cm = pki_.identity(signer::PkiRole::CallManager);
  EVP_PKEY* wrap_for = s.key.get();
  if (n == "enc-wrong-key") {
    CUCM_TRY(const Stranger* st, stranger());
    wrap_for = st->key.get();
  }
  if (!wrap_for) return make_error(Errc::NotFound, fmt::format("{}: not found: no key on record", name));
  CUCM_TRY(Bytes file, signer::build_enc_sgn(as_bytes(xml), *wrap_for, {name, opts_.hash, now()}, *cm.key, *cm.cert));
  if (n == "enc-wrong-key") return file;
  CUCM_TRY(auto parsed, signer::parse_enc_sgn(file));
  Bytes payload(file.begin() + parsed.header_length, file.end());
  signer::Header h = parsed.header;
  if (n == "enc-bad-digest") h.digest.back() ^= 0x01;
  // CBC: a changed last ciphertext block decrypts to bytes that are not the 0D padding (and the
  // digest then fails too); the file is signed again, so only the decryption can tell.
  if (n == "enc-bad-padding") payload[payload.size() - 1] ^= 0x5a;
  return signer::sign_and_assemble(std::move(h), payload, *cm.key, *cm.cert);
}

Result<Served> Catalog::build_faulted(const Snapshot& s, const fault::Applied& f) const {
  Served out{{}, s.decision.variant, fmt::format("fault {} injected: {}", f.spec->name, f.spec->description),
             s.file.device};
  std::string_view n = f.spec->name;
  if (!fault_acts_on(*f.spec, s.file.kind, s.decision.variant)) {
    return make_error(Errc::Internal, fmt::format("fault {} does not act on {}", n, s.file.name));
  }
  if (n == "enc-missing") {
    return make_error(Errc::NotFound, fmt::format("{}: not found: fault enc-missing injected", s.file.name));
  }
  if (s.file.kind == FileKind::Itl || s.file.kind == FileKind::Ctl) {
    CUCM_TRY(out.bytes, faulted_trust_list(s, f));
    if (s.file.kind == FileKind::Ctl) out.variant = Variant::Ctl;  // served where the decision said not found
    return out;
  }
  if (s.file.kind == FileKind::ConfigEncSgn) {
    CUCM_TRY(out.bytes, faulted_encrypted(s, f));
    return out;
  }
  CUCM_TRY(out.bytes, faulted_config(s, f));
  return out;
}

// --- the cache's side: which requests leave the cache for a faulted build ---

bool CachedCatalog::may_fault(const RequestedFile& file) const {
  if (!opts_.faults || file.device.empty()) return false;
  return opts_.faults->armed(fault::Layer::File, file.device,
                             [&](const fault::FaultSpec& f) { return fault_acts_on(f, file.kind); });
}

void CachedCatalog::build_with_fault(Worker& w, const std::string& name, Done done) {
  RequestedFile file = classify(name);
  auto snapshot = w.catalog->read(name);
  if (!snapshot) return done(std::move(snapshot).error());
  Variant variant = snapshot->decision.variant;
  auto applied = opts_.faults->take(fault::Layer::File, file.device, [&](const fault::FaultSpec& f) {
    return fault_acts_on(f, file.kind, variant);
  });
  if (!applied) return fetch_built(name, std::move(done));
  std::string fault(applied->spec->name);
  auto served = w.catalog->build_faulted(*snapshot, *applied);
  if (!served) {
    Error e = std::move(served).error();
    e.message = fmt::format("injected {}: {}", fault, e.message);
    return done(std::move(e));
  }
  done(CachedFile{std::make_shared<const Bytes>(std::move(served->bytes)), served->variant, std::move(served->rule),
                  std::move(served->device), false, std::move(fault)});
}

}  // namespace cucm::catalog

// Fuzzes the CAPF session engine with whole conversations: one byte chooses the device the
// lookup finds and whether commits succeed, then frames of `u16 BE length | message bytes` are
// fed in order, as the TLS transport would after reading them. No socket, no database.
#include <cstddef>
#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <optional>

#include "capf/proto/engine.hpp"
#include "core/byte_reader.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::capf {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// The CAPF CA, made once: EC P-256, so that an LSC issued on a fuzzed KeyGenResponse costs
// microseconds, not an RSA signature.
struct Ca {
  signer::PkeyPtr key;
  signer::X509Ptr cert;
};
const Ca& ca() {
  static const Ca c = [] {
    signer::KeySpec spec;
    spec.kind = signer::KeyKind::Ec;
    auto key = signer::generate_key(spec);
    signer::CertRequest req;
    req.subject = {{"CN", "CAPF-fuzz"}};
    req.not_before = std::time_t{1'767'225'600 - 86'400};  // valid by the engine's clock below
    auto cert = signer::make_self_signed(**key, req);
    return Ca{std::move(*key), std::move(*cert)};
  }();
  return c;
}

const signer::ChainVerifier& verifier() {
  static const signer::ChainVerifier v = [] {
    signer::ChainVerifier out;
    require(out.add_anchor(*ca().cert).has_value());
    return out;
  }();
  return v;
}

DeviceFacts facts_for(std::uint8_t choice) {
  DeviceFacts d;
  d.name = "SEP001122334455";
  d.operation = static_cast<Operation>(choice % 4);
  d.auth_mode = static_cast<AuthMode>((choice >> 2) % 4);
  d.key_order = static_cast<KeyOrder>((choice >> 4) % 3);
  d.auth_string = "1234";
  d.deadline = (choice & 0x40) ? "2000-01-01 00:00:00" : "";
  return d;
}

// Invariants, and why each must hold:
// - Every message the engine sends parses and carries the session's SID: the phone must be able
//   to read what it is sent.
// - A step asks for at most one of a lookup and a commit, and a commit only for the device the
//   lookup found, started with the operation it found: the transport answers one question at a
//   time, and a commit must never touch another device or outlive a changed schedule.
// - A recorded certificate parses: the caller turns it into the device's md5hash.
// - Once the engine is done, nothing more is sent and every further input closes.
void check(const Step& s, const DeviceFacts& d, bool done_before) {
  require(!(s.lookup && s.commit));
  for (const auto& bytes : s.send) {
    auto m = parse_message(bytes);
    require(m.has_value());
    require(m->sid == 1);
  }
  if (s.commit) {
    require(s.commit->device == d.name);
    require(s.commit->started_with == d.operation);
    if (s.commit->certificate == Commit::Certificate::Record) require(signer::load_cert(s.commit->der).has_value());
  }
  if (done_before) require(s.send.empty() && !s.commit && !s.lookup);
}

void fuzz_one(ByteView bytes) {
  if (bytes.empty()) return;
  std::uint8_t choice = bytes[0];
  bool commits_fail = (choice & 0x80) != 0;
  DeviceFacts d = facts_for(choice);
  // The armed fault (issue 18) from the input's length, so the corpus's layout stays as it was:
  // one in eight conversations has none; the LSC from an unknown CA is signed by the same CA here
  // (what changes is who signs, not how), or fails when the length says there is no stranger.
  d.fault = static_cast<SessionFault>(bytes.size() % 8);
  d.fault_reason = static_cast<std::uint8_t>(bytes.size() / 8);
  EngineConfig cfg;
  cfg.ca = ca().cert.get();
  cfg.ca_key = ca().key.get();
  if ((bytes.size() / 8) % 2 == 0) {
    cfg.stranger_ca = ca().cert.get();
    cfg.stranger_ca_key = ca().key.get();
  }
  cfg.verifier = &verifier();
  cfg.now = [] { return std::time_t{1'767'225'600}; };  // 2026-01-01
  cfg.serial = [] { return std::array<std::uint8_t, 16>{1, 2, 3}; };
  Engine engine(1, cfg);
  auto answer = [&](Step s) {
    // The transport's loop: answer lookups and commits until only bytes are left.
    for (int i = 0; i < 8 && (s.lookup || s.commit); ++i) {
      bool done_before = engine.done();
      if (s.lookup) {
        s = engine.on_device(d);
      } else {
        s = engine.on_committed(commits_fail ? Status(make_error(Errc::AlreadyExists, "changed")) : Status(Ok{}));
      }
      check(s, d, done_before);
    }
    require(!s.lookup && !s.commit);  // every question is answered within a few steps
  };
  check(engine.start(), d, false);
  ByteReader r(bytes.subspan(1), "frames");
  while (r.remaining() >= 2) {
    auto len = r.u16be("length");
    auto frame = r.take(std::min<std::size_t>(*len, r.remaining()), "frame");
    bool done_before = engine.done();
    auto m = parse_message(*frame);
    Step s = m ? engine.on_message(*m) : engine.on_bad_bytes(m.error());
    check(s, d, done_before);
    answer(std::move(s));
  }
  if (!engine.done()) check(engine.on_disconnect(), d, false);
}

}  // namespace
}  // namespace cucm::capf

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::capf::fuzz_one(cucm::ByteView(data, size));
  return 0;
}

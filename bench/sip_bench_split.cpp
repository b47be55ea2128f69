// sip_bench --split: what the SIP server does for a registration beyond the TLS handshake, each
// part timed alone on one thread, in-process, with the same cluster, phones and LSCs as the run:
// the peer check (the LSC's chain against the phones' anchors and the trunks'), the request
// (libosip2's parse, the line lookup, the registrar, the binding's SQLite transaction, the event,
// the answer) and its parts. CPU time per call; a guide to where the time above the handshake
// floor goes, not a measure of the server (the server runs these on its loops between handshakes).
#include "bench/sip_bench_split.hpp"

#include <ctime>
#include <functional>
#include <iostream>

#include <fmt/format.h>

#include "bench/cpu_time.hpp"
#include "bench/sip_bench_client.hpp"
#include "cluster/trust_stores.hpp"
#include "core/file_io.hpp"
#include "db/sip_store.hpp"
#include "signer/cert.hpp"
#include "signer/chain_verifier.hpp"
#include "sip/peer_check.hpp"
#include "sip/proto/builder.hpp"
#include "sip/proto/message.hpp"
#include "sip/request_handler.hpp"

namespace cucm::bench {

namespace {

// CPU microseconds per call of `f`, over `n` calls after 10 not counted.
double per_call(int n, const std::function<bool(int)>& f, bool& ok) {
  for (int i = 0; i < 10; ++i) ok = f(i) && ok;
  double t0 = self_cpu();
  for (int i = 0; i < n; ++i) ok = f(i) && ok;
  return (self_cpu() - t0) / n * 1e6;
}

std::string register_text(int i, int seq) {
  sip::RequestSpec r;
  r.uri = "sip:127.0.0.1:5061;transport=tls";
  r.via_host = "127.0.0.1:5061";
  r.branch = fmt::format("z9hG4bKsplit-{}", seq);
  r.from_uri = r.to_uri = "sip:" + directory_number(i) + "@127.0.0.1";
  r.from_tag = "1";
  r.call_id = device_name(i) + "-split@127.0.0.1";
  r.cseq = static_cast<std::uint32_t>(seq) + 1;
  r.contact = "<sip:" + directory_number(i) + "@127.0.0.1:5061;transport=tls>";
  r.expires = 3600;
  r.user_agent = "Cisco-CP8845/14.2.1 (sip_bench)";
  return sip::build_request(r);
}

}  // namespace

int run_split(cluster::Cluster& cl, const std::filesystem::path& data, int n) {
  auto fail = [](const std::string& what, const std::string& why) {
    std::cerr << "sip_bench --split: " << what << ": " << why << "\n";
    return 2;
  };
  const auto& capf = cl.pki().identity(signer::PkiRole::Capf);
  auto pem = read_file(lsc_path(data, 0, "pem"));
  if (!pem) return fail("LSC", pem.error().message);
  auto lsc = signer::load_cert(*pem);
  if (!lsc) return fail("LSC", lsc.error().message);
  auto db = cl.open_db();
  if (!db) return fail("database", db.error().message);
  auto capf_trust = cluster::trusted_certificates(*db, cluster::TrustStore::Capf);
  auto cm_trust = cluster::trusted_certificates(*db, cluster::TrustStore::CallManager);
  if (!capf_trust || !cm_trust) return fail("trust stores", "cannot read them");
  auto peers = sip::PeerCheck::make(*capf.cert, *capf_trust, *cm_trust);
  if (!peers) return fail("peer check", peers.error().message);
  signer::ChainVerifier phones_only;
  if (!phones_only.add_anchor(*capf.cert)) return fail("anchor", "CAPF");

  std::time_t now = std::time(nullptr);
  sip::Peer peer{sip::Transport::Tls, "127.0.0.1:40000", peers->check(**lsc, {}, now)};
  if (!peer.cert || !peer.cert->phone.ok()) return fail("peer check", "the LSC does not verify");
  sip::SipConfig cfg;
  sip::SipStats stats;
  sip::RequestHandler handler(cfg, stats, cl.events());
  sip::RequestHandler quiet(cfg, stats, nullptr);
  std::string text = register_text(0, 0);
  db::SipStore store(*db);
  bool ok = true;
  struct Row {
    const char* what;
    double us;
  };
  std::vector<Row> rows = {
      {"peer check: the LSC against phones' and trunks' anchors (PeerCheck::check)",
       per_call(n, [&](int) { return peers->check(**lsc, {}, now).phone.ok(); }, ok)},
      {"  of which the phones' chain alone (ChainVerifier::verify, one RSA verify)",
       per_call(n, [&](int) { return static_cast<bool>(phones_only.verify(**lsc, now)); }, ok)},
      {"request: RequestHandler::handle, REGISTER to 200 (with the event)",
       per_call(n, [&](int i) { return handler.handle(register_text(0, i + 1), peer, *db).starts_with("SIP/2.0 200"); }, ok)},
      {"  the same without the event log",
       per_call(n, [&](int i) { return quiet.handle(register_text(0, i + 1), peer, *db).starts_with("SIP/2.0 200"); }, ok)},
      {"  libosip2 parse (parse_message)", per_call(n, [&](int) { return static_cast<bool>(sip::parse_message(text)); }, ok)},
      {"  line lookup (SipStore::lines_with_number)",
       per_call(n, [&](int) { return static_cast<bool>(store.lines_with_number(directory_number(0))); }, ok)},
      {"  binding write (SipStore::record, one transaction)",
       per_call(n, [&](int i) {
         return static_cast<bool>(store.record({device_name(0), 1, directory_number(0), "sip:x", "tls", "127.0.0.1:1", "LSC",
                                                "split", "ua", now + i, now + i + 3600}));
       }, ok)},
      {"  the request built for the next call (build_request, client side)",
       per_call(n, [&](int i) { return !register_text(0, i).empty(); }, ok)},
  };
  if (cl.events()) cl.events()->flush();
  std::cerr << fmt::format("sip_bench --split: CPU per call on one thread, {} calls each\n", n);
  std::string json;
  for (const auto& r : rows) {
    std::cerr << fmt::format("  {:>8.1f} us  {}\n", r.us, r.what);
    json += fmt::format("{}{:.2f}", json.empty() ? "" : ",", r.us);
  }
  std::cout << "{\"split_us\":[" << json << "]}\n" << std::flush;
  if (!ok) std::cerr << "sip_bench --split: FAILED: a call did not do what it should\n";
  return ok ? 0 : 1;
}

}  // namespace cucm::bench

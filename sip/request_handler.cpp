// Requests to answers, with their effects applied.
#include "sip/request_handler.hpp"

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>

#include "core/encoding.hpp"
#include "core/log.hpp"
#include "core/repeat_limiter.hpp"
#include "db/sip_store.hpp"
#include "signer/random.hpp"
#include "sip/proto/builder.hpp"
#include "sip/proto/message.hpp"

namespace cucm::sip {
namespace {

std::vector<LineOwner> owners(const std::vector<db::LineOwnerRow>& rows) {
  std::vector<LineOwner> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    out.push_back({r.device, r.line_index, r.directory_number, r.auth_name, r.auth_password, r.security_mode});
  }
  return out;
}

// Whether `source` (ip:port) is the trunk's peer: its address literally when the trunk names one;
// a host name is not resolved here, on the request path, so it matches any address.
bool from_peer(const db::SipTrunk& t, std::string_view source) {
  boost::system::error_code ec;
  auto want = boost::asio::ip::make_address(t.peer_host, ec);
  if (ec) return true;
  auto got = boost::asio::ip::make_address(core::peer_address(source), ec);
  return !ec && got == want;
}

std::vector<TrunkPeer> trunk_peers(const std::vector<db::SipTrunk>& rows, std::string_view source) {
  std::vector<TrunkPeer> out;
  for (const auto& t : rows) out.push_back({t.name, t.x509_subjects, from_peer(t, source), t.peer_host});
  return out;
}

Decision server_error(const Error& e) {
  Decision d;
  d.code = 500;
  d.reason = "Server Internal Error";
  d.extras.warning = "the registrar's database refused: " + e.message;
  d.result = "500 " + d.extras.warning;
  return d;
}

}  // namespace

std::string bare_bad_request(std::string_view why) {
  std::string text(why);
  std::erase(text, '"');
  std::erase(text, '\r');
  std::erase(text, '\n');
  return fmt::format("SIP/2.0 400 Bad Request\r\nWarning: 399 cucm-emu \"{}\"\r\nServer: cucm-emu\r\nContent-Length: 0\r\n\r\n", text);
}

RequestHandler::RequestHandler(const SipConfig& cfg, SipStats& stats, db::EventWriter* events)
    : cfg_(cfg), stats_(stats), events_(events), nonce_secret_(signer::random_bytes(32)) {}

std::time_t RequestHandler::now() const { return cfg_.clock ? cfg_.clock() : std::time(nullptr); }

std::string RequestHandler::handle(std::string_view bytes, const Peer& peer, const db::Database& db, bool* malformed) {
  auto m = parse_message(bytes);
  if (!m || !m->request) {
    ++stats_.malformed;
    if (malformed) *malformed = true;
    std::string why = m ? "a response where a request was expected" : m.error().message;
    log::get("sip")->warn("sip {} over {}: {}", peer.address, transport_name(peer.transport), why);
    if (events_) events_->post("sip", peer.address, "", "malformed message", "400 " + why);
    return bare_bad_request(why);
  }
  RegistrarConfig rc{.nonce_secret = nonce_secret_, .now_unix = now(), .to_tag = signer::random_hex(6)};
  Decision d = decide(*m, peer, db, rc);
  if (d.code == 500 && d.what.empty()) d.what = m->method;  // a database failure is always an event
  count(*m, d);
  if (!d.what.empty() && events_) events_->post("sip", peer.address, d.device, d.what, d.result);
  if (d.code >= 400 && d.code != 401) {
    log::get("sip")->info("sip {} {}: {} {} ({})", peer.address, m->method, d.code, d.reason, d.extras.warning);
  }
  if (!d.respond) return {};
  auto out = build_response(*m, d.code, d.reason, d.extras);
  if (!out) {
    log::get("sip")->error("sip {}: {}", peer.address, out.error().message);
    return bare_bad_request(out.error().message);
  }
  return std::move(*out);
}

Decision RequestHandler::decide(const Message& m, const Peer& peer, const db::Database& db, const RegistrarConfig& rc) {
  if (m.method == "REGISTER") return registration(m, peer, db, rc);
  if (m.method == "OPTIONS") {
    if (peer.transport != Transport::Tls || !peer.cert || peer.cert->phone.ok()) return on_options(m, peer, {}, rc);
    auto trunks = db::SipStore(db).trunks();
    if (!trunks) return server_error(trunks.error());
    return on_options(m, peer, trunk_peers(*trunks, peer.address), rc);
  }
  return on_other(m, rc);
}

Decision RequestHandler::registration(const Message& m, const Peer& peer, const db::Database& db, const RegistrarConfig& rc) {
  db::SipStore store(db);
  auto lines = store.lines_with_number(m.to.user);
  if (!lines) return server_error(lines.error());
  Decision d = on_register(m, peer, owners(*lines), rc);
  if (d.bind) {
    const Binding& b = *d.bind;
    auto st = store.record({b.device, b.line_index, b.directory_number, b.contact, std::string(transport_name(b.transport)),
                            b.source, b.cert_type, b.call_id, b.user_agent, rc.now_unix, rc.now_unix + b.expires});
    if (!st) return server_error(st.error());
  } else if (d.unbind) {
    if (auto st = store.remove(d.unbind->device, d.unbind->line_index); !st) return server_error(st.error());
  }
  return d;
}

void RequestHandler::count(const Message& m, const Decision& d) {
  if (d.code == 500) {
    ++stats_.store_failed;
    return;
  }
  if (m.method == "OPTIONS") {
    ++stats_.options;
  } else if (m.method != "REGISTER") {
    ++stats_.other;
  } else if (d.bind) {
    ++stats_.registered;
  } else if (d.unbind) {
    ++stats_.unregistered;
  } else if (d.code == 401) {
    ++stats_.challenged;
  } else if (d.code >= 400) {
    ++stats_.forbidden;
  }
}

}  // namespace cucm::sip

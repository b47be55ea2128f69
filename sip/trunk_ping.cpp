// The OPTIONS ping of a SIP trunk over mutual TLS.
#include "sip/trunk_ping.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "core/host_port.hpp"
#include "core/resolve.hpp"
#include "signer/cert.hpp"
#include "signer/random.hpp"
#include "signer/tls_versions.hpp"
#include "sip/proto/builder.hpp"
#include "sip/proto/framer.hpp"
#include "sip/proto/message.hpp"

namespace cucm::sip {
namespace asio = boost::asio;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

// An IPv6 literal in a SIP URI is bracketed (RFC 3261 §25.1).
std::string uri_host(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// One ping: each step is an Asio operation run on our own io_context up to the one deadline, so a
// silent peer costs `timeout` and never hangs the caller.
class Pinger {
 public:
  Pinger(const TrunkPingOptions& o, TrunkPingReport& r) : o_(o), r_(r) {}

  Status run() {
    CUCM_CHECK(setup_tls());
    auto addr = core::resolve_host(o_.host);
    if (!addr) {
      return make_error(addr.error().code, fmt::format("{}: {} (check the trunk's --peer, or /etc/hosts)", r_.peer,
                                                       addr.error().message));
    }
    deadline_ = SteadyClock::now() + o_.timeout;
    tcp::endpoint ep(*addr, o_.port);
    CUCM_CHECK(await([&](auto done) { stream_->next_layer().async_connect(ep, done); }, "connect"));
    r_.address = core::to_string(core::HostPort{addr->to_string(), o_.port});
    // Without it the OPTIONS, a small write right after our last handshake flight, waits for the
    // peer's delayed ACK (40 ms on Linux), and the round trip measures that instead of the peer.
    boost::system::error_code ec;
    stream_->next_layer().set_option(tcp::no_delay(true), ec);
    CUCM_CHECK(handshake());
    CUCM_CHECK(check_peer());
    CUCM_CHECK(exchange());
    close();
    return Ok{};
  }

 private:
  // Our CallManager certificate, key and chain on the client side of mutual TLS. No verification
  // in the handshake: the peer's certificate is judged afterwards, as the server judges ours, so
  // an untrusted peer is reported with its subject instead of a bare alert.
  Status setup_tls() {
    const signer::Identity* id = o_.identity;
    if (!id || !id->cert || !id->key || !o_.peers) {
      return make_error(Errc::Internal, "sip trunk ping: no CallManager identity or trust to ping with");
    }
    SSL_CTX* c = ctx_.native_handle();
    CUCM_CHECK(signer::set_tls_min_version(*c, o_.tls_min));
    if (SSL_CTX_use_certificate(c, id->cert.get()) != 1 || SSL_CTX_use_PrivateKey(c, id->key.get()) != 1) {
      return make_error(Errc::Internal, "sip trunk ping: cannot load the CallManager certificate into TLS (pki/callmanager.pem)");
    }
    for (const auto& issuer : id->chain) SSL_CTX_add1_chain_cert(c, issuer.get());
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    // After the context is complete: an SSL copies its context's settings when it is made.
    stream_.emplace(io_, ctx_);
    return Ok{};
  }

  Status handshake() {
    boost::system::error_code ec;
    (void)asio::ip::make_address(o_.host, ec);
    if (ec) {  // a name: sent as SNI, as an address literal never is (RFC 6066 §3)
      SSL_ctrl(stream_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(o_.host.c_str()));  // NOLINT: OpenSSL's signature; the name is only read
    }
    CUCM_CHECK(await([&](auto done) { stream_->async_handshake(asio::ssl::stream_base::client, done); }, "TLS handshake"));
    SSL* ssl = stream_->native_handle();
    r_.tls = fmt::format("{} {}", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
    return Ok{};
  }

  Status check_peer() {
    SSL* ssl = stream_->native_handle();
    std::time_t now = o_.now ? o_.now : std::time(nullptr);
    auto pc = o_.peers->check(*ssl, now, PeerCheck::Scope::Both);
    if (!pc) return make_error(Errc::Unauthenticated, fmt::format("{}: the peer presented no certificate", r_.peer));
    r_.peer_subject = signer::subject_name(*SSL_get0_peer_certificate(ssl));
    r_.peer_names = pc->names;
    r_.chain = pc->trunk;
    r_.matched_subject = match_subject(pc->names, o_.subjects);
    return Ok{};
  }

  // The OPTIONS out and its final answer in. Requests the peer sends meanwhile, provisional
  // answers and answers to another Call-ID are skipped: only ours says whether the trunk is up.
  Status exchange() {
    auto local = stream_->next_layer().local_endpoint().address().to_string();
    auto via = core::to_string(core::HostPort{local, stream_->next_layer().local_endpoint().port()});
    RequestSpec spec;
    spec.method = "OPTIONS";
    spec.uri = fmt::format("sip:{};transport=tls", core::to_string(core::HostPort{o_.host, o_.port}));
    spec.transport = "TLS";
    spec.via_host = via;
    spec.branch = "z9hG4bK" + signer::random_hex(8);
    spec.from_uri = "sip:" + uri_host(local);
    spec.from_tag = signer::random_hex(4);
    spec.to_uri = "sip:" + uri_host(o_.host);
    spec.call_id = signer::random_hex(16) + "@" + local;
    spec.contact = fmt::format("<sip:{};transport=tls>", via);
    spec.user_agent = "cucm-emu trunk ping";
    std::string out = build_request(spec);
    auto sent = SteadyClock::now();
    CUCM_CHECK(await([&](auto done) { asio::async_write(*stream_, asio::buffer(out), done); }, "sending OPTIONS"));
    StreamFramer framer;
    while (true) {
      auto frame = framer.next();
      if (!frame) return make_error(Errc::InvalidArgument, fmt::format("{}: the answer cannot be framed: {}", r_.peer, frame.error().message));
      if (!*frame) {
        std::size_t n = 0;
        CUCM_CHECK(await([&](auto done) { stream_->async_read_some(asio::buffer(in_), done); }, "waiting for the answer", &n));
        framer.feed(std::string_view(in_.data(), n));
        continue;
      }
      if ((*frame)->kind == Frame::Kind::Ping) continue;
      auto m = parse_message((*frame)->bytes);
      if (!m) return make_error(Errc::InvalidArgument, fmt::format("{}: the answer is not SIP: {}", r_.peer, m.error().message));
      if (m->request || m->call_id != spec.call_id || m->status < 200) continue;
      r_.rtt_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - sent).count();
      r_.sip_code = m->status;
      r_.sip_reason = m->reason;
      r_.warning = m->warning;
      return Ok{};
    }
  }

  void close() {
    boost::system::error_code ec;
    if (stream_) stream_->next_layer().close(ec);
  }

  // Starts an operation and runs the loop until it completes or the deadline passes; a
  // completion's byte count goes to `bytes` when asked.
  template <class Start>
  Status await(Start start, const char* what, std::size_t* bytes = nullptr) {
    bool done = false;
    boost::system::error_code result;
    start([&](boost::system::error_code ec, auto... n) {
      result = ec;
      if (bytes) ((*bytes = n), ...);
      done = true;
    });
    io_.restart();
    io_.run_until(deadline_);
    if (!done) {
      close();  // the operation ends with operation_aborted; run it out before returning
      io_.restart();
      io_.run();
      return make_error(Errc::DeadlineExceeded, fmt::format("{}: {} timed out after {} ms in all (a SIP TLS port? a longer "
                                                            "--timeout-ms?)", r_.peer, what, o_.timeout.count()));
    }
    if (result == asio::error::eof || result == asio::ssl::error::stream_truncated) {
      return make_error(Errc::Unavailable, fmt::format("{}: the peer closed the connection ({}){}", r_.peer, what,
                                                       r_.tls.empty() ? ": it may refuse our CallManager certificate" : ""));
    }
    if (result) {
      std::string_view hint = r_.address.empty()   ? " (is the peer serving SIP over TLS there?)"
                              : r_.tls.empty()     ? " (a SIP TLS port? TLS versions the peer takes? its CallManager-trust?)"
                                                   : "";
      return make_error(Errc::Unavailable, fmt::format("{}: {} failed: {}{}", r_.peer, what, result.message(), hint));
    }
    return Ok{};
  }

  const TrunkPingOptions& o_;
  TrunkPingReport& r_;
  asio::io_context io_;
  asio::ssl::context ctx_{asio::ssl::context::tls_client};
  std::optional<asio::ssl::stream<tcp::socket>> stream_;
  SteadyClock::time_point deadline_;
  std::array<char, 4096> in_{};
};

}  // namespace


bool TrunkPingReport::full_service() const {
  return failure.empty() && chain && chain->ok() && !matched_subject.empty() && sip_code == 200;
}

std::string TrunkPingReport::reason() const {
  if (!failure.empty()) return failure;
  if (!chain) return fmt::format("{}: nothing checked", peer);
  if (!chain->ok()) {
    return fmt::format("{}: its certificate ({}) does not chain to CallManager-trust: {} (cucm-emu trust add FILE --store "
                       "CallManager-trust, with its certificate or CA)", peer, peer_subject, chain->detail);
  }
  if (matched_subject.empty()) {
    return fmt::format("{}: its certificate names [{}], none of the trunk's X.509 subject names (trunk add --x509-subject "
                       "with its CN)", peer, join(peer_names));
  }
  if (sip_code == 200) return {};
  std::string why = fmt::format("{}: answered {} {}{}", peer, sip_code, sip_reason, warning.empty() ? "" : ": " + warning);
  if (sip_code == 403) {
    why += " (on the peer: a trunk whose X.509 subject names hold our CallManager certificate's CN, and our certificate "
           "or CA in its CallManager-trust)";
  }
  return why;
}

TrunkPingReport ping_trunk(const TrunkPingOptions& o) {
  TrunkPingReport r;
  r.peer = core::to_string(core::HostPort{o.host, o.port});
  try {
    Pinger p(o, r);
    if (auto st = p.run(); !st) r.failure = st.error().message;
  } catch (const std::exception& e) {  // Asio's or the allocator's, never ours: still one line
    r.failure = fmt::format("{}: internal error: {}", r.peer, e.what());
  }
  return r;
}

}  // namespace cucm::sip

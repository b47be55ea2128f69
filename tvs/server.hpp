// The TVS server on TLS port 2445 (PROTOCOLS §4): the TVS certificate as server certificate, no
// client certificate, one VerifyRequest per connection answered from the trust store, then close.
// A malformed request is logged and the connection closed without a reply, as UCM's tvsd does.
// Every handshake, read and write has a deadline (one sweep per loop); sessions are capped in all
// and per client address. Armed TVS faults (tvs-invalid, tvs-no-answer, tvs-wrong-roles) change
// the answer for the device the request names.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/address_slots.hpp"
#include "core/deadline_sweep.hpp"
#include "core/repeat_limiter.hpp"
#include "core/result.hpp"
#include "core/tcp_listener.hpp"
#include "db/event_writer.hpp"
#include "db/sqlite.hpp"
#include "metrics/histogram.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/tls_keylog.hpp"

namespace cucm::fault {
class Board;
}  // namespace cucm::fault

namespace cucm::tvs {

struct TvsConfig {
  std::string address = "0.0.0.0";
  std::uint16_t port = 2445;
  std::chrono::milliseconds io_timeout{10'000};  // per handshake, read and write
  std::size_t max_sessions = 256;                // concurrent; more are closed at once
  std::size_t max_per_address = 32;              // concurrent sessions from one address (0: no cap)
  std::string tls_min = "1.2";                   // "1.0" for 79xx firmware
  std::shared_ptr<signer::TlsKeyLog> tls_keylog;  // set: every handshake's secrets (serve --tls-keylog)
  // The armed faults (`scenario set tvs-…`, issue 18), filled from the cluster by
  // cluster::Services as the catalog's are; null: none is applied. Must outlive the server.
  fault::Board* faults = nullptr;
};

struct TvsStats {
  std::atomic<std::uint64_t> sessions{0}, refused{0}, handshake_failed{0}, active{0};
  std::atomic<std::uint64_t> tls_too_old{0};              // of handshake_failed
  std::atomic<std::uint64_t> valid{0}, invalid{0};         // answers sent
  std::atomic<std::uint64_t> malformed{0}, silent{0};      // closed without an answer
  // Also closed without an answer: the client left before its whole request came, or the trust
  // store could not be read. With the four above and `unanswered`, every session past the
  // handshake once.
  std::atomic<std::uint64_t> disconnected{0}, lookup_failed{0};
  // The request read and, by tvs-no-answer, nothing sent: closed by the phone or the deadline.
  std::atomic<std::uint64_t> unanswered{0};
  std::atomic<std::uint64_t> accept_errors{0};
  // From the connection's accept to its close, every connection (failed handshakes too).
  metrics::Histogram session_seconds{metrics::kFastSeconds};
};

class TvsServer {
 public:
  // Opens a database connection per loop (the lookups need no lock). `identity` (the cluster's
  // TVS certificate) and `events` (may be null) must outlive the server.
  using OpenDb = std::function<Result<db::Database>()>;
  TvsServer(std::vector<boost::asio::io_context*> loops, TvsConfig cfg, const signer::Identity& identity, OpenDb open_db,
            db::EventWriter* events);
  ~TvsServer();
  TvsServer(const TvsServer&) = delete;
  TvsServer& operator=(const TvsServer&) = delete;

  Status start();  // TLS context, a connection per loop, bind, listen
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  const TvsStats& stats() const;

  // What every connection of the server uses.
  struct Shared;

 private:
  void on_accept(core::TcpListener::Socket&& socket, const boost::asio::ip::tcp::endpoint& peer);

  std::vector<boost::asio::io_context*> loops_;
  const signer::Identity* identity_;
  std::shared_ptr<Shared> shared_;
  OpenDb open_db_;
  core::LoopSweeps sweeps_;
  std::shared_ptr<core::AddressSlots> per_address_;
  core::TcpListener listener_;
};

}  // namespace cucm::tvs

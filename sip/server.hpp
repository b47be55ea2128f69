// The SIP server (issue 21): a registrar for phone lines and the endpoint of SIP trunks, on TLS
// (5061; the CallManager certificate, a client certificate asked of every peer and checked by the
// registrar) and on UDP and TCP (5060, for non-secure profiles). libosip2 parses; sip/proto
// decides; this is transport only: listeners, deadlines (one sweep per loop), caps on
// connections in all and per address, and the database connection of each loop.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "core/address_slots.hpp"
#include "core/deadline_sweep.hpp"
#include "core/result.hpp"
#include "core/tcp_listener.hpp"
#include "db/event_writer.hpp"
#include "db/sqlite.hpp"
#include "signer/cluster_pki.hpp"
#include "sip/config.hpp"

namespace cucm::sip {

struct ServerState;
class UdpEndpoint;

// What the TLS port checks peers against, read from the cluster when the server starts.
struct SipTrust {
  const signer::Identity* callmanager = nullptr;  // our certificate on the TLS port
  const X509* capf = nullptr;                     // the CA of LSCs
  std::vector<signer::X509Ptr> capf_trust, callmanager_trust;
};

class SipServer {
 public:
  using OpenDb = std::function<Result<db::Database>()>;
  // `trust.callmanager`, `trust.capf` and `events` (may be null) must outlive the server.
  SipServer(std::vector<boost::asio::io_context*> loops, SipConfig cfg, SipTrust trust, OpenDb open_db,
            db::EventWriter* events);
  ~SipServer();
  SipServer(const SipServer&) = delete;
  SipServer& operator=(const SipServer&) = delete;

  Status start();  // TLS context, a database connection per loop, bind TLS, TCP and UDP, listen
  void stop();
  boost::asio::ip::tcp::endpoint tls_endpoint() const;
  // Port 0 when `plain` is off.
  boost::asio::ip::tcp::endpoint tcp_endpoint() const;
  boost::asio::ip::udp::endpoint udp_endpoint() const;
  const SipStats& stats() const;

 private:
  Status start_tls();
  Status start_plain(const boost::asio::ip::address& addr);
  void on_accept(bool tls, core::TcpListener::Socket&& socket, const boost::asio::ip::tcp::endpoint& peer);

  std::vector<boost::asio::io_context*> loops_;
  SipTrust trust_;
  std::shared_ptr<ServerState> state_;
  OpenDb open_db_;
  core::LoopSweeps sweeps_;
  std::shared_ptr<core::AddressSlots> per_address_;
  core::TcpListener tls_listener_, tcp_listener_;
  std::shared_ptr<UdpEndpoint> udp_;
};

}  // namespace cucm::sip

// The network services of a cluster (TFTP, HTTP, HTTPS, CAPF, TVS, SIP) on their event loops: started together on
// the endpoints asked for, reporting what they bound, stopped together. serve, demo, the
// integration tests and the benchmarks all start phones' services through this one class.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "capf/server.hpp"
#include "cluster/cluster.hpp"
#include "core/loop_pool.hpp"
#include "core/result.hpp"
#include "http/http_server.hpp"
#include "sip/server.hpp"
#include "metrics/endpoint.hpp"
#include "metrics/text_writer.hpp"
#include "tftp/tftp_server.hpp"
#include "tvs/server.hpp"

namespace cucm::cluster {

struct ServicesConfig {
  std::size_t threads = 1;  // event loops, one thread each
  // A service is started when its config is set. CapfConfig::data_dir is filled from the cluster.
  std::optional<tftp::TftpConfig> tftp;
  std::optional<http::HttpConfig> http;
  // HTTPS on 6971 with the cluster's https identity (set port to http::kHttpsPort for a real one).
  std::optional<http::HttpConfig> https;
  std::optional<capf::CapfConfig> capf;
  std::optional<tvs::TvsConfig> tvs;
  // SIP registrar and trunks: TLS on tls_port, UDP and TCP on port (issue 21).
  std::optional<sip::SipConfig> sip;
  // Prometheus metrics at http://address:port/metrics, on a thread of its own (port 0: any free
  // port). Not a phone service: it is started only beside at least one of the above.
  std::optional<metrics::EndpointConfig> metrics;
  // Families of a part of the process the cluster does not own (serve's admin site), written at
  // the end of each scrape on the endpoint's thread: it must only read atomics.
  std::function<void(metrics::TextWriter&)> more_metrics;
  std::string thread_name = "cucm-io";
};

// Every service on loopback, on ports the kernel picks: what the tests and the demo run.
ServicesConfig loopback_services(std::size_t threads = 1);

class Services {
 public:
  // `cluster` must outlive the services.
  Services(Cluster& cluster, ServicesConfig cfg);
  ~Services();  // stop() and wait()
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  // Binds every configured service, then runs the loops on their threads. On an error (a port in
  // use, one below 1024 without the capability, a bad trust store) nothing is left running and
  // the message names the flag to change. InvalidArgument when no service is configured.
  Status start();
  // Stops accepting, ends the loops; safe from any thread and from a handler on a loop.
  void stop();
  // Until the loops have returned (after stop(), a signal handler's or another thread's).
  void wait();
  // Until no TFTP transfer is in flight, at most `max`; false when one still is. A TFTP transfer
  // ends, and writes its event, when the client's last ACK arrives, after the client has moved
  // on: a caller that reads the event log after a boot of our simulator (scenario run, tests)
  // waits here first.
  bool wait_transfers(std::chrono::milliseconds max);
  // Until no TVS connection is open, at most `max`; false when one still is. A connection that
  // tvs-no-answer leaves unanswered writes its event when it reads the request, which may come
  // after the phone gave up: a caller that reads the event log after such a boot waits here first.
  bool wait_tvs_sessions(std::chrono::milliseconds max);

  boost::asio::io_context& loop(std::size_t i) { return loops_.at(i); }
  // The loops' threads, once started (the benchmarks read their CPU time).
  std::vector<std::thread>& threads() { return loops_.threads(); }
  std::optional<boost::asio::ip::udp::endpoint> tftp_endpoint() const;
  std::optional<boost::asio::ip::tcp::endpoint> http_endpoint() const;
  std::optional<boost::asio::ip::tcp::endpoint> capf_endpoint() const;
  std::optional<boost::asio::ip::tcp::endpoint> tvs_endpoint() const;
  std::optional<boost::asio::ip::tcp::endpoint> https_endpoint() const;
  std::optional<boost::asio::ip::tcp::endpoint> metrics_endpoint() const;
  std::optional<boost::asio::ip::tcp::endpoint> sip_tls_endpoint() const;
  // Port of a service, 0 when it is not running.
  std::uint16_t tftp_port() const { return tftp_ ? tftp_->local_endpoint().port() : 0; }
  std::uint16_t http_port() const { return http_ ? http_->local_endpoint().port() : 0; }
  std::uint16_t capf_port() const { return capf_ ? capf_->local_endpoint().port() : 0; }
  std::uint16_t tvs_port() const { return tvs_ ? tvs_->local_endpoint().port() : 0; }
  std::uint16_t https_port() const { return https_ ? https_->local_endpoint().port() : 0; }
  std::uint16_t metrics_port() const { return metrics_ ? metrics_->local_endpoint().port() : 0; }
  std::uint16_t sip_tls_port() const { return sip_ ? sip_->tls_endpoint().port() : 0; }
  std::uint16_t sip_port() const { return sip_ ? sip_->udp_endpoint().port() : 0; }  // UDP and TCP

  const tftp::TftpServer* tftp() const { return tftp_.get(); }
  const http::HttpServer* http() const { return http_.get(); }
  const capf::CapfServer* capf() const { return capf_.get(); }
  const tvs::TvsServer* tvs() const { return tvs_.get(); }
  const http::HttpServer* https() const { return https_.get(); }
  const sip::SipServer* sip() const { return sip_.get(); }
  const ServicesConfig& config() const { return cfg_; }
  // CAs the CAPF server trusts for "By Existing Certificate" (its own CA included).
  std::size_t capf_trusted_cas() const { return capf_ctx_ ? capf_ctx_->trust.size() + 1 : 0; }

 private:
  Status start_capf();
  Status start_sip();
  void stop_servers();

  Cluster& cluster_;
  ServicesConfig cfg_;
  core::LoopPool loops_;
  bool running_ = false;
  std::unique_ptr<tftp::TftpServer> tftp_;
  std::unique_ptr<http::HttpServer> http_;
  std::unique_ptr<capf::Context> capf_ctx_;
  std::unique_ptr<capf::CapfServer> capf_;
  std::unique_ptr<tvs::TvsServer> tvs_;
  std::unique_ptr<http::HttpServer> https_;
  std::unique_ptr<sip::SipServer> sip_;
  // Last: destroyed first, so no scrape runs while the servers it reads go.
  std::unique_ptr<metrics::Endpoint> metrics_;
};

}  // namespace cucm::cluster

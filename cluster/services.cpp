// Starting and stopping the network services together.
#include "cluster/services.hpp"

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "cluster/metrics_scrape.hpp"
#include "cluster/trust_stores.hpp"
#include "db/schema.hpp"
#include "signer/lab_manufacturer.hpp"

namespace cucm::cluster {

ServicesConfig loopback_services(std::size_t threads) {
  ServicesConfig s;
  s.threads = threads;
  s.tftp.emplace();
  s.tftp->address = "127.0.0.1";
  s.tftp->port = 0;
  s.http.emplace();
  s.http->address = "127.0.0.1";
  s.http->port = 0;
  s.capf.emplace();
  s.capf->address = "127.0.0.1";
  s.capf->port = 0;
  s.tvs.emplace();
  s.tvs->address = "127.0.0.1";
  s.tvs->port = 0;
  s.https.emplace();
  s.https->address = "127.0.0.1";
  s.https->port = 0;
  s.sip.emplace();
  s.sip->address = "127.0.0.1";
  s.sip->tls_port = 0;
  s.sip->port = 0;
  return s;
}

Services::Services(Cluster& cluster, ServicesConfig cfg)
    : cluster_(cluster), cfg_(std::move(cfg)), loops_(std::max<std::size_t>(cfg_.threads, 1)) {}

Services::~Services() {
  stop();
  wait();
}

Status Services::start_capf() {
  capf::CapfConfig cc = *cfg_.capf;
  cc.data_dir = cluster_.data_dir();
  CUCM_TRY(auto db, cluster_.open_db());  // CAPF writes through a connection of its own
  if (cc.trust_lab_manufacturer) {
    CUCM_TRY(auto lab, signer::LabManufacturer::open(cluster_.data_dir()));
    CUCM_CHECK(trust_lab_manufacturer(db, *lab.cert));
  }
  CUCM_TRY(auto trust, trusted_certificates(db, TrustStore::Capf));
  capf_ctx_.reset(new capf::Context{cc, cluster_.pki(), std::move(trust), {}, std::move(db), cluster_.events(), {}, {}});
  capf_ctx_->faults = cluster_.faults();
  capf_ = std::make_unique<capf::CapfServer>(loops_.contexts(), *capf_ctx_);
  return capf_->start();
}

// The SIP server's TLS side: our CallManager certificate, and the anchors of its peers' (the CAPF
// certificate and CAPF-trust for phones, CallManager-trust for trunks) as they are at start.
Status Services::start_sip() {
  CUCM_TRY(auto db, cluster_.open_db());
  sip::SipTrust trust;
  trust.callmanager = &cluster_.pki().identity(signer::PkiRole::CallManager);
  trust.capf = cluster_.pki().identity(signer::PkiRole::Capf).cert.get();
  CUCM_TRY(trust.capf_trust, trusted_certificates(db, TrustStore::Capf));
  CUCM_TRY(trust.callmanager_trust, trusted_certificates(db, TrustStore::CallManager));
  // Without the commit counter: a registration changes no file, so it must not make the catalog
  // look its versions up again.
  std::filesystem::path dir = cluster_.data_dir();
  sip_ = std::make_unique<sip::SipServer>(loops_.contexts(), *cfg_.sip, std::move(trust),
                                          [dir] { return db::open_cluster_db(dir); }, cluster_.events());
  return sip_->start();
}

Status Services::start() {
  if (!cfg_.tftp && !cfg_.http && !cfg_.https && !cfg_.capf && !cfg_.tvs && !cfg_.sip) {
    return make_error(Errc::InvalidArgument, "services: nothing to serve");
  }
  auto started = [&]() -> Status {
    auto& cat = cluster_.catalog();
    if (cfg_.tftp) {
      tftp_ = std::make_unique<tftp::TftpServer>(loops_.contexts(), *cfg_.tftp, cat, cluster_.events());
      CUCM_CHECK(tftp_->start());
    }
    if (cfg_.http) {
      http_ = std::make_unique<http::HttpServer>(loops_.contexts(), *cfg_.http, cat, cluster_.events());
      CUCM_CHECK(http_->start());
    }
    if (cfg_.https) {
      const auto& id = cluster_.pki().identity(signer::PkiRole::Https);
      https_ = std::make_unique<http::HttpServer>(loops_.contexts(), *cfg_.https, cat, cluster_.events(),
                                                  http::TlsIdentity{.cert = id.cert.get(), .key = id.key.get()});
      CUCM_CHECK(https_->start());
    }
    if (cfg_.capf) CUCM_CHECK(start_capf());
    if (cfg_.tvs) {
      const Cluster* c = &cluster_;
      tvs::TvsConfig tc = *cfg_.tvs;
      tc.faults = cat.faults();  // the board the catalog, HTTP and TFTP apply their faults from
      tvs_ = std::make_unique<tvs::TvsServer>(loops_.contexts(), tc, c->pki().identity(signer::PkiRole::Tvs),
                                              [c] { return c->open_db(); }, cluster_.events());
      CUCM_CHECK(tvs_->start());
    }
    if (cfg_.sip) CUCM_CHECK(start_sip());
    if (cfg_.metrics) {
      metrics_ = std::make_unique<metrics::Endpoint>(*cfg_.metrics, [this] {
        return scrape(*this, cluster_.catalog(), cluster_.events());
      });
      CUCM_CHECK(metrics_->start());
    }
    return Ok{};
  }();
  if (!started) {
    stop_servers();
    return started;
  }
  loops_.start(cfg_.thread_name);
  running_ = true;
  return Ok{};
}

void Services::stop_servers() {
  if (tftp_) tftp_->stop();
  if (http_) http_->stop();
  if (capf_) capf_->stop();
  if (tvs_) tvs_->stop();
  if (https_) https_->stop();
  if (sip_) sip_->stop();
  if (metrics_) metrics_->stop();
}

void Services::stop() {
  stop_servers();
  loops_.stop();
}

namespace {

// Until `active` is 0 or `max` has passed. The loops' threads change the count: polling it is the
// only way another thread sees it.
bool wait_until_idle(const std::atomic<std::uint64_t>* active, std::chrono::milliseconds max) {
  auto until = std::chrono::steady_clock::now() + max;
  while (active && active->load() > 0) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace

bool Services::wait_transfers(std::chrono::milliseconds max) {
  return wait_until_idle(tftp_ ? &tftp_->stats().active : nullptr, max);
}

bool Services::wait_tvs_sessions(std::chrono::milliseconds max) {
  return wait_until_idle(tvs_ ? &tvs_->stats().active : nullptr, max);
}

void Services::wait() {
  if (metrics_) metrics_->wait();
  if (running_) loops_.join();
  running_ = false;
  // A build finishing now would post its answer to a loop that is about to go: let them finish
  // while the loops still exist.
  cluster_.catalog().drain();
}

std::optional<boost::asio::ip::udp::endpoint> Services::tftp_endpoint() const {
  if (!tftp_) return std::nullopt;
  return tftp_->local_endpoint();
}
std::optional<boost::asio::ip::tcp::endpoint> Services::http_endpoint() const {
  if (!http_) return std::nullopt;
  return http_->local_endpoint();
}
std::optional<boost::asio::ip::tcp::endpoint> Services::capf_endpoint() const {
  if (!capf_) return std::nullopt;
  return capf_->local_endpoint();
}
std::optional<boost::asio::ip::tcp::endpoint> Services::https_endpoint() const {
  if (!https_) return std::nullopt;
  return https_->local_endpoint();
}

std::optional<boost::asio::ip::tcp::endpoint> Services::metrics_endpoint() const {
  if (!metrics_) return std::nullopt;
  return metrics_->local_endpoint();
}

std::optional<boost::asio::ip::tcp::endpoint> Services::sip_tls_endpoint() const {
  if (!sip_) return std::nullopt;
  return sip_->tls_endpoint();
}

std::optional<boost::asio::ip::tcp::endpoint> Services::tvs_endpoint() const {
  if (!tvs_) return std::nullopt;
  return tvs_->local_endpoint();
}

}  // namespace cucm::cluster

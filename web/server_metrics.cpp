// The admin site's numbers in a Prometheus scrape of serve: README "Metrics" lists the families.
#include <cstdint>

#include "metrics/text_writer.hpp"
#include "web/server.hpp"
#include "web/server_state.hpp"

namespace cucm::web {

std::size_t WebServer::connections_open() const { return state_->connections.load(); }
std::size_t WebServer::streams_open() const { return state_->hub ? state_->hub->subscribers() : 0; }

void WebServer::write_metrics(metrics::TextWriter& w) const {
  using metrics::Type;
  const auto& s = state_->stats;
  w.family("cucm_admin_requests_total", Type::Counter,
           "Admin site answers by status class: ok (below 400), client_error (4xx: a bad request, a login refused, "
           "no session), server_error (5xx)");
  w.sample({{"outcome", "ok"}}, s.ok.load());
  w.sample({{"outcome", "client_error"}}, s.client_errors.load());
  w.sample({{"outcome", "server_error"}}, s.server_errors.load());
  w.family("cucm_admin_connections_open", Type::Gauge, "Admin site connections open now");
  w.sample({}, static_cast<std::uint64_t>(connections_open()));
  w.family("cucm_admin_connections_refused_total", Type::Counter,
           "Admin site connections closed at accept: past its connection cap or its per-address cap");
  w.sample({}, s.refused.load());
  w.family("cucm_admin_event_streams_open", Type::Gauge, "Event streams (/api/v1/events/stream) open now");
  w.sample({}, static_cast<std::uint64_t>(streams_open()));
  w.family("cucm_admin_event_streams_total", Type::Counter, "Event streams started");
  w.sample({}, s.streams.load());
}

}  // namespace cucm::web

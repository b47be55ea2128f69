// The families of a scrape, in a fixed order. Label values are fixed strings and enum names only:
// nothing a client sends becomes a series.
#include "cluster/metrics_scrape.hpp"

#include <array>
#include <atomic>
#include <utility>

#include "cluster/services.hpp"
#include "core/version.hpp"
#include "metrics/text_writer.hpp"

namespace cucm::cluster {
namespace {

using metrics::TextWriter;
using metrics::Type;

// Sequentially consistent, unlike the servers' relaxed adds: a scrape that reads no connection or
// transfer open also sees what the last one counted before it closed (they count before their
// `active` goes down), which is what the tests wait for.
std::uint64_t get(const std::atomic<std::uint64_t>& a) { return a.load(); }

// HTTP on 6970 and HTTPS on 6971 share HttpStats; the label tells them apart.
std::array<std::pair<const char*, const http::HttpServer*>, 2> http_servers(const Services& s) {
  return {{{"http", s.http()}, {"https", s.https()}}};
}

void requests(TextWriter& w, const Services& s) {
  if (!s.tftp() && !s.http() && !s.https()) return;
  w.family("cucm_requests_total", Type::Counter,
           "File requests answered, by protocol and outcome. tftp: ok and failed are transfers that completed or "
           "not, refused are requests shed or refused; http, https: bad is a malformed, refused or failed request");
  if (const auto* t = s.tftp()) {
    const auto& st = t->stats();
    w.sample({{"protocol", "tftp"}, {"outcome", "ok"}}, get(st.completed));
    w.sample({{"protocol", "tftp"}, {"outcome", "failed"}}, get(st.failed));
    w.sample({{"protocol", "tftp"}, {"outcome", "not_found"}}, get(st.not_found));
    w.sample({{"protocol", "tftp"}, {"outcome", "refused"}}, get(st.refused));
  }
  for (auto [name, h] : http_servers(s)) {
    if (!h) continue;
    w.sample({{"protocol", name}, {"outcome", "ok"}}, get(h->stats().ok));
    w.sample({{"protocol", name}, {"outcome", "not_found"}}, get(h->stats().not_found));
    w.sample({{"protocol", name}, {"outcome", "bad"}}, get(h->stats().bad));
  }
  w.family("cucm_sent_bytes_total", Type::Counter,
           "Bytes of files and answers sent, by protocol and outcome. tftp: DATA of transfers that completed (ok) or "
           "not (error), counted when they end; http, https: answers below 400 (ok) or from 400 (error)");
  if (const auto* t = s.tftp()) {
    w.sample({{"protocol", "tftp"}, {"outcome", "ok"}}, get(t->stats().bytes_ok));
    w.sample({{"protocol", "tftp"}, {"outcome", "error"}}, get(t->stats().bytes_error));
  }
  for (auto [name, h] : http_servers(s)) {
    if (!h) continue;
    w.sample({{"protocol", name}, {"outcome", "ok"}}, get(h->stats().bytes_ok));
    w.sample({{"protocol", name}, {"outcome", "error"}}, get(h->stats().bytes_error));
  }
}

void tftp(TextWriter& w, const tftp::TftpServer& t) {
  const auto& st = t.stats();
  w.family("cucm_tftp_transfers_started_total", Type::Counter, "TFTP transfers started");
  w.sample({}, get(st.started));
  w.family("cucm_tftp_transfers_active", Type::Gauge, "TFTP transfers in flight");
  w.sample({}, get(st.active));
  w.family("cucm_tftp_retransmissions_total", Type::Counter,
           "TFTP DATA packets sent again after a timeout, counted when their transfer ends");
  w.sample({}, get(st.retransmitted));
  w.family("cucm_tftp_transfer_duration_seconds", Type::Histogram, "TFTP transfers from start to end, completed or not");
  w.histogram({}, st.transfer_seconds);
}

// The TCP services' connections: HTTP, HTTPS, CAPF and TVS.
void connections(TextWriter& w, const Services& s) {
  struct Row {
    const char* protocol;
    const std::atomic<std::uint64_t>* open;
    const std::atomic<std::uint64_t>* refused;
    const std::atomic<std::uint64_t>* accept_errors;
  };
  std::vector<Row> rows;
  for (auto [name, h] : http_servers(s)) {
    if (h) rows.push_back({name, &h->stats().active, &h->stats().refused, &h->stats().accept_errors});
  }
  if (const auto* c = s.capf()) rows.push_back({"capf", &c->stats().active, &c->stats().refused, &c->stats().accept_errors});
  if (const auto* v = s.tvs()) rows.push_back({"tvs", &v->stats().active, &v->stats().refused, &v->stats().accept_errors});
  if (const auto* p = s.sip()) rows.push_back({"sip", &p->stats().active, &p->stats().refused, &p->stats().accept_errors});
  if (rows.empty()) return;
  w.family("cucm_connections_open", Type::Gauge, "TCP connections open now, by protocol");
  for (const auto& r : rows) w.sample({{"protocol", r.protocol}}, get(*r.open));
  w.family("cucm_connections_refused_total", Type::Counter,
           "TCP connections closed at once: past the service's cap, or its cap per client address");
  for (const auto& r : rows) w.sample({{"protocol", r.protocol}}, get(*r.refused));
  w.family("cucm_accept_errors_total", Type::Counter, "Accepts that failed (out of file descriptors), by protocol");
  for (const auto& r : rows) w.sample({{"protocol", r.protocol}}, get(*r.accept_errors));
}

void tls(TextWriter& w, const Services& s) {
  if (!s.https() && !s.capf() && !s.tvs() && !s.sip()) return;
  w.family("cucm_tls_handshake_failures_total", Type::Counter, "TLS handshakes that failed, by protocol");
  if (const auto* p = s.sip()) w.sample({{"protocol", "sip"}}, get(p->stats().handshake_failed));
  if (const auto* h = s.https()) w.sample({{"protocol", "https"}}, get(h->stats().handshake_failed));
  if (const auto* c = s.capf()) w.sample({{"protocol", "capf"}}, get(c->stats().handshake_failed));
  if (const auto* v = s.tvs()) w.sample({{"protocol", "tvs"}}, get(v->stats().handshake_failed));
  if (!s.capf() && !s.tvs()) return;
  w.family("cucm_tls_handshakes_below_floor_total", Type::Counter,
           "Of the failed handshakes, those where the phone offered only TLS versions or suites below "
           "--capf-tls-min or --tvs-tls-min");
  if (const auto* c = s.capf()) w.sample({{"protocol", "capf"}}, get(c->stats().tls_too_old));
  if (const auto* v = s.tvs()) w.sample({{"protocol", "tvs"}}, get(v->stats().tls_too_old));
}

void capf(TextWriter& w, const capf::CapfServer& c) {
  const auto& st = c.stats();
  w.family("cucm_capf_sessions_total", Type::Counter,
           "CAPF sessions past the TLS handshake, by the device's scheduled operation (unknown: no device on record "
           "was named) and how they ended");
  for (std::size_t op = 0; op <= capf::kOperationCount; ++op) {
    std::string_view op_name = op < capf::kOperationCount ? capf::operation_name(static_cast<capf::Operation>(op)) : "unknown";
    for (std::size_t e = 0; e < capf::kEndingCount; ++e) {
      auto ending = static_cast<capf::Ending>(e);
      if (ending == capf::Ending::TlsRefused) continue;  // no session: in cucm_tls_handshakes_below_floor_total
      w.sample({{"operation", op_name}, {"outcome", capf::ending_name(ending)}}, st.ended[op][e].value());
    }
  }
  w.family("cucm_capf_session_duration_seconds", Type::Histogram, "CAPF connections from accept to close");
  w.histogram({}, st.session_seconds);
}

void tvs(TextWriter& w, const tvs::TvsServer& v) {
  const auto& st = v.stats();
  w.family("cucm_tvs_sessions_total", Type::Counter,
           "TVS sessions past the TLS handshake, by outcome: an answer (valid, invalid) or closed without one "
           "(malformed, silent past the deadline, disconnected, lookup_failed, unanswered by tvs-no-answer)");
  using Outcome = std::pair<const char*, const std::atomic<std::uint64_t>*>;
  const std::array<Outcome, 7> outcomes{{{"valid", &st.valid},
                                         {"invalid", &st.invalid},
                                         {"malformed", &st.malformed},
                                         {"silent", &st.silent},
                                         {"disconnected", &st.disconnected},
                                         {"lookup_failed", &st.lookup_failed},
                                         {"unanswered", &st.unanswered}}};
  for (auto [name, counter] : outcomes) w.sample({{"outcome", name}}, get(*counter));
  w.family("cucm_tvs_session_duration_seconds", Type::Histogram, "TVS connections from accept to close");
  w.histogram({}, st.session_seconds);
}

void sip(TextWriter& w, const sip::SipServer& p) {
  const auto& st = p.stats();
  w.family("cucm_sip_requests_total", Type::Counter,
           "SIP requests answered, by kind: REGISTER registered, unregistered, challenged (401) or refused (another "
           "4xx); OPTIONS; any other method; malformed (400 or closed); store_failed (500)");
  using Outcome = std::pair<const char*, const std::atomic<std::uint64_t>*>;
  const std::array<Outcome, 8> outcomes{{{"registered", &st.registered},
                                         {"unregistered", &st.unregistered},
                                         {"challenged", &st.challenged},
                                         {"refused", &st.forbidden},
                                         {"options", &st.options},
                                         {"other", &st.other},
                                         {"malformed", &st.malformed},
                                         {"store_failed", &st.store_failed}}};
  for (auto [name, counter] : outcomes) w.sample({{"outcome", name}}, get(*counter));
  w.family("cucm_sip_datagrams_total", Type::Counter, "SIP messages received over UDP");
  w.sample({}, get(st.datagrams));
  w.family("cucm_sip_connection_duration_seconds", Type::Histogram, "SIP TCP and TLS connections from accept to close");
  w.histogram({}, st.session_seconds);
}

void http_latency(TextWriter& w, const Services& s) {
  if (!s.http() && !s.https()) return;
  w.family("cucm_http_request_duration_seconds", Type::Histogram,
           "HTTP and HTTPS requests from read to answer written, by protocol");
  for (auto [name, h] : http_servers(s)) {
    if (h) w.histogram({{"protocol", name}}, h->stats().request_seconds);
  }
}

void cache(TextWriter& w, const catalog::CachedCatalog& catalog) {
  catalog::CacheStats c = catalog.stats();
  w.family("cucm_cache_hits_total", Type::Counter, "Requests for a built file answered from memory");
  w.sample({}, c.hits);
  w.family("cucm_cache_misses_total", Type::Counter,
           "Requests for a file not in memory: built by a worker (built), or waiting for a build already under way "
           "(joined)");
  w.sample({{"result", "built"}}, c.builds);
  w.sample({{"result", "joined"}}, c.joined);
  w.family("cucm_cache_evictions_total", Type::Counter, "Built files dropped from memory to make room (--cache-mb)");
  w.sample({}, c.evictions);
  w.family("cucm_cache_entries", Type::Gauge, "Built files in memory");
  w.sample({}, static_cast<std::uint64_t>(c.entries));
  w.family("cucm_cache_bytes", Type::Gauge, "Bytes of the built files in memory");
  w.sample({}, static_cast<std::uint64_t>(c.bytes));
  w.family("cucm_catalog_build_duration_seconds", Type::Histogram,
           "Builds run by a worker (the version read, the query, the signature), failed ones too; not the queue wait");
  w.histogram({}, catalog.build_seconds());
}

void events(TextWriter& w, const db::EventWriter& e) {
  w.family("cucm_events_written_total", Type::Counter, "Events written to the event log");
  w.sample({}, e.written());
  w.family("cucm_events_suppressed_total", Type::Counter, "Repeated refusals counted in a summary event, not written");
  w.sample({}, e.suppressed());
  w.family("cucm_events_dropped_total", Type::Counter, "Events dropped because the writer's queue was full");
  w.sample({}, e.dropped());
  w.family("cucm_events_removed_total", Type::Counter, "Events deleted by retention (--events-max-mb, --events-max-age-days)");
  w.sample({}, e.removed());
}

}  // namespace

Result<std::string> scrape(const Services& services, const catalog::CachedCatalog& catalog, const db::EventWriter* ev) {
  TextWriter w;
  // The build's identity as labels of a constant 1, as Prometheus exporters report theirs.
  w.family("cucm_build_info", Type::Gauge, "This cucm-emu: its version and the git revision it was built from");
  w.sample({{"version", version()}, {"revision", git_revision()}}, std::uint64_t{1});
  requests(w, services);
  http_latency(w, services);
  if (const auto* t = services.tftp()) tftp(w, *t);
  connections(w, services);
  tls(w, services);
  if (const auto* c = services.capf()) capf(w, *c);
  if (const auto* v = services.tvs()) tvs(w, *v);
  if (const auto* p = services.sip()) sip(w, *p);
  cache(w, catalog);
  if (ev) events(w, *ev);
  if (services.config().more_metrics) services.config().more_metrics(w);
  return std::move(w).finish();
}

}  // namespace cucm::cluster

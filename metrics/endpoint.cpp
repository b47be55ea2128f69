// The scrape endpoint's connections: parse a request under the limits, answer it, keep the
// connection for the next scrape or close it.
#include "metrics/endpoint.hpp"

#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "core/log.hpp"
#include "metrics/text_writer.hpp"

namespace cucm::metrics {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

struct Endpoint::Shared {
  Shared(EndpointConfig c, Render r) : cfg(std::move(c)), render(std::move(r)), log(log::get("metrics")) {}
  EndpointConfig cfg;
  Render render;
  EndpointStats stats;
  std::shared_ptr<spdlog::logger> log;
};

namespace {

// A scraper's request is a line and a few headers: 4 KiB is plenty and bounds what a stranger
// can make us hold. GET carries no body.
constexpr std::uint32_t kHeaderLimit = 4 * 1024;
constexpr std::uint64_t kBodyLimit = 0;

using Stream = beast::basic_stream<tcp, core::TcpListener::Executor, beast::unlimited_rate_policy>;
using Request = bhttp::request<bhttp::empty_body>;
using Response = bhttp::response<bhttp::string_body>;

// One connection, on the endpoint's only loop: no strand. The stream carries the deadline, set
// before every read and write.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(core::TcpListener::Socket&& socket, std::shared_ptr<Endpoint::Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    shared_->stats.open.add();
  }
  ~Session() { shared_->stats.open.sub(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(shared_->cfg.io_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    // The peer's end, or its deadline: nothing to answer.
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return close();
    }
    if (ec) {
      shared_->stats.bad.inc();
      shared_->log->debug("metrics: malformed request: {}", ec.message());
      return respond(text(bhttp::status::bad_request, "malformed request\n"), false);
    }
    handle(parser_->get());
  }

  Response text(bhttp::status status, std::string body) const {
    Response res{status, 11};
    res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::move(body);
    return res;
  }

  void handle(const Request& req) {
    bool keep_alive = req.keep_alive();
    bool head = req.method() == bhttp::verb::head;
    if (req.method() != bhttp::verb::get && !head) {
      shared_->stats.bad.inc();
      Response res = text(bhttp::status::method_not_allowed, "GET or HEAD only\n");
      res.set(bhttp::field::allow, "GET, HEAD");
      return respond(std::move(res), keep_alive);
    }
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));  // a scraper may add parameters: none is used
    if (target != "/metrics") {
      shared_->stats.not_found.inc();
      return respond(text(bhttp::status::not_found, "not found: the metrics are at /metrics\n"), keep_alive);
    }
    auto rendered = shared_->render();
    if (!rendered) {
      shared_->stats.bad.inc();
      shared_->log->error("{}", rendered.error().message);
      return respond(text(bhttp::status::internal_server_error, "server error\n"), keep_alive);
    }
    shared_->stats.scrapes.inc();
    Response res = text(bhttp::status::ok, std::move(*rendered));
    res.set(bhttp::field::content_type, beast::string_view(kContentType.data(), kContentType.size()));
    if (head) {
      res.content_length(res.body().size());
      res.body().clear();
      return respond(std::move(res), keep_alive, false);
    }
    respond(std::move(res), keep_alive);
  }

  void respond(Response res, bool keep_alive, bool sized_by_body = true) {
    res.keep_alive(keep_alive);
    if (sized_by_body) res.prepare_payload();
    res_.emplace(std::move(res));
    stream_.expires_after(shared_->cfg.io_timeout);
    bhttp::async_write(stream_, *res_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      self->res_.reset();
      if (ec) return self->close();
      if (!keep_alive) return self->finish();
      self->read();
    });
  }

  // The answer went out and the client asked for no more: FIN after it.
  void finish() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    close();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  Stream stream_;
  std::shared_ptr<Endpoint::Shared> shared_;
  beast::flat_buffer buffer_{kHeaderLimit};  // its maximum size: a longer head fails the read
  std::optional<bhttp::request_parser<bhttp::empty_body>> parser_;
  std::optional<Response> res_;  // alive until its write completes
};

}  // namespace

Endpoint::Endpoint(EndpointConfig cfg, Render render)
    : loop_(1),
      shared_(std::make_shared<Shared>(std::move(cfg), std::move(render))),
      listener_(loop_.contexts(), {.service = "metrics",
                                   .limit_hint = "the open-file limit, ulimit -n",
                                   .backlog = 64,
                                   .no_delay = true,
                                   .socket_per_loop = false,
                                   .accept_errors = nullptr}) {}

Endpoint::~Endpoint() {
  stop();
  wait();
}

Status Endpoint::start() {
  const EndpointConfig& cfg = shared_->cfg;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("metrics: bad listen address '{}' (--metrics-address)", cfg.address));
  ec = listener_.open(tcp::endpoint(addr, cfg.port));
  if (ec) return core::listen_error(ec, "metrics", cfg.address, cfg.port, "metrics");
  listener_.start([this](core::TcpListener::Socket&& socket, const tcp::endpoint&) { on_accept(std::move(socket)); });
  loop_.start("cucm-metrics");
  return Ok{};
}

void Endpoint::stop() {
  listener_.stop();
  loop_.stop();
}

void Endpoint::wait() { loop_.join(); }

tcp::endpoint Endpoint::local_endpoint() const { return listener_.local_endpoint(); }

const EndpointStats& Endpoint::stats() const { return shared_->stats; }

// On the endpoint's loop, the only thread that opens or closes its sessions: the cap needs no
// more than the gauge.
void Endpoint::on_accept(core::TcpListener::Socket&& socket) {
  if (shared_->stats.open.value() >= static_cast<std::int64_t>(shared_->cfg.max_connections)) {
    shared_->stats.refused.inc();
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  std::make_shared<Session>(std::move(socket), shared_)->read();
}

}  // namespace cucm::metrics

// HTTP sessions: one per connection on its own strand, a deadline before every operation.
#include "tftp/http_server.hpp"

#include <charconv>
#include <optional>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "core/log.hpp"
#include "tftp/request_name.hpp"

namespace cucm::tftp {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct HttpServer::Shared {
  catalog::CachedCatalog& catalog;
  db::EventWriter* events;
  std::shared_ptr<HttpStats> stats;
  std::shared_ptr<spdlog::logger> log;
  HttpConfig cfg;
};

namespace {

struct ByteRange {
  std::size_t first, last;  // inclusive
};

// "bytes=a-b", "bytes=a-", "bytes=-n" (one range). nullopt: unsatisfiable or not understood.
std::optional<ByteRange> parse_range(std::string_view h, std::size_t size) {
  if (!h.starts_with("bytes=") || size == 0 || h.find(',') != std::string_view::npos) return std::nullopt;
  h.remove_prefix(6);
  auto dash = h.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto num = [](std::string_view s) -> std::optional<std::size_t> {
    std::size_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
  };
  auto a = num(h.substr(0, dash)), b = num(h.substr(dash + 1));
  if (!a && b) {  // suffix: the last n bytes
    if (*b == 0) return std::nullopt;
    return ByteRange{size - std::min(*b, size), size - 1};
  }
  if (!a || *a >= size) return std::nullopt;
  std::size_t last = b ? std::min(*b, size - 1) : size - 1;
  if (b && *b < *a) return std::nullopt;
  return ByteRange{*a, last};
}

std::string peer_text(const tcp::endpoint& ep) {
  return ep.address().is_v6() ? fmt::format("[{}]:{}", ep.address().to_string(), ep.port())
                              : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    boost::system::error_code ec;
    peer_ = peer_text(stream_.socket().remote_endpoint(ec));
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  ~Session() { --shared_->stats->active; }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(1024);  // GET and HEAD carry no body
    stream_.expires_after(shared_->cfg.io_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted) {
        return self->close();
      }
      if (ec) {
        ++self->shared_->stats->bad;
        self->shared_->log->debug("http {}: {}", self->peer_, ec.message());
        return self->send_status(http::status::bad_request, false, "malformed request\n");
      }
      self->handle(self->parser_->release());
    });
  }

  void send_status(http::status status, bool keep_alive, std::string text) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::server, "cucm-emu");
    res->set(http::field::content_type, "text/plain");
    res->set(http::field::cache_control, "no-store");
    res->keep_alive(keep_alive);
    res->body() = std::move(text);
    res->prepare_payload();
    write(res, keep_alive);
  }

  template <class Response>
  void write(std::shared_ptr<Response> res, bool keep_alive) {
    stream_.expires_after(shared_->cfg.io_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t n) {
      self->shared_->stats->bytes += n;
      self->body_.reset();
      if (ec || !keep_alive) return self->close();
      self->read();
    });
  }

  void handle(http::request<http::empty_body> req) {
    ++shared_->stats->requests;
    bool keep = req.keep_alive();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      ++shared_->stats->bad;
      auto res = std::make_shared<http::response<http::string_body>>(http::status::method_not_allowed, req.version());
      res->set(http::field::allow, "GET, HEAD");
      res->keep_alive(keep);
      res->prepare_payload();
      return write(res, keep);
    }
    std::string_view target(req.target().data(), req.target().size());
    if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
    if (target.empty() || target.front() != '/' || !is_safe_name(target.substr(1))) {
      ++shared_->stats->bad;
      shared_->log->warn("http {}: refused unsafe path '{}'", peer_, std::string(req.target()));
      event("", "GET (unsafe path)", "refused: forbidden");
      return send_status(http::status::forbidden, keep, "forbidden\n");
    }
    std::string name(target.substr(1));
    auto file = shared_->catalog.fetch(name);
    if (!file) {
      bool missing = file.error().code == Errc::NotFound;
      ++(missing ? shared_->stats->not_found : shared_->stats->bad);
      event(catalog::classify(name).device, "GET " + name, (missing ? "not found: " : "error: ") + file.error().message);
      if (!missing) shared_->log->error("http {}: {}", peer_, file.error().message);
      return send_status(missing ? http::status::not_found : http::status::internal_server_error, keep,
                         missing ? "not found\n" : "server error\n");
    }
    ++shared_->stats->ok;
    respond(req, name, std::move(*file), keep);
  }

  void respond(const http::request<http::empty_body>& req, const std::string& name, catalog::CachedFile file, bool keep) {
    body_ = file.bytes;  // kept alive until the write completes
    std::size_t size = body_->size(), first = 0, count = size;
    auto status = http::status::ok;
    bool is_static = file.variant == catalog::Variant::Static;
    std::string content_range;
    if (is_static && req.find(http::field::range) != req.end()) {
      auto h = req[http::field::range];
      auto r = parse_range(std::string_view(h.data(), h.size()), size);
      if (!r) {
        auto res = std::make_shared<http::response<http::empty_body>>(http::status::range_not_satisfiable, req.version());
        res->set(http::field::content_range, fmt::format("bytes */{}", size));
        res->keep_alive(keep);
        res->prepare_payload();
        return write(res, keep);
      }
      first = r->first;
      count = r->last - r->first + 1;
      status = http::status::partial_content;
      content_range = fmt::format("bytes {}-{}/{}", r->first, r->last, size);
    }
    auto res = std::make_shared<http::response<http::span_body<const char>>>(status, req.version());
    res->set(http::field::server, "cucm-emu");
    res->set(http::field::content_type, "*/*");  // as CUCM answers phones (seed 004)
    res->set(http::field::cache_control, "no-store");
    if (is_static) res->set(http::field::accept_ranges, "bytes");
    if (!content_range.empty()) res->set(http::field::content_range, content_range);
    res->keep_alive(keep);
    const char* base = reinterpret_cast<const char*>(body_->data());  // NOLINT: bytes as chars for Beast
    res->body() = beast::span<const char>(base + first, count);
    res->prepare_payload();
    if (req.method() == http::verb::head) {
      res->body() = beast::span<const char>();
      res->content_length(count);
    }
    event(file.device, fmt::format("GET {} variant={} bytes={}", name, catalog::variant_name(file.variant), count), "ok");
    write(res, keep);
  }

  void event(const std::string& device, std::string what, std::string result) {
    if (!shared_->events) return;
    db::Event e;
    e.source = peer_;
    e.service = "http";
    e.device = device;
    e.what = std::move(what);
    e.result = std::move(result);
    shared_->events->post(std::move(e));
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{16 * 1024};
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::shared_ptr<HttpServer::Shared> shared_;
  std::shared_ptr<const Bytes> body_;
  std::string peer_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpConfig cfg, catalog::CachedCatalog& catalog, db::EventWriter* events)
    : io_(io), cfg_(std::move(cfg)), acceptor_(asio::make_strand(io)), stats_(std::make_shared<HttpStats>()) {
  shared_ = std::make_shared<Shared>(Shared{catalog, events, stats_, log::get("http"), cfg_});
}

// Call stop() and let the io_context finish before destroying a server: handlers capture it.
HttpServer::~HttpServer() = default;

Status HttpServer::start() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg_.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("http: bad listen address '{}'", cfg_.address));
  tcp::endpoint ep(addr, cfg_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && addr.is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(cfg_.backlog, ec);
  if (ec) {
    std::string hint = ec == boost::system::errc::permission_denied
                           ? ": ports below 1024 need root or CAP_NET_BIND_SERVICE, or choose another with --http-port"
                           : ec == boost::system::errc::address_in_use ? ": the port is in use (--http-port)" : "";
    return make_error(ec == boost::system::errc::permission_denied ? Errc::PermissionDenied : Errc::Unavailable,
                      fmt::format("http: cannot listen on TCP {}:{}: {}{}", cfg_.address, cfg_.port, ec.message(), hint));
  }
  accept();
  return Ok{};
}

void HttpServer::stop() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
}

tcp::endpoint HttpServer::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpServer::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (stats_->active >= cfg_.max_connections) {
        ++stats_->refused;
        socket.close(ec);  // over the cap: closed at once, never queued
      } else {
        ++stats_->active;
        std::make_shared<Session>(std::move(socket), shared_)->run();
      }
    }
    if (acceptor_.is_open()) accept();
  });
}

}  // namespace cucm::tftp

// An admin site connection.
#include "web/connection.hpp"

#include <deque>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "admin/views.hpp"
#include "web/assets.hpp"
#include "web/request_parse.hpp"
#include "web/server_state.hpp"

namespace cucm::web {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

// A request's line and headers: a browser's are 1-3 KiB with cookies.
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

// The pages load only what this process serves: no inline script, no other origin.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

using Stream = beast::basic_stream<tcp, core::TcpListener::Executor, beast::unlimited_rate_policy>;
using TlsStream = asio::ssl::stream<Stream>;
using Parser = bhttp::request_parser<bhttp::string_body>;
using HttpResponse = bhttp::response<bhttp::string_body>;

std::string sse_text(const std::vector<db::Event>& events) {
  std::string out;
  for (const auto& e : events) {
    out += fmt::format("id: {}\nevent: event\ndata: {}\n\n", e.id,
                       admin::event_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return out;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<WebServer::State> state, core::TcpListener::Socket&& socket, const tcp::endpoint& peer,
             core::AddressSlots::Lease lease)
      : state_(std::move(state)),
        stream_(Stream(std::move(socket)), *state_->tls),
        peer_(peer.address().to_string()),
        lease_(std::move(lease)),
        keepalive_(stream_.get_executor()) {}  // counted by the accept (server.cpp)
  ~Connection() {
    --state_->connections;
    if (subscription_ && state_->hub) state_->hub->unsubscribe(*subscription_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() {
    beast::get_lowest_layer(stream_).expires_after(state_->cfg.io_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->state_->log->debug("admin site: TLS handshake with {} failed: {}", self->peer_, ec.message());
        return self->close();
      }
      self->read_head(self->state_->cfg.io_timeout);
    });
  }

 private:
  void read_head(std::chrono::milliseconds deadline) {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // Beast checks a Content-Length against the body limit as it reads the head: the largest
    // any route takes; the route's own is set once the head is read (on_head).
    parser_->body_limit(kMaxCsvBody);
    beast::get_lowest_layer(stream_).expires_after(deadline);
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_head(ec);
    });
  }

  static bool peer_gone(beast::error_code ec) {
    return ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
           ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
  }

  void on_head(beast::error_code ec) {
    if (peer_gone(ec)) return close();
    if (ec == bhttp::error::body_limit) return refuse(413, fmt::format("the request body is over {} bytes", kMaxCsvBody));
    if (ec == bhttp::error::header_limit) return refuse(431, "the request's headers are over 16 KiB");
    if (ec) return refuse(400, "malformed request: " + ec.message());
    auto& head = parser_->get();
    std::string method(head.method_string());
    std::string target(head.target());
    std::string path = target.substr(0, target.find('?'));
    std::uint64_t limit = body_limit(method, path);
    // Only a client that sends credentials may send a CSV import's 16 MiB; any other gets the JSON
    // bodies' 1 MiB, so anonymous connections cannot hold 16 MiB each before they are refused.
    const bool capped = limit > kMaxBody && head[bhttp::field::cookie].empty() && head[bhttp::field::authorization].empty();
    if (capped) limit = kMaxBody;
    body_limit_ = limit;
    if (auto len = parser_->content_length(); len && *len > limit) {
      return refuse(413, limit == 0 ? fmt::format("{} takes no request body", method) : too_large(capped));
    }
    parser_->body_limit(limit);
    if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
      continue_.emplace(bhttp::status::continue_, head.version());
      bhttp::async_write(stream_, *continue_, [self = shared_from_this()](beast::error_code wec, std::size_t) {
        self->continue_.reset();
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  std::string too_large(bool capped) const {
    return fmt::format("the request body is over {} bytes{}", body_limit_,
                       capped ? " (log in first: only an authenticated client may send more)" : "");
  }

  void read_body() {
    beast::get_lowest_layer(stream_).expires_after(state_->cfg.io_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (self->peer_gone(ec)) return self->close();
      if (ec == bhttp::error::body_limit) return self->refuse(413, self->too_large(false));
      if (ec) return self->refuse(400, "malformed request: " + ec.message());
      self->handle(self->parser_->release());
    });
  }

  void handle(bhttp::request<bhttp::string_body> req) {
    keep_alive_ = req.keep_alive();
    auto target = parse_target(std::string_view(req.target().data(), req.target().size()));
    if (!target) return answer(error_response(400, target.error().message), req.method() == bhttp::verb::head);
    bool head = req.method() == bhttp::verb::head;
    if (target->path == "/" || target->path.starts_with("/assets/")) return answer(asset(req, target->path), head);
    Request r;
    r.method = head ? "GET" : std::string(req.method_string());
    r.path = std::move(target->path);
    r.query = std::move(target->query);
    r.cookie = std::string(req[bhttp::field::cookie]);
    r.authorization = std::string(req[bhttp::field::authorization]);
    r.csrf = std::string(req["X-CSRF-Token"]);
    r.content_type = std::string(req[bhttp::field::content_type]);
    r.last_event_id = std::string(req["Last-Event-ID"]);
    r.body = std::move(req.body());
    r.peer = peer_;
    Api& api = *state_->apis.at(&static_cast<asio::io_context&>(stream_.get_executor().context()));
    Response res = api.handle(r);
    if (res.stream) return start_stream(*res.stream);
    answer(std::move(res), head);
  }

  Response asset(const bhttp::request<bhttp::string_body>& req, const std::string& path) {
    if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
      return error_response(405, "pages are read with GET");
    }
    const Asset* a = find_asset(path);
    if (!a) return error_response(404, fmt::format("no such page: {}", path.substr(0, 200)));
    Response res;
    res.content_type = std::string(a->content_type);
    res.body = std::string(a->body);
    return res;
  }

  void refuse(int status, std::string message) {
    keep_alive_ = false;
    answer(error_response(status, std::move(message)), false);
  }

  void answer(Response res, bool head) {
    if (res.status >= 500) ++state_->stats.server_errors;
    else if (res.status >= 400) ++state_->stats.client_errors;
    else ++state_->stats.ok;
    HttpResponse out{static_cast<bhttp::status>(res.status), 11};
    if (res.status != 204) out.set(bhttp::field::content_type, res.content_type);
    out.set(bhttp::field::cache_control, "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    out.set("X-Frame-Options", "DENY");
    out.set("Referrer-Policy", "no-referrer");
    out.set("Content-Security-Policy", kContentSecurityPolicy);
    for (auto& [k, v] : res.headers) out.insert(k, v);
    out.keep_alive(keep_alive_);
    out.body() = std::move(res.body);
    out.prepare_payload();
    if (head) out.body().clear();  // the length stays that of the body a GET would get
    res_.emplace(std::move(out));
    beast::get_lowest_layer(stream_).expires_after(state_->cfg.io_timeout);
    bhttp::async_write(stream_, *res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->res_.reset();
      if (ec) return self->close();
      if (!self->keep_alive_) return self->shutdown();
      self->read_head(self->state_->cfg.idle_timeout);
    });
  }

  // The event stream: the head, then each event as it comes, and a comment when there is none
  // for a while (proxies and browsers keep the connection, and a dead peer shows on the write).
  void start_stream(const StreamRequest& s) {
    std::weak_ptr<Connection> weak = weak_from_this();
    auto executor = stream_.get_executor();
    // The hub limits the streams (max_subscribers: a 503 past it). It calls this on its thread
    // under its lock: the events are formatted on the connection's own loop instead.
    auto id = state_->hub->subscribe(s.device, s.after, [weak, executor](const std::vector<db::Event>& events) {
      if (weak.expired()) return false;
      asio::post(executor, [weak, events] {
        if (auto self = weak.lock()) self->queue(sse_text(events));
      });
      return true;
    });
    if (!id) {
      keep_alive_ = false;
      return answer(error_response(id.error()), false);
    }
    ++state_->stats.streams;
    subscription_ = *id;
    queue(std::string("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
                      "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n: stream of ") +
          (s.device.empty() ? "every device" : s.device) + "\n\n");
    arm_keepalive();
  }

  void queue(std::string text) {
    if (closed_) return;
    queued_bytes_ += text.size();
    if (queued_bytes_ > state_->cfg.stream_buffer) {
      state_->log->info("admin site: event stream to {} closed: it reads slower than events come", peer_);
      return close();
    }
    out_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void write_next() {
    if (out_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    beast::get_lowest_layer(stream_).expires_after(state_->cfg.io_timeout);
    asio::async_write(stream_, asio::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->queued_bytes_ -= self->out_.front().size();
      self->out_.pop_front();
      self->write_next();
    });
  }

  void arm_keepalive() {
    keepalive_.expires_after(state_->cfg.stream_keepalive);
    // The timer's wait holds the connection: between events, nothing else does.
    keepalive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      if (self->out_.empty()) self->queue(": keepalive\n\n");
      self->arm_keepalive();
    });
  }

  // The answer went out and no more is asked for: close_notify, then close.
  void shutdown() {
    beast::get_lowest_layer(stream_).expires_after(state_->cfg.io_timeout);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    keepalive_.cancel();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

  std::shared_ptr<WebServer::State> state_;
  TlsStream stream_;
  std::string peer_;
  core::AddressSlots::Lease lease_;
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::optional<HttpResponse> res_;  // alive until its write completes
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  bool keep_alive_ = true;
  std::uint64_t body_limit_ = 0;  // this request's, for the 413's words
  // The event stream's.
  std::optional<std::uint64_t> subscription_;
  std::deque<std::string> out_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false, closed_ = false;
  asio::steady_timer keepalive_;
};

}  // namespace

void start_connection(std::shared_ptr<WebServer::State> state, core::TcpListener::Socket&& socket,
                      const tcp::endpoint& peer, core::AddressSlots::Lease lease) {
  std::make_shared<Connection>(std::move(state), std::move(socket), peer, std::move(lease))->start();
}

}  // namespace cucm::web

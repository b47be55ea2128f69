// HTTP sessions: one per connection on the loop that accepted it, a deadline on every read and write.
#include "http/http_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "catalog/request_name.hpp"
#include "http/http_response.hpp"

namespace cucm::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;
using core::DeadlineSweep;
using core::Watched;
using Clock = std::chrono::steady_clock;

namespace {

std::string peer_text(const tcp::endpoint& ep) {
  return ep.address().is_v6() ? fmt::format("[{}]:{}", ep.address().to_string(), ep.port())
                              : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

// One connection. Beast parses the requests; responses are rendered by render_head and leave as
// one gathered write (head + bytes in memory) or as the head followed by sendfile (static files).
// Deadlines: every read and write moves `deadline` forward, and the loop's DeadlineSweep closes
// the socket once it has passed.
class Session final : public std::enable_shared_from_this<Session>, public Watched {
 public:
  // TCP_NODELAY comes from the listening socket (Linux copies it into accepted sockets), and the
  // peer from accept itself: two system calls fewer per connection.
  Session(Socket&& socket, const tcp::endpoint& peer, std::shared_ptr<HttpServer::Shared> shared,
          core::AddressSlots::Lease slot)
      : socket_(std::move(socket)),
        shared_(std::move(shared)),
        slot_(std::move(slot)),
        sweep_(shared_->sweeps.of(socket_.get_executor().context())),
        peer_(peer_text(peer)) {
    boost::system::error_code ec;
    socket_.native_non_blocking(true, ec);  // sendfile and send below must never block the thread
  }

  // Called on the loop that accepted the connection, the only thread its handlers run on.
  void run() {
    touch();
    sweep_->add(*this);
    sweep_->start();
    read();
  }

  ~Session() {
    sweep_->remove(*this);
    --shared_->stats->active;
  }

  void expire() override {
    if (!socket_.is_open()) return;
    shared_->log->debug("http {}: no progress for {} ms, closing", peer_, shared_->cfg.io_timeout.count());
    boost::system::error_code ignored;
    socket_.close(ignored);  // the pending read or write ends with operation_aborted
  }

 private:
  void touch() { deadline = Clock::now() + shared_->cfg.io_timeout; }

  void read() {
    head_only_ = false;
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(1024);  // GET and HEAD carry no body
    touch();
    bhttp::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
          ec == asio::error::connection_reset || !self->socket_.is_open()) {
        return self->close();
      }
      if (ec) {
        ++self->shared_->stats->bad;
        self->shared_->log->debug("http {}: {}", self->peer_, ec.message());
        ResponseHead head;
        head.status = 400;
        head.keep_alive = false;
        return self->send_text(head, "malformed request\n");
      }
      self->handle(self->parser_->get());
    });
  }

  void handle(const bhttp::request<bhttp::empty_body>& req) {
    ++shared_->stats->requests;
    ResponseHead head;
    head.version = req.version() == 10 ? 10u : 11u;
    head.keep_alive = req.keep_alive();
    head_only_ = req.method() == bhttp::verb::head;
    if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
      ++shared_->stats->bad;
      head.status = 405;
      head.allow = "GET, HEAD";
      return send_text(head, "");
    }
    std::string_view target(req.target().data(), req.target().size());
    if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
    if (target.empty() || target.front() != '/' || !catalog::is_safe_name(target.substr(1))) {
      ++shared_->stats->bad;
      if (auto a = shared_->refusal_lines->admit(core::peer_address(peer_), std::chrono::system_clock::now()); a.pass) {
        shared_->log->warn("http {}: refused unsafe path '{}'{}", peer_,
                           core::log_excerpt(std::string_view(req.target().data(), req.target().size())),
                           core::suppressed_note(a.suppressed));
      }
      event("", "GET (unsafe path)", "refused: forbidden");
      head.status = 403;
      return send_text(head, "forbidden\n");
    }
    std::string name(target.substr(1));
    auto range_header = req.find(bhttp::field::range);
    std::optional<std::string_view> range;
    if (range_header != req.end()) range = std::string_view(range_header->value().data(), range_header->value().size());
    auto kind = catalog::classify(name);
    if (kind.kind == catalog::FileKind::Other) return respond_static(head, name, range);
    if (auto hit = shared_->catalog.lookup(name)) return send_cached(head, name, std::move(*hit));
    build_then_send(head, std::move(name), std::move(kind.device));
  }

  // Not in memory for the current version: a worker builds it (a query, a signature) while this
  // loop goes on serving other connections; the answer comes back to this connection's loop.
  void build_then_send(ResponseHead head, std::string name, std::string device) {
    touch();
    auto self = shared_from_this();
    shared_->catalog.fetch_async(name, [self, head, name, device](Result<catalog::CachedFile> file) {
      asio::post(self->socket_.get_executor(), [self, head, name, device, file = std::move(file)]() mutable {
        if (!self->socket_.is_open()) return;  // the deadline passed meanwhile
        if (!file) return self->not_served(head, name, device, file.error());
        self->send_cached(head, name, std::move(*file));
      });
    });
  }

  // A file the catalog holds in memory (built for a device, or a small static file): the head
  // and the bytes in one gathered write.
  void send_cached(ResponseHead head, const std::string& name, catalog::CachedFile file) {
    ++shared_->stats->ok;
    body_ = std::move(file.bytes);  // kept alive until the write completes
    head.content_type = "*/*";      // as CUCM answers phones (seed 004)
    head.content_length = body_->size();
    event(file.device, fmt::format("GET {} variant={} bytes={}", name, catalog::variant_name(file.variant), body_->size()),
          "ok");
    const char* base = reinterpret_cast<const char*>(body_->data());  // NOLINT: bytes as chars for Asio
    send(head, std::string_view(base, body_->size()));
  }

  // Static files (firmware loads, ring lists): small whole ones from memory, the rest streamed from
  // the file with sendfile, so their size is not bounded by memory and the bytes are not copied
  // through this process.
  void respond_static(ResponseHead head, const std::string& name, std::optional<std::string_view> range) {
    auto opened = shared_->catalog.open_static(name);
    if (!opened) return not_served(head, name, "", opened.error());
    std::uint64_t size = opened->size, first = 0, count = size;
    head.accept_ranges = true;
    if (!range && size <= kFromMemoryMax) {
      // Small and whole: from the catalog's memory cache (TFTP keeps it warm) in one gathered
      // write, two system calls fewer than a head, a sendfile and, on a last response, a cork.
      // Not in memory: sent from the file this time, since reading it here would block the loop,
      // while a worker reads it into memory for the next request.
      auto cached = shared_->catalog.lookup(name);
      if (cached && cached->variant == catalog::Variant::Static) return send_cached(head, name, std::move(*cached));
      if (!cached) shared_->catalog.fetch_async(name, [](const Result<catalog::CachedFile>&) {});
    }
    std::string content_range;
    if (range) {
      auto r = parse_range(*range, size);
      if (!r) {
        ++shared_->stats->ok;
        content_range = fmt::format("bytes */{}", size);
        head.status = 416;
        head.content_range = content_range;
        return send_text(head, "");
      }
      first = r->first;
      count = r->last - r->first + 1;
      head.status = 206;
      content_range = fmt::format("bytes {}-{}/{}", r->first, r->last, size);
      head.content_range = content_range;
    }
    ++shared_->stats->ok;
    head.content_type = "*/*";
    head.content_length = count;
    event("", fmt::format("GET {} variant={} bytes={}", name, catalog::variant_name(catalog::Variant::Static), count),
          "ok");
    file_ = std::move(opened->handle);
    file_offset_ = static_cast<off_t>(first);
    file_left_ = head_only_ ? 0 : count;
    out_.clear();
    render_head(head, out_);
    keep_alive_ = head.keep_alive;
    if (!keep_alive_) cork();
    head_sent_ = 0;
    send_file();
  }

  void not_served(ResponseHead head, const std::string& name, const std::string& device, const Error& err) {
    bool missing = err.code == Errc::NotFound;
    ++(missing ? shared_->stats->not_found : shared_->stats->bad);
    event(device, "GET " + name, (missing ? "not found: " : "error: ") + err.message);
    if (!missing) shared_->log->error("http {}: {}", peer_, err.message);
    head.status = missing ? 404 : 500;
    send_text(head, missing ? "not found\n" : "server error\n");
  }

  void send_text(ResponseHead head, std::string_view text) {
    head.content_type = "text/plain";
    text_ = text;
    send(head, text_);
  }

  // The head and an in-memory body in one gathered write. `body` must outlive the write (it
  // points into body_ or text_).
  void send(const ResponseHead& head, std::string_view body) {
    out_.clear();
    render_head(head, out_);
    keep_alive_ = head.keep_alive;
    if (head_only_) body = {};
    touch();
    std::array<asio::const_buffer, 2> buffers{asio::buffer(out_), asio::buffer(body.data(), body.size())};
    if (!keep_alive_) {
      std::size_t sent = 0;
      if (send_last_at_once(buffers, sent)) return;
      // The socket took only part of it: hold the rest back until the close, as below.
      cork();
      for (auto& b : buffers) {
        std::size_t skip = std::min(sent, b.size());
        b += skip;
        sent -= skip;
      }
    }
    asio::async_write(socket_, buffers, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      self->shared_->stats->bytes += n;
      self->written(ec);
    });
  }

  // A connection's last response, tried in one non-blocking sendmsg with MSG_MORE: the kernel
  // keeps the last partial segment back, and the close that follows at once sends it with the
  // FIN on it (what TCP_CORK does, without the setsockopt and without a trip through the loop).
  // True when it is done with (all sent, or the connection failed); otherwise `sent` says how
  // much went.
  bool send_last_at_once(const std::array<asio::const_buffer, 2>& buffers, std::size_t& sent) {
    std::array<iovec, 2> iov{};
    std::size_t total = 0;
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      iov[i].iov_base = const_cast<void*>(buffers[i].data());  // sendmsg does not write through it
      iov[i].iov_len = buffers[i].size();
      total += buffers[i].size();
    }
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = iov.size();
    ssize_t n = 0;
    do {
      n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL | MSG_MORE);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      written(boost::system::error_code(errno, boost::system::system_category()));
      return true;
    }
    sent = n > 0 ? static_cast<std::size_t>(n) : 0;
    shared_->stats->bytes += sent;
    if (sent < total) return false;
    written({});
    return true;
  }

  // The head, then the file from file_offset_: non-blocking send and sendfile until done, and an
  // async wait for writability whenever the socket buffer is full.
  void send_file() {
    int sock = socket_.native_handle();
    while (head_sent_ < out_.size()) {
      int more = file_left_ > 0 ? MSG_MORE : 0;  // the head and the first bytes in one segment
      ssize_t n = ::send(sock, out_.data() + head_sent_, out_.size() - head_sent_, MSG_NOSIGNAL | more);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
      if (n < 0) return written(boost::system::error_code(errno, boost::system::system_category()));
      head_sent_ += static_cast<std::size_t>(n);
      shared_->stats->bytes += static_cast<std::uint64_t>(n);
      touch();
    }
    while (file_left_ > 0) {
      std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(file_left_, kSendfileChunk));
      ssize_t n = ::sendfile(sock, file_->get(), &file_offset_, chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
      if (n < 0) return written(boost::system::error_code(errno, boost::system::system_category()));
      if (n == 0) {  // the file shrank under us: the promised length cannot be sent
        shared_->log->warn("http {}: static file shrank while being sent; closing", peer_);
        return written(asio::error::eof);
      }
      file_left_ -= static_cast<std::uint64_t>(n);
      shared_->stats->bytes += static_cast<std::uint64_t>(n);
      touch();
    }
    written({});
  }

  void wait_writable() {
    socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->written(ec);
      self->send_file();
    });
  }

  void written(boost::system::error_code ec) {
    body_.reset();
    file_.reset();
    if (ec) return close();
    if (!keep_alive_) return buffer_.size() == 0 ? close_now() : close();
    read();
  }

  void event(const std::string& device, std::string what, std::string result) {
    if (shared_->events) shared_->events->post("http", peer_, device, std::move(what), std::move(result));
  }

  // Sends FIN after what was written; the descriptor is closed when the last handler lets go of
  // the session.
  void close() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }

  // The response went out and the client asked for nothing more (Connection: close, nothing read
  // past the request): close() alone queues the FIN after the data, one system call fewer than
  // shutdown then close, which is most of a short connection's cost.
  void close_now() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

  // The last response of a connection: hold back partial segments until the close, so the FIN
  // rides on the last data segment (as nginx's tcp_nopush does). Without it a 10 KB response to
  // `Connection: close` went out as data, then a FIN of its own: one more packet through both
  // TCP stacks and often one more wake-up of the client, for one setsockopt here.
  void cork() {
    int on = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_CORK, &on, sizeof on);  // best effort
  }

  static constexpr std::size_t kSendfileChunk = 1u << 20;  // bytes per sendfile call
  // Whole static files up to this size are sent from memory; above it sendfile's zero copy wins.
  static constexpr std::uint64_t kFromMemoryMax = 64 * 1024;

  Socket socket_;
  std::shared_ptr<HttpServer::Shared> shared_;
  core::AddressSlots::Lease slot_;
  std::shared_ptr<DeadlineSweep> sweep_;
  beast::flat_buffer buffer_{16 * 1024};
  std::optional<bhttp::request_parser<bhttp::empty_body>> parser_;
  std::string peer_;
  std::string out_;  // the rendered head
  std::string text_;  // a short text body (errors)
  std::shared_ptr<const Bytes> body_;
  std::shared_ptr<const FileHandle> file_;  // shared with other sends of the same file
  off_t file_offset_ = 0;
  std::uint64_t file_left_ = 0;
  std::size_t head_sent_ = 0;
  bool keep_alive_ = true;
  bool head_only_ = false;
};

}  // namespace

void start_session(Socket&& socket, const tcp::endpoint& peer, std::shared_ptr<HttpServer::Shared> shared,
                   core::AddressSlots::Lease slot) {
  std::make_shared<Session>(std::move(socket), peer, std::move(shared), std::move(slot))->run();
}

}  // namespace cucm::http

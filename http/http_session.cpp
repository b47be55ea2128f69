// HTTP sessions on TCP 6970: one per connection on the loop that accepted it, the head and body
// in one gathered write, static files with sendfile, a deadline on every read and write.
#include "http/http_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include "http/session.hpp"

namespace cucm::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

// One plain TCP connection. Responses leave as one gathered write (head + bytes in memory) or as
// the head followed by sendfile (static files); the last one of a connection is corked so that
// the FIN rides on its last segment.
class PlainSession final : public Session {
 public:
  // TCP_NODELAY comes from the listening socket (Linux copies it into accepted sockets), and the
  // peer from accept itself: two system calls fewer per connection.
  PlainSession(Socket&& socket, const tcp::endpoint& peer, std::shared_ptr<HttpServer::Shared> shared,
               core::AddressSlots::Lease slot)
      : Session(shared, std::move(slot), shared->sweeps.of(socket.get_executor().context()), peer_text(peer)),
        socket_(std::move(socket)) {
    boost::system::error_code ec;
    socket_.native_non_blocking(true, ec);  // sendfile and send below must never block the thread
  }

  // Called on the loop that accepted the connection, the only thread its handlers run on.
  void run() {
    start_reading();
    read();
  }

  void expire() override {
    if (!socket_.is_open()) return;
    shared_->log->debug("http {}: no progress for {} ms, closing", peer_, shared_->cfg.io_timeout.count());
    boost::system::error_code ignored;
    socket_.close(ignored);  // the pending read or write ends with operation_aborted
  }

 private:
  std::shared_ptr<PlainSession> self() { return std::static_pointer_cast<PlainSession>(shared_from_this()); }

  void async_read_request() override {
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = self()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  bool is_open() const override { return socket_.is_open(); }
  asio::any_io_executor executor() override { return socket_.get_executor(); }

  // Readable with nothing to read is the peer's FIN (or a reset); a pipelined request is data,
  // left for the read that follows the answer.
  void on_hangup(std::function<void()> gone) override {
    socket_.async_wait(tcp::socket::wait_read, [self = self(), gone = std::move(gone)](boost::system::error_code ec) {
      if (ec || !self->socket_.is_open()) return;
      char byte = 0;
      boost::system::error_code peek;
      std::size_t n = self->socket_.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, peek);
      if (peek != asio::error::would_block && (peek || n == 0)) gone();
    });
  }

  void write_response(std::string_view body) override {
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
    asio::async_write(socket_, buffers, [self = self()](boost::system::error_code ec, std::size_t n) {
      self->count_sent(n);
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
    count_sent(sent);
    if (sent < total) return false;
    written({});
    return true;
  }

  void write_file() override {
    if (!keep_alive_) cork();
    head_sent_ = 0;
    send_file();
  }

  // The head, then the file from file_offset_: non-blocking send and sendfile until done, and an
  // async wait for writability whenever the socket buffer is full. sendfile, so the bytes are
  // not copied through this process.
  void send_file() {
    int sock = socket_.native_handle();
    while (head_sent_ < out_.size()) {
      int more = file_left_ > 0 ? MSG_MORE : 0;  // the head and the first bytes in one segment
      ssize_t n = ::send(sock, out_.data() + head_sent_, out_.size() - head_sent_, MSG_NOSIGNAL | more);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
      if (n < 0) return written(boost::system::error_code(errno, boost::system::system_category()));
      head_sent_ += static_cast<std::size_t>(n);
      count_sent(static_cast<std::uint64_t>(n));
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
      count_sent(static_cast<std::uint64_t>(n));
      touch();
    }
    written({});
  }

  void wait_writable() {
    socket_.async_wait(tcp::socket::wait_write, [self = self()](boost::system::error_code ec) {
      if (ec) return self->written(ec);
      self->send_file();
    });
  }

  // The response went out and the client asked for nothing more (Connection: close, nothing read
  // past the request): close() alone queues the FIN after the data, one system call fewer than
  // shutdown then close, which is most of a short connection's cost.
  void finish() override {
    boost::system::error_code ec;
    if (buffer_.size() != 0) return close();
    socket_.close(ec);
  }

  // Sends FIN after what was written; the descriptor is closed when the last handler lets go of
  // the session.
  void close() override {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
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

  Socket socket_;
  std::size_t head_sent_ = 0;
};

}  // namespace

void start_session(Socket&& socket, const tcp::endpoint& peer, std::shared_ptr<HttpServer::Shared> shared,
                   core::AddressSlots::Lease slot) {
  std::make_shared<PlainSession>(std::move(socket), peer, std::move(shared), std::move(slot))->run();
}

}  // namespace cucm::http

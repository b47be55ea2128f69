// One HTTP connection's requests and answers, whatever carries them: HTTP on 6970 (plain TCP,
// sendmsg and sendfile) and HTTPS on 6971 (TLS) share this and differ only in how bytes move.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "core/address_slots.hpp"
#include "core/deadline_sweep.hpp"
#include "http/http_response.hpp"
#include "http/http_session.hpp"

namespace cucm::http {

// The request side (parse, route to the catalog, the event log, the answer's head) with the
// transport left to the subclass. One thread per loop runs every handler: no strand. Deadlines:
// every read and write moves `deadline` forward, and the loop's DeadlineSweep calls expire()
// once it has passed.
class Session : public std::enable_shared_from_this<Session>, public core::Watched {
 public:
  Session(std::shared_ptr<HttpServer::Shared> shared, core::AddressSlots::Lease slot,
          std::shared_ptr<core::DeadlineSweep> sweep, std::string peer);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 protected:
  // --- the transport ---
  // Reads one request into parser_ (through buffer_), then calls on_read.
  virtual void async_read_request() = 0;
  // Writes out_ (the rendered head) and `body`, then calls written. `body` outlives the write.
  virtual void write_response(std::string_view body) = 0;
  // Writes out_, then file_left_ bytes of file_ from file_offset_, then calls written.
  virtual void write_file() = 0;
  // The last response of a connection is written: end it (FIN, or TLS close_notify).
  virtual void finish() = 0;
  // An error or the peer's end: let the connection go.
  virtual void close() = 0;
  virtual bool is_open() const = 0;
  virtual boost::asio::any_io_executor executor() = 0;
  // Calls `gone` if the peer ends the connection while the session holds an answer back (http-slow:
  // a phone that gave up must not get an answer, nor leave an event, long after). Plain TCP only:
  // faults never act on HTTPS, whose sessions do nothing here.
  virtual void on_hangup(std::function<void()> gone) { (void)gone; }

  // --- the requests ---
  void start_reading();  // on the loop that accepted the connection
  void read();
  void on_read(boost::beast::error_code ec);
  void written(boost::system::error_code ec);
  void touch() { deadline = std::chrono::steady_clock::now() + shared_->cfg.io_timeout; }
  // Bytes of the answer being written went out: counted by its status class.
  void count_sent(std::uint64_t n) { (error_answer_ ? shared_->stats->bytes_error : shared_->stats->bytes_ok) += n; }

  std::shared_ptr<HttpServer::Shared> shared_;
  core::AddressSlots::Lease slot_;
  std::shared_ptr<core::DeadlineSweep> sweep_;
  std::string peer_;
  boost::beast::flat_buffer buffer_{16 * 1024};
  std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> parser_;
  std::string out_;  // the rendered head
  std::shared_ptr<const FileHandle> file_;  // shared with other sends of the same file
  off_t file_offset_ = 0;
  std::uint64_t file_left_ = 0;
  bool keep_alive_ = true;

 private:
  void handle(const boost::beast::http::request<boost::beast::http::empty_body>& req);
  // A device's file (trust list or config): from memory, or built by a worker.
  void serve_device_file(ResponseHead head, std::string name, std::string device);
  // --- armed HTTP faults (session_faults.cpp, issue 18) ---
  // True when a fault took this request over.
  bool inject_fault(const ResponseHead& head, const std::string& name, const std::string& device);
  void send_broken(ResponseHead head, const std::string& name, const std::string& fault, catalog::CachedFile file);
  void build_then_send(ResponseHead head, std::string name, std::string device);
  void send_cached(ResponseHead head, const std::string& name, catalog::CachedFile file);
  void respond_static(ResponseHead head, const std::string& name, std::optional<std::string_view> range);
  void not_served(ResponseHead head, const std::string& name, const std::string& device, const Error& err);
  void send_text(ResponseHead head, std::string_view text);
  void send(const ResponseHead& head, std::string_view body);
  void event(const std::string& device, std::string what, std::string result);

  // Whole static files up to this size are sent from memory; above it sendfile's zero copy wins.
  static constexpr std::uint64_t kFromMemoryMax = 64 * 1024;

  std::string text_;  // a short text body (errors)
  bool error_answer_ = false;  // the answer being written is 400 or above
  std::chrono::steady_clock::time_point request_read_{};  // of the request being answered; {}: none
  std::shared_ptr<const Bytes> body_;
  std::shared_ptr<boost::asio::steady_timer> fault_delay_;  // http-slow's wait
  bool head_only_ = false;
};

std::string peer_text(const boost::asio::ip::tcp::endpoint& ep);

}  // namespace cucm::http

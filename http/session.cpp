// The request side of an HTTP or HTTPS connection: what each request is answered with.
#include "http/session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <fmt/format.h>

#include "catalog/request_name.hpp"
#include "signer/sgn_file.hpp"

namespace cucm::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

std::string peer_text(const tcp::endpoint& ep) {
  return ep.address().is_v6() ? fmt::format("[{}]:{}", ep.address().to_string(), ep.port())
                              : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

namespace {

// What HTTPS answers unsigned to a `.sgn` request (PROTOCOLS §8.1): the files this cluster signs
// for a phone. An `.enc.sgn` keeps its header (the IV and the wrapped key are in it), and a
// static file is sent as it is: its signature is not ours to take off.
bool unsigned_over_https(const std::string& name, catalog::Variant v) {
  using catalog::Variant;
  return name.ends_with(".sgn") &&
         (v == Variant::FullConfigSigned || v == Variant::PartialConfigSigned || v == Variant::XmlDefaultSigned);
}

}  // namespace

Session::Session(std::shared_ptr<HttpServer::Shared> shared, core::AddressSlots::Lease slot,
                 std::shared_ptr<core::DeadlineSweep> sweep, std::string peer)
    : shared_(std::move(shared)), slot_(std::move(slot)), sweep_(std::move(sweep)), peer_(std::move(peer)) {}

Session::~Session() {
  sweep_->remove(*this);
  --shared_->stats->active;
}

void Session::start_reading() {
  touch();
  sweep_->add(*this);
  sweep_->start();
}

void Session::read() {
  head_only_ = false;
  parser_.emplace();
  parser_->header_limit(8 * 1024);
  parser_->body_limit(1024);  // GET and HEAD carry no body
  touch();
  async_read_request();
}

void Session::on_read(beast::error_code ec) {
  if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
      ec == asio::error::connection_reset || ec == asio::ssl::error::stream_truncated || !is_open()) {
    return close();
  }
  request_read_ = std::chrono::steady_clock::now();
  if (ec) {
    ++shared_->stats->bad;
    shared_->log->debug("{} {}: {}", shared_->service, peer_, ec.message());
    ResponseHead head;
    head.status = 400;
    head.keep_alive = false;
    return send_text(head, "malformed request\n");
  }
  handle(parser_->get());
}

void Session::handle(const bhttp::request<bhttp::empty_body>& req) {
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
      shared_->log->warn("{} {}: refused unsafe path '{}'{}", shared_->service, peer_,
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
  if (inject_fault(head, name, kind.device)) return;
  serve_device_file(head, std::move(name), std::move(kind.device));
}

void Session::serve_device_file(ResponseHead head, std::string name, std::string device) {
  if (auto hit = shared_->catalog.lookup(name)) return send_cached(head, name, std::move(*hit));
  build_then_send(head, std::move(name), std::move(device));
}

// Not in memory for the current version: a worker builds it (a query, a signature) while this
// loop goes on serving other connections; the answer comes back to this connection's loop.
void Session::build_then_send(ResponseHead head, std::string name, std::string device) {
  touch();
  auto self = shared_from_this();
  shared_->catalog.fetch_async(name, [self, head, name, device](Result<catalog::CachedFile> file) {
    asio::post(self->executor(), [self, head, name, device, file = std::move(file)]() mutable {
      if (!self->is_open()) return;  // the deadline passed meanwhile
      if (!file) return self->not_served(head, name, device, file.error());
      self->send_cached(head, name, std::move(*file));
    });
  });
}

// A file the catalog holds in memory (built for a device, or a small static file): the head
// and the bytes in one gathered write. Over HTTPS a signed config goes without its signature
// header: the same bytes the .sgn carries, from the same cache entry.
void Session::send_cached(ResponseHead head, const std::string& name, catalog::CachedFile file) {
  ByteView bytes(*file.bytes);
  std::string_view note;
  if (shared_->unsigned_sgn && unsigned_over_https(name, file.variant)) {
    auto parsed = signer::parse_sgn(bytes);
    if (!parsed) return not_served(head, name, file.device, parsed.error());  // a file of ours: a bug
    bytes = signer::sgn_payload(bytes, *parsed);
    note = " unsigned";
  }
  ++shared_->stats->ok;
  body_ = std::move(file.bytes);  // kept alive until the write completes
  head.content_type = "*/*";      // as CUCM answers phones (seed 004)
  head.content_length = bytes.size();
  event(file.device,
        fmt::format("GET {} variant={}{} bytes={}", name, catalog::variant_name(file.variant), note, bytes.size()),
        file.injected.empty() ? "ok" : "ok: injected " + file.injected);
  const char* base = reinterpret_cast<const char*>(bytes.data());  // NOLINT: bytes as chars for Asio
  send(head, std::string_view(base, bytes.size()));
}

// Static files (firmware loads, ring lists): small whole ones from memory, the rest streamed from
// the file, so their size is not bounded by memory.
void Session::respond_static(ResponseHead head, const std::string& name, std::optional<std::string_view> range) {
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
  error_answer_ = false;
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
  write_file();
}

void Session::not_served(ResponseHead head, const std::string& name, const std::string& device, const Error& err) {
  bool missing = err.code == Errc::NotFound;
  ++(missing ? shared_->stats->not_found : shared_->stats->bad);
  event(device, "GET " + name, (missing ? "not found: " : "error: ") + err.message);
  if (!missing) shared_->log->error("{} {}: {}", shared_->service, peer_, err.message);
  head.status = missing ? 404 : 500;
  send_text(head, missing ? "not found\n" : "server error\n");
}

void Session::send_text(ResponseHead head, std::string_view text) {
  head.content_type = "text/plain";
  text_ = text;
  send(head, text_);
}

// The head and an in-memory body. `body` must outlive the write (it points into body_ or text_).
void Session::send(const ResponseHead& head, std::string_view body) {
  out_.clear();
  render_head(head, out_);
  keep_alive_ = head.keep_alive;
  error_answer_ = head.status >= 400;
  if (head_only_) body = {};
  touch();
  write_response(body);
}

void Session::written(boost::system::error_code ec) {
  body_.reset();
  file_.reset();
  if (request_read_ != std::chrono::steady_clock::time_point{}) {
    shared_->stats->request_seconds.observe(std::chrono::steady_clock::now() - request_read_);
    request_read_ = {};
  }
  if (ec) return close();
  if (!keep_alive_) return finish();
  read();
}

void Session::event(const std::string& device, std::string what, std::string result) {
  if (shared_->events) shared_->events->post(shared_->service, peer_, device, std::move(what), std::move(result));
}

}  // namespace cucm::http

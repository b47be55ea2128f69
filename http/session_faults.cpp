// Armed HTTP faults (issue 18): an error status, a slow answer, a body cut short or a
// Content-Length that promises more than comes. Applied to a device's files on 6970 only; HTTPS
// 6971 and static files are never touched. Each application is one event marked "injected".
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "core/repeat_limiter.hpp"
#include "fault/board.hpp"
#include "http/session.hpp"

namespace cucm::http {
namespace asio = boost::asio;

bool Session::inject_fault(const ResponseHead& head, const std::string& name, const std::string& device) {
  fault::Board* board = shared_->catalog.faults();
  if (!board || shared_->tls || device.empty()) return false;
  board->seen_at(core::peer_address(peer_), device);  // for the CAPF handshake faults (fault/board.hpp)
  auto self = shared_from_this();
  // A body sent wrong needs a body: taken once the file is found, so a missing CTL uses none up.
  auto sends_wrong = [](const fault::FaultSpec& s) { return s.name == "http-truncated" || s.name == "http-wrong-length"; };
  if (board->armed(fault::Layer::Http, device, sends_wrong)) {
    touch();
    shared_->catalog.fetch_async(name, [self, head, name, device, board, sends_wrong](Result<catalog::CachedFile> file) {
      auto f = file ? board->take(fault::Layer::Http, device, sends_wrong) : std::nullopt;
      asio::post(self->executor(), [self, head, name, device, f, file = std::move(file)]() mutable {
        if (!self->is_open()) return;
        if (!file) return self->not_served(head, name, device, file.error());
        if (!f) return self->send_cached(head, name, std::move(*file));
        self->send_broken(head, name, std::string(f->spec->name), std::move(*file));
      });
    });
    return true;
  }
  auto f = board->take(fault::Layer::Http, device, [&](const fault::FaultSpec& s) { return !sends_wrong(s); });
  if (!f) return false;
  std::string fault(f->spec->name);
  ResponseHead h = head;
  if (fault == "http-status") {
    h.status = static_cast<unsigned>(f->param("code"));
    h.keep_alive = false;
    event(device, "GET " + name, fmt::format("status {}: injected {}", h.status, fault));
    send_text(h, "fault injected\n");
    return true;
  }
  // http-slow
  auto delay = std::chrono::milliseconds(f->param("ms"));
  event(device, "GET " + name, fmt::format("delayed {} ms: injected {}", delay.count(), fault));
  deadline = std::chrono::steady_clock::now() + delay + shared_->cfg.io_timeout;  // the sweep waits too
  fault_delay_ = std::make_shared<asio::steady_timer>(executor(), delay);
  fault_delay_->async_wait([self, h, name, device](boost::system::error_code ec) {
    if (ec || !self->is_open()) return;
    self->touch();
    self->serve_device_file(h, name, device);
  });
  on_hangup([self, name, device, delay] {
    if (!self->fault_delay_ || self->fault_delay_->cancel() == 0) return;  // answered already
    self->event(device, "GET " + name, fmt::format("the phone closed the connection before the answer delayed {} ms", delay.count()));
    self->close();
  });
  return true;
}

// The head promises the whole file (or 64 bytes more); the body is half of it (or all of it);
// then the connection ends, so that the phone sees a short body.
void Session::send_broken(ResponseHead head, const std::string& name, const std::string& fault,
                          catalog::CachedFile file) {
  const Bytes& bytes = *file.bytes;
  bool truncated = fault == "http-truncated";
  std::size_t sent = truncated ? bytes.size() / 2 : bytes.size();
  head.content_type = "*/*";
  head.content_length = truncated ? bytes.size() : bytes.size() + 64;
  head.keep_alive = false;
  ++shared_->stats->ok;
  event(file.device,
        fmt::format("GET {} variant={} bytes={} sent={}", name, catalog::variant_name(file.variant), head.content_length,
                    sent),
        "ok: injected " + fault);
  body_ = std::move(file.bytes);
  const char* base = reinterpret_cast<const char*>(body_->data());  // NOLINT: bytes as chars for Asio
  send(head, std::string_view(base, sent));
}

}  // namespace cucm::http

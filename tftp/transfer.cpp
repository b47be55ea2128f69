// Transfer state machine.
#include "tftp/transfer.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace cucm::tftp {
namespace {

std::optional<std::uint64_t> to_u64(const std::string& s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

TransferOptions negotiate(const Request& req, std::size_t file_size, const TransferLimits& limits) {
  TransferOptions o;
  o.timeout = limits.default_timeout;
  for (const auto& [name, value] : req.options) {
    auto v = to_u64(value);
    if (!v) continue;
    if (name == "blksize" && *v >= 8 && *v <= 65464) {
      o.blksize = std::min<std::size_t>(*v, limits.max_blksize);
      o.oack.emplace_back(name, std::to_string(o.blksize));
    } else if (name == "timeout" && *v >= 1 && *v <= 255) {
      o.timeout = std::chrono::seconds(*v);
      o.oack.emplace_back(name, value);
    } else if (name == "tsize" && *v == 0) {
      o.oack.emplace_back(name, std::to_string(file_size));
    } else if (name == "windowsize" && *v >= 1 && *v <= 65535) {
      o.windowsize = static_cast<std::uint16_t>(std::min<std::uint64_t>(*v, limits.max_windowsize));
      o.oack.emplace_back(name, std::to_string(o.windowsize));
    }
  }
  return o;
}

Bytes to_netascii(ByteView data) {
  Bytes out;
  out.reserve(data.size() + data.size() / 16);
  for (auto c : data) {
    if (c == '\n') { out.push_back('\r'); out.push_back('\n'); }
    else if (c == '\r') { out.push_back('\r'); out.push_back(0); }
    else out.push_back(c);
  }
  return out;
}

Transfer::Transfer(std::shared_ptr<const Bytes> data, TransferOptions opts, int max_retries)
    : data_(std::move(data)),
      opts_(std::move(opts)),
      max_retries_(max_retries),
      total_blocks_(data_->size() / opts_.blksize + 1),
      oack_pending_(!opts_.oack.empty()) {}

Bytes Transfer::data_packet(std::uint64_t block) const {
  std::size_t begin = static_cast<std::size_t>(block - 1) * opts_.blksize;
  std::size_t len = std::min(opts_.blksize, data_->size() - begin);
  // Block numbers wrap to 0 after 65535 (PROTOCOLS §8.2 [EMU]).
  return build_data(static_cast<std::uint16_t>(block & 0xffff), ByteView(*data_).subspan(begin, len));
}

void Transfer::send_window(Step& s, std::uint64_t from) {
  std::uint64_t last = std::min<std::uint64_t>(acked_ + opts_.windowsize, total_blocks_);
  for (std::uint64_t b = from; b <= last; ++b) {
    if (b <= highest_sent_) ++retransmitted_;
    s.send.push_back(data_packet(b));
  }
  highest_sent_ = std::max(highest_sent_, last);
}

Transfer::Step Transfer::start() {
  Step s;
  if (oack_pending_) {
    s.send.push_back(build_oack(opts_.oack));
    return s;
  }
  send_window(s, 1);
  return s;
}

Transfer::Step Transfer::on_ack(std::uint16_t block) {
  Step s;
  if (oack_pending_) {
    if (block != 0) return s;  // only ACK 0 acknowledges the OACK
    oack_pending_ = false;
    retries_ = 0;
    send_window(s, 1);
    return s;
  }
  // Map the 16-bit number onto the outstanding range (acked_, highest_sent_]. Anything else is a
  // duplicate or stale ACK and sends nothing: resending on it doubles traffic for good.
  std::uint64_t distance = (static_cast<std::uint64_t>(block) - (acked_ & 0xffff)) & 0xffff;
  if (distance == 0 || acked_ + distance > highest_sent_) return s;
  acked_ += distance;
  retries_ = 0;
  if (acked_ == total_blocks_) {
    s.done = true;
    return s;
  }
  // In a window, an ACK short of the last block sent reports a gap (RFC 7440): resume after it.
  send_window(s, acked_ < highest_sent_ ? acked_ + 1 : highest_sent_ + 1);
  return s;
}

Transfer::Step Transfer::on_timeout() {
  Step s;
  if (++retries_ > max_retries_) {
    s.failed = true;
    return s;
  }
  if (oack_pending_) {
    s.send.push_back(build_oack(opts_.oack));
    return s;
  }
  send_window(s, acked_ + 1);
  return s;
}

}  // namespace cucm::tftp

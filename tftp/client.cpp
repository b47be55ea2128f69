// Blocking client: one socket, a receive timeout, in-order reassembly with RFC 7440 gap ACKs.
#include "tftp/client.hpp"

#include <poll.h>

#include <charconv>
#include <random>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "tftp/packet.hpp"

namespace cucm::tftp {
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

Error from_error_packet(const Packet& p) {
  std::string msg = fmt::format("tftp: server error {}: {}", static_cast<int>(p.error), p.message);
  switch (p.error) {
    case ErrorCode::FileNotFound: return make_error(Errc::NotFound, msg);
    case ErrorCode::AccessViolation: return make_error(Errc::PermissionDenied, msg);
    default: return make_error(Errc::Unavailable, msg);
  }
}

// Asio's blocking receive ignores SO_RCVTIMEO (it polls without a timeout), so wait here.
bool wait_readable(udp::socket& sock, std::chrono::milliseconds timeout) {
  pollfd pfd{sock.native_handle(), POLLIN, 0};
  int rc = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  return rc > 0 && (pfd.revents & POLLIN);
}

std::optional<std::size_t> to_size(const std::string& s) {
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// OACK options: name NUL value NUL ...
std::vector<std::pair<std::string, std::string>> parse_oack(ByteView pkt) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> parts{""};
  for (std::size_t i = 2; i < pkt.size(); ++i) {
    if (pkt[i] == 0) parts.emplace_back();
    else parts.back().push_back(static_cast<char>(pkt[i]));
  }
  for (std::size_t i = 0; i + 1 < parts.size(); i += 2) out.emplace_back(parts[i], parts[i + 1]);
  return out;
}

}  // namespace

// Over 60 lines: one blocking transfer (RRQ, OACK, DATA/ACK with retries and windows) whose
// state lives in its locals; splitting it would turn them into a struct passed around.
Result<GetResult> tftp_get(const udp::endpoint& server, const std::string& name, const GetOptions& o) {
  asio::io_context io;
  udp::socket sock(io);
  boost::system::error_code ec;
  sock.open(server.protocol(), ec);
  if (ec) return make_error(Errc::Unavailable, "tftp: cannot open a socket: " + ec.message());
  if (o.source) {
    sock.bind(udp::endpoint(*o.source, 0), ec);
    if (ec) return make_error(Errc::Unavailable, fmt::format("tftp: cannot send from {}: {}", o.source->to_string(), ec.message()));
  }

  std::mt19937 rng(o.seed);
  std::uniform_real_distribution<double> coin(0, 1);
  auto drop = [&] { return o.drop_rate > 0 && coin(rng) < o.drop_rate; };

  Request req{Opcode::Rrq, name, o.mode, {}};
  if (o.blksize) req.options.emplace_back("blksize", std::to_string(o.blksize));
  if (o.windowsize) req.options.emplace_back("windowsize", std::to_string(o.windowsize));
  if (o.ask_tsize) req.options.emplace_back("tsize", "0");
  Bytes last_sent = build_request(req);
  udp::endpoint dest = server;
  sock.send_to(asio::buffer(last_sent), dest, 0, ec);

  GetResult r;
  bool have_tid = false;
  std::uint64_t expected = 1;  // next block, counted without wrapping
  std::uint16_t in_window = 0;
  int retries = 0;
  bool waited = false;  // a timeout came while we waited for block `expected`
  std::vector<std::uint8_t> buf(65536 + 4);
  auto send_ack = [&](std::uint16_t block, bool may_drop = true) {
    last_sent = build_ack(block);
    if (may_drop && drop()) { ++r.dropped; return; }
    sock.send_to(asio::buffer(last_sent), dest, 0, ec);
  };
  while (true) {
    udp::endpoint from;
    std::size_t n = 0;
    if (wait_readable(sock, o.timeout)) {
      n = sock.receive_from(asio::buffer(buf), from, 0, ec);
      if (ec) return make_error(Errc::Unavailable, "tftp: receive failed: " + ec.message());
    } else {
      ++r.timeouts;
      waited = waited || have_tid || req.options.empty();  // with options, the RRQ's answer is an OACK
      if (++retries > o.retries) {
        return make_error(Errc::DeadlineExceeded,
                          fmt::format("tftp: {} timed out after {} retries at block {}", name, o.retries, expected));
      }
      sock.send_to(asio::buffer(last_sent), dest, 0, ec);  // resend the RRQ or the last ACK
      continue;
    }
    if (have_tid && from != r.server_tid) {
      Bytes e = build_error(ErrorCode::UnknownTid, "Unknown transfer ID");
      sock.send_to(asio::buffer(e), from, 0, ec);
      continue;
    }
    auto p = parse_packet(ByteView(buf).first(n));
    bool is_oack = n >= 2 && buf[0] == 0 && buf[1] == static_cast<std::uint8_t>(Opcode::Oack);
    if (!have_tid) {
      have_tid = true;
      r.server_tid = from;
      dest = from;
    }
    if (is_oack) {
      for (const auto& [k, v] : parse_oack(ByteView(buf).first(n))) {
        auto num = to_size(v);
        if (!num) continue;
        if (k == "blksize") r.blksize = *num;
        if (k == "windowsize") r.windowsize = static_cast<std::uint16_t>(*num);
        if (k == "tsize") r.tsize = *num;
      }
      r.oack = true;
      if (o.blksize && r.blksize > o.blksize) {
        // RFC 2348: the server may only lower the size; a client refuses a larger one.
        Bytes e = build_error(ErrorCode::OptionRefused, "blksize larger than requested");
        sock.send_to(asio::buffer(e), dest, 0, ec);
        return make_error(Errc::InvalidArgument, fmt::format("tftp: {}: the OACK says blksize {}, more than the {} asked "
                                                             "(RFC 2348): refused with ERROR 8", name, r.blksize, o.blksize));
      }
      retries = 0;
      send_ack(0);
      continue;
    }
    if (!p) return make_error(Errc::InvalidArgument, "tftp: bad packet from server: " + p.error().message);
    if (p->opcode == Opcode::Error) return from_error_packet(*p);
    if (p->opcode != Opcode::Data) continue;
    if (drop()) { ++r.dropped; continue; }
    retries = 0;
    if (p->block != static_cast<std::uint16_t>(expected & 0xffff)) {
      if (p->block == static_cast<std::uint16_t>((expected - 1) & 0xffff)) ++r.duplicates;
      // A duplicate or a gap: acknowledge the last block received in order.
      send_ack(static_cast<std::uint16_t>((expected - 1) & 0xffff));
      in_window = 0;
      continue;
    }
    if (r.data.size() + p->data.size() > o.max_size) {
      return make_error(Errc::ResourceExhausted, fmt::format("tftp: {} is larger than {} bytes", name, o.max_size));
    }
    r.data.insert(r.data.end(), p->data.begin(), p->data.end());
    ++r.blocks;
    if (waited) ++r.late_blocks;
    waited = false;
    bool last = p->data.size() < r.blksize;
    ++expected;
    if (last || ++in_window >= r.windowsize) {
      send_ack(p->block, !last);  // the final ACK is never dropped: nothing would recover it
      in_window = 0;
    }
    if (last) {
      // Linger if asked: when our final ACK was lost the server resends the last block; ACK it again.
      for (int i = 0; i < 3 && o.linger.count() > 0 && wait_readable(sock, o.linger); ++i) {
        std::size_t m = sock.receive_from(asio::buffer(buf), from, 0, ec);
        if (ec) break;
        if (from == r.server_tid && m >= 4 && buf[1] == static_cast<std::uint8_t>(Opcode::Data)) {
          sock.send_to(asio::buffer(build_ack(p->block)), dest, 0, ec);
        }
      }
      return r;
    }
  }
}

}  // namespace cucm::tftp

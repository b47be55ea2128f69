// The TFTP server's insides, shared by its files: the state every transfer shares, and one
// transfer's session (its socket, its retransmission deadline, its events). Internal to tftp/.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "core/deadline_sweep.hpp"
#include "core/log.hpp"
#include "core/repeat_limiter.hpp"
#include "tftp/packet.hpp"
#include "tftp/tftp_server.hpp"
#include "tftp/transfer_fault.hpp"

namespace cucm::tftp {
namespace detail {
namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

inline constexpr core::RepeatLimiter::Options kRefusalLines{.per_window = 5, .window = std::chrono::seconds(60), .max_keys = 1024};

}  // namespace detail

struct TftpServer::Shared {
  catalog::CachedCatalog& catalog;
  db::EventWriter* events;
  std::shared_ptr<TftpStats> stats;
  std::shared_ptr<spdlog::logger> log;
  std::atomic<bool> stopping{false};
  core::LoopSweeps sweeps;  // retransmission deadlines, one sweep per loop; emptied by ~TftpServer
  std::shared_ptr<Admission> admission;  // slots and memory, given back by the sessions' tickets
  // Lines about refused requests, per client address: a flood of them is a few lines a minute.
  std::unique_ptr<core::RepeatLimiter> refusal_lines = std::make_unique<core::RepeatLimiter>(detail::kRefusalLines);

  void event(const std::string& peer, const std::string& device, std::string what, std::string result) const {
    if (events) events->post("tftp", peer, device, std::move(what), std::move(result));
  }
};

namespace detail {

inline std::string peer_text(const udp::endpoint& ep) {
  return ep.address().is_v6() ? fmt::format("[{}]:{}", ep.address().to_string(), ep.port())
                              : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

// One transfer. Its retransmission deadline is watched by its loop's DeadlineSweep, which calls
// expire() once it has passed: no timer per transfer (but for one armed with tftp-delay).
class Session : public std::enable_shared_from_this<Session>, public core::Watched {
 public:
  Session(asio::io_context& io, std::shared_ptr<TftpServer::Shared> shared, udp::endpoint peer, Transfer transfer,
          std::string name, catalog::CachedFile file, Admission::Ticket ticket, TransferFault fault = {})
      : executor_(io.get_executor()),
        socket_(executor_),
        sweep_(shared->sweeps.of(io)),
        shared_(std::move(shared)),
        peer_(std::move(peer)),
        transfer_(std::move(transfer)),
        name_(std::move(name)),
        file_(std::move(file)),
        ticket_(std::move(ticket)),
        fault_(fault),
        started_(Clock::now()) {
    deadline = Clock::time_point::max();  // nothing sent yet
  }

  ~Session() override {
    if (watched_) sweep_->remove(*this);
  }

  // The retransmission deadline has passed (called by the sweep, on this loop).
  void expire() override {
    deadline = Clock::time_point::max();
    if (!finished_) apply(transfer_.on_timeout());
  }

  Status open(const asio::ip::address& local) {
    boost::system::error_code ec;
    socket_.open(peer_.protocol(), ec);
    if (!ec) socket_.bind(udp::endpoint(local, 0), ec);  // a fresh TID for this transfer
    if (!ec) socket_.non_blocking(true, ec);
    if (ec) return make_error(Errc::Unavailable, "tftp: cannot open a transfer socket: " + ec.message());
    return Ok{};
  }

  void start() {
    asio::post(executor_, [self = shared_from_this()] {
      self->sweep_->add(*self);  // on this loop's thread, the only one that touches its sweep
      self->watched_ = true;
      self->apply(self->transfer_.start());
      self->receive();
    });
  }

 private:
  void send(const Bytes& pkt, const udp::endpoint& to) {
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(pkt), to, 0, ec);  // would_block: as good as a lost packet
  }

  void send_all(const std::vector<Bytes>& packets) {
    std::vector<Bytes> shaped;  // an armed fault's packets; empty otherwise, and no copy is made
    bool shaping = fault_.shapes();
    if (shaping) shaped = fault_.shape(packets);
    for (const auto& pkt : shaping ? shaped : packets) {
      send(pkt, peer_);
      if (pkt.size() > 4 && pkt[1] == 3) bytes_sent_ += pkt.size() - 4;
    }
  }

  void apply(Transfer::Step step) {
    // tftp-delay holds the DATA a step sends. A step with packets is never done nor failed, and
    // a duplicate ACK meanwhile gives a step without packets: nothing more goes (no Sorcerer's
    // Apprentice).
    if (fault_.delay().count() > 0 && carries_data(step.send)) return hold(std::move(step.send));
    send_all(step.send);
    if (step.done) return finish("ok");
    if (step.failed && !step.error.empty()) {
      send(build_error(ErrorCode::Undefined, step.error), peer_);
      shared_->log->warn("tftp {} {}: {}", peer_text(peer_), name_, step.error);
      return finish("error: " + step.error);
    }
    if (step.failed) {
      // Said to the client, so it stops waiting instead of timing out on its own.
      send(build_error(ErrorCode::Undefined, "Transfer timed out"), peer_);
      return finish(fmt::format("timeout after {} retries", transfer_.retries() - 1));
    }
    if (!step.send.empty()) arm_timer();
  }

  // tftp-delay: the packets go fault_.delay() after the ACK (or RRQ, or timeout) that asked for
  // them, on a timer of this loop, which serves other transfers meanwhile. No retransmission
  // deadline runs while they wait: the wait is ours, not a loss, and a retransmission now would
  // only be held too; the deadline starts when they are sent. Another step while they wait (a
  // client that acknowledged a block it has not seen yet) replaces them, as the transfer has
  // moved on; the timer keeps its time.
  void hold(std::vector<Bytes> packets) {
    held_ = std::move(packets);
    deadline = Clock::time_point::max();
    if (holding_) return;
    holding_ = true;
    if (!delay_timer_) delay_timer_.emplace(executor_);  // for tftp-delay only: no timer per transfer otherwise
    delay_timer_->expires_after(fault_.delay());
    delay_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->holding_ = false;
      if (ec || self->finished_) return;
      self->send_all(self->held_);
      self->held_.clear();
      self->arm_timer();
    });
  }

  // The retransmission deadline moves with every send; the sweep looks at it every quarter of
  // the server's default timeout, so a retransmission leaves between the deadline and that much
  // later (RFC 1350 leaves the timer to the implementation).
  void arm_timer() {
    deadline = Clock::now() + transfer_.options().timeout;
    sweep_->start();
  }

  void receive() {
    if (finished_) return;
    socket_.async_receive_from(asio::buffer(rx_), sender_, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec || self->finished_) return;
      self->on_packet(n);
      self->receive();
    });
  }

  void on_packet(std::size_t n) {
    if (sender_ != peer_) {
      // RFC 1350: a packet from another TID gets error 5 and the transfer goes on.
      send(build_error(ErrorCode::UnknownTid, "Unknown transfer ID"), sender_);
      shared_->log->debug("tftp {}: packet from foreign TID {}", peer_text(peer_), peer_text(sender_));
      return;
    }
    auto p = parse_packet(ByteView(rx_).first(n));
    if (!p) {
      send(build_error(ErrorCode::IllegalOperation, p.error().message), peer_);
      return finish("illegal packet: " + p.error().message);
    }
    if (p->opcode == Opcode::Ack) return apply(transfer_.on_ack(p->block));
    if (p->opcode == Opcode::Error) return finish(fmt::format("client error {}: {}", static_cast<int>(p->error), p->message));
    send(build_error(ErrorCode::IllegalOperation, "expected ACK"), peer_);
    finish("illegal operation from client");
  }

  void finish(const std::string& result) {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ec;
    deadline = Clock::time_point::max();
    if (delay_timer_) delay_timer_->cancel();  // the session goes now, not when a held block was due
    socket_.close(ec);
    ticket_.release();  // the slot is free for the next request at once
    auto& st = *shared_->stats;
    bool ok = result == "ok";
    (ok ? st.completed : st.failed)++;
    (ok ? st.bytes_ok : st.bytes_error) += bytes_sent_;
    st.retransmitted += transfer_.retransmitted();
    auto took = Clock::now() - started_;
    st.transfer_seconds.observe(took);
    --st.active;  // last: who reads no transfer in flight finds this one's counts
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
    shared_->log->debug("tftp {} {} ({}, {} bytes, {} ms, {} retransmitted): {}", peer_text(peer_), name_,
                        catalog::variant_name(file_.variant), bytes_sent_, ms, transfer_.retransmitted(), result);
    shared_->event(peer_text(peer_), file_.device,
                   fmt::format("RRQ {} variant={} bytes={} duration_ms={}", name_, catalog::variant_name(file_.variant),
                               transfer_.size(), ms),
                   file_.injected.empty() ? result : fmt::format("{}: injected {}", result, file_.injected));
  }

  asio::io_context::executor_type executor_;
  udp::socket socket_;
  std::shared_ptr<core::DeadlineSweep> sweep_;
  bool watched_ = false;  // on the sweep's list (from start() on)
  std::shared_ptr<TftpServer::Shared> shared_;
  udp::endpoint peer_;
  udp::endpoint sender_;
  Transfer transfer_;
  std::string name_;
  catalog::CachedFile file_;
  Admission::Ticket ticket_;
  TransferFault fault_;
  std::optional<asio::steady_timer> delay_timer_;  // tftp-delay: when the held packets go
  std::vector<Bytes> held_;                        // tftp-delay: the DATA waiting for it
  bool holding_ = false;                           // the timer is armed for held_
  Clock::time_point started_;
  std::array<std::uint8_t, 1024> rx_{};  // clients send ACK/ERROR only: small packets
  std::uint64_t bytes_sent_ = 0;
  bool finished_ = false;
};

}  // namespace detail

}  // namespace cucm::tftp

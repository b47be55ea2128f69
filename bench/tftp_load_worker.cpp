// Load generator clients. Each client opens a fresh socket (a fresh TID) per transfer, sends RRQ
// with the options asked, answers an OACK with ACK 0, ACKs each window of DATA and starts the
// next transfer as soon as the last block is in. A lost packet is recovered by resending the
// last one after the timeout; one 10 ms tick per worker checks every client, so no timer is
// armed per packet and the generator spends its CPU on sockets.
#include "bench/tftp_load_worker.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <string_view>

#include "tftp/packet.hpp"

namespace cucm::bench {
namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using tftp::Opcode;

void LoadStats::add(const LoadStats& o) {
  for (auto f :
       {&LoadStats::files, &LoadStats::bytes, &LoadStats::started, &LoadStats::error_packets,
        &LoadStats::busy, &LoadStats::timeouts, &LoadStats::retransmits, &LoadStats::size_mismatch,
        &LoadStats::verify_failures, &LoadStats::bad_packets, &LoadStats::foreign_tid}) {
    this->*f += o.*f;
  }
  latency_ms.insert(latency_ms.end(), o.latency_ms.begin(), o.latency_ms.end());
}

class LoadClient {
 public:
  LoadClient(LoadWorker& w, asio::io_context& io) : w_(w), socket_(io), rx_(65536 + 4) {}
  void start_transfer();
  void on_tick(Clock::time_point now);

 private:
  enum class State { Idle, Active, Backoff };
  void receive();
  void on_datagram(std::size_t n);
  void on_oack(ByteView pkt);
  void on_data(std::uint16_t block, ByteView payload);
  void send(ByteView pkt, const udp::endpoint& to);
  void send_ack(std::uint16_t block);
  void end_transfer();
  void fail(std::uint64_t LoadStats::*counter);
  void budget_spent_one();

  LoadWorker& w_;
  udp::socket socket_;
  Bytes rx_;
  udp::endpoint from_, tid_;
  Bytes rrq_;
  std::array<std::uint8_t, 4> ack_{0, 4, 0, 0};
  State state_ = State::Idle;
  bool last_is_rrq_ = true, have_tid_ = false, got_oack_ = false;
  bool verifying_ = false, first_ = true, bad_bytes_ = false;
  std::uint64_t generation_ = 0;  // completions of an older socket are ignored
  std::uint64_t expected_ = 1;    // next block, counted without wrapping
  std::uint64_t nak_for_ = 0, received_ = 0;
  std::size_t blksize_ = 512;
  std::uint16_t windowsize_ = 1, in_window_ = 0;
  int retries_ = 0;
  Clock::time_point started_, last_progress_, resume_at_;
};

void LoadClient::start_transfer() {
  LoadRun& r = w_.shared();
  const LoadConfig& cfg = r.cfg;
  if (r.done) return;
  if (cfg.files > 0 && r.to_start.fetch_sub(1) <= 0) {
    state_ = State::Idle;
    return;
  }
  boost::system::error_code ec;
  if (socket_.is_open()) socket_.close(ec);
  ++generation_;
  socket_.open(udp::v4(), ec);
  if (!ec) socket_.bind(udp::endpoint(cfg.server.address(), 0), ec);
  if (ec) {
    std::fprintf(stderr, "tftp_loadgen: cannot open a client socket: %s\n", ec.message().c_str());
    r.done = true;
    return;
  }
  if (rrq_.empty()) {
    tftp::Request req{Opcode::Rrq, cfg.file, "octet", {}};
    if (cfg.blksize) req.options.emplace_back("blksize", std::to_string(cfg.blksize));
    if (cfg.windowsize) req.options.emplace_back("windowsize", std::to_string(cfg.windowsize));
    rrq_ = tftp::build_request(req);
  }
  have_tid_ = got_oack_ = bad_bytes_ = false;
  last_is_rrq_ = true;
  expected_ = 1;
  nak_for_ = received_ = 0;
  blksize_ = 512;
  windowsize_ = 1;
  in_window_ = 0;
  retries_ = 0;
  verifying_ = !cfg.reference.empty() && (cfg.verify_all || first_);
  state_ = State::Active;
  started_ = last_progress_ = Clock::now();
  ++w_.stats().started;
  send(rrq_, cfg.server);
  receive();
}

void LoadClient::receive() {
  socket_.async_receive_from(
      asio::buffer(rx_), from_,
      [this, gen = generation_](boost::system::error_code ec, std::size_t n) {
        if (gen != generation_ || state_ != State::Active) return;
        if (!ec) on_datagram(n);
        if (gen == generation_ && state_ == State::Active) receive();
      });
}

void LoadClient::send(ByteView pkt, const udp::endpoint& to) {
  boost::system::error_code ec;  // a failed send is a lost packet: the tick resends
  socket_.send_to(asio::buffer(pkt.data(), pkt.size()), to, 0, ec);
}

void LoadClient::send_ack(std::uint16_t block) {
  ack_[2] = static_cast<std::uint8_t>(block >> 8);
  ack_[3] = static_cast<std::uint8_t>(block);
  last_is_rrq_ = false;
  send(ack_, tid_);
}

void LoadClient::on_datagram(std::size_t n) {
  LoadStats& st = w_.stats();
  ByteView pkt(rx_.data(), n);
  if (have_tid_ && from_ != tid_) {  // RFC 1350: answer a stranger with error 5 and go on
    ++st.foreign_tid;
    send(tftp::build_error(tftp::ErrorCode::UnknownTid, "Unknown transfer ID"), from_);
    return;
  }
  // parse_packet reads what clients send, and OACK is sent by servers only.
  bool oack = n >= 2 && pkt[0] == 0 && pkt[1] == static_cast<std::uint8_t>(Opcode::Oack);
  auto p = tftp::parse_packet(pkt);
  if (!have_tid_) {
    // A fresh socket may get a port that an earlier transfer just closed, and with it a late
    // resend of that transfer's last block: only an OACK, DATA 1 or ERROR starts a transfer.
    bool opens = oack || (p && (p->opcode == Opcode::Error ||
                                (p->opcode == Opcode::Data && p->block == 1)));
    if (!opens) {
      ++st.foreign_tid;
      return;
    }
    tid_ = from_;
    have_tid_ = true;
  }
  if (oack) return on_oack(pkt);
  if (!p) return fail(&LoadStats::bad_packets);
  if (p->opcode == Opcode::Data) return on_data(p->block, p->data);
  if (p->opcode == Opcode::Error) {
    // cucm-emu sheds load with ERROR 0 "Server busy": counted apart from real errors.
    bool busy = p->message.find("busy") != std::string::npos;
    return fail(busy ? &LoadStats::busy : &LoadStats::error_packets);
  }
  ++st.bad_packets;
}

void LoadClient::on_oack(ByteView pkt) {
  if (expected_ != 1) return;  // a late duplicate: the transfer has moved on
  if (!got_oack_) {
    // name NUL value NUL ...; only blksize and windowsize change what we do.
    std::string key, cur;
    bool in_value = false;
    for (std::size_t i = 2; i < pkt.size(); ++i) {
      if (pkt[i] != 0) {
        cur.push_back(static_cast<char>(pkt[i]));
        continue;
      }
      std::size_t v = 0;
      auto [end, ec] = std::from_chars(cur.data(), cur.data() + cur.size(), v);
      bool num = in_value && ec == std::errc{} && end == cur.data() + cur.size();
      if (num && key == "blksize" && v >= 8 && v <= 65464) blksize_ = v;
      if (num && key == "windowsize" && v >= 1 && v <= 65535) {
        windowsize_ = static_cast<std::uint16_t>(v);
      }
      if (!in_value) {
        key = cur;
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return std::tolower(c); });
      }
      in_value = !in_value;
      cur.clear();
    }
    got_oack_ = true;
  }
  last_progress_ = Clock::now();
  send_ack(0);  // also answers a resent OACK whose ACK 0 was lost
}

void LoadClient::on_data(std::uint16_t block, ByteView payload) {
  const LoadConfig& cfg = w_.shared().cfg;
  if (payload.size() > blksize_) return fail(&LoadStats::bad_packets);
  if (block != static_cast<std::uint16_t>(expected_ & 0xffff)) {
    // A duplicate or a gap: ACK the last block received in order, once per gap (RFC 7440).
    if (nak_for_ != expected_) {
      nak_for_ = expected_;
      in_window_ = 0;
      send_ack(static_cast<std::uint16_t>((expected_ - 1) & 0xffff));
    }
    return;
  }
  std::size_t cap = cfg.expected_size ? cfg.expected_size : std::size_t{256} << 20;
  if (received_ + payload.size() > cap) return fail(&LoadStats::size_mismatch);
  if (verifying_ && !std::equal(payload.begin(), payload.end(),
                                cfg.reference.begin() + static_cast<std::ptrdiff_t>(received_))) {
    bad_bytes_ = true;
  }
  received_ += payload.size();
  ++expected_;
  last_progress_ = Clock::now();
  retries_ = 0;
  bool last = payload.size() < blksize_;
  if (last || ++in_window_ >= windowsize_) {
    in_window_ = 0;
    send_ack(block);
  }
  if (last) end_transfer();
}

void LoadClient::end_transfer() {
  LoadRun& r = w_.shared();
  LoadStats& st = w_.stats();
  auto now = Clock::now();
  state_ = State::Idle;
  if (now < r.deadline) {
    if (r.cfg.expected_size && received_ != r.cfg.expected_size) {
      ++st.size_mismatch;
    } else if (bad_bytes_) {
      ++st.verify_failures;
    } else {
      ++st.files;
      st.bytes += received_;
      st.latency_ms.push_back(std::chrono::duration<float, std::milli>(now - started_).count());
    }
    first_ = false;
  }
  budget_spent_one();
  start_transfer();
}

void LoadClient::budget_spent_one() {
  LoadRun& r = w_.shared();
  if (r.cfg.files == 0) return;
  r.last_finish_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - r.start).count();
  if (r.to_finish.fetch_sub(1) <= 1) r.done = true;
}

void LoadClient::fail(std::uint64_t LoadStats::*counter) {
  ++(w_.stats().*counter);
  state_ = State::Backoff;  // the tick starts the next transfer: a refused client does not spin
  resume_at_ = Clock::now() + std::chrono::milliseconds(10);
  boost::system::error_code ec;
  socket_.close(ec);
  ++generation_;
  budget_spent_one();
}

void LoadClient::on_tick(Clock::time_point now) {
  const LoadConfig& cfg = w_.shared().cfg;
  if (state_ == State::Backoff && now >= resume_at_) return start_transfer();
  if (state_ != State::Active || now - last_progress_ < cfg.timeout) return;
  if (++retries_ > cfg.retries) return fail(&LoadStats::timeouts);
  ++w_.stats().retransmits;
  last_progress_ = now;
  if (last_is_rrq_) {
    send(rrq_, have_tid_ ? tid_ : cfg.server);
  } else {
    send(ack_, tid_);
  }
}

LoadWorker::LoadWorker(LoadRun& run, int clients) : run_(run), tick_(io_) {
  for (int i = 0; i < clients; ++i) clients_.push_back(std::make_unique<LoadClient>(*this, io_));
}

LoadWorker::~LoadWorker() = default;

void LoadWorker::run() {
  for (auto& c : clients_) c->start_transfer();
  arm_tick();
  io_.run();
}

void LoadWorker::arm_tick() {
  tick_.expires_after(std::chrono::milliseconds(10));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    auto now = Clock::now();
    if (run_.done || now >= run_.deadline) {
      run_.done = true;
      io_.stop();
      return;
    }
    for (auto& c : clients_) c->on_tick(now);
    arm_tick();
  });
}

}  // namespace cucm::bench

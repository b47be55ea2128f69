// TFTP listener and per-transfer sessions on Asio. Each session owns a UDP socket bound to a
// fresh port and a timer, both on one loop (run by one thread); sends are non-blocking (a full
// socket buffer is treated as a lost packet and recovered by the retransmission timer).
#include "tftp/tftp_server.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "core/deadline_sweep.hpp"
#include "core/log.hpp"
#include "core/repeat_limiter.hpp"
#include "tftp/packet.hpp"
#include "tftp/tftp_session.hpp"
#include "catalog/request_name.hpp"

namespace cucm::tftp {
namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using detail::peer_text;
using detail::Session;
using detail::kRefusalLines;


TftpServer::TftpServer(asio::io_context& io, TftpConfig cfg, catalog::CachedCatalog& catalog, db::EventWriter* events)
    : TftpServer(std::vector<asio::io_context*>{&io}, std::move(cfg), catalog, events) {}

TftpServer::TftpServer(std::vector<asio::io_context*> loops, TftpConfig cfg, catalog::CachedCatalog& catalog,
                       db::EventWriter* events)
    : loops_(std::move(loops)),
      cfg_(std::move(cfg)),
      executor_(loops_.first().get_executor()),
      socket_(executor_),
      stats_(std::make_shared<TftpStats>()),
      last_prune_(Clock::now()) {
  shared_.reset(new Shared{catalog, events, stats_, log::get("tftp"), {},
                           core::LoopSweeps(loops_.all(), core::sweep_period(cfg_.limits.default_timeout)),
                           Admission::create({cfg_.max_transfers, cfg_.max_per_client, cfg_.transfer_memory})});
}

// Call stop() and let the loops finish before destroying a server: handlers capture it. The
// sweeps go while every loop still exists (core::LoopSweeps::clear).
TftpServer::~TftpServer() { shared_->sweeps.clear(); }

Status TftpServer::start() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg_.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("tftp: bad listen address '{}'", cfg_.address));
  udp::endpoint ep(addr, cfg_.port);
  socket_.open(ep.protocol(), ec);
  if (!ec && addr.is_v6()) socket_.set_option(asio::ip::v6_only(false), ec);
  if (!ec) socket_.bind(ep, ec);
  if (ec) {
    std::string hint = ec == boost::system::errc::permission_denied
                           ? fmt::format(": ports below 1024 need root or CAP_NET_BIND_SERVICE "
                                         "(sudo setcap cap_net_bind_service=+ep cucm-emu), or choose another "
                                         "port with --tftp-port")
                           : ec == boost::system::errc::address_in_use ? ": another TFTP server runs there (--tftp-port)" : "";
    return make_error(ec == boost::system::errc::permission_denied ? Errc::PermissionDenied : Errc::Unavailable,
                      fmt::format("tftp: cannot bind UDP {}:{}: {}{}", cfg_.address, cfg_.port, ec.message(), hint));
  }
  asio::socket_base::receive_buffer_size big(4 << 20);
  socket_.set_option(big, ec);  // a boot storm arrives in bursts; best effort
  asio::post(executor_, [this] { receive(); });
  return Ok{};
}

void TftpServer::stop() {
  shared_->stopping = true;
  asio::post(executor_, [this] {
    boost::system::error_code ec;
    socket_.close(ec);
  });
}

udp::endpoint TftpServer::local_endpoint() const {
  boost::system::error_code ec;
  return socket_.local_endpoint(ec);
}

void TftpServer::receive() {
  socket_.async_receive_from(asio::buffer(rx_), sender_, [this](boost::system::error_code ec, std::size_t n) {
    if (ec == asio::error::operation_aborted || shared_->stopping) return;
    if (!ec) on_request(n);
    receive();
  });
}

bool TftpServer::within_rate(const asio::ip::address& client) {
  auto now = Clock::now();
  if (now - last_prune_ > std::chrono::seconds(10)) {  // forget idle clients: the map stays small
    std::erase_if(buckets_, [&](const auto& kv) { return now - kv.second.last > std::chrono::seconds(10); });
    last_prune_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(client.to_string(), Bucket{cfg_.client_rate, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(cfg_.client_rate, b.tokens + elapsed * cfg_.client_rate);
  b.last = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void TftpServer::on_request(std::size_t n) {
  auto reply = [this](ErrorCode code, std::string_view msg) {
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(build_error(code, msg)), sender_, 0, ec);
  };
  std::string peer = peer_text(sender_);
  auto p = parse_packet(ByteView(rx_).first(n));
  if (!p) {
    shared_->log->debug("tftp {}: {}", peer, p.error().message);
    return reply(ErrorCode::IllegalOperation, p.error().message);
  }
  if (p->opcode == Opcode::Wrq) {
    if (auto a = shared_->refusal_lines->admit(sender_.address().to_string(), std::chrono::system_clock::now()); a.pass) {
      shared_->log->info("tftp {}: write request for '{}' refused{}", peer, core::log_excerpt(p->request->filename),
                         core::suppressed_note(a.suppressed));
    }
    shared_->event(peer, "", "WRQ " + p->request->filename, "refused: read-only server");
    ++stats_->refused;
    return reply(ErrorCode::AccessViolation, "Access violation: this server is read-only");
  }
  if (p->opcode != Opcode::Rrq) return;  // a stray ACK/DATA/ERROR at port 69: ignore
  const Request& req = *p->request;
  if (!catalog::is_safe_name(req.filename)) {
    if (auto a = shared_->refusal_lines->admit(sender_.address().to_string(), std::chrono::system_clock::now()); a.pass) {
      shared_->log->warn("tftp {}: refused unsafe file name '{}'{}", peer, core::log_excerpt(req.filename),
                         core::suppressed_note(a.suppressed));
    }
    shared_->event(peer, "", "RRQ (unsafe name)", "refused: access violation");
    ++stats_->refused;
    return reply(ErrorCode::AccessViolation, "Access violation");
  }
  if (!within_rate(sender_.address())) {
    ++stats_->refused;
    shared_->log->debug("tftp {}: {} shed: more than {} new transfers a second from this address (--client-rate)", peer,
                        req.filename, cfg_.client_rate);
    return reply(ErrorCode::Undefined, "Server busy, try again later");
  }
  // The slot is taken now, not when the file is ready: a flood of names still to be built holds
  // slots too.
  auto verdict = shared_->admission->admit(sender_.address().to_string());
  if (!verdict.ticket) return refuse(req, sender_, verdict.refusal, verdict.first);
  Admission::Ticket ticket = std::move(*verdict.ticket);
  Mode mode = req.mode == "netascii" ? Mode::Netascii : Mode::Octet;
  auto kind = catalog::classify(req.filename);
  if (kind.kind == catalog::FileKind::Other) {
    if (auto st = shared_->catalog.open_static(req.filename); st && st->size > kStreamAbove) {
      return start_transfer(req, sender_, TransferData(std::move(st->handle), st->size, mode),
                            catalog::CachedFile{nullptr, catalog::Variant::Static, "", "", false, {}}, std::move(ticket));
    }
  }
  if (auto hit = shared_->catalog.lookup(req.filename)) return serve_file(req, sender_, std::move(*hit), std::move(ticket));
  // Not in memory for the current version: a worker builds it (a query, a signature) while this
  // loop goes on receiving; the answer comes back to this loop.
  auto held = std::make_shared<Admission::Ticket>(std::move(ticket));  // the callback must be copyable
  shared_->catalog.fetch_async(req.filename, [this, req, client = sender_, held](Result<catalog::CachedFile> file) {
    asio::post(executor_, [this, req, client, held, file = std::move(file)]() mutable {
      if (shared_->stopping) return;
      serve_file(req, client, std::move(file), std::move(*held));
    });
  });
}

// The client is told "Server busy" whatever the limit; the log says which one and the flag that
// sets it, once per run of refusals of one address (a flood would fill the log otherwise).
void TftpServer::refuse(const Request& req, const udp::endpoint& client, Refusal why, bool first,
                        std::size_t memory_asked) {
  ++stats_->refused;
  const Admission& a = *shared_->admission;
  std::string address = client.address().to_string();
  std::string reason;
  switch (why) {
    case Refusal::ClientFull:
      ++stats_->refused_client_cap;
      reason = fmt::format("{} already has {} transfers in flight, what one address may have (--max-transfers-per-client, "
                           "at most half of --max-transfers)", address, a.client_slots());
      break;
    case Refusal::ServerFull:
      reason = fmt::format("{} transfers in flight, the server's limit (--max-transfers)", a.limits().max_transfers);
      break;
    case Refusal::ClientMemory:
    case Refusal::ServerMemory:
      ++stats_->refused_memory;
      reason = fmt::format("its blksize and windowsize need {} KiB of buffers and {} would pass {} KiB "
                           "(--transfer-memory-mb; one address may use half)", (memory_asked + 1023) / 1024,
                           why == Refusal::ClientMemory ? address + "'s transfers" : "the transfers in flight",
                           (why == Refusal::ClientMemory ? a.client_memory() : a.limits().memory_bytes) / 1024);
      break;
    case Refusal::None:
      break;
  }
  std::string peer = peer_text(client);
  if (first) {
    shared_->log->warn("tftp {}: {} refused with \"Server busy\": {}; further refusals of this address are logged "
                       "at debug level until it gets a transfer again", peer, req.filename, reason);
    shared_->event(peer, catalog::classify(req.filename).device, "RRQ " + req.filename, "refused: busy: " + reason);
  } else {
    shared_->log->debug("tftp {}: {} refused: {}", peer, req.filename, reason);
  }
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(build_error(ErrorCode::Undefined, "Server busy, try again later")), client, 0, ec);
}

bool TftpServer::inject_error(const Request& req, const udp::endpoint& client, const std::string& device) {
  fault::Board* board = shared_->catalog.faults();
  if (!board || device.empty()) return false;
  auto f = board->take(fault::Layer::Tftp, device, [](const fault::FaultSpec& s) { return s.name == "tftp-error"; });
  if (!f) return false;
  auto code = static_cast<ErrorCode>(f->param("code"));
  shared_->event(peer_text(client), device, "RRQ " + req.filename,
                 fmt::format("error {}: injected tftp-error", static_cast<int>(code)));
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(build_error(code, "fault injected")), client, 0, ec);
  return true;
}

void TftpServer::serve_file(const Request& req, const udp::endpoint& client, Result<catalog::CachedFile> file,
                            Admission::Ticket ticket) {
  std::string device = catalog::classify(req.filename).device;
  if (inject_error(req, client, device)) return;
  if (!file) {
    std::string peer = peer_text(client);
    bool missing = file.error().code == Errc::NotFound;
    (missing ? stats_->not_found : stats_->failed)++;
    shared_->log->debug("tftp {}: {}", peer, file.error().message);
    shared_->event(peer, catalog::classify(req.filename).device, "RRQ " + req.filename,
                   missing ? "not found: " + file.error().message : "error: " + file.error().message);
    if (!missing) shared_->log->error("tftp {}: {}", peer, file.error().message);
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(build_error(missing ? ErrorCode::FileNotFound : ErrorCode::Undefined,
                                             missing ? "File not found" : "Server error")),
                    client, 0, ec);
    return;
  }
  // netascii is converted a block at a time from the cached bytes, which every transfer shares.
  Mode mode = req.mode == "netascii" ? Mode::Netascii : Mode::Octet;
  std::shared_ptr<const Bytes> data = file->bytes;
  std::optional<fault::Applied> f;
  if (fault::Board* board = shared_->catalog.faults(); board && board->any() && !device.empty()) {
    board->seen_at(core::peer_address(peer_text(client)), device);  // for the CAPF handshake faults (fault/board.hpp)
    f = board->take(fault::Layer::Tftp, device, [](const fault::FaultSpec& s) { return s.name != "tftp-error"; });
  }
  start_transfer(req, client, TransferData(std::move(data), mode), std::move(*file), std::move(ticket),
                 f ? &*f : nullptr);
}

void TftpServer::start_transfer(const Request& req, const udp::endpoint& client, TransferData data,
                                catalog::CachedFile file, Admission::Ticket ticket, const fault::Applied* fault) {
  std::string_view fault_name = fault ? fault->spec->name : std::string_view{};
  Request plain = req;
  if (fault_name == "tftp-ignore-options") plain.options.clear();  // as an RFC 1350-only server
  auto opts = negotiate(plain, data.size(), cfg_.limits);
  if (fault_name == "tftp-blksize-mismatch") announce_larger_blksize(opts);
  if (fault) file.injected = std::string(fault_name);
  // What the transfer allocates for itself: a window of DATA packets at a time, and the source
  // bytes of one block when it converts a file to netascii.
  std::size_t memory = opts.windowsize * (opts.blksize + 4) + (data.mode() == Mode::Netascii ? opts.blksize : 0);
  if (auto charged = ticket.charge(memory); charged.refusal != Refusal::None) {
    return refuse(req, client, charged.refusal, charged.first, memory);
  }
  Transfer transfer(std::move(data), std::move(opts), cfg_.limits.max_retries);
  auto session = std::make_shared<Session>(loops_.next(), shared_, client, std::move(transfer), req.filename,
                                           std::move(file), std::move(ticket),
                                           TransferFault(fault_name, fault ? fault->param("block") : 0,
                                                         fault ? fault->param("ms") : 0));
  boost::system::error_code ec;
  if (auto st = session->open(socket_.local_endpoint(ec).address()); !st) {
    shared_->log->error("{}", st.error().message);
    socket_.send_to(asio::buffer(build_error(ErrorCode::Undefined, "Server error")), client, 0, ec);
    return;
  }
  ++stats_->started;
  ++stats_->active;
  session->start();
}

}  // namespace cucm::tftp

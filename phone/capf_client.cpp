// Phone-side CAPF over a blocking-looking sequence of Asio operations, each with a deadline.
#include "phone/capf_client.hpp"

#include <memory>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "core/resolve.hpp"
#include "signer/capf_signature.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/tls_versions.hpp"

namespace cucm::phone {
namespace asio = boost::asio;
using asio::ip::tcp;
using capf::Command;
using capf::Message;

namespace {

Result<std::shared_ptr<asio::ssl::context>> make_client_context(const CapfClientOptions& o) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  CUCM_CHECK(signer::set_tls_min_version(*ctx->native_handle(), o.tls_min));
  CUCM_CHECK(signer::set_tls_max_version(*ctx->native_handle(), o.tls_max, o.tls_ciphers));
  return ctx;
}

class Link {
 public:
  Link(const CapfClientOptions& o, std::shared_ptr<asio::ssl::context> tls)
      : opts_(o), tls_(std::move(tls)), stream_(io_, *tls_) {}

  Status connect() {
    boost::system::error_code ec;
    auto addr = core::resolve_host(opts_.host);
    if (!addr) return make_error(addr.error().code, "capf client: " + addr.error().message);
    if (opts_.source) {
      auto& socket = stream_.next_layer();
      socket.open(opts_.source->is_v4() ? tcp::v4() : tcp::v6(), ec);
      if (!ec) socket.bind(tcp::endpoint(*opts_.source, 0), ec);
      if (ec) return make_error(Errc::Unavailable, fmt::format("capf client: cannot connect from {}: {}", opts_.source->to_string(), ec.message()));
    }
    CUCM_CHECK(await([&](auto done) { stream_.next_layer().async_connect(tcp::endpoint(*addr, opts_.port), done); }, "connect"));
    stream_.next_layer().set_option(tcp::no_delay(true), ec);
    if (auto hs = await([&](auto done) { stream_.async_handshake(asio::ssl::stream_base::client, done); }, "TLS handshake");
        !hs) {
      if (opts_.tls_max.empty() || hs.error().code != Errc::Unavailable) return hs;
      // Old firmware: say what it offered, since that is the usual reason.
      return make_error(Errc::Unavailable,
                        fmt::format("{} (this phone offers at most TLS {}{}; a CAPF server whose floor is higher refuses "
                                    "it: cucm-emu serve --capf-tls-min {})",
                                    hs.error().message, opts_.tls_max,
                                    opts_.tls_ciphers.empty() ? "" : " with " + opts_.tls_ciphers, opts_.tls_max));
    }
    if (opts_.trusted_capf) {
      X509* peer = SSL_get0_peer_certificate(stream_.native_handle());
      if (!peer || X509_cmp(peer, opts_.trusted_capf) != 0) {
        return make_error(Errc::Unauthenticated, "capf client: the server certificate is not the CAPF certificate of the trust list");
      }
    }
    return Ok{};
  }

  std::string negotiated() {
    SSL* ssl = stream_.native_handle();
    return fmt::format("{} {}", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
  }

  Result<Message> read() {
    std::array<std::uint8_t, capf::kHeaderSize> h{};
    CUCM_CHECK(await([&](auto done) { asio::async_read(stream_, asio::buffer(h), done); }, "read header"));
    CUCM_TRY(std::uint16_t len, capf::parse_header(h));
    Bytes m(h.begin(), h.end());
    m.resize(capf::kHeaderSize + len);
    CUCM_CHECK(await([&](auto done) { asio::async_read(stream_, asio::buffer(m.data() + capf::kHeaderSize, len), done); }, "read body"));
    return capf::parse_message(m);
  }

  Status write(const Message& m) {
    CUCM_TRY(Bytes b, capf::build_message(m));
    return await([&](auto done) { asio::async_write(stream_, asio::buffer(b), done); }, "write");
  }

  void close() {
    boost::system::error_code ec;
    stream_.next_layer().close(ec);
  }

 private:
  // Starts an async operation and runs the io_context until it completes or the deadline passes.
  template <class Start>
  Status await(Start start, const char* what) {
    bool done = false;
    boost::system::error_code result;
    start([&](boost::system::error_code ec, auto&&...) { result = ec; done = true; });
    io_.restart();
    io_.run_for(opts_.timeout);
    if (!done) {
      close();
      io_.restart();
      io_.run();
      return make_error(Errc::DeadlineExceeded, fmt::format("capf client: {} timed out after {} ms", what, opts_.timeout.count()));
    }
    if (result) return make_error(Errc::Unavailable, fmt::format("capf client: {} failed: {}", what, result.message()));
    return Ok{};
  }

  const CapfClientOptions& opts_;
  asio::io_context io_;
  std::shared_ptr<asio::ssl::context> tls_;
  asio::ssl::stream<tcp::socket> stream_;
};

Result<signer::PkeyPtr> generate_requested(const Message& req) {
  signer::KeySpec spec;
  if (req.key_type.value_or(0) == static_cast<std::uint8_t>(capf::KeyType::Ec)) {
    spec.kind = signer::KeyKind::Ec;
    std::uint8_t c = req.curve.value_or(0);
    spec.curve = c == 2 ? "secp521r1" : c == 1 ? "secp384r1" : "prime256v1";
  } else {
    spec.rsa_bits = req.key_size.value_or(2048);
  }
  return signer::generate_key(spec);
}

bool matches(const EVP_PKEY& key, const Message& req) {
  bool want_ec = req.key_type.value_or(0) == static_cast<std::uint8_t>(capf::KeyType::Ec);
  if (want_ec) return signer::key_kind(key) == signer::KeyKind::Ec;
  return signer::key_kind(key) == signer::KeyKind::Rsa && signer::key_bits(key) == req.key_size.value_or(2048);
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> ClientTlsContexts::get(const CapfClientOptions& o) {
  std::string key = o.tls_min + '|' + o.tls_max + '|' + o.tls_ciphers;
  std::lock_guard lock(mutex_);
  if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  CUCM_TRY(auto ctx, make_client_context(o));
  contexts_.emplace(key, ctx);
  return ctx;
}

// Over 60 lines: the phone's side of a session is one loop answering each server message in
// turn (PROTOCOLS §3.6); it reads as the ladder it produces, and the fault switches of the
// options sit next to the step they break.
Result<CapfOutcome> run_capf(CapfPhone& phone, const CapfClientOptions& opts) {
  CUCM_TRY(auto tls, opts.tls_contexts ? opts.tls_contexts->get(opts) : make_client_context(opts));
  Link link(opts, std::move(tls));
  CUCM_CHECK(link.connect());
  CapfOutcome out;
  out.tls = link.negotiated();
  signer::PkeyPtr new_key;
  auto send = [&](Message m) -> Status {
    m.sid = out.sid;
    out.ladder.push_back(fmt::format("P->S {}", capf::command_name(m.command)));
    return link.write(m);
  };
  while (true) {
    CUCM_TRY(Message req, link.read());
    out.sid = req.sid;
    out.ladder.push_back(fmt::format("S->P {}", capf::command_name(req.command)));
    if (opts.disconnect_on && req.command == *opts.disconnect_on) {
      link.close();
      out.ladder.push_back("P    disconnects");
      return out;
    }
    Message rsp;
    switch (req.command) {
      case Command::AuthRequest: {
        rsp.command = Command::AuthResponse;
        rsp.reason = 1;
        rsp.version = req.version.value_or(3);
        rsp.device_name = phone.device;
        rsp.password = phone.auth_string;
        const PhoneIdentity* id = phone.authenticate_with == "lsc" && phone.lsc ? &*phone.lsc
                                  : phone.authenticate_with == "mic" && phone.mic ? &*phone.mic : nullptr;
        if (id) {
          Bytes der = signer::cert_der(*id->cert);
          Bytes data = capf::auth_signed_data(phone.device, der);
          rsp.certificate_type = static_cast<std::uint8_t>(id == &*phone.lsc ? capf::CertificateType::Lsc : capf::CertificateType::Mic);
          rsp.certificate = der;
          CUCM_TRY(rsp.signed_data, signer::capf_sign(*id->key, signer::HashAlg::Sha1, data));
          CUCM_TRY(rsp.sha2_signed_data, signer::capf_sign(*id->key, signer::HashAlg::Sha512, data));
          rsp.sha2_hash_code = 3;
          if (opts.tamper_signature) rsp.signed_data->back() ^= 1;
          if (opts.sudi && signer::key_kind(*opts.sudi->key) == signer::KeyKind::Rsa) {
            capf::SudiData sudi;
            sudi.certificate = signer::cert_der(*opts.sudi->cert);
            Bytes payload = capf::sudi_signed_data(req.sid, sudi.certificate);
            CUCM_TRY(sudi.sha1_signature, signer::capf_sign(*opts.sudi->key, signer::HashAlg::Sha1, payload));
            CUCM_TRY(sudi.sha512_signature, signer::capf_sign(*opts.sudi->key, signer::HashAlg::Sha512, payload));
            if (opts.tamper_sudi) sudi.sha512_signature.back() ^= 1;
            rsp.sudi = std::move(sudi);
          }
        }
        CUCM_CHECK(send(rsp));
        break;
      }
      case Command::KeyGenRequest: {
        if (opts.send_in_progress) {
          Message p;
          p.command = Command::RequestInProgress;
          CUCM_CHECK(send(p));
        }
        if (phone.pregenerated && matches(*phone.pregenerated, req)) {
          new_key = std::move(phone.pregenerated);
        } else {
          CUCM_TRY(new_key, generate_requested(req));
        }
        rsp.command = Command::KeyGenResponse;
        rsp.reason = 1;
        CUCM_TRY(rsp.public_key, signer::public_key_spki_der(*new_key));
        CUCM_CHECK(send(rsp));
        break;
      }
      case Command::StoreCertRequest: {
        rsp.command = Command::StoreCertResponse;
        if (opts.refuse_store || !req.certificate || !new_key) {
          rsp.reason = 7;
        } else {
          CUCM_TRY(auto cert, signer::load_cert(*req.certificate));
          if (!signer::same_public_key(*X509_get0_pubkey(cert.get()), *new_key)) {
            rsp.reason = 7;  // not our key: refuse it
          } else {
            phone.lsc = PhoneIdentity{std::move(cert), std::move(new_key)};
            out.lsc_installed = true;
            rsp.reason = 1;
          }
        }
        CUCM_CHECK(send(rsp));
        break;
      }
      case Command::DeleteCertRequest: {
        rsp.command = Command::DeleteCertResponse;
        rsp.reason = phone.lsc ? 1 : 7;
        out.lsc_deleted = phone.lsc.has_value();
        phone.lsc.reset();
        CUCM_CHECK(send(rsp));
        break;
      }
      case Command::FetchCertRequest: {
        rsp.command = Command::FetchCertResponse;
        const PhoneIdentity* id = phone.lsc ? &*phone.lsc : phone.mic ? &*phone.mic : nullptr;
        rsp.reason = id ? 1 : 7;
        if (id) {
          rsp.certificate_type = static_cast<std::uint8_t>(phone.lsc ? capf::CertificateType::Lsc : capf::CertificateType::Mic);
          rsp.certificate = signer::cert_der(*id->cert);
          out.certificate_fetched = true;
        }
        CUCM_CHECK(send(rsp));
        break;
      }
      case Command::End:
        out.end_reason = req.reason.value_or(0);
        link.close();
        return out;
      default:
        return make_error(Errc::InvalidArgument, fmt::format("capf client: unexpected {}", capf::command_name(req.command)));
    }
  }
}

}  // namespace cucm::phone

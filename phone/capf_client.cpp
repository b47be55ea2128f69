// Phone-side CAPF over a blocking-looking sequence of Asio operations, each with a deadline.
#include "phone/capf_client.hpp"

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <fmt/format.h>

#include "signer/capf_signature.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"

namespace cucm::phone {
namespace asio = boost::asio;
using asio::ip::tcp;
using capf::Command;
using capf::Message;

namespace {

TlsSettings tls_settings(const CapfClientOptions& o) { return TlsSettings{o.tls_min, o.tls_max, o.tls_ciphers}; }

// CAPF messages over the phone's TLS link.
class Link {
 public:
  Link(const CapfClientOptions& o, std::shared_ptr<asio::ssl::context> tls)
      : opts_(o), link_(TlsLinkOptions{.service = "capf",
                                       .floor_flag = "--capf-tls-min",
                                       .host = o.host,
                                       .port = o.port,
                                       .timeout = o.timeout,
                                       .tls = tls_settings(o),
                                       .source = o.source,
                                       .sni = {}},
                        std::move(tls)) {}

  Status connect() {
    CUCM_CHECK(link_.connect());
    if (opts_.trusted_capf) {
      X509* peer = link_.peer_certificate();
      bool vouched = peer && X509_cmp(peer, opts_.trusted_capf) != 0 && opts_.vouch_for_server && opts_.vouch_for_server(*peer);
      if (!peer || (X509_cmp(peer, opts_.trusted_capf) != 0 && !vouched)) {
        return make_error(Errc::Unauthenticated, "capf client: the server certificate is not the CAPF certificate of the trust list");
      }
    }
    return Ok{};
  }

  std::string negotiated() { return link_.negotiated(); }

  Result<Message> read() {
    std::array<std::uint8_t, capf::kHeaderSize> h{};
    CUCM_CHECK(link_.read_exact(h, "read header"));
    CUCM_TRY(std::uint16_t len, capf::parse_header(h));
    Bytes m(h.begin(), h.end());
    m.resize(capf::kHeaderSize + len);
    CUCM_CHECK(link_.read_exact(std::span(m).subspan(capf::kHeaderSize), "read body"));
    last_wire_ = std::move(m);
    return capf::parse_message(last_wire_);
  }

  Status write(const Message& m) {
    CUCM_TRY(last_wire_, capf::build_message(m));
    return link_.write(last_wire_, "write");
  }

  // The bytes of the last message read or written, handed to the ladder (no copy).
  Bytes take_last_wire() { return std::move(last_wire_); }

  void close() { link_.close(); }

 private:
  const CapfClientOptions& opts_;
  TlsLink link_;
  Bytes last_wire_;
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

// A read that failed, said in terms of where the session stood: a silence after AuthResponse and a
// close after KeyGenResponse are what a hung or dropping CAPF looks like to a phone.
Error after_last_sent(Error e, std::optional<Command> last_sent) {
  if (last_sent == Command::AuthResponse && e.code == Errc::DeadlineExceeded) {
    e.message = "no answer to AuthResponse: " + e.message;
  } else if (last_sent == Command::KeyGenResponse && e.code == Errc::Unavailable) {
    e.message = "the server closed the session after KeyGenResponse, before StoreCertRequest: " + e.message;
  }
  return e;
}

bool matches(const EVP_PKEY& key, const Message& req) {
  bool want_ec = req.key_type.value_or(0) == static_cast<std::uint8_t>(capf::KeyType::Ec);
  if (want_ec) return signer::key_kind(key) == signer::KeyKind::Ec;
  return signer::key_kind(key) == signer::KeyKind::Rsa && signer::key_bits(key) == req.key_size.value_or(2048);
}

}  // namespace

// Over 60 lines: the phone's side of a session is one loop answering each server message in
// turn (PROTOCOLS §3.6); it reads as the ladder it produces, and the fault switches of the
// options sit next to the step they break.
Result<CapfOutcome> run_capf(CapfPhone& phone, const CapfClientOptions& opts) {
  CUCM_TRY(auto tls, opts.tls_contexts ? opts.tls_contexts->get(tls_settings(opts)) : make_client_tls(tls_settings(opts)));
  Link link(opts, std::move(tls));
  CUCM_CHECK(link.connect());
  CapfOutcome out;
  out.tls = link.negotiated();
  signer::PkeyPtr new_key;
  std::optional<Command> last_sent;
  auto send = [&](Message m) -> Status {
    m.sid = out.sid;
    last_sent = m.command;
    out.ladder.push_back(fmt::format("P->S {}", capf::command_name(m.command)));
    auto st = link.write(m);
    out.wires.push_back(link.take_last_wire());
    return st;
  };
  while (true) {
    auto read = link.read();
    if (!read) return after_last_sent(std::move(read).error(), last_sent);
    Message req = std::move(*read);
    out.sid = req.sid;
    out.ladder.push_back(fmt::format("S->P {}", capf::command_name(req.command)));
    out.wires.push_back(link.take_last_wire());
    if (opts.disconnect_on && req.command == *opts.disconnect_on) {
      link.close();
      out.ladder.push_back("P    disconnects");
      out.wires.emplace_back();
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

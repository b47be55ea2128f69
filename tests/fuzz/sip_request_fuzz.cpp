// Fuzzes the SIP request path as the server meets it, without a socket: the input is a stream
// (TCP, TLS) fed to the framer in uneven pieces, and every frame, and the whole input as one UDP
// datagram, is parsed by libosip2 and decided by the registrar for a plain, a secure and a
// password-protected line and for a trunk peer; every answer built must parse back as a response
// to the same transaction.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sip/proto/builder.hpp"
#include "sip/proto/framer.hpp"
#include "sip/proto/message.hpp"
#include "sip/proto/registrar.hpp"

namespace cucm::sip {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void answer_back(const Message& req, const Decision& d) {
  if (!d.respond) return;
  auto text = build_response(req, d.code, d.reason, d.extras);
  require(text.has_value());
  auto back = parse_message(*text);
  require(back.has_value() && !back->request && back->status == d.code && back->call_id == req.call_id &&
          back->cseq == req.cseq);
}

void decide(std::string_view bytes) {
  auto m = parse_message(bytes);
  if (!m || !m->request) return;
  require(!m->call_id.empty() && m->cseq_method == m->method && m->content_length == m->body_length);
  static const Bytes secret(32, 3);
  RegistrarConfig cfg{.nonce_secret = secret, .now_unix = 1'000'000, .to_tag = "fz"};
  std::vector<LineOwner> lines{{"SEP001122334455", 1, m->to.user, "", "", 1},
                               {"SEP00112233AABB", 1, m->to.user, "u", "pw", 3}};
  PeerCertificate cert;
  cert.cn = "SEP00112233AABB";
  cert.names = {cert.cn, "cucm-b.example.com"};
  cert.type = "LSC";
  cert.phone = {ChainCheck::Verdict::Ok, ""};
  for (const Peer& p : {Peer{Transport::Udp, "127.0.0.1:1", {}}, Peer{Transport::Tls, "127.0.0.1:2", cert}}) {
    for (std::size_t n = 0; n <= lines.size(); ++n) {
      std::vector<LineOwner> some(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(n));
      Decision d = on_register(*m, p, some, cfg);
      require(!(d.bind && d.unbind));
      answer_back(*m, d);
    }
    answer_back(*m, on_options(*m, p, {{"to-b", {"cucm-b.example.com"}, true, "127.0.0.1"}, {"to-c", {"cucm-c"}, false, "192.0.2.1"}}, cfg));
  }
  answer_back(*m, on_other(*m, cfg));
}

}  // namespace
}  // namespace cucm::sip

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);  // NOLINT
  cucm::sip::decide(in);  // as one UDP datagram
  cucm::sip::StreamFramer f;
  std::size_t at = 0, piece = 1;
  while (at < in.size()) {
    std::size_t n = std::min(piece, in.size() - at);
    f.feed(in.substr(at, n));
    at += n;
    piece = piece * 3 + 1;  // uneven reads: 1, 4, 13, 40 … bytes
    for (;;) {
      auto frame = f.next();
      if (!frame) return 0;  // the transport answers 400 and closes
      if (!*frame) break;
      cucm::sip::require((*frame)->bytes.size() <= cucm::sip::kMaxHeaderBytes + cucm::sip::kMaxBodyBytes);
      if ((*frame)->kind == cucm::sip::Frame::Kind::Message) cucm::sip::decide((*frame)->bytes);
    }
  }
  return 0;
}

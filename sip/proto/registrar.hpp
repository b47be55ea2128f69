// The registrar and trunk endpoint's decisions, without I/O: a parsed request, what the
// connection knows of its peer (transport, the client certificate as the transport checked it)
// and what the caller looked up (the lines of the directory number, the trunks) go in; the answer,
// the binding to record or remove and the event to log come out. The caller applies them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "sip/proto/builder.hpp"
#include "sip/proto/message.hpp"

namespace cucm::sip {

enum class Transport : std::uint8_t { Udp, Tcp, Tls };
std::string_view transport_name(Transport t);  // "udp", "tcp", "tls"

// How a certificate chain fared against one set of anchors, at the time of the handshake.
struct ChainCheck {
  enum class Verdict : std::uint8_t { Ok, Untrusted, Expired, NotYetValid };
  Verdict verdict = Verdict::Untrusted;
  std::string detail;  // OpenSSL's words, for the event and the Warning
  bool ok() const { return verdict == Verdict::Ok; }
};

// The client certificate a TLS peer presented, checked by the transport.
struct PeerCertificate {
  std::string cn;
  std::vector<std::string> names;  // the CN and every DNS subjectAltName
  std::string type;                // "LSC" (issued by our CAPF), "MIC" (chains to CAPF-trust) or ""
  ChainCheck phone;                // against the CAPF certificate and CAPF-trust
  ChainCheck trunk;                // against CallManager-trust; not checked when `phone` is ok
};

struct Peer {
  Transport transport = Transport::Udp;
  std::string address;  // ip:port, for the binding and the event
  std::optional<PeerCertificate> cert;
};

// A line whose directory number a REGISTER names, with what its device's profile asks.
struct LineOwner {
  std::string device;  // SEP<MAC>
  int line_index = 1;
  std::string directory_number, auth_name, auth_password;
  int security_mode = 1;  // 1 non-secure, 2 authenticated, 3 encrypted
};

struct TrunkPeer {
  std::string name;
  std::vector<std::string> subjects;  // the profile's X.509 subject names
  // Whether the request came from the trunk's peer: CUCM finds a trunk by the peer's address
  // before it checks the subject names. The transport decides (a host name is not resolved on
  // the request path, so a trunk named by host name admits any address).
  bool from_peer = true;
  std::string peer_host;  // for the refusal's words
};

// A phone line's registration: what the caller records.
struct Binding {
  std::string device;
  int line_index = 1;
  std::string directory_number, contact, source, cert_type, call_id, user_agent;
  Transport transport = Transport::Udp;
  int expires = 0;  // seconds from now
};

struct Decision {
  bool respond = true;  // false for ACK, which is never answered
  int code = 200;
  std::string reason = "OK";
  ResponseExtras extras;
  std::optional<Binding> bind;   // record it (a REGISTER accepted with expires > 0)
  std::optional<Binding> unbind; // remove it (expires 0, or Contact: *)
  // The event to log: empty `what` for none (OPTIONS keepalives are not events).
  std::string device, what, result;
  std::string failed_check;      // the check a refusal failed: "transport", "client certificate", …
};

struct RegistrarConfig {
  ByteView nonce_secret;  // for the digest nonces; kept by the server, never written
  std::int64_t now_unix = 0;
  std::string to_tag;     // for the To header of this answer
  int min_expires = 60;
  int max_expires = 3600;
  int default_expires = 3600;
};

// REGISTER. `lines`: every line whose directory number is the To header's user.
Decision on_register(const Message& req, const Peer& peer, const std::vector<LineOwner>& lines, const RegistrarConfig& cfg);
// OPTIONS: 200 to phones and to trunk peers, 403 over TLS to a certificate neither a phone's nor
// one a trunk admits by its X.509 subject names (seed 003).
Decision on_options(const Message& req, const Peer& peer, const std::vector<TrunkPeer>& trunks, const RegistrarConfig& cfg);
// Any other request: 405 with Allow; ACK: nothing.
Decision on_other(const Message& req, const RegistrarConfig& cfg);

// Which of a trunk's X.509 `subjects` one of `names` (a certificate's CN and DNS SANs) is, ignoring
// case as CUCM does; empty for none. The registrar admits a trunk peer by it, the trunk ping
// checks its peer with it.
std::string match_subject(const std::vector<std::string>& names, const std::vector<std::string>& subjects);

// Whether a certificate's CN names `device`: the LSC's CN is the device name, a Cisco MIC's is
// CP-<model>-SEP<MAC>.
bool cn_names_device(std::string_view cn, std::string_view device);

}  // namespace cucm::sip

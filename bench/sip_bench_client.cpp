// sip_bench's phones: setup and one registration.
#include "bench/sip_bench_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <ctime>

#include <fmt/format.h>
#include <openssl/err.h>

#include "core/bytes.hpp"
#include "core/file_io.hpp"
#include "db/device_store.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/lsc.hpp"
#include "signer/tls_versions.hpp"
#include "sip/proto/builder.hpp"
#include "sip/proto/framer.hpp"
#include "sip/proto/message.hpp"

namespace cucm::bench {
namespace fs = std::filesystem;

std::string device_name(int i) { return fmt::format("SEP{:012X}", 0xB5E50000ULL + static_cast<unsigned>(i)); }
std::string directory_number(int i) { return std::to_string(60000 + i); }
fs::path lsc_path(const fs::path& data, int i, const char* ext) {
  return data / "sip-bench" / fmt::format("lsc-{:03}.{}", i, ext);
}

Result<int> ensure_phones(cluster::Cluster& cl, const fs::path& data, int count) {
  db::DeviceStore devices(cl.db());
  const auto& capf = cl.pki().identity(signer::PkiRole::Capf);
  std::error_code ec;
  fs::create_directories(data / "sip-bench", ec);
  if (ec) return make_error(Errc::Unavailable, "cannot create " + (data / "sip-bench").string() + ": " + ec.message());
  int made = 0;
  for (int i = 0; i < count; ++i) {
    if (!devices.get(device_name(i))) {
      db::Device d;
      d.name = device_name(i);
      d.product = "Cisco 8845";
      d.protocol = "SIP";
      d.profile = kSipProfile;
      db::Line l;
      l.directory_number = directory_number(i);
      d.lines.push_back(l);
      CUCM_CHECK(devices.add(d));
    }
    if (fs::exists(lsc_path(data, i, "pem")) && fs::exists(lsc_path(data, i, "key"))) continue;
    CUCM_TRY(auto key, signer::generate_key({}));
    CUCM_TRY(auto lsc, signer::issue_lsc(device_name(i), *key, *capf.cert, *capf.key, 365));
    CUCM_TRY(auto key_pem, signer::private_key_pem(*key));
    CUCM_CHECK(write_file_atomic(lsc_path(data, i, "key"), key_pem, 0600));
    CUCM_CHECK(write_file_atomic(lsc_path(data, i, "pem"), signer::cert_pem(*lsc)));
    ++made;
  }
  return made;
}

Result<std::vector<Phone>> load_phones(const fs::path& data, int count, const std::string& tls) {
  std::vector<Phone> out;
  for (int i = 0; i < count; ++i) {
    CUCM_TRY(auto cert_pem, read_file(lsc_path(data, i, "pem")));
    CUCM_TRY(auto key_pem, read_file(lsc_path(data, i, "key")));
    CUCM_TRY(auto cert, signer::load_cert(cert_pem));
    CUCM_TRY(auto key, signer::load_private_key(key_pem));
    Phone p{device_name(i), directory_number(i), SslCtxPtr(SSL_CTX_new(TLS_client_method()))};
    SSL_CTX* c = p.tls.get();
    if (!c || SSL_CTX_use_certificate(c, cert.get()) != 1 || SSL_CTX_use_PrivateKey(c, key.get()) != 1) {
      return make_error(Errc::Internal, "cannot load " + lsc_path(data, i, "pem").string() + " into a TLS context");
    }
    CUCM_CHECK(signer::set_tls_min_version(*c, "1.2"));
    if (tls == "1.2") CUCM_CHECK(signer::set_tls_max_version(*c, "1.2", ""));
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// A blocking TCP socket with send and receive deadlines; closed when it goes.
struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

std::string ssl_error(const char* what) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  const char* why = e ? ERR_reason_error_string(e) : nullptr;
  return fmt::format("{}: {}", what, why ? why : "connection closed or timed out");
}

std::string connect_to(Socket& s, std::uint16_t port, std::chrono::milliseconds timeout) {
  s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.fd < 0) return "socket failed";
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  int one = 1;
  ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // the REGISTER follows the handshake at once
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) return "connect failed";  // NOLINT
  return "";
}

std::string request(const Phone& p, std::uint32_t seq) {
  sip::RequestSpec r;
  r.uri = "sip:127.0.0.1:5061;transport=tls";
  r.via_host = "127.0.0.1:5061";
  r.branch = fmt::format("z9hG4bK{}-{}", p.device, seq);
  r.from_uri = r.to_uri = "sip:" + p.dn + "@127.0.0.1";
  r.from_tag = fmt::format("{}", seq);
  r.call_id = fmt::format("{}-sip-bench@127.0.0.1", p.device);
  r.cseq = seq;
  r.contact = "<sip:" + p.dn + "@127.0.0.1:5061;transport=tls>";
  r.expires = 3600;
  r.user_agent = "Cisco-CP8845/14.2.1 (sip_bench)";
  return sip::build_request(r);
}

Registration failed(std::string why) {
  Registration r;
  r.error = std::move(why);
  return r;
}

}  // namespace

Registration register_once(const Phone& p, std::uint16_t port, const X509& server_cert, std::uint32_t seq,
                           std::chrono::milliseconds timeout) {
  Registration out;
  Socket s;
  if (out.error = connect_to(s, port, timeout); !out.error.empty()) return out;
  std::unique_ptr<SSL, void (*)(SSL*)> ssl(SSL_new(p.tls.get()), SSL_free);
  if (!ssl || SSL_set_fd(ssl.get(), s.fd) != 1) return failed(ssl_error("SSL_new"));
  if (SSL_connect(ssl.get()) != 1) return failed(ssl_error("TLS handshake"));
  X509* shown = SSL_get0_peer_certificate(ssl.get());
  if (!shown || X509_cmp(shown, &server_cert) != 0) return failed("the server showed another certificate");
  out.tls = fmt::format("{} {}", SSL_get_version(ssl.get()), SSL_get_cipher_name(ssl.get()));
  std::string req = request(p, seq);
  if (SSL_write(ssl.get(), req.data(), static_cast<int>(req.size())) != static_cast<int>(req.size())) {
    return failed(ssl_error("write"));
  }
  sip::StreamFramer framer;
  std::array<char, 4096> buf{};
  for (int reads = 0; reads < 64; ++reads) {  // an answer is one or two records
    auto frame = framer.next();
    if (!frame) return failed("answer: " + frame.error().message);
    if (*frame && (*frame)->kind == sip::Frame::Kind::Message) {
      auto m = sip::parse_message((*frame)->bytes);
      if (!m) return failed("answer: " + m.error().message);
      out.status = m->status;
      out.reason = m->reason;
      if (auto w = (*frame)->bytes.find("Warning:"); out.status != 200 && w != std::string::npos) {
        out.reason += ": " + (*frame)->bytes.substr(w, (*frame)->bytes.find("\r\n", w) - w);
      }
      SSL_shutdown(ssl.get());  // our close_notify, not waiting for the server's
      return out;
    }
    int n = SSL_read(ssl.get(), buf.data(), static_cast<int>(buf.size()));
    if (n <= 0) return failed(ssl_error("read"));
    framer.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
  return failed("answer: no whole message in 64 reads");
}

}  // namespace cucm::bench

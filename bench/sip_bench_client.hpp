// sip_bench's phones: the devices on an encrypted SIP profile, each with one line and an LSC from
// the cluster's CAPF (made once and kept in the data folder, so that run_sip_bench.sh's s_time
// presents the same ones), and one registration as a phone does it after losing its connection:
// a new TCP connection, a full TLS handshake presenting the LSC (no session resumption), one
// REGISTER, its answer read and parsed, close. Plain OpenSSL on a blocking socket with deadlines,
// so that the client side costs about what `openssl s_time -new` does.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "cluster/cluster.hpp"
#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::bench {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

inline constexpr const char* kSipProfile = "Cisco 8845 - Standard SIP Encrypted Config";

// Device i: SEP0000B5E50000 + i, line 1 with directory number 60000 + i; its LSC and key are
// <data>/sip-bench/lsc-NNN.pem and .key (NNN = i, three digits or more).
std::string device_name(int i);
std::string directory_number(int i);
std::filesystem::path lsc_path(const std::filesystem::path& data, int i, const char* ext);

// Adds the devices not yet in the database and issues the LSCs not yet on disk (an RSA-2048 key
// each). Returns how many LSCs it had to make.
Result<int> ensure_phones(cluster::Cluster& cl, const std::filesystem::path& data, int count);

struct Phone {
  std::string device, dn;
  SslCtxPtr tls;  // presents the device's LSC; no session cache
};

// The phones' TLS: `tls` is "1.3" (the highest) or "1.2"; the LSCs read from disk.
Result<std::vector<Phone>> load_phones(const std::filesystem::path& data, int count, const std::string& tls);

struct Registration {
  std::string error;   // empty: the server answered `status`
  int status = 0;
  std::string reason;  // the answer's reason phrase and Warning, for a status other than 200
  std::string tls;     // "TLSv1.3 TLS_AES_256_GCM_SHA384"
};

// One registration of `p` against 127.0.0.1:`port`; the server must show `server_cert` (a phone
// finds the CallManager certificate in its CTL/ITL). `seq` makes the Call-ID, branch and CSeq.
Registration register_once(const Phone& p, std::uint16_t port, const X509& server_cert, std::uint32_t seq,
                           std::chrono::milliseconds timeout);

}  // namespace cucm::bench

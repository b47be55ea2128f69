// The CAPF faults that act before the phone names itself (issue 18): a TLS context that offers
// TLS 1.0 only, or no suite a phone offers. The connection's address finds the device: the
// address its TFTP and HTTP requests came from (fault::Board::seen_at).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "capf/context.hpp"
#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::capf {

struct FaultTls {
  boost::asio::ssl::context tls10_only{boost::asio::ssl::context::tls_server};
  boost::asio::ssl::context no_shared_suite{boost::asio::ssl::context::tls_server};
  // The CA of no cluster that signs the LSC under capf-lsc-unknown-ca (EngineConfig::stranger_ca).
  signer::X509Ptr stranger_ca;
  signer::PkeyPtr stranger_key;
};

// Both contexts with the CAPF certificate and key, and the stranger CA (EC P-256, made in memory
// and never written: it exists to be distrusted).
Result<std::unique_ptr<FaultTls>> make_fault_tls(const Context& ctx);

// The context a handshake fault armed for the device at `peer` ("10.0.0.5:51234") asks for, with
// the event posted that says so, and the fault's name in `fault`; null when none is armed.
boost::asio::ssl::context* handshake_fault(Context& ctx, FaultTls& tls, const std::string& peer, std::string& fault);

}  // namespace cucm::capf

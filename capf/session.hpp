// One CAPF conversation as a state machine (PROTOCOLS §3.6): bytes in, messages out, database
// effects applied only when the phone confirms. No I/O; the TLS server moves the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capf/context.hpp"
#include "capf/proto/message.hpp"
#include "db/model.hpp"

namespace cucm::capf {

class Session {
 public:
  Session(std::uint32_t sid, Context& ctx, std::string peer) : sid_(sid), ctx_(ctx), peer_(std::move(peer)) {}

  struct Out {
    std::vector<Bytes> send;
    bool close = false;
  };

  Out start();                          // AuthRequest{Version 3, AuthType 0}
  Out on_message(const Message& m);
  Out on_bad_bytes(const Error& e);     // framing or codec error: End{7} and close
  void on_disconnect();                 // the phone left: nothing is committed
  void on_tls_refused(const std::string& why);  // no session: the handshake failed for `why`
  const std::string& outcome() const { return outcome_; }

 private:
  enum class State { Auth, KeyGen, StoreCert, Fetch, Delete, Done };

  Out end(Reason r, std::string outcome);
  Out fail(std::string why);  // End{7}, status "Failed: why"
  Out on_auth(const Message& m);
  Status authenticate(const Message& m, const db::Device& d, const db::SecurityProfile& p);
  bool chains_to_trusted_ca(X509& cert) const;  // the CAPF CA or the CAPF trust store, one hop
  Status check_sudi(const SudiData& sudi) const;
  Out on_keygen(const Message& m);
  Out on_store(const Message& m);
  Out on_fetch(const Message& m);
  Out on_delete(const Message& m);
  Bytes message(Message m) const;
  // Writes the session's result (certificate change + status) in one transaction.
  Status finish(db::CapfOutcome outcome);
  void event(const std::string& what, const std::string& result);
  void write_pem(const std::string& folder, const std::string& name, X509& cert);
  void append_issued(const std::string& serial);  // DATA/capf/issued.pem

  std::uint32_t sid_;
  Context& ctx_;
  std::string peer_;
  State state_ = State::Auth;
  std::string device_;
  std::string operation_;
  std::string auth_type_used_;
  std::optional<Bytes> auth_cert_;  // the certificate the phone authenticated with
  std::string key_order_;
  int rsa_size_ = 2048, ec_size_ = 256;
  int in_progress_ = 0;
  signer::X509Ptr issued_;
  std::string outcome_ = "connected";
};

}  // namespace cucm::capf

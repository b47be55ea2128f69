// A Cisco phone's secure boot against any server (PROTOCOLS §1.1): trust lists, the signed
// config, the certHash decision, CAPF, and the encrypted config, each checked as a phone checks
// it, recorded as a ladder.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cnf/full_config.hpp"
#include "core/result.hpp"
#include "phone/capf_client.hpp"
#include "signer/lab_manufacturer.hpp"

namespace cucm::phone {

// Firmware behaviour: which transports, in which order, and which TLS versions and suites for
// CAPF.
struct FirmwareProfile {
  std::string name;        // "79xx" (SCCP, TFTP only, TLS 1.0) or "88xx" (SIP, HTTP first, TLS 1.2+)
  bool http_first = true;
  std::string tls_min = "1.2";
  std::string tls_max;     // "" = the highest OpenSSL has
  std::string tls_ciphers; // TLS 1.0-1.2 suites offered; "" = OpenSSL's default
  std::string model = "8845";  // four digits: the phone names itself CP-<model>-SEP<MAC> to TVS
  // With an ITL of SignerVersion 1.1, the config over HTTPS 6971 first (88xx; PROTOCOLS §8.1).
  bool https_config = false;
};
Result<FirmwareProfile> firmware_profile(const std::string& name);

struct BootOptions {
  std::string device;                  // SEP<MAC>
  std::string server = "127.0.0.1";    // the TFTP server (DHCP option 150)
  std::uint16_t tftp_port = 69;
  std::uint16_t http_port = 6970;
  std::uint16_t https_port = 6971;
  std::optional<std::uint16_t> capf_port;  // default: the config's capfList phonePort
  // The lab's port forward: a CAPF port the phone dials (the config's, or 3804 without a
  // capfList) that is served elsewhere, {dialled, served}. Any other port is dialled as it is, so
  // a config that names a wrong port still fails (`scenario run --simulate`).
  std::optional<std::pair<std::uint16_t, std::uint16_t>> capf_redirect;
  std::string transport = "auto";      // auto (the profile's order), tftp or http
  std::filesystem::path state_dir;     // the phone's own folder
  std::string auth_string;             // keyed in by a user for "By Authentication String"
  FirmwareProfile profile;
  std::chrono::milliseconds timeout{5'000};
  bool allow_capf = true;
  // Load tests: once the full config is in, ask TVS about the ITL's CallManager certificate, with
  // no remembered answer, as a phone checks a server certificate its ITL does not list (a boot
  // storm with one TVS query per phone). A refusal fails the boot.
  bool ask_tvs = false;
  // TLS contexts shared with other phones (a fleet); null: one of this boot's own.
  ClientTlsContexts* tls_contexts = nullptr;
  // Issues the phone's MIC when it has none yet; null: a self-signed one, which CAPF will not
  // record (a phone from no trusted manufacturer).
  const signer::LabManufacturer* manufacturer = nullptr;
  // The phone's own address, for every request (a fleet on loopback gives each phone one of
  // 127.0.0.0/8, so the server sees many clients as it would in a lab); none: the system's choice.
  std::optional<boost::asio::ip::address> source;
  // Once the full config is in, a SIP phone registers each of its lines with the config's first
  // call manager, over the config's transport. The ports override the config's sipPort and
  // securedSipPort (servers on ephemeral ports, as capf_port does for CAPF).
  bool register_lines = true;
  std::optional<std::uint16_t> sip_port, sip_tls_port;
};

struct LadderStep {
  double t = 0;                        // seconds since boot started
  std::string from, to, proto, what;   // e.g. phone, cucm, HTTP, "GET ITLSEP….tlv -> 200, 6897 bytes"
  std::string why;                     // the phone's reasoning, for --explain
  Bytes wire;                          // a CAPF or TVS message as sent (proto says which); else empty
};

struct BootResult {
  bool full_config = false;            // the phone reached a full configuration
  std::string failure;                 // why not
  // The first anomaly the phone noticed, named as the fault catalog (`cucm-emu scenario list`)
  // names the server fault that causes it, e.g. "sgn-bad-signature"; empty when none.
  std::string detected;
  std::vector<LadderStep> ladder;
  bool capf_ran = false;
  bool encrypted = false;              // the full config came from .enc.sgn
  std::string cert_hash;               // MD5 of the certificate the phone holds now
  std::vector<std::string> call_managers;
  int lines = 0;                       // the config's SIP lines
  bool sccp = false;                   // no SIP profile: an SCCP phone learns its lines at registration
  std::optional<cnf::VpnGroup> vpn;    // the full config's vpnGroup, for the VPN connect (seed 001)
  std::string vpn_problem;             // why a vpnGroup there could not be read
  // SIP registration, after the full config (which a failure here leaves as it is).
  int registered = 0;                  // lines registered
  std::string sip_failure;             // the first line's failure, or the connection's; empty when none
  std::string sip_transport;           // udp, tcp or tls; empty when no registration was tried
};

// Runs one boot. Errors are only for local problems (state folder); every protocol outcome,
// good or bad, is in the result.
Result<BootResult> boot(const BootOptions& opts);

}  // namespace cucm::phone

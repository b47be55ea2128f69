// The faults, as data. Reactions come from PROTOCOLS.md (sections named in each text); where no
// source says what real firmware does, the reaction is Unknown and the text says what our
// simulator, the reference, does instead.
#include "fault/catalog.hpp"

#include <array>

namespace cucm::fault {
namespace {

constexpr std::array<ParamSpec, 1> kTftpErrorParams{{{"code", 0, 8, 2, "the TFTP error code sent (RFC 1350: 0-7, 8 RFC 2347)"}}};
constexpr std::array<ParamSpec, 1> kTftpBlockParams{{{"block", 1, 65535, 1, "the DATA block affected"}}};
constexpr std::array<ParamSpec, 1> kTftpDelayParams{{{"ms", 1, 60'000, 1500, "delay before each DATA block, in ms"}}};
constexpr std::array<ParamSpec, 1> kHttpStatusParams{{{"code", 400, 599, 503, "the HTTP status answered"}}};
constexpr std::array<ParamSpec, 1> kHttpSlowParams{{{"ms", 1, 60'000, 10'000, "delay before the answer, in ms"}}};
constexpr std::array<ParamSpec, 1> kCapfRefuseParams{{{"reason", 0, 255, 7, "the End reason sent (PROTOCOLS §3.7)"}}};
constexpr std::array<ParamSpec, 1> kCapfPortParams{{{"port", 1, 65535, 3805, "the phonePort the config names"}}};

using enum Layer;
using enum Reaction;

// Order: files, transports, CAPF, TVS, as issue 18 lists them.
constexpr FaultSpec kFaults[] = {
    // --- files (the catalog builds them, never into the cache) ---
    {"sgn-bad-signature", File, "SEP<MAC>.cnf.xml.sgn with its signature's last byte flipped", RefusesFile,
     "refuses the config: the signature does not verify against the ITL's TFTP certificate (PROTOCOLS §1.1 step 5)",
     "seed 004: the signed config; TAC 116232 'signature verification failed'", {}, true},
    {"sgn-wrong-filename", File, "SEP<MAC>.cnf.xml.sgn validly signed, but its header names another file", RefusesFile,
     "refuses the config, as our simulator and SIPSTACK check the name; whether real firmware reads the header's "
     "filename is unknown (PROTOCOLS §9.17)",
     "PROTOCOLS §5.1: the header's filename", {}, true},
    {"sgn-signer-not-in-itl", File, "SEP<MAC>.cnf.xml.sgn signed by a key and certificate that no ITL record holds",
     RefusesFile, "refuses the config: no TFTP certificate of its ITL signed it (PROTOCOLS §1.1 step 5)",
     "TAC 116232: a TFTP certificate regenerated without a new ITL", {}, true},
    {"sgn-expired-signer", File,
     "the ITL's CallManager record and the .sgn's signer are an expired copy of the CallManager certificate (same key)",
     Unknown,
     "unknown: no source says whether phones check the validity dates of trust-list certificates; our simulator does "
     "not, and completes",
     "seed 003: an expired CallManager certificate before its renewal", {}, true},
    {"sgn-unknown-hash", File, "SEP<MAC>.cnf.xml.sgn whose header names an unknown hash algorithm (tag 27 value 9)",
     RefusesFile, "refuses the config: it cannot check a signature made with a digest it does not know (PROTOCOLS §5.1)",
     "PROTOCOLS §5.1: HashAlgorithm", {}, true},
    {"sgn-truncated", File, "SEP<MAC>.cnf.xml.sgn cut short inside its header", RefusesFile,
     "refuses the config: the header or the signature runs past the end (PROTOCOLS §5.1)",
     "a transfer cut short by a middlebox", {}, true},
    {"itl-bad-signature", File, "ITLSEP<MAC>.tlv with its signature's last byte flipped", KeepsOldTrust,
     "keeps the ITL it had and goes on with it; a phone with no ITL yet takes none (PROTOCOLS §1.1 step 4)",
     "TAC 116232: an ITL the phone cannot verify", {}, true},
    {"itl-untrusted-signer", File,
     "ITLSEP<MAC>.tlv signed by a new SAST (key and certificate) that the phone's ITL does not hold, as another cluster's",
     KeepsOldTrust,
     "keeps the ITL it had: a later ITL must verify against a signer it already trusts, or TVS must vouch for it "
     "(PROTOCOLS §1.1 step 4); a phone with no ITL yet takes it",
     "TAC 116232: certificates regenerated, phones stranded with the old ITL", {}, true},
    {"itl-without-capf", File, "ITLSEP<MAC>.tlv without its CAPF record (validly signed)", GivesUp,
     "takes the ITL, then refuses to open CAPF, whose certificate must be in the ITL or CTL (seed 004, PROTOCOLS §1.1 "
     "step 7): no full config while its certificate differs",
     "seed 004: the CAPF certificate in the ITL", {}, true},
    {"itl-without-tftp", File, "ITLSEP<MAC>.tlv without its TFTP and CallManager records (validly signed)", GivesUp,
     "takes the ITL, then refuses every signed config: no TFTP certificate of its ITL signed them (PROTOCOLS §1.1 "
     "step 5)",
     "TAC 116232: an ITL without the TFTP certificate", {}, true},
    {"ctl-in-non-mixed-mode", File, "CTLSEP<MAC>.tlv served although the cluster is not in mixed mode", Unknown,
     "unknown: a phone is not known to refuse a valid CTL outside mixed mode; our simulator takes it and completes",
     "PROTOCOLS §1.1 step 3: the CTL exists only in mixed mode", {}, true},
    {"certhash-empty", File, "the partial SEP<MAC>.cnf.xml.sgn carries an empty certHash", RunsCapf,
     "opens CAPF: an empty certHash is one of the three triggers (seed 004, PROTOCOLS §1.1 step 7)",
     "seed 004: 'an empty MD5'", {}, true},
    {"certhash-mismatch", File, "the partial SEP<MAC>.cnf.xml.sgn carries the MD5 of another certificate", RunsCapf,
     "opens CAPF: the hash differs from its own certificate's (seed 004, PROTOCOLS §1.1 step 7, §6.2)",
     "seed 004: device.md5hash out of step with the phone", {}, true},
    {"enc-wrong-key", File, "SEP<MAC>.cnf.xml.enc.sgn whose AES key is wrapped for another RSA key", RunsCapf,
     "cannot unwrap the key and runs CAPF again with reason 'decrypt failed' (SIPSTACK, PROTOCOLS §6.2); what real "
     "firmware does is undocumented (PROTOCOLS §9.11)",
     "seed 004: the LSC on record is not the one the phone holds", {}, true},
    {"enc-bad-padding", File, "SEP<MAC>.cnf.xml.enc.sgn whose last block decrypts to invalid padding", RunsCapf,
     "cannot strip the padding and runs CAPF again with reason 'decrypt failed' (SIPSTACK, PROTOCOLS §6.2, §9.11)",
     "PROTOCOLS §5.3: the padding", {}, true},
    {"enc-bad-digest", File, "SEP<MAC>.cnf.xml.enc.sgn whose plaintext digest does not match", RunsCapf,
     "finds the digest wrong and runs CAPF again with reason 'decrypt failed' (SIPSTACK, PROTOCOLS §6.2, §9.11)",
     "PROTOCOLS §5.3: the digest", {}, true},
    {"enc-missing", File, "SEP<MAC>.cnf.xml.enc.sgn answered 'not found' although the partial config says encrConfig",
     GivesUp, "gives up without a full config (SIPSTACK); what real firmware does is undocumented (PROTOCOLS §9.11)",
     "seed 004: TFTP encryption on, the encrypted file not built", {}, true},
    {"partial-without-capf", File, "the partial SEP<MAC>.cnf.xml.sgn without its capfList", Unknown,
     "unknown: SIPSTACK takes CAPF's address from the ITL's CAPF record and port 3804 (PROTOCOLS §6.2), so it runs "
     "CAPF all the same, as our simulator does",
     "seed 004: the capfList of the partial config", {}, true},
    {"capf-wrong-port", File, "the partial SEP<MAC>.cnf.xml.sgn names a CAPF phonePort where nothing listens",
     GivesUp, "cannot reach CAPF; retries 3 times, 30 s apart, then stops (PROTOCOLS §2.3)",
     "seed 004: CAPF port 3804 blocked", kCapfPortParams, true},
    // --- TFTP (the transfer engine) ---
    {"tftp-drop-block", Tftp, "the first sending of one DATA block is left out", Retries,
     "times out and sends its last ACK again; the transfer completes (RFC 1350)", "a lossy link", kTftpBlockParams,
     true},
    {"tftp-duplicate-block", Tftp, "one DATA block is sent twice", Completes,
     "ignores the duplicate and completes, without resending an ACK that would start the Sorcerer's Apprentice bug "
     "(RFC 1350, PROTOCOLS §8.2)",
     "a duplicating link", kTftpBlockParams, true},
    {"tftp-delay", Tftp, "every DATA block waits before it goes", Retries,
     "retransmits its ACKs while it waits and completes when the delay is below its timeout", "a slow WAN link",
     kTftpDelayParams, true},
    {"tftp-error", Tftp, "the RRQ is answered with a TFTP ERROR", GivesUp,
     "gives up on that file (error 1 for a CTL is normal, PROTOCOLS §1.1 step 3)", "a TFTP server missing files",
     kTftpErrorParams, true},
    {"tftp-ignore-options", Tftp, "blksize and tsize are ignored: DATA 1 of 512 bytes instead of an OACK", Completes,
     "accepts the plain transfer (RFC 2347)", "an RFC 1350-only TFTP server", {}, true},
    {"tftp-blksize-mismatch", Tftp, "the OACK names a blksize larger than the one asked for", GivesUp,
     "refuses the OACK with ERROR 8 (RFC 2347, 2348)", "a broken TFTP server", {}, true},
    // --- HTTP 6970 ---
    {"http-status", Http, "the request for the device's file is answered with an HTTP error status", FallsBackToTftp,
     "asks for the file over TFTP (PROTOCOLS §1.1 step 2, §8.1: HTTP once, then TFTP)",
     "a web proxy in front of 6970", kHttpStatusParams, true},
    {"http-slow", Http, "the answer waits before it is sent", FallsBackToTftp,
     "times out on HTTP and asks over TFTP (PROTOCOLS §8.1)", "an overloaded TFTP/HTTP node", kHttpSlowParams, true},
    {"http-truncated", Http, "the connection closes after half the body", FallsBackToTftp,
     "drops the short file and asks over TFTP (PROTOCOLS §8.1)", "a connection reset mid-transfer", {}, true},
    {"http-wrong-length", Http, "Content-Length says more bytes than the body has, then the connection closes",
     FallsBackToTftp,
     "drops the short file and asks over TFTP (PROTOCOLS §8.1); to the phone it is a body cut short, as http-truncated",
     "a broken proxy", {}, true},
    // --- CAPF 3804 ---
    {"capf-refuse", Capf, "the session ends at once with End and a reason", GivesUp,
     "ends CAPF without a certificate and retries later (PROTOCOLS §2.3, §3.7)", "seed 004: CAPF refusing the phone",
     kCapfRefuseParams, true},
    {"capf-stall-after-hello", Capf, "CAPF sends AuthRequest and then nothing", GivesUp,
     "times out and retries later (PROTOCOLS §2.3)", "a hung CAPF service", {}, true},
    {"capf-tls-1.0-only", Capf, "CAPF offers TLS 1.0 only", GivesUp,
     "a phone whose floor is TLS 1.2 fails the handshake; a 79xx completes (PROTOCOLS §3.1)",
     "seed 004: TLS versions of CAPF", {}, true},
    {"capf-cipher-mismatch", Capf, "CAPF accepts no suite the phone offers", GivesUp,
     "fails the handshake and retries later (PROTOCOLS §3.1)", "a hardened CAPF cipher list", {}, true},
    {"capf-lsc-wrong-cn", Capf, "the LSC issued names another device", Unknown,
     "unknown: whether firmware checks the LSC's CN is not documented", "PROTOCOLS §3.8: the LSC's subject", {}, true},
    {"capf-lsc-expired", Capf, "the LSC issued is already expired", Unknown,
     "unknown: whether firmware checks the LSC's dates is not documented", "PROTOCOLS §3.8: validity", {}, true},
    {"capf-lsc-wrong-eku", Capf, "the LSC issued has no clientAuth EKU", Unknown,
     "unknown; SIP over TLS with it fails at the call manager", "seed 003: EKUs", {}, true},
    {"capf-lsc-unknown-ca", Capf, "the LSC is signed by a CA the cluster does not trust", Unknown,
     "unknown for the phone; registration with it fails at the call manager", "seed 004: the CAPF CA", {}, true},
    {"capf-drop-before-store", Capf, "the connection closes before StoreCertRequest", GivesUp,
     "keeps its old certificate and retries later (PROTOCOLS §2.3)", "a network drop during CAPF", {}, true},
    // --- TVS 2445 ---
    {"tvs-invalid", Tvs, "TVS answers every query with status invalid", RefusesFile,
     "refuses the certificate TVS was asked about (PROTOCOLS §4)", "TAC 116232: TVS without the new certificate", {},
     true},
    {"tvs-no-answer", Tvs, "TVS accepts the connection and never answers", GivesUp,
     "times out and treats the certificate as unverified (PROTOCOLS §4)", "a hung TVS service", {}, true},
    {"tvs-wrong-roles", Tvs, "TVS vouches for the certificate with roles other than those asked", RefusesFile,
     "refuses a certificate without the role it needs (PROTOCOLS §4, §5.5)", "PROTOCOLS §5.5: roles", {}, true},
};

}  // namespace

const char* layer_name(Layer l) {
  switch (l) {
    case Layer::File: return "file";
    case Layer::Tftp: return "tftp";
    case Layer::Http: return "http";
    case Layer::Capf: return "capf";
    case Layer::Tvs: return "tvs";
  }
  return "?";
}

const char* reaction_name(Reaction r) {
  switch (r) {
    case Reaction::RefusesFile: return "refuses the file";
    case Reaction::KeepsOldTrust: return "keeps its old trust";
    case Reaction::RunsCapf: return "runs CAPF";
    case Reaction::FallsBackToTftp: return "falls back to TFTP";
    case Reaction::Retries: return "retries";
    case Reaction::GivesUp: return "gives up";
    case Reaction::Completes: return "completes";
    case Reaction::Unknown: return "unknown";
  }
  return "?";
}

std::span<const FaultSpec> all_faults() { return kFaults; }

Reaction simulated_reaction(const FaultSpec& f) {
  if (f.reaction != Reaction::Unknown) return f.reaction;
  if (f.name == "partial-without-capf") return Reaction::RunsCapf;
  return Reaction::Completes;  // sgn-expired-signer, ctl-in-non-mixed-mode: our simulator checks neither
}

const FaultSpec* find_fault(std::string_view name) {
  for (const auto& f : kFaults) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace cucm::fault

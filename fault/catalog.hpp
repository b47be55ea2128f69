// The catalog of named server-side faults (issue 18): each one a way the server can misbehave that
// a phone must survive or refuse, with the reaction correct firmware shows (PROTOCOLS.md, where it
// is known) and the seed or troubleshooting step it reproduces. Data only: arming lives in
// fault/store, applying in the layer that produces the file, packet or message.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cucm::fault {

// Where a fault acts: what it changes is produced there, never written into the normal files.
enum class Layer : std::uint8_t { File, Tftp, Http, Capf, Tvs };
const char* layer_name(Layer l);

// What a correct phone does about a fault, in terms an observer can check from the outside (the
// event log, or our simulator's ladder).
enum class Reaction : std::uint8_t {
  RefusesFile,      // rejects the file, says why, and goes no further with it this boot
  KeepsOldTrust,    // rejects a new trust list and keeps the one it had (a first boot has none)
  RunsCapf,         // decides its certificate is not the server's and opens CAPF
  FallsBackToTftp,  // gives up on HTTP for that file and asks over TFTP
  Retries,          // repeats the request or the lost packet and completes
  GivesUp,          // stops the boot without a full config (until reset or a fix)
  Completes,        // nothing visible: the phone ends with a full config all the same
  Unknown,          // no source says what real firmware does (see `reaction_text`)
};
const char* reaction_name(Reaction r);

// One parameter a fault takes (`scenario set FAULT --param name=value`): an integer in a range.
struct ParamSpec {
  std::string_view name;
  std::int64_t min = 0, max = 0, fallback = 0;
  std::string_view meaning;
};

struct FaultSpec {
  std::string_view name;         // "sgn-bad-signature"
  Layer layer = Layer::File;
  std::string_view description;  // one line: what the server does
  Reaction reaction = Reaction::Unknown;
  std::string_view reaction_text;  // the reaction in words, with its source or "unknown"
  std::string_view reproduces;     // the seed or troubleshooting step it reproduces
  std::span<const ParamSpec> params;
  // Applied by this build. A fault of the catalog that is not yet is listed as planned, and arming
  // it is refused: it would do nothing.
  bool ready = false;
};

// Every fault, in the catalog's order.
std::span<const FaultSpec> all_faults();
// What our simulator, the reference firmware, does: the reaction, or for an Unknown one what the
// simulator does instead (its text says so).
Reaction simulated_reaction(const FaultSpec& f);
// The fault of that name, or nullptr.
const FaultSpec* find_fault(std::string_view name);

}  // namespace cucm::fault

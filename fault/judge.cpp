// The judge: events in, a verdict out.
#include "fault/judge.hpp"

#include <fmt/format.h>

namespace cucm::fault {
namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// The file an event's "what" asks for: "GET SEP….cnf.xml.sgn variant=…" -> "SEP….cnf.xml.sgn".
std::string file_of(std::string_view what) {
  auto space = what.find(' ');
  if (space == std::string_view::npos) return {};
  auto rest = what.substr(space + 1);
  return std::string(rest.substr(0, rest.find(' ')));
}

// Whether the phone got a full config: a decrypted one (an .enc.sgn served whole), or a signed
// full config (variant full-signed). A file the fault spoiled is no config.
bool full_config_event(const db::Event& e, bool spoiled) {
  if (!e.result.starts_with("ok") || (spoiled && contains(e.result, "injected"))) return false;
  return contains(e.what, ".enc.sgn variant=enc") || contains(e.what, "variant=full-signed");
}

Reaction classify(const Observation& o) {
  if (o.tftp_fallback) return Reaction::FallsBackToTftp;
  if (o.capf) return Reaction::RunsCapf;
  if (o.full_config) return Reaction::Completes;
  return Reaction::GivesUp;
}

// A phone on its way to its first LSC runs CAPF in a normal boot too: for a fault it should
// survive, reaching a full config is what counts.
bool matches(Reaction expected, Reaction observed, const Observation& o) {
  switch (expected) {
    case Reaction::Retries:
    case Reaction::Completes:
      return o.full_config;
    case Reaction::RefusesFile:
    case Reaction::GivesUp:
      return observed == Reaction::GivesUp;
    case Reaction::KeepsOldTrust:
      return observed == Reaction::GivesUp || observed == Reaction::Completes;
    default:
      return observed == expected;
  }
}

}  // namespace

Observation observe(const std::vector<db::Event>& events, std::string_view fault) {
  Observation o;
  std::string marker = fmt::format("injected {}", fault);
  const FaultSpec* spec = find_fault(fault);
  // A file or an HTTP answer the fault changed is spoiled; a TFTP transfer the fault only delayed,
  // duplicated or stripped of its options still delivered the file.
  bool spoils = !spec || spec->layer != Layer::Tftp;
  std::vector<std::string> spoiled;  // files an injected HTTP answer spoiled
  for (const auto& e : events) {
    if (e.service == "admin") continue;
    o.boot_seen = true;
    o.sequence.push_back(fmt::format("{} {} {} -> {}", e.time, e.service, e.what, e.result));
    bool injected_here = contains(e.result, marker);
    if (injected_here) {
      o.injected = true;
      if (e.service == "http" && fault.starts_with("http-")) spoiled.push_back(file_of(e.what));
      if (spoils) continue;
    }
    if (!o.injected) continue;
    // A CAPF fault's own session is not the phone running CAPF again in reaction to it.
    if (e.service == "capf" && (!spec || spec->layer != Layer::Capf)) o.capf = true;
    if (e.service == "tftp") {
      std::string f = file_of(e.what);
      for (const auto& s : spoiled) o.tftp_fallback |= s == f;
    }
    o.full_config |= full_config_event(e, spoils);
  }
  return o;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::AsExpected: return "as expected";
    case Verdict::Unexpected: return "unexpected";
    case Verdict::NoBootSeen: return "no boot seen";
    case Verdict::NotTriggered: return "not triggered";
    case Verdict::Recorded: return "recorded";
  }
  return "?";
}

Judgement judge(const FaultSpec& f, const Observation& o, bool simulated) {
  Judgement j;
  if (!o.boot_seen) {
    j.why = "the device asked for nothing while the fault was armed";
    return j;
  }
  if (!o.injected) {
    j.verdict = Verdict::NotTriggered;
    j.why = "the device booted, but never asked for what the fault changes";
    return j;
  }
  j.observed = classify(o);
  Reaction expected = f.reaction;
  if (expected == Reaction::Unknown) {
    if (!simulated) {
      j.verdict = Verdict::Recorded;
      j.why = fmt::format("no expectation (the reaction of real firmware is unknown); the phone {}",
                          reaction_name(j.observed));
      return j;
    }
    expected = simulated_reaction(f);
  }
  bool ok = matches(expected, j.observed, o);
  j.verdict = ok ? Verdict::AsExpected : Verdict::Unexpected;
  j.why = fmt::format("expected: {}; seen: {}", reaction_name(expected), reaction_name(j.observed));
  return j;
}

}  // namespace cucm::fault

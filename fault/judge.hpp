// Judging a phone by what the server saw (issue 18, item 4): the events of one boot after a fault
// was armed, reduced to what the phone did about it, and compared with the reaction the catalog
// expects. Pure: the same judge serves a real phone in a lab and our simulator in CI.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/model.hpp"
#include "fault/catalog.hpp"

namespace cucm::fault {

// What the event log shows of one boot, from the device's first request after arming.
struct Observation {
  bool boot_seen = false;        // the device asked for anything
  bool injected = false;         // the fault was applied at least once
  bool capf = false;             // a CAPF session after the first injection
  bool tftp_fallback = false;    // asked over TFTP for a file an injected HTTP answer spoiled
  bool full_config = false;      // got a full config after the injection (an .enc.sgn, or a full .sgn)
  std::vector<std::string> sequence;  // one line per event: "12:00:01 http GET … -> ok: injected …"
};

// `events`: the device's, oldest first, all after the fault was armed.
Observation observe(const std::vector<db::Event>& events, std::string_view fault);

enum class Verdict : std::uint8_t {
  AsExpected,    // the observed reaction is the one expected
  Unexpected,    // another reaction
  NoBootSeen,    // the device asked for nothing before the timeout
  NotTriggered,  // it booted, but the fault never applied (a file it did not ask for)
  Recorded,      // no expectation (the catalog's reaction is unknown): what happened is reported
};
const char* verdict_name(Verdict v);

struct Judgement {
  Verdict verdict = Verdict::NoBootSeen;
  // What the phone was seen to do: RunsCapf, FallsBackToTftp, Completes, or GivesUp (it got no
  // full config and went no further). RefusesFile and KeepsOldTrust cannot be told apart from
  // GivesUp on the server's side; KeepsOldTrust also accepts Completes (its old trust may still
  // verify the configs); Completes and Retries are met by a full config, CAPF on the way or not.
  Reaction observed = Reaction::Unknown;
  std::string why;
};

// With `simulated`, an Unknown reaction is judged against what our simulator does instead of
// being only recorded.
Judgement judge(const FaultSpec& f, const Observation& o, bool simulated);

}  // namespace cucm::fault

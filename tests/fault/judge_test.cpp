// The judge: what the events of one boot say the phone did, and the verdict against the catalog.
#include "fault/judge.hpp"

#include <gtest/gtest.h>

namespace cucm::fault {
namespace {

db::Event ev(std::string service, std::string what, std::string result) {
  db::Event e;
  e.time = "2026-12-05 12:00:00.000";
  e.service = std::move(service);
  e.device = "SEP001122334455";
  e.what = std::move(what);
  e.result = std::move(result);
  return e;
}

const FaultSpec& spec(std::string_view name) {
  const FaultSpec* f = find_fault(name);
  EXPECT_NE(f, nullptr) << name;
  return *f;
}

TEST(FaultJudge, APhoneThatStopsAfterABadSignatureRefusedTheFile) {
  std::vector<db::Event> events = {
      ev("http", "GET CTLSEP001122334455.tlv", "not found: no CTL"),
      ev("http", "GET ITLSEP001122334455.tlv variant=itl bytes=7480", "ok"),
      ev("http", "GET SEP001122334455.cnf.xml.sgn variant=partial bytes=1400", "ok: injected sgn-bad-signature")};
  auto o = observe(events, "sgn-bad-signature");
  EXPECT_TRUE(o.boot_seen && o.injected);
  EXPECT_EQ(o.sequence.size(), 3u);
  auto j = judge(spec("sgn-bad-signature"), o, false);
  EXPECT_EQ(j.verdict, Verdict::AsExpected) << j.why;
  EXPECT_EQ(j.observed, Reaction::GivesUp);
}

TEST(FaultJudge, APhoneThatGoesOnToCapfAfterABadSignatureIsUnexpected) {
  std::vector<db::Event> events = {
      ev("http", "GET SEP001122334455.cnf.xml.sgn variant=partial bytes=1400", "ok: injected sgn-bad-signature"),
      ev("capf", "session install", "ok")};
  auto j = judge(spec("sgn-bad-signature"), observe(events, "sgn-bad-signature"), false);
  EXPECT_EQ(j.verdict, Verdict::Unexpected);
  EXPECT_EQ(j.observed, Reaction::RunsCapf);
  EXPECT_NE(j.why.find("expected: refuses the file; seen: runs CAPF"), std::string::npos) << j.why;
}

TEST(FaultJudge, TftpForTheFileHttpSpoiledIsAFallBack) {
  std::vector<db::Event> events = {
      ev("http", "GET ITLSEP001122334455.tlv", "status 503: injected http-status"),
      ev("tftp", "RRQ ITLSEP001122334455.tlv variant=itl bytes=7480 duration_ms=3", "ok"),
      ev("tftp", "RRQ SEP001122334455.cnf.xml.enc.sgn variant=enc bytes=3000 duration_ms=3", "ok")};
  auto o = observe(events, "http-status");
  EXPECT_TRUE(o.tftp_fallback);
  EXPECT_TRUE(o.full_config);
  EXPECT_EQ(judge(spec("http-status"), o, false).verdict, Verdict::AsExpected);
  // Over TFTP for another file only: no fall-back for the spoiled one.
  events.erase(events.begin() + 1);
  auto j = judge(spec("http-status"), observe(events, "http-status"), false);
  EXPECT_EQ(j.verdict, Verdict::Unexpected);
  EXPECT_EQ(j.observed, Reaction::Completes);
}

TEST(FaultJudge, NoEventsIsNoBootAndEventsWithoutTheFaultAreNotTriggered) {
  EXPECT_EQ(judge(spec("enc-missing"), observe({}, "enc-missing"), false).verdict, Verdict::NoBootSeen);
  std::vector<db::Event> events = {ev("http", "GET SEP001122334455.cnf.xml.sgn variant=full-signed bytes=900", "ok"),
                                   ev("admin", "scenario set enc-missing", "ok")};
  auto o = observe(events, "enc-missing");
  EXPECT_EQ(o.sequence.size(), 1u) << "admin events are not the phone's";
  EXPECT_EQ(judge(spec("enc-missing"), o, false).verdict, Verdict::NotTriggered);
}

TEST(FaultJudge, AnUnknownReactionIsRecordedForARealPhoneAndJudgedForTheSimulator) {
  std::vector<db::Event> events = {
      ev("http", "GET SEP001122334455.cnf.xml.sgn variant=partial bytes=1300", "ok: injected partial-without-capf"),
      ev("capf", "session install", "ok")};
  auto o = observe(events, "partial-without-capf");
  EXPECT_EQ(judge(spec("partial-without-capf"), o, false).verdict, Verdict::Recorded);
  EXPECT_EQ(judge(spec("partial-without-capf"), o, true).verdict, Verdict::AsExpected);
}

TEST(FaultJudge, KeepingOldTrustMayStopOrGoOnWithTheOldItl) {
  std::vector<db::Event> events = {ev("http", "GET ITLSEP001122334455.tlv variant=itl bytes=7480", "ok: injected itl-bad-signature")};
  EXPECT_EQ(judge(spec("itl-bad-signature"), observe(events, "itl-bad-signature"), false).verdict, Verdict::AsExpected);
  events.push_back(ev("http", "GET SEP001122334455.cnf.xml.enc.sgn variant=enc bytes=3000", "ok"));
  EXPECT_EQ(judge(spec("itl-bad-signature"), observe(events, "itl-bad-signature"), false).verdict, Verdict::AsExpected);
  events.push_back(ev("capf", "session install", "ok"));
  EXPECT_EQ(judge(spec("itl-bad-signature"), observe(events, "itl-bad-signature"), false).verdict, Verdict::Unexpected);
}

}  // namespace
}  // namespace cucm::fault

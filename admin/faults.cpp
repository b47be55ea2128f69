// Fault administration.
#include "admin/faults.hpp"

#include <chrono>

#include <fmt/format.h>

#include "db/model.hpp"
#include "fault/arm_text.hpp"

namespace cucm::admin {
namespace {

std::string str(std::string_view v) { return std::string(v); }

}  // namespace

std::string how_long(const fault::ArmedFault& a) {
  std::string until = a.until ? fmt::format("until {} UTC", fault::format_time(*a.until)) : "";
  if (!a.remaining) return a.until ? until : "until cleared";
  std::string times = fmt::format("{} time{}", *a.remaining, *a.remaining == 1 ? "" : "s");
  return a.until ? fmt::format("{}, {} at the latest", times, until) : times;
}

std::string expected_reaction(const fault::FaultSpec& f) {
  if (f.reaction != fault::Reaction::Unknown) {
    return fmt::format("a correct phone {}", fault::reaction_name(f.reaction));
  }
  return fmt::format("what a real phone does is unknown; the simulator {}",
                     fault::reaction_name(fault::simulated_reaction(f)));
}

Result<fault::ArmedFault> arm_fault(const db::Database& db, const fault::ArmRequest& r, const Actor& by) {
  CUCM_TRY(auto a, fault::FaultStore(db).arm(r, std::chrono::system_clock::now()));
  std::string who = a.device.empty() ? "every device" : a.device;
  std::string params = a.params.empty() ? "" : fmt::format(" ({})", fault::params_text(a.params));
  audit(db, by, a.device, fmt::format("scenario set {} for {}: {}{}", a.fault, who, how_long(a), params));
  return a;
}

Result<int> clear_faults(const db::Database& db, const std::string& name, const std::string& device, const Actor& by) {
  std::string dev;
  if (!device.empty()) {
    CUCM_TRY(dev, db::normalise_device_name(device));
  }
  CUCM_TRY(int n, fault::FaultStore(db).clear(name, dev));
  std::string which = fmt::format("{} for {}", name.empty() ? "every fault" : name, dev.empty() ? "any device" : dev);
  audit(db, by, dev, fmt::format("scenario clear {}: {} removed", which, n));
  return n;
}

nlohmann::json fault_spec_json(const fault::FaultSpec& f) {
  auto params = nlohmann::json::array();
  for (const auto& p : f.params) {
    params.push_back({{"name", str(p.name)}, {"min", p.min}, {"max", p.max}, {"default", p.fallback},
                      {"meaning", str(p.meaning)}});
  }
  return {{"name", str(f.name)},
          {"layer", fault::layer_name(f.layer)},
          {"ready", f.ready},
          {"reaction", fault::reaction_name(f.reaction)},
          {"simulated_reaction", fault::reaction_name(fault::simulated_reaction(f))},
          {"reaction_text", str(f.reaction_text)},
          {"reproduces", str(f.reproduces)},
          {"description", str(f.description)},
          {"params", params}};
}

nlohmann::json armed_fault_json(const fault::ArmedFault& a, fault::SystemTime now) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : a.params) params[k] = v;
  return {{"id", a.id},
          {"fault", a.fault},
          {"device", a.device.empty() ? "all" : a.device},
          {"remaining", a.remaining ? nlohmann::json(*a.remaining) : nlohmann::json(nullptr)},
          {"until", a.until ? nlohmann::json(fault::format_time(*a.until)) : nlohmann::json(nullptr)},
          {"params", params},
          {"armed_at", fault::format_time(a.armed_at)},
          {"active", a.active_at(now)}};
}

}  // namespace cucm::admin

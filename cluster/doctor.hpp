// `cucm-emu doctor`: whether a data folder and the ports are ready for serve, and what to fix
// when they are not. It only looks: it never creates the folder, a key or the database, since a
// doctor that makes what it checks hides the problem (and, run as root, would leave files the
// service's user cannot read).
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "core/port_owner.hpp"

namespace cucm::cluster {

enum class Verdict { Ok, Warning, Problem };
const char* verdict_name(Verdict v);  // "ok", "warning", "problem"

// One line of the report.
struct Finding {
  std::string check;   // "data folder", "permissions", "pki callmanager", "database", "port tftp", …
  Verdict verdict = Verdict::Ok;
  std::string detail;  // what was found, naming the file, port or process
  std::string fix;     // what to do about it; "" when nothing
};

// A socket serve would open.
struct Listener {
  std::string service;       // "tftp", "http", "https", "capf", "tvs"
  core::Transport transport = core::Transport::Tcp;
  std::string address;       // an IP literal, as serve takes it
  std::uint16_t port = 0;    // 0: any free port, nothing to check
  std::string port_flag;     // "--tftp-port": named in what to fix
  std::string address_flag;  // "--tftp-address"
  std::string off_flag;      // "--no-tftp"; "" when leaving port_flag out turns it off (metrics)
};

struct DoctorInput {
  std::filesystem::path data_dir;
  std::vector<Listener> listeners;  // the services serve would start
  std::string config_file;   // serve's --config they come from; "" for the defaults
  // Why serve would refuse that file ("" when it reads it): the ports are then not checked,
  // since which ones serve would open is not known.
  std::string config_error;
  std::time_t now = 0;              // for certificate validity
  // A port held by a process whose executable is named this is held by serve: fine.
  std::string program = "cucm-emu";
  std::filesystem::path proc = "/proc";
};

// Every check, in the order of the report: the data folder, the permissions of the private files,
// each identity of pki/, the lab manufacturing CA, the database, the config file, each port, the
// low ports.
std::vector<Finding> run_doctor(const DoctorInput& in);

bool any_problem(const std::vector<Finding>& findings);

}  // namespace cucm::cluster

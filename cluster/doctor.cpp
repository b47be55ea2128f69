// The report's order, and the checks of the data folder, its private files and its database.
#include "cluster/doctor.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "cluster/doctor_checks.hpp"
#include "signer/lab_manufacturer.hpp"

namespace cucm::cluster {
namespace fs = std::filesystem;

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Ok: return "ok";
    case Verdict::Warning: return "warning";
    case Verdict::Problem: return "problem";
  }
  return "problem";
}

bool any_problem(const std::vector<Finding>& findings) {
  for (const auto& f : findings) {
    if (f.verdict == Verdict::Problem) return true;
  }
  return false;
}

std::vector<Finding> run_doctor(const DoctorInput& in) {
  std::vector<Finding> out;
  // Without a folder, what would be in it is not a list of further problems: the one line says
  // how to make it. The ports do not depend on it.
  if (doctor::check_data_folder(in.data_dir, out)) {
    auto db = db::inspect_cluster_db(in.data_dir);
    doctor::check_private_files(in.data_dir, out);
    doctor::check_identities(in.data_dir, in.now, db, out);
    doctor::check_lab_ca(in.data_dir, in.now, out);
    doctor::check_database(in.data_dir, db, out);
  }
  if (!in.config_file.empty()) doctor::check_config(in, out);
  if (in.config_error.empty()) doctor::check_ports(in, out);
  // A library's message names its module ("pki: …"): said once when that is the check's name.
  for (auto& f : out) {
    if (f.detail.starts_with(f.check + ": ")) f.detail.erase(0, f.check.size() + 2);
  }
  return out;
}

namespace doctor {

std::string describe_uid(unsigned uid) {
  passwd pw{};
  passwd* found = nullptr;
  std::array<char, 4096> buf{};
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found && found->pw_name) {
    return fmt::format("uid {} ({})", uid, found->pw_name);
  }
  return fmt::format("uid {}", uid);
}

namespace {

// Access for the effective user, as serve would have it (access() checks the real one).
bool may_access(const fs::path& p, int mode) { return ::faccessat(AT_FDCWD, p.c_str(), mode, AT_EACCESS) == 0; }

const char* kAsServeUser = "run doctor as the user that runs serve (e.g. sudo -u cucm-emu cucm-emu doctor)";

}  // namespace

bool check_data_folder(const fs::path& dir, std::vector<Finding>& out) {
  const std::string check = "data folder";
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) {
      out.push_back({check, Verdict::Problem, fmt::format("{} does not exist", dir.string()),
                     fmt::format("make it with 'cucm-emu --data-dir {} pki init' (serve and the admin commands also "
                                 "make it on first use); if it should exist, check --data-dir and CUCM_EMU_DATA_DIR",
                                 dir.string())});
    } else {
      out.push_back({check, Verdict::Problem, fmt::format("cannot look at {}: {}", dir.string(), std::strerror(err)),
                     kAsServeUser});
    }
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    out.push_back({check, Verdict::Problem, fmt::format("{} is not a folder", dir.string()),
                   "move it away, or give --data-dir a folder"});
    return false;
  }
  auto mode = static_cast<unsigned>(st.st_mode & 07777);
  std::string owner = fmt::format("owned by {}, mode {:04o}", describe_uid(st.st_uid), mode);
  std::string give = fmt::format("{}, or give that user the folder (chown -R)", kAsServeUser);
  if (!may_access(dir, R_OK | X_OK)) {
    // Nothing in it can be read: one line, not one per file.
    out.push_back({check, Verdict::Problem,
                   fmt::format("{} cannot be read by {}: {}", dir.string(), describe_uid(::geteuid()), owner), give});
    return false;
  }
  if (!may_access(dir, W_OK)) {
    out.push_back({check, Verdict::Problem,
                   fmt::format("{} is not writable by {} ({}), and serve writes the database there", dir.string(),
                               describe_uid(::geteuid()), owner),
                   give});
  } else if (st.st_mode & S_IWOTH) {
    out.push_back({check, Verdict::Problem,
                   fmt::format("{} is writable by every user of this host (mode {:04o}): anyone may replace its keys "
                               "and database", dir.string(), mode),
                   fmt::format("chmod 700 {} (a folder cucm-emu makes is its owner's alone)", dir.string())});
  } else {
    out.push_back({check, Verdict::Ok, fmt::format("{}: {}", dir.string(), owner), ""});
  }
  return true;
}

namespace {

// The files only their owner may read: private keys (the identities', pending and backed-up ones,
// the lab CA's) and the database, which holds line passwords and CAPF authentication strings.
std::vector<fs::path> private_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir / "pki", ec), end; !ec && it != end; it.increment(ec)) {
    // <role>.key, <role>.pending.key and the <role>.key.bak-<time> that rotate and import leave.
    std::error_code type_ec;
    if (it->path().filename().string().find(".key") != std::string::npos && it->is_regular_file(type_ec)) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  files.push_back(signer::LabManufacturer::folder(dir) / "ca.key");
  for (const char* side : {"", "-wal", "-shm", "-journal"}) files.push_back(dir / (std::string("cucm.db") + side));
  return files;
}

}  // namespace

void check_private_files(const fs::path& dir, std::vector<Finding>& out) {
  const std::string check = "permissions";
  auto me = static_cast<unsigned>(::geteuid());
  std::size_t checked = 0, problems = 0;
  std::optional<Finding> foreign;  // one line for files of another owner, not one per file
  std::size_t foreign_count = 0;
  for (const auto& f : private_files(dir)) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0) continue;  // absent: the other checks say whether it should be there
    ++checked;
    auto mode = static_cast<unsigned>(st.st_mode & 07777);
    if (st.st_uid != me && !may_access(f, R_OK)) {
      ++problems;
      out.push_back({check, Verdict::Problem,
                     fmt::format("{} is owned by {} and {} cannot read it", f.string(), describe_uid(st.st_uid),
                                 describe_uid(me)),
                     kAsServeUser});
      continue;
    }
    if (st.st_uid != me && foreign_count++ == 0) {
      foreign = Finding{check, Verdict::Warning,
                        fmt::format("{} is owned by {}, not by {} that runs this doctor", f.string(),
                                    describe_uid(st.st_uid), describe_uid(me)),
                        fmt::format("run doctor as the user that runs serve (the owner, {})", describe_uid(st.st_uid))};
    }
    if ((mode & 077) != 0) {
      ++problems;
      out.push_back({check, Verdict::Problem,
                     fmt::format("{} is mode {:04o}: other users of this host can {} it", f.string(), mode,
                                 (mode & 022) != 0 ? "change" : "read"),
                     fmt::format("chmod 600 {}", f.string())});
    }
  }
  if (foreign) {
    if (foreign_count > 1) foreign->detail += fmt::format(" (and {} more private files)", foreign_count - 1);
    out.push_back(std::move(*foreign));
  }
  if (problems == 0 && !foreign) {
    out.push_back({check, Verdict::Ok,
                   checked == 0 ? std::string("no private key or database found")
                                : fmt::format("{} private files (keys, database) readable by their owner only", checked),
                   ""});
  }
}

void check_config(const DoctorInput& in, std::vector<Finding>& out) {
  if (in.config_error.empty()) {
    out.push_back({"config", Verdict::Ok, fmt::format("{}: serve reads it", in.config_file), ""});
    return;
  }
  out.push_back({"config", Verdict::Problem, fmt::format("{} (the ports were not checked)", in.config_error),
                 "correct the file: serve refuses it the same way ('cucm-emu serve --help' lists the options; a name "
                 "is the flag without its dashes)"});
}

void check_database(const fs::path& dir, const Result<db::DbInspection>& db, std::vector<Finding>& out) {
  const std::string check = "database";
  const std::string restore = "stop serve, then restore cucm.db from a backup ('sqlite3 cucm.db .recover | sqlite3 "
                              "new.db' may save what it can read)";
  if (!db && db.error().code == Errc::NotFound) {
    out.push_back({check, Verdict::Warning, fmt::format("no database yet ({})", (dir / "cucm.db").string()),
                   "serve makes it, as does any admin command ('cucm-emu device list')"});
    return;
  }
  if (!db) {
    // Damage is restored from a backup; a file this user may not read is the wrong user's.
    bool damaged = db.error().code == Errc::InvalidArgument;
    out.push_back({check, Verdict::Problem, db.error().message, damaged ? restore : kAsServeUser});
    return;
  }
  if (!db->ok()) {
    std::string lines;
    for (const auto& l : db->integrity) lines += (lines.empty() ? "" : "; ") + l;
    out.push_back({check, Verdict::Problem,
                   fmt::format("{} fails SQLite's integrity check: {}", (dir / "cucm.db").string(), lines), restore});
    return;
  }
  if (db->schema_version > db->known_version) {
    out.push_back({check, Verdict::Problem,
                   fmt::format("integrity ok, but schema {} is newer than the {} this cucm-emu knows: the database "
                               "was made by a newer cucm-emu", db->schema_version, db->known_version),
                   "run the newer cucm-emu, or restore a backup that this version made"});
  } else if (db->schema_version < db->known_version) {
    out.push_back({check, Verdict::Warning,
                   fmt::format("integrity ok, schema {}/{}: the next serve (or admin command) migrates it",
                               db->schema_version, db->known_version),
                   "nothing to do; keep a copy of cucm.db if you may go back to the older cucm-emu"});
  } else {
    out.push_back({check, Verdict::Ok, fmt::format("integrity ok, schema {}/{}", db->schema_version, db->known_version), ""});
  }
}

}  // namespace doctor
}  // namespace cucm::cluster

// The checks run_doctor runs, by what they look at; each appends its findings to `out`. Internal
// to cluster/doctor*.cpp.
#pragma once

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "cluster/doctor.hpp"
#include "core/result.hpp"
#include "db/inspect.hpp"

namespace cucm::cluster::doctor {

// False when there is no usable folder to look into (absent, or not a folder).
bool check_data_folder(const std::filesystem::path& data_dir, std::vector<Finding>& out);
void check_private_files(const std::filesystem::path& data_dir, std::vector<Finding>& out);
// `db`: the database's inspection, which tells a folder not yet used from one that lost pki/.
void check_identities(const std::filesystem::path& data_dir, std::time_t now, const Result<db::DbInspection>& db,
                      std::vector<Finding>& out);
void check_lab_ca(const std::filesystem::path& data_dir, std::time_t now, std::vector<Finding>& out);
void check_database(const std::filesystem::path& data_dir, const Result<db::DbInspection>& db,
                    std::vector<Finding>& out);
void check_config(const DoctorInput& in, std::vector<Finding>& out);
void check_ports(const DoctorInput& in, std::vector<Finding>& out);

// "uid 998 (cucm-emu)", or "uid 998" when it has no name.
std::string describe_uid(unsigned uid);

}  // namespace cucm::cluster::doctor

// JSON and text views of database records for the admin commands.
#pragma once

#include <nlohmann/json.hpp>

#include "db/model.hpp"

namespace cucm::app {

nlohmann::json device_json(const db::Device& d);
nlohmann::json profile_json(const db::SecurityProfile& p);
void print_device(const db::Device& d);
void print_profile(const db::SecurityProfile& p);

}  // namespace cucm::app

// Text views of database records for the admin commands (their JSON is admin/views.hpp).
#pragma once

#include "db/model.hpp"

namespace cucm::app {

void print_device(const db::Device& d);
void print_profile(const db::SecurityProfile& p);

}  // namespace cucm::app

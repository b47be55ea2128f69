// From database records to the cnf model of one phone's configuration.
#pragma once

#include "cnf/full_config.hpp"
#include "core/result.hpp"
#include "db/model.hpp"
#include "db/settings_store.hpp"

namespace cucm::catalog {

// The full config model: call manager, TVS and CAPF on the node address and cluster ports; load
// from the device or the cluster default for its product; certHash from the record.
cnf::PhoneConfig phone_config(const db::Device& d, const db::SecurityProfile& p, const db::ClusterSettings& s,
                              const std::optional<db::VpnGroup>& vpn);

std::vector<cnf::CallManagerMember> call_managers(const db::ClusterSettings& s);
std::vector<cnf::TvsMember> tvs_members(const db::ClusterSettings& s);

}  // namespace cucm::catalog

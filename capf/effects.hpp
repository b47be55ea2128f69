// What a CAPF engine asks of the world, done: the device looked up and the session's change
// committed on the CAPF's own database connection, and the records it leaves (the event log,
// issued.pem, the troubleshoot copies) written. The transport calls these; the engine does no I/O.
#pragma once

#include <string>
#include <vector>

#include "capf/context.hpp"
#include "capf/proto/engine.hpp"

namespace cucm::capf {

// The device and its security profile as the engine needs them. NotFound ("unknown device ...")
// for a name that is not a device or not on record; other errors are the database's.
Result<DeviceFacts> look_up_device(Context& ctx, const std::string& name);
// The commit in one transaction, only while the device's operation is still the one the session
// started with: AlreadyExists, saying that the new operation stays pending, otherwise.
Status apply_commit(Context& ctx, const Commit& commit);
// Every record, in order; a failure to write one is logged and does not stop the others.
void record_effects(Context& ctx, const std::string& peer, const std::vector<Effect>& effects);

}  // namespace cucm::capf

// What a Prometheus scrape of serve reads: the numbers every running service, the catalog's cache
// and the event log have counted, in the text exposition format. README "Metrics" lists each
// family and its labels.
#pragma once

#include <string>

#include "catalog/cached_catalog.hpp"
#include "core/result.hpp"
#include "db/event_writer.hpp"

namespace cucm::cluster {

class Services;

// Families of the services that run (a service turned off has no series); `events` may be null.
// Internal when a family is malformed, which is a bug. Called on the metrics endpoint's thread
// while the services run: it only reads atomics, and the cache's totals under its lock.
Result<std::string> scrape(const Services& services, const catalog::CachedCatalog& catalog,
                           const db::EventWriter* events);

}  // namespace cucm::cluster

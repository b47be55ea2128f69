// The full config as a libxml2 tree, before it is serialised: the partial config copies its
// elements from this tree directly when it is built from the model, instead of from a parse of
// the serialised text. Internal to cnf.
#pragma once

#include "cnf/full_config.hpp"
#include "cnf/xml.hpp"

namespace cucm::cnf {

// Errors as build_full_config.
Result<XmlDocPtr> full_config_doc(const PhoneConfig& c);

}  // namespace cucm::cnf

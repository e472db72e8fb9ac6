// The JSON description of one member, shared by /v1/meta and the result
// annotations of /v1/load so both always agree on titles, types and formats.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "model/model.h"

namespace strata {

// Cube's member data type: "number" for every measure, the declared type
// ("string", "number", "time", "boolean") for dimensions, "" for segments.
std::string_view member_type(const ResolvedMember& member);

// Whether /meta lists the member publicly: its cube (or view) and the member
// are public, and it is not a primary key (Cube hides primary keys unless
// they are made public; strata's model cannot tell an explicit `public:
// true` from the default, so primary keys are always listed as non-public).
bool member_public(const ResolvedMember& member);

// A model `meta` (serialized JSON) as a JSON value; text that is not JSON
// is returned as a string.
boost::json::value meta_value(const std::string& meta_json);

// {title, shortTitle, type, [description], [format], [meta],
//  measures: drillMembers, drillMembersGrouped{measures, dimensions}}
boost::json::object annotation_entry(const ResolvedMember& member, const Model& model);

// A /meta member entry named `full_name`: the annotation fields plus name,
// isVisible/public and the kind's own fields (aggType, cumulative... for
// measures; suggestFilterValues, primaryKey for dimensions). `extended` adds
// the member's SQL and measure filters.
boost::json::object meta_member(const std::string& full_name, const ResolvedMember& member,
                                const Model& model, bool extended);

}  // namespace strata

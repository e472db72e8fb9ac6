#include "api/rest/member_json.h"

#include <boost/json.hpp>

#include "api/rest/titles.h"

namespace strata {

namespace json = boost::json;

namespace {

const std::string& member_format(const ResolvedMember& m) {
  static const std::string kEmpty;
  if (m.dimension) return m.dimension->format;
  if (m.measure) return m.measure->format;
  return kEmpty;
}

const std::string& member_meta(const ResolvedMember& m) {
  static const std::string kEmpty;
  if (m.dimension) return m.dimension->meta_json;
  if (m.measure) return m.measure->meta_json;
  if (m.segment) return m.segment->meta_json;
  return kEmpty;
}

void add_drill_members(json::object& out, const Measure& measure, const Model& model) {
  json::array all, measures, dimensions;
  for (const auto& name : measure.drill_members) {
    all.emplace_back(name);
    const ResolvedMember* target = model.find_member(name);
    if (target == nullptr) continue;
    if (target->kind == MemberKind::kMeasure) measures.emplace_back(name);
    if (target->kind == MemberKind::kDimension) dimensions.emplace_back(name);
  }
  out["drillMembers"] = std::move(all);
  json::object grouped;
  grouped["measures"] = std::move(measures);
  grouped["dimensions"] = std::move(dimensions);
  out["drillMembersGrouped"] = std::move(grouped);
}

}  // namespace

std::string_view member_type(const ResolvedMember& member) {
  if (member.measure) return "number";
  if (member.dimension) return dimension_type_name(member.dimension->type);
  return "";
}

bool member_public(const ResolvedMember& member) {
  bool container = member.view ? member.view->shown : (member.cube ? member.cube->shown : true);
  if (!container) return false;
  if (member.dimension) return member.dimension->shown && !member.dimension->primary_key;
  if (member.measure) return member.measure->shown;
  if (member.segment) return member.segment->shown;
  return false;
}

json::value meta_value(const std::string& meta_json) {
  boost::system::error_code ec;
  json::value v = json::parse(meta_json, ec);
  if (ec) return json::string(meta_json);
  return v;
}

json::object annotation_entry(const ResolvedMember& member, const Model& model) {
  MemberTitles titles = member_titles(member);
  json::object out;
  out["title"] = titles.title;
  out["shortTitle"] = titles.short_title;
  if (auto type = member_type(member); !type.empty()) out["type"] = type;
  if (!titles.description.empty()) out["description"] = titles.description;
  if (const auto& format = member_format(member); !format.empty()) out["format"] = format;
  if (const auto& meta = member_meta(member); !meta.empty()) out["meta"] = meta_value(meta);
  if (member.measure) add_drill_members(out, *member.measure, model);
  return out;
}

json::object meta_member(const std::string& full_name, const ResolvedMember& member,
                         const Model& model, bool extended) {
  json::object out;
  out["name"] = full_name;
  for (auto& [k, v] : annotation_entry(member, model)) out[k] = std::move(v);
  bool visible = member_public(member);
  out["isVisible"] = visible;
  out["public"] = visible;
  if (member.measure) {
    out["aggType"] = measure_type_name(member.measure->type);
    out["cumulative"] = false;
    out["cumulativeTotal"] = false;
    if (extended) {
      if (!member.measure->sql.empty()) out["sql"] = member.measure->sql.to_string();
      json::array filters;
      for (const auto& f : member.measure->filters) {
        json::object filter;
        filter["sql"] = f.to_string();
        filters.push_back(std::move(filter));
      }
      if (!filters.empty()) out["filters"] = std::move(filters);
    }
  } else if (member.dimension) {
    out["suggestFilterValues"] = true;
    out["primaryKey"] = member.dimension->primary_key;
    if (extended) out["sql"] = member.dimension->sql.to_string();
  } else if (member.segment) {
    if (extended) out["sql"] = member.segment->sql.to_string();
  }
  if (member.view_member) out["aliasMember"] = member.cube->name + "." + member.view_member->member;
  return out;
}

}  // namespace strata

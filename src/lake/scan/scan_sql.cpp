#include "lake/scan/scan_sql.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "lake/lake_error.h"
#include "lake/scan/deletion_vector.h"
#include "lake/scan/transforms.h"
#include "lake/scan/values.h"

namespace strata::lake {

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

FileColumns FileSchemaCache::get(const std::string& path, const SqlRunner& run) {
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it != files_.end()) return it->second;
  }
  ResultSet rs;
  try {
    rs = run("SELECT name, field_id, num_children, type FROM parquet_schema(" + quote_string(path) +
             ")");
  } catch (const Error& e) {
    fail_file(path, "not a readable Parquet file: " + e.message());
  }
  FileColumns fc;
  size_t n = rs.row_count();
  auto children = [&](size_t i) -> int64_t {
    return rs.column(2).is_null(i) ? 0 : rs.column(2).value_at(i).i;
  };
  // Skips the subtree rooted at row i; returns the row after it.
  std::function<size_t(size_t)> skip = [&](size_t i) {
    size_t j = i + 1;
    for (int64_t c = 0; c < children(i) && j < n; ++c) j = skip(j);
    return j;
  };
  if (n > 0) {
    size_t j = 1;
    for (int64_t c = 0; c < children(0) && j < n; ++c) {
      std::string name = rs.column(0).is_null(j) ? "" : rs.column(0).string_at(j);
      if (!rs.column(1).is_null(j)) {
        fc.has_field_ids = true;
        fc.names_by_id[static_cast<int>(rs.column(1).value_at(j).i)] = name;
      }
      fc.names.push_back(name);
      fc.physical_types[name] = rs.column(3).is_null(j) ? "group" : rs.column(3).string_at(j);
      j = skip(j);
    }
  }
  std::lock_guard lock(mu_);
  files_.emplace(path, fc);
  return fc;
}

size_t FileSchemaCache::size() const {
  std::lock_guard lock(mu_);
  return files_.size();
}

namespace {

struct Column {
  int id = 0;
  const NestedField* field = nullptr;
  std::string physical;  // file column name; "" when absent
  std::string literal;   // SQL for an absent column
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string find_name(const std::vector<std::string>& names,
                      const std::vector<std::string>& wanted) {
  for (const auto& w : wanted) {
    for (const auto& n : names) {
      if (n == w) return n;
    }
  }
  for (const auto& w : wanted) {
    std::string lw = lower(w);
    std::string found;
    int count = 0;
    for (const auto& n : names) {
      if (lower(n) == lw) {
        found = n;
        ++count;
      }
    }
    if (count == 1) return found;
  }
  return "";
}

std::string absent_literal(const NestedField& f, const FileScanTask& task, const TableMetadata& m) {
  // 1. The identity partition value of this column.
  if (const PartitionSpec* spec = m.spec(task.spec_id)) {
    for (size_t i = 0; i < spec->fields.size() && i < task.partition.size(); ++i) {
      if (spec->fields[i].source_id == f.id && spec->fields[i].transform == "identity") {
        return sql_literal(task.partition[i], *f.type);
      }
    }
  }
  // 2. The column's initial default.
  if (f.initial_default && f.type->is_primitive()) {
    if (auto v = parse_json_value(*f.initial_default, *f.type)) return sql_literal(*v, *f.type);
  }
  return "CAST(NULL AS " + duckdb_type(*f.type) + ")";
}

std::string paths_list(const std::vector<std::string>& paths) {
  std::string out = "[";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i) out += ", ";
    out += quote_string(paths[i]);
  }
  return out + "]";
}

struct Group {
  bool by_id = true;
  std::vector<Column> columns;  // output fields, then extra equality columns
  std::vector<size_t> tasks;
};

}  // namespace

ScanSql build_scan_sql(const ScanPlan& plan, const TableMetadata& m, const ScanSqlContext& ctx) {
  ScanSql out;
  const Schema& schema = plan.schema;
  std::vector<const NestedField*> fields;
  for (const auto& f : schema.fields) fields.push_back(&f);
  if (plan.tasks.empty()) {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) sql += ", ";
      sql +=
          "CAST(NULL AS " + duckdb_type(*fields[i]->type) + ") AS " + quote_ident(fields[i]->name);
    }
    if (fields.empty()) sql += "NULL AS " + quote_ident("_empty");
    out.sql = sql + " WHERE false";
    return out;
  }

  std::vector<std::string> local(plan.tasks.size());
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  for (size_t ti = 0; ti < plan.tasks.size(); ++ti) {
    const FileScanTask& task = plan.tasks[ti];
    if (task.file.file_format != "PARQUET") {
      fail_file(task.file.file_path, "data files in " + task.file.file_format +
                                         " format are not supported (only Parquet)");
    }
    LocalFile lf = ctx.resolve(task.file.file_path);
    local[ti] = lf.path;
    out.files.push_back(lf);
    FileColumns fc = ctx.schemas->get(lf.path, ctx.run);

    std::vector<const NestedField*> needed = fields;
    std::set<int> eq_ids;
    for (size_t d : task.equality_deletes) {
      for (int id : plan.delete_files[d].file.equality_ids) eq_ids.insert(id);
    }
    for (int id : eq_ids) {
      if (std::none_of(needed.begin(), needed.end(),
                       [&](const NestedField* f) { return f->id == id; })) {
        const NestedField* f = m.find_field_any_schema(id);
        if (!f) {
          fail_file(plan.delete_files[task.equality_deletes[0]].file.file_path,
                    "equality delete on field id " + std::to_string(id) +
                        ", which no schema of the table defines");
        }
        needed.push_back(f);
      }
    }
    Group g;
    std::string key;
    for (const NestedField* f : needed) {
      Column c;
      c.id = f->id;
      c.field = f;
      if (fc.has_field_ids) {
        auto it = fc.names_by_id.find(f->id);
        if (it != fc.names_by_id.end()) c.physical = it->second;
      } else {
        std::vector<std::string> wanted;
        auto mapped = m.name_mapping.names_by_id.find(f->id);
        if (mapped != m.name_mapping.names_by_id.end()) {
          wanted = mapped->second;
        } else if (m.name_mapping.empty()) {
          wanted = {f->name};
        }
        c.physical = find_name(fc.names, wanted);
      }
      if (c.physical.empty()) {
        c.literal = absent_literal(*f, task, m);
        key += "A" + c.literal + "|";
      } else {
        if (!f->type->is_primitive()) g.by_id = false;
        key += "P" + c.physical + ":" + fc.physical_types[c.physical] + "|";
      }
      g.columns.push_back(std::move(c));
    }
    if (!fc.has_field_ids) g.by_id = false;
    key = (g.by_id ? "id|" : "name|") + key;
    if (!task.position_deletes.empty() || task.deletion_vector) key += "#" + std::to_string(ti);
    key += "#eq";
    for (size_t d : task.equality_deletes) key += ":" + std::to_string(d);
    auto [it, inserted] = groups.emplace(key, std::move(g));
    if (inserted) order.push_back(key);
    it->second.tasks.push_back(ti);
  }

  std::map<size_t, LocalFile> delete_local;
  auto delete_path = [&](size_t d) {
    auto it = delete_local.find(d);
    if (it == delete_local.end()) {
      it = delete_local.emplace(d, ctx.resolve(plan.delete_files[d].file.file_path)).first;
      out.files.push_back(it->second);
    }
    return it->second.path;
  };

  std::string sql;
  for (const std::string& key : order) {
    const Group& g = groups[key];
    const FileScanTask& first = plan.tasks[g.tasks.front()];
    bool positions = !first.position_deletes.empty() || first.deletion_vector.has_value();
    std::vector<std::string> paths;
    for (size_t ti : g.tasks) paths.push_back(local[ti]);
    auto expr = [&](const Column& c) {
      if (c.physical.empty()) return c.literal;
      if (g.by_id) return "d." + quote_ident("_c" + std::to_string(c.id));
      return "CAST(d." + quote_ident(c.physical) + " AS " + duckdb_type(*c.field->type) + ")";
    };
    std::string select = "SELECT ";
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) select += ", ";
      select += expr(g.columns[i]) + " AS " + quote_ident(fields[i]->name);
    }
    std::string from = "read_parquet(" + paths_list(paths);
    if (g.by_id) {
      std::string map;
      for (const Column& c : g.columns) {
        if (c.physical.empty()) continue;
        if (!map.empty()) map += ", ";
        map += std::to_string(c.id) + ": {name: " + quote_string("_c" + std::to_string(c.id)) +
               ", type: " + quote_string(duckdb_type(*c.field->type)) + ", default_value: NULL}";
      }
      if (map.empty()) {
        // No column of the table is in these files: read only row positions.
        from += ", file_row_number = true";
        positions = true;
      } else {
        from += ", schema = MAP {" + map + "}";
      }
    }
    if (positions && from.find("file_row_number") == std::string::npos)
      from += ", file_row_number = true";
    from += ") AS d";
    std::vector<std::string> where;
    if (!first.position_deletes.empty()) {
      std::vector<std::string> pd;
      for (size_t d : first.position_deletes) pd.push_back(delete_path(d));
      where.push_back("d.file_row_number NOT IN (SELECT pos FROM read_parquet(" + paths_list(pd) +
                      ") WHERE file_path = " + quote_string(first.file.file_path) + ")");
      out.delete_files += static_cast<int64_t>(first.position_deletes.size());
    }
    if (first.deletion_vector) {
      const DeleteFile& dv = plan.delete_files[*first.deletion_vector];
      std::string bytes = ctx.read(dv.file.file_path);
      std::vector<int64_t> deleted =
          read_deletion_vector(bytes, dv.file.content_offset.value_or(0),
                               dv.file.content_size_in_bytes.value_or(0), dv.file.file_path);
      if (!deleted.empty()) {
        std::string list;
        for (size_t i = 0; i < deleted.size(); ++i) {
          if (i) list += ",";
          list += std::to_string(deleted[i]);
        }
        where.push_back("d.file_row_number NOT IN (SELECT unnest([" + list + "]::BIGINT[]))");
      }
      out.delete_files += 1;
    }
    if (!first.equality_deletes.empty()) {
      // One NOT EXISTS per distinct set of equality ids.
      std::map<std::vector<int>, std::vector<size_t>> by_ids;
      for (size_t d : first.equality_deletes)
        by_ids[plan.delete_files[d].file.equality_ids].push_back(d);
      for (const auto& [ids, files] : by_ids) {
        std::vector<std::string> ep;
        for (size_t d : files) ep.push_back(delete_path(d));
        std::string map, cond;
        for (int id : ids) {
          const Column* c = nullptr;
          for (const Column& col : g.columns) {
            if (col.id == id) c = &col;
          }
          const NestedField* f = c ? c->field : m.find_field_any_schema(id);
          if (!f) continue;
          if (!map.empty()) map += ", ";
          map += std::to_string(id) + ": {name: " + quote_string("_e" + std::to_string(id)) +
                 ", type: " + quote_string(duckdb_type(*f->type)) + ", default_value: NULL}";
          if (!cond.empty()) cond += " AND ";
          cond += "e." + quote_ident("_e" + std::to_string(id)) + " IS NOT DISTINCT FROM " +
                  (c ? expr(*c) : "NULL");
        }
        if (cond.empty()) continue;
        where.push_back("NOT EXISTS (SELECT 1 FROM read_parquet(" + paths_list(ep) +
                        ", schema = MAP {" + map + "}) AS e WHERE " + cond + ")");
      }
      out.delete_files += static_cast<int64_t>(first.equality_deletes.size());
    }
    std::string part = select + " FROM " + from;
    for (size_t i = 0; i < where.size(); ++i) part += (i == 0 ? " WHERE " : " AND ") + where[i];
    if (!sql.empty()) sql += "\nUNION ALL\n";
    sql += part;
  }
  out.sql = sql;
  out.data_files = static_cast<int64_t>(plan.tasks.size());
  return out;
}

}  // namespace strata::lake

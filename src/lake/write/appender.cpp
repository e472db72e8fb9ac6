#include "lake/write/appender.h"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/time.h"
#include "lake/avro/manifest_writer.h"
#include "lake/catalog/folder_catalog.h"
#include "lake/lake_error.h"
#include "lake/metadata/json_util.h"
#include "lake/scan/scan_sql.h"
#include "lake/scan/transforms.h"
#include "lake/scan/values.h"
#include "lake/uuid.h"

namespace fs = std::filesystem;

namespace strata::lake {

namespace json = boost::json;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TypePtr iceberg_type_of(const Type& t, const std::string& column) {
  switch (t.id) {
    case TypeId::kBoolean: return primitive_type(TypeKind::kBoolean);
    case TypeId::kInt16:
    case TypeId::kInt32: return primitive_type(TypeKind::kInt);
    case TypeId::kInt64: return primitive_type(TypeKind::kLong);
    case TypeId::kFloat: return primitive_type(TypeKind::kFloat);
    case TypeId::kDouble: return primitive_type(TypeKind::kDouble);
    case TypeId::kDecimal: return primitive_type(TypeKind::kDecimal, t.precision, t.scale);
    case TypeId::kString:
    case TypeId::kJson: return primitive_type(TypeKind::kString);
    case TypeId::kDate: return primitive_type(TypeKind::kDate);
    case TypeId::kTime: return primitive_type(TypeKind::kTime);
    case TypeId::kTimestamp: return primitive_type(TypeKind::kTimestamp);
    case TypeId::kTimestampTz: return primitive_type(TypeKind::kTimestampTz);
    case TypeId::kUuid: return primitive_type(TypeKind::kUuid);
    case TypeId::kBlob: return primitive_type(TypeKind::kBinary);
    default:
      throw UserError("column '" + column + "' has type " + t.name() +
                          ", which strata cannot write to Iceberg yet",
                      {.hint = "cast it to a primitive type (text, number, date, timestamp)"});
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

// "day(ts)" -> {transform "day", column "ts"}; "truncate(4, s)" -> "truncate[4]";
// "bucket[16](id)" accepted as written; "region" -> identity.
std::pair<std::string, std::string> parse_partition_term(const std::string& raw) {
  std::string term = trim(raw);
  size_t open = term.find('(');
  if (open == std::string::npos) return {"identity", term};
  if (term.back() != ')') throw UserError("cannot read partition term '" + raw + "'");
  std::string fn = lower(trim(term.substr(0, open)));
  std::string args = term.substr(open + 1, term.size() - open - 2);
  size_t comma = args.find(',');
  if (fn == "truncate" || fn == "bucket") {
    if (comma == std::string::npos) {
      throw UserError("partition term '" + raw + "' needs a width: " + fn + "(N, column)");
    }
    return {fn + "[" + trim(args.substr(0, comma)) + "]", trim(args.substr(comma + 1))};
  }
  return {fn, trim(args)};
}

// The SQL that computes a transform's partition key (only used to split
// files; the partition values recorded are computed in C++).
std::string partition_sql(const Transform& t, const std::string& col, const IcebergType& type) {
  bool is_date = type.kind == TypeKind::kDate;
  bool is_ts = type.kind == TypeKind::kTimestamp || type.kind == TypeKind::kTimestampTz;
  switch (t.kind) {
    case Transform::Kind::kIdentity: return col;
    case Transform::Kind::kYear:
      if (is_date || is_ts) return "(date_part('year', " + col + ") - 1970)";
      break;
    case Transform::Kind::kMonth:
      if (is_date || is_ts) {
        return "((date_part('year', " + col + ") - 1970) * 12 + date_part('month', " + col +
               ") - 1)";
      }
      break;
    case Transform::Kind::kDay:
      if (is_date) return "(" + col + " - DATE '1970-01-01')";
      if (is_ts) return "CAST(floor(epoch_us(" + col + ") / 86400000000) AS BIGINT)";
      break;
    case Transform::Kind::kHour:
      if (is_ts) return "CAST(floor(epoch_us(" + col + ") / 3600000000) AS BIGINT)";
      break;
    case Transform::Kind::kTruncate:
      if (type.kind == TypeKind::kInt || type.kind == TypeKind::kLong) {
        std::string w = std::to_string(t.param);
        return "(" + col + " - (((" + col + " % " + w + ") + " + w + ") % " + w + "))";
      }
      if (type.kind == TypeKind::kString)
        return "left(" + col + ", " + std::to_string(t.param) + ")";
      break;
    case Transform::Kind::kVoid: return "NULL";
    default: break;
  }
  throw UserError("strata cannot write tables partitioned by " + t.text + " of a " +
                      type_name(type) + " column yet",
                  {.hint = "supported for writes: identity, year, month, day, hour, truncate of "
                           "integers and strings"});
}

struct WriteTarget {
  std::string root;  // the table folder (storage URI)
  bool remote = false;
};

std::optional<LoadedTable> load(LakeEngine& engine, const AppendTarget& target) {
  if (target.catalog) return target.catalog->load_table(target.ident);
  std::string loc = normalize_uri(target.location);
  if (Storage::is_remote(loc)) {
    if (engine.storage().list(join_uri(loc, "metadata")).empty()) return std::nullopt;
  } else {
    std::error_code ec;
    if (!fs::is_directory(fs::path(loc) / "metadata", ec)) return std::nullopt;
  }
  return load_table_at(engine.storage(), loc, PathMap{});
}

std::string new_table_metadata(const std::string& location, const Schema& schema,
                               const PartitionSpec& spec) {
  json::object o;
  o["format-version"] = 2;
  o["table-uuid"] = random_uuid();
  o["location"] = location;
  o["last-sequence-number"] = 0;
  o["last-updated-ms"] = now_ms();
  o["last-column-id"] = schema.highest_field_id();
  o["current-schema-id"] = schema.schema_id;
  o["schemas"] = json::array{json::parse(schema_to_json(schema))};
  o["default-spec-id"] = spec.spec_id;
  o["partition-specs"] = json::array{json::parse(partition_spec_to_json(spec))};
  int last_partition = 999;
  for (const auto& f : spec.fields) last_partition = std::max(last_partition, f.field_id);
  o["last-partition-id"] = last_partition;
  o["default-sort-order-id"] = 0;
  json::object unsorted;
  unsorted["order-id"] = 0;
  unsorted["fields"] = json::array{};
  o["sort-orders"] = json::array{unsorted};
  json::object props;
  props["write.format.default"] = "parquet";
  props["write.parquet.compression-codec"] = "zstd";
  props["created-by"] = "strata";
  o["properties"] = std::move(props);
  o["current-snapshot-id"] = -1;
  o["refs"] = json::object{};
  o["snapshots"] = json::array{};
  o["snapshot-log"] = json::array{};
  o["metadata-log"] = json::array{};
  return json::serialize(o);
}

LoadedTable create_table(LakeEngine& engine, const AppendTarget& target, const ResultSet& probe,
                         const AppendOptions& options) {
  Schema schema;
  int id = 0;
  for (const auto& col : probe.schema()) {
    NestedField f;
    f.id = ++id;
    f.name = col.name;
    f.type = iceberg_type_of(col.type, col.name);
    schema.fields.push_back(std::move(f));
  }
  PartitionSpec spec;
  int pid = 1000;
  for (const std::string& term : options.partition_by) {
    auto [transform, column] = parse_partition_term(term);
    const NestedField* src = schema.find_by_name(column);
    if (!src) {
      throw UserError("partition column '" + column + "' is not a column of the appended rows");
    }
    Transform t = parse_transform(transform);
    if (t.kind == Transform::Kind::kUnknown)
      throw UserError("unknown partition transform '" + transform + "'");
    partition_sql(t, "x", *src->type);  // refuses transforms strata cannot write
    PartitionField pf;
    pf.source_id = src->id;
    pf.field_id = pid++;
    pf.transform = transform;
    std::string suffix = t.kind == Transform::Kind::kIdentity
                             ? ""
                             : "_" + lower(transform.substr(0, transform.find('[')));
    pf.name = src->name + suffix;
    spec.fields.push_back(std::move(pf));
  }
  std::string location = target.catalog ? target.catalog->default_location(target.ident)
                                        : normalize_uri(target.location);
  if (!Storage::is_remote(location)) location = fs::absolute(location).lexically_normal().string();
  std::string metadata = new_table_metadata(location, schema, spec);
  if (target.catalog) return target.catalog->create_table(target.ident, location, metadata);
  if (!engine.storage().create_exclusive(join_uri(location, "metadata/v1.metadata.json"),
                                         metadata)) {
    return load_table_at(engine.storage(), location, PathMap{});  // created meanwhile
  }
  engine.storage().write(join_uri(location, "metadata/version-hint.text"), "1");
  return load_table_at(engine.storage(), location, PathMap{});
}

std::string summary_total(const Snapshot* parent, const char* key, int64_t added) {
  if (!parent) return std::to_string(added);
  auto it = parent->summary.find(key);
  if (it == parent->summary.end()) return "";
  try {
    return std::to_string(std::stoll(it->second) + added);
  } catch (const std::exception&) {
    return "";
  }
}

// The new metadata JSON: the base's, plus the snapshot.
std::string next_metadata(const LoadedTable& base, int64_t snapshot_id, int64_t seq,
                          const std::string& manifest_list, int64_t rows, int64_t files,
                          int64_t bytes) {
  const TableMetadata& m = *base.metadata;
  json::value root = json::parse(m.raw_json);
  json::object& o = root.as_object();
  int64_t now = std::max(now_ms(), m.last_updated_ms + 1);
  const Snapshot* parent = m.current_snapshot();
  json::object snap;
  snap["sequence-number"] = seq;
  snap["snapshot-id"] = snapshot_id;
  if (parent) snap["parent-snapshot-id"] = parent->snapshot_id;
  snap["timestamp-ms"] = now;
  json::object summary;
  summary["operation"] = "append";
  summary["added-data-files"] = std::to_string(files);
  summary["added-records"] = std::to_string(rows);
  summary["added-files-size"] = std::to_string(bytes);
  summary["engine-name"] = "strata";
  for (const auto& [key, added] :
       std::initializer_list<std::pair<const char*, int64_t>>{{"total-records", rows},
                                                              {"total-data-files", files},
                                                              {"total-files-size", bytes},
                                                              {"total-delete-files", 0},
                                                              {"total-position-deletes", 0},
                                                              {"total-equality-deletes", 0}}) {
    std::string v = summary_total(parent, key, added);
    if (!v.empty()) summary[key] = v;
  }
  snap["summary"] = std::move(summary);
  snap["manifest-list"] = manifest_list;
  snap["schema-id"] = m.current_schema_id;
  if (!o.contains("snapshots") || !o["snapshots"].is_array()) o["snapshots"] = json::array{};
  o["snapshots"].as_array().push_back(std::move(snap));
  o["current-snapshot-id"] = snapshot_id;
  o["last-sequence-number"] = seq;
  o["last-updated-ms"] = now;
  if (!o.contains("refs") || !o["refs"].is_object()) o["refs"] = json::object{};
  json::object main;
  main["snapshot-id"] = snapshot_id;
  main["type"] = "branch";
  o["refs"].as_object()["main"] = std::move(main);
  if (!o.contains("snapshot-log") || !o["snapshot-log"].is_array())
    o["snapshot-log"] = json::array{};
  json::object log;
  log["timestamp-ms"] = now;
  log["snapshot-id"] = snapshot_id;
  o["snapshot-log"].as_array().push_back(std::move(log));
  if (!o.contains("metadata-log") || !o["metadata-log"].is_array())
    o["metadata-log"] = json::array{};
  json::object mlog;
  mlog["timestamp-ms"] = m.last_updated_ms;
  mlog["metadata-file"] = base.metadata_location;
  o["metadata-log"].as_array().push_back(std::move(mlog));
  return json::serialize(root);
}

}  // namespace

AppendResult append_rows(LakeEngine& engine, const AppendTarget& target,
                         const std::string& select_sql, const AppendOptions& options) {
  AppendResult result;
  DuckDbSource& db = engine.duckdb();
  ResultSet probe = db.query("SELECT * FROM (" + select_sql + ") AS src LIMIT 0", ExecOptions{});

  std::optional<LoadedTable> base = load(engine, target);
  if (!base) {
    if (!options.create) {
      throw UserError(
          "no table at " + (target.catalog ? target.ident.to_string() : target.location),
          {.hint = "pass --create (AppendOptions::create) to create it from the rows"});
    }
    base = create_table(engine, target, probe, options);
    result.created = true;
  }
  // The first base's metadata stays alive while later bases are loaded.
  std::shared_ptr<const TableMetadata> first_base = base->metadata;
  const TableMetadata& meta = *first_base;
  if (meta.format_version < 2) {
    throw UserError("appends to format version 1 tables are not supported (" +
                    base->ident.to_string() + ")");
  }
  const Schema& schema = meta.current_schema();
  const PartitionSpec* spec = meta.spec(meta.default_spec_id);
  if (!spec) throw SourceError(kLakeSourceName, "the table's default partition spec is missing");

  // Source columns -> table fields.
  std::map<int, std::string> source_of;
  for (const auto& col : probe.schema()) {
    const NestedField* f = schema.find_by_name(col.name);
    if (!f) {
      throw UserError(
          "column '" + col.name + "' is not a column of table " + base->ident.to_string(),
          {.hint = "the table's columns are in `strata lake inspect`"});
    }
    if (!f->type->is_primitive()) {
      throw UserError("column '" + f->name +
                      "' is nested; strata cannot append nested columns yet");
    }
    source_of[f->id] = col.name;
  }
  std::string select = "SELECT ";
  std::string field_ids;
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const NestedField& f = schema.fields[i];
    if (!f.type->is_primitive())
      throw UserError("column '" + f.name + "' is nested; appends are not supported");
    auto it = source_of.find(f.id);
    if (it == source_of.end() && f.required) {
      throw UserError("required column '" + f.name + "' is missing from the appended rows");
    }
    std::string expr = it == source_of.end() ? "NULL" : "src." + quote_ident(it->second);
    if (i) {
      select += ", ";
      field_ids += ", ";
    }
    select += "CAST(" + expr + " AS " + duckdb_type(*f.type) + ") AS " + quote_ident(f.name);
    field_ids += quote_ident(f.name) + ": " + std::to_string(f.id);
  }
  std::vector<Transform> transforms;
  std::vector<const NestedField*> sources;
  std::string partition_cols;
  for (size_t i = 0; i < spec->fields.size(); ++i) {
    const PartitionField& pf = spec->fields[i];
    const NestedField* src = schema.find(pf.source_id);
    if (!src) throw UserError("partition field " + pf.name + " uses a column the schema dropped");
    Transform t = parse_transform(pf.transform);
    std::string col =
        "src." + quote_ident(source_of.count(src->id) ? source_of[src->id] : src->name);
    if (!source_of.count(src->id)) col = "NULL";
    select += ", " + partition_sql(t, col, *src->type) + " AS " +
              quote_ident("__strata_p" + std::to_string(i));
    if (!partition_cols.empty()) partition_cols += ", ";
    partition_cols += quote_ident("__strata_p" + std::to_string(i));
    transforms.push_back(t);
    sources.push_back(src);
  }
  select += " FROM (" + select_sql + ") AS src";

  // 1. Data files, written by DuckDB (locally; uploaded for remote tables).
  std::string root = base->table_root;
  bool remote = Storage::is_remote(root);
  std::string batch = random_uuid();
  fs::path local_dir = remote
                           ? fs::path(engine.storage().options().cache_dir) / ("staging-" + batch)
                           : fs::path(normalize_uri(root)) / "data";
  std::error_code ec;
  fs::create_directories(local_dir, ec);
  std::string target_path;
  std::string options_sql = "FORMAT PARQUET, COMPRESSION ZSTD, FIELD_IDS {" + field_ids + "}";
  if (spec->fields.empty()) {
    target_path = (local_dir / (batch + ".parquet")).string();
  } else {
    target_path = (local_dir / batch).string();
    options_sql += ", PARTITION_BY (" + partition_cols + "), FILENAME_PATTERN 'data_{uuid}'";
  }
  db.query("COPY (" + select + ") TO " + quote_string(target_path) + " (" + options_sql + ")",
           ExecOptions{});
  std::string glob = spec->fields.empty() ? target_path : target_path + "/**/*.parquet";

  // 2. Statistics per file.
  std::string stats = "SELECT filename, count(*)";
  std::vector<const NestedField*> stat_fields;
  for (const auto& f : schema.fields) {
    std::string c = quote_ident(f.name);
    bool fp = f.type->kind == TypeKind::kFloat || f.type->kind == TypeKind::kDouble;
    std::string keep = fp ? " FILTER (WHERE NOT isnan(" + c + "))" : "";
    stats += ", min(" + c + ")" + keep + ", max(" + c + ")" + keep + ", count(" + c + ")";
    stats += fp ? ", count(*) FILTER (WHERE isnan(" + c + "))" : ", 0";
    stat_fields.push_back(&f);
  }
  stats += " FROM read_parquet(" + quote_string(glob) +
           ", filename = true, hive_partitioning = false) GROUP BY filename ORDER BY filename";
  ResultSet st = db.query(stats, ExecOptions{});
  std::vector<NewDataFile> files;
  int64_t total_bytes = 0;
  for (size_t r = 0; r < st.row_count(); ++r) {
    NewDataFile nf;
    std::string local = st.column(0).string_at(r);
    int64_t count = st.column(1).value_at(r).i;
    nf.file.record_count = count;
    nf.file.file_size_in_bytes = static_cast<int64_t>(fs::file_size(local));
    total_bytes += nf.file.file_size_in_bytes;
    std::map<int, Value> mins, maxs;
    for (size_t i = 0; i < stat_fields.size(); ++i) {
      const NestedField& f = *stat_fields[i];
      size_t base_col = 2 + i * 4;
      int64_t non_null = st.column(base_col + 2).value_at(r).i;
      int64_t nans = st.column(base_col + 3).value_at(r).i;
      nf.file.value_counts[f.id] = count;
      nf.file.null_value_counts[f.id] = count - non_null;
      if (f.type->kind == TypeKind::kFloat || f.type->kind == TypeKind::kDouble) {
        nf.file.nan_value_counts[f.id] = nans;
      }
      if (st.column(base_col).is_null(r)) continue;
      Value lo = st.column(base_col).value_at(r);
      Value hi = st.column(base_col + 1).value_at(r);
      // Values as the Iceberg conventions want them (scan/values.h).
      auto fix = [&](Value v) {
        switch (f.type->kind) {
          case TypeKind::kInt: v.type = Type::of(TypeId::kInt32); break;
          case TypeKind::kLong: v.type = Type::of(TypeId::kInt64); break;
          case TypeKind::kUuid: v.s = uuid_bytes(v.s).value_or(v.s); break;
          default: break;
        }
        return v;
      };
      lo = fix(lo);
      hi = fix(hi);
      mins[f.id] = lo;
      maxs[f.id] = hi;
      bool long_text = (f.type->kind == TypeKind::kString || f.type->kind == TypeKind::kBinary) &&
                       (lo.s.size() > 64 || hi.s.size() > 64);
      if (long_text) {
        nf.file.lower_bounds[f.id] = lo.s.substr(0, 64);  // a prefix is still a lower bound
      } else {
        nf.file.lower_bounds[f.id] = encode_single_value(lo, *f.type);
        nf.file.upper_bounds[f.id] = encode_single_value(hi, *f.type);
      }
    }
    for (size_t i = 0; i < transforms.size(); ++i) {
      const NestedField& src = *sources[i];
      auto lo = mins.find(src.id);
      if (lo == mins.end()) {
        nf.partition.push_back(Value::null_of(Type::of(TypeId::kInt32)));
        continue;
      }
      auto p = apply_transform(transforms[i], lo->second, *src.type);
      auto q = apply_transform(transforms[i], maxs[src.id], *src.type);
      if (!p || !q) throw InternalError("cannot compute partition " + spec->fields[i].name);
      if (to_text(*p) != to_text(*q) ||
          (nf.file.null_value_counts[src.id] > 0 && transforms[i].kind != Transform::Kind::kVoid)) {
        throw InternalError("data file " + local + " spans several partitions of " +
                            spec->fields[i].name);
      }
      nf.partition.push_back(*p);
    }
    std::string rel = fs::path(local).lexically_relative(local_dir).string();
    std::string uri = join_uri(join_uri(root, "data"), rel);
    if (remote) engine.storage().upload(local, uri);
    nf.file.file_path = remote ? uri : fs::path(local).lexically_normal().string();
    nf.file.file_format = "PARQUET";
    files.push_back(std::move(nf));
    result.rows += count;
  }
  if (remote) fs::remove_all(local_dir, ec);
  result.data_files = static_cast<int64_t>(files.size());

  // 3. The manifest (reused by every attempt).
  std::string manifest_path = join_uri(root, "metadata/" + batch + "-m0.avro");
  std::string manifest = write_data_manifest(meta, schema, *spec, files);
  engine.storage().write(manifest_path, manifest);
  ManifestFile mf;
  mf.manifest_path = manifest_path;
  mf.manifest_length = static_cast<int64_t>(manifest.size());
  mf.partition_spec_id = spec->spec_id;
  mf.content = 0;
  mf.added_files_count = result.data_files;
  mf.existing_files_count = 0;
  mf.deleted_files_count = 0;
  mf.added_rows_count = result.rows;
  mf.existing_rows_count = 0;
  mf.deleted_rows_count = 0;
  mf.partitions = partition_summaries(meta, *spec, files);

  // 4. Commit, retrying on newer bases.
  std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    if (attempt > 1) {
      base = load(engine, target);
      if (!base)
        throw SourceError(kLakeSourceName, "table " + target.ident.to_string() + " disappeared");
    }
    const TableMetadata& m = *base->metadata;
    if (m.current_schema_id != schema.schema_id || m.default_spec_id != spec->spec_id) {
      throw UserError("the schema or partition spec of " + base->ident.to_string() +
                      " changed during the append; run it again");
    }
    int64_t snapshot_id = random_snapshot_id();
    int64_t seq = m.last_sequence_number + 1;
    std::vector<ManifestFile> list;
    ManifestFile added = mf;
    added.sequence_number = seq;
    added.min_sequence_number = seq;
    added.added_snapshot_id = snapshot_id;
    list.push_back(added);
    const Snapshot* parent = m.current_snapshot();
    if (parent) {
      for (const ManifestFile& existing : snapshot_manifests(
               m, *parent, engine.reader().metadata_reader(*base),
               [&](const std::string& p) { return base->paths.map(p); },
               &engine.reader().manifests())) {
        list.push_back(existing);
      }
    }
    std::string list_path = join_uri(root, "metadata/snap-" + std::to_string(snapshot_id) + "-" +
                                               std::to_string(attempt) + "-" + batch + ".avro");
    engine.storage().write(
        list_path, write_manifest_list(
                       list, snapshot_id,
                       parent ? std::optional<int64_t>(parent->snapshot_id) : std::nullopt, seq));
    std::string next = next_metadata(*base, snapshot_id, seq, list_path, result.rows,
                                     result.data_files, total_bytes);
    if (options.before_commit) options.before_commit(attempt);
    bool ok = target.catalog ? target.catalog->commit(*base, next)
                             : FolderCatalog::commit_in_folder(engine.storage(), *base, next);
    if (ok) {
      result.snapshot_id = snapshot_id;
      result.sequence_number = seq;
      result.attempts = attempt;
      return result;
    }
    engine.storage().remove(list_path);
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % (20 * attempt)));
  }
  throw SourceError(kLakeSourceName, "could not commit to " + base->ident.to_string() + " after " +
                                         std::to_string(options.max_attempts) +
                                         " attempts: other writers kept committing first");
}

}  // namespace strata::lake

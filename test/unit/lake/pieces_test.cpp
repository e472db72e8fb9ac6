// The lake's pure pieces against independently known answers: the spec's
// bucket hash vectors, single-value encodings, transforms, AWS's published
// SigV4 example, path remapping, the time-travel syntax, SQL table refs.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/time.h"
#include "lake/avro/ocf_header.h"
#include "lake/catalog/catalog.h"
#include "lake/catalog/rest_catalog.h"
#include "lake/lake_config.h"
#include "lake/metadata/table_metadata.h"
#include "lake/scan/deletion_vector.h"
#include "lake/scan/pruning.h"
#include "lake/scan/transforms.h"
#include "lake/scan/values.h"
#include "lake/sql_tables.h"
#include "lake/storage/path_map.h"
#include "lake/storage/sigv4.h"
#include "query/table_version.h"

namespace strata::lake {
namespace {

Value int_of(TypeId id, int64_t v) {
  return Value::temporal(id, v);
}

TEST(Bucket, SpecTestVectors) {
  // Iceberg spec, Appendix B.
  EXPECT_EQ(*bucket_hash(int_of(TypeId::kInt32, 34), *primitive_type(TypeKind::kInt)), 2017239379);
  EXPECT_EQ(*bucket_hash(int_of(TypeId::kInt64, 34), *primitive_type(TypeKind::kLong)), 2017239379);
  EXPECT_EQ(*bucket_hash(Value::string("iceberg"), *primitive_type(TypeKind::kString)), 1210000089);
  EXPECT_EQ(*bucket_hash(Value::decimal(1420, 4, 2), *primitive_type(TypeKind::kDecimal, 4, 2)),
            -500754589);
  EXPECT_EQ(*bucket_hash(int_of(TypeId::kDate, days_from_civil(2017, 11, 16)),
                         *primitive_type(TypeKind::kDate)),
            -653330422);
  Value uuid = Value::string(*uuid_bytes("f79c3e09-677c-4bbd-a479-3f349cb785e7"));
  uuid.type = Type::of(TypeId::kUuid);
  EXPECT_EQ(*bucket_hash(uuid, *primitive_type(TypeKind::kUuid)), 1488055340);
  Value bin = Value::string(std::string("\x00\x01\x02\x03", 4));
  bin.type = Type::of(TypeId::kBlob);
  EXPECT_EQ(*bucket_hash(bin, *primitive_type(TypeKind::kBinary)), -188683207);
}

TEST(Bucket, TrinoFixtureBuckets) {
  // MANIFEST.md: bucket_partitioning's expected buckets 0,0,3,2,2,99,75,13,5,724.
  Transform b2 = parse_transform("bucket[2]");
  EXPECT_EQ(apply_transform(b2, int_of(TypeId::kInt32, 1), *primitive_type(TypeKind::kInt))->i, 0);
  Transform b42 = parse_transform("bucket[42]");
  EXPECT_EQ(
      apply_transform(b42, Value::string("some-string"), *primitive_type(TypeKind::kString))->i,
      13);
  Transform b100 = parse_transform("bucket[100]");
  int64_t ts = micros_from_civil(CivilTime{2025, 3, 3, 0, 0, 0, 0});
  EXPECT_EQ(
      apply_transform(b100, int_of(TypeId::kTimestamp, ts), *primitive_type(TypeKind::kTimestamp))
          ->i,
      99);
  Transform b812 = parse_transform("bucket[812]");
  Value bin = Value::string("some-varbinary");
  bin.type = Type::of(TypeId::kBlob);
  EXPECT_EQ(apply_transform(b812, bin, *primitive_type(TypeKind::kBinary))->i, 724);
}

TEST(Transforms, TemporalUseFloorDivision) {
  // 1969-12-31T23:59Z is day -1 and hour -1 (spec).
  int64_t t = -60 * kMicrosPerSecond;
  auto ts = primitive_type(TypeKind::kTimestampTz);
  EXPECT_EQ(apply_transform(parse_transform("day"), int_of(TypeId::kTimestampTz, t), *ts)->i, -1);
  EXPECT_EQ(apply_transform(parse_transform("hour"), int_of(TypeId::kTimestampTz, t), *ts)->i, -1);
  EXPECT_EQ(apply_transform(parse_transform("month"), int_of(TypeId::kTimestampTz, t), *ts)->i, -1);
  EXPECT_EQ(apply_transform(parse_transform("year"), int_of(TypeId::kTimestampTz, t), *ts)->i, -1);
  // year_date_partitioning: 2025-03-03 -> 55, 2024-03-03 -> 54.
  auto date = primitive_type(TypeKind::kDate);
  EXPECT_EQ(apply_transform(parse_transform("year"),
                            int_of(TypeId::kDate, days_from_civil(2025, 3, 3)), *date)
                ->i,
            55);
  EXPECT_EQ(apply_transform(parse_transform("month"),
                            int_of(TypeId::kDate, days_from_civil(2024, 3, 3)), *date)
                ->i,
            54 * 12 + 2);
}

TEST(Transforms, Truncate) {
  Transform t10 = parse_transform("truncate[10]");
  auto i = primitive_type(TypeKind::kInt);
  EXPECT_EQ(apply_transform(t10, int_of(TypeId::kInt32, 1), *i)->i, 0);
  EXPECT_EQ(apply_transform(t10, int_of(TypeId::kInt32, -1), *i)->i, -10);
  EXPECT_EQ(
      apply_transform(t10, Value::decimal(1065, 9, 2), *primitive_type(TypeKind::kDecimal, 9, 2))
          ->dec,
      1060);
  Transform t3 = parse_transform("truncate[3]");
  EXPECT_EQ(apply_transform(t3, Value::string("iceberg"), *primitive_type(TypeKind::kString))->s,
            "ice");
  // Code points, not bytes.
  EXPECT_EQ(
      apply_transform(t3, Value::string("\xC3\xA9t\xC3\xA9!"), *primitive_type(TypeKind::kString))
          ->s,
      "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(parse_transform("truncate[x]").kind, Transform::Kind::kUnknown);
  EXPECT_EQ(parse_transform("zorder").kind, Transform::Kind::kUnknown);
}

TEST(SingleValue, DecodesSpecExamples) {
  // decimal 3.00 (unscaled 300) is 01 2c.
  auto d =
      decode_single_value(std::string("\x01\x2c", 2), *primitive_type(TypeKind::kDecimal, 9, 2));
  ASSERT_TRUE(d);
  EXPECT_EQ(decimal_to_string(d->dec, 2), "3.00");
  EXPECT_EQ(decimal_to_bytes(300), std::string("\x01\x2c", 2));
  EXPECT_EQ(decimal_to_bytes(-1), std::string("\xff", 1));
  EXPECT_EQ(decimal_to_bytes(128), std::string("\x00\x80", 2));
  EXPECT_EQ(decimal_from_bytes(std::string("\xff\x7f", 2)), -129);
  // A long column with 4-byte bounds from before a promotion.
  auto l =
      decode_single_value(std::string("\x05\x00\x00\x00", 4), *primitive_type(TypeKind::kLong));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->i, 5);
  auto ts = primitive_type(TypeKind::kTimestamp);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1700000000123456}}) {
    auto back = decode_single_value(encode_single_value(int_of(TypeId::kTimestamp, v), *ts), *ts);
    EXPECT_EQ(back->i, v);
  }
  EXPECT_FALSE(decode_single_value("abc", *primitive_type(TypeKind::kInt)));
}

TEST(Pruning, RangesNullsAndPrefixes) {
  auto lng = primitive_type(TypeKind::kLong);
  ColumnStats s;
  s.lower = int_of(TypeId::kInt64, 10);
  s.upper = int_of(TypeId::kInt64, 20);
  s.has_null = false;
  auto pred = [](ScanPredicate::Op op, Value v) {
    return ScanPredicate{"t", "c", op, {std::move(v)}};
  };
  EXPECT_TRUE(may_match(pred(ScanPredicate::Op::kEq, Value::int64(10)), s, *lng));
  EXPECT_FALSE(may_match(pred(ScanPredicate::Op::kEq, Value::int64(21)), s, *lng));
  EXPECT_FALSE(may_match(pred(ScanPredicate::Op::kLt, Value::int64(10)), s, *lng));
  EXPECT_TRUE(may_match(pred(ScanPredicate::Op::kLte, Value::int64(10)), s, *lng));
  EXPECT_FALSE(may_match(pred(ScanPredicate::Op::kGt, Value::int64(20)), s, *lng));
  EXPECT_TRUE(may_match(pred(ScanPredicate::Op::kGte, Value::float64(19.5)), s, *lng));
  EXPECT_FALSE(may_match(ScanPredicate{"t", "c", ScanPredicate::Op::kIsNull, {}}, s, *lng));
  EXPECT_FALSE(may_match(
      ScanPredicate{"t", "c", ScanPredicate::Op::kIn, {Value::int64(1), Value::int64(30)}}, s,
      *lng));
  // A predicate of another type never prunes.
  EXPECT_TRUE(may_match(pred(ScanPredicate::Op::kEq, Value::string("x")), s, *lng));
  // Dates compare as instants with timestamp predicates.
  ColumnStats d;
  d.lower = int_of(TypeId::kDate, 100);
  d.upper = int_of(TypeId::kDate, 100);
  auto date = primitive_type(TypeKind::kDate);
  EXPECT_FALSE(may_match(
      pred(ScanPredicate::Op::kGte, int_of(TypeId::kTimestamp, 101 * kMicrosPerDay)), d, *date));
  EXPECT_TRUE(may_match(
      pred(ScanPredicate::Op::kGte, int_of(TypeId::kTimestamp, 100 * kMicrosPerDay)), d, *date));
  // Floats with possible NaNs keep '>' matches.
  ColumnStats f;
  f.lower = Value::float64(1);
  f.upper = Value::float64(2);
  auto dbl = primitive_type(TypeKind::kDouble);
  EXPECT_TRUE(may_match(pred(ScanPredicate::Op::kGt, Value::float64(5)), f, *dbl));
  f.has_nan = false;
  EXPECT_FALSE(may_match(pred(ScanPredicate::Op::kGt, Value::float64(5)), f, *dbl));
  // Truncated string partitions: every value starts with the prefix.
  ColumnStats p;
  p.lower = Value::string("ice");
  p.upper = Value::string("ice");
  p.upper_is_prefix = true;
  auto str = primitive_type(TypeKind::kString);
  EXPECT_TRUE(may_match(pred(ScanPredicate::Op::kEq, Value::string("iceberg")), p, *str));
  EXPECT_FALSE(may_match(pred(ScanPredicate::Op::kEq, Value::string("ibis")), p, *str));
  EXPECT_FALSE(may_match(pred(ScanPredicate::Op::kEq, Value::string("id")), p, *str));
}

TEST(Pruning, PartitionTransformsOfEverySpecField) {
  PartitionSpec spec{0, {{1, 1000, "ts_day", "day"}, {2, 1001, "id_bucket", "bucket[16]"}}};
  auto ts = primitive_type(TypeKind::kTimestampTz);
  auto lng = primitive_type(TypeKind::kLong);
  std::vector<FieldPredicate> preds = {
      {1,
       ts,
       {"t", "ts", ScanPredicate::Op::kGte, {int_of(TypeId::kTimestamp, 10 * kMicrosPerDay)}}},
  };
  std::vector<Value> day9 = {int_of(TypeId::kDate, 9), Value::null_of(Type::of(TypeId::kInt32))};
  std::vector<Value> day10 = {int_of(TypeId::kDate, 10), Value::null_of(Type::of(TypeId::kInt32))};
  EXPECT_FALSE(partition_may_match(spec, day9, preds));
  EXPECT_TRUE(partition_may_match(spec, day10, preds));
  // Bucket: equality only.
  int64_t b = apply_transform(parse_transform("bucket[16]"), Value::int64(34), *lng)->i;
  std::vector<FieldPredicate> eq = {
      {2, lng, {"t", "id", ScanPredicate::Op::kEq, {Value::int64(34)}}}};
  std::vector<Value> right = {int_of(TypeId::kDate, 1), int_of(TypeId::kInt32, b)};
  std::vector<Value> wrong = {int_of(TypeId::kDate, 1), int_of(TypeId::kInt32, (b + 1) % 16)};
  EXPECT_TRUE(partition_may_match(spec, right, eq));
  EXPECT_FALSE(partition_may_match(spec, wrong, eq));
}

TEST(SigV4, AwsPublishedGetObjectExample) {
  // AWS's S3 SigV4 documentation example "GET Object" (Range: bytes=0-9).
  SigV4Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.payload_sha256 = sha256_hex("");
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"range", "bytes=0-9"},
               {"x-amz-content-sha256", r.payload_sha256},
               {"x-amz-date", "20130524T000000Z"}};
  AwsCredentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(sigv4_authorization(r, c, "us-east-1", "s3", "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(amz_date(1369353600), "20130524T000000Z");
}

TEST(PathMap, RelocatesCopiedTables) {
  PathMap m = PathMap::relocation("s3a://warehouse/no_partitioning", "/data/lake/no_partitioning");
  EXPECT_EQ(m.map("s3a://warehouse/no_partitioning/data/f.parquet"),
            "/data/lake/no_partitioning/data/f.parquet");
  // Data kept beside the table folder (external_data_paths).
  PathMap e = PathMap::relocation("s3a://b/check/v_1/iceberg", "/x/external/iceberg");
  EXPECT_EQ(e.map("s3a://b/check/v_1/day=1/f.parquet"), "/x/external/day=1/f.parquet");
  // "./" and file:// are normalized; prefixes match whole components.
  PathMap l = PathMap::relocation("./lineitem_iceberg", "/t/lineitem_iceberg");
  EXPECT_EQ(l.map("lineitem_iceberg/data/a.parquet"), "/t/lineitem_iceberg/data/a.parquet");
  PathMap f = PathMap::parse("file://data/persistent -> /fx, s3a://w -> s3://bucket/lake", "test");
  EXPECT_EQ(f.map("file://data/persistent/x"), "/fx/x");
  EXPECT_EQ(f.map("s3a://w/t/m.json"), "s3://bucket/lake/t/m.json");
  EXPECT_EQ(f.map("s3a://wx/t"), "s3://wx/t");
  EXPECT_THROW(PathMap::parse("no arrow here", "test"), UserError);
}

TEST(TableVersionSyntax, ParsesEveryForm) {
  TableVersion v = parse_table_version("snapshot:8765");
  EXPECT_EQ(v.kind, TableVersion::Kind::kSnapshotId);
  EXPECT_EQ(v.snapshot_id, 8765);
  EXPECT_EQ(parse_table_version("8765"), v);
  TableVersion t = parse_table_version("2024-05-01T12:00:00Z");
  EXPECT_EQ(t.kind, TableVersion::Kind::kTimestamp);
  EXPECT_EQ(t.timestamp_ms, 1714564800000);
  EXPECT_EQ(parse_table_version("timestamp:2024-05-01 14:00:00+02:00"), t);
  EXPECT_EQ(parse_table_version("timestamp_ms:1714564800000"), t);
  TableVersion r = parse_table_version("ref:main");
  EXPECT_EQ(r.kind, TableVersion::Kind::kRef);
  EXPECT_EQ(r.ref, "main");
  EXPECT_EQ(parse_table_version("main"), r);
  EXPECT_EQ(parse_table_version("tag:EOW-01").ref, "EOW-01");
  for (const auto& x : {v, t, r}) EXPECT_EQ(parse_table_version(table_version_text(x)), x);
  EXPECT_THROW(parse_table_version(""), UserError);
  EXPECT_THROW(parse_table_version("snapshot:abc"), UserError);
  EXPECT_THROW(parse_table_version("timestamp:yesterday"), UserError);
  EXPECT_THROW(parse_table_version("snapshto:1"), UserError);
}

TEST(SqlTables, FindsQualifiedNamesAfterFromAndJoin) {
  std::string sql =
      "SELECT \"o\".a, 'FROM x.y' FROM sales.orders AS \"o\" LEFT JOIN \"My NS\".\"Items\" i ON "
      "o.id = i.id, LATERAL (SELECT 1) -- FROM c.d\n WHERE EXTRACT(year FROM o.ts) > 1 AND x IN "
      "(SELECT 1 "
      "FROM read_parquet('f'))";
  auto refs = find_table_refs(sql);
  std::vector<std::string> names;
  for (const auto& r : refs) {
    std::string n;
    for (const auto& p : r.parts) n += (n.empty() ? "" : ".") + p;
    names.push_back(n);
  }
  ASSERT_GE(names.size(), 2u);
  EXPECT_EQ(names[0], "sales.orders");
  EXPECT_EQ(sql.substr(refs[0].begin, refs[0].end - refs[0].begin), "sales.orders");
  EXPECT_EQ(names[1], "My NS.Items");
  EXPECT_EQ(sql.substr(refs[1].begin, refs[1].end - refs[1].begin), "\"My NS\".\"Items\"");
  for (const auto& n : names) {
    EXPECT_NE(n, "x.y");
    EXPECT_NE(n, "c.d");
    EXPECT_NE(n, "read_parquet");
  }
  // A FROM list with commas.
  auto list = find_table_refs("SELECT 1 FROM a.b x, \"c\".d AS y WHERE 1 = 1");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].parts, (std::vector<std::string>{"c", "d"}));
}

TEST(TableIdentNames, ParsesQuotedParts) {
  TableIdent t = TableIdent::parse("\"lithium-iceberg\".no_partitioning");
  EXPECT_EQ(t.ns, std::vector<std::string>{"lithium-iceberg"});
  EXPECT_EQ(t.name, "no_partitioning");
  EXPECT_EQ(TableIdent::parse("a.b.c").ns_string(), "a.b");
  EXPECT_THROW(TableIdent::parse("orders"), UserError);
}

TEST(DeletionVector, RoundTripsAndChecksItsChecksum) {
  std::vector<int64_t> positions = {0, 2, 65535, 65536, 70000, (int64_t{1} << 32) + 5};
  std::string blob = encode_deletion_vector(positions);
  EXPECT_EQ(read_deletion_vector(blob, 0, static_cast<int64_t>(blob.size()), "x.puffin"),
            positions);
  std::string broken = blob;
  broken[10] ^= 1;
  EXPECT_THROW(read_deletion_vector(broken, 0, static_cast<int64_t>(broken.size()), "x.puffin"),
               SourceError);
  // A dense container (more than 4096 values) is a bitmap.
  std::vector<int64_t> dense;
  for (int64_t i = 0; i < 5000; ++i) dense.push_back(i * 3);
  std::string b2 = encode_deletion_vector(dense);
  EXPECT_EQ(read_deletion_vector(b2, 0, static_cast<int64_t>(b2.size()), "y"), dense);
}

TEST(AvroHeader, VarintsAndTruncation) {
  std::string s;
  for (int64_t v :
       {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-64}, int64_t{1} << 40, INT64_MIN}) {
    s.clear();
    append_avro_long(s, v);
    size_t pos = 0;
    int64_t back = 0;
    ASSERT_TRUE(read_avro_long(s, pos, back));
    EXPECT_EQ(back, v);
  }
  EXPECT_THROW(read_ocf_header("Obj\x01\x04", "m.avro"), SourceError);
  try {
    read_ocf_header("PAR1", "bad.avro");
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.avro"), std::string::npos);
  }
}

TEST(Metadata, ParsesV1ShapesAndRejectsBadInput) {
  TableMetadata m =
      parse_table_metadata(R"J({"format-version": 1, "location": "x", "last-updated-ms": 1,
    "last-column-id": 2, "schema": {"type": "struct", "fields": [
      {"id": 1, "name": "a", "required": true, "type": "decimal(9, 2)"},
      {"id": 2, "name": "b", "required": false, "type": {"type": "list", "element-id": 3,
       "element": "string", "element-required": false}}]},
    "partition-spec": [{"name": "a_trunc", "transform": "truncate[4]", "source-id": 1}],
    "current-snapshot-id": -1})J",
                           "v1.metadata.json");
  EXPECT_EQ(m.format_version, 1);
  EXPECT_FALSE(m.current_snapshot_id);
  EXPECT_EQ(m.specs[0].fields[0].field_id, 1000);
  EXPECT_EQ(m.current_schema().fields[0].type->precision, 9);
  EXPECT_EQ(m.current_schema().find(3)->name, "element");
  try {
    parse_table_metadata(R"({"format-version": 2, "location": "x", "schemas": [)",
                         "v9.metadata.json");
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(e.message().find("v9.metadata.json"), std::string::npos);
  }
  EXPECT_THROW(parse_table_metadata(R"({"format-version": 4, "location": "x"})", "f"), SourceError);
}

TEST(RestCatalogPieces, NamespacesJoinWithTheUnitSeparator) {
  EXPECT_EQ(rest_namespace_segment({"a", "b c"}), "a%1Fb%20c");
  EXPECT_EQ(rest_namespace_segment({"sales"}), "sales");
}

TEST(LakeSettings, ParsesAndRefusesBadSettings) {
  LakeConfig c = parse_lake_config("lake",
                                   {{"warehouse", "lake"},
                                    {"table.sales.orders", "/data/orders"},
                                    {"s3_endpoint", "http://127.0.0.1:9000"},
                                    {"s3_path_style", "true"},
                                    {"cache_max_size", "2GB"},
                                    {"path_map", "s3a://w -> /x"}},
                                   "/base");
  EXPECT_EQ(c.catalog, "folder");
  EXPECT_EQ(c.warehouse, "/base/lake");
  EXPECT_EQ(c.tables.at("sales.orders"), "/data/orders");
  EXPECT_TRUE(c.storage.s3->path_style);
  EXPECT_EQ(c.storage.cache_max_bytes, 2000000000u);
  EXPECT_EQ(c.paths.map("s3a://w/t"), "/x/t");
  EXPECT_THROW(parse_lake_config("lake", {{"warehouse", "x"}, {"colour", "blue"}}, "."), UserError);
  EXPECT_THROW(parse_lake_config("lake", {{"catalog", "sql"}}, "."), UserError);
  EXPECT_THROW(parse_lake_config("lake", {{"catalog", "hive"}}, "."), UserError);
  EXPECT_THROW(parse_lake_config("lake", {}, "."), UserError);
  EXPECT_EQ(parse_size("512MiB", "x"), 512u * 1024 * 1024);
}

}  // namespace
}  // namespace strata::lake

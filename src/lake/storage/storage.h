// Object storage for the lake: local paths ("/data/t", "rel/t", "file:///data/t")
// and S3 URIs ("s3://bucket/key"; "s3a://" and "s3n://" are read as "s3://").
//
// Remote data files are copied to a local disk cache by URI, because DuckDB
// (no httpfs here) reads local files and data files never change; the cache
// keeps at most `cache_max_bytes`, evicting the least recently used files
// that no running query holds. Metadata (read()) is never cached here.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/storage/s3_client.h"

namespace strata::lake {

struct StorageOptions {
  std::optional<S3Options> s3;      // nullopt: S3 URIs are refused
  std::filesystem::path cache_dir;  // "": a folder under the system temp directory
  uint64_t cache_max_bytes = 10ull << 30;
};

// A local file to read; for cached remote files, `pin` keeps it from being
// evicted while held.
struct LocalFile {
  std::string path;
  std::shared_ptr<const void> pin;
};

struct StorageStats {
  uint64_t reads = 0;      // read() calls (metadata, manifests)
  uint64_t downloads = 0;  // remote data files copied into the cache
  uint64_t downloaded_bytes = 0;
  uint64_t cache_hits = 0;
};

class Storage {
 public:
  explicit Storage(StorageOptions options = {});
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  static bool is_remote(std::string_view uri);  // s3 URIs

  // The whole file. Throws SourceError naming the URI ("missing file") when
  // it does not exist. Gzip-compressed content ("*.gz.metadata.json") is
  // decompressed when `gunzip` is set.
  std::string read(const std::string& uri, bool gunzip = false);
  std::optional<std::string> read_if_exists(const std::string& uri, bool gunzip = false);
  bool exists(const std::string& uri);
  // Names directly under a folder URI; sub-folders end in '/'. Empty when the
  // folder does not exist.
  std::vector<std::string> list(const std::string& dir_uri);

  // Writes (creating parent folders locally).
  void write(const std::string& uri, std::string_view data);
  // Creates the file only if it does not exist (atomic on local file
  // systems; S3 If-None-Match). False when it exists already.
  bool create_exclusive(const std::string& uri, std::string_view data);
  void upload(const std::filesystem::path& local, const std::string& uri);
  void remove(const std::string& uri);

  // A local file for DuckDB: the path itself, or the cached copy of a remote
  // object (downloaded on first use). Throws SourceError naming the URI when
  // the file does not exist.
  LocalFile local_copy(const std::string& uri);

  StorageStats stats() const;
  const StorageOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Joins a folder URI and a relative name with exactly one '/'.
std::string join_uri(std::string_view dir, std::string_view name);
// The folder part of a URI ("s3://b/t/metadata/v1.json" -> "s3://b/t/metadata").
std::string parent_uri(std::string_view uri);
// Gzip/zlib decompression; throws SourceError naming `file` on corrupt input.
std::string gunzip(std::string_view data, const std::string& file);

}  // namespace strata::lake

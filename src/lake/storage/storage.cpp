#include "lake/storage/storage.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>

#include "core/error.h"
#include "lake/lake_error.h"
#include "lake/storage/path_map.h"
#include "lake/storage/sigv4.h"

namespace fs = std::filesystem;

namespace strata::lake {

namespace {

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t v = rng();
  return to_hex(std::string_view(reinterpret_cast<const char*>(&v), sizeof v));
}

std::optional<std::string> read_local(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail_file(path, "cannot read the file");
  return std::move(ss).str();
}

bool is_gzip(std::string_view d) {
  return d.size() >= 2 && static_cast<uint8_t>(d[0]) == 0x1f && static_cast<uint8_t>(d[1]) == 0x8b;
}

struct Pins {
  std::mutex mu;
  std::map<std::string, int> counts;
};

}  // namespace

std::string gunzip(std::string_view data, const std::string& file) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) fail_file(file, "cannot start gzip decompression");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      fail_file(file, "corrupt gzip data");
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      fail_file(file, "truncated gzip data");
    }
  }
  inflateEnd(&zs);
  return out;
}

std::string join_uri(std::string_view dir, std::string_view name) {
  std::string d(dir);
  while (!d.empty() && d.back() == '/') d.pop_back();
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  if (d.empty()) return std::string(name);
  return d + "/" + std::string(name);
}

std::string parent_uri(std::string_view uri) {
  std::string u(uri);
  while (u.size() > 1 && u.back() == '/') u.pop_back();
  size_t slash = u.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash > 0 && u[slash - 1] == '/') return u;  // "s3://bucket"
  return slash == 0 ? "/" : u.substr(0, slash);
}

struct Storage::Impl {
  StorageOptions options;
  std::unique_ptr<S3Client> s3;
  std::shared_ptr<Pins> pins = std::make_shared<Pins>();
  std::mutex cache_mu;
  std::atomic<uint64_t> reads{0}, downloads{0}, downloaded_bytes{0}, cache_hits{0};

  const S3Client& client(const std::string& uri) const {
    if (!s3) {
      throw UserError("cannot read " + uri + ": no S3 storage is configured",
                      {.hint = "set s3_endpoint / s3_region (and credentials) on the iceberg "
                               "data source, or pass --s3-endpoint to strata lake"});
    }
    return *s3;
  }

  S3Location loc(const std::string& uri) const {
    auto l = parse_s3_uri(uri);
    if (!l) throw UserError("'" + uri + "' is not a valid s3:// URI");
    return *l;
  }

  fs::path cache_path(const std::string& uri) const {
    std::string name = sha256_hex(uri).substr(0, 40);
    std::string ext = fs::path(uri).extension().string();
    if (ext.size() > 12) ext.clear();
    return options.cache_dir / (name + ext);
  }

  void evict() {
    std::vector<std::pair<fs::file_time_type, fs::path>> files;
    uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(options.cache_dir, ec)) {
      if (!e.is_regular_file(ec)) continue;
      if (e.path().filename().string().rfind(".tmp-", 0) == 0) continue;
      total += e.file_size(ec);
      files.emplace_back(e.last_write_time(ec), e.path());
    }
    if (total <= options.cache_max_bytes) return;
    std::sort(files.begin(), files.end());
    std::lock_guard lock(pins->mu);
    for (const auto& [t, p] : files) {
      if (total <= options.cache_max_bytes) break;
      if (pins->counts.count(p.string())) continue;
      uint64_t size = fs::file_size(p, ec);
      if (fs::remove(p, ec)) total -= size;
    }
  }

  std::shared_ptr<const void> pin(const std::string& path) {
    {
      std::lock_guard lock(pins->mu);
      ++pins->counts[path];
    }
    std::weak_ptr<Pins> weak = pins;
    return std::shared_ptr<const void>(nullptr, [weak, path](const void*) {
      if (auto p = weak.lock()) {
        std::lock_guard lock(p->mu);
        if (--p->counts[path] <= 0) p->counts.erase(path);
      }
    });
  }
};

Storage::Storage(StorageOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.s3) impl_->s3 = std::make_unique<S3Client>(*impl_->options.s3);
  if (impl_->options.cache_dir.empty()) {
    impl_->options.cache_dir = fs::temp_directory_path() / "strata-lake-cache";
  }
}

Storage::~Storage() = default;

bool Storage::is_remote(std::string_view uri) {
  std::string n = normalize_uri(uri);
  return n.rfind("s3://", 0) == 0;
}

std::optional<std::string> Storage::read_if_exists(const std::string& raw, bool unzip) {
  std::string uri = normalize_uri(raw);
  ++impl_->reads;
  std::optional<std::string> data;
  if (is_remote(uri)) {
    data = impl_->client(uri).get(impl_->loc(uri));
  } else {
    data = read_local(uri);
  }
  if (data && unzip && is_gzip(*data)) data = gunzip(*data, raw);
  return data;
}

std::string Storage::read(const std::string& uri, bool unzip) {
  auto data = read_if_exists(uri, unzip);
  if (!data) {
    fail_file(uri, "missing file",
              "the table's metadata names a file that does not exist; "
              "check path_map if the table was copied");
  }
  return std::move(*data);
}

bool Storage::exists(const std::string& raw) {
  std::string uri = normalize_uri(raw);
  if (is_remote(uri)) return impl_->client(uri).head(impl_->loc(uri)).has_value();
  std::error_code ec;
  return fs::exists(uri, ec);
}

std::vector<std::string> Storage::list(const std::string& raw) {
  std::string uri = normalize_uri(raw);
  std::vector<std::string> out;
  if (is_remote(uri)) {
    S3Location l = impl_->loc(uri);
    std::string prefix = l.key;
    if (!prefix.empty() && prefix.back() != '/') prefix += '/';
    for (const std::string& k : impl_->client(uri).list(l.bucket, prefix, true)) {
      if (k.size() > prefix.size()) out.push_back(k.substr(prefix.size()));
    }
    return out;
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(uri, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_directory(ec)) name += "/";
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Storage::write(const std::string& raw, std::string_view data) {
  std::string uri = normalize_uri(raw);
  if (is_remote(uri)) {
    impl_->client(uri).put(impl_->loc(uri), std::string(data));
    return;
  }
  fs::path p(uri);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  fs::path tmp = p.parent_path() / (".tmp-" + p.filename().string() + "-" + random_suffix());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) fail_file(uri, "cannot write the file");
  }
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail_file(uri, "cannot write the file: " + ec.message());
  }
}

bool Storage::create_exclusive(const std::string& raw, std::string_view data) {
  std::string uri = normalize_uri(raw);
  if (is_remote(uri)) return impl_->client(uri).put(impl_->loc(uri), std::string(data), true);
  fs::path p(uri);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  fs::path tmp = p.parent_path() / (".tmp-" + p.filename().string() + "-" + random_suffix());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) fail_file(uri, "cannot write the file");
  }
  // link() fails with EEXIST when the target exists: an atomic create.
  int rc = ::link(tmp.c_str(), p.c_str());
  int err = errno;
  fs::remove(tmp, ec);
  if (rc == 0) return true;
  if (err == EEXIST) return false;
  fail_file(uri, std::string("cannot create the file: ") + std::strerror(err));
}

void Storage::upload(const fs::path& local, const std::string& raw) {
  std::string uri = normalize_uri(raw);
  auto data = read_local(local.string());
  if (!data) fail_file(local.string(), "missing file");
  write(uri, *data);
}

void Storage::remove(const std::string& raw) {
  std::string uri = normalize_uri(raw);
  if (is_remote(uri)) {
    impl_->client(uri).remove(impl_->loc(uri));
    return;
  }
  std::error_code ec;
  fs::remove(uri, ec);
}

LocalFile Storage::local_copy(const std::string& raw) {
  std::string uri = normalize_uri(raw);
  if (!is_remote(uri)) {
    std::error_code ec;
    if (!fs::is_regular_file(uri, ec)) {
      fail_file(uri, "missing data file", "the table's metadata names a file that does not exist");
    }
    return LocalFile{uri, nullptr};
  }
  fs::path target = impl_->cache_path(uri);
  auto pin = impl_->pin(target.string());
  std::error_code ec;
  if (fs::exists(target, ec)) {
    fs::last_write_time(target, fs::file_time_type::clock::now(), ec);
    ++impl_->cache_hits;
    return LocalFile{target.string(), pin};
  }
  fs::create_directories(impl_->options.cache_dir, ec);
  fs::path tmp = impl_->options.cache_dir / (".tmp-" + random_suffix());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail_file(tmp.string(), "cannot create a file in the lake cache");
  bool found = false;
  try {
    found = impl_->client(uri).download(impl_->loc(uri), f);
  } catch (...) {
    std::fclose(f);
    fs::remove(tmp, ec);
    throw;
  }
  bool write_ok = std::fclose(f) == 0;
  if (!found || !write_ok) {
    fs::remove(tmp, ec);
    if (!found)
      fail_file(uri, "missing data file", "the table's metadata names a file that does not exist");
    fail_file(tmp.string(), "cannot write the lake cache");
  }
  uint64_t size = fs::file_size(tmp, ec);
  fs::rename(tmp, target, ec);
  if (ec) fail_file(target.string(), "cannot store a file in the lake cache: " + ec.message());
  ++impl_->downloads;
  impl_->downloaded_bytes += size;
  {
    std::lock_guard lock(impl_->cache_mu);
    impl_->evict();
  }
  return LocalFile{target.string(), pin};
}

StorageStats Storage::stats() const {
  return StorageStats{impl_->reads.load(), impl_->downloads.load(), impl_->downloaded_bytes.load(),
                      impl_->cache_hits.load()};
}

const StorageOptions& Storage::options() const {
  return impl_->options;
}

}  // namespace strata::lake

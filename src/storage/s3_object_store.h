#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/object_store.h"

namespace laminar::storage {

/// Where and how an S3ObjectStore talks to its service. Only endpoint, bucket and the two keys
/// have no usable default.
struct S3Config {
  /// "http://host:port" or "https://host", without a path. Requests are path-style:
  /// <endpoint>/<bucket>/<key>, which every S3-compatible service accepts.
  std::string endpoint;
  /// The region named in the SigV4 signature.
  std::string region = "us-east-1";
  std::string bucket;
  std::string access_key_id;
  std::string secret_access_key;
  /// Prepended with a '/' to every key, so several databases can share a bucket: prefix
  /// "db1/objects" stores key "a" as "db1/objects/a". Empty for none; otherwise a valid key.
  std::string prefix;

  /// Objects larger than this are uploaded in parts (multipart upload).
  uint64_t multipart_threshold = uint64_t{8} << 20;
  /// Size of every part but the last. REQUIRES: at least 5 MiB (S3's minimum), at most 5 GiB.
  /// Grown automatically when an object would need more than 10,000 parts.
  uint64_t multipart_part_size = uint64_t{8} << 20;
  /// max-keys of one ListObjectsV2 page (1 to 1000). List always returns every key.
  int list_page_size = 1000;

  /// Attempts per HTTP request, the first included (1 disables retries). Connection failures,
  /// timeouts, HTTP 5xx, 429 and S3's RequestTimeout are retried; other 4xx never are.
  int max_attempts = 5;
  /// Before retry n (1, 2, ...) the store waits min(retry_base_delay * 2^(n-1),
  /// retry_max_delay).
  std::chrono::milliseconds retry_base_delay{100};
  std::chrono::milliseconds retry_max_delay{10'000};

  /// Limit on establishing a connection.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Limit on one whole HTTP request (one part, for multipart uploads). 0 means none.
  std::chrono::milliseconds request_timeout{300'000};
  /// HTTP proxy URL. Empty means a direct connection; proxy environment variables are ignored.
  std::string proxy;

  /// How the store waits between attempts. Null means std::this_thread::sleep_for; tests inject
  /// a recorder so they never wait. Called from the thread doing the request.
  std::function<void(std::chrono::milliseconds)> sleep;
};

/// An ObjectStore on an S3-compatible service over HTTP (libcurl), signed with AWS SigV4.
///
/// Put sends one PUT, or for objects above multipart_threshold a multipart upload (initiate,
/// parts, complete; aborted if any step fails), so an object is visible all-or-nothing.
/// List pages through ListObjectsV2 with continuation tokens. Every HTTP request is retried
/// with exponential backoff as S3Config describes; errors name the operation, the object, the
/// HTTP status and the S3 error code and message from the response body:
/// 404 → kFileNotFound, 403 → kPermissionDenied, retries exhausted →
/// kObjectStoreUnavailable, anything else → kIoError.
///
/// Thread-safety: thread-safe. Requests run concurrently, each on its own connection; idle
/// connections are pooled and reused.
class S3ObjectStore final : public ObjectStore {
 public:
  /// Checks `config` (kInvalidConfiguration naming the field) and prepares the HTTP client. Does
  /// not contact the service.
  static Result<std::unique_ptr<S3ObjectStore>> Create(S3Config config);
  ~S3ObjectStore() override;

  Status Put(std::string_view key, std::string_view bytes) override;
  Result<std::string> Get(std::string_view key) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<std::vector<std::string>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  bool AtomicPut() const override { return true; }
  std::string Describe() const override;

  /// HTTP requests sent so far, retries included.
  uint64_t requests_sent() const { return requests_sent_.load(std::memory_order_relaxed); }
  /// How many of those were retries.
  uint64_t retries() const { return retries_.load(std::memory_order_relaxed); }

  const S3Config& config() const { return config_; }

 private:
  class ConnectionPool;
  struct Request;
  struct Response;

  explicit S3ObjectStore(S3Config config);

  std::string FullKey(std::string_view key) const;
  // Sends `request` with retries. Returns the response for any status that is not retried
  // (including 4xx); an error when the transport failed or retries ran out.
  Result<Response> Send(const Request& request);
  // One attempt. Sets `retryable` when a failure (transport or status) may pass.
  Result<Response> SendOnce(const Request& request, bool& retryable);
  Status ErrorFor(const Request& request, const Response& response) const;
  std::string DescribeRequest(const Request& request) const;

  Status PutMultipart(const std::string& full_key, std::string_view bytes);

  const S3Config config_;
  const std::string signature_scheme_;  // "aws:amz:<region>:s3" for CURLOPT_AWS_SIGV4.
  std::unique_ptr<ConnectionPool> connections_;
  std::atomic<uint64_t> requests_sent_{0};
  std::atomic<uint64_t> retries_{0};
};

/// Percent-encodes `text` as SigV4 canonical requests expect: unreserved characters
/// (A-Z a-z 0-9 - _ . ~) stay, '/' stays if `keep_slash`, every other byte becomes %XX.
std::string S3UriEncode(std::string_view text, bool keep_slash);

}  // namespace laminar::storage

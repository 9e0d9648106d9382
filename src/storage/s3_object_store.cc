// S3ObjectStore: the S3 REST API over libcurl. Signing is libcurl's CURLOPT_AWS_SIGV4, with
// three rules that libcurl 7.88 does not follow by itself (each one makes a verifying server
// answer 400 or 403):
//  - every request carries "x-amz-content-sha256" (UNSIGNED-PAYLOAD here: curl signs the
//    header's value instead of hashing the body);
//  - query parameters are written sorted by name, because curl signs them in the order given;
//  - a parameter without a value is written "name=" ("?uploads="), as the canonical form has it.
// Nor may a request carry an empty header such as "Expect:" (to suppress 100-continue): curl
// signs it but does not send it.

#include "storage/s3_object_store.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include "common/check.h"
#include "common/error_code.h"
#include "common/utf8.h"

namespace laminar::storage {
namespace {

constexpr uint64_t kMinPartSize = uint64_t{5} << 20;
constexpr uint64_t kMaxPartSize = uint64_t{5} << 30;
constexpr uint64_t kMaxParts = 10'000;
constexpr size_t kMaxIdleConnections = 16;

void InitializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { LAMINAR_CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK); });
}

// ---- XML: S3 responses are small, flat documents; a tag search is all they need. ----

// The text of the first <tag>...</tag> in `xml` at or after `from`, with the position after
// the closing tag. Entities are left as they are.
std::optional<std::pair<std::string_view, size_t>> FindElement(std::string_view xml,
                                                               std::string_view tag,
                                                               size_t from = 0) {
  const std::string open = fmt::format("<{}>", tag);
  const std::string close = fmt::format("</{}>", tag);
  const size_t begin = xml.find(open, from);
  if (begin == std::string_view::npos) return std::nullopt;
  const size_t content = begin + open.size();
  const size_t end = xml.find(close, content);
  if (end == std::string_view::npos) return std::nullopt;
  return std::make_pair(xml.substr(content, end - content), end + close.size());
}

// Replaces the five predefined entities and numeric character references.
std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, amp - i));
    const size_t semicolon = text.find(';', amp);
    if (semicolon == std::string_view::npos) {
      out.append(text.substr(amp));
      break;
    }
    const std::string_view entity = text.substr(amp + 1, semicolon - amp - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const std::string digits(entity.substr(hex ? 2 : 1));
      char* end = nullptr;
      const unsigned long value = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (digits.empty() || *end != '\0' || value > 0x10FFFF) {
        out.append(text.substr(amp, semicolon - amp + 1));
      } else {
        AppendUtf8(static_cast<uint32_t>(value), out);
      }
    } else {
      out.append(text.substr(amp, semicolon - amp + 1));
    }
    i = semicolon + 1;
  }
  return out;
}

std::string XmlText(std::string_view xml, std::string_view tag) {
  const auto element = FindElement(xml, tag);
  return element ? XmlUnescape(element->first) : std::string();
}

bool IsRetryableTransportError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool IsRetryableStatus(long status, std::string_view error_code) {
  return status >= 500 || status == 429 || error_code == "RequestTimeout" ||
         error_code == "SlowDown";
}

struct CurlHandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlHandleDeleter>;

struct CurlHeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHeaderList = std::unique_ptr<curl_slist, CurlHeaderListDeleter>;

// Feeds a request body to libcurl.
struct UploadCursor {
  std::string_view remaining;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user_data) {
  auto* cursor = static_cast<UploadCursor*>(user_data);
  const size_t n = std::min(size * count, cursor->remaining.size());
  std::copy_n(cursor->remaining.data(), n, buffer);
  cursor->remaining.remove_prefix(n);
  return n;
}

}  // namespace

// One HTTP request of the S3 API.
struct S3ObjectStore::Request {
  const char* method = "GET";
  std::string key{};  // Full key inside the bucket (prefix applied); empty for the bucket.
  std::vector<std::pair<std::string, std::string>> query{};  // Sorted by name when sent.
  std::string_view body{};
  std::vector<std::string> headers{};  // "Name: value".
  std::string_view operation{};        // For messages: "put", "get", "list", ...
};

struct S3ObjectStore::Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Lower-case names.

  std::string_view Header(std::string_view name) const {
    for (const auto& [header_name, value] : headers) {
      if (header_name == name) return value;
    }
    return {};
  }
};

// Idle libcurl easy handles. A handle keeps its connection cache across curl_easy_reset, so
// reusing handles reuses connections.
class S3ObjectStore::ConnectionPool {
 public:
  CurlHandle Acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        CurlHandle handle = std::move(idle_.back());
        idle_.pop_back();
        curl_easy_reset(handle.get());
        return handle;
      }
    }
    return CurlHandle(curl_easy_init());
  }

  void Release(CurlHandle handle) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(handle));
  }

 private:
  std::mutex mutex_;
  std::vector<CurlHandle> idle_;  // Guarded by mutex_.
};

std::string S3UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.append(fmt::format("%{:02X}", byte));
    }
  }
  return out;
}

S3ObjectStore::S3ObjectStore(S3Config config)
    : config_(std::move(config)),
      signature_scheme_(fmt::format("aws:amz:{}:s3", config_.region)),
      connections_(std::make_unique<ConnectionPool>()) {}

S3ObjectStore::~S3ObjectStore() = default;

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Create(S3Config config) {
  auto invalid = [](std::string_view field, std::string_view why) {
    return Status::Error(ErrorCode::kInvalidConfiguration, "S3 object store: {} {}", field, why);
  };
  if (!config.endpoint.starts_with("http://") && !config.endpoint.starts_with("https://")) {
    return invalid("endpoint", "must start with http:// or https://");
  }
  while (config.endpoint.back() == '/') config.endpoint.pop_back();
  if (config.endpoint.find('/', config.endpoint.find("//") + 2) != std::string::npos) {
    return invalid("endpoint", "must not have a path (requests are path-style)");
  }
  if (config.region.empty()) return invalid("region", "is empty");
  if (config.bucket.empty()) return invalid("bucket", "is empty");
  if (config.bucket.find('/') != std::string::npos) return invalid("bucket", "contains '/'");
  if (config.access_key_id.empty()) return invalid("access_key_id", "is empty");
  if (config.secret_access_key.empty()) return invalid("secret_access_key", "is empty");
  if (!config.prefix.empty()) {
    Status prefix_status = ValidateObjectKey(config.prefix);
    if (!prefix_status.ok()) {
      return invalid("prefix", fmt::format("is not a valid key: {}", prefix_status.message()));
    }
  }
  if (config.multipart_part_size < kMinPartSize || config.multipart_part_size > kMaxPartSize) {
    return invalid("multipart_part_size", "must be between 5 MiB and 5 GiB");
  }
  if (config.list_page_size < 1 || config.list_page_size > 1000) {
    return invalid("list_page_size", "must be between 1 and 1000");
  }
  if (config.max_attempts < 1) return invalid("max_attempts", "must be at least 1");
  if (config.retry_base_delay.count() < 0 || config.retry_max_delay.count() < 0) {
    return invalid("retry delays", "must not be negative");
  }
  if (config.connect_timeout.count() < 0 || config.request_timeout.count() < 0) {
    return invalid("timeouts", "must not be negative");
  }
  InitializeCurlOnce();
  return std::unique_ptr<S3ObjectStore>(new S3ObjectStore(std::move(config)));
}

std::string S3ObjectStore::Describe() const {
  return fmt::format("s3://{}{}{} at {}", config_.bucket, config_.prefix.empty() ? "" : "/",
                     config_.prefix, config_.endpoint);
}

std::string S3ObjectStore::FullKey(std::string_view key) const {
  return config_.prefix.empty() ? std::string(key) : fmt::format("{}/{}", config_.prefix, key);
}

std::string S3ObjectStore::DescribeRequest(const Request& request) const {
  return fmt::format("S3 {} s3://{}/{}", request.operation, config_.bucket, request.key);
}

Result<S3ObjectStore::Response> S3ObjectStore::SendOnce(const Request& request, bool& retryable) {
  retryable = false;
  requests_sent_.fetch_add(1, std::memory_order_relaxed);

  auto query = request.query;
  std::sort(query.begin(), query.end());
  std::string url = fmt::format("{}/{}", config_.endpoint, config_.bucket);
  if (!request.key.empty()) url += "/" + S3UriEncode(request.key, /*keep_slash=*/true);
  for (size_t i = 0; i < query.size(); ++i) {
    url += i == 0 ? '?' : '&';
    url += S3UriEncode(query[i].first, false);
    url += '=';
    url += S3UriEncode(query[i].second, false);
  }

  CurlHandle handle = connections_->Acquire();
  if (handle == nullptr) {
    return Status::Error(ErrorCode::kOutOfMemory, "{}: cannot create an HTTP client",
                         DescribeRequest(request));
  }
  CURL* curl = handle.get();

  CurlHeaderList headers;
  auto add_header = [&](const std::string& header) {
    curl_slist* list = curl_slist_append(headers.get(), header.c_str());
    if (list != nullptr) {
      (void)headers.release();
      headers.reset(list);
    }
  };
  add_header("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  for (const std::string& header : request.headers) add_header(header);

  Response response;
  UploadCursor upload{request.body};
  char error_buffer[CURL_ERROR_SIZE] = {};

  using WriteCallback = size_t (*)(char*, size_t, size_t, void*);
  WriteCallback write_body = [](char* data, size_t size, size_t count, void* user) -> size_t {
    static_cast<Response*>(user)->body.append(data, size * count);
    return size * count;
  };
  WriteCallback write_header = [](char* data, size_t size, size_t count, void* user) -> size_t {
    auto* out = static_cast<Response*>(user);
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      out->headers.clear();  // A new response (after an interim 1xx) starts.
      return size * count;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return size * count;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ' ||
                              value.back() == '\t')) {
      value.remove_suffix(1);
    }
    out->headers.emplace_back(std::move(name), std::string(value));
    return size * count;
  };

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, signature_scheme_.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, config_.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_PROXY, config_.proxy.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(config_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, write_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);

  const std::string_view method = request.method;
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method);
  }

  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    // The handle may hold a broken connection; drop it rather than pool it.
    retryable = IsRetryableTransportError(code);
    return Status::Error(ErrorCode::kIoError, "{}: {} ({})", DescribeRequest(request),
                         curl_easy_strerror(code),
                         error_buffer[0] != '\0' ? error_buffer : "no detail");
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  connections_->Release(std::move(handle));
  if (response.status < 200 || response.status >= 300) {
    retryable = IsRetryableStatus(response.status, XmlText(response.body, "Code"));
  }
  return response;
}

Result<S3ObjectStore::Response> S3ObjectStore::Send(const Request& request) {
  for (int attempt = 1;; ++attempt) {
    bool retryable = false;
    Result<Response> response = SendOnce(request, retryable);
    if (!retryable) return response;
    if (attempt >= config_.max_attempts) {
      const std::string last =
          response.ok() ? ErrorFor(request, *response).ToString() : response.status().ToString();
      return Status::Error(ErrorCode::kObjectStoreUnavailable,
                           "{}: failed after {} attempt{}; last error: {}",
                           DescribeRequest(request), attempt, attempt == 1 ? "" : "s", last);
    }
    // Exponential backoff: base, 2 * base, 4 * base, ..., capped.
    std::chrono::milliseconds delay = config_.retry_base_delay;
    for (int i = 1; i < attempt && delay < config_.retry_max_delay; ++i) delay *= 2;
    delay = std::min(delay, config_.retry_max_delay);
    retries_.fetch_add(1, std::memory_order_relaxed);
    if (config_.sleep) {
      config_.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

Status S3ObjectStore::ErrorFor(const Request& request, const Response& response) const {
  const std::string s3_code = XmlText(response.body, "Code");
  const std::string s3_message = XmlText(response.body, "Message");
  ErrorCode code = ErrorCode::kIoError;
  if (response.status == 404 && s3_code != "NoSuchBucket" && s3_code != "NoSuchUpload") {
    code = ErrorCode::kFileNotFound;
  } else if (response.status == 403) {
    code = ErrorCode::kPermissionDenied;
  }
  std::string detail = fmt::format("HTTP {}", response.status);
  if (!s3_code.empty()) detail += " " + s3_code;
  if (!s3_message.empty()) detail += ": " + s3_message;
  return Status::Error(code, "{}: {}", DescribeRequest(request), detail);
}

Status S3ObjectStore::Put(std::string_view key, std::string_view bytes) {
  LAMINAR_RETURN_IF_ERROR(ValidateObjectKey(key));
  const std::string full_key = FullKey(key);
  if (full_key.size() > kMaxObjectKeySize) return ValidateObjectKey(full_key);
  if (bytes.size() > config_.multipart_threshold) return PutMultipart(full_key, bytes);
  Request request{.method = "PUT", .key = full_key, .body = bytes, .operation = "put"};
  LAMINAR_ASSIGN_OR_RETURN(const Response response, Send(request));
  if (response.status != 200) return ErrorFor(request, response);
  return Status::Ok();
}

Status S3ObjectStore::PutMultipart(const std::string& full_key, std::string_view bytes) {
  const uint64_t part_size =
      std::max(config_.multipart_part_size, (bytes.size() + kMaxParts - 1) / kMaxParts);

  Request initiate{.method = "POST",
                   .key = full_key,
                   .query = {{"uploads", ""}},
                   .operation = "initiate multipart upload"};
  LAMINAR_ASSIGN_OR_RETURN(const Response initiated, Send(initiate));
  if (initiated.status != 200) return ErrorFor(initiate, initiated);
  const std::string upload_id = XmlText(initiated.body, "UploadId");
  if (upload_id.empty()) {
    return Status::Error(ErrorCode::kIoError, "{}: the response has no UploadId",
                         DescribeRequest(initiate));
  }

  auto upload = [&]() -> Status {
    std::string completion = "<CompleteMultipartUpload>";
    int part_number = 1;
    for (uint64_t offset = 0; offset < bytes.size(); offset += part_size, ++part_number) {
      Request part{.method = "PUT",
                   .key = full_key,
                   .query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}},
                   .body = bytes.substr(offset, part_size),
                   .operation = "upload part"};
      LAMINAR_ASSIGN_OR_RETURN(const Response uploaded, Send(part));
      if (uploaded.status != 200) return ErrorFor(part, uploaded);
      const std::string_view etag = uploaded.Header("etag");
      if (etag.empty()) {
        return Status::Error(ErrorCode::kIoError, "{} {}: the response has no ETag",
                             DescribeRequest(part), part_number);
      }
      completion +=
          fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", part_number, etag);
    }
    completion += "</CompleteMultipartUpload>";
    Request complete{.method = "POST",
                     .key = full_key,
                     .query = {{"uploadId", upload_id}},
                     .body = completion,
                     .headers = {"Content-Type: application/xml"},
                     .operation = "complete multipart upload"};
    LAMINAR_ASSIGN_OR_RETURN(const Response completed, Send(complete));
    // S3 may report a failed completion with status 200 and an <Error> document.
    if (completed.status != 200 || completed.body.find("<Error>") != std::string::npos) {
      return ErrorFor(complete, completed);
    }
    return Status::Ok();
  };

  Status status = upload();
  if (!status.ok()) {
    // Abort so the service frees the parts; the object itself was never published.
    Request abort{.method = "DELETE",
                  .key = full_key,
                  .query = {{"uploadId", upload_id}},
                  .operation = "abort multipart upload"};
    (void)Send(abort);
  }
  return status;
}

Result<std::string> S3ObjectStore::Get(std::string_view key) {
  LAMINAR_RETURN_IF_ERROR(ValidateObjectKey(key));
  Request request{.method = "GET", .key = FullKey(key), .operation = "get"};
  LAMINAR_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 200) return ErrorFor(request, response);
  return std::move(response.body);
}

Result<ObjectInfo> S3ObjectStore::Head(std::string_view key) {
  LAMINAR_RETURN_IF_ERROR(ValidateObjectKey(key));
  Request request{.method = "HEAD", .key = FullKey(key), .operation = "head"};
  LAMINAR_ASSIGN_OR_RETURN(const Response response, Send(request));
  if (response.status != 200) return ErrorFor(request, response);
  const std::string length(response.Header("content-length"));
  char* end = nullptr;
  const unsigned long long size = std::strtoull(length.c_str(), &end, 10);
  if (length.empty() || *end != '\0') {
    return Status::Error(ErrorCode::kIoError, "{}: the response has no valid Content-Length",
                         DescribeRequest(request));
  }
  return ObjectInfo{std::string(key), static_cast<uint64_t>(size)};
}

Result<std::vector<std::string>> S3ObjectStore::List(std::string_view prefix) {
  const std::string store_prefix = config_.prefix.empty() ? "" : config_.prefix + "/";
  const std::string full_prefix = store_prefix + std::string(prefix);
  std::vector<std::string> keys;
  std::string continuation_token;
  while (true) {
    Request request{
        .method = "GET",
        .query = {{"list-type", "2"}, {"max-keys", std::to_string(config_.list_page_size)}},
        .operation = "list"};
    if (!full_prefix.empty()) request.query.emplace_back("prefix", full_prefix);
    if (!continuation_token.empty()) {
      request.query.emplace_back("continuation-token", continuation_token);
    }
    LAMINAR_ASSIGN_OR_RETURN(const Response response, Send(request));
    if (response.status != 200) return ErrorFor(request, response);
    const std::string_view xml = response.body;
    size_t position = 0;
    while (auto contents = FindElement(xml, "Contents", position)) {
      position = contents->second;
      std::string key = XmlText(contents->first, "Key");
      if (!key.starts_with(store_prefix)) continue;  // Cannot happen with a correct service.
      keys.push_back(key.substr(store_prefix.size()));
    }
    if (XmlText(xml, "IsTruncated") != "true") break;
    continuation_token = XmlText(xml, "NextContinuationToken");
    if (continuation_token.empty()) {
      return Status::Error(ErrorCode::kIoError,
                           "{} '{}': a truncated page has no NextContinuationToken",
                           DescribeRequest(request), prefix);
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status S3ObjectStore::Delete(std::string_view key) {
  LAMINAR_RETURN_IF_ERROR(ValidateObjectKey(key));
  Request request{.method = "DELETE", .key = FullKey(key), .operation = "delete"};
  LAMINAR_ASSIGN_OR_RETURN(const Response response, Send(request));
  // S3 answers 204 whether or not the object existed; some services say 404 for absent ones.
  if (response.status == 204 || response.status == 200) return Status::Ok();
  if (response.status == 404 && XmlText(response.body, "Code") != "NoSuchBucket") {
    return Status::Ok();
  }
  return ErrorFor(request, response);
}

}  // namespace laminar::storage

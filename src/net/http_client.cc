#include "net/http_client.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "net/curl_library.h"

namespace hoist {

std::string PickCaBundle(const std::string& ssl_cert_file, const std::string& curl_default,
                         const std::function<bool(const std::string&)>& readable) {
  if (!ssl_cert_file.empty()) return ssl_cert_file;
  if (curl_default.empty() || readable(curl_default)) return "";
  for (const char* path : {"/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Alpine
                           "/etc/pki/tls/certs/ca-bundle.crt",    // Fedora, RHEL, Amazon Linux
                           "/etc/ssl/ca-bundle.pem",              // openSUSE
                           "/etc/ssl/cert.pem",                   // Arch, macOS-like layouts
                           "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"}) {
    if (readable(path)) return path;
  }
  return "";
}

namespace {

/// Connections kept open for reuse, across every thread of a client.
constexpr long kMostConnections = 64;

/// The CA bundle of this machine, when this build of libcurl would not find one (see
/// PickCaBundle); worked out once per process.
const std::string& SystemCaBundle() {
  static const std::string path = [] {
    const char* env = std::getenv("SSL_CERT_FILE");
    const curl_version_info_data* info = Curl().version_info(CURLVERSION_NOW);
    return PickCaBundle(env ? env : "", info->cainfo ? info->cainfo : "",
                        [](const std::string& file) { return access(file.c_str(), R_OK) == 0; });
  }();
  return path;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(start, end - start + 1);
}

struct Transfer {
  HttpResponse* response;
  FILE* output = nullptr;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->output) return fwrite(data, 1, bytes, transfer->output);
  transfer->response->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  std::string line(data, bytes);
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->response->headers.clear();  // a new response (e.g. after 100 Continue)
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    transfer->response->headers.emplace(Lower(Trim(line.substr(0, colon))),
                                        Trim(line.substr(colon + 1)));
  }
  return bytes;
}

void LockShare(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<std::mutex*>(user)[data].lock();
}

void UnlockShare(CURL*, curl_lock_data data, void* user) {
  static_cast<std::mutex*>(user)[data].unlock();
}

}  // namespace

struct HttpClient::Shared {
  CURLSH* share = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];
  std::mutex pool_mutex;
  std::vector<CURL*> pool;
  std::atomic<size_t> requests{0};
};

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(HttpOptions options)
    : options_(std::move(options)), shared_(std::make_unique<Shared>()) {
  if (!Curl().error.empty()) return;  // each request says why
  shared_->share = Curl().share_init();
  Curl().share_setopt(shared_->share, CURLSHOPT_LOCKFUNC, LockShare);
  Curl().share_setopt(shared_->share, CURLSHOPT_UNLOCKFUNC, UnlockShare);
  Curl().share_setopt(shared_->share, CURLSHOPT_USERDATA, shared_->locks);
  Curl().share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  Curl().share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  Curl().share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
}

HttpClient::~HttpClient() {
  if (shared_->share == nullptr) return;  // libcurl never loaded
  for (CURL* handle : shared_->pool) Curl().easy_cleanup(handle);
  Curl().share_cleanup(shared_->share);
}

size_t HttpClient::requests_sent() const {
  return shared_->requests.load();
}

void* HttpClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(shared_->pool_mutex);
    if (!shared_->pool.empty()) {
      CURL* handle = shared_->pool.back();
      shared_->pool.pop_back();
      return handle;
    }
  }
  return Curl().easy_init();
}

void HttpClient::Release(void* handle) {
  std::lock_guard<std::mutex> lock(shared_->pool_mutex);
  shared_->pool.push_back(static_cast<CURL*>(handle));
}

Expected<HttpResponse> HttpClient::Send(const HttpRequest& request, HttpFailure* failure) {
  if (shared_->share == nullptr) {
    if (failure) *failure = HttpFailure{HttpFailure::Kind::kNoLibrary, Curl().error, false};
    return Error{request.url + ": " + Curl().error};
  }
  CURL* curl = static_cast<CURL*>(Acquire());
  Curl().easy_reset(curl);
  HttpResponse response;
  Transfer transfer{&response};
  FILE* input = nullptr;
  if (!request.output_file.empty()) {
    transfer.output = fopen(request.output_file.c_str(), "wb");
    if (!transfer.output) {
      Release(curl);
      return Error{"cannot write " + request.output_file};
    }
  }
  Curl().easy_setopt(curl, CURLOPT_SHARE, shared_->share);
  // The shared cache keeps a connection for each request in flight: with curl's default of 5,
  // each request from more threads than that closed the oldest connection when it ended, and
  // every request then opened a new one.
  Curl().easy_setopt(curl, CURLOPT_MAXCONNECTS, kMostConnections);
  Curl().easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  Curl().easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  Curl().easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  Curl().easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");  // never file://, gopher://, …
  Curl().easy_setopt(
      curl, CURLOPT_HTTP_VERSION,
      static_cast<long>(options_.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1));
  Curl().easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  Curl().easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  Curl().easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_s);
  if (options_.total_timeout_s > 0)
    Curl().easy_setopt(curl, CURLOPT_TIMEOUT, options_.total_timeout_s);
  Curl().easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  Curl().easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) {
    Curl().easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  } else if (!SystemCaBundle().empty()) {
    Curl().easy_setopt(curl, CURLOPT_CAINFO, SystemCaBundle().c_str());
  }
  if (!options_.unix_socket.empty()) {
    Curl().easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, options_.unix_socket.c_str());
  }
  Curl().easy_setopt(curl, CURLOPT_USERAGENT, "hoist/0.1");
  Curl().easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  Curl().easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  Curl().easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  Curl().easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = Curl().slist_append(headers, (name + ": " + value).c_str());
  }
  headers = Curl().slist_append(headers, "Expect:");  // no 100-continue round trip

  if (request.method == "HEAD") {
    Curl().easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    Curl().easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body_file.empty()) {
      input = fopen(request.body_file.c_str(), "rb");
      if (!input) {
        Curl().slist_free_all(headers);
        if (transfer.output) fclose(transfer.output);
        Release(curl);
        return Error{"cannot read " + request.body_file};
      }
      fseek(input, 0, SEEK_END);
      long size = ftell(input);
      fseek(input, 0, SEEK_SET);
      Curl().easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      Curl().easy_setopt(curl, CURLOPT_READDATA, input);
      Curl().easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    } else {
      Curl().easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      Curl().easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    }
  }
  Curl().easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  ++shared_->requests;
  CURLcode code = Curl().easy_perform(curl);
  Curl().easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  Curl().slist_free_all(headers);
  if (input) fclose(input);
  if (transfer.output) fclose(transfer.output);
  // The handle keeps its connection for the next request; CURLOPT_HTTPHEADER must not
  // point at the freed list when the handle is reused.
  Curl().easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  Release(curl);

  if (code != CURLE_OK) {
    HttpFailure what;
    switch (code) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
        what.kind = HttpFailure::Kind::kConnect;
        what.unresolved = code == CURLE_COULDNT_RESOLVE_HOST;
        break;
      case CURLE_OPERATION_TIMEDOUT:
        what.kind = HttpFailure::Kind::kTimeout;
        break;
      case CURLE_SSL_CONNECT_ERROR:
        what.kind = HttpFailure::Kind::kTls;
        break;
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        what.kind = HttpFailure::Kind::kTlsVerify;
        break;
      default:
        what.kind = HttpFailure::Kind::kOther;
    }
    what.message = Curl().easy_strerror(code);
    if (failure) *failure = what;
    return Error{what.message};
  }
  return response;
}

std::string ResolveUrl(const std::string& base, const std::string& reference) {
  if (!Curl().error.empty()) return reference;
  CURLU* url = Curl().url();
  std::string out = reference;
  if (Curl().url_set(url, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      Curl().url_set(url, CURLUPART_URL, reference.c_str(), 0) == CURLUE_OK) {
    char* text = nullptr;
    if (Curl().url_get(url, CURLUPART_URL, &text, 0) == CURLUE_OK) {
      out = text;
      Curl().free(text);
    }
  }
  Curl().url_cleanup(url);
  return out;
}

std::string UrlAuthority(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? end : end - start);
  size_t at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

}  // namespace hoist

#include "net/curl_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <vector>

namespace hoist {
namespace {

/// Debian's libcurl4 (OpenSSL), which the tarball bundles beside hoist's other libraries
/// (found through hoist's DT_RPATH); else the GnuTLS build, which many machines have instead.
constexpr const char* kSoname = "libcurl.so.4";
constexpr const char* kGnutlsSoname = "libcurl-gnutls.so.4";

CurlLibrary Load() {
  CurlLibrary curl;
  // HOIST_LIBCURL names another file (a libcurl of one's own; the tests name a missing one).
  const char* chosen = std::getenv("HOIST_LIBCURL");
  const bool named = chosen != nullptr && *chosen != '\0';
  const std::vector<const char*> names =
      named ? std::vector<const char*>{chosen} : std::vector<const char*>{kSoname, kGnutlsSoname};
  void* handle = nullptr;
  std::string why;
  for (const char* name : names) {
    handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) break;
    const char* error = dlerror();
    why += std::string(why.empty() ? "" : "; ") + (error ? error : name);
  }
  if (handle == nullptr) {
    curl.error = "cannot load libcurl (" + why + "); " +
                 (named ? "HOIST_LIBCURL names it: correct or unset HOIST_LIBCURL"
                        : "install it: apt-get install libcurl4");
    return curl;
  }
  std::string missing;
  auto resolve = [&](auto& pointer, const char* name) {
    void* symbol = dlsym(handle, name);
    if (symbol == nullptr) missing += std::string(missing.empty() ? "" : ", ") + name;
    pointer = reinterpret_cast<std::remove_reference_t<decltype(pointer)>>(symbol);
  };
  resolve(curl.global_init, "curl_global_init");
  resolve(curl.easy_init, "curl_easy_init");
  resolve(curl.easy_setopt, "curl_easy_setopt");
  resolve(curl.easy_perform, "curl_easy_perform");
  resolve(curl.easy_getinfo, "curl_easy_getinfo");
  resolve(curl.easy_reset, "curl_easy_reset");
  resolve(curl.easy_cleanup, "curl_easy_cleanup");
  resolve(curl.easy_strerror, "curl_easy_strerror");
  resolve(curl.share_init, "curl_share_init");
  resolve(curl.share_setopt, "curl_share_setopt");
  resolve(curl.share_cleanup, "curl_share_cleanup");
  resolve(curl.slist_append, "curl_slist_append");
  resolve(curl.slist_free_all, "curl_slist_free_all");
  resolve(curl.url, "curl_url");
  resolve(curl.url_cleanup, "curl_url_cleanup");
  resolve(curl.url_set, "curl_url_set");
  resolve(curl.url_get, "curl_url_get");
  resolve(curl.free, "curl_free");
  resolve(curl.getdate, "curl_getdate");
  resolve(curl.version_info, "curl_version_info");
  if (!missing.empty()) {
    return CurlLibrary{"the libcurl loaded lacks " + missing +
                       "; install libcurl 7.85 or later (apt-get install libcurl4)"};
  }
  // CURLOPT_PROTOCOLS_STR, which keeps every request to http and https, came in 7.85; an older
  // libcurl would ignore it.
  const curl_version_info_data* info = curl.version_info(CURLVERSION_NOW);
  if (info == nullptr || info->version_num < 0x075500) {
    return CurlLibrary{"the libcurl loaded is " +
                       std::string(info && info->version ? info->version : "unknown") +
                       "; hoist needs 7.85 or later (apt-get install libcurl4)"};
  }
  if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return CurlLibrary{"libcurl could not initialise (curl_global_init failed)"};
  }
  return curl;
}

}  // namespace

const CurlLibrary& Curl() {
  static const CurlLibrary library = Load();  // once, thread-safe (C++11 statics)
  return library;
}

}  // namespace hoist

#pragma once

#include <curl/curl.h>

#include <string>

namespace hoist {

/// libcurl, loaded the first time hoist speaks HTTP rather than when it starts: linked, it and
/// the libraries it needs (Kerberos, LDAP, GnuTLS, ...) took 12 of the 30 ms of every hoist
/// command's start on these machines, most of which (hash, affected, graph) never use it. The
/// same functions as curl.h declares them, resolved once (as systemd loads its optional
/// libraries).
struct CurlLibrary {
  /// "" when loaded; else what failed and how to fix it, and no pointer below is set.
  std::string error;
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_reset) easy_reset = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_share_init) share_init = nullptr;
  decltype(&::curl_share_setopt) share_setopt = nullptr;
  decltype(&::curl_share_cleanup) share_cleanup = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
  decltype(&::curl_url) url = nullptr;
  decltype(&::curl_url_cleanup) url_cleanup = nullptr;
  decltype(&::curl_url_set) url_set = nullptr;
  decltype(&::curl_url_get) url_get = nullptr;
  decltype(&::curl_free) free = nullptr;
  decltype(&::curl_getdate) getdate = nullptr;
  decltype(&::curl_version_info) version_info = nullptr;
};

/// libcurl (libcurl.so.4), loaded and globally initialised on the first call, from any thread.
const CurlLibrary& Curl();

}  // namespace hoist

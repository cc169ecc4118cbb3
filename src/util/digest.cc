#include "util/digest.h"

#include <openssl/evp.h>

namespace hoist {

struct Digest::Context {
  EVP_MD_CTX* ctx = nullptr;
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Digest::Digest(Algorithm algorithm) : context_(std::make_unique<Context>()) {
  context_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context_->ctx, algorithm == Algorithm::kSha256 ? EVP_sha256() : EVP_sha1(),
                    nullptr);
}

Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::Update(std::string_view data) {
  EVP_DigestUpdate(context_->ctx, data.data(), data.size());
}

std::string Digest::Finish() {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, bytes, &length);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 15];
  }
  return hex;
}

std::string GitBlobId(std::string_view content) {
  Digest digest(Digest::Algorithm::kSha1);
  std::string header = "blob " + std::to_string(content.size());
  digest.Update(header);
  digest.Update(std::string_view("\0", 1));
  digest.Update(content);
  return digest.Finish();
}

std::string Sha256Digest(const std::string& bytes) {
  Digest digest;
  digest.Update(bytes);
  return "sha256:" + digest.Finish();
}

}  // namespace hoist

#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hoist {

/// An incremental SHA-256 or SHA-1 (OpenSSL EVP), giving lowercase hex.
class Digest {
 public:
  enum class Algorithm { kSha256, kSha1 };
  explicit Digest(Algorithm algorithm = Algorithm::kSha256);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;

  void Update(std::string_view data);
  /// The hex digest; the Digest is finished afterwards.
  std::string Finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// "sha256:<hex>" of `bytes`.
std::string Sha256Digest(const std::string& bytes);

/// The id git gives `content` as a blob (`git hash-object --stdin`, SHA-1 repositories).
std::string GitBlobId(std::string_view content);

}  // namespace hoist

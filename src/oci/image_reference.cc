#include "oci/image_reference.h"

#include "util/repository_name.h"

namespace hoist {

Expected<ImageReference> ImageReference::Parse(const std::string& text) {
  ImageReference image;
  std::string rest = text;
  size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    std::string first = rest.substr(0, slash);
    if (first.find_first_of(".:") != std::string::npos || first == "localhost") {
      image.host = first;
      rest = rest.substr(slash + 1);
    }
  }
  size_t at = rest.find('@');
  if (at != std::string::npos) {
    image.reference = rest.substr(at + 1);
    rest = rest.substr(0, at);
  } else {
    size_t colon = rest.rfind(':');
    if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
      image.reference = rest.substr(colon + 1);
      rest = rest.substr(0, colon);
    }
  }
  if (image.reference.empty()) image.reference = "latest";
  image.repository = rest;
  if (!IsValidRepositoryName(image.repository)) {
    return Error{"'" + text + "' is not an image reference ([HOST[:PORT]/]REPOSITORY[:TAG])"};
  }
  return image;
}

}  // namespace hoist

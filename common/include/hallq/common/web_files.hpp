#pragma once
// The pages' files (the kiosk's touch page, the controller's /board), served straight from one
// folder by plain names: no paths, no dot-files, only the types a page uses.
#include <optional>
#include <string>

namespace hallq {

struct WebFile {
  std::string body;
  const char* content_type = "";
};

// The MIME type of a served file by its extension, nullptr if it is not one a page uses.
const char* web_content_type(const std::string& name);
// DIR/NAME when NAME is a plain file name ([A-Za-z0-9._-], not starting with a dot, ≤ 64
// characters) of a served type and the file can be read; nullopt otherwise.
std::optional<WebFile> read_web_file(const std::string& dir, const std::string& name);
// A folder of a program's shared files (pages, clips) installed next to it: <prefix>/bin/PROGRAM →
// <prefix>/share/hallq/<folder> (the build tree has the same shape).
std::string installed_share_dir(const std::string& folder, const char* argv0);

}  // namespace hallq

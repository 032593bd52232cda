#pragma once
// Replacing a file whole, durably (R-HALL-8: a power cut loses nothing). The bytes go to a
// new file in the same folder, which is fsynced, renamed over the target, and then the folder
// is fsynced so that the new name itself survives a power cut. A reader, and the disk after a
// crash, sees either the old content whole or the new content whole, never a mix.
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace hallq {

struct FileError {
  int code = 0;         // errno of the step that failed (EEXIST: IfExists::keep found a file)
  std::string message;  // "PATH: cannot STEP: strerror", the same for the same failure
};

enum class IfExists {
  replace,  // rename(2) over the target
  keep,     // link(2): an existing target is left alone and the error is EEXIST
};

// Writes `bytes` to `path` as described above; nullopt once the file and its name are on disk.
// `mode` is open(2)'s: the process's umask applies, as to any file the process creates. On any
// failure before the new file takes the name, the old file is untouched and the temporary file
// is gone. If only the last step (the folder's fsync) fails, the new content is in place but
// its name may not survive a power cut; the error says so.
[[nodiscard]] std::optional<FileError> write_file_atomically(const std::string& path, std::string_view bytes,
                                                             mode_t mode, IfExists if_exists = IfExists::replace);

}  // namespace hallq

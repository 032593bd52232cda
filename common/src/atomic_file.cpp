#include "hallq/common/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace hallq {

namespace {

FileError failure(const std::string& path, const std::string& step) {
  const int code = errno;
  return FileError{code, path + ": cannot " + step + ": " + std::strerror(code)};
}

// The folder and the name of `path` ("." for a bare name).
std::pair<std::string, std::string> split(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// A new file beside the target, hidden and ending in ".tmp" so that nothing watching the
// folder for the target's kind of file takes it for one. O_EXCL: never someone else's file.
int create_temp(const std::string& dir, const std::string& name, mode_t mode, std::string& tmp) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    tmp = dir + "/." + name + "." + std::to_string(::getpid()) + "." + std::to_string(counter++) + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0 || errno != EEXIST) return fd;  // EEXIST: left by an earlier process of this pid
  }
  return -1;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Writes and fsyncs the temporary file; on failure it is closed and removed.
std::optional<FileError> fill(int fd, const std::string& tmp, const std::string& path, std::string_view bytes) {
  std::optional<FileError> err;
  if (!write_all(fd, bytes))
    err = failure(path, "write the new file");
  else if (::fsync(fd) != 0)
    err = failure(path, "fsync the new file");
  if (::close(fd) != 0 && !err) err = failure(path, "close the new file");
  if (err) ::unlink(tmp.c_str());
  return err;
}

// Gives the temporary file the target's name; on failure the temporary file is removed.
std::optional<FileError> publish(const std::string& tmp, const std::string& path, IfExists if_exists) {
  if (if_exists == IfExists::replace) {
    if (::rename(tmp.c_str(), path.c_str()) == 0) return std::nullopt;
    FileError err = failure(path, "rename the new file over it");
    ::unlink(tmp.c_str());
    return err;
  }
  // link(2) fails with EEXIST rather than replace; the temporary name then goes either way.
  std::optional<FileError> err;
  if (::link(tmp.c_str(), path.c_str()) != 0) err = failure(path, "link the new file to it");
  ::unlink(tmp.c_str());
  return err;
}

std::optional<FileError> sync_folder(const std::string& dir, const std::string& path) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const std::string step = "fsync its folder " + dir + " (the new file may not survive a power cut)";
  if (fd < 0) return failure(path, step);
  // EINVAL: a file system that cannot sync a folder (it has nothing to flush for the name).
  std::optional<FileError> err;
  if (::fsync(fd) != 0 && errno != EINVAL) err = failure(path, step);
  ::close(fd);
  return err;
}

}  // namespace

std::optional<FileError> write_file_atomically(const std::string& path, std::string_view bytes, mode_t mode,
                                               IfExists if_exists) {
  const auto [dir, name] = split(path);
  std::string tmp;
  const int fd = create_temp(dir, name, mode, tmp);
  if (fd < 0) return failure(path, "create a new file beside it");
  if (auto err = fill(fd, tmp, path, bytes)) return err;
  if (auto err = publish(tmp, path, if_exists)) return err;
  return sync_folder(dir, path);
}

}  // namespace hallq

#include "posix_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace omni::journal::internal {

File& File::operator=(File&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

File::~File() { close(); }

void File::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int write_all(int fd, std::span<const std::byte> bytes) noexcept {
  const std::byte* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return 0;
}

int sync_data(int fd) noexcept {
  while (::fdatasync(fd) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

int sync_dir(const std::filesystem::path& dir) noexcept {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = 0;
  while (::fsync(fd) != 0) {
    if (errno != EINTR) {
      err = errno;
      break;
    }
  }
  ::close(fd);
  return err;
}

int truncate_and_sync(const std::filesystem::path& file, uint64_t size) noexcept {
  File f(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!f.is_open()) return errno;
  if (::ftruncate(f.fd(), static_cast<off_t>(size)) != 0) return errno;
  return sync_data(f.fd());
}

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns the message (possibly not in buf).
  return std::string(::strerror_r(err, buf, sizeof buf));
}

int MappedFile::map(const std::filesystem::path& file, MappedFile& out) noexcept {
  File f(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!f.is_open()) return errno;
  struct stat st{};
  if (::fstat(f.fd(), &st) != 0) return errno;
  out = MappedFile();
  if (st.st_size == 0) return 0;
  void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, f.fd(), 0);
  if (p == MAP_FAILED) return errno;
  out.data_ = p;
  out.size_ = static_cast<size_t>(st.st_size);
  return 0;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace omni::journal::internal

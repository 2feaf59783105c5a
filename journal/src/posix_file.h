// Thin RAII over the POSIX calls the journal needs: each call reports errno, never throws, so the
// writer thread can turn every failure into a typed status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace omni::journal::internal {

class File {
 public:
  File() = default;
  explicit File(int fd) noexcept : fd_(fd) {}
  File(File&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  File& operator=(File&& o) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
  void close() noexcept;

 private:
  int fd_ = -1;
};

// Each returns 0 on success or the errno of the failure.
[[nodiscard]] int write_all(int fd, std::span<const std::byte> bytes) noexcept;
[[nodiscard]] int sync_data(int fd) noexcept;   // fdatasync
[[nodiscard]] int sync_dir(const std::filesystem::path& dir) noexcept;  // fsync of the directory
[[nodiscard]] int truncate_and_sync(const std::filesystem::path& file, uint64_t size) noexcept;

[[nodiscard]] std::string errno_text(int err);

// A read-only private mapping of a whole file (empty files map to an empty span).
class MappedFile {
 public:
  static int map(const std::filesystem::path& file, MappedFile& out) noexcept;  // errno or 0
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; o.size_ = 0; }
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  [[nodiscard]] std::span<const std::byte> bytes() const noexcept {
    return {static_cast<const std::byte*>(data_), size_};
  }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace omni::journal::internal

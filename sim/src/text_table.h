// A plain-text table with aligned columns: text left, numbers right.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace omni::sim::internal {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void print(std::ostream& out, const std::string& indent = "  ") const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "12.3", "95.1%", "1.2µs"-style formatting shared by the text report and the live view.
[[nodiscard]] std::string fixed(double value, int decimals);
[[nodiscard]] std::string percent(double fraction);
[[nodiscard]] std::string seconds(double s);   // "4.2s", "3m05s", "1h02m"
[[nodiscard]] std::string nanoseconds(uint64_t ns);  // "850ns", "1.24µs", "3.1ms"

}  // namespace omni::sim::internal

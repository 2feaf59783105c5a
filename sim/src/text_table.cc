#include "text_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace omni::sim::internal {
namespace {

// Display width: count UTF-8 code points, not bytes ("µ").
size_t width_of(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool looks_numeric(const std::string& s) {
  return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.');
}

}  // namespace

void TextTable::print(std::ostream& out, const std::string& indent) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) widths[c] = width_of(headers_[c]);
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], width_of(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    out << indent;
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string& cell = c < cells.size() ? cells[c] : std::string();
      const std::string pad(widths[c] - width_of(cell), ' ');
      const bool right = !header ? (c > 0 && looks_numeric(cell)) : c > 0;
      out << (c ? "  " : "") << (right ? pad + cell : cell + (c + 1 < widths.size() ? pad : ""));
    }
    out << '\n';
  };
  line(headers_, true);
  size_t total = 0;
  for (size_t w : widths) total += w + 2;
  out << indent << std::string(total > 2 ? total - 2 : 0, '-') << '\n';
  for (const auto& row : rows_) line(row, false);
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string percent(double fraction) { return fixed(100.0 * fraction, 1) + "%"; }

std::string seconds(double s) {
  char buf[64];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  } else if (s < 3600) {
    const long total = std::lround(s);
    std::snprintf(buf, sizeof buf, "%ldm%02lds", total / 60, total % 60);
  } else {
    const long total = std::lround(s / 60);
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", total / 60, total % 60);
  }
  return buf;
}

std::string nanoseconds(uint64_t ns) {
  char buf[64];
  if (ns < 1000) {
    std::snprintf(buf, sizeof buf, "%lluns", static_cast<unsigned long long>(ns));
  } else if (ns < 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.2fµs", static_cast<double>(ns) / 1e3);
  } else if (ns < 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%.2fms", static_cast<double>(ns) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(ns) / 1e9);
  }
  return buf;
}

}  // namespace omni::sim::internal

// Queue depth and service level over time as a self-contained SVG (no library): two panels
// sharing the time axis, one polyline per queue.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "omnikernel/sim/report.h"
#include "text_table.h"

namespace omni::sim {
namespace {

constexpr double kWidth = 960, kPanelHeight = 260, kLeft = 70, kRight = 190, kTop = 56, kGap = 70;
constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// 1, 2, 5 × 10^n at or above `value`, so axis labels are round.
double nice_ceiling(double value) {
  if (value <= 0) return 1;
  const double magnitude = std::pow(10, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

struct Panel {
  double top;
  double y_max;
  std::string title;
  std::string unit;  // suffix of y labels
};

void draw_axes(std::ostringstream& svg, const Panel& p, double duration_s) {
  const double plot_width = kWidth - kLeft - kRight;
  svg << "<text x=\"" << kLeft << "\" y=\"" << p.top - 12 << "\" class=\"title\">" << escape(p.title)
      << "</text>\n";
  svg << "<rect x=\"" << kLeft << "\" y=\"" << p.top << "\" width=\"" << plot_width << "\" height=\""
      << kPanelHeight << "\" class=\"frame\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double y = p.top + kPanelHeight - kPanelHeight * i / 4.0;
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_width << "\" y1=\"" << y << "\" y2=\"" << y
        << "\" class=\"grid\"/>\n";
    svg << "<text x=\"" << kLeft - 6 << "\" y=\"" << y + 4 << "\" class=\"ylabel\">"
        << internal::fixed(p.y_max * i / 4.0, p.y_max < 4 ? 2 : 0) << p.unit << "</text>\n";
  }
  for (int i = 0; i <= 6; ++i) {
    const double x = kLeft + plot_width * i / 6.0;
    svg << "<text x=\"" << x << "\" y=\"" << p.top + kPanelHeight + 16 << "\" class=\"xlabel\">"
        << escape(internal::seconds(duration_s * i / 6.0)) << "</text>\n";
  }
}

}  // namespace

std::string report_svg(const Report& r) {
  const double plot_width = kWidth - kLeft - kRight;
  const double height = kTop + 2 * kPanelHeight + kGap + 40;
  const double duration = r.duration_s > 0 ? r.duration_s : 1;
  uint32_t max_waiting = 0;
  for (const SeriesPoint& p : r.series) {
    for (uint32_t w : p.waiting) max_waiting = std::max(max_waiting, w);
  }
  // Four grid steps of a round size, so every label is a round number.
  const double depth_step = std::max(1.0, nice_ceiling(max_waiting / 4.0));
  const Panel depth{kTop, 4 * depth_step, "Queue depth (items waiting)", ""};
  const Panel level{kTop + kPanelHeight + kGap, 100,
                    "Service level so far (answered within " + internal::seconds(r.service_level_threshold_s) +
                        ")",
                    "%"};

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << kWidth << " " << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<style>.title{font-weight:bold}.frame{fill:none;stroke:#444}.grid{stroke:#ddd}"
         ".ylabel{text-anchor:end}.xlabel{text-anchor:middle}.line{fill:none;stroke-width:1.5}</style>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kLeft << "\" y=\"20\" font-size=\"14\">" << escape(r.scenario) << " — seed " << r.seed
      << "</text>\n";
  draw_axes(svg, depth, duration);
  draw_axes(svg, level, duration);

  for (size_t q = 0; q < r.series_queues.size(); ++q) {
    const char* color = kPalette[q % std::size(kPalette)];
    std::ostringstream depth_points, level_points;
    for (const SeriesPoint& p : r.series) {
      const double x = kLeft + plot_width * std::clamp(p.at_s / duration, 0.0, 1.0);
      if (q < p.waiting.size()) {
        depth_points << x << "," << depth.top + kPanelHeight * (1 - p.waiting[q] / depth.y_max) << " ";
      }
      if (q < p.service_level.size() && std::isfinite(p.service_level[q])) {
        level_points << x << "," << level.top + kPanelHeight * (1 - p.service_level[q]) << " ";
      }
    }
    for (const auto& [panel, points] : {std::pair{&depth, depth_points.str()}, std::pair{&level, level_points.str()}}) {
      if (!points.empty()) {
        svg << "<polyline class=\"line\" stroke=\"" << color << "\" points=\"" << points << "\"/>\n";
      }
      (void)panel;
    }
    const double legend_y = kTop + 14 + 18 * static_cast<double>(q);
    svg << "<line x1=\"" << kWidth - kRight + 14 << "\" x2=\"" << kWidth - kRight + 34 << "\" y1=\""
        << legend_y - 4 << "\" y2=\"" << legend_y - 4 << "\" stroke=\"" << color << "\" stroke-width=\"3\"/>\n"
        << "<text x=\"" << kWidth - kRight + 40 << "\" y=\"" << legend_y << "\">" << escape(r.series_queues[q])
        << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

std::expected<void, std::string> write_report_svg(const Report& r, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return std::unexpected(file.string() + ": cannot open for writing");
  out << report_svg(r);
  if (!out.flush()) return std::unexpected(file.string() + ": write failed");
  return {};
}

}  // namespace omni::sim

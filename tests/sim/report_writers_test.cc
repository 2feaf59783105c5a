#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "omnikernel/sim/report.h"

namespace omni::sim {
namespace {

Report sample_report() {
  Report r;
  r.scenario = "unit <test> & co";
  r.seed = 5;
  r.duration_s = 3600;
  r.service_level_threshold_s = 20;
  r.wall_seconds = 0.5;
  ContactCounters c;
  c.offered = 10;
  c.answered = 8;
  c.answered_within_threshold = 6;
  c.waited = 4;
  c.abandoned = 2;
  c.closed = 8;
  c.total_wait_s = 80;
  c.total_handle_s = 800;
  c.longest_wait_s = 30;
  c.preferred_asked = 5;
  c.preferred_kept = 4;
  c.preferred_fell_back = 1;
  c.returning = 6;
  c.back_to_last_agent = 3;
  r.queues.push_back({"sales", "chat", c, 1});
  r.channels.push_back({"chat", c});
  r.total = c;
  RequirementSetReport set;
  set.queue = "sales";
  set.label = "Spanish>=5, French>=3 (drop after 20s)";
  set.skills = {{"Spanish", 5, 0}, {"French", 3, 20}};
  set.counters = c;
  set.p90_wait_s = 25;
  set.relaxed = 3;
  set.skills_dropped = 3;
  r.requirement_sets.push_back(set);
  AgentReport a;
  a.name = "ann";
  a.profile = "p";
  a.occupancy = 0.75;
  a.declined = 2;
  a.declines_by_reason = {{"busy", 2}};
  a.seconds_in[1] = 900;
  a.seconds_in[2] = 2700;
  r.agents.push_back(a);
  r.occupancy = 0.75;
  r.routing = {"routing", 100, 200, 900, 5000, 9000, 300};
  r.latency.push_back({"submit", 10, 300, 1000, 5000, 9000, 400});
  r.series_queues = {"sales"};
  r.series.push_back({0, {0}, {std::numeric_limits<double>::quiet_NaN()}});
  r.series.push_back({1800, {4}, {0.5}});
  r.series.push_back({3600, {1}, {0.6}});
  r.notes.push_back("a note");
  return r;
}

TEST(ContactCounters, Definitions) {
  const ContactCounters c = sample_report().total;
  EXPECT_DOUBLE_EQ(c.asa(), 10);
  EXPECT_DOUBLE_EQ(c.aht(), 100);
  EXPECT_DOUBLE_EQ(c.service_level(), 0.6);  // 6 within / (8 answered + 2 abandoned)
  EXPECT_DOUBLE_EQ(c.probability_of_waiting(), 0.5);
  EXPECT_DOUBLE_EQ(ContactCounters{}.service_level(), 1.0);  // nothing to judge yet
  EXPECT_DOUBLE_EQ(c.preferred_kept_share(), 0.8);  // 4 of the 5 that asked
  EXPECT_DOUBLE_EQ(c.back_to_last_agent_share(), 0.5);  // 3 of the 6 returning
  EXPECT_DOUBLE_EQ(ContactCounters{}.preferred_kept_share(), 0.0);
}

TEST(ReportText, HasEveryTable) {
  std::ostringstream out;
  print_report(sample_report(), out);
  const std::string text = out.str();
  for (const char* s : {"Queues", "Channels", "Agents", "Kernel latency", "sales [chat]", "60.0%", "busy 2",
                        "p99.9", "a note", "75.0%", "Skills", "Spanish>=5, French>=3 (drop after 20s)",
                        "p90 wait", "25.0s", "skills dropped", "Preferred agents", "fell back",
                        "back to last agent", "80.0%", "50.0%"}) {
    EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << text;
  }
}

TEST(ReportJson, HasTheDocumentedKeys) {
  const auto doc = nlohmann::json::parse(report_json(sample_report()));
  EXPECT_DOUBLE_EQ(doc["service_level"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(doc["asa"].get<double>(), 10);
  EXPECT_EQ(doc["abandoned"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(doc["occupancy"].get<double>(), 0.75);
  EXPECT_EQ(doc["latency"]["p99"].get<int>(), 900);
  EXPECT_EQ(doc["latency"]["by_operation"]["submit"]["p999"].get<int>(), 5000);
  EXPECT_EQ(doc["queues"][0]["service_level"].get<double>(), 0.6);
  EXPECT_EQ(doc["queues"][0]["preferred_asked"].get<int>(), 5);
  EXPECT_EQ(doc["queues"][0]["preferred_kept"].get<int>(), 4);
  EXPECT_EQ(doc["queues"][0]["preferred_fell_back"].get<int>(), 1);
  EXPECT_EQ(doc["total"]["returning"].get<int>(), 6);
  EXPECT_EQ(doc["total"]["back_to_last_agent"].get<int>(), 3);
  EXPECT_EQ(doc["agents"][0]["declines_by_reason"]["busy"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(doc["agents"][0]["time_in_state"]["busy"].get<double>(), 2700);
  EXPECT_TRUE(doc["series"]["points"][0]["service_level"][0].is_null());  // NaN → null
  const auto& set = doc["requirement_sets"].at(0);
  EXPECT_EQ(set["queue"], "sales");
  EXPECT_EQ(set["requirements"][1]["skill"], "French");
  EXPECT_EQ(set["requirements"][1]["min_level"], 3);
  EXPECT_DOUBLE_EQ(set["requirements"][1]["drop_after"].get<double>(), 20);
  EXPECT_EQ(set["offered"], 10);
  EXPECT_EQ(set["answered"], 8);
  EXPECT_DOUBLE_EQ(set["mean_wait"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(set["p90_wait"].get<double>(), 25);
  EXPECT_EQ(set["relaxed"], 3);
  EXPECT_EQ(set["skills_dropped"], 3);
}

TEST(ReportFiles, CsvJsonAndSvgAreWritten) {
  const auto dir = std::filesystem::temp_directory_path() / "omni_report_writers_test";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(write_report_csv(sample_report(), dir / "csv").has_value());
  for (const char* f : {"queues.csv", "channels.csv", "requirement_sets.csv", "agents.csv", "latency.csv",
                        "timeseries.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "csv" / f)) << f;
  }
  std::ifstream queues(dir / "csv" / "queues.csv");
  std::string header, row;
  std::getline(queues, header);
  std::getline(queues, row);
  EXPECT_EQ(header.rfind("queue,channel,offered,answered,abandoned", 0), 0u) << header;
  EXPECT_EQ(row.rfind("sales,chat,10,8,2", 0), 0u) << row;
  EXPECT_TRUE(header.ends_with(",longest_wait,preferred_asked,preferred_kept,preferred_fell_back,returning,"
                               "back_to_last_agent,waiting_at_end,overflowed_in")) << header;
  EXPECT_TRUE(row.ends_with(",30.000000,5,4,1,6,3,1,0")) << row;
  std::ifstream sets(dir / "csv" / "requirement_sets.csv");
  std::getline(sets, header);
  std::getline(sets, row);
  EXPECT_EQ(header, "queue,requirements,offered,answered,abandoned,expired,overflowed,refused,asa,service_level,aht,"
                    "probability_of_waiting,longest_wait,preferred_asked,preferred_kept,preferred_fell_back,returning,"
                    "back_to_last_agent,p90_wait,relaxed,skills_dropped");
  EXPECT_EQ(row.rfind("sales,\"Spanish>=5, French>=3 (drop after 20s)\",10,8,2,", 0), 0u) << row;
  EXPECT_NE(row.find(",25.000000,3,3"), std::string::npos) << row;
  ASSERT_TRUE(write_report_json(sample_report(), dir / "r.json").has_value());
  ASSERT_TRUE(write_report_svg(sample_report(), dir / "r.svg").has_value());
  std::filesystem::remove_all(dir);
}

TEST(ReportFiles, UnwritablePathIsAnError) {
  auto written = write_report_json(sample_report(), "/nonexistent/dir/r.json");
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error(), "/nonexistent/dir/r.json: cannot open for writing");
  EXPECT_FALSE(write_report_svg(sample_report(), "/nonexistent/dir/r.svg").has_value());
}

TEST(ReportSvg, DrawsBothPanelsAndEscapesText) {
  const std::string svg = report_svg(sample_report());
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("Queue depth"), std::string::npos);
  EXPECT_NE(svg.find("Service level so far"), std::string::npos);
  EXPECT_NE(svg.find("unit &lt;test&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(svg.find("unit <test>"), std::string::npos);
  // Two polylines for one queue (depth and service level), the NaN point left out.
  size_t lines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++lines;
  EXPECT_EQ(lines, 2u);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
}

}  // namespace
}  // namespace omni::sim

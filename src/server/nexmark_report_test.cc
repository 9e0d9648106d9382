#include "server/nexmark_report.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace laminar::server {
namespace {

NexmarkReport MeasuredReport() {
  NexmarkReport report;
  report.query = "q1";
  report.mode = "pregenerate";
  report.events = 1000;
  report.seed = 1;
  report.rate = 10'000'000;
  report.tables = "bid";
  report.input_rows = 920;
  report.events_per_sec = 1234567.4;
  report.events_per_sec_per_core = 2345678.6;
  report.p50_us = 12.34;
  report.p99_us = 56.78;
  report.latency_samples = 3;
  report.peak_rss_mb = 42.3;
  report.output_rows = 920;
  report.output_changes = 920;
  report.checksum = "00000000000000ff";
  return report;
}

TEST(NexmarkReportTest, JsonIsOneLineWithTheIssueFields) {
  const std::string json = NexmarkReportJson(MeasuredReport());
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  // One object; the engine threads' CPU (none in this report) is the only one inside it.
  EXPECT_EQ(std::count(json.begin(), json.end(), '{'), 2);
  EXPECT_NE(json.find("\"engine_thread_cpu_seconds\":{}"), std::string::npos) << json;
  for (const char* field :
       {"\"query\":\"q1\"", "\"supported\":true", "\"events\":1000", "\"events_per_sec\":1234567,",
        "\"events_per_sec_per_core\":2345679,", "\"p50_us\":12.3,", "\"p99_us\":56.8,",
        "\"peak_rss_mb\":42.3,", "\"output_rows\":920,", "\"output_changes\":920,",
        "\"checksum\":\"00000000000000ff\"",
        "\"generation_seconds\":", "\"push_cpu_seconds\":", "\"engine_cpu_seconds\":"}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << " in " << json;
  }
}

TEST(NexmarkReportTest, EngineThreadsCpuIsByName) {
  NexmarkReport report = MeasuredReport();
  report.engine_thread_cpu_seconds = {{"ldb-reactor", 0.25}, {"ldb-wal-flush", 0.0626}};
  EXPECT_NE(
      NexmarkReportJson(report).find("\"engine_thread_cpu_seconds\":{\"ldb-reactor\":0.250000,"
                                     "\"ldb-wal-flush\":0.062600}"),
      std::string::npos)
      << NexmarkReportJson(report);
  EXPECT_NE(NexmarkReportText(report).find(
                "  engine threads  ldb-reactor 0.250 s ldb-wal-flush 0.063 s CPU\n"),
            std::string::npos)
      << NexmarkReportText(report);
  EXPECT_EQ(NexmarkReportText(MeasuredReport()).find("engine threads"), std::string::npos);
}

TEST(NexmarkReportTest, UnmeasuredLatencyIsNull) {
  NexmarkReport report = MeasuredReport();
  report.p50_us.reset();
  report.p99_us.reset();
  const std::string json = NexmarkReportJson(report);
  EXPECT_NE(json.find("\"p50_us\":null,\"p99_us\":null"), std::string::npos) << json;
  EXPECT_NE(NexmarkReportText(report).find("latency         not measured"), std::string::npos);
}

TEST(NexmarkReportTest, AChangelogReportsItsNetRowsAndItsChanges) {
  NexmarkReport report = MeasuredReport();
  report.output_rows = 2;
  report.output_changes = 46;
  EXPECT_NE(NexmarkReportJson(report).find("\"output_rows\":2,\"output_changes\":46,"),
            std::string::npos);
  EXPECT_NE(NexmarkReportText(report).find("2 rows net (46 changes emitted)"), std::string::npos)
      << NexmarkReportText(report);
  EXPECT_NE(NexmarkReportText(MeasuredReport()).find("  output          920 rows, checksum"),
            std::string::npos)
      << NexmarkReportText(MeasuredReport());
}

TEST(NexmarkReportTest, AnUnsupportedQueryGivesItsErrorCodeAndNoFigures) {
  NexmarkReport report;
  report.query = "q5";
  report.mode = "connector";
  report.supported = false;
  report.error = Status::Error(ErrorCode::kNotSupported, "a join is not executable \"yet\"");
  const std::string json = NexmarkReportJson(report);
  EXPECT_NE(json.find("\"supported\":false,\"error_code\":\"LDB-2001\""), std::string::npos)
      << json;
  EXPECT_NE(json.find("a join is not executable \\\"yet\\\""), std::string::npos) << json;
  EXPECT_EQ(json.find("events_per_sec"), std::string::npos) << json;
  EXPECT_EQ(NexmarkReportText(report),
            "nexmark q5: unsupported: LDB-2001: a join is not executable \"yet\"\n");
}

}  // namespace
}  // namespace laminar::server

// A durable database whose checkpoints go to S3-compatible storage (Config::checkpoint_s3):
// the test server (s3rver on 127.0.0.1) is started by a ctest fixture, which passes its state
// directory in LAMINAR_S3_STATE_DIR; without it (node missing, or run by hand) the test skips.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "laminar/laminardb.h"

namespace laminar {
namespace {

std::map<std::string, std::string> ReadSettings(const std::string& path) {
  std::map<std::string, std::string> settings;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const size_t equals = line.find('=');
    if (equals != std::string::npos) settings[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return settings;
}

TEST(S3CheckpointTest, RecoversFromCheckpointsInS3) {
  const char* state = std::getenv("LAMINAR_S3_STATE_DIR");
  if (state == nullptr || !std::filesystem::exists(std::string(state) + "/s3.env")) {
    GTEST_SKIP() << "no s3rver (run through ctest, which starts it)";
  }
  auto settings = ReadSettings(std::string(state) + "/s3.env");
  S3Location s3;
  s3.endpoint = settings["S3_ENDPOINT"];
  s3.bucket = settings["S3_BUCKET"];
  s3.region = settings["S3_REGION"];
  s3.access_key_id = settings["S3_ACCESS_KEY"];
  s3.secret_access_key = settings["S3_SECRET_KEY"];
  char pattern[] = "/tmp/laminar-s3-checkpoint-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  s3.prefix = "checkpoint-test-" + std::filesystem::path(dir).filename().string();
  Config config;
  config.data_dir = dir;
  config.checkpoint_s3 = s3;
  {
    auto db = LaminarDB::Open(config);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Execute("CREATE TABLE t (k BIGINT PRIMARY KEY, v VARCHAR)").ok());
    ASSERT_TRUE((*db)->Execute("INSERT INTO t VALUES (1, 'one'), (2, 'two')").ok());
    (*db)->SimulateCrash();
  }
  // Nothing of the checkpoints is in the data directory.
  EXPECT_FALSE(std::filesystem::exists(dir + "/checkpoints"));
  auto db = LaminarDB::Open(config);
  ASSERT_TRUE(db.ok()) << db.status();
  auto rows = (*db)->Execute("SELECT v FROM t WHERE k = 2");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->rows->num_rows(), 1);
  EXPECT_EQ(rows->rows->column(0).GetValue(0), Value::Varchar("two"));
  ASSERT_TRUE((*db)->Shutdown().ok());
  std::filesystem::remove_all(dir);
}

TEST(S3CheckpointTest, AWrongSecretFailsOpenClearly) {
  const char* state = std::getenv("LAMINAR_S3_STATE_DIR");
  if (state == nullptr || !std::filesystem::exists(std::string(state) + "/s3.env")) {
    GTEST_SKIP() << "no s3rver (run through ctest, which starts it)";
  }
  auto settings = ReadSettings(std::string(state) + "/s3.env");
  Config config;
  char pattern[] = "/tmp/laminar-s3-checkpoint-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  config.data_dir = pattern;
  config.checkpoint_s3 =
      S3Location{settings["S3_ENDPOINT"], settings["S3_REGION"],     settings["S3_BUCKET"],
                 "wrong-secret",          settings["S3_ACCESS_KEY"], "not-the-secret"};
  auto db = LaminarDB::Open(config);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().ToString().find("403"), std::string::npos) << db.status();
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace laminar

#include "server/session.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace laminar::server {
namespace {

/// A session over a started in-memory database, writing to a temporary file.
class SessionTest : public ::testing::Test {
 protected:
  void Open(OutputFormat format) {
    auto db = LaminarDB::Open();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Start().ok());
    out_ = std::tmpfile();
    ASSERT_NE(out_, nullptr);
    session_.emplace(*db_, format, out_);
  }

  void TearDown() override {
    session_.reset();
    if (db_) (void)db_->Shutdown();
    if (out_ != nullptr) std::fclose(out_);
  }

  void MustExecute(std::string_view sql) {
    Status status = session_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status << "\n" << sql;
  }

  /// Everything written since the last call.
  std::string TakeOutput() {
    std::fflush(out_);
    const long end = std::ftell(out_);
    std::string text(static_cast<size_t>(end - read_), '\0');
    std::fseek(out_, read_, SEEK_SET);
    const size_t got = std::fread(text.data(), 1, text.size(), out_);
    text.resize(got);
    read_ = end;
    std::fseek(out_, end, SEEK_SET);
    return text;
  }

  std::unique_ptr<LaminarDB> db_;
  std::FILE* out_ = nullptr;
  long read_ = 0;
  std::optional<Session> session_;
};

TEST_F(SessionTest, JsonLinesShowEmittedRowsAfterTheInsertThatCausedThem) {
  Open(OutputFormat::kJsonLines);
  MustExecute("CREATE SOURCE s (x BIGINT, tag VARCHAR)");
  MustExecute("CREATE STREAM even AS SELECT x, tag FROM s WHERE x % 2 = 0");
  MustExecute("CREATE STREAM tens AS SELECT x * 10 AS x10 FROM even");
  EXPECT_EQ(TakeOutput(), "");
  MustExecute("INSERT INTO s VALUES (1, 'a'), (2, 'b'), (4, NULL)");
  EXPECT_EQ(TakeOutput(),
            "{\"stream\":\"even\",\"weight\":1,\"row\":{\"x\":2,\"tag\":\"b\"}}\n"
            "{\"stream\":\"even\",\"weight\":1,\"row\":{\"x\":4,\"tag\":null}}\n"
            "{\"stream\":\"tens\",\"weight\":1,\"row\":{\"x10\":20}}\n"
            "{\"stream\":\"tens\",\"weight\":1,\"row\":{\"x10\":40}}\n");
  ASSERT_TRUE(session_->Finish().ok());
  EXPECT_EQ(TakeOutput(), "");
}

TEST_F(SessionTest, JsonLinesNumberTheStatementsThatReturnRows) {
  Open(OutputFormat::kJsonLines);
  MustExecute("CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR)");
  MustExecute("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
  MustExecute("SELECT name FROM t WHERE id = 2");
  MustExecute("SELECT id FROM t WHERE id > 5");
  MustExecute("SELECT count_me FROM (SELECT id AS count_me FROM t) q WHERE count_me = 1");
  EXPECT_EQ(TakeOutput(),
            "{\"query\":1,\"row\":{\"name\":\"two\"}}\n"
            "{\"query\":3,\"row\":{\"count_me\":1}}\n");
}

TEST_F(SessionTest, TablesShowTagsResultsAndStreamHeaders) {
  Open(OutputFormat::kTable);
  MustExecute("CREATE SOURCE s (x BIGINT)");
  MustExecute("CREATE STREAM big AS SELECT x FROM s WHERE x > 1");
  MustExecute("INSERT INTO s VALUES (1), (2), (3)");
  EXPECT_EQ(TakeOutput(),
            "CREATE SOURCE\n"
            "CREATE STREAM\n"
            "INSERT 0 3\n"
            "-- stream big (+2 rows)\n"
            "+---+\n"
            "| x |\n"
            "+---+\n"
            "| 2 |\n"
            "| 3 |\n"
            "+---+\n");
  MustExecute("CREATE TABLE t (id BIGINT); INSERT INTO t VALUES (7); SELECT id FROM t");
  EXPECT_EQ(TakeOutput(),
            "CREATE TABLE\n"
            "INSERT 0 1\n"
            "+----+\n"
            "| id |\n"
            "+----+\n"
            "|  7 |\n"
            "+----+\n"
            "(1 row)\n");
}

TEST_F(SessionTest, AnErrorIsReturnedWithItsPositionAndTheSessionGoesOn) {
  Open(OutputFormat::kTable);
  MustExecute("CREATE SOURCE s (x BIGINT)");
  Status status = session_->Execute("CREATE STREAM bad AS\nSELECT y FROM s");
  EXPECT_EQ(status.code(), ErrorCode::kUnknownColumn);
  EXPECT_EQ(status.position().line, 2u);
  EXPECT_EQ(status.position().column, 8u);
  MustExecute("CREATE STREAM good AS SELECT x FROM s");
  MustExecute("INSERT INTO s VALUES (5)");
  EXPECT_NE(TakeOutput().find("-- stream good (+1 row)"), std::string::npos);
}

TEST_F(SessionTest, DroppedAndRecreatedStreamsArePrintedOnce) {
  Open(OutputFormat::kJsonLines);
  MustExecute("CREATE SOURCE s (x BIGINT)");
  MustExecute("CREATE STREAM a AS SELECT x FROM s");
  MustExecute("DROP STREAM a");
  MustExecute("CREATE STREAM a AS SELECT x + 1 AS y FROM s");
  MustExecute("INSERT INTO s VALUES (1)");
  EXPECT_EQ(TakeOutput(), "{\"stream\":\"a\",\"weight\":1,\"row\":{\"y\":2}}\n");
}

TEST_F(SessionTest, FinishClosesTheSourcesAndTheDatabase) {
  Open(OutputFormat::kJsonLines);
  MustExecute("CREATE SOURCE s (x BIGINT)");
  ASSERT_TRUE(session_->Finish().ok());
  EXPECT_EQ(session_->Execute("INSERT INTO s VALUES (1)").code(), ErrorCode::kClosed);
}

}  // namespace
}  // namespace laminar::server

#include "sql/catalog/catalog.h"

#include <gtest/gtest.h>

namespace laminar::sql {
namespace {

CatalogObject Object(ObjectKind kind, std::string name,
                     std::vector<std::string> dependencies = {}) {
  CatalogObject object;
  object.kind = kind;
  object.name = std::move(name);
  object.schema = Schema::Make({{"x", DataType::BigInt()}});
  object.dependencies = std::move(dependencies);
  return object;
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(catalog_.Create(Object(ObjectKind::kSource, "trades"), CreateMode::kCreate).ok());
    ASSERT_TRUE(
        catalog_.Create(Object(ObjectKind::kStream, "avg_price", {"trades"}), CreateMode::kCreate)
            .ok());
    ASSERT_TRUE(
        catalog_.Create(Object(ObjectKind::kSink, "out", {"avg_price"}), CreateMode::kCreate).ok());
  }

  Catalog catalog_;
};

TEST_F(CatalogTest, DuplicateNameIsRejectedAcrossKinds) {
  auto result = catalog_.Create(Object(ObjectKind::kTable, "trades"), CreateMode::kCreate);
  EXPECT_EQ(result.status().code(), ErrorCode::kDuplicateObject);
  EXPECT_NE(result.status().message().find("SOURCE \"trades\" already exists"), std::string::npos)
      << result.status();
}

TEST_F(CatalogTest, IfNotExistsKeepsTheExistingObject) {
  const CatalogObject* before = catalog_.Find("trades");
  auto result = catalog_.Create(Object(ObjectKind::kSource, "trades"), CreateMode::kIfNotExists);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, before);
}

TEST_F(CatalogTest, OrReplaceWorksOnlyWithoutDependents) {
  auto replaced =
      catalog_.Create(Object(ObjectKind::kSink, "out", {"trades"}), CreateMode::kOrReplace);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ((*replaced)->dependencies, std::vector<std::string>{"trades"});
  EXPECT_TRUE(catalog_.Dependents("avg_price").empty());

  auto refused = catalog_.Create(Object(ObjectKind::kSource, "trades"), CreateMode::kOrReplace);
  EXPECT_EQ(refused.status().code(), ErrorCode::kDependentObjects);

  auto wrong_kind = catalog_.Create(Object(ObjectKind::kTable, "out"), CreateMode::kOrReplace);
  EXPECT_EQ(wrong_kind.status().code(), ErrorCode::kWrongObjectKind);
}

TEST_F(CatalogTest, DependenciesMustExist) {
  auto result = catalog_.Create(Object(ObjectKind::kStream, "s", {"missing"}), CreateMode::kCreate);
  EXPECT_EQ(result.status().code(), ErrorCode::kUnknownObject);
}

TEST_F(CatalogTest, DropOfObjectWithDependentsNeedsCascade) {
  Status status = catalog_.Drop(ObjectKind::kSource, "trades", false, /*cascade=*/false);
  EXPECT_EQ(status.code(), ErrorCode::kDependentObjects);
  EXPECT_NE(catalog_.Find("trades"), nullptr) << "nothing dropped";

  std::vector<std::string> dropped;
  ASSERT_TRUE(catalog_.Drop(ObjectKind::kSource, "trades", false, /*cascade=*/true, &dropped).ok());
  EXPECT_EQ(dropped, (std::vector<std::string>{"out", "avg_price", "trades"}));
  EXPECT_EQ(catalog_.size(), 0u);
}

TEST_F(CatalogTest, DropChecksKindAndExistence) {
  EXPECT_EQ(catalog_.Drop(ObjectKind::kStream, "trades", false, false).code(),
            ErrorCode::kWrongObjectKind);
  EXPECT_EQ(catalog_.Drop(ObjectKind::kStream, "nope", false, false).code(),
            ErrorCode::kUnknownObject);
  EXPECT_TRUE(catalog_.Drop(ObjectKind::kStream, "nope", /*if_exists=*/true, false).ok());
  EXPECT_TRUE(catalog_.Drop(ObjectKind::kSink, "out", false, false).ok());
  EXPECT_EQ(catalog_.Find("out"), nullptr);
}

TEST_F(CatalogTest, ListIsSortedByName) {
  ASSERT_TRUE(catalog_.Create(Object(ObjectKind::kSource, "bids"), CreateMode::kCreate).ok());
  auto sources = catalog_.List(ObjectKind::kSource);
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0]->name, "bids");
  EXPECT_EQ(sources[1]->name, "trades");
  EXPECT_EQ(catalog_.Get("nothing").status().code(), ErrorCode::kUnknownObject);
}

TEST_F(CatalogTest, IdsAreNeverReused) {
  const uint64_t old_id = catalog_.Find("out")->id;
  ASSERT_TRUE(catalog_.Drop(ObjectKind::kSink, "out", false, false).ok());
  auto again = catalog_.Create(Object(ObjectKind::kSink, "out", {"trades"}), CreateMode::kCreate);
  ASSERT_TRUE(again.ok());
  EXPECT_GT((*again)->id, old_id);
}

}  // namespace
}  // namespace laminar::sql
